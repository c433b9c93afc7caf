"""Monte Carlo checks of the new designs: inclusion frequencies, variance, coverage.

Tolerances come from the Monte Carlo standard error: z = 4 for single
checks, and a Bonferroni z for a family of per-unit checks (so that the
whole family has a false-alarm rate of 1e-4).
"""

import numpy as np
import pytest
from scipy.special import ndtri

import simsample as ss
from simsample._rng import xoshiro_state
from tests.designs.test_enumeration import (
    _enumerate_pps,
    _moments,
    _population,
    _systematic_pps_group_samples,
)
from tests.helpers import assert_mc_close

pytestmark = pytest.mark.statistical

FAMILY_ALARM = 1e-4


def _bonferroni_z(n_checks: int) -> float:
    return float(ndtri(1.0 - FAMILY_ALARM / (2.0 * n_checks)))


SIZES = [3, 5, 8, 4, 6, 3, 7, 4]
TWO_LEVEL_DESIGNS = [ss.SRS(6), ss.SRS(6, replace=True), ss.TwoStage(3, 2), ss.ClusterSample(3),
                     ss.Stratified(n_per_stratum=2), ss.Stratified(20, allocation="neyman"),
                     ss.PPS(3, 2)]


def _three_level_small():
    return ss.three_level(6, [2, 3, 2, 3, 2, 3], ss.sizes.poisson(4, minimum=2),
                          icc_group=0.3, icc_subgroup=0.2, seed=4)


@pytest.mark.parametrize("case", [*TWO_LEVEL_DESIGNS, "three-stage"], ids=str)
def test_inclusion_frequencies_match_inclusion_probabilities(case, global_seed):
    if case == "three-stage":
        pop, design = _three_level_small(), ss.ThreeStage(3, 2, 2, estimator="expansion")
    else:
        pop, design = _population(SIZES), case
    reps = 4000
    state = xoshiro_state(np.random.SeedSequence(global_seed))
    counts = np.zeros(pop.n_units)
    for _ in range(reps):
        stored = design.sample_fields(pop, *design.sampler(pop).draw_into(state))[0]
        counts[np.unique(stored)] += 1
    frequency = pop._to_caller_order(counts / reps)
    pi = design.inclusion_probabilities(pop)
    assert pi.shape == (pop.n_units,) and ((pi > 0) & (pi <= 1)).all()
    mcse = np.sqrt(pi * (1 - pi) / reps)
    z = _bonferroni_z(pop.n_units)
    assert (np.abs(frequency - pi) <= z * mcse).all(), np.max(np.abs(frequency - pi) / mcse)


def test_pps_joint_group_frequencies_match_enumerated_systematic_sampling(global_seed):
    sizes, k = [2, 5, 3, 2], 2
    pop = _population(sizes, shuffle=False)
    design = ss.PPS(k, 1)
    exact = {}
    for groups, p in _systematic_pps_group_samples(sizes, k).items():
        key = tuple(sorted(groups))
        exact[key] = exact.get(key, 0.0) + p
    reps = 20_000
    state = xoshiro_state(np.random.SeedSequence(global_seed))
    counts = dict.fromkeys(exact, 0)
    for _ in range(reps):
        groups = design.sample_fields(pop, *design.sampler(pop).draw_into(state))[3]
        counts[tuple(sorted(groups.tolist()))] += 1
    z = _bonferroni_z(len(exact))
    for key, p in exact.items():
        assert abs(counts[key] / reps - p) <= z * np.sqrt(p * (1 - p) / reps), (key, p)
    # randomised systematic sampling gives every pair of groups a chance here
    assert min(exact.values()) > 0


def _check_exact_row(row):
    """Bias 0, variance = theory, for a row whose theory is exact."""
    assert row["theory_exact"], row["design"]
    assert_mc_close(row["bias"], row["theory_bias"], row["bias_mcse"])
    assert_mc_close(row["variance"], row["theory_variance"], row["variance_mcse"])


def test_variances_match_exact_theory(global_seed):
    pop = ss.two_level(30, ss.sizes.lognormal(20, 0.5, minimum=4), icc=0.2, mean=1.0, seed=11)
    designs = {"wr": ss.SRS(40, replace=True), "proportional": ss.Stratified(120),
               "neyman": ss.Stratified(120, allocation="neyman"),
               "fixed": ss.Stratified(n_per_stratum=3)}
    summary = ss.simulate(pop, designs, reps=20_000, seed=global_seed).summary()
    for _, row in summary.iterrows():
        _check_exact_row(row)
        if row["method"] == "cluster_t":  # unbiased variance estimators
            assert_mc_close(row["mean_variance_estimate"], row["theory_variance"],
                            np.hypot(row["mean_variance_estimate_mcse"], row["variance_mcse"]))
    # Neyman allocation beats proportional allocation (exact theory)
    neyman = summary.query("design == 'neyman' and method == 'cluster_t'")["theory_variance"]
    proportional = summary.query(
        "design == 'proportional' and method == 'cluster_t'")["theory_variance"]
    assert float(neyman.iloc[0]) < float(proportional.iloc[0])


def test_three_stage_variance_matches_exact_theory(global_seed):
    unequal = ss.three_level(40, ss.sizes.poisson(5, minimum=3), ss.sizes.poisson(12, minimum=4),
                             icc_group=0.2, icc_subgroup=0.1, seed=12)
    equal = ss.three_level(40, 4, 10, icc_group=0.2, icc_subgroup=0.1, seed=13)
    for pop, design in [(unequal, ss.ThreeStage(8, 2, 3, estimator="expansion")),
                        (equal, ss.ThreeStage(8, 2, 3))]:
        summary = ss.simulate(pop, design, reps=20_000, seed=global_seed).summary()
        for _, row in summary.iterrows():
            _check_exact_row(row)
        cluster = summary.set_index("method").loc["cluster_t"]
        assert_mc_close(cluster["mean_variance_estimate"], cluster["theory_variance"],
                        np.hypot(cluster["mean_variance_estimate_mcse"], cluster["variance_mcse"]))


@pytest.mark.parametrize("sizes", [[2, 5, 3, 2], [3, 3, 3, 3, 3]], ids=["unequal", "equal"])
def test_pps_engine_matches_enumerated_sampling_distribution(sizes, global_seed):
    pop = _population(sizes)
    design = ss.PPS(2, 2)
    mean, var, mean_v, _ = _moments(list(_enumerate_pps(pop, design)), pop.n_units)
    summary = ss.simulate(pop, design, reps=40_000, seed=global_seed).summary()
    row = summary.set_index("method").loc["cluster_t"]
    assert_mc_close(row["bias"], 0.0, row["bias_mcse"])
    assert_mc_close(row["variance"], var[1], row["variance_mcse"])
    assert_mc_close(row["mean_variance_estimate"], mean_v[1],
                    row["mean_variance_estimate_mcse"])
    if len(set(sizes)) == 1:
        assert row["theory_exact"]
        assert row["theory_variance"] == pytest.approx(var[1])


def test_design_intervals_cover_at_nominal(global_seed):
    level, reps = 0.95, 20_000
    many_groups = ss.two_level(1000, ss.sizes.lognormal(20, 0.5, minimum=5), icc=0.2, seed=21)
    strata = ss.two_level(8, 100, icc=0.3, seed=22)
    schools = ss.three_level(200, 4, 10, icc_group=0.15, icc_subgroup=0.1, seed=23)
    cases = [(many_groups, {"PPS": ss.PPS(20, 5),
                            "SRS with replacement": ss.SRS(50, replace=True)}),
             (strata, {"stratified": ss.Stratified(80, allocation="neyman")}),
             (schools, {"three-stage": ss.ThreeStage(30, 2, 5),
                        "three-stage expansion": ss.ThreeStage(30, 2, 5, estimator="expansion")})]
    for pop, designs in cases:
        summary = ss.simulate(pop, designs, reps=reps, seed=global_seed, level=level).summary()
        for _, row in summary[summary["method"] == "cluster_t"].iterrows():
            assert_mc_close(row["coverage"], level, np.sqrt(level * (1 - level) / reps))
