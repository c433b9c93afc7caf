"""The difference estimand in the engine: wiring, failures, reproducibility."""

import math

import numpy as np
import pytest

import simsample as ss
from simsample._rng import child
from simsample.estimands.difference import DIFFERENCE_METHODS
from simsample.estimands.one_sample import sample_estimates
from tests.helpers import assert_mc_close


@pytest.fixture(scope="module")
def pop():
    return ss.covariate_population(40, 12, x="normal", x_group_sd=0.7, within_effect=0.4,
                                   contextual_effect=-1.0, slope_sd=0.3, X="group_mean",
                                   seed=3)


def test_summary_names_each_methods_target_and_truth(pop):
    study = ss.simulate(pop, {"srs": ss.SRS(80), "ts": ss.TwoStage(10, 6),
                              "cl": ss.ClusterSample(5)}, reps=300, seed=1,
                        estimand="difference", progress=False)
    summary = study.summary().set_index(["design", "method"])
    assert study.estimand == "difference"
    truths = {"naive": pop.delta, "cluster_robust": pop.delta, "within": pop.within_effect,
              "between": pop.between_effect, "contextual": pop.contextual_effect,
              "heterogeneity": pop.slope_sd ** 2, "heterogeneity_sd": pop.slope_sd,
              "macro": pop.macro_effect}
    targets = {"naive": "population delta", "within": "within effect",
               "between": "between effect", "contextual": "contextual effect",
               "heterogeneity": "slope variance", "heterogeneity_sd": "slope SD",
               "macro": "macro effect"}
    for design in ("srs", "ts", "cl"):
        assert study.methods(design) == DIFFERENCE_METHODS
        for method, truth in truths.items():
            row = summary.loc[(design, method)]
            assert row.truth == pytest.approx(truth, rel=1e-12)
            assert row.target == targets.get(method, "population delta")
            assert row.reps + row.n_failed == 300
            assert math.isnan(row.theory_variance) and math.isnan(row.variance_ratio)
            assert row.variance > 0
            if method.startswith("heterogeneity"):  # no interval: NaN, not 0
                for column in ("coverage", "coverage_mcse", "mean_se", "se_calibration",
                               "mean_width", "miss_low", "miss_high"):
                    assert math.isnan(row[column]), column
            else:
                assert 0 < row.coverage <= 1 and row.mean_width > 0
                assert row.se_calibration == pytest.approx(
                    row.mean_se / math.sqrt(row.variance))


def test_engine_replication_equals_the_sample_kernel_on_the_same_stream(pop):
    """Replication 0 of chunk 0 of design d uses stream (0, d): redraw it with Design.draw."""
    designs = {"srs": ss.SRS(50), "ts": ss.TwoStage(8, 5)}
    study = ss.simulate(pop, designs, reps=20, seed=11, estimand="difference",
                        keep_estimates=True, progress=False)
    root = np.random.SeedSequence(11)
    for d, (name, design) in enumerate(designs.items()):
        sample = design.draw(pop, seed=child(child(root, 0), d))
        out = sample_estimates(sample)
        kept = study.estimates[name].query("rep == 0").set_index("method")
        for row, method in enumerate(DIFFERENCE_METHODS):
            assert kept.loc[method, "estimate"] == out[row, 0]
            if method.startswith("heterogeneity"):
                assert np.isnan(kept.loc[method, "se"])
            else:
                assert kept.loc[method, "se"] == out[row, 1]


def test_failed_replications_are_counted_not_raised():
    """x = 1 only in group 0: a ClusterSample(2) of 5 groups misses it with probability 0.6."""
    group = np.repeat(np.arange(5), 4)
    x = (group == 0).astype(float)
    y = np.random.default_rng(0).normal(size=20) + x
    pop = ss.Population(y, group, x=x)
    reps = 4000
    study = ss.simulate(pop, ss.ClusterSample(2), reps=reps, seed=5, estimand="difference",
                        progress=False)
    row = study.summary().set_index("method").loc["naive"]
    share = row.n_failed / reps
    assert_mc_close(share, 0.6, math.sqrt(0.6 * 0.4 / reps))
    assert study.failures[("ClusterSample(2)", "naive")]  # replay keys kept
    # x never varies within a group: the within and heterogeneity targets are undefined
    assert "within" not in study.methods("ClusterSample(2)")


def test_results_do_not_depend_on_n_jobs(pop):
    """Two chunks: the second runs in a worker (through KernelTask.writable)."""
    designs = {"ts": ss.TwoStage(10, 6), "srs": ss.SRS(60)}
    kwargs = dict(reps=5000, seed=8, estimand="difference", progress=False)
    serial = ss.simulate(pop, designs, n_jobs=1, **kwargs).summary()
    parallel = ss.simulate(pop, designs, n_jobs=2, backend="threading", **kwargs).summary()
    assert serial.equals(parallel)


def test_difference_without_covariate_fails_before_compute():
    with pytest.raises(ss.InvalidParameterError, match="micro covariate x"):
        ss.simulate(ss.two_level(10, 5, seed=1), ss.SRS(10), reps=10, estimand="difference")
    with pytest.raises(ss.InvalidParameterError, match="'estimand' of simulate"):
        ss.simulate(ss.two_level(10, 5, seed=1), ss.SRS(10), reps=10, estimand="median")
