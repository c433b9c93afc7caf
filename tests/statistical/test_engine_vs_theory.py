"""Monte Carlo against exact theory, with tolerances from the Monte Carlo standard error."""

import numpy as np
import pytest

import simsample as ss
from tests.helpers import assert_mc_close

pytestmark = pytest.mark.statistical


@pytest.fixture(scope="module")
def lecture_study():
    """The issue's reference case: 100 groups x 50, icc 0.2, SRS(100) vs TwoStage(10, 10)."""
    pop = ss.two_level(n_groups=100, group_size=50, icc=0.2, seed=1)
    study = ss.simulate(pop, {"SRS": ss.SRS(100), "two-stage": ss.TwoStage(10, 10)},
                        reps=100_000, seed=2)
    return pop, study, study.summary().set_index(["design", "method"])


def test_two_stage_variance_matches_theory(lecture_study):
    pop, _, summary = lecture_study
    for _, row in summary.groupby(level="design"):
        row = row.xs("cluster_t", level="method").iloc[0]
        assert row["theory_exact"]
        assert_mc_close(row["variance"], row["theory_variance"], row["variance_mcse"])
        assert_mc_close(row["bias"], 0.0, row["bias_mcse"])
    assert summary.loc[("two-stage", "cluster_t"), "theory_variance"] == pytest.approx(
        ss.theory.variance(pop, ss.TwoStage(10, 10)))


def test_variance_ratio_interval_covers_the_theoretical_ratio(lecture_study):
    pop, study, _ = lecture_study
    ratio = study.variance_ratio("two-stage", "SRS")
    expected = ss.theory.variance(pop, ss.TwoStage(10, 10)) / ss.theory.variance(pop, ss.SRS(100))
    assert ratio.theory == pytest.approx(expected)
    assert ratio.covers_theory(), ratio
    assert ratio.estimate > 2.0  # the two-stage sample is far less precise


def test_cluster_interval_covers_at_nominal_and_naive_does_not(lecture_study):
    pop, _, summary = lecture_study
    cluster = summary.loc[("two-stage", "cluster_t")]
    assert_mc_close(cluster["coverage"], 0.95, cluster["coverage_mcse"])
    naive = summary.loc[("two-stage", "naive_t")]
    assert naive["coverage"] < 0.85
    assert_mc_close(naive["coverage"], ss.theory.naive_coverage(pop, ss.TwoStage(10, 10)),
                    naive["coverage_mcse"])
    srs = summary.loc[("SRS", "cluster_t")]
    assert_mc_close(srs["coverage"], 0.95, srs["coverage_mcse"])


def test_variance_estimators_are_unbiased_on_average(lecture_study):
    pop, _, summary = lecture_study
    for key in [("SRS", "cluster_t"), ("two-stage", "cluster_t")]:
        row = summary.loc[key]
        assert_mc_close(row["mean_variance_estimate"], row["theory_variance"],
                        np.hypot(row["mean_variance_estimate_mcse"], row["variance_mcse"]))
    naive = summary.loc[("two-stage", "naive_t")]
    expected = ss.theory.expected_naive_s2(pop, ss.TwoStage(10, 10)) / 100
    assert_mc_close(naive["mean_variance_estimate"], expected,
                    naive["mean_variance_estimate_mcse"])


@pytest.mark.parametrize("dist", ["normal", "lognormal"])
def test_unequal_group_sizes_expansion_and_cluster_sample_match_exact_theory(dist, global_seed):
    sizes = np.random.default_rng(8).integers(6, 40, size=60)
    pop = ss.two_level(n_groups=None, group_size=sizes, icc=0.15, mean=3.0, dist=dist, seed=7)
    designs = {
        "two-stage expansion": ss.TwoStage(12, 5, estimator="expansion"),
        "cluster expansion": ss.ClusterSample(6, estimator="expansion"),
        "srs": ss.SRS(60),
    }
    summary = ss.simulate(pop, designs, reps=60_000, seed=global_seed).summary()
    for _, row in summary[summary["method"] == "cluster_t"].iterrows():
        assert row["theory_exact"], row["design"]
        assert_mc_close(row["variance"], row["theory_variance"], row["variance_mcse"])
        assert_mc_close(row["bias"], 0.0, row["bias_mcse"])
        assert_mc_close(row["mean_variance_estimate"], row["theory_variance"],
                        np.hypot(row["mean_variance_estimate_mcse"], row["variance_mcse"]))
    naive = summary.set_index(["design", "method"]).loc[("two-stage expansion", "naive_t")]
    assert_mc_close(naive["variance"], naive["theory_variance"], naive["variance_mcse"])
    assert_mc_close(naive["bias"], naive["theory_bias"], naive["bias_mcse"])


def test_equal_size_cluster_sample_matches_theory(global_seed):
    # Many groups and a small sampling fraction: the studentised mean is close to t(k-1),
    # so nominal coverage is the right target (with G = 40, f = 0.2 it is not, exactly).
    pop = ss.two_level(n_groups=400, group_size=10, icc=0.3, seed=3)
    summary = ss.simulate(pop, {"c": ss.ClusterSample(10)}, reps=40_000,
                          seed=global_seed).summary().set_index("method")
    row = summary.loc["cluster_t"]
    assert_mc_close(row["variance"], ss.theory.variance(pop, ss.ClusterSample(10)),
                    row["variance_mcse"])
    assert_mc_close(row["coverage"], 0.95, row["coverage_mcse"])


@pytest.mark.parametrize("design", [ss.SRS(4), ss.TwoStage(3, 2), ss.ClusterSample(2)],
                         ids=str)
def test_every_unit_is_included_with_its_inclusion_probability(design, global_seed):
    pop = ss.two_level(n_groups=5, group_size=[2, 3, 4, 3, 2], seed=1)
    reps = 20_000
    counts = np.zeros(pop.n_units)
    seq = np.random.SeedSequence(global_seed)
    for child in seq.spawn(reps):
        counts[design.draw(pop, seed=child).units] += 1
    sizes = pop.group_sizes[pop.codes]
    if isinstance(design, ss.SRS):
        pi = np.full(pop.n_units, design.n / pop.n_units)
    elif isinstance(design, ss.TwoStage):
        pi = design.groups / pop.n_groups * design.per_group / sizes
    else:
        pi = np.full(pop.n_units, design.groups / pop.n_groups)
    freq = counts / reps
    mcse = np.sqrt(pi * (1 - pi) / reps)
    z = np.abs(freq - pi) / mcse
    assert z.max() <= 4.5, (z.max(), freq, pi)  # 4.5 for 17 simultaneous checks
