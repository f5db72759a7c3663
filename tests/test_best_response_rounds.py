"""The stage games' best-response rounds (policies/feedback/race.py) on a game that cycles.

Two players at three nodes, each maximising ``-(a_i - target_i(a_-i))^2`` through the solver's own
maximiser: player 0's target falls and player 1's rises with the other's share, both with slope ``s``
about the unique equilibrium (0.5, 0.5). With ``s = 0.5`` plain Gauss-Seidel rounds contract; with
``s = 2`` and ``s = 3`` they run to the corners and cycle there (matching pennies with continuous
shares). The rounds must damp those two nodes alone, converge there to the closed-form equilibrium, and
leave the contracting node's numbers exactly as plain best responses compute them.
"""

from __future__ import annotations

import numpy as np

from policies.feedback.maximise import maximise_smooth
from policies.feedback.race import best_response_rounds

SLOPES = np.array([0.5, 2.0, 3.0])
TOL = 1e-7


def targets(profile: np.ndarray, slopes: np.ndarray) -> np.ndarray:
    """Each player's unconstrained best share against the other's (closed form), (P, 2)."""
    a0, a1 = profile[:, 0], profile[:, 1]
    return np.stack([0.5 - slopes * (a1 - 0.5), 0.5 + slopes * (a0 - 0.5)], axis=1)


def responder(slopes: np.ndarray):
    ones = np.ones(slopes.size)

    def respond(i: int, profile: np.ndarray) -> tuple[np.ndarray, float]:
        target = targets(profile, slopes)[:, i:i + 1]

        def objective(trial: np.ndarray) -> np.ndarray:
            return -(trial - target) ** 2

        best = maximise_smooth(objective, 0.0 * ones, ones)
        return best.argmax, float(np.max(best.value - objective(profile[:, i:i + 1])[:, 0]))

    return respond


def start(p: int) -> np.ndarray:
    return np.tile([0.5, 0.6], (p, 1))


def test_plain_best_responses_cycle_at_the_steep_nodes():
    """The failure the damping is for: undamped rounds never settle where the slope exceeds 1."""
    profile = start(SLOPES.size)
    respond = responder(SLOPES)
    changes = []
    for _ in range(60):
        previous = profile.copy()
        for i in range(2):
            profile[:, i] = respond(i, profile)[0]
        changes.append(np.abs(profile - previous).max(axis=1))
    late = np.array(changes[-10:])
    assert np.all(late[:, 1:] > 0.5)  # the steep nodes jump corner to corner
    assert np.all(late[:, 0] < TOL)


def test_damped_rounds_converge_to_the_equilibrium_at_the_cycling_nodes_only():
    result = best_response_rounds(responder(SLOPES), start(SLOPES.size), TOL, 400)
    assert result.residual < TOL
    np.testing.assert_array_equal(result.weight < 1.0, [False, True, True])
    # A verified equilibrium: each share is the closed-form best response to the other's within tol.
    best = np.clip(targets(result.profile, SLOPES), 0.0, 1.0)
    assert np.max(np.abs(best - result.profile)) < 2 * TOL * (1.0 + SLOPES.max())
    np.testing.assert_allclose(result.profile, 0.5, atol=1e-6)
    # The contracting node's numbers are plain best responses' over as many rounds, bit for bit: damping
    # elsewhere does not touch it.
    plain = start(1)
    respond = responder(SLOPES[:1])
    for _ in range(result.rounds):
        for i in range(2):
            plain[:, i] = respond(i, plain)[0]
    assert np.array_equal(result.profile[:1], plain)


def test_a_game_that_contracts_is_never_damped():
    slopes = np.array([0.3, 0.6, 0.9])
    result = best_response_rounds(responder(slopes), start(slopes.size), TOL, 400)
    assert result.residual < TOL and np.all(result.weight == 1.0)


def test_at_the_round_limit_the_residual_is_the_final_profiles():
    """Stopped early, the reported residual is every player's best response against the final profile
    (closed form) less its share, not the last round's moves."""
    result = best_response_rounds(responder(SLOPES), start(SLOPES.size), TOL, 12)
    assert result.rounds == 12 and result.residual >= TOL
    best = np.clip(targets(result.profile, SLOPES), 0.0, 1.0)
    assert abs(result.residual - np.max(np.abs(best - result.profile))) < 1e-9
