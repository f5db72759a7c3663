"""Paired-seed comparison of two policies: the pairing removes the shocks, the interval is Student's t."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

import labrace
from labrace.simulation.paired import expected_gain, paired_gain
from labrace.simulation.seeds import spawn_seeds
from policies.registry import resolve_policy


@pytest.fixture(scope="module")
def noisy():
    return replace(labrace.read_scenario("troynikov_shocks").config, horizon=2.0)


def test_a_policy_against_itself_gains_exactly_nothing_on_every_seed(noisy):
    same = resolve_policy("constant", {"alpha": 0.4})
    result = paired_gain(noisy, 0, same, same, seeds=4)
    assert np.all(result.table["gain"] == 0.0)
    for gain in (result.expected, result.per_seed):
        assert gain.low == gain.mean == gain.high == 0.0
    assert result.table["incumbent"].nunique() == 4  # the seeds do draw different shocks


def test_the_gain_is_the_mean_of_the_seed_by_seed_ratios_with_a_t_interval(noisy):
    challenger, incumbent = resolve_policy("constant", {"alpha": 0.6}), resolve_policy("constant", {"alpha": 0.2})
    result = paired_gain(noisy, 0, challenger, incumbent, seeds=5)
    seeds = spawn_seeds(noisy.seed, 5)
    assert list(result.table["seed"]) == seeds
    first = labrace.run(replace(noisy, labs=(replace(noisy.labs[0], policy=challenger),), seed=seeds[0]))
    assert result.table["challenger"].iloc[0] == pytest.approx(float(first.outcomes["npv"].iloc[0]), rel=1e-15)
    a, b = result.table["challenger"].to_numpy(), result.table["incumbent"].to_numpy()
    gains = a / b - 1.0
    half = stats.t.ppf(0.975, 4) * gains.std(ddof=1) / np.sqrt(5)
    assert result.per_seed.mean == pytest.approx(gains.mean())
    assert result.per_seed.high - result.per_seed.low == pytest.approx(2 * half)
    assert result.expected.mean == pytest.approx(a.sum() / b.sum() - 1.0)
    assert result.expected.low < result.expected.mean < result.expected.high
    assert "5 paired seeds" in result.summary()


def test_the_expected_gain_interval_covers_the_truth_about_as_often_as_it_says():
    """The delta-method interval on synthetic paired draws whose ratio of means is known (1.02)."""
    rng = np.random.default_rng(5)
    covered = 0
    for _ in range(400):
        b = rng.lognormal(0.0, 1.0, 200)
        a = 1.02 * b * rng.lognormal(-0.5 * 0.05 ** 2, 0.05, 200)
        gain = expected_gain(a, b)
        covered += gain.low < 0.02 < gain.high
    assert 0.91 < covered / 400 < 0.98
