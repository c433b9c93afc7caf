"""ClusterOLS (CR0-CR3, Bell-McCaffrey df, wild cluster bootstrap) and its in-loop kernels.

References: R clubSandwich 0.5.8 (tests/data/r/cluster_fixtures.R writes the CSVs)
and statsmodels' cluster covariance.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simsample as ss
from simsample._rng import as_seed_sequence, xoshiro_state
from simsample.estimands import _cluster_kernels as K
from simsample._kernels.resample import draw_wild_weights
from simsample.analysis.cluster_ols import ClusterOLS
from simsample._validation import InvalidParameterError
from tests.helpers import assert_mc_close

R_DIR = Path(__file__).resolve().parents[1] / "data" / "r"
DATA = pd.read_csv(R_DIR / "cluster_data.csv")
REFERENCE = pd.read_csv(R_DIR / "cluster_reference.csv")
CASES = sorted(REFERENCE.groupby(["dataset", "formula", "vcov"]).groups)


@pytest.mark.parametrize(("dataset", "formula", "vcov"), CASES)
def test_matches_clubsandwich(dataset, formula, vcov):
    ref = REFERENCE[(REFERENCE.dataset == dataset) & (REFERENCE.formula == formula)
                    & (REFERENCE.vcov == vcov)]
    fit = ClusterOLS.from_formula(formula, groups="g", data=DATA[DATA.dataset == dataset]).fit(
        vcov)
    assert [t.replace("Intercept", "(Intercept)") for t in fit.params.index] == list(ref.term)
    np.testing.assert_allclose(fit.params, ref.beta, rtol=1e-9)
    np.testing.assert_allclose(fit.bse, ref.se, rtol=1e-9)
    np.testing.assert_allclose(fit.df, ref.df_satterthwaite, rtol=1e-9)
    np.testing.assert_allclose(fit.pvalues, ref.p_satterthwaite, rtol=1e-8)


@pytest.mark.parametrize("dataset", sorted(DATA.dataset.unique()))
def test_cluster_covariances_equal_statsmodels(dataset):
    import statsmodels.api as sm

    d = DATA[DATA.dataset == dataset]
    X = sm.add_constant(d[["x", "z"]].to_numpy())
    G = d.g.nunique()
    ols = sm.OLS(d.y.to_numpy(), X)
    model = ClusterOLS(d.y, X, d.g)
    # statsmodels' default cluster correction is Stata's CR1S, G/(G-1) (n-1)/(n-p)
    sm_cr1s = ols.fit(cov_type="cluster", cov_kwds={"groups": d.g.to_numpy()})
    np.testing.assert_allclose(model.fit("CR1S").cov_params(), sm_cr1s.cov_params(), rtol=1e-10)
    sm_cr0 = ols.fit(cov_type="cluster", cov_kwds={"groups": d.g.to_numpy(),
                                                   "use_correction": False})
    np.testing.assert_allclose(model.fit("CR0").cov_params(), sm_cr0.cov_params(), rtol=1e-10)
    # CR1 is the G/(G-1) part alone
    np.testing.assert_allclose(model.fit("CR1").cov_params(),
                               sm_cr0.cov_params() * G / (G - 1), rtol=1e-10)
    # G - 1 df t intervals: statsmodels' use_t intervals of the same covariance
    sm_t = ols.fit(cov_type="cluster", cov_kwds={"groups": d.g.to_numpy()}, use_t=True)
    np.testing.assert_allclose(model.fit("CR1S", df="G-1").conf_int(0.9),
                               sm_t.conf_int(alpha=0.1), rtol=1e-10)


def test_results_are_consistent():
    d = DATA[DATA.dataset == "unequal12"]
    fit = ClusterOLS.from_formula("y ~ x + z", groups="g", data=d).fit("CR2")
    from scipy import stats

    table = fit.summary(0.8)
    assert list(table.columns) == ["coef", "se", "t", "df", "p", "lower", "upper"]
    q = stats.t.ppf(0.9, fit.df)
    np.testing.assert_allclose(table.lower, fit.params - q * fit.bse, rtol=1e-12)
    np.testing.assert_allclose(fit.pvalues, 2 * stats.t.sf(np.abs(fit.tvalues), fit.df),
                               rtol=1e-10)
    assert (fit.df < d.g.nunique() - 1).all()  # BM df are below G - 1 for unequal clusters
    g1 = ClusterOLS.from_formula("y ~ x + z", groups="g", data=d).fit("CR2", df="G-1")
    assert (g1.df == d.g.nunique() - 1).all()
    np.testing.assert_array_equal(g1.bse, fit.bse)


def test_bad_input_names_the_parameter():
    d = DATA[DATA.dataset == "unequal8"]
    model = ClusterOLS.from_formula("y ~ x", groups="g", data=d)
    with pytest.raises(InvalidParameterError, match="'vcov'.*'CR2'.*got 'HC1'"):
        model.fit("HC1")
    with pytest.raises(InvalidParameterError, match="at least 2 clusters; got 1"):
        ClusterOLS(d.y, np.ones((len(d), 1)), np.zeros(len(d)))
    with pytest.raises(InvalidParameterError, match="full column rank"):
        ClusterOLS(d.y, np.column_stack([np.ones(len(d)), np.ones(len(d))]), d.g)
    with pytest.raises(InvalidParameterError, match="'groups' must name a column"):
        ClusterOLS.from_formula("y ~ x", groups="cluster", data=d)
    with pytest.raises(InvalidParameterError, match="'term'.*got 'w'"):
        model.fit().wild_bootstrap("w")
    with pytest.raises(InvalidParameterError, match="'B'.*>= 19; got 5"):
        model.fit().wild_bootstrap("x", B=5)
    with pytest.raises(InvalidParameterError, match="'endog'.*finite"):
        ClusterOLS(np.r_[np.nan, d.y.to_numpy()[1:]], np.ones((len(d), 1)), d.g)


# -- wild cluster bootstrap ------------------------------------------------------------------

def _brute_force_pvalue(X, y, g, index, null, V):
    """Refit every bootstrap sample explicitly (restricted residuals, CR1 t)."""
    codes = pd.factorize(g)[0]
    M = np.linalg.inv(X.T @ X)

    def t_stat(yy, b):
        beta = M @ X.T @ yy
        e = yy - X @ beta
        scores = np.array([X[codes == j].T @ e[codes == j] for j in range(codes.max() + 1)])
        se = np.sqrt((M @ scores.T @ scores @ M)[index, index])
        return (beta[index] - b) / se

    others = np.delete(X, index, axis=1)
    target = y - X[:, index] * null
    fitted = others @ np.linalg.lstsq(others, target, rcond=None)[0]
    u = target - fitted
    t = t_stat(y, null)
    t_star = np.array([t_stat(fitted + X[:, index] * null + v[codes] * u, null) for v in V])
    return np.mean(np.abs(t_star) >= np.abs(t) * (1 - 1e-9))


@pytest.mark.parametrize("weights", ["rademacher", "webb"])
def test_wild_bootstrap_pvalue_equals_brute_force_refits(weights):
    d = DATA[DATA.dataset == "unequal12"]
    X = np.column_stack([np.ones(len(d)), d.x, d.z])
    fit = ClusterOLS(d.y, X, d.g, exog_names=["1", "x", "z"]).fit("CR1")
    for index, null in ((1, 0.0), (1, -0.4), (2, 0.3)):
        result = fit.wild_bootstrap(index, B=99, weights=weights, seed=11, null=null)
        V = np.empty((99, d.g.nunique()))
        draw_wild_weights(xoshiro_state(as_seed_sequence(11)), 99, V.shape[1],
                          weights == "webb", V)
        assert result.pvalue == pytest.approx(
            _brute_force_pvalue(X, d.y.to_numpy(), d.g.to_numpy(), index, null, V), abs=1e-12)
        assert result.statistic == pytest.approx(
            (fit.params.iloc[index] - null) / fit.bse.iloc[index], rel=1e-12)


def test_wild_bootstrap_is_reproducible_and_inverts_its_test():
    d = DATA[DATA.dataset == "clusterx10"]
    fit = ClusterOLS.from_formula("y ~ x", groups="g", data=d).fit("CR1")
    a = fit.wild_bootstrap("x", B=399, seed=3)
    b = fit.wild_bootstrap("x", B=399, seed=3)
    c = fit.wild_bootstrap("x", B=399, seed=4)
    assert (a.pvalue, a.ci) == (b.pvalue, b.ci)
    assert a.ci != c.ci
    lower, upper = a.ci
    assert lower < fit.params["x"] < upper
    width = upper - lower
    for end, outward in ((lower, -1), (upper, 1)):
        inside = fit.wild_bootstrap("x", B=399, seed=3, null=end - outward * 1e-7 * width)
        outside = fit.wild_bootstrap("x", B=399, seed=3, null=end + outward * 1e-7 * width)
        assert inside.pvalue >= 0.05 > outside.pvalue


@pytest.mark.statistical
def test_null_rejection_with_ten_clusters(global_seed):
    """G = 10 balanced clusters, x and y both cluster-correlated, true slope 0: the wild
    bootstrap (WCR, Rademacher) and CR2 with BM df hold their 5% level, CR1S with G - 1 df
    rejects too often (Cameron, Gelbach and Miller 2008, table 3; Cameron and Miller 2015)."""
    from scipy.special import stdtrit

    rng = np.random.default_rng(global_seed)
    reps, G, m = 2000, 10, 10
    start = np.arange(0, G * m + 1, m)
    size = np.full(G, float(m))
    out = np.empty(5)
    state = xoshiro_state(as_seed_sequence(global_seed))
    wild = cr1s = cr2 = 0
    for _ in range(reps):
        x = np.repeat(rng.normal(size=G), m) + rng.normal(size=G * m)
        y = np.repeat(rng.normal(size=G), m) + rng.normal(size=G * m)
        K.wild_slope(y, x, start, size, G, 10_000, 1000, state, out)
        wild += not (out[3] <= 0.0 <= out[4])
        cr1s += abs(out[0] / out[1]) > stdtrit(G - 1, 0.975)
        K.cr2_slope(y, x, start, size, G, 10_000, 1000, out)
        cr2 += abs(out[0] / out[1]) > stdtrit(out[2], 0.975)
    mcse = np.sqrt(0.05 * 0.95 / reps)
    assert_mc_close(wild / reps, 0.05, mcse)
    assert_mc_close(cr2 / reps, 0.05, mcse)
    assert abs(cr2 / reps - 0.05) < abs(cr1s / reps - 0.05)
    assert cr1s / reps > 0.05 + 4 * mcse  # liberal (9% in the reference run)


# -- in-loop kernels equal the one-sample API on drawn samples -------------------------------

def _paired_sample(seed, groups=8, per_group=6, sizes=(10, 40)):
    rng = np.random.default_rng(seed)
    pop = ss.covariate_population(n_groups=30, group_size=list(rng.integers(*sizes, size=30)),
                                  x="normal", x_group_sd=0.7, within_effect=0.4, seed=seed)
    sample = ss.TwoStage(groups, per_group).draw(pop, seed)
    return pop, sample, pop.x[sample.units]


@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), groups=st.integers(3, 12))
def test_slope_kernels_equal_cluster_ols(seed, groups):
    pop, s, x = _paired_sample(seed, groups)
    X = np.column_stack([np.ones(s.size), x])
    out = np.empty(5)
    for kernel, vcov, df in ((K.cr2_slope, "CR2", "satterthwaite"), (K.cr3_slope, "CR3", "G-1")):
        kernel(s.y, x, s.psu_start, s.psu_size, groups, pop.n_units, pop.n_groups, out)
        fit = ClusterOLS(s.y, X, s.psu).fit(vcov, df=df)
        np.testing.assert_allclose(out[:3], [fit.params.iloc[1], fit.bse.iloc[1],
                                             fit.df.iloc[1]], rtol=1e-10)


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), groups=st.integers(4, 12))
def test_wild_kernel_equals_one_sample_wild_bootstrap(seed, groups):
    pop, s, x = _paired_sample(seed, groups)
    out = np.empty(5)
    K.wild_slope(s.y, x, s.psu_start, s.psu_size, groups, pop.n_units, pop.n_groups,
                 xoshiro_state(as_seed_sequence(seed)), out)
    fit = ClusterOLS(s.y, np.column_stack([np.ones(s.size), x]), s.psu).fit("CR1S")
    result = fit.wild_bootstrap(1, B=K.WILD_DRAWS, seed=seed, level=K.WILD_LEVEL)
    assert out[0] == pytest.approx(fit.params.iloc[1], rel=1e-10)
    assert out[1] == pytest.approx(fit.bse.iloc[1], rel=1e-10)
    assert out[2] == groups - 1
    # The ends are jumps of a step function (the p-value) located by bisection to 1e-7 SE;
    # where |t*_r(b)| touches |t(b)| almost tangentially, rounding (1e-16) of the two
    # implementations moves the jump by up to ~1e-8 relative, hence 1e-6 SE, not 1e-10.
    np.testing.assert_allclose(out[3:5], result.ci, rtol=0, atol=1e-6 * fit.bse.iloc[1])


@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), groups=st.integers(2, 12))
def test_cr2_mean_kernel_equals_intercept_only_fit(seed, groups):
    pop = ss.two_level(n_groups=25, group_size=list(range(5, 30)), icc=0.3, seed=seed)
    s = ss.TwoStage(groups, 4).draw(pop, seed)
    out = np.empty(3)
    K.cr2_mean(s.y, s.psu_start, s.psu_size, groups, pop.n_units, pop.n_groups, out)
    fit = ClusterOLS.from_formula("y ~ 1", groups="g",
                                  data=pd.DataFrame({"y": s.y, "g": s.psu})).fit("CR2")
    np.testing.assert_allclose(out, [fit.params.iloc[0], fit.bse.iloc[0], fit.df.iloc[0]],
                               rtol=1e-10)


def test_cr2_mean_kernel_on_srs_form():
    pop = ss.two_level(n_groups=20, group_size=10, seed=5)
    s = ss.SRS(30).draw(pop, 6)
    out = np.empty(3)
    K.cr2_mean(s.y, np.arange(31), np.ones(30), 30, pop.n_units, pop.n_units, out)
    fit = ClusterOLS(s.y, np.ones((30, 1)), np.arange(30)).fit("CR2")
    np.testing.assert_allclose(out, [fit.params.iloc[0], fit.bse.iloc[0], fit.df.iloc[0]],
                               rtol=1e-10)
    # singleton clusters: CR2 is HC2, which for the mean is the textbook s^2/n
    assert out[1] == pytest.approx(s.y.std(ddof=1) / np.sqrt(30), rel=1e-10)


def test_the_registry_runs_these_kernels():
    from simsample.estimands import registered

    mean, difference = registered("mean"), registered("difference")
    kernels = {("mean", "jackknife"): K.jk1_ratio_mean, ("mean", "cr2_bm"): K.cr2_mean,
               ("mean", "bootstrap"): K.bootstrap_ratio_mean,
               ("difference", "cr2_bm"): K.cr2_slope, ("difference", "cr3"): K.cr3_slope,
               ("difference", "wild_bootstrap"): K.wild_slope}
    for (estimand, name), kernel in kernels.items():
        method = (mean if estimand == "mean" else difference)[name]
        assert method.kernel_for("groups") is kernel
        assert method.needs_rng == (kernel in (K.bootstrap_ratio_mean, K.wild_slope))
    assert difference["wild_bootstrap"].interval == "bounds"
    assert difference["wild_bootstrap"].level == K.WILD_LEVEL


@settings(deadline=None)
@given(a=st.floats(0.0, 1.0), d=st.floats(0.0, 1.0), r=st.floats(-1.0, 1.0),
       cr3=st.booleans())
def test_two_by_two_power_equals_eigendecomposition(a, d, r, cr3):
    b = r * np.sqrt(a * d)  # positive semi-definite, including singular and repeated roots
    values, vectors = np.linalg.eigh(np.array([[a, b], [b, d]]))
    if cr3 and values.min() <= 1e-6:
        return  # CR3 needs an invertible matrix (clubSandwich's solve() fails too)
    kept = values > K.EIGEN_TOL
    powers = np.zeros(2)
    powers[kept] = 1.0 / (values[kept] if cr3 else np.sqrt(values[kept]))
    expected = (vectors * powers) @ vectors.T
    f00, f01, f11 = K.sym2_power(a, b, d, cr3)
    scale = np.abs(expected).max() + 1.0
    np.testing.assert_allclose([f00, f01, f11], expected[[0, 0, 1], [0, 1, 1]],
                               atol=1e-9 * scale)
