"""MixedLM against R's lme4 / lmerTest (fixtures) and statsmodels' MixedLM.

Fixtures: tests/data/r/mixed_fixtures.R (lme4 1.1, lmerTest 3.1, bobyqa with
rhoend 1e-12) writes mixed_data.csv and mixed_lme4.csv; 11 models (random intercept
with and without covariates, balanced, unbalanced, near-singular; random slope,
one of them singular) by REML and ML. Measured agreement: estimates, SEs, sigma,
variance components and Satterthwaite df within 3e-7 relative, log-likelihoods
within 1e-12. Tolerances: 2e-6 relative (lme4's optimum is held to about 1e-8 in
theta, and lmerTest's df come from numerical derivatives, numDeriv, good to ~1e-8),
1e-8 absolute for log-likelihoods.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simsample.analysis.mixed import MixedLM

DATA = Path(__file__).resolve().parents[1] / "data" / "r"
REL = 2e-6


def _cases():
    ref = pd.read_csv(DATA / "mixed_lme4.csv")
    return [(int(m), bool(r), g) for (m, r), g in ref.groupby(["model", "reml"], sort=False)]


def _parse(formula):
    fixed, random = formula.split("+ (")
    slope = random.split("|")[0].strip().replace("1 + ", "")
    return fixed.strip(), (None if slope == "1" else "~" + slope)


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA / "mixed_data.csv")


@pytest.mark.parametrize("model,reml,ref", _cases(), ids=lambda v: str(v) if not
                         isinstance(v, pd.DataFrame) else "")
def test_agrees_with_lme4_and_lmertest(data, model, reml, ref):
    fixed, re_formula = _parse(ref.formula.iloc[0])
    d = data[data.dataset == ref.dataset.iloc[0]]
    res = MixedLM.from_formula(fixed, groups="g", data=d, re_formula=re_formula).fit(reml=reml)
    terms = [t.replace("(Intercept)", "Intercept") for t in ref.term]
    assert res.converged
    assert res.singular == bool(ref.singular.iloc[0])
    np.testing.assert_allclose(res.fe_params[terms], ref.estimate, rtol=REL)
    np.testing.assert_allclose(res.bse_fe[terms], ref.se, rtol=REL)
    np.testing.assert_allclose(res.df_satterthwaite[terms], ref.df, rtol=REL)
    assert np.sqrt(res.scale) == pytest.approx(ref.sigma.iloc[0], rel=REL)
    assert res.llf == pytest.approx(ref.loglik.iloc[0], abs=1e-8)
    scale = ref.sigma.iloc[0] ** 2
    assert res.cov_re.iloc[0, 0] == pytest.approx(ref.var_int.iloc[0], rel=REL, abs=1e-9 * scale)
    if re_formula is not None:
        assert res.cov_re.iloc[1, 1] == pytest.approx(ref.var_slope.iloc[0], rel=REL,
                                                      abs=1e-9 * scale)
        assert res.cov_re.iloc[0, 1] == pytest.approx(ref.cov_int_slope.iloc[0], rel=REL,
                                                      abs=1e-9 * scale)
    theta = ref[["theta1", "theta2", "theta3"]].iloc[0].dropna().to_numpy()
    np.testing.assert_allclose(res.theta, theta, rtol=1e-5, atol=1e-7)


def test_conf_int_rules(data):
    d = data[data.dataset == 1]
    res = MixedLM.from_formula("y ~ x + X", groups="g", data=d).fit()
    from scipy import stats
    se = res.bse_fe
    for dist, df in (("satterthwaite", res.df_satterthwaite), ("between_within", res.df_between_within)):
        ci = res.conf_int(0.9, dist=dist)
        np.testing.assert_allclose(ci["upper"] - res.fe_params, stats.t.ppf(0.95, df) * se, rtol=1e-12)
    ci = res.conf_int(0.9, dist="normal")
    np.testing.assert_allclose(ci["upper"] - res.fe_params, stats.norm.ppf(0.95) * se, rtol=1e-12)
    # between-within: Intercept and X are constant within groups (k - 2), x varies (n - k - 1)
    assert res.df_between_within.to_dict() == {"Intercept": 8.0, "x": 89.0, "X": 8.0}


@pytest.mark.parametrize("dataset,formula,re_formula", [
    (1, "y ~ x + X", None), (2, "y ~ x", None), (4, "y ~ x + X", None),
    (5, "y ~ x", "~x"), (8, "y ~ x", "~x")])
@pytest.mark.parametrize("reml", [True, False])
def test_agrees_with_statsmodels(data, dataset, formula, re_formula, reml):
    """Estimates, variance components and log-likelihood (statsmodels' bse_fe differ by
    design: statsmodels inverts the joint observed information; lme4 and we use
    sigma^2 (X'V^-1 X)^-1)."""
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    d = data[data.dataset == dataset]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        sm = smf.mixedlm(formula, d, groups=d["g"], re_formula=re_formula).fit(
            reml=reml, method="bfgs", gtol=1e-10, maxiter=2000)
    res = MixedLM.from_formula(formula, groups="g", data=d, re_formula=re_formula).fit(reml=reml)
    if not sm.converged:
        # the known case (DESIGN.md): statsmodels fails on this small random-slope data set,
        # by ML; lme4 and we converge (the lme4 fixtures check our fit there)
        assert (dataset, reml) == (8, False) and res.converged
        return
    np.testing.assert_allclose(res.fe_params.to_numpy(), sm.fe_params.to_numpy(), rtol=1e-7)
    assert res.scale == pytest.approx(sm.scale, rel=1e-7)
    np.testing.assert_allclose(res.cov_re.to_numpy(), sm.cov_re.to_numpy(), rtol=1e-6, atol=1e-9)
    assert res.llf == pytest.approx(sm.llf, abs=1e-8)
