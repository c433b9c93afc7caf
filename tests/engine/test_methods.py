"""Methods as plug-ins: user kernels compiled into the loop, on exactly the built-in samples.

The kernels below are written here, outside the package, as a user would: plain numba
functions of the form ``kernel(y, start, size, k, n_units, n_groups, out)`` (mean) and
``kernel(y, x, start, size, k, n_units, n_groups, out)`` (difference), with a random
stream before ``out`` for bootstrap-type methods.
"""

import numba
import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample._kernels.rng import uniform_int


@numba.njit(cache=True)
def group_means_srs_of_groups(y, start, size, k, n_units, n_groups, out):
    """Mean of the k sampled group means; variance (1 - k/G) s_b^2 / k, k - 1 df.

    Unbiased for the population mean and its variance when the groups are an
    SRS of k of G groups of equal size taken whole (or units drawn by SRS:
    groups of one unit), so its t interval should cover at about the nominal rate.
    """
    total = 0.0
    for a in range(k):
        s = 0.0
        for i in range(start[a], start[a + 1]):
            s += y[i]
        total += s / (start[a + 1] - start[a])
    mean = total / k
    ss = 0.0
    for a in range(k):
        s = 0.0
        for i in range(start[a], start[a + 1]):
            s += y[i]
        d = s / (start[a + 1] - start[a]) - mean
        ss += d * d
    out[0] = mean
    out[1] = np.sqrt((1.0 - k / n_groups) * ss / (k - 1) / k)
    out[2] = k - 1.0


@numba.njit(cache=True)
def half_variance(y, start, size, k, n_units, n_groups, out):
    """The sample mean with half the textbook variance: an interval that must under-cover."""
    n = start[k]
    mean = y[:n].mean()
    ss = ((y[:n] - mean) ** 2).sum()
    out[0] = mean
    out[1] = np.sqrt(0.5 * ss / (n - 1) / n)
    out[2] = n - 1.0


@numba.njit(cache=True)
def bootstrap_groups(y, start, size, k, n_units, n_groups, state, out):
    """Resampled group means (100 bootstrap draws of the k groups): the percentile interval."""
    means = np.empty(k)
    for a in range(k):
        means[a] = y[start[a]:start[a + 1]].mean()
    draws = np.empty(100)
    for b in range(100):
        s = 0.0
        for _ in range(k):
            s += means[uniform_int(state, k)]
        draws[b] = s / k
    draws.sort()
    out[0] = means.mean()
    out[1] = draws.std()
    out[3] = draws[2]
    out[4] = draws[97]


@numba.njit(cache=True)
def ols_slope(y, x, start, size, k, n_units, n_groups, out):
    """Slope of y on x ignoring groups, classical SE, n - 2 df (the built-in ``naive``)."""
    n = y.size
    mx = x.mean()
    my = y.mean()
    sxx = ((x - mx) ** 2).sum()
    slope = ((x - mx) * (y - my)).sum() / sxx
    resid = y - my - slope * (x - mx)
    out[0] = slope
    out[1] = np.sqrt((resid ** 2).sum() / (n - 2) / sxx)
    out[2] = n - 2.0


GROUP_MEANS = ss.Method("group means", group_means_srs_of_groups)
HALF = ss.Method("half variance", half_variance)
BOOT = ss.Method("group bootstrap", bootstrap_groups, interval="bounds", needs_rng=True)
DESIGNS = {"two-stage": ss.TwoStage(8, 5), "cluster": ss.ClusterSample(8), "SRS": ss.SRS(40)}


@pytest.fixture(scope="module")
def equal():
    return ss.two_level(n_groups=40, group_size=10, icc=0.3, seed=5)


def _summary(result, design, method):
    table = result.summary()
    return table[(table["design"] == design) & (table["method"] == method)].iloc[0]


def test_a_user_method_sees_exactly_the_built_in_samples(equal):
    result = ss.simulate(equal, DESIGNS, 3000, seed=4, keep_estimates=True,
                         methods=["naive_t", "cluster_t", GROUP_MEANS])
    for design in DESIGNS:
        kept = result.estimates[design]
        mine = kept[kept["method"] == "group means"]["estimate"].to_numpy()
        builtin = kept[kept["method"] == "cluster_t"]["estimate"].to_numpy()
        assert mine.size == builtin.size == 3000
        # equal group sizes: the mean of group means is the built-in estimate, sample by sample
        np.testing.assert_allclose(mine, builtin, rtol=1e-13, atol=1e-13)
        row = _summary(result, design, "group means")
        assert row["estimator"] == "group means" and row["target"] == "population mean"
        assert row["truth"] == equal.mean and row["reps"] == 3000


@pytest.mark.statistical
@pytest.mark.parametrize("design", ["cluster", "SRS"])
def test_an_unbiased_user_variance_gives_nominal_coverage(design, global_seed):
    """(1 - k/G) s_b^2 / k is unbiased for whole groups and for SRS (groups of one unit)."""
    pop = ss.two_level(n_groups=200, group_size=20, icc=0.2, seed=7)
    d = {"cluster": ss.ClusterSample(25), "SRS": ss.SRS(60)}[design]
    result = ss.simulate(pop, {design: d}, 40_000, seed=global_seed,
                         methods=[GROUP_MEANS, HALF, "naive_t"])
    row = _summary(result, design, "group means")
    assert abs(row["coverage"] - 0.95) <= 4 * row["coverage_mcse"], row["coverage"]
    # the same machinery reports a wrong variance as wrong: half the variance under-covers
    half, naive = _summary(result, design, "half variance"), _summary(result, design, "naive_t")
    assert half["coverage"] < min(0.95, naive["coverage"]) - 10 * half["coverage_mcse"]
    assert half["se_calibration"] == pytest.approx(np.sqrt(0.5) * naive["se_calibration"],
                                                   rel=1e-12)


def test_adding_or_removing_methods_leaves_the_others_bit_identical(equal):
    pop = ss.two_level(n_groups=40, group_size=[8, 12] * 20, icc=0.3, seed=6)
    designs = {"two-stage": ss.TwoStage(8, 5), "PPS": ss.PPS(6, 4), "SRS": ss.SRS(30)}
    alone = ss.simulate(pop, designs, 5000, seed=11).summary()
    mixed = ss.simulate(pop, designs, 5000, seed=11,
                        methods=[GROUP_MEANS, "naive_t", BOOT, "cluster_t"]).summary()
    only = ss.simulate(pop, designs, 5000, seed=11, methods=["cluster_t"]).summary()
    numbers = alone.select_dtypes("number").columns
    for design in designs:
        for method in ("naive_t", "cluster_t"):
            a = alone[(alone.design == design) & (alone.method == method)][numbers]
            b = mixed[(mixed.design == design) & (mixed.method == method)][numbers]
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                          check_exact=True)
        a = alone[(alone.design == design) & (alone.method == "cluster_t")][numbers]
        c = only[only.design == design][numbers]
        pd.testing.assert_frame_equal(a.reset_index(drop=True), c.reset_index(drop=True),
                                      check_exact=True)
    # and the summary lists the methods in the order asked for
    assert list(mixed[mixed.design == "SRS"]["method"]) == [
        "group means", "naive_t", "group bootstrap", "cluster_t"]


def test_random_methods_have_their_own_reproducible_stream(equal):
    designs = {"cluster": ss.ClusterSample(8)}
    one = ss.simulate(equal, designs, 9000, seed=3, methods=[BOOT])
    again = ss.simulate(equal, designs, 9000, seed=3, methods=[BOOT, GROUP_MEANS], n_jobs=2)
    other = ss.simulate(equal, designs, 9000, seed=3,
                        methods=[ss.Method("bootstrap 2", bootstrap_groups, interval="bounds",
                                           needs_rng=True)])
    a, b, c = (_summary(r, "cluster", m) for r, m in
               ((one, "group bootstrap"), (again, "group bootstrap"), (other, "bootstrap 2")))
    assert a["mean_width"] == b["mean_width"] and a["coverage"] == b["coverage"]
    # the stream is addressed by the method's name: another name, other resamples, same samples
    assert a["mean_width"] != c["mean_width"] and a["bias"] == c["bias"]
    assert 0.80 < a["coverage"] < 0.97  # a percentile interval of 8 groups: somewhat liberal


def test_a_paired_user_method_runs_in_the_difference_estimand():
    pop = ss.scenarios.under_conservative(seed=2)
    mine = ss.Method("my slope", ols_slope, estimand="difference")
    result = ss.simulate(pop, {"two": ss.TwoStage(10, 8), "SRS": ss.SRS(80)}, 2000, seed=9,
                         estimand="difference", methods=["naive", mine], keep_estimates=True)
    for design in ("two", "SRS"):
        kept = result.estimates[design]
        np.testing.assert_allclose(kept[kept.method == "my slope"]["estimate"].to_numpy(),
                                   kept[kept.method == "naive"]["estimate"].to_numpy(),
                                   rtol=1e-10)
        np.testing.assert_allclose(kept[kept.method == "my slope"]["se"].to_numpy(),
                                   kept[kept.method == "naive"]["se"].to_numpy(), rtol=1e-10)
        assert _summary(result, design, "my slope")["truth"] == pop.delta


def test_one_sample_estimate_runs_the_same_user_kernel(equal):
    result = ss.simulate(equal, {"t": ss.TwoStage(8, 5)}, 1, seed=8, keep_estimates=True,
                         methods=[GROUP_MEANS, "cluster_t"])
    from simsample._rng import as_seed_sequence, chunk_states

    state = chunk_states(as_seed_sequence(8), 0, 1)[0]
    sample = ss.TwoStage(8, 5).replay(equal, state, 0)
    table = sample.estimate(methods=[GROUP_MEANS, "cluster_t"])
    kept = result.estimates["t"]
    np.testing.assert_array_equal(table["estimate"].to_numpy(), kept["estimate"].to_numpy())
    np.testing.assert_array_equal(table["se"].to_numpy(), kept["se"].to_numpy())


def test_methods_are_validated_before_any_compute(equal):
    with pytest.raises(ValueError, match="unknown method 'nope' for estimand 'mean'"):
        ss.simulate(equal, ss.SRS(10), 10, methods=["nope"])
    with pytest.raises(ValueError, match="must not name a method twice"):
        ss.simulate(equal, ss.SRS(10), 10, methods=["naive_t", "naive_t"])
    with pytest.raises(TypeError, match="numba-compiled function"):
        ss.Method("plain", lambda y: y)
    with pytest.raises(ValueError, match="taken by a built-in method"):
        ss.simulate(equal, ss.SRS(10), 10, methods=[ss.Method("naive_t", half_variance)])
    with pytest.raises(ValueError, match="is for estimand 'mean', not 'difference'"):
        ss.simulate(ss.scenarios.simpson(), ss.SRS(50), 10, estimand="difference",
                    methods=[GROUP_MEANS])
    with pytest.raises(ValueError, match="'strata' sample form, for which methods"):
        ss.simulate(equal, ss.Stratified(80), 10, methods=[GROUP_MEANS])
    # an alias reports under the name asked for
    table = ss.simulate(equal, ss.SRS(10), 100, seed=1, methods=["design_t"]).summary()
    assert list(table["method"]) == ["design_t"]
