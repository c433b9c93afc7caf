"""Balanced random intercept: the compiled REML fit equals the ANOVA closed form.

tau^2 = max(0, (MSB - MSW) / m), sigma^2 = MSW when not singular, intercept = grand
mean, SE = sqrt(MSB / (k m)) and Satterthwaite df = k - 1 when not singular; at the
boundary the fit is OLS (SE = s / sqrt(n), df = n - 1). Also: the in-loop kernels
equal the one-sample MixedLM on samples drawn by TwoStage and SRS.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simsample as ss
from simsample._kernels.mixed import fit as mk
from simsample.estimands import registered
from simsample.analysis.mixed import MixedLM


def _balanced(seed, k, m, icc):
    rng = np.random.default_rng(seed)
    u = rng.normal(scale=np.sqrt(icc), size=k)
    y = 3.0 + np.repeat(u, m) + rng.normal(scale=np.sqrt(1 - icc), size=k * m)
    return y, np.repeat(np.arange(k), m)


@settings(deadline=None, max_examples=60)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 30), m=st.integers(2, 12),
       icc=st.sampled_from([0.0, 0.02, 0.1, 0.3, 0.7]))
def test_balanced_reml_equals_closed_form(seed, k, m, icc):
    y, g = _balanced(seed, k, m, icc)
    Y = y.reshape(k, m)
    msb = m * Y.mean(axis=1).var(ddof=1)
    msw = Y.var(axis=1, ddof=1).mean()
    res = MixedLM(y, np.ones((y.size, 1)), g).fit(reml=True)
    assert res.converged
    tau2 = max(0.0, (msb - msw) / m)
    assert res.fe_params.iloc[0] == pytest.approx(y.mean(), rel=1e-10, abs=1e-12)
    # tau^2 within 1e-10 of the scale of the variances (an absolute floor at the boundary)
    assert abs(res.cov_re.iloc[0, 0] - tau2) <= 1e-10 * (msb + msw)
    if msb > msw * (1 + 1e-6):
        assert not res.singular
        assert res.scale == pytest.approx(msw, rel=1e-10)
        assert res.bse_fe.iloc[0] == pytest.approx(np.sqrt(msb / (k * m)), rel=1e-10)
        assert res.df_satterthwaite.iloc[0] == pytest.approx(k - 1, rel=1e-9)
    elif msb < msw * (1 - 1e-6):
        assert res.singular
        s2 = y.var(ddof=1)
        assert res.scale == pytest.approx(s2, rel=1e-10)
        assert res.bse_fe.iloc[0] == pytest.approx(np.sqrt(s2 / y.size), rel=1e-10)
        assert res.df_satterthwaite.iloc[0] == pytest.approx(k * m - 1, rel=1e-9)


def test_ml_balanced_closed_form():
    """ML: sigma^2 = MSW, tau^2 = ((k-1)/k MSB - MSW) / m (the ML estimating equations)."""
    y, g = _balanced(5, 12, 6, 0.3)
    k, m = 12, 6
    Y = y.reshape(k, m)
    msb = m * Y.mean(axis=1).var(ddof=1)
    msw = Y.var(axis=1, ddof=1).mean()
    res = MixedLM(y, np.ones((y.size, 1)), g).fit(reml=False)
    assert res.scale == pytest.approx(msw, rel=1e-10)
    assert res.cov_re.iloc[0, 0] == pytest.approx(((k - 1) / k * msb - msw) / m, rel=1e-9)
    assert res.bse_fe.iloc[0] == pytest.approx(np.sqrt((k - 1) / k * msb / (k * m)), rel=1e-10)


def _form(sample, design):
    y = sample.y
    if isinstance(design, ss.SRS):
        n = y.size
        return y, np.arange(n + 1, dtype=np.int64), np.ones(n), n
    return y, sample.psu_start, sample.psu_size, sample.groups.size


_KERNELS = [(registered("mean")[name].kernel, name) for name in (
    "reml_wald", "reml_satterthwaite", "reml_between_within", "ml_wald")]


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), icc=st.sampled_from([0.0, 0.05, 0.2, 0.5]),
       design=st.sampled_from([ss.TwoStage(5, 4), ss.TwoStage(10, 10), ss.TwoStage(3, 7),
                               ss.ClusterSample(6), ss.SRS(30)]))
def test_loop_kernels_equal_one_sample_fit(seed, icc, design):
    pop = ss.two_level(n_groups=40, group_size=12, icc=icc, seed=seed % 1000)
    sample = design.draw(pop, seed)
    y, start, size, k = _form(sample, design)
    groups = np.repeat(np.arange(k), np.diff(start))
    out = np.full(6, np.nan)  # the loop hands methods rows of 6 (out[5]: singular flag)
    for reml in (True, False):
        res = MixedLM(y, np.ones((y.size, 1)), groups).fit(reml=reml)
        for kern, name in _KERNELS:
            if name.startswith("reml") != reml:
                continue
            kern(y, start, size, k, pop.n_units, pop.n_groups, out)
            assert out[0] == pytest.approx(res.fe_params.iloc[0], rel=1e-10, abs=1e-12)
            assert out[1] == pytest.approx(res.bse_fe.iloc[0], rel=1e-10)
            expect = {"reml_wald": mk.NORMAL_DF, "ml_wald": mk.NORMAL_DF,
                      "reml_between_within": k - 1.0,
                      "reml_satterthwaite": res.df_satterthwaite.iloc[0]}[name]
            assert out[2] == pytest.approx(expect, rel=1e-10)


def test_srs_form_is_the_boundary_fit():
    """Every unit its own group: psi is not identified; the fit is OLS, singular."""
    pop = ss.two_level(n_groups=30, group_size=10, icc=0.3, seed=3)
    y = ss.SRS(25).draw(pop, 4).y
    res = MixedLM(y, np.ones((25, 1)), np.arange(25)).fit()
    assert res.singular and res.converged
    assert res.bse_fe.iloc[0] == pytest.approx(y.std(ddof=1) / 5.0, rel=1e-10)
    assert res.df_satterthwaite.iloc[0] == pytest.approx(24.0, rel=1e-9)


def test_loop_methods_flag_singular_fits():
    """A balanced sample with no between-group spread is a boundary fit: flag set in out[5]."""
    y = np.tile(np.arange(5.0), 4)          # every group the same values: MSB = 0
    start = np.arange(0, 21, 5)
    out = np.full(6, np.nan)
    for kernel, name in _KERNELS:
        assert registered("mean")[name].reports_singular
        kernel(y, start, np.full(4, 50.0), 4, 500, 100, out)
        assert out[5] == 1.0 and out[0] == pytest.approx(2.0)


def test_bad_input_names_the_parameter():
    d = pd.DataFrame({"y": [1.0, 2, 3, 4], "g": [1, 1, 2, 2], "x": [1.0, 2, 3, np.nan]})
    with pytest.raises(ValueError, match="'x'"):
        MixedLM.from_formula("y ~ x", groups="g", data=d)
    with pytest.raises(ValueError, match="missing \\['z'\\]"):
        MixedLM.from_formula("y ~ z", groups="g", data=d)
    with pytest.raises(ValueError, match="at least 2 groups"):
        MixedLM(np.arange(4.0), np.ones((4, 1)), [1, 1, 1, 1])
    with pytest.raises(ValueError, match="full column rank"):
        MixedLM(np.arange(4.0), np.ones((4, 2)), [1, 1, 2, 2])
    with pytest.raises(ValueError, match="'dist'"):
        MixedLM(np.arange(4.0), np.ones((4, 1)), [1, 1, 2, 2]).fit().conf_int(dist="kr")
    with pytest.raises(ValueError, match="'re_formula'"):
        MixedLM.from_formula("y ~ 1", groups="g", data=d.fillna(0.0), re_formula="~x + g")
