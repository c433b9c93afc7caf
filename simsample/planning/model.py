"""The cost and precision model of a survey plan: clusters, units, costs, CV.

:class:`Model` holds the stages' costs and measures of homogeneity and gives the
cost-optimal subsample sizes (Valliant, Dever and Kreuter 2018, sect. 9.3);
:class:`Scale` turns a number of clusters and sizes into an :class:`Allocation`
(its units, cost, CV, SE and margin of error). :class:`~.plan.SurveyPlan` holds
both the continuous optimum and the integer design to field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Slack for float error when rounding a number of clusters (51.999999999 is 52).
EPS = 1e-9


@dataclass(frozen=True)
class Allocation:
    """A cluster-sample allocation and its precision.

    ``per_subcluster`` is None for two stages. ``cost`` includes the overhead.
    ``se`` and ``moe`` (z * se at the plan's level) are NaN when the plan
    does not know the unit standard deviation.

    Parameters
    ----------
    clusters : float
        Sampled clusters n (continuous at the optimum, whole in the integer design).
    per_cluster : float
        Units (three stages: secondary units) per sampled cluster.
    per_subcluster : float or None
        Units per secondary unit (three stages), None for two stages.
    cost : float
        Total cost, overhead included.
    cv : float
        Coefficient of variation of the estimated mean.
    se : float
        Its standard error, in units of y (NaN without the unit SD).
    moe : float
        Margin of error z * se (NaN without the unit SD).

    Examples
    --------
    >>> import simsample as ss
    >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
    ...                                   budget=2000)
    >>> plan.integer.clusters, plan.integer.per_cluster, plan.integer.cost
    (10.0, 10.0, 2000.0)
    """

    clusters: float
    per_cluster: float
    per_subcluster: float | None
    cost: float
    cv: float
    se: float
    moe: float

    @property
    def units(self) -> float:
        """Sampled units: clusters x per_cluster (x per_subcluster).

        Returns
        -------
        float
            The number of sampled units.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> plan.integer.units
        100.0
        """
        return self.clusters * self.per_cluster * (self.per_subcluster or 1.0)


@dataclass(frozen=True)
class Model:
    """Costs and variance model of a two- or three-stage design (PracTools)."""

    costs: tuple[float, ...]   # (C1, C2) or (C1, C2, C3)
    deltas: tuple[float, ...]  # (delta,) or (delta1, delta2)
    ks: tuple[float, ...]      # (k,) or (k1, k2)
    overhead: float

    @property
    def stages(self) -> int:
        return len(self.costs)

    def optimal_sizes(self) -> tuple[float, ...]:
        """Continuous optimum of the within-cluster sizes (m,) or (nbar, q)."""
        if self.stages == 2:
            (c1, c2), (d,) = self.costs, self.deltas
            return (math.sqrt(c1 / c2 * (1.0 - d) / d),)
        (c1, c2, c3), (d1, d2), (k1, k2) = self.costs, self.deltas, self.ks
        q = math.sqrt((1.0 - d2) / d2 * c2 / c3)
        return (math.sqrt((1.0 - d2) / d1 * c1 / c3 * k2 / k1) / q, q)

    def cluster_cost(self, sizes):
        """Cost of one cluster and its units: C1 + C2 m, or C1 + C2 nbar + C3 nbar q."""
        if self.stages == 2:
            return self.costs[0] + self.costs[1] * sizes[0]
        return self.costs[0] + sizes[0] * (self.costs[1] + self.costs[2] * sizes[1])

    def precision(self, sizes):
        """n CV^2 / V: the relvariance of the mean times the number of clusters, per unit V."""
        if self.stages == 2:
            (d,), (k,), m = self.deltas, self.ks, sizes[0]
            return k * (1.0 + d * (m - 1.0)) / m
        (d1, d2), (k1, k2), (nbar, q) = self.deltas, self.ks, sizes
        return k1 * d1 + k2 * (1.0 + d2 * (q - 1.0)) / (nbar * q)


@dataclass(frozen=True)
class Scale:
    """What converts a relvariance into a CV, an SE and a margin of error."""

    unit_relvar: float | None
    mean: float | None
    sd: float | None
    z: float

    def allocation(self, model: Model, clusters: float, sizes) -> Allocation:
        q = model.precision(sizes) / clusters
        cv = math.sqrt(self.unit_relvar * q) if self.unit_relvar is not None else math.nan
        se = self.sd * math.sqrt(q) if self.sd is not None else math.nan
        return Allocation(float(clusters), float(sizes[0]),
                          float(sizes[1]) if len(sizes) > 1 else None,
                          model.overhead + clusters * model.cluster_cost(sizes), cv, se,
                          self.z * se)
