"""The icc estimand: ANOVA and REML estimators of the intraclass correlation.

Kernels against direct numpy/scipy computation and MixedLM on drawn samples, the
census identity (the ANOVA kernel on every unit of the population is ``pop.icc``),
the engine's contract (targets, refused designs and levels), and the F interval's
coverage in the loop.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import simsample as ss
from simsample.analysis.mixed import MixedLM
from simsample.estimands import _icc_kernels as K
from simsample.estimands import registered

POP_UNEQUAL = ss.two_level(n_groups=30, group_size=np.arange(4, 34), icc=0.3, seed=2)
POP_EQUAL = ss.two_level(n_groups=40, group_size=12, icc=0.15, seed=3)


def _reference(y, start):
    """ANOVA icc, n0 and the F interval at 95% by scipy."""
    k, n = start.size - 1, y.size
    groups = [y[start[a]:start[a + 1]] for a in range(k)]
    sizes = np.array([g.size for g in groups], dtype=float)
    means = np.array([g.mean() for g in groups])
    msb = (sizes * (means - y.mean()) ** 2).sum() / (k - 1)
    msw = sum(((g - g.mean()) ** 2).sum() for g in groups) / (n - k)
    n0 = (n - (sizes ** 2).sum() / n) / (k - 1)
    rho = (msb - msw) / (msb + (n0 - 1) * msw)
    f = msb / msw
    lo = f / stats.f.ppf(0.975, k - 1, n - k)
    hi = f / stats.f.ppf(0.025, k - 1, n - k)
    return rho, (lo - 1) / (lo + n0 - 1), (hi - 1) / (hi + n0 - 1), msb, msw


def test_f_quantile_equals_scipy():
    for d1, d2 in [(1, 1), (1, 30), (3, 12), (9, 90), (39, 360), (4, 5000), (200, 7)]:
        for p in (0.001, 0.025, 0.5, 0.975, 0.999):
            assert K.f_quantile(p, float(d1), float(d2)) == pytest.approx(
                stats.f.ppf(p, d1, d2), rel=1e-10)


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**32 - 1),
       case=st.sampled_from([(POP_EQUAL, ss.TwoStage(6, 5)), (POP_EQUAL, ss.TwoStage(2, 3)),
                             (POP_UNEQUAL, ss.ClusterSample(5)),
                             (POP_UNEQUAL, ss.TwoStage(8, 3))]))
def test_kernels_equal_direct_computation_and_mixedlm(seed, case):
    pop, design = case
    y, start, size, k, n_units, n_groups = design.draw(pop, seed).form
    rho, lower, upper, msb, msw = _reference(y, start)
    out = np.full(6, -7.0)
    registered("icc")["anova_icc"].kernel(y, start, size, k, n_units, n_groups, out)
    assert out[0] == pytest.approx(rho, rel=1e-10, abs=1e-12)
    assert out[3] == pytest.approx(lower, rel=1e-9, abs=1e-12)
    assert out[4] == pytest.approx(upper, rel=1e-9, abs=1e-12)
    assert out[3] < out[0] < out[4] and out[2] == k - 1 and out[5] == 0.0

    g = np.repeat(np.arange(k), np.diff(start))
    fit = MixedLM(y, np.ones((y.size, 1)), g).fit(reml=True)
    tau2 = fit.cov_re.iloc[0, 0]
    reml = np.full(6, -7.0)
    registered("icc")["reml_icc"].kernel(y, start, size, k, n_units, n_groups, reml)
    assert reml[0] == pytest.approx(tau2 / (tau2 + fit.scale), rel=1e-8, abs=1e-12)
    assert reml[5] == float(fit.singular)
    if np.all(np.diff(start) == start[1]):  # balanced: REML is ANOVA floored at 0
        if msb > msw * (1 + 1e-6):
            assert reml[0] == pytest.approx(rho, rel=1e-8) and reml[5] == 0.0
        elif msb < msw * (1 - 1e-6):
            assert reml[0] == pytest.approx(0.0, abs=1e-10) and reml[5] == 1.0


def test_anova_kernel_on_the_census_is_the_population_icc():
    for pop in (POP_EQUAL, POP_UNEQUAL):
        start = pop.offsets.astype(np.int64)
        out = np.full(6, np.nan)
        K.anova_icc_groups(pop.stored_y, start, pop.group_sizes.astype(float), pop.n_groups,
                           pop.n_units, pop.n_groups, out)
        assert out[0] == pytest.approx(pop.icc, rel=1e-12)


def test_degenerate_samples_are_failed_replications():
    out = np.full(6, -7.0)
    one_each = np.arange(4, dtype=np.int64)            # groups of one unit: no MSW df
    K.anova_icc_groups(np.array([1.0, 2.0, 3.0]), one_each, np.ones(3), 3, 30, 10, out)
    assert np.isnan(out[:5]).all()
    same = np.array([1.0, 1.0, 2.0, 2.0])              # MSW = 0
    K.anova_icc_groups(same, np.array([0, 2, 4]), np.ones(2), 2, 30, 10, out)
    assert np.isnan(out[0])
    K.reml_icc_groups(same[:2], np.array([0, 2]), np.ones(1), 1, 30, 10, out)
    assert np.isnan(out[0])


def test_estimand_contract():
    study = ss.simulate(POP_UNEQUAL, {"cs": ss.ClusterSample(5)}, reps=200, seed=1,
                        estimand="icc", progress=False)
    t = study.summary().set_index("method")
    assert list(t.index) == ["anova_icc", "reml_icc"]
    assert (t["target"] == "population icc").all()
    assert (t["truth"] == POP_UNEQUAL.icc).all()
    assert np.isnan(t.loc["anova_icc", "singular_rate"])
    assert 0.0 <= t.loc["reml_icc", "singular_rate"] < 1.0
    assert np.isnan(t.loc["reml_icc", "coverage"])
    with pytest.raises(ValueError, match="estimand 'icc' needs a cluster design"):
        ss.simulate(POP_EQUAL, {"srs": ss.SRS(50)}, reps=10, seed=1, estimand="icc")
    with pytest.raises(ValueError, match="level"):
        ss.simulate(POP_EQUAL, {"ts": ss.TwoStage(5, 5)}, reps=10, seed=1, estimand="icc",
                    level=0.9)


@pytest.mark.statistical
def test_f_interval_covers_and_singular_share_matches_theory(global_seed):
    """Many groups (2,000 x 20), so the sampled groups act as draws from the model."""
    pop = ss.two_level(n_groups=2000, group_size=20, icc=0.2, seed=9)
    study = ss.simulate(pop, {"cs": ss.ClusterSample(8), "ts": ss.TwoStage(10, 10)},
                        reps=8000, seed=global_seed, estimand="icc", progress=False)
    t = study.summary().set_index(["design", "method"])
    for design in ("cs", "ts"):
        row = t.loc[(design, "anova_icc")]
        assert row["n_failed"] == 0
        assert abs(row["coverage"] - 0.95) <= 4 * row["coverage_mcse"], row
    # P(tau^2 = 0) = P(F(k-1, k(m-1)) <= (1-rho)/(1-rho+m rho)) for k = 10, m = 10
    rho = pop.icc
    theory = stats.f.cdf((1 - rho) / (1 - rho + 10 * rho), 9, 90)
    row = t.loc[("ts", "reml_icc")]
    assert abs(row["singular_rate"] - theory) <= 4 * row["singular_rate_mcse"], (row, theory)


@pytest.mark.statistical
@pytest.mark.parametrize("design", [ss.ClusterSample(10), ss.TwoStage(12, 5)])
def test_anova_components_are_unbiased_for_the_populations_own(design, global_seed):
    """Equal groups: E[MSW] = S2^2 and E[(MSB - MSW)/m] = S1^2 - S2^2/M, exactly."""
    pop = ss.two_level(n_groups=60, group_size=10, icc=0.3, seed=4)
    table = ss.simulate(pop, {"d": design}, 8000, seed=global_seed, estimand="icc",
                        methods=["anova_between", "anova_within", "reml_between"]).summary()
    rows = table.set_index("method")
    assert rows.loc["anova_within", "truth"] == pytest.approx(pop.within_variance, rel=1e-12)
    assert rows.loc["anova_between", "truth"] == pytest.approx(
        pop.between_variance - pop.within_variance / 10, rel=1e-12)
    for method in ("anova_between", "anova_within"):
        assert abs(rows.loc[method, "bias"]) <= 4 * rows.loc[method, "bias_mcse"], method
    assert rows.loc["reml_between", "target"] == "population between variance"
    assert 0.0 <= rows.loc["reml_between", "singular_rate"] < 0.2


def test_a_superpopulation_names_the_model_components():
    model = ss.Superpopulation(ss.two_level, n_groups=30, group_size=10, icc=0.25, total_var=2.0)
    table = ss.simulate(model, {"d": ss.ClusterSample(8)}, 100, seed=1, estimand="icc",
                        methods=["anova_between", "anova_within"], progress=False).summary()
    model_rows = table[table.target.str.startswith("model")].set_index("target")
    assert model_rows.loc["model between variance", "truth"] == pytest.approx(0.5)
    assert model_rows.loc["model within variance", "truth"] == pytest.approx(1.5)
