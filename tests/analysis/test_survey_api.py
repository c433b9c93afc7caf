"""The one-sample survey API: intervals, tables, subsets and the errors it raises."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simsample.analysis.estimates import SurveyEstimate, SurveyTable
from simsample.survey import SurveyDesign

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def clus1() -> SurveyDesign:
    return SurveyDesign(pd.read_csv(DATA / "apiclus1.csv"), ids=["dnum"], weights="pw",
                        fpc=["fpc"])


def test_ci_default_is_t_with_design_df_and_normal_on_request(clus1):
    m = clus1.mean("api00")
    assert m.df == 14
    t = stats.t.ppf(0.975, 14)
    z = stats.norm.ppf(0.975)
    assert m.ci() == pytest.approx((m.estimate - t * m.se, m.estimate + t * m.se), rel=1e-12)
    assert m.ci(dist="normal") == pytest.approx((m.estimate - z * m.se,
                                                 m.estimate + z * m.se), rel=1e-12)
    with pytest.raises(ValueError, match="'dist'.*'t', 'normal'.*'z'"):
        m.ci(dist="z")
    with pytest.raises(ValueError, match="'level'"):
        m.ci(1.5)
    census = SurveyEstimate("mean", "y", 1.0, 0.5, 0, np.nan, np.nan, 3)
    assert np.isnan(census.ci()).all() and np.isfinite(census.ci(dist="normal")).all()


def test_subset_zeroes_weights_outside_and_keeps_every_psu(clus1):
    sub = clus1.subset("stype == 'H'")
    inside = (clus1.data["stype"] == "H").to_numpy()
    np.testing.assert_array_equal(sub.weights, np.where(inside, clus1.weights, 0.0))
    assert sub.n_psu == clus1.n_psu == 15
    assert sub.df == clus1.degrees_of_freedom(inside)  # PSUs holding the domain, minus 1
    # a mask does the same as the query; a subset of a subset intersects
    same = clus1.subset(inside).mean("api00")
    assert same == sub.mean("api00")
    both = sub.subset(clus1.data["meals"] > 50)
    assert both.included.sum() == (inside & (clus1.data["meals"] > 50)).sum()
    assert "subset of" in repr(sub)


def test_subset_refuses_bad_masks(clus1):
    with pytest.raises(ValueError, match="selects no row"):
        clus1.subset("api00 > 10000")
    with pytest.raises(ValueError, match="boolean mask with one value per row"):
        clus1.subset([True, False])
    with pytest.raises(ValueError, match="could not be evaluated"):
        clus1.subset("no_such_column > 1")
    with pytest.raises(ValueError, match="boolean mask"):
        clus1.subset(np.arange(len(clus1.data)))


def test_tables_give_rows_names_vcov_and_intervals(clus1):
    table = clus1.mean("stype")
    assert isinstance(table, SurveyTable)
    assert table.names == ["stype[E]", "stype[H]", "stype[M]"]
    assert table.estimate.sum() == pytest.approx(1.0, rel=1e-12)
    # proportions sum to 1: their covariance matrix is singular (rows sum to zero)
    np.testing.assert_allclose(table.vcov.to_numpy().sum(axis=1), 0.0, atol=1e-15)
    np.testing.assert_allclose(np.sqrt(np.diag(table.vcov)), table.se, rtol=1e-12)
    ci = table.ci(0.9, dist="normal")
    assert list(ci.index) == table.names
    assert table["stype[H]"].estimate == table[1].estimate
    frame = table.to_frame()
    assert list(frame["category"]) == ["E", "H", "M"] and (frame["level"] == 0.95).all()
    by = clus1.total("enroll", by="stype")
    assert list(by.frame["stype"]) == ["E", "H", "M"]
    assert by.estimate.sum() == pytest.approx(clus1.total("enroll").estimate, rel=1e-12)


def test_ratio_is_the_ratio_of_totals_and_ttest_the_difference_of_domain_means(clus1):
    r = clus1.ratio("api.stu", "enroll")
    assert r.estimate == pytest.approx(
        clus1.total("api.stu").estimate / clus1.total("enroll").estimate, rel=1e-12)
    t = clus1.ttest("api00", by="sch.wide")
    means = clus1.mean("api00", by="sch.wide")
    assert t.estimate == pytest.approx(means[1].estimate - means[0].estimate, rel=1e-12)
    cov = means.vcov.to_numpy()
    assert t.se ** 2 == pytest.approx(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], rel=1e-10)
    assert t.df == clus1.df - 1
    assert "minus" in repr(t)


def test_missing_values_need_na_rm_and_are_dropped_jointly():
    frame = pd.read_csv(DATA / "apiclus2.csv")
    design = SurveyDesign(frame, ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    with pytest.raises(ValueError, match=r"columns \['api00', 'enroll'\] have 6 missing"):
        design.mean(["api00", "enroll"])
    joint = design.mean(["api00", "enroll"], na_rm=True)
    alone = design.mean("api00")
    assert joint[0].n == alone.n - 6
    assert joint[0].estimate != alone.estimate  # the 6 rows missing enroll are left out


def test_bad_arguments_name_the_parameter(clus1):
    with pytest.raises(ValueError, match="'variable'.*got 'nope'"):
        clus1.mean("nope")
    with pytest.raises(ValueError, match="must be numeric"):
        clus1.ratio("stype", "enroll")
    with pytest.raises(ValueError, match="'denominator'"):
        clus1.ratio("api00", ["enroll"])
    with pytest.raises(ValueError, match="exactly two levels"):
        clus1.ttest("api00", by="stype")
    with pytest.raises(ValueError, match="'family'"):
        clus1.glm("api00 ~ ell", family="binomial")
    with pytest.raises(ValueError, match="'formula'"):
        clus1.glm("api00 + ell")
    with pytest.raises(ValueError, match="rank deficient"):
        clus1.glm("api00 ~ ell + I(2 * ell)")
    with pytest.raises(ValueError, match="'by'"):
        clus1.mean("api00", by=3)


def test_glm_of_a_subset_is_the_weighted_fit_of_its_rows(clus1):
    sub = clus1.subset("stype == 'E'")
    fit = sub.glm("api00 ~ ell + meals")
    rows = clus1.data[clus1.data["stype"] == "E"]
    x = np.column_stack([np.ones(len(rows)), rows["ell"], rows["meals"]])
    w = rows["pw"].to_numpy()
    beta = np.linalg.solve(x.T @ (x * w[:, None]), x.T @ (w * rows["api00"]))
    np.testing.assert_allclose(fit.params.to_numpy(), beta, rtol=1e-10)
    assert fit.nobs == len(rows)
    assert fit.df_resid == sub.df + 1 - 3
    assert list(fit.conf_int().columns) == ["lower", "upper"]
    assert fit.summary().shape == (3, 4)
