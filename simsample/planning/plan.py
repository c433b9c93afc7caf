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
        goal = {"budget": f"a budget of {fmt(self.budget)}",
                "cv": f"a target CV of {fmt(self.cv_target)}",
                "moe": f"a margin of error of {fmt(self.moe_target)} at "
                       f"{100 * self.level:g}%"}[self.target]
        stage = ("Two-stage plan (PracTools clusOpt2)" if self.stages == 2
                 else "Three-stage plan (PracTools clusOpt3)")
        costs = ", ".join(f"{name} {fmt(c)}" for name, c in zip(
            ("cost per cluster", "per secondary unit", "per unit") if self.stages == 3
            else ("cost per cluster", "per unit"), self.model.costs))
        deltas = ", ".join(f"{name} {fmt(d)}" for name, d in zip(
            ("delta1", "delta2") if self.stages == 3 else ("delta",), self.model.deltas))
        scale = ("unit relvariance not given" if self.unit_relvar is None
                 else f"unit relvariance {fmt(self.unit_relvar)}")
        if self.mean is not None:
            scale += f", mean {fmt(self.mean)}"
        if self.sd is not None:
            scale += f", sd {fmt(self.sd)}"
        ks = ", ".join(f"{name} {fmt(k)}" for name, k in zip(
            ("k1", "k2") if self.stages == 3 else ("k",), self.model.ks))
        lines = [f"{stage} for {goal}",
                 f"  {deltas}; {costs}; overhead {fmt(self.model.overhead)}",
                 f"  {scale}; {ks}",
                 "  CV ignores finite-population corrections (as PracTools)", ""]
        labels = {"clusters": "clusters", "per_cluster": "units per cluster",
                  "per_subcluster": "units per secondary unit", "units": "units",
                  "cost": "cost", "cv": "CV", "se": "SE", "moe": "margin of error"}
        if self.stages == 3:
            labels["per_cluster"] = "secondary units per cluster"
        frame = self.to_frame().dropna(how="all", subset=["continuous", "integer"])
        rows = [("", "continuous", "integer", "rounding")]
        for name, row in frame.iterrows():
            change = row["change"]
            if name in ("cost", "cv", "se", "moe"):
                change_text = f"{row['change_pct']:+.2f}%"
            else:
                change_text = f"{change:+.2f}"
            rows.append((labels[name], fmt(row["continuous"]), fmt(row["integer"], integer=name
                                                                    not in ("cv", "se", "moe")),
                         change_text))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            lines.append("  " + r[0].ljust(widths[0]) + "".join(
                "  " + cell.rjust(w) for cell, w in zip(r[1:], widths[1:])))
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    __str__ = __repr__


def fmt(value, integer: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    value = float(value)
    if integer or (value == round(value) and abs(value) >= 1):
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def _none_for_nan(values: dict) -> dict:
    return {k: (None if isinstance(v, float) and math.isnan(v) else float(v))
            for k, v in values.items()}


def require_two_stage(plan: SurveyPlan, what: str) -> None:
    if plan.stages != 2:
        raise InvalidParameterError(
            f"{what} needs a two-stage plan (simsample has no three-stage design yet); "
            f"got a {plan.stages}-stage plan.")


