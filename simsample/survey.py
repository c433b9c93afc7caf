"""``simsample.survey``: the public name of one-sample survey analysis (R's svydesign).

The code lives in :mod:`simsample.analysis.survey`; this module keeps the
name that users and DESIGN.md import from.

Examples
--------
>>> import simsample as ss
>>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
>>> frame = ss.TwoStage(8, 5).draw(pop, seed=2).to_frame()
>>> design = ss.survey.SurveyDesign(frame, ids=["group", None], fpc=["fpc1", "fpc2"])
>>> design.mean("y")
SurveyEstimate(mean of 'y' = 0.130906, SE 0.16196, df 7, deff 1.135, n 40)
"""

from .analysis.pps_variance import HR
from .analysis.survey import SurveyDesign, SurveyEstimate, SurveyTable, SurveyTTest, sample_frame

__all__ = ["HR", "SurveyDesign", "SurveyEstimate", "SurveyTTest", "SurveyTable", "sample_frame"]
