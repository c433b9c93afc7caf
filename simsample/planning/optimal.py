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


from .._validation import (
    InfeasibleDesignError,
    InvalidParameterError,
    check_real,
)

from .model import EPS, Model, Scale
from .plan import SurveyPlan
from .text import fmt

OWNER = "optimal_design"



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
        ``sd`` or through ``mean`` (sd = sqrt(unit_relvar) abs(mean)).
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
    model = Model(costs, (delta,), (_positive(k, "k"),), _overhead(overhead))
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
    :func:`optimal_design`. Finite-population corrections are ignored
    (Valliant, Dever and Kreuter 2018, sect. 9.3.2).

    Parameters
    ----------
    delta1, delta2 : float in (0, 1)
        Homogeneity of units within clusters and within secondary units.
    cost_cluster, cost_subcluster, cost_unit : float > 0
        C1, C2 and C3: the cost of each cluster, secondary unit and unit.
    budget, cv, moe : float, optional
        Exactly one: the total budget, a target CV or a target margin of
        error, as in :func:`optimal_design`.
    unit_relvar : float, optional
        V = S^2 / Ybar^2 (default 1, or (sd/mean)^2 when both are given).
    k1, k2 : float
        (B^2 + W^2)/V and (W2^2 + W3^2)/V, 1 in a large population.
    overhead : float
        Fixed cost C0.
    mean, sd : float, optional
        Anticipated mean and unit SD, as in :func:`optimal_design`.
    level : float
        Confidence level of the margin of error.

    Returns
    -------
    SurveyPlan
        ``plan.continuous`` and ``plan.integer``; ``per_subcluster`` is q.

    Examples
    --------
    >>> import simsample as ss
    >>> plan = ss.planning.optimal_three_stage(delta1=0.05, delta2=0.1, cost_cluster=500,
    ...                                        cost_subcluster=100, cost_unit=20, budget=20_000)
    >>> plan.clusters, plan.per_cluster, plan.per_subcluster, round(plan.cv, 4)
    (17, 3, 6, 0.0886)
    """
    model = Model(
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


def _scale(unit_relvar, mean, sd, level) -> Scale:
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
    return Scale(unit_relvar, mean, sd, float(ndtri(0.5 + level / 2.0)))


def _check_delta(value, name) -> float:
    return check_real(value, name, low=0.0, high=1.0, low_open=True, high_open=True, owner=OWNER)


def _positive(value, name) -> float:
    return check_real(value, name, low=0.0, low_open=True, owner=OWNER)


def _overhead(value) -> float:
    return check_real(value, "overhead", low=0.0, owner=OWNER)


#: The name the survey plan had before the engine's run plan was renamed; kept for callers.
Plan = SurveyPlan
