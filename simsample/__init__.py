"""simsample: sampling-design simulation for multilevel (hierarchical) data.

>>> import simsample as ss
>>> pop = ss.two_level(n_groups=100, group_size=50, icc=0.2, seed=1)
>>> study = ss.simulate(pop, {"SRS": ss.SRS(100), "two-stage": ss.TwoStage(10, 10)},
...                     reps=2_000, seed=2)
>>> sorted(study.summary()["method"].unique())
['cluster_t', 'naive_t']
"""

from . import datasets, effects, planning, scenarios, sizes, survey, theory
from ._validation import InfeasibleDesignError, InvalidParameterError, SimsampleWarning
from .designs import PPS, SRS, ClusterSample, Design, Sample, Stratified, ThreeStage, TwoStage
from .effects_population import covariate_population
from .engine import simulate
from .population import Population, binary_two_level, three_level, two_level
from .results import RatioEstimate, Study
from .studies import run_study
from .survey import SurveyDesign

__version__ = "0.1.0"

__all__ = [
    "ClusterSample", "Design", "InfeasibleDesignError", "InvalidParameterError", "PPS",
    "Population", "RatioEstimate", "SRS", "Sample", "SimsampleWarning", "Stratified", "Study",
    "SurveyDesign", "ThreeStage", "TwoStage", "binary_two_level", "covariate_population",
    "datasets", "effects", "planning", "run_study", "scenarios", "simulate", "sizes", "survey",
    "theory", "three_level", "two_level",
]
