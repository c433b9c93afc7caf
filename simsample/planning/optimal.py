"""Cost-optimal cluster samples for a budget or a precision target (PracTools clusOpt2, clusOpt3).

A planner knows (or guesses) the measure of homogeneity delta (about the
intraclass correlation), a cost per sampled cluster and a cost per
interviewed unit. :func:`optimal_design` gives the cost-optimal number of
clusters and units per cluster for a budget, or the cheapest design that
reaches a target CV or margin of error; :func:`optimal_three_stage` does the
same for three stages. :func:`variance_components` computes delta, B^2, W^2
and the unit relvariance of a real population, and :func:`verify` draws the
planned design many times (:func:`simsample.simulate`) to show whether the
textbook answer holds.

Notation. Ours / Valliant, Dever and Kreuter (2018, ch. 9; R package
PracTools): clusters n / m (PSUs), units per cluster m / nbar, cost per
cluster C1, per unit C2 (three stages: per secondary unit C2, per unit C3),
fixed overhead C0. Formulas (PracTools ``clusOpt2``, ``clusOpt3``):

* two stages: cost C = C0 + C1 n + C2 n m;
  CV^2(ybar) = V k (1 + delta (m - 1)) / (n m) = B^2/n + W^2/(n m),
  m_opt = sqrt((C1/C2) (1 - delta)/delta), n = (C - C0)/(C1 + C2 m_opt) for a
  budget, n = V k (1 + delta (m_opt - 1)) / (m_opt CV0^2) for a target CV0.
* three stages (n clusters, nbar secondary units per cluster, q units per
  secondary unit): C = C0 + C1 n + C2 n nbar + C3 n nbar q;
  CV^2 = V (k1 delta1 nbar q + k2 (1 + delta2 (q - 1))) / (n nbar q),
  q_opt = sqrt((1 - delta2)/delta2 C2/C3),
  nbar_opt = sqrt((1 - delta2)/delta1 (C1/C3) (k2/k1)) / q_opt.

V is the unit relvariance S^2 / Ybar^2 and k = (B^2 + W^2)/V (about 1).
Like PracTools, the CV ignores both finite-population corrections: it is the
CV of the with-replacement (pwr) estimator, or of a sample that is a small
fraction of the clusters and of each cluster's units. :func:`verify` shows
the size of that term on a finite population.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import (
    InfeasibleDesignError,
    InvalidParameterError,
    check_real,
)

OWNER = "optimal_design"
#: Slack for float error when rounding a number of clusters (51.999999999 is 52).
EPS = 1e-9


# -- the plan ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Allocation:
    """A cluster-sample allocation and its precision.

    ``per_subcluster`` is None for two stages. ``cost`` includes the overhead.
    ``se`` and ``moe`` (z * se at the plan's level) are NaN when the plan
    does not know the unit standard deviation.
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
        """Sampled units: clusters x per_cluster (x per_subcluster)."""
        return self.clusters * self.per_cluster * (self.per_subcluster or 1.0)


@dataclass(frozen=True)
class _Model:
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
class _Scale:
    """What converts a relvariance into a CV, an SE and a margin of error."""

    unit_relvar: float | None
    mean: float | None
    sd: float | None
    z: float

    def allocation(self, model: _Model, clusters: float, sizes) -> Allocation:
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
    :meth:`to_frame` returns them as a table.
    """

    target: str
    model: _Model
    scale: _Scale
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
        return int(self.integer.clusters)

    @property
    def per_cluster(self) -> int:
        return int(self.integer.per_cluster)

    @property
    def per_subcluster(self) -> int | None:
        return None if self.integer.per_subcluster is None else int(self.integer.per_subcluster)

    @property
    def units(self) -> int:
        return int(round(self.integer.units))

    @property
    def cost(self) -> float:
        return self.integer.cost

    @property
    def cv(self) -> float:
        return self.integer.cv

    @property
    def se(self) -> float:
        return self.integer.se

    @property
    def moe(self) -> float:
        return self.integer.moe

    @property
    def stages(self) -> int:
        return self.model.stages

    @property
    def delta(self) -> float:
        """delta (two stages) or delta1 (three stages)."""
        return self.model.deltas[0]

    @property
    def unit_relvar(self) -> float | None:
        return self.scale.unit_relvar

    @property
    def mean(self) -> float | None:
        return self.scale.mean

    @property
    def sd(self) -> float | None:
        return self.scale.sd

    @property
    def k(self) -> float:
        return self.model.ks[0]

    @property
    def fixed_budget(self) -> float:
        """The budget of the U-shaped curve: the given budget, or the integer design's cost."""
        return self.budget if self.budget is not None else self.cost

    def design(self):
        """The integer two-stage design as a :class:`simsample.TwoStage`."""
        from ..designs import TwoStage

        require_two_stage(self, "design")
        return TwoStage(self.clusters, self.per_cluster)

    def cv_at(self, per_cluster, budget: float | None = None):
        """PracTools CV at ``per_cluster`` units per cluster for a fixed budget (continuous n).

        n = (budget - C0)/(C1 + C2 m); CV = sqrt(V k (1 + delta (m - 1))/(n m)).
        The budget defaults to :attr:`fixed_budget`. Two stages; arrays welcome.
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
        """A JSON-ready record of the inputs and both solutions."""
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


# -- optimisation -----------------------------------------------------------------------------

def optimal_design(*, delta: float, cost_cluster: float, cost_unit: float,
                   budget: float | None = None, cv: float | None = None,
                   moe: float | None = None, unit_relvar: float | None = None, k: float = 1.0,
                   overhead: float = 0.0, mean: float | None = None, sd: float | None = None,
                   level: float = 0.95) -> SurveyPlan:
    """Cost-optimal two-stage design: clusters and units per cluster (PracTools ``clusOpt2``).

    Give exactly one of ``budget``, ``cv`` or ``moe``.

    Parameters
    ----------
    delta : float in (0, 1)
        Measure of homogeneity B^2/(B^2 + W^2) (about the intraclass
        correlation; :func:`variance_components` computes it from a population).
    cost_cluster, cost_unit : float > 0
        C1, the cost of each sampled cluster, and C2, of each sampled unit.
    budget : float, optional
        Total budget C (overhead included): the design with the smallest CV.
    cv : float, optional
        Target CV of the estimated mean: the cheapest design that reaches it.
    moe : float, optional
        Target margin of error (half-width z * SE at ``level``) in units of y:
        converted to the SE target moe / z; needs the unit SD, given as
        ``sd`` or through ``mean`` (sd = sqrt(unit_relvar) |mean|).
    unit_relvar : float, optional
        V = S^2 / Ybar^2 (default 1, or (sd/mean)^2 when both are given).
    k : float
        (B^2 + W^2)/V, 1 for SRS of clusters in a large population.
    overhead : float
        Fixed cost C0 (not counted against the variable part of the budget).
    mean, sd : float, optional
        Anticipated population mean and unit SD: they put SE and margin of
        error in units of y. Give at most two of ``mean``, ``sd``, ``unit_relvar``.
    level : float
        Confidence level of the margin of error (normal quantile z).

    Returns
    -------
    SurveyPlan
        ``plan.continuous``: m_opt = sqrt((C1/C2)(1 - delta)/delta), n the
        budget's clusters (C - C0)/(C1 + C2 m_opt) or, for a target,
        V k (1 + delta (m_opt - 1))/(m_opt CV0^2); CV^2 = V k (1 + delta (m - 1))/(n m).
        ``plan.integer`` (what ``plan.clusters`` etc. report): units per
        cluster is the better of floor(m_opt) and ceil(m_opt) (at least 1),
        each with the most clusters the budget buys (budget) or the fewest
        that reach the target (cv, moe), and at least 2 clusters.

    Raises
    ------
    InvalidParameterError
        For delta outside (0, 1), non-positive costs, budget or targets.
    InfeasibleDesignError
        If the budget cannot buy two clusters; the message gives the minimum budget.

    Notes
    -----
    The CV ignores the finite-population corrections of both stages (the
    CV of the pwr estimator, as in PracTools): on a finite population the
    variance is smaller by (1 - n/G) on the between term and (1 - m/M) on
    the within term; see :func:`verify`.

    References
    ----------
    Valliant, Dever and Kreuter (2018), *Practical Tools for Designing and
    Weighting Survey Samples*, 2nd ed., sect. 9.3.1 (Example 9.7: C1 = 750,
    C2 = 100, delta = 0.05, V = 1, C = 100,000 give m_opt = 11.9, n = 51.4, CV = 0.0502).
    Hansen, Hurwitz and Madow (1953), vol. I, ch. 6.

    Examples
    --------
    >>> plan = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=100_000)
    >>> round(plan.continuous.per_cluster, 1), round(plan.continuous.clusters, 1)
    (11.9, 51.4)
    >>> plan.clusters, plan.per_cluster, plan.cost
    (54, 11, 99900.0)
    """
    delta = _check_delta(delta, "delta")
    costs = (_positive(cost_cluster, "cost_cluster"), _positive(cost_unit, "cost_unit"))
    model = _Model(costs, (delta,), (_positive(k, "k"),), _overhead(overhead))
    return _solve(model, budget, cv, moe, unit_relvar, mean, sd, level)


def optimal_three_stage(*, delta1: float, delta2: float, cost_cluster: float,
                        cost_subcluster: float, cost_unit: float, budget: float | None = None,
                        cv: float | None = None, moe: float | None = None,
                        unit_relvar: float | None = None, k1: float = 1.0, k2: float = 1.0,
                        overhead: float = 0.0, mean: float | None = None,
                        sd: float | None = None, level: float = 0.95) -> SurveyPlan:
    """Cost-optimal three-stage design (PracTools ``clusOpt3``).

    n clusters (PSUs), nbar secondary units (SSUs) per cluster, q units per
    SSU; C = C0 + C1 n + C2 n nbar + C3 n nbar q and
    CV^2 = V (k1 delta1 nbar q + k2 (1 + delta2 (q - 1)))/(n nbar q), with
    q_opt = sqrt((1 - delta2)/delta2 C2/C3) and
    nbar_opt = sqrt((1 - delta2)/delta1 (C1/C3)(k2/k1)) / q_opt.

    ``delta1`` is the homogeneity of units within clusters, ``delta2``
    within SSUs; ``k1`` = (B^2 + W^2)/V, ``k2`` = (W2^2 + W3^2)/V (see
    PracTools ``BW3stagePPS``). The integer design takes the best of the
    floor/ceil combinations of nbar and q, then clusters as in
    :func:`optimal_design`; other parameters as there. Finite-population
    corrections are ignored (Valliant, Dever and Kreuter 2018, sect. 9.3.2).
    """
    model = _Model(
        (_positive(cost_cluster, "cost_cluster"), _positive(cost_subcluster, "cost_subcluster"),
         _positive(cost_unit, "cost_unit")),
        (_check_delta(delta1, "delta1"), _check_delta(delta2, "delta2")),
        (_positive(k1, "k1"), _positive(k2, "k2")), _overhead(overhead))
    return _solve(model, budget, cv, moe, unit_relvar, mean, sd, level)


def _solve(model, budget, cv, moe, unit_relvar, mean, sd, level) -> SurveyPlan:
    given = {name: v for name, v in (("budget", budget), ("cv", cv), ("moe", moe))
             if v is not None}
    if len(given) != 1:
        raise InvalidParameterError(
            f"{OWNER} needs exactly one of 'budget', 'cv' or 'moe'; got "
            f"{', '.join(given) if given else 'none'}.")
    (target, value), = given.items()
    level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True,
                       owner=OWNER)
    scale = _scale(unit_relvar, mean, sd, level)
    value = _positive(value, target)
    sizes = model.optimal_sizes()
    if target == "budget":
        available = value - model.overhead
        if available <= 0:
            raise InfeasibleDesignError(
                f"'budget' of {OWNER} must exceed the overhead {fmt(model.overhead)}; "
                f"got {fmt(value)}.")
        continuous = scale.allocation(model, available / model.cluster_cost(sizes), sizes)
    else:
        precision = _precision_target(target, value, scale)
        continuous = scale.allocation(model, model.precision(sizes) / precision, sizes)
    integer, notes = _integer_design(model, scale, target, value, sizes)
    if min(sizes) < 1:
        notes.insert(0, "the continuous optimum takes fewer than 1 unit per cluster (delta is "
                        "high for these costs): the integer design takes 1, and the continuous "
                        "CV is a bound it cannot reach")
    return SurveyPlan(target, model, scale, level, value if target == "budget" else None,
                value if target == "cv" else None, value if target == "moe" else None,
                continuous, integer, tuple(notes))


def _precision_target(target, value, scale) -> float:
    """The target of q = CV^2 / V, the relvariance of the mean per unit of unit relvariance."""
    if target == "cv":
        if scale.unit_relvar is None:
            raise InvalidParameterError(
                f"a 'cv' target of {OWNER} needs the unit relvariance: give 'unit_relvar' or "
                "'mean' with 'sd'; got only 'sd'.")
        return value * value / scale.unit_relvar
    if scale.sd is None:
        raise InvalidParameterError(
            f"'moe' of {OWNER} is in units of y and needs the unit SD: give 'sd', or 'mean' "
            f"(then sd = sqrt(unit_relvar) |mean|); got neither.")
    return (value / scale.z / scale.sd) ** 2


def _integer_design(model, scale, target, value, sizes):
    """Best of floor/ceil of each within-cluster size; clusters as the target allows."""
    options = [sorted({max(1, math.floor(s)), max(1, math.ceil(s))}) for s in sizes]
    candidates = []
    for combo in itertools.product(*options):
        if target == "budget":
            clusters = math.floor((value - model.overhead) / model.cluster_cost(combo) + EPS)
            if clusters < 2:
                continue
            raised = False
        else:
            needed = model.precision(combo) / _precision_target(target, value, scale)
            clusters = max(2, math.ceil(needed - EPS))
            raised = needed < 2 - EPS
        alloc = scale.allocation(model, clusters, combo)
        variance = model.precision(combo) / clusters
        key = (variance, alloc.cost) if target == "budget" else (alloc.cost, variance)
        candidates.append((key, alloc, raised))
    if not candidates:
        raise InfeasibleDesignError(_too_small_budget(model, value, options, sizes))
    _, alloc, raised = min(candidates, key=lambda c: c[0])
    notes = ["the target needs fewer than 2 clusters; 2 is the fewest that give a variance "
             "estimate, so the plan is more precise than asked"] if raised else []
    return alloc, notes


def _too_small_budget(model, budget, options, sizes) -> str:
    cheapest = tuple(o[0] for o in options)
    at_opt = model.overhead + 2 * model.cluster_cost(cheapest)
    minimal = model.overhead + 2 * model.cluster_cost((1,) * len(options))
    shape = " x ".join(str(s) for s in cheapest)
    optimum = " x ".join(f"{s:.3g}" for s in sizes)
    return (f"'budget' of {OWNER} = {fmt(budget)} cannot buy 2 clusters of {shape} units "
            f"(the optimum is {optimum} per cluster; each costs "
            f"{fmt(model.cluster_cost(cheapest))}"
            f"{', plus overhead ' + fmt(model.overhead) if model.overhead else ''}), and a "
            f"cluster sample needs at least 2 clusters. The minimum budget is {fmt(at_opt)} "
            f"(or {fmt(minimal)} for 2 clusters of 1 unit).")


def _scale(unit_relvar, mean, sd, level) -> _Scale:
    from scipy.special import ndtri

    if mean is not None:
        mean = check_real(mean, "mean", owner=OWNER)
        if mean == 0.0:
            raise InvalidParameterError(
                f"'mean' of {OWNER} must be non-zero (relvariances divide by it); got 0.")
    if sd is not None:
        sd = _positive(sd, "sd")
    if unit_relvar is not None:
        unit_relvar = _positive(unit_relvar, "unit_relvar")
    if mean is not None and sd is not None:
        if unit_relvar is not None:
            raise InvalidParameterError(
                f"give at most two of 'mean', 'sd' and 'unit_relvar' to {OWNER} "
                f"(unit_relvar = (sd/mean)^2); got all three.")
        unit_relvar = (sd / mean) ** 2
    elif sd is None:
        unit_relvar = 1.0 if unit_relvar is None else unit_relvar
        sd = math.sqrt(unit_relvar) * abs(mean) if mean is not None else None
    return _Scale(unit_relvar, mean, sd, float(ndtri(0.5 + level / 2.0)))


def _check_delta(value, name) -> float:
    return check_real(value, name, low=0.0, high=1.0, low_open=True, high_open=True, owner=OWNER)


def _positive(value, name) -> float:
    return check_real(value, name, low=0.0, low_open=True, owner=OWNER)


def _overhead(value) -> float:
    return check_real(value, "overhead", low=0.0, owner=OWNER)


# -- variance components and verification (own modules, public here) ----------------------


#: The name the survey plan had before the engine's run plan was renamed; kept for callers.
Plan = SurveyPlan
