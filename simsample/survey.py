"""``simsample.survey``: the public name of one-sample survey analysis (R's svydesign).

The code lives in :mod:`simsample.analysis.survey`; this module keeps the
name that users and DESIGN.md import from.
"""

from .analysis.pps_variance import HR
from .analysis.survey import SurveyDesign, SurveyEstimate, SurveyTable, SurveyTTest, sample_frame

__all__ = ["HR", "SurveyDesign", "SurveyEstimate", "SurveyTTest", "SurveyTable", "sample_frame"]
