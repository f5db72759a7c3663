"""Game-theory code on games whose answers are known in closed form."""

import numpy as np
import pytest

from labrace.tournaments.game import mix_regret, pure_regret, regret_against, replicator, symmetric_nash

# Prisoner's dilemma (cooperate, defect): T=5 > R=3 > P=1 > S=0.
PD = np.array([[3.0, 0.0], [5.0, 1.0]])
RPS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])


def hawk_dove(value: float, cost: float) -> np.ndarray:
    """(hawk, dove) payoffs; with cost > value the only symmetric equilibrium plays hawk w.p. V/C."""
    return np.array([[(value - cost) / 2, value], [0.0, value / 2]])


def test_prisoners_dilemma_defects():
    result = replicator(PD)
    assert result.converged
    np.testing.assert_allclose(result.limit, [0.0, 1.0], atol=1e-6)
    equilibria = symmetric_nash(PD)
    assert len(equilibria) == 1
    np.testing.assert_allclose(equilibria[0].mix, [0.0, 1.0])
    assert equilibria[0].payoff == pytest.approx(1.0)
    # everyone cooperating: defecting gains 5 - 3; everyone defecting: nothing to gain
    np.testing.assert_allclose(pure_regret(PD), [2.0, 0.0])


@pytest.mark.parametrize("value,cost", [(2.0, 3.0), (1.0, 4.0), (2.0, 5.0)])
def test_hawk_dove_mixed_equilibrium(value, cost):
    A = hawk_dove(value, cost)
    equilibria = symmetric_nash(A)
    assert len(equilibria) == 1
    np.testing.assert_allclose(equilibria[0].mix, [value / cost, 1 - value / cost], atol=1e-9)
    # the mixed equilibrium is evolutionarily stable: the replicator reaches it from off-centre starts
    for start in ([0.9, 0.1], [0.05, 0.95]):
        result = replicator(A, x0=start)
        assert result.converged
        np.testing.assert_allclose(result.limit[0], value / cost, atol=1e-6)
        assert mix_regret(A, result.limit) < 1e-6
    np.testing.assert_allclose(regret_against(A, equilibria[0].mix), [0.0, 0.0], atol=1e-12)


def test_rock_paper_scissors():
    equilibria = symmetric_nash(RPS)
    assert len(equilibria) == 1
    np.testing.assert_allclose(equilibria[0].mix, [1 / 3] * 3)
    assert equilibria[0].payoff == pytest.approx(0.0, abs=1e-12)
    # the centre is a rest point ...
    assert replicator(RPS).converged
    # ... and orbits around it are closed: x1 x2 x3 is conserved and the dynamics never settle
    start = np.array([0.5, 0.3, 0.2])
    result = replicator(RPS, x0=start, t_max=200.0)
    assert not result.converged
    np.testing.assert_allclose(np.prod(result.path, axis=1), np.prod(start), rtol=1e-5)


def test_coordination_game_has_three_equilibria():
    # pure (1,0), pure (0,1) and the mixed one at 1/3 on the first strategy (2 x = 1 (1 - x))
    A = np.array([[2.0, 0.0], [0.0, 1.0]])
    mixes = sorted(tuple(np.round(e.mix, 9)) for e in symmetric_nash(A))
    assert mixes == [(0.0, 1.0), (round(1 / 3, 9), round(2 / 3, 9)), (1.0, 0.0)]
