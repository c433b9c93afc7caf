"""One-sample survey analysis against R's survey package, number by number.

``tests/data/r/survey_parity.csv`` was written by ``tests/data/r/survey_parity.R``
(R's survey 4.1) on the api data (``tests/data``; R's ``data(api)``): means,
totals, factor levels, several variables with joint missing values, ratios,
``svyby`` domains, ``subset``, ``svyttest`` and ``svyglm`` on SRS, stratified,
one-stage and two-stage cluster designs, each with and without fpc. Every
number (estimate, SE, df, design effect, normal and t intervals, t and p) must
agree to 1e-9 relative.
"""

import functools
import math
from pathlib import Path

import pandas as pd
import pytest

from simsample.population.datasets import california_schools_frame
from simsample.population import Population
from simsample.survey import SurveyDesign

DATA = Path(__file__).resolve().parent.parent / "data"
RTOL = 1e-9
#: numbers below this (an SE of a proportion fixed by the strata, ~1e-17 in R) count as 0
TINY = 1e-12

SPECS = {
    "srs_fpc": ("apisrs", dict(ids=[None], fpc=["fpc"])),
    "srs_nofpc": ("apisrs", dict(ids=[None], weights="pw")),
    "strat_fpc": ("apistrat", dict(ids=[None], strata="stype", fpc=["fpc"])),
    "strat_nofpc": ("apistrat", dict(ids=[None], strata="stype", weights="pw")),
    "clus1_fpc": ("apiclus1", dict(ids=["dnum"], weights="pw", fpc=["fpc"])),
    "clus1_nofpc": ("apiclus1", dict(ids=["dnum"], weights="pw")),
    "clus2_fpc": ("apiclus2", dict(ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])),
    "clus2_nofpc": ("apiclus2", dict(ids=["dnum", "snum"], weights="pw")),
}
GLM = {"glm1": "api00 ~ ell + meals + mobility", "glm2": "api00 ~ stype + enroll"}


@functools.cache
def reference() -> pd.DataFrame:
    return pd.read_csv(DATA / "r" / "survey_parity.csv", keep_default_na=False,
                       na_values=[""])


@functools.cache
def data(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


@functools.cache
def design(name: str) -> SurveyDesign:
    source, spec = SPECS[name]
    return SurveyDesign(data(source), **spec)


def close(got, want, what):
    if pd.isna(want):
        return
    if abs(want) < TINY:
        assert abs(got) < TINY, (what, got, want)
    else:
        assert got == pytest.approx(want, rel=RTOL), what


def check_estimate(est, row):
    """An estimate and its intervals against one row of R's output."""
    key = (row.call, row.design, row.variable, row.level, row.domain)
    close(est.estimate, row.estimate, (key, "estimate"))
    close(est.se, row.se, (key, "se"))
    assert est.df == row.df, (key, "df")
    close(est.deff, row.deff, (key, "deff"))
    for dist, level, bounds in (("normal", 0.95, (row.lower_normal95, row.upper_normal95)),
                                ("t", 0.9, (row.lower_t90, row.upper_t90))):
        for got, want in zip(est.ci(level, dist=dist), bounds):
            close(got, want, (key, dist))


def python_call(call: str, name: str):
    d = design(name)
    meals = d.subset("meals > 50")
    calls = {
        "mean": lambda v: d.mean(v, na_rm=True),
        "total": lambda v: d.total(v, na_rm=True),
        "mean_factor": d.mean,
        "total_factor": d.total,
        "mean_several": lambda v: d.mean(["api00", "enroll", "meals", "stype"], na_rm=True),
        "total_several": lambda v: d.total(["api00", "enroll", "meals"], na_rm=True),
        "ratio": lambda v: d.ratio(*v.split("/"), na_rm=True),
        "mean_by": lambda v: d.mean(v, by="stype", na_rm=True),
        "total_by": lambda v: d.total(v, by="stype", na_rm=True),
        "mean_by2": lambda v: d.mean(v, by=["stype", "sch.wide"]),
        "ratio_by": lambda v: d.ratio(*v.split("/"), by="stype", na_rm=True),
        "mean_subset": meals.mean,
        "total_subset": meals.total,
        "ratio_subset": lambda v: meals.ratio(*v.split("/"), na_rm=True),
        "mean_own_sample": lambda v: own_sample(name, "H").mean(v),
    }
    return calls[call]


def own_sample(name: str, stype: str) -> SurveyDesign:
    source, spec = SPECS[name]
    frame = data(source)
    return SurveyDesign(frame[frame["stype"] == stype], **spec)


def pick(result, row):
    """The estimate of ``result`` (an estimate or a table) that ``row`` of R's output is."""
    if not hasattr(result, "estimates"):
        return result
    for est in result:
        category = None if pd.isna(row.level) else row.level
        domain = None if pd.isna(row.domain) or row.call.endswith(("subset", "sample")) \
            else row.domain
        if (est.variable, est.category, est.domain) == (row.variable, category, domain):
            return est
    raise AssertionError(f"no estimate for {row.to_dict()}")


ESTIMATE_CALLS = ["mean", "total", "mean_factor", "total_factor", "mean_several",
                  "total_several", "ratio", "mean_by", "total_by", "mean_by2", "ratio_by",
                  "mean_subset", "total_subset", "ratio_subset", "mean_own_sample"]


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("call", ESTIMATE_CALLS)
def test_estimates_match_r(call, name):
    rows = reference().query("call == @call and design == @name")
    if call == "mean_own_sample" and not name.startswith(("srs", "clus1")):
        assert rows.empty
        return
    assert len(rows) > 0
    fn = python_call(call, name)
    results = {}
    for row in rows.itertuples(index=False):
        key = "all" if call.endswith("several") else row.variable  # one call, several rows
        if key not in results:
            results[key] = fn(row.variable)
        check_estimate(pick(results[key], row), row)
    # one Python row per R row: nothing missing, nothing extra
    assert sum(len(r) if hasattr(r, "estimates") else 1 for r in results.values()) == len(rows)


@pytest.mark.parametrize("name", list(SPECS))
def test_ttest_matches_r(name):
    rows = reference().query("call == 'ttest' and design == @name")
    assert len(rows) == 2
    for row in rows.itertuples(index=False):
        t = design(name).ttest(row.variable, by=row.level)
        assert t.levels == ("No", "Yes")  # "Yes" minus "No", as R
        for got, want in ((t.estimate, row.estimate), (t.se, row.se),
                          (t.statistic, row.t), (t.pvalue, row.p)):
            close(got, want, (name, row.variable))
        assert t.df == row.df
        # R prints the 95% t interval (kept in the normal95 columns) and confint(level=0.9)
        for got, want in zip(t.ci(0.95) + t.ci(0.9), (row.lower_normal95, row.upper_normal95,
                                                      row.lower_t90, row.upper_t90)):
            close(got, want, (name, row.variable, "ci"))


def r_name(python_name: str) -> str:
    """R's name of a formulaic column: Intercept -> (Intercept), stype[T.H] -> stypeH."""
    if python_name == "Intercept":
        return "(Intercept)"
    return python_name.replace("[T.", "").replace("]", "")


@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("call", list(GLM))
def test_glm_matches_r(call, name):
    rows = reference().query("call == @call and design == @name").set_index("variable")
    fit = design(name).glm(GLM[call])
    assert [r_name(n) for n in fit.params.index] == list(rows.index[:-1])
    ci = fit.conf_int(0.9)
    for python_name in fit.params.index:
        row = rows.loc[r_name(python_name)]
        for got, want in ((fit.params[python_name], row.estimate), (fit.bse[python_name], row.se),
                          (fit.tvalues[python_name], row.t), (fit.pvalues[python_name], row.p),
                          (ci.loc[python_name, "lower"], row.lower_t90),
                          (ci.loc[python_name, "upper"], row.upper_t90)):
            close(got, want, (call, name, python_name))
        assert fit.df_resid == row.df
    dispersion = rows.loc["(dispersion)"]
    close(fit.dispersion, dispersion.estimate, "dispersion")
    close(fit.dispersion_se, dispersion.se, "dispersion SE")


def test_domain_se_keeps_the_full_design_not_the_domain_as_its_own_sample():
    # svymean(~api00, subset(dclus1, stype == "H")) against the same rows as a design of their
    # own: same estimate, different SE; both as R computes them
    ref = reference()
    full = design("clus1_fpc").subset("stype == 'H'").mean("api00")
    own = own_sample("clus1_fpc", "H").mean("api00")
    r_full = ref.query("call == 'mean_by' and design == 'clus1_fpc' and domain == 'stype=H'")
    r_own = ref.query("call == 'mean_own_sample' and design == 'clus1_fpc'")
    r_full, r_own = r_full.iloc[0], r_own.iloc[0]
    assert full.estimate == pytest.approx(r_full.estimate, rel=RTOL)
    assert full.se == pytest.approx(r_full.se, rel=RTOL)
    assert own.se == pytest.approx(r_own.se, rel=RTOL)
    assert own.estimate == pytest.approx(full.estimate, rel=1e-12)
    assert abs(full.se / own.se - 1.0) > 0.01  # 3.6%: not a rounding difference
    # and the by= row is the same number as the subset
    by_row = design("clus1_fpc").mean("api00", by="stype")["stype=H: api00"]
    assert (by_row.estimate, by_row.se, by_row.df) == (full.estimate, full.se, full.df)


def test_population_totals_match_r():
    ref = reference().query("call == 'population_total'").set_index("variable")
    frame = california_schools_frame()
    pop = Population.from_frame(frame, y="api00", group="dnum", x="meals")
    assert pop.total == pytest.approx(ref.loc["api00", "estimate"], rel=1e-15)
    assert pop.x_total == pytest.approx(ref.loc["meals", "estimate"], rel=1e-15)
    assert pop.X_total is None
    grouped = Population.from_frame(frame, y="api00", group="dnum", X="dnum")
    assert grouped.X_total == pytest.approx(float(frame["dnum"].sum()), rel=1e-15)
    assert math.isclose(grouped.total / grouped.n_units, grouped.mean, rel_tol=1e-15)
