"""A survey plan: the design to field, its continuous optimum, costs and precision.

:class:`SurveyPlan` is what :func:`~simsample.planning.optimal_design` and
:func:`~simsample.planning.optimal_three_stage` return; :mod:`.verify` checks one
by simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import (
    InvalidParameterError,
)

from .model import Allocation, Model, Scale
from .text import describe


@dataclass(frozen=True, repr=False)
class SurveyPlan:
    """A cost-optimal cluster-sample plan: the continuous optimum and the integer design.

    ``clusters``, ``per_cluster`` (and ``per_subcluster``), ``cost``, ``cv``,
    ``se`` and ``moe`` are those of the integer design you would field
    (``integer``); ``continuous`` holds the PracTools optimum. ``target`` is
    "budget", "cv" or "moe"; ``notes`` say where the integer design had to
    depart from the rounding rule. ``print(plan)`` shows both side by side,
    :meth:`to_frame` returns them as a table. Built by :func:`optimal_design`
    and :func:`optimal_three_stage`, not by hand.

    Parameters
    ----------
    target : {"budget", "cv", "moe"}
        What the plan was optimised for.
    model : Model
        Costs, deltas, k values and overhead.
    scale : Scale
        Unit relvariance, mean, SD and the normal quantile z of ``level``.
    level : float
        Confidence level of the margin of error.
    budget, cv_target, moe_target : float or None
        The one target given (the others None).
    continuous : Allocation
        The continuous (PracTools) optimum.
    integer : Allocation
        The integer design to field.
    notes : tuple of str
        Where the integer design departs from the rounding rule.

    Examples
    --------
    >>> import simsample as ss
    >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
    ...                                   budget=2000)
    >>> plan.clusters, plan.per_cluster, plan.cost, round(plan.cv, 4)
    (10, 10, 2000.0, 0.1378)
    """

    target: str
    model: Model
    scale: Scale
    level: float
    budget: float | None
    cv_target: float | None
    moe_target: float | None
    continuous: Allocation
    integer: Allocation
    notes: tuple[str, ...] = field(default=())

    # -- the integer design, and the inputs -------------------------------------------------

    @property
    def clusters(self) -> int:
        """Clusters of the integer design.

        Returns
        -------
        int
            n, the clusters to sample.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.clusters
        10
        """
        return int(self.integer.clusters)

    @property
    def per_cluster(self) -> int:
        """Units (three stages: secondary units) per cluster of the integer design.

        Returns
        -------
        int
            m.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.per_cluster
        10
        """
        return int(self.integer.per_cluster)

    @property
    def per_subcluster(self) -> int | None:
        """Units per secondary unit of the integer design (three stages).

        Returns
        -------
        int or None
            q; None for two stages.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.per_subcluster is None
        True
        """
        return None if self.integer.per_subcluster is None else int(self.integer.per_subcluster)

    @property
    def units(self) -> int:
        """Sampled units of the integer design.

        Returns
        -------
        int
            clusters x per_cluster (x per_subcluster).

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.units
        100
        """
        return int(round(self.integer.units))

    @property
    def cost(self) -> float:
        """Cost of the integer design, overhead included.

        Returns
        -------
        float
            C0 + n (C1 + C2 m).

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.cost
        2000.0
        """
        return self.integer.cost

    @property
    def cv(self) -> float:
        """CV of the estimated mean under the integer design (no fpc).

        Returns
        -------
        float
            The PracTools CV.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> round(plan.cv, 4)
        0.1378
        """
        return self.integer.cv

    @property
    def se(self) -> float:
        """SE of the estimated mean under the integer design, in units of y.

        Returns
        -------
        float
            NaN without the unit SD.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> round(plan.se, 3)
        6.892
        """
        return self.integer.se

    @property
    def moe(self) -> float:
        """Margin of error z SE of the integer design at the plan's level.

        Returns
        -------
        float
            NaN without the unit SD.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> round(plan.moe, 2)
        13.51
        """
        return self.integer.moe

    @property
    def stages(self) -> int:
        """Number of stages, 2 or 3.

        Returns
        -------
        int
            2 for optimal_design, 3 for optimal_three_stage.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.stages
        2
        """
        return self.model.stages

    @property
    def delta(self) -> float:
        """delta (two stages) or delta1 (three stages).

        Returns
        -------
        float
            The measure of homogeneity the plan assumed.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> plan.delta
        0.1
        """
        return self.model.deltas[0]

    @property
    def unit_relvar(self) -> float | None:
        """The unit relvariance V = S^2 / Ybar^2 the plan assumed.

        Returns
        -------
        float or None
            None when only the SD was given.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.unit_relvar
        1.0
        """
        return self.scale.unit_relvar

    @property
    def mean(self) -> float | None:
        """The anticipated population mean, if given.

        Returns
        -------
        float or None
            The mean.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.mean
        50.0
        """
        return self.scale.mean

    @property
    def sd(self) -> float | None:
        """The unit SD (given, or sqrt(V) abs(mean)).

        Returns
        -------
        float or None
            None without a mean or SD.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.sd
        50.0
        """
        return self.scale.sd

    @property
    def k(self) -> float:
        """k = (B^2 + W^2)/V (two stages) or k1 (three stages).

        Returns
        -------
        float
            The plan's k.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000, mean=50.0)
        >>> plan.k
        1.0
        """
        return self.model.ks[0]

    @property
    def fixed_budget(self) -> float:
        """The budget of the U-shaped curve: the given budget, or the integer design's cost.

        Returns
        -------
        float
            The budget that :meth:`cv_at` and :func:`budget_curve` hold fixed.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   cv=0.2)
        >>> plan.budget is None, plan.fixed_budget == plan.cost
        (True, True)
        """
        return self.budget if self.budget is not None else self.cost

    def design(self):
        """The integer two-stage design as a :class:`simsample.TwoStage`.

        Returns
        -------
        TwoStage
            TwoStage(plan.clusters, plan.per_cluster).

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> print(plan.design())
        TwoStage(10x10)
        """
        from ..designs import TwoStage

        require_two_stage(self, "design")
        return TwoStage(self.clusters, self.per_cluster)

    def cv_at(self, per_cluster, budget: float | None = None):
        """PracTools CV at ``per_cluster`` units per cluster for a fixed budget (continuous n).

        n = (budget - C0)/(C1 + C2 m); CV = sqrt(V k (1 + delta (m - 1))/(n m)).
        The budget defaults to :attr:`fixed_budget`. Two stages; arrays welcome.

        Parameters
        ----------
        per_cluster : float or array_like
            m, units per cluster.
        budget : float, optional
            The fixed budget C (default :attr:`fixed_budget`).

        Returns
        -------
        numpy.ndarray
            The CV at each m (a 0-d array for a scalar m).

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> plan.cv_at([5, 10]).round(4)
        array([0.1449, 0.1378])
        """
        require_two_stage(self, "cv_at")
        m = np.asarray(per_cluster, dtype=np.float64)
        available = (self.fixed_budget if budget is None else budget) - self.model.overhead
        clusters = available / self.model.cluster_cost((m,))
        relvar = self.unit_relvar if self.unit_relvar is not None else math.nan
        return np.sqrt(relvar * self.model.precision((m,)) / clusters)

    # -- presentation -----------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Continuous and integer solutions side by side, with the effect of rounding.

        Rows: clusters, per_cluster (per_subcluster), units, cost, cv, se, moe;
        columns: continuous, integer, change (integer - continuous), change_pct.

        Returns
        -------
        pandas.DataFrame
            One row per quantity, the four columns above.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> plan.to_frame().loc["clusters", ["continuous", "integer"]].round(2).tolist()
        [10.26, 10.0]
        """
        names = ["clusters", "per_cluster"] + (["per_subcluster"] if self.stages == 3 else [])
        names += ["units", "cost", "cv", "se", "moe"]
        cont = [getattr(self.continuous, n) for n in names]
        integer = [getattr(self.integer, n) for n in names]
        frame = pd.DataFrame({"continuous": cont, "integer": integer}, index=names, dtype=float)
        frame["change"] = frame["integer"] - frame["continuous"]
        frame["change_pct"] = 100.0 * frame["change"] / frame["continuous"]
        return frame

    def to_dict(self) -> dict:
        """A JSON-ready record of the inputs and both solutions.

        Returns
        -------
        dict
            Inputs (costs, deltas, k, scale, target) and the ``continuous`` and
            ``integer`` solutions (NaN as None).

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> record = plan.to_dict()
        >>> record["target"], record["integer"]["clusters"], record["integer"]["se"]
        ('budget', 10.0, None)
        """
        costs = dict(zip(("cost_cluster", "cost_subcluster", "cost_unit") if self.stages == 3
                         else ("cost_cluster", "cost_unit"), self.model.costs))
        deltas = dict(zip(("delta1", "delta2") if self.stages == 3 else ("delta",),
                          self.model.deltas))
        ks = dict(zip(("k1", "k2") if self.stages == 3 else ("k",), self.model.ks))
        frame = self.to_frame()
        return {"stages": self.stages, "target": self.target, **deltas, **costs,
                "overhead": self.model.overhead, **ks, "unit_relvar": self.unit_relvar,
                "mean": self.mean, "sd": self.sd, "level": self.level, "budget": self.budget,
                "cv_target": self.cv_target, "moe_target": self.moe_target,
                "continuous": _none_for_nan(frame["continuous"].to_dict()),
                "integer": _none_for_nan(frame["integer"].to_dict()), "notes": list(self.notes)}

    def __repr__(self) -> str:
        return describe(self)

    __str__ = __repr__


def _none_for_nan(values: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else float(v))
            for k, v in values.items()}


def require_two_stage(plan: SurveyPlan, what: str) -> None:
    if plan.stages != 2:
        raise InvalidParameterError(
            f"{what} needs a two-stage plan (simsample has no three-stage design yet); "
            f"got a {plan.stages}-stage plan.")


