"""SurveyDesign: bad input fails with a clear message; invariances that must hold."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simsample as ss
from simsample.survey import SurveyDesign


def clustered(seed: int = 0, n_psu: int = 6, strata: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_psu):
        for _ in range(int(rng.integers(2, 6))):
            rows.append({"psu": p, "stratum": p % strata, "N": 20 + 5 * (p % strata),
                         "M": 10, "w": float(rng.uniform(1, 5)), "y": float(rng.normal(p, 1))})
    return pd.DataFrame(rows)


# -- errors ---------------------------------------------------------------------------------

def test_single_psu_stratum_is_refused():
    data = clustered(n_psu=5, strata=2)
    data.loc[data["psu"] == 4, "stratum"] = 7  # stratum 7 holds one PSU
    with pytest.raises(ValueError, match=r"single PSU.*stratum 7"):
        SurveyDesign(data, ids=["psu"], strata="stratum", weights="w")
    with pytest.raises(ValueError, match="single PSU"):
        SurveyDesign(data[data["psu"] == 0], ids=["psu"], weights="w")


def test_single_psu_sampled_with_certainty_is_allowed():
    # a stratum whose only PSU is the whole stratum (fpc = 1) has no variance to estimate
    data = clustered(n_psu=5, strata=2)
    data.loc[data["psu"] == 4, "stratum"] = 7
    data.loc[data["psu"] == 4, "N"] = 1
    design = SurveyDesign(data, ids=["psu"], strata="stratum", weights="w", fpc=["N"])
    with_it = design.total("y")
    without = SurveyDesign(data[data["psu"] != 4], ids=["psu"], strata="stratum", weights="w",
                           fpc=["N"]).total("y")
    np.testing.assert_allclose(with_it.se, without.se, rtol=1e-12)


def test_psus_crossing_strata_are_refused_unless_nest():
    data = clustered(n_psu=6, strata=2)
    data["label"] = data["psu"] // 2  # labels 0, 1, 2 each used in both strata
    with pytest.raises(ValueError, match=r"not nested in strata.*nest=True"):
        SurveyDesign(data, ids=["label"], strata="stratum", weights="w")
    nested = SurveyDesign(data, ids=["label"], strata="stratum", weights="w", nest=True)
    unique = SurveyDesign(data, ids=["psu"], strata="stratum", weights="w")
    assert nested.n_psu == 6
    np.testing.assert_allclose(nested.mean("y").se, unique.mean("y").se, rtol=1e-12)


def test_later_stage_labels_are_read_within_their_psu():
    # as R does: stage-2 labels 0, 1, ... repeat in every PSU and name different units
    data = clustered(n_psu=4, strata=1)
    data["ssu"] = data.groupby("psu").cumcount() // 2
    data["ssu_global"] = data["psu"] * 100 + data["ssu"]
    data["M"] = 8
    a = SurveyDesign(data, ids=["psu", "ssu"], fpc=["N", "M"]).total("y")
    b = SurveyDesign(data, ids=["psu", "ssu_global"], fpc=["N", "M"]).total("y")
    assert (a.estimate, a.se) == (b.estimate, b.se)


def test_fpc_smaller_than_sample_is_refused():
    data = clustered(n_psu=6, strata=1)
    data["N"] = 5  # 6 PSUs sampled
    with pytest.raises(ValueError, match=r"'N'.*smaller than the number of units sampled"):
        SurveyDesign(data, ids=["psu"], fpc=["N"])
    data["M"] = 2  # stage 2: fewer units than rows sampled in a PSU
    data["N"] = 10
    assert data.groupby("psu").size().max() > 2
    with pytest.raises(ValueError, match=r"'M' \(stage 2\).*smaller"):
        SurveyDesign(data, ids=["psu", None], fpc=["N", "M"])


def test_fpc_mixing_counts_and_fractions_or_varying_is_refused():
    data = clustered(n_psu=6, strata=2)
    data["mixed"] = np.where(data["stratum"] == 0, 0.5, 30.0)
    with pytest.raises(ValueError, match="population counts .* or sampling fractions"):
        SurveyDesign(data, ids=["psu"], strata="stratum", fpc=["mixed"])
    data["varying"] = 20.0 + np.arange(len(data))
    with pytest.raises(ValueError, match="constant within each stratum"):
        SurveyDesign(data, ids=["psu"], strata="stratum", fpc=["varying"])
    data["bad"] = -1.0
    with pytest.raises(ValueError, match="positive"):
        SurveyDesign(data, ids=["psu"], fpc=["bad"])


def test_bad_weights_are_refused():
    data = clustered()
    for value in (0.0, -2.0, np.nan):
        data["bad"] = data["w"]
        data.loc[3, "bad"] = value
        with pytest.raises(ValueError, match=r"'weights' column 'bad'.*1 missing, non-numeric or non-positive"):
            SurveyDesign(data, ids=["psu"], weights="bad")


def test_unknown_columns_and_bad_arguments_are_refused():
    data = clustered()
    cases = [
        (dict(ids=["nope"]), r"'ids'.*'nope'"),
        (dict(ids=["psu"], fpc=["nope"]), r"'fpc'.*'nope'"),
        (dict(ids=["psu"], strata="nope"), r"'strata'.*'nope'"),
        (dict(ids=["psu"], weights="nope"), r"'weights'.*'nope'"),
        (dict(ids=[]), "at least one stage"),
        (dict(ids=[None, "psu"]), "only be the last stage"),
        (dict(ids=["psu", None], fpc=[None, "M"]), "stage 2 has an fpc"),
        (dict(ids=["psu"], fpc=["N", "M"]), "at most one entry per stage"),
        (dict(ids=["psu"], weights="w", nest="yes"), "'nest'"),
        (dict(ids=[3]), "column names"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            SurveyDesign(data, **kwargs)
    design = SurveyDesign(data, ids=["psu"], weights="w")
    with pytest.raises(ValueError, match=r"'variable'.*'nope'"):
        design.mean("nope")
    with pytest.raises(ValueError, match="'data'"):
        SurveyDesign([1, 2, 3], ids=[None])
    with pytest.raises(ValueError, match="equal lengths"):
        SurveyDesign({"a": [1, 2], "b": [1]}, ids=[None])


def test_missing_ids_or_values_are_refused_with_the_count():
    data = clustered()
    data["y2"] = data["y"]
    data.loc[[1, 4, 7], "y2"] = np.nan
    design = SurveyDesign(data, ids=["psu"], weights="w")
    with pytest.raises(ValueError, match=r"column 'y2' has 3 missing value\(s\).*na_rm=True"):
        design.mean("y2")
    with pytest.raises(ValueError, match=r"'y2' has 3 missing"):
        design.total("y2")
    data["psu2"] = data["psu"].astype(float)
    data.loc[2, "psu2"] = np.nan
    with pytest.raises(ValueError, match=r"'ids' column 'psu2'.*1 missing"):
        SurveyDesign(data, ids=["psu2"], weights="w")


def test_no_weights_and_no_fpc_warns_and_uses_equal_weights():
    data = clustered()
    with pytest.warns(ss.SimsampleWarning, match="equal probability"):
        design = SurveyDesign(data, ids=["psu"])
    np.testing.assert_array_equal(design.weights, 1.0)
    assert design.mean("y").estimate == pytest.approx(data["y"].mean(), rel=1e-12)


def test_weights_derive_from_fpc_stage_by_stage():
    data = clustered(n_psu=4, strata=1)
    design = SurveyDesign(data, ids=["psu", None], fpc=["N", "M"])
    taken = data.groupby("psu")["y"].transform("size")
    np.testing.assert_allclose(design.weights, 20 / 4 * 10 / taken, rtol=1e-12)


def test_mapping_data_and_string_ids_are_accepted():
    data = clustered()
    as_dict = {c: data[c].to_numpy() for c in data.columns}
    a = SurveyDesign(as_dict, ids="psu", weights="w", strata="stratum").mean("y")
    b = SurveyDesign(data, ids=["psu"], weights="w", strata="stratum").mean("y")
    assert (a.estimate, a.se, a.df) == (b.estimate, b.se, b.df)
    one = SurveyDesign(data, ids="1", weights="w").mean("y")
    none = SurveyDesign(data, ids=None, weights="w").mean("y")
    assert (one.se, one.df) == (none.se, none.df) == (one.se, len(data) - 1)


# -- invariances ----------------------------------------------------------------------------

@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.01, 100.0))
def test_row_order_labels_and_weight_scale_do_not_change_the_mean(seed, scale):
    data = clustered(seed % 1000, n_psu=6, strata=2)
    base = SurveyDesign(data, ids=["psu"], strata="stratum", weights="w", fpc=["N"]).mean("y")
    rng = np.random.default_rng(seed)
    shuffled = data.iloc[rng.permutation(len(data))].copy()
    shuffled["psu"] = shuffled["psu"].map({p: f"district-{(p * 7) % 11}" for p in range(6)})
    shuffled["w"] = shuffled["w"] * scale
    other = SurveyDesign(shuffled, ids=["psu"], strata="stratum", weights="w",
                         fpc=["N"]).mean("y")
    np.testing.assert_allclose([other.estimate, other.se], [base.estimate, base.se], rtol=1e-10)
    assert other.df == base.df == 6 - 2


@given(seed=st.integers(0, 2**32 - 1), level=st.floats(0.5, 0.999))
def test_interval_is_t_with_design_df_and_contains_the_estimate(seed, level):
    from scipy import stats

    data = clustered(seed % 1000, n_psu=5, strata=1)
    est = SurveyDesign(data, ids=["psu"], weights="w", fpc=["N"]).total("y")
    lower, upper = est.ci(level)
    half = stats.t.ppf(0.5 + level / 2, 4) * est.se
    np.testing.assert_allclose([lower, upper], [est.estimate - half, est.estimate + half],
                               rtol=1e-9)
    assert lower <= est.estimate <= upper


@given(seed=st.integers(0, 2**32 - 1))
def test_fpc_as_counts_or_fractions_agree(seed):
    data = clustered(seed % 1000, n_psu=6, strata=2)
    n_h = data.groupby("stratum")["psu"].transform("nunique")
    data["f"] = n_h / data["N"]
    a = SurveyDesign(data, ids=["psu"], strata="stratum", fpc=["N"]).mean("y")
    b = SurveyDesign(data, ids=["psu"], strata="stratum", fpc=["f"]).mean("y")
    np.testing.assert_allclose([a.estimate, a.se], [b.estimate, b.se], rtol=1e-12)
