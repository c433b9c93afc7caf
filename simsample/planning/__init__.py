"""Survey-design planning: cost-optimal cluster samples, variance components, verification.

* :mod:`.optimal` — :func:`optimal_design`, :func:`optimal_three_stage` (the
  :class:`SurveyPlan` a planner fields);
* :mod:`.components` — :func:`variance_components` of a real population (delta, B^2, W^2);
* :mod:`.verify` — :func:`verify` draws the planned design many times; :func:`budget_curve`.

Examples
--------
>>> import simsample as ss
>>> plan = ss.planning.optimal_design(delta=0.05, cost_cluster=750, cost_unit=100,
...                                   budget=100_000)
>>> plan.clusters, plan.per_cluster, plan.cost
(54, 11, 99900.0)
"""

from .components import VarianceComponents, variance_components
from .optimal import Plan, optimal_design, optimal_three_stage
from .model import Allocation
from .plan import SurveyPlan
from .budget import budget_curve
from .verify import Verification, synthetic_population, verify

__all__ = ["Allocation", "Plan", "SurveyPlan", "VarianceComponents", "Verification",
           "budget_curve", "optimal_design", "optimal_three_stage", "synthetic_population",
           "variance_components", "verify"]
