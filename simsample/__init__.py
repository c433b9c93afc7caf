"""simsample: sampling-design simulation for multilevel (hierarchical) data.

>>> import simsample as ss
>>> pop = ss.two_level(n_groups=100, group_size=50, icc=0.2, seed=1)
>>> study = ss.simulate(pop, {"SRS": ss.SRS(100), "two-stage": ss.TwoStage(10, 10)},
...                     reps=2_000, seed=2)
>>> sorted(study.summary()["method"].unique())
['cluster_t', 'naive_t']
"""

from . import theory
from ._validation import InfeasibleDesignError, InvalidParameterError, SimsampleWarning
from .designs import SRS, ClusterSample, Design, Sample, TwoStage
from .engine import simulate
from .population import Population, two_level
from .results import RatioEstimate, Study
from .studies import run_study

__version__ = "0.1.0"

__all__ = [
    "ClusterSample", "Design", "InfeasibleDesignError", "InvalidParameterError", "Population",
    "RatioEstimate", "SRS", "Sample", "SimsampleWarning", "Study", "TwoStage", "simulate",
    "theory", "two_level",
    "run_study",
]
