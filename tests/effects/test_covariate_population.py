"""Populations with covariates: storage, census effects and the generator."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simsample as ss


def _random_population(seed=0, binary=True):
    """A population built through the public constructor, with shuffled units and string labels."""
    rng = np.random.default_rng(seed)
    G = 12
    sizes = rng.integers(4, 15, G)
    codes = np.repeat(np.arange(G), sizes)
    x = (rng.random(codes.size) < rng.uniform(0.1, 0.9, G)[codes]).astype(float)
    if not binary:
        x = rng.normal(rng.normal(0, 1, G)[codes], 1.0)
    y = rng.normal(0, 1, G)[codes] + rng.normal(0.5, 0.4, G)[codes] * x + rng.normal(size=x.size)
    X = rng.normal(size=G)
    order = rng.permutation(codes.size)
    labels = np.array([f"s{c:02d}" for c in codes])
    pop = ss.Population(y[order], labels[order], x=x[order], X=X)
    return pop, y[order], x[order], labels[order], X


def test_covariates_are_kept_in_the_callers_order_and_read_only():
    pop, y, x, labels, X = _random_population()
    np.testing.assert_array_equal(pop.x, x)
    np.testing.assert_array_equal(pop.y, y)
    np.testing.assert_array_equal(pop.X, X)
    assert pop.has_x and not ss.two_level(3, 3, seed=1).has_x
    assert ss.two_level(3, 3, seed=1).x is None and ss.two_level(3, 3, seed=1).X is None
    with pytest.raises(ValueError):
        pop.x[0] = 5.0
    with pytest.raises(ValueError):
        pop.X[0] = 5.0


@pytest.mark.parametrize("binary", [True, False])
def test_census_effects_match_independent_computations(binary):
    pop, y, x, labels, X = _random_population(seed=3, binary=binary)
    f = pd.DataFrame({"y": y, "x": x, "g": labels})
    if binary:
        assert pop.x_is_binary
        assert pop.delta == pytest.approx(f.y[f.x == 1].mean() - f.y[f.x == 0].mean(), rel=1e-12)
        by_group = f.groupby("g").apply(
            lambda d: d.y[d.x == 1].mean() - d.y[d.x == 0].mean(), include_groups=False)
    else:
        assert not pop.x_is_binary
        assert pop.delta == pytest.approx(np.polyfit(f.x, f.y, 1)[0], rel=1e-12)
        by_group = f.groupby("g").apply(lambda d: np.polyfit(d.x, d.y, 1)[0],
                                        include_groups=False)
    np.testing.assert_allclose(pop.group_deltas, by_group.to_numpy(), rtol=1e-10)
    dummies = pd.get_dummies(f.g).to_numpy(dtype=float)
    lsdv = np.linalg.lstsq(np.column_stack([f.x, dummies]), f.y, rcond=None)[0][0]
    assert pop.within_effect == pytest.approx(lsdv, rel=1e-10)
    means = f.groupby("g")[["x", "y"]].mean()
    np.testing.assert_allclose(pop.group_x_means, means.x.to_numpy(), rtol=1e-12)
    assert pop.between_effect == pytest.approx(np.polyfit(means.x, means.y, 1)[0], rel=1e-10)
    assert pop.contextual_effect == pytest.approx(pop.between_effect - pop.within_effect)
    finite = by_group.dropna().to_numpy()
    assert pop.slope_variance == pytest.approx(finite.var(ddof=1), rel=1e-10)
    assert pop.slope_sd == pytest.approx(finite.std(ddof=1), rel=1e-10)
    assert pop.macro_effect == pytest.approx(np.polyfit(X, means.y, 1)[0], rel=1e-10)


def test_group_deltas_are_nan_where_x_is_constant_in_a_group():
    pop = ss.Population(y=[1.0, 2.0, 3.0, 5.0, 4.0, 4.0], group=[0, 0, 1, 1, 2, 2],
                        x=[0, 1, 1, 1, 0, 1])
    np.testing.assert_array_equal(np.isnan(pop.group_deltas), [False, True, False])
    assert pop.group_deltas[0] == 1.0 and pop.group_deltas[2] == 0.0
    assert pop.within_effect == pytest.approx(0.5)
    assert pop.slope_variance == pytest.approx(0.5)


@settings(max_examples=20)
@given(seed=st.integers(0, 2**32 - 1))
def test_delta_decomposes_into_within_and_between_for_equal_group_sizes(seed):
    """delta = (SSW within + SSB between) / (SSW + SSB) (equal weights per unit)."""
    pop = ss.covariate_population(8, 10, x_group_sd=1.0, within_effect=-1.0,
                                  contextual_effect=2.0, slope_sd=0.5, exact=False, seed=seed)
    x, codes = pop.x, pop.codes
    xbar = pop.group_x_means
    ssw = float(((x - xbar[codes]) ** 2).sum())
    ssb = float((pop.group_sizes * (xbar - x.mean()) ** 2).sum())
    if ssb > 0 and ssw > 0:
        expected = (ssw * pop.within_effect + ssb * pop.between_effect) / (ssw + ssb)
        assert pop.delta == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_effects_need_covariates():
    pop = ss.two_level(5, 4, seed=1)
    for name in ("delta", "within_effect", "between_effect", "slope_sd", "group_deltas"):
        with pytest.raises(ss.InvalidParameterError, match="micro covariate x"):
            getattr(pop, name)
    x_only = ss.Population(y=[1.0, 2, 3, 4], group=[0, 0, 1, 1], x=[0, 1, 0, 1])
    with pytest.raises(ss.InvalidParameterError, match="macro covariate X"):
        x_only.macro_effect


def test_bad_covariates_are_refused_with_the_parameter_named():
    with pytest.raises(ss.InvalidParameterError, match="'x' must hold one value per unit"):
        ss.Population(y=[1.0, 2.0], group=[0, 1], x=[1.0])
    with pytest.raises(ss.InvalidParameterError, match="'x' must hold only finite"):
        ss.Population(y=[1.0, 2.0], group=[0, 1], x=[1.0, np.nan])
    with pytest.raises(ss.InvalidParameterError, match="'X' must hold one value per group"):
        ss.Population(y=[1.0, 2.0], group=[0, 1], X=[1.0, 2.0, 3.0])


def test_from_frame_and_from_csv_read_covariates(tmp_path):
    frame = pd.DataFrame({"vote": [1.0, 0, 1, 1, 0, 0], "state": list("bbaaba"),
                          "income": [3.0, 1, 2, 5, 2, 4], "state_income": [2.0, 2, 3, 3, 2, 3]})
    pop = ss.Population.from_frame(frame, y="vote", group="state", x="income", X="state_income")
    np.testing.assert_array_equal(pop.x, frame.income)
    np.testing.assert_array_equal(pop.X, [3.0, 2.0])  # labels sorted: a, b
    assert pop.meta["x"] == "income" and pop.meta["X"] == "state_income"
    path = tmp_path / "votes.csv"
    frame.to_csv(path, index=False)
    again = ss.Population.from_csv(path, y="vote", group="state", x="income")
    np.testing.assert_array_equal(again.x, frame.income)
    assert again.X is None
    with pytest.raises(ss.InvalidParameterError, match="constant within each group"):
        ss.Population.from_frame(frame.assign(state_income=np.arange(6.0)), y="vote",
                                 group="state", X="state_income")
    with pytest.raises(ss.InvalidParameterError, match="'x' must name a column"):
        ss.Population.from_frame(frame, y="vote", group="state", x="wealth")
    with pytest.raises(ss.InvalidParameterError, match="missing or non-numeric"):
        ss.Population.from_frame(frame.assign(income=[1.0, None, 2, 3, 4, 5]), y="vote",
                                 group="state", x="income")


# -- the generator ---------------------------------------------------------------------------

@settings(max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), G=st.integers(6, 30), M=st.integers(4, 30),
       within=st.floats(-2, 2), contextual=st.floats(-3, 3), slope_sd=st.floats(0, 1),
       binary=st.booleans())
def test_exact_populations_have_the_generating_effects(seed, G, M, within, contextual,
                                                       slope_sd, binary):
    pop = ss.covariate_population(G, M, x="binary" if binary else "normal",
                                  x_mean=0.5 if binary else 0.0, x_group_sd=1.0,
                                  within_effect=within, contextual_effect=contextual,
                                  slope_sd=slope_sd, seed=seed)
    defined = np.isfinite(pop.group_deltas)
    if defined.sum() >= 2:
        assert pop.within_effect == pytest.approx(within, abs=1e-9)
        assert pop.slope_sd == pytest.approx(slope_sd, abs=1e-9)
    if np.ptp(pop.group_x_means) > 0:
        assert pop.between_effect == pytest.approx(within + contextual, abs=1e-8)
    # residuals centred in every group: group means are the generating levels
    assert np.isfinite(pop.y).all() and np.isfinite(pop.x).all()


def test_binary_x_has_exactly_the_rounded_prevalence_in_every_group():
    shares = np.linspace(0.05, 0.95, 10)
    pop = ss.covariate_population(10, 37, x_mean=shares, seed=5)
    counts = np.bincount(pop.codes, weights=pop.x)
    np.testing.assert_array_equal(counts, np.rint(shares * 37))
    assert set(np.unique(pop.x)) == {0.0, 1.0}


def test_macro_covariate_options():
    pop = ss.covariate_population(20, 10, x="normal", x_group_sd=1.0, within_effect=0.2,
                                  contextual_effect=-0.5, X="group_mean", X_effect=0.3, seed=2)
    np.testing.assert_allclose(pop.X, pop.group_x_means)
    assert pop.between_effect == pytest.approx(0.2 - 0.5 + 0.3, abs=1e-9)
    assert pop.macro_effect == pytest.approx(pop.between_effect)
    independent = ss.covariate_population(200, 5, X="independent", X_effect=1.5, group_sd=0.5,
                                          seed=2)
    assert independent.macro_effect == pytest.approx(1.5, abs=1e-9)  # u made orthogonal to X


def test_exact_and_plain_populations_share_their_draws():
    a = ss.covariate_population(10, 8, x_group_sd=1.0, within_effect=1.0, seed=9)
    b = ss.covariate_population(10, 8, x_group_sd=1.0, within_effect=1.0, exact=False, seed=9)
    c = ss.covariate_population(10, 8, x_group_sd=1.0, within_effect=1.0, seed=9)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, c.y)
    assert not np.array_equal(a.y, b.y)
    assert a.meta["within_effect"] == 1.0 and a.meta["exact"] and not b.meta["exact"]


@pytest.mark.parametrize("kwargs, message", [
    ({"x_mean": 1.0}, "'x_mean' of covariate_population must be a finite real number in "
                      "\\(0, 1\\)"),
    ({"x_mean": [0.5, 0.5]}, "one value per group"),
    ({"x": "poisson"}, "'x' of covariate_population must be one of"),
    ({"X_effect": 1.0}, "'X_effect' of covariate_population must be 0 when X is None"),
    ({"group_size": 1}, "'group_size' of covariate_population must be an int >= 2"),
    ({"slope_sd": -1.0}, "'slope_sd'"),
    ({"x_group_corr": 2.0}, "'x_group_corr'"),
    ({"residual_sd": 0.0}, "'residual_sd'"),
    ({"exact": "yes"}, "'exact' of covariate_population must be a bool"),
])
def test_generator_refuses_bad_parameters(kwargs, message):
    args = {"n_groups": 5, "group_size": 4} | kwargs
    with pytest.raises(ss.InvalidParameterError, match=message):
        ss.covariate_population(**args)


# -- the scenarios ---------------------------------------------------------------------------

@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1))
def test_simpson_reverses_the_sign_for_every_seed(seed):
    pop = ss.scenarios.simpson(seed=seed)
    assert pop.delta > 0.2
    assert np.isfinite(pop.group_deltas).all() and (pop.group_deltas < 0).all()
    assert pop.within_effect == pytest.approx(-1.0) and pop.between_effect == pytest.approx(4.0)


def test_scenario_truths():
    over = ss.scenarios.over_conservative(seed=1)
    np.testing.assert_array_equal(over.group_x_means, 0.5)
    assert over.delta == pytest.approx(0.5) and over.icc > 0.4
    under = ss.scenarios.under_conservative(seed=1)
    assert abs(under.delta) < 1e-12 and abs(under.within_effect) < 1e-12
    shares = under.group_x_means
    assert np.mean((shares <= 0.1) | (shares >= 0.9)) > 0.4  # x = 1 concentrated in groups
    iv = ss.scenarios.income_voting(seed=1)
    assert (iv.n_groups, iv.within_effect, iv.slope_sd) == (50, pytest.approx(0.3),
                                                           pytest.approx(0.15))
    assert iv.between_effect == pytest.approx(-0.6) and iv.macro_effect == pytest.approx(-0.6)
    np.testing.assert_allclose(iv.X, iv.group_x_means)
    votes = ss.scenarios.income_voting(seed=1, binary=True)
    assert set(np.unique(votes.y)) == {0.0, 1.0}
    assert votes.within_effect > 0 > votes.between_effect
    np.testing.assert_array_equal(votes.x, iv.x)
    for name, designs in ss.scenarios.RECOMMENDED_DESIGNS.items():
        pop = getattr(ss.scenarios, name)(seed=1)
        for design in designs.values():
            design.check(pop)
