"""The budget curve: CV against units per cluster at a plan's fixed budget.

By formula (PracTools), exactly on a population, and by simulation, so that the
figure of ``simsample plan`` shows how flat the optimum is.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._rng import POPULATION, SAMPLING, as_seed_sequence, child
from .._validation import InfeasibleDesignError, check_int
from ..population import Population
from .model import EPS
from .plan import SurveyPlan, require_two_stage
from .text import fmt
from .verify import SAMPLING_FRACTION, _check_drawable, synthetic_population


def budget_curve(plan: SurveyPlan, population: Population | None = None, *, per_cluster=None,
                 reps: int = 0, seed=None, n_jobs: int = 1,
                 sampling_fraction: float = SAMPLING_FRACTION) -> pd.DataFrame:
    """CV against units per cluster at the plan's fixed budget, by formula and by simulation.

    For each m in ``per_cluster`` (default: about nine values from 1 to 4
    m_opt, with the plan's m and floor/ceil of m_opt), the design takes
    the most clusters n(m) the budget buys (at least 2). Columns:
    ``per_cluster``, ``clusters``, ``cost``, ``planned_cv`` (PracTools at the
    integer design), and, when ``reps`` > 0, ``exact_cv`` (exact design
    theory on the population, with fpc), ``cv`` and ``cv_mcse`` (Monte
    Carlo, ``reps`` samples of each design). Without a population, one
    :func:`synthetic_population` large enough for every design is built.
    Draw it with :func:`simsample.plots.budget_curve`.

    Parameters
    ----------
    plan : SurveyPlan
        A two-stage plan.
    population : Population, optional
        The population to simulate on (``reps`` > 0); default a synthetic one.
    per_cluster : sequence of int, optional
        The values of m.
    reps : int, default 0
        Samples of each design; 0: the formula only, no simulation.
    seed, n_jobs
        As in :func:`simsample.simulate`.
    sampling_fraction : float, default 0.02
        Of the synthetic population.

    Returns
    -------
    pandas.DataFrame
        One row per m, the columns above.

    Examples
    --------
    >>> import simsample as ss
    >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
    ...                                   budget=2000)
    >>> curve = ss.planning.budget_curve(plan, per_cluster=[2, 10, 24])
    >>> curve[["per_cluster", "clusters", "cost"]].values.tolist()
    [[2.0, 16.0, 1920.0], [10.0, 10.0, 2000.0], [24.0, 5.0, 1700.0]]
    >>> curve["planned_cv"].round(4).tolist()
    [0.1854, 0.1378, 0.1658]
    """
    from ..designs import TwoStage
    from ..engine import simulate

    require_two_stage(plan, "budget_curve")
    reps = check_int(reps, "reps", low=0, owner="budget_curve")
    grid = _curve_grid(plan, population, per_cluster)
    clusters = [_clusters_for(plan, m) for m in grid]
    relvar = plan.unit_relvar if plan.unit_relvar is not None else math.nan
    frame = pd.DataFrame({
        "per_cluster": grid, "clusters": clusters,
        "cost": [plan.model.overhead + n * plan.model.cluster_cost((m,))
                 for n, m in zip(clusters, grid)],
        "planned_cv": [math.sqrt(relvar * plan.model.precision((m,)) / n)
                       for n, m in zip(clusters, grid)]})
    if reps == 0:
        return frame
    root = as_seed_sequence(seed)
    if population is None:
        population = synthetic_population(plan, clusters=max(clusters), per_cluster=max(grid),
                                          sampling_fraction=sampling_fraction,
                                          seed=child(root, POPULATION))
    designs = {f"{n}x{m}": TwoStage(n, m) for n, m in zip(clusters, grid)}
    for design in designs.values():
        _check_drawable(design, population)
    study = simulate(population, designs, reps, seed=child(root, SAMPLING), n_jobs=n_jobs,
                     level=plan.level, progress=False)
    rows = study.summary().set_index(["design", "method"])
    mu = abs(population.mean)
    cluster_rows = [rows.loc[(name, "cluster_t")] for name in designs]
    frame["exact_cv"] = [math.sqrt(r["theory_variance"]) / mu for r in cluster_rows]
    frame["cv"] = [math.sqrt(r["variance"]) / mu for r in cluster_rows]
    frame["cv_mcse"] = [r["variance_mcse"] / (2.0 * math.sqrt(r["variance"])) / mu
                        for r in cluster_rows]
    frame.attrs["population"] = repr(population)
    frame.attrs["reps"] = reps
    return frame


def _clusters_for(plan: SurveyPlan, m: int) -> int:
    available = plan.fixed_budget - plan.model.overhead
    return math.floor(available / plan.model.cluster_cost((m,)) + EPS)


def _curve_grid(plan: SurveyPlan, population, per_cluster) -> list[int]:
    if per_cluster is not None:
        grid = sorted({check_int(int(m) if isinstance(m, np.integer) else m, "per_cluster",
                                 low=1, owner="budget_curve") for m in per_cluster})
        bad = [m for m in grid if _clusters_for(plan, m) < 2]
        if bad:
            raise InfeasibleDesignError(
                f"'per_cluster' of budget_curve: the budget {fmt(plan.fixed_budget)} buys "
                f"fewer than 2 clusters at m = {bad}.")
        return grid
    m_opt = plan.continuous.per_cluster
    top = max(4.0 * m_opt, m_opt + 4.0)
    grid = set(np.unique(np.rint(np.geomspace(1.0, top, 9)).astype(int)).tolist())
    grid |= {plan.per_cluster, max(1, math.floor(m_opt)), math.ceil(m_opt)}
    keep = [m for m in sorted(grid) if _clusters_for(plan, m) >= 2]
    if population is not None:
        smallest = int(population.group_sizes.min())
        keep = [m for m in keep if m <= smallest and _clusters_for(plan, m) <= population.n_groups]
    return keep
