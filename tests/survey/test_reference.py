"""SurveyDesign against the published output of R's survey package and hand formulas.

The data are those of R's survey package (``tests/data``, see its README). The
published values are reproduced to the digits R prints; the hand-written
formulas below (numpy/pandas, from Sarndal, Swensson and Wretman 1992 and
Cochran 1977) do not use simsample.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simsample as ss

DATA = Path(__file__).resolve().parent.parent / "data"


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


def printed(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` significant digits, as R prints it."""
    return float(f"{value:.{digits}g}")


# -- published values of R's survey package ---------------------------------------------------

def test_apiclus1_mean_and_total_match_r():
    # svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
    design = ss.SurveyDesign(read("apiclus1"), ids=["dnum"], weights="pw", fpc=["fpc"])
    mean = design.mean("api00")
    assert (round(mean.estimate, 2), printed(mean.se, 5)) == (644.17, 23.542)
    total = design.total("enroll")
    assert (round(total.estimate), round(total.se)) == (3404940, 932235)
    assert mean.df == total.df == 14  # 15 districts, one stratum


def test_mu284_two_stage_total_matches_r():
    # svydesign(id=~id1+id2, fpc=~n1+n2, data=mu284): weights from the fpc, full recursion
    design = ss.SurveyDesign(read("mu284"), ids=["id1", "id2"], fpc=["n1", "n2"])
    total = design.total("y1")
    assert (round(total.estimate), printed(total.se, 5)) == (15080, 2274.3)
    assert total.df == 4


def test_fpc_stratified_mean_matches_r_with_and_without_fpc():
    data = read("fpc")
    # svydesign(weights=~weight, ids=~psuid, strata=~stratid, data=fpc, nest=TRUE)
    without = ss.SurveyDesign(data, ids=["psuid"], strata="stratid", weights="weight",
                              nest=True).mean("x")
    assert (round(without.estimate, 4), round(without.se, 4)) == (5.4481, 0.7413)
    # ... and with fpc=~Nh, as counts and as fractions nh/Nh (R's fpc=~I(nh/Nh))
    data["fraction"] = data["nh"] / data["Nh"]
    for fpc in ("Nh", "fraction"):
        with_fpc = ss.SurveyDesign(data, ids=["psuid"], strata="stratid", weights="weight",
                                   nest=True, fpc=[fpc]).mean("x")
        assert round(with_fpc.estimate, 4) == 5.4481
        assert round(with_fpc.se, 3) == 0.616
        assert with_fpc.df == 8 - 2


def test_psu_labels_repeated_across_strata_need_nest():
    # psuid is 1..5 in stratum 1 and 1..3 in stratum 2: R stops without nest=TRUE
    with pytest.raises(ValueError, match="not nested in strata"):
        ss.SurveyDesign(read("fpc"), ids=["psuid"], strata="stratid", weights="weight")


# -- hand-written formulas ------------------------------------------------------------------

def test_one_stage_cluster_mean_from_psu_totals_by_hand():
    data = read("apiclus1")
    w, y = data["pw"].to_numpy(), data["api00"].to_numpy(float)
    ybar = np.sum(w * y) / np.sum(w)
    # linearised PSU totals of the ratio estimator, with the fpc 1 - n/N
    t = pd.Series(w * (y - ybar) / w.sum()).groupby(data["dnum"]).sum().to_numpy()
    n, big_n = t.size, 757
    se = np.sqrt((1 - n / big_n) * n / (n - 1) * np.sum((t - t.mean()) ** 2))
    got = ss.SurveyDesign(data, ids="dnum", weights="pw", fpc="fpc").mean("api00")
    np.testing.assert_allclose([got.estimate, got.se], [ybar, se], rtol=1e-12)
    lower, upper = got.ci(0.9)
    half = stats.t.ppf(0.95, n - 1) * se
    np.testing.assert_allclose([lower, upper], [ybar - half, ybar + half], rtol=1e-12)


def test_one_stage_cluster_total_with_design_weights_is_cochran():
    # weights from the fpc: N/n per district; Var = N^2 (1 - n/N) s_t^2 / n (Cochran 9A)
    data = read("apiclus1")
    totals = data.groupby("dnum")["enroll"].sum().to_numpy(float)
    n, big_n = totals.size, 757
    got = ss.SurveyDesign(data, ids=["dnum"], fpc=["fpc"]).total("enroll")
    np.testing.assert_allclose(got.estimate, big_n * totals.mean(), rtol=1e-12)
    np.testing.assert_allclose(got.se, np.sqrt(big_n ** 2 * (1 - n / big_n)
                                               * totals.var(ddof=1) / n), rtol=1e-12)


def test_mu284_total_is_the_two_stage_formula_of_sarndal():
    # Var = N1^2 (1 - f1) s_t^2 / n1 + (N1/n1) sum_i N2i^2 (1 - f2i) s_2i^2 / n2i
    data = read("mu284")
    groups = data.groupby("id1")
    n_i, big_n_i = groups.size(), groups["n2"].first()
    t_hat = big_n_i * groups["y1"].mean()
    n1, big_n1 = t_hat.size, data["n1"].iloc[0]
    stage1 = big_n1 ** 2 * (1 - n1 / big_n1) * t_hat.var(ddof=1) / n1
    stage2 = big_n1 / n1 * np.sum(big_n_i ** 2 * (1 - n_i / big_n_i)
                                  * groups["y1"].var(ddof=1) / n_i)
    got = ss.SurveyDesign(data, ids=["id1", "id2"], fpc=["n1", "n2"]).total("y1")
    np.testing.assert_allclose(got.estimate, big_n1 / n1 * t_hat.sum(), rtol=1e-12)
    np.testing.assert_allclose(got.se, np.sqrt(stage1 + stage2), rtol=1e-12)


def test_mu284_without_second_stage_fpc_is_the_ultimate_cluster_estimator():
    data = read("mu284")
    data["w"] = data["n1"] / 5 * data["n2"] / 3
    groups = data.groupby("id1")
    t_hat = groups["n2"].first() * groups["y1"].mean()
    n1, big_n1 = 5, 50
    expected = np.sqrt(big_n1 ** 2 * (1 - n1 / big_n1) * t_hat.var(ddof=1) / n1)
    for fpc in (["n1"], ["n1", None]):
        got = ss.SurveyDesign(data, ids=["id1", "id2"], fpc=fpc, weights="w").total("y1")
        np.testing.assert_allclose(got.se, expected, rtol=1e-12)
    # no fpc at all: with replacement, the factor 1 - n1/N1 goes
    got = ss.SurveyDesign(data, ids=["id1", "id2"], weights="w").total("y1")
    np.testing.assert_allclose(got.se, expected / np.sqrt(1 - n1 / big_n1), rtol=1e-12)


def three_stage_sample(seed):
    """A random three-stage sample with fpc at every stage (labels repeat within units)."""
    rng = np.random.default_rng(seed)
    rows = []
    n1, big_n1 = 4, 9
    for i in range(n1):
        n2 = int(rng.integers(2, 4))
        big_n2 = n2 + int(rng.integers(0, 4))
        for j in range(n2):
            n3 = int(rng.integers(2, 5))
            big_n3 = n3 + int(rng.integers(0, 6))
            for k in range(n3):
                rows.append({"a": f"psu{i}", "b": j, "c": k, "N1": big_n1, "N2": big_n2,
                             "N3": big_n3, "y": rng.normal(10 + i, 2) + rng.normal(0, 1) * j})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_three_stage_variance_is_the_recursive_unbiased_estimator(seed):
    # t_hat_ij = N3 ybar_ij; t_hat_i = (N2/n2) sum_j t_hat_ij; T = (N1/n1) sum_i t_hat_i
    # Var = N1^2 (1-f1) s1^2/n1 + (N1/n1) sum_i [N2i^2 (1-f2i) s2i^2/n2i
    #                                          + (N2i/n2i) sum_j N3ij^2 (1-f3ij) s3ij^2/n3ij]
    data = three_stage_sample(seed)
    ssu = data.groupby(["a", "b"]).agg(ybar=("y", "mean"), s2=("y", "var"), n3=("y", "size"),
                                       N3=("N3", "first"), N2=("N2", "first")).reset_index()
    ssu["t"] = ssu["N3"] * ssu["ybar"]
    ssu["v3"] = ssu["N3"] ** 2 * (1 - ssu["n3"] / ssu["N3"]) * ssu["s2"] / ssu["n3"]
    psu = ssu.groupby("a").agg(n2=("t", "size"), N2=("N2", "first"), tsum=("t", "sum"),
                               s2=("t", "var"), v3=("v3", "sum"))
    psu["t"] = psu["N2"] / psu["n2"] * psu["tsum"]
    psu["v"] = (psu["N2"] ** 2 * (1 - psu["n2"] / psu["N2"]) * psu["s2"] / psu["n2"]
                + psu["N2"] / psu["n2"] * psu["v3"])
    n1, big_n1 = len(psu), 9
    variance = (big_n1 ** 2 * (1 - n1 / big_n1) * psu["t"].var(ddof=1) / n1
                + big_n1 / n1 * psu["v"].sum())
    got = ss.SurveyDesign(data, ids=["a", "b", "c"], fpc=["N1", "N2", "N3"]).total("y")
    np.testing.assert_allclose(got.estimate, big_n1 / n1 * psu["t"].sum(), rtol=1e-12)
    np.testing.assert_allclose(got.se ** 2, variance, rtol=1e-10)
    # the last stage as element sampling (every row its own unit) is the same design
    same = ss.SurveyDesign(data, ids=["a", "b", None], fpc=["N1", "N2", "N3"]).total("y")
    np.testing.assert_allclose(same.se, got.se, rtol=1e-12)


def test_stratified_srs_mean_is_the_textbook_formula():
    # stratified SRS: Var(ybar_st) = sum_h W_h^2 (1 - f_h) s_h^2 / n_h (Cochran 5.3)
    data = read("fpc")
    data["unit"] = np.arange(len(data))
    got = ss.SurveyDesign(data, ids=[None], strata="stratid", fpc=["Nh"]).mean("x")
    by = data.groupby("stratid")["x"]
    big_n = data.groupby("stratid")["Nh"].first()
    share = big_n / big_n.sum()
    expected_mean = np.sum(share * by.mean())
    expected_var = np.sum(share ** 2 * (1 - by.size() / big_n) * by.var(ddof=1) / by.size())
    np.testing.assert_allclose([got.estimate, got.se ** 2], [expected_mean, expected_var],
                               rtol=1e-12)
    assert got.df == 8 - 2


def test_design_effects_by_hand():
    # R: deff = v / [(1 - n / sum w) s_w^2 / n], s_w^2 the weighted variance with n/(n-1)
    data = read("apiclus1")
    w, y = data["pw"].to_numpy(), data["api00"].to_numpy(float)
    n, w_sum = y.size, w.sum()
    ybar = np.sum(w * y) / w_sum
    s2 = np.sum(w * (y - ybar) ** 2) / w_sum * n / (n - 1)
    mean = ss.SurveyDesign(data, ids="dnum", weights="pw", fpc="fpc").mean("api00")
    np.testing.assert_allclose(mean.deff, mean.variance / ((1 - n / w_sum) * s2 / n), rtol=1e-12)
    np.testing.assert_allclose(mean.deff_replace, mean.variance / (s2 / n), rtol=1e-12)
    assert mean.deff > mean.deff_replace > 1  # clustered: less precise than SRS
    # a total's reference variance is (sum w)^2 times the mean's
    e = data["enroll"].to_numpy(float)
    ebar = np.sum(w * e) / w_sum
    s2e = np.sum(w * (e - ebar) ** 2) / w_sum * n / (n - 1)
    total = ss.SurveyDesign(data, ids="dnum", weights="pw", fpc="fpc").total("enroll")
    np.testing.assert_allclose(total.deff, total.variance / (w_sum ** 2 * (1 - n / w_sum)
                                                             * s2e / n), rtol=1e-12)


def test_srs_deff_is_one_and_se_is_textbook():
    rng = np.random.default_rng(4)
    y = rng.normal(size=40)
    got = ss.SurveyDesign({"y": y, "N": np.full(40, 1000)}, ids=[None], fpc=["N"]).mean("y")
    np.testing.assert_allclose(got.se, np.sqrt((1 - 40 / 1000) * y.var(ddof=1) / 40),
                               rtol=1e-12)
    np.testing.assert_allclose(got.deff, 1.0, rtol=1e-12)
    assert got.df == 39


# -- missing values: a domain, the design kept whole ----------------------------------------

def cluster_data_with_missing():
    data = read("apiclus1")[["dnum", "pw", "fpc", "api00"]].copy()
    y = data["api00"].astype(float)
    first_district = data["dnum"] == data["dnum"].iloc[0]
    y[first_district] = np.nan            # a whole PSU without data
    y.iloc[[20, 40, 41, 100]] = np.nan    # scattered missing values
    data["y"] = y
    return data


def test_missing_values_are_a_domain_by_hand():
    data = cluster_data_with_missing()
    observed = data["y"].notna().to_numpy()
    w = data["pw"].to_numpy() * observed
    y = data["y"].fillna(0.0).to_numpy()
    ybar = np.sum(w * y) / w.sum()
    # every one of the 15 sampled PSUs counts, the empty one with a zero total
    t = pd.Series(w * (y - ybar) / w.sum()).groupby(data["dnum"]).sum().to_numpy()
    assert t.size == 15
    se = np.sqrt((1 - 15 / 757) * 15 / 14 * np.sum((t - t.mean()) ** 2))
    got = ss.SurveyDesign(data, ids="dnum", weights="pw", fpc="fpc").mean("y", na_rm=True)
    np.testing.assert_allclose([got.estimate, got.se], [ybar, se], rtol=1e-12)
    assert got.n == observed.sum()
    assert got.df == 14 - 1  # PSUs with data minus strata, as R's degf
    # not the same as dropping the rows (which loses the empty PSU)
    dropped = ss.SurveyDesign(data.dropna(), ids="dnum", weights="pw", fpc="fpc").mean("y")
    assert dropped.estimate == pytest.approx(got.estimate, rel=1e-12)
    assert abs(dropped.se - got.se) > 1e-3 * got.se


def test_missing_values_total_is_a_domain_total_by_hand():
    data = cluster_data_with_missing()
    z = (data["pw"] * data["y"].fillna(0.0)).to_numpy()
    t = pd.Series(z).groupby(data["dnum"]).sum().to_numpy()
    se = np.sqrt((1 - 15 / 757) * 15 / 14 * np.sum((t - t.mean()) ** 2))
    got = ss.SurveyDesign(data, ids="dnum", weights="pw", fpc="fpc").total("y", na_rm=True)
    np.testing.assert_allclose([got.estimate, got.se], [z.sum(), se], rtol=1e-12)


# -- the result object ----------------------------------------------------------------------

def test_result_frame_and_repr():
    design = ss.SurveyDesign(read("apiclus1"), ids=["dnum"], weights="pw", fpc=["fpc"])
    mean = design.mean("api00")
    row = mean.to_frame(level=0.9)
    assert row.shape[0] == 1
    assert row.loc[0, "statistic"] == "mean" and row.loc[0, "variable"] == "api00"
    assert (row.loc[0, "lower"], row.loc[0, "upper"]) == mean.ci(0.9)
    assert row.loc[0, "df"] == 14 and row.loc[0, "level"] == 0.9
    text = repr(mean)
    assert "644.169" in text and "23.542" in text and "api00" in text
    assert "15 PSUs" in repr(design) and "ids=~dnum" in repr(design)
    assert (design.n_psu, design.n_strata, design.df) == (15, 1, 14)
