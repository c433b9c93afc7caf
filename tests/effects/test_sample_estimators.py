"""Per-sample estimators of the difference estimand against independent implementations.

Every check calls ``simsample.estimands.one_sample.sample_estimates``, i.e. exactly the
compiled kernel the Monte Carlo loop runs, on one drawn sample, and compares
it with scipy, statsmodels or a hand-written numpy computation on the sampled
units (read through the public ``Population`` / ``Sample`` attributes).
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import simsample as ss
from simsample.estimands.difference import DIFFERENCE_METHODS
from simsample.estimands.one_sample import sample_estimates

RTOL = 1e-9
ROW = {name: i for i, name in enumerate(DIFFERENCE_METHODS)}


def _shuffled(pop, seed):
    """The same population rebuilt through the public constructor, units in random order."""
    order = np.random.default_rng(seed).permutation(pop.n_units)
    labels = np.array([f"g{c:03d}" for c in pop.codes])
    return ss.Population(pop.y[order], labels[order], x=pop.x[order], X=pop.X)


def _binary_pop(seed=3):
    return _shuffled(ss.covariate_population(
        30, 12, x="binary", x_mean=0.4, x_group_sd=1.0, within_effect=0.7,
        contextual_effect=-1.5, slope_sd=0.4, X="independent", X_effect=0.5, exact=False,
        seed=seed), seed)


def _normal_pop(seed=4, sizes=None):
    sizes = sizes if sizes is not None else 15
    return _shuffled(ss.covariate_population(
        25, sizes, x="normal", x_mean=1.0, x_group_sd=0.8, x_sd=1.2, within_effect=0.3,
        contextual_effect=-0.9, slope_sd=0.2, X="group_mean", exact=False, seed=seed), seed)


def _frame(sample):
    pop = sample.population
    units = sample.units
    return pd.DataFrame({"y": pop.y[units], "x": pop.x[units], "g": pop.codes[units]})


def _cluster_fit(y, design, groups):
    return sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups})


DESIGNS = [ss.SRS(60), ss.TwoStage(8, 6), ss.ClusterSample(6)]


@pytest.mark.parametrize("design", DESIGNS, ids=str)
@pytest.mark.parametrize("make_pop", [_binary_pop, _normal_pop], ids=["binary", "normal"])
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_naive_and_cluster_robust_match_scipy_and_statsmodels(design, make_pop, seed):
    sample = design.draw(make_pop(), seed=seed)
    f = _frame(sample)
    out = sample_estimates(sample)
    X = sm.add_constant(f.x.to_numpy())
    ols = sm.OLS(f.y.to_numpy(), X).fit()
    clustered = _cluster_fit(f.y.to_numpy(), X, f.g.to_numpy())
    assert out[ROW["naive"], 0] == pytest.approx(ols.params[1], rel=RTOL)
    assert out[ROW["naive"], 1] == pytest.approx(ols.bse[1], rel=RTOL)
    assert out[ROW["naive"], 2] == len(f) - 2
    assert out[ROW["cluster_robust"], 0] == pytest.approx(clustered.params[1], rel=RTOL)
    assert out[ROW["cluster_robust"], 1] == pytest.approx(clustered.bse[1], rel=RTOL)
    assert out[ROW["cluster_robust"], 2] == f.g.nunique() - 1
    if make_pop is _binary_pop:  # the pooled two-sample t test: the same SE
        y1, y0 = f.y[f.x == 1], f.y[f.x == 0]
        t = stats.ttest_ind(y1, y0, equal_var=True).statistic
        assert out[ROW["naive"], 0] == pytest.approx(y1.mean() - y0.mean(), rel=RTOL)
        assert out[ROW["naive"], 1] == pytest.approx((y1.mean() - y0.mean()) / t, rel=RTOL)


@pytest.mark.parametrize("design", DESIGNS, ids=str)
@pytest.mark.parametrize("make_pop", [_binary_pop, _normal_pop], ids=["binary", "normal"])
@pytest.mark.parametrize("seed", [21, 22, 23])
def test_within_is_the_dummy_variable_regression(design, make_pop, seed):
    sample = design.draw(make_pop(), seed=seed)
    f = _frame(sample)
    out = sample_estimates(sample)
    dummies = pd.get_dummies(f.g).to_numpy(dtype=float)
    lsdv = np.linalg.lstsq(np.column_stack([f.x, dummies]), f.y, rcond=None)[0]
    assert out[ROW["within"], 0] == pytest.approx(lsdv[0], rel=RTOL)
    # SE: statsmodels' CR1 on the demeaned data of the groups in which x varies
    centred = f.assign(xd=f.x - f.groupby("g").x.transform("mean"),
                       yd=f.y - f.groupby("g").y.transform("mean"))
    informative = centred[centred.groupby("g").xd.transform(lambda v: (v * v).sum()) > 0]
    fit = _cluster_fit(informative.yd.to_numpy(), informative.xd.to_numpy()[:, None],
                       informative.g.to_numpy())
    assert out[ROW["within"], 0] == pytest.approx(fit.params[0], rel=RTOL)
    assert out[ROW["within"], 1] == pytest.approx(fit.bse[0], rel=RTOL)
    assert out[ROW["within"], 2] == informative.g.nunique() - 1


@pytest.mark.parametrize("seed", [31, 32])
def test_within_se_relates_to_the_lsdv_cluster_se_by_the_count_of_absorbed_means(seed):
    """statsmodels' LSDV fit counts the k group means in (n - 1)/(n - p); ours does not."""
    sample = ss.TwoStage(8, 6).draw(_normal_pop(), seed=seed)  # x varies in every group
    f = _frame(sample)
    out = sample_estimates(sample)
    dummies = pd.get_dummies(f.g).to_numpy(dtype=float)
    fit = _cluster_fit(f.y.to_numpy(), np.column_stack([f.x, dummies]), f.g.to_numpy())
    n, k = len(f), f.g.nunique()
    assert fit.params[0] == pytest.approx(out[ROW["within"], 0], rel=RTOL)
    assert fit.bse[0] == pytest.approx(out[ROW["within"], 1] * np.sqrt((n - 1) / (n - k - 1)),
                                       rel=RTOL)


@pytest.mark.parametrize("design", DESIGNS, ids=str)
@pytest.mark.parametrize("make_pop", [_binary_pop, _normal_pop], ids=["binary", "normal"])
@pytest.mark.parametrize("seed", [41, 42])
def test_between_macro_and_contextual_match_statsmodels(design, make_pop, seed):
    pop = make_pop()
    sample = design.draw(pop, seed=seed)
    f = _frame(sample)
    out = sample_estimates(sample)
    means = f.groupby("g")[["x", "y"]].mean()
    between = sm.OLS(means.y.to_numpy(), sm.add_constant(means.x.to_numpy())).fit()
    assert out[ROW["between"], 0] == pytest.approx(between.params[1], rel=RTOL)
    assert out[ROW["between"], 1] == pytest.approx(between.bse[1], rel=RTOL)
    assert out[ROW["between"], 2] == len(means) - 2
    macro = sm.OLS(means.y.to_numpy(), sm.add_constant(pop.X[means.index.to_numpy()])).fit()
    assert out[ROW["macro"], 0] == pytest.approx(macro.params[1], rel=RTOL)
    assert out[ROW["macro"], 1] == pytest.approx(macro.bse[1], rel=RTOL)
    group_mean = f.groupby("g").x.transform("mean").to_numpy()
    design_matrix = np.column_stack([np.ones(len(f)), f.x - group_mean, group_mean])
    fit = _cluster_fit(f.y.to_numpy(), design_matrix, f.g.to_numpy())
    contrast = np.array([0.0, -1.0, 1.0])
    assert out[ROW["contextual"], 0] == pytest.approx(contrast @ fit.params, rel=RTOL)
    assert out[ROW["contextual"], 1] == pytest.approx(
        np.sqrt(contrast @ fit.cov_params() @ contrast), rel=RTOL)
    assert out[ROW["contextual"], 2] == f.g.nunique() - 1


def _heterogeneity_reference(sample):
    """var(b_a) - mean(v_a), v_a = s_a^2 (1/sxx_a - 1/SXX_a), written from the definition."""
    pop = sample.population
    census = pd.DataFrame({"x": pop.x, "g": pop.codes})
    SXX = census.groupby("g").x.agg(lambda v: ((v - v.mean()) ** 2).sum())
    M = census.groupby("g").size()
    slopes, noise = [], []
    for g, part in _frame(sample).groupby("g"):
        sxx = ((part.x - part.x.mean()) ** 2).sum()
        whole = len(part) == M[g]
        if sxx == 0 or (len(part) < 3 and not whole):
            continue
        b, a = np.polyfit(part.x, part.y, 1)
        rss = ((part.y - a - b * part.x) ** 2).sum()
        slopes.append(b)
        noise.append(0.0 if whole else rss / (len(part) - 2) * (1 / sxx - 1 / SXX[g]))
    if len(slopes) < 2:
        return np.nan
    return np.var(slopes, ddof=1) - np.mean(noise)


@pytest.mark.parametrize("design", DESIGNS, ids=str)
@pytest.mark.parametrize("make_pop", [_binary_pop, _normal_pop], ids=["binary", "normal"])
@pytest.mark.parametrize("seed", [51, 52])
def test_heterogeneity_matches_the_definition(design, make_pop, seed):
    sample = design.draw(make_pop(), seed=seed)
    out = sample_estimates(sample)
    expected = _heterogeneity_reference(sample)
    assert out[ROW["heterogeneity"], 0] == pytest.approx(expected, rel=1e-7, abs=1e-12)
    assert out[ROW["heterogeneity_sd"], 0] == pytest.approx(np.sqrt(max(expected, 0.0)),
                                                            rel=1e-7, abs=1e-12)
    assert np.isnan(out[ROW["heterogeneity"], 1])


def test_whole_groups_make_the_heterogeneity_estimate_the_variance_of_their_census_slopes():
    pop = _normal_pop(sizes=list(range(6, 31)))  # unequal group sizes
    sample = ss.ClusterSample(7).draw(pop, seed=5)
    out = sample_estimates(sample)
    census = pop.group_deltas[np.unique(pop.codes[sample.units])]
    assert out[ROW["heterogeneity"], 0] == pytest.approx(census.var(ddof=1), rel=1e-9)


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 12), m=st.integers(1, 5))
def test_estimates_are_finite_or_nan_never_an_error(seed, k, m):
    """Whatever the sample (no x variation, one unit per group, two groups), no crash."""
    pop = ss.covariate_population(12, 5, x="binary", x_mean=0.2, x_group_sd=3.0, seed=7)
    out = sample_estimates(ss.TwoStage(k, m).draw(pop, seed=seed))
    assert out.shape == (len(DIFFERENCE_METHODS), 3)
    finite_se = np.isfinite(out[:, 1])
    assert (out[finite_se, 1] >= 0).all()
    if m == 1:  # no variation in x within any group: within effect not estimable
        assert np.isnan(out[ROW["within"], 0]) or not np.isfinite(out[ROW["within"], 1])
        assert np.isnan(out[ROW["heterogeneity"], 0])


def test_failures_are_nan_for_samples_without_variation_in_x():
    pop = ss.Population(y=np.arange(12.0), group=np.repeat([0, 1, 2], 4),
                        x=np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1.0]))
    seen = set()
    for seed in range(40):
        sample = ss.ClusterSample(2).draw(pop, seed=seed)
        out = sample_estimates(sample)
        groups = frozenset(np.unique(pop.codes[sample.units]).tolist())
        seen.add(groups)
        if groups == {0, 1}:  # every x = 0: no slope of any kind
            assert np.isnan(out[[ROW["naive"], ROW["within"], ROW["between"]], 0]).all()
        else:  # x constant within each group: no within effect; two groups: no between SE
            assert np.isnan(out[ROW["within"], 0])
            assert out[ROW["between"], 2] == 0 and np.isnan(out[ROW["between"], 1])
            other = min(groups)  # group means 1.5, 5.5 and 9.5; only group 2 has x = 1
            assert out[ROW["naive"], 0] == pytest.approx(9.5 - (1.5 + 4.0 * other))
        assert np.isnan(out[ROW["heterogeneity"], 0])
    assert seen == {frozenset({0, 1}), frozenset({0, 2}), frozenset({1, 2})}


def test_sample_estimate_reports_targets_and_t_intervals():
    pop = _normal_pop()
    sample = ss.TwoStage(8, 6).draw(pop, seed=3)
    table = sample.estimate(level=0.9, estimand="difference")
    assert list(table.method) == list(DIFFERENCE_METHODS)
    row = table.set_index("method").loc["cluster_robust"]
    half = stats.t.ppf(0.95, row.df) * row.se
    assert row.lower == pytest.approx(row.estimate - half, rel=1e-12)
    assert row.upper == pytest.approx(row.estimate + half, rel=1e-12)
    assert row.truth == pytest.approx(pop.delta) and row.target == "population delta"
    assert table.set_index("method").loc["heterogeneity", ["lower", "upper"]].isna().all()


def test_difference_needs_a_covariate():
    sample = ss.SRS(10).draw(ss.two_level(5, 4, seed=1), seed=1)
    with pytest.raises(ss.InvalidParameterError, match="micro covariate x"):
        sample.estimate(estimand="difference")
    with pytest.raises(ss.InvalidParameterError, match="estimand"):
        sample.estimate(estimand="ratio")
