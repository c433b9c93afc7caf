"""Model-based methods of effects in the loop: each equals the one-sample MixedLM fit.

reml_slope (y ~ x + (1|g)), mundlak_within / mundlak_contextual (y ~ (x - xbar_a) + xbar_a
+ (1|g)) and rs_slope_sd (y ~ x + (1 + x|g)) are checked against
:class:`simsample.analysis.mixed.MixedLM` (which agrees with lme4/lmerTest) on samples
drawn by TwoStage, ClusterSample and SRS; then reml_slope in the loop is near unbiased
for delta under a random-intercept population.
"""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simsample as ss
from simsample.analysis.mixed import MixedLM
from simsample.estimands import registered

TOL = 1e-8
METHODS = ("reml_slope", "mundlak_within", "mundlak_contextual", "rs_slope_sd")


@functools.cache
def _population(slope_sd):
    return ss.covariate_population(40, 12, x="normal", x_group_sd=0.6, within_effect=0.4,
                                   contextual_effect=-0.5, slope_sd=slope_sd, group_sd=0.5,
                                   residual_sd=1.0, exact=False, seed=11)


def _paired_form(sample):
    y, start, size, k, n_units, n_groups = sample.form
    x = sample.population.stored_x[sample.scratch[0][:sample.n]]
    return y, x, start, size, k, n_units, n_groups


def _run(name, form):
    out = np.full(6, -7.0)  # stale values must be overwritten
    registered("difference")[name].kernel(*form, out)
    return out


def _close(a, b):
    return a == pytest.approx(b, rel=TOL, abs=TOL * 1e-2)


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), slope_sd=st.sampled_from([0.0, 0.3]),
       design=st.sampled_from([ss.TwoStage(5, 4), ss.TwoStage(10, 10), ss.TwoStage(3, 7),
                               ss.ClusterSample(6), ss.SRS(30)]))
def test_loop_kernels_equal_one_sample_fit(seed, slope_sd, design):
    pop = _population(slope_sd)
    form = _paired_form(design.draw(pop, seed))
    y, x, start, _, k, _, _ = form
    g = np.repeat(np.arange(k), np.diff(start))
    xbar = (np.bincount(g, x) / np.bincount(g))[g]
    one = np.ones_like(x)

    res = MixedLM(y, np.column_stack([one, x]), g).fit()
    out = _run("reml_slope", form)
    assert res.converged
    assert _close(out[0], res.fe_params.iloc[1]) and _close(out[1], res.bse_fe.iloc[1])
    assert _close(out[2], res.df_satterthwaite.iloc[1])
    assert out[5] == float(res.singular)

    within, contextual = _run("mundlak_within", form), _run("mundlak_contextual", form)
    if isinstance(design, ss.SRS):  # every unit its own group: x - xbar_a = 0, a failed fit
        with pytest.raises(ValueError, match="full column rank"):
            MixedLM(y, np.column_stack([one, x - xbar, xbar]), g)
        assert np.isnan(within[:3]).all() and np.isnan(contextual[:3]).all()
        assert within[5] != 1.0
    else:
        centred = MixedLM(y, np.column_stack([one, x - xbar, xbar]), g).fit()
        assert _close(within[0], centred.fe_params.iloc[1])
        assert _close(within[1], centred.bse_fe.iloc[1])
        assert _close(within[2], centred.df_satterthwaite.iloc[1])
        assert within[5] == float(centred.singular) == contextual[5]
        # the contextual effect: between minus within of the centred model ...
        L = np.array([0.0, -1.0, 1.0])
        assert _close(contextual[0], L @ centred.fe_params.to_numpy())
        assert _close(contextual[1], np.sqrt(L @ centred.cov_fe.to_numpy() @ L))
        # ... is the coefficient of xbar_a in y ~ x + xbar_a, whose Satterthwaite df it reports
        raw = MixedLM(y, np.column_stack([one, x, xbar]), g).fit()
        assert _close(contextual[2], raw.df_satterthwaite.iloc[2])

    out = _run("rs_slope_sd", form)
    assert np.isnan(out[1]) and np.isnan(out[2])
    if y.size <= 2 * k:  # no more units than random effects (SRS): refused, as lme4 does
        assert np.isnan(out[0]) and out[5] != 1.0
        return
    slope = MixedLM(y, np.column_stack([one, x]), g, exog_re=np.column_stack([one, x])).fit()
    if slope.converged:
        assert _close(out[0], np.sqrt(slope.cov_re.iloc[1, 1]))
        assert out[5] == float(slope.singular)
    else:
        assert np.isnan(out[0])


def test_registered_with_targets_and_singular_flags():
    methods = registered("difference")
    targets = {name: methods[name].target for name in METHODS}
    assert targets == {"reml_slope": "population delta", "mundlak_within": "within effect",
                       "mundlak_contextual": "contextual effect", "rs_slope_sd": "slope SD"}
    assert all(methods[name].reports_singular for name in METHODS)
    assert methods["rs_slope_sd"].interval == "none"


def test_too_few_groups_or_no_within_variation_fail_without_raising():
    y = np.array([1.0, 2.0, 0.5, 3.0, 2.5, 4.0])
    start = np.array([0, 3, 6])
    size = np.full(2, 10.0)
    constant = np.repeat([0.0, 1.0], 3)      # x constant within groups: x - xbar_a = 0
    for name in ("mundlak_within", "mundlak_contextual"):
        out = _run(name, (y, constant, start, size, 2, 20, 2))
        assert np.isnan(out[2]) and out[5] != 1.0
    one_group = (y, np.arange(6.0), np.array([0, 6]), np.array([10.0]), 1, 20, 2)
    for name in METHODS:
        out = _run(name, one_group)
        assert np.isnan(out[0]) and np.isnan(out[2])


@pytest.mark.statistical
def test_reml_slope_near_unbiased_for_delta_in_the_loop(global_seed):
    """Random intercept, within = between effect (so delta = 0.5 is the model's slope)."""
    pop = ss.covariate_population(200, 200, x="normal", x_group_sd=0.5, within_effect=0.5,
                                  contextual_effect=0.0, group_sd=0.7, residual_sd=1.0, seed=5)
    assert pop.delta == pytest.approx(0.5) and pop.within_effect == pytest.approx(0.5)
    study = ss.simulate(pop, {"TwoStage(10x10)": ss.TwoStage(10, 10)}, reps=4000,
                        seed=global_seed, estimand="difference", methods=list(METHODS),
                        progress=False)
    t = study.summary().set_index("method")
    assert (t["n_failed"] == 0).all()
    for name in ("reml_slope", "mundlak_within"):
        row = t.loc[name]
        assert abs(row["bias"]) <= 4 * row["bias_mcse"], row
    row = t.loc["reml_slope"]
    assert abs(row["coverage"] - 0.95) <= 4 * row["coverage_mcse"], row
    # no slope variation in the population: most random-slope fits are on the boundary
    assert t.loc["rs_slope_sd", "singular_rate"] > 0.5
    assert t.loc["reml_slope", "singular_rate"] < 0.05
