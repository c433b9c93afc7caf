"""One PPS sample analysed as R survey's ``svydesign(..., pps=..., variance=...)`` does.

``tests/data/r/pps_survey.csv`` was written by ``tests/data/r/pps_fixtures.R`` on
survey's ``election_pps`` sample (40 counties drawn with probability
proportional to votes) and its joint probabilities ``election_jointprob``
(``tests/data/r/pps_election.csv``): totals and means of Bush and Kerry under
``ppsmat`` (HT and YG), Brewer's, Overton's (HT and YG) and Hartley-Rao's
approximations and the with-replacement design. They must agree to 1e-9.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample.survey import HR, SurveyDesign

R_DIR = Path(__file__).resolve().parent.parent / "data" / "r"


@pytest.fixture(scope="module")
def election():
    frame = pd.read_csv(R_DIR / "pps_election.csv")
    joint = frame.iloc[:, 4:].to_numpy()
    return frame.iloc[:, :4], joint


def _design(name, frame, joint):
    n = len(frame)
    psum = float(np.sum(frame["p"] ** 2) / n)
    spec = {"ppsmat_HT": dict(pps=joint), "ppsmat_YG": dict(pps=joint, variance="YG"),
            "brewer": dict(pps="brewer"), "overton_HT": dict(pps="overton"),
            "overton_YG": dict(pps="overton", variance="YG"),
            "HR_psum": dict(pps=HR(psum)), "HR_psum_YG": dict(pps=HR(psum), variance="YG"),
            "HR_sample": dict(pps=HR())}
    if name == "wr":
        return SurveyDesign(frame.assign(w=1.0 / frame["p"]), ids=[None], weights="w")
    return SurveyDesign(frame, ids=[None], probs="p", **spec[name])


def test_every_pps_option_agrees_with_r(election):
    frame, joint = election
    reference = pd.read_csv(R_DIR / "pps_survey.csv")
    assert len(reference) == 36
    for row in reference.itertuples():
        design = _design(row.design, frame, joint)
        est = getattr(design, row.statistic)(row.variable)
        assert est.estimate == pytest.approx(row.estimate, rel=1e-9), row
        assert est.se == pytest.approx(row.se, rel=1e-9), row
        assert design.df == row.df


def test_the_variance_options_span_the_published_range(election):
    """The issue's point: one total's SE ranges from about 2.41 to 2.94 million."""
    frame, joint = election
    ses = [_design(name, frame, joint).total("Bush").se
           for name in ("ppsmat_YG", "brewer", "overton_HT", "overton_YG", "HR_sample")]
    assert min(ses) == pytest.approx(2.41e6, rel=0.01)
    assert max(ses) == pytest.approx(2.94e6, rel=0.01)


def test_refusals_are_one_line(election):
    frame, joint = election
    with pytest.raises(ValueError, match="needs 'probs'"):
        SurveyDesign(frame, ids=[None], pps="brewer")
    with pytest.raises(ValueError, match="only variance='HT'"):
        SurveyDesign(frame, ids=[None], probs="p", pps="brewer", variance="YG")
    with pytest.raises(ValueError, match="40 x 40"):
        SurveyDesign(frame, ids=[None], probs="p", pps=joint[:3, :3])
    with pytest.raises(ValueError, match="'HT' or 'YG'"):
        SurveyDesign(frame, ids=[None], probs="p", pps="overton", variance="SYG")


def test_an_engine_sample_analysed_with_its_exact_joint_probabilities_is_ht_t():
    """A one-stage PPS sample's frame, with pps= its groups' pi_kl, gives the loop's ht_t
    and syg_t for the total (the loop divides by N)."""
    pop = ss.two_level(n_groups=10, group_size=[3, 4, 5, 6, 7] * 2, seed=4)
    design = ss.PPS(3, None, method="sampford")
    sample = design.draw(pop, seed=11)
    frame = sample.to_frame()
    joint = design.joint_inclusion_probabilities(pop)
    groups = sample.groups
    loop = sample.estimate(methods=["ht_t", "syg_t", "brewer_t"]).set_index("method")
    for variance, method in (("HT", "ht_t"), ("YG", "syg_t")):
        survey = SurveyDesign(frame, ids=["group"], probs="pi",
                              pps=joint[np.ix_(groups, groups)], variance=variance)
        total = survey.total("y")
        assert total.estimate / pop.n_units == pytest.approx(loop.loc[method, "estimate"],
                                                             rel=1e-12)
        assert total.se / pop.n_units == pytest.approx(loop.loc[method, "se"], rel=1e-12)
    brewer = SurveyDesign(frame, ids=["group"], probs="pi", pps="brewer").total("y")
    assert brewer.se / pop.n_units == pytest.approx(loop.loc["brewer_t", "se"], rel=1e-12)
