"""Replicate-weight designs (JK1, JKn, bootstrap, BRR/Fay) and the in-loop resampling kernels.

References: R survey 4.1 ``as.svrepdesign`` (tests/data/r/replicate_fixtures.R writes
the CSVs) and, for linear statistics, the linearisation variance of SurveyDesign.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simsample as ss
from simsample._rng import as_seed_sequence, xoshiro_state
from simsample._validation import InvalidParameterError
from simsample.estimands import _cluster_kernels as K
from simsample.analysis.replicate import replicate_design
from simsample.survey import SurveyDesign
from tests.helpers import assert_mc_close

DATA = Path(__file__).resolve().parents[1] / "data"
R_DIR = DATA / "r"
REFERENCE = pd.read_csv(R_DIR / "replicate_reference.csv")
BOOT_WEIGHTS = pd.read_csv(R_DIR / "bootstrap_weights.csv")


def _designs():
    clus1 = pd.read_csv(DATA / "apiclus1.csv")
    strat = pd.read_csv(R_DIR.parent / "apistrat.csv")
    brr = pd.read_csv(R_DIR / "brr_data.csv")
    designs = {
        "clus1_fpc": SurveyDesign(clus1, ids=["dnum"], weights="pw", fpc=["fpc"]),
        "clus1": SurveyDesign(clus1, ids=["dnum"], weights="pw"),
        "strat_fpc": SurveyDesign(strat, ids=[None], strata="stype", weights="pw", fpc=["fpc"]),
        "strat": SurveyDesign(strat, ids=[None], strata="stype", weights="pw"),
        "mu284": SurveyDesign(pd.read_csv(DATA / "mu284.csv"), ids=["id1", "id2"],
                              fpc=["n1", "n2"]),
    }
    for name in ("brr7", "brr5"):
        designs[name] = SurveyDesign(brr[brr.dataset == name], ids=["psu"], strata="stratum",
                                     weights="weight", nest=True)
    return designs


DESIGNS = _designs()


def _r_bootstrap_weights(name):
    """R's bootstrap multipliers, PSUs in the design's order of first appearance."""
    design = DESIGNS[name]
    table = BOOT_WEIGHTS[BOOT_WEIGHTS.design == name].pivot(
        index="psu", columns="replicate", values="weight")
    column = design.ids[0]
    order = pd.unique(design.data[column]) if column else np.arange(1, len(design.data) + 1)
    return table.loc[order].to_numpy()


def _case_id(r):
    return f"{r.design}-{r.kind}-mse{r.mse}-{r.statistic}-{r.variable}"


@pytest.mark.parametrize("row", [r for _, r in REFERENCE.iterrows()], ids=_case_id)
def test_matches_r_survey(row):
    kwargs = {"mse": bool(row.mse)}
    if row.kind == "bootstrap":  # R's own replicates: the SE formula must give R's SE
        kwargs["replicates"] = _r_bootstrap_weights(row.design)
    if row.kind == "Fay":
        kwargs["fay_rho"] = 0.5
    rep = replicate_design(DESIGNS[row.design], row.kind, **kwargs)
    est = getattr(rep, row.statistic)(row.variable)
    assert est.estimate == pytest.approx(row.estimate, rel=1e-9)
    assert est.se == pytest.approx(row.se, rel=1e-9)
    assert est.df == row.df


def test_survey_design_replicate_delegates():
    design = DESIGNS["clus1_fpc"]
    a = design.replicate("JK1", mse=True).mean("api00")
    b = replicate_design(design, "JK1", mse=True).mean("api00")
    assert (a.estimate, a.se, a.df) == (b.estimate, b.se, b.df)
    lower, upper = a.ci(0.9)
    from scipy import stats

    assert upper - a.estimate == pytest.approx(stats.t.ppf(0.95, a.df) * a.se, rel=1e-12)
    assert a.ci(0.9, dist="normal")[1] - a.estimate == pytest.approx(
        stats.norm.ppf(0.95) * a.se, rel=1e-12)


@settings(deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 12), fpc=st.booleans())
def test_jk1_of_a_total_is_the_linearisation_variance(seed, k, fpc):
    """For a linear statistic JK1 (with the fpc factor) is exactly the svyrecvar estimator."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 6, size=k)
    frame = pd.DataFrame({"psu": np.repeat(np.arange(k), sizes),
                          "y": rng.normal(size=sizes.sum()),
                          "w": np.repeat(rng.uniform(1, 5, size=k), sizes),
                          "N": k + 7})
    design = SurveyDesign(frame, ids=["psu"], weights="w", fpc=["N"] if fpc else None)
    assert design.replicate("JK1").total("y").se == pytest.approx(design.total("y").se,
                                                                 rel=1e-10)


@pytest.mark.parametrize("name", ["brr7", "brr5"])
def test_brr_of_a_total_is_the_with_replacement_variance(name):
    design = DESIGNS[name]
    for variable in ("y", "x"):
        assert design.replicate("BRR").total(variable).se == pytest.approx(
            design.total(variable).se, rel=1e-10)


def test_bootstrap_is_reproducible_from_its_seed():
    design = DESIGNS["clus1_fpc"]
    a = design.replicate("bootstrap", replicates=30, seed=5).mean("api00")
    b = design.replicate("bootstrap", replicates=30, seed=5).mean("api00")
    c = design.replicate("bootstrap", replicates=30, seed=6).mean("api00")
    np.testing.assert_array_equal(a.replicates, b.replicates)
    assert a.se == b.se != c.se
    assert a.df == 14


@pytest.mark.statistical
def test_bootstrap_variance_of_a_total_is_unbiased_for_the_with_replacement_variance(
        global_seed):
    """Without fpc, E*(v) = n/(n-1) sum (t_j - tbar)^2 exactly: average over seeds."""
    design = DESIGNS["clus1"]
    target = design.total("enroll").se ** 2
    root = np.random.SeedSequence(global_seed)
    v = np.array([design.replicate("bootstrap", replicates=50, seed=s).total("enroll").se ** 2
                  for s in root.spawn(300)])
    assert_mc_close(v.mean(), target, v.std(ddof=1) / np.sqrt(v.size))


def test_bad_input_names_the_parameter():
    with pytest.raises(InvalidParameterError, match="'kind'.*got 'jk'"):
        replicate_design(DESIGNS["clus1"], "jk")
    with pytest.raises(InvalidParameterError, match="JK1.*without strata"):
        replicate_design(DESIGNS["strat"], "JK1")
    with pytest.raises(InvalidParameterError, match="'JKn' needs strata"):
        replicate_design(DESIGNS["clus1"], "JKn")
    with pytest.raises(InvalidParameterError, match="exactly 2 PSUs"):
        replicate_design(DESIGNS["strat"], "BRR")
    with pytest.raises(InvalidParameterError, match="'fay_rho'.*0 for kind='BRR'"):
        replicate_design(DESIGNS["brr5"], "BRR", fay_rho=0.3)
    with pytest.raises(InvalidParameterError, match=r"'replicates'.*n_psu = 15.*\(3, 2\)"):
        replicate_design(DESIGNS["clus1"], "bootstrap", replicates=np.ones((3, 2)))
    with pytest.raises(InvalidParameterError, match="'replicates'.*>= 2; got 1"):
        replicate_design(DESIGNS["clus1"], "bootstrap", replicates=1)


# -- in-loop kernels equal the one-sample API on drawn samples -------------------------------

def _form(sample, pop):
    if isinstance(sample.design, ss.SRS):
        n = sample.size
        return sample.y, np.arange(n + 1), np.ones(n), n, pop.n_units, pop.n_units
    return (sample.y, sample.psu_start, sample.psu_size, sample.groups.size, pop.n_units,
            pop.n_groups)


def _samples(seed, k):
    pop = ss.two_level(n_groups=20, group_size=list(range(3, 23)), icc=0.3, seed=seed)
    return pop, [ss.TwoStage(k, 3).draw(pop, seed), ss.ClusterSample(k).draw(pop, seed),
                 ss.SRS(2 * k).draw(pop, seed)]


@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 12))
def test_jk1_kernel_equals_replicate_design(seed, k):
    pop, samples = _samples(seed, k)
    out = np.empty(3)
    for sample in samples:
        K.jk1_ratio_mean(*_form(sample, pop), out)
        est = SurveyDesign.from_sample(sample).replicate("JK1").mean("y")
        np.testing.assert_allclose(out, [est.estimate, est.se, est.df], rtol=1e-10)


@settings(deadline=None, max_examples=10)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 12))
def test_bootstrap_kernel_equals_replicate_design(seed, k):
    pop, samples = _samples(seed, k)
    out = np.empty(3)
    for sample in samples:
        K.bootstrap_ratio_mean(*_form(sample, pop), xoshiro_state(as_seed_sequence(seed)), out)
        est = SurveyDesign.from_sample(sample).replicate(
            "bootstrap", replicates=K.BOOT_REPLICATES, seed=seed).mean("y")
        assert out[0] == pytest.approx(est.estimate, rel=1e-10)
        assert out[1] == pytest.approx(est.se, rel=1e-10)
        assert out[2] == _form(sample, pop)[3] - 1
