"""Verification of a cluster-sample plan by simulation (public through :mod:`simsample.planning`).

The plan's CV is the PracTools formula: a superpopulation-style quantity
that ignores both finite-population corrections. A simulation draws from a
finite population, so :func:`verify` reports three references beside the
Monte Carlo result:

* ``planned``: the plan's own figure;
* ``planned_fpc``: the plan's figure times sqrt(r), r = Var(with fpc) /
  Var(without fpc) computed from this population's components
  (:meth:`VarianceComponents.relvariance`): the documented finite-population term;
* ``exact``: the exact design variance on this population
  (:func:`simsample.theory.variance`), which the Monte Carlo variance
  estimates without bias.

On the synthetic population of :func:`synthetic_population`, whose B^2 and
W^2 equal the plan's exactly, ``planned_fpc`` and ``exact`` coincide, so
the achieved CV must agree with the planned CV up to the fpc term and
Monte Carlo error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._rng import POPULATION, SAMPLING, as_seed_sequence, child
from .._validation import InfeasibleDesignError, InvalidParameterError, check_int, check_real
from ..population import Population
from .components import VarianceComponents, variance_components
from .model import EPS
from .plan import SurveyPlan, require_two_stage

#: Default share of clusters, and of each cluster's units, that the planned
#: design samples from a synthetic population.
SAMPLING_FRACTION = 0.02
#: Largest synthetic population built by default (units); above it the
#: sampling fraction grows.
MAX_UNITS = 4_000_000
#: ``Population.meta["generator"]`` of :func:`synthetic_population`.
SYNTHETIC = "planning.synthetic_population"
#: Columns of :attr:`Verification.table`.
TABLE_COLUMNS = ("quantity", "planned", "planned_fpc", "exact", "achieved", "mcse",
                 "z_planned", "z_planned_fpc", "z_exact")


def synthetic_population(plan: SurveyPlan, *, clusters: int | None = None,
                         per_cluster: int | None = None,
                         sampling_fraction: float = SAMPLING_FRACTION,
                         max_units: int = MAX_UNITS, seed=None) -> Population:
    """A two-level population whose PracTools components equal the plan's exactly.

    G clusters of M units, G = ceil(n / f) and M = max(ceil(m / f), 2) for
    the largest design to be drawn (n ``clusters`` x m ``per_cluster``, by
    default the plan's) and sampling fraction f (raised to sqrt(n m /
    max_units) if the population would exceed ``max_units``). Then::

        y_ij = mu + abs(mu) sqrt(B^2) u_j + abs(mu) sqrt(W^2) e_ij,

    with B^2 = V k delta and W^2 = V k (1 - delta) from the plan, u_j normal
    draws standardised to mean 0 and variance 1 (divisor G - 1) across
    clusters and e_ij normal draws standardised to mean 0 and variance 1
    (divisor M - 1) within each cluster. The finite population therefore has
    mean mu, variance of cluster means B^2 mu^2 and every within-cluster
    variance W^2 mu^2, so :func:`variance_components` returns the plan's
    B^2, W^2 and delta (to rounding error). mu is the plan's mean, or
    sd / sqrt(V) when only the SD is known, or 1; a plan given only an SD
    (no relvariance) is built with V = 1 and mu = sd.

    Parameters
    ----------
    plan : SurveyPlan
        A two-stage plan.
    clusters, per_cluster : int, optional
        The largest design to be drawn (default the plan's).
    sampling_fraction : float, default 0.02
        f, the share of clusters and of each cluster's units that design takes.
    max_units : int, default 4,000,000
        Largest population built; f grows above it.
    seed : int or numpy.random.SeedSequence, optional
        Seed of the normal draws.

    Returns
    -------
    Population
        G clusters of M units; ``meta`` records delta, B2, W2, mean and f.

    Examples
    --------
    >>> import simsample as ss
    >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
    ...                                   budget=2000)
    >>> pop = ss.planning.synthetic_population(plan, sampling_fraction=0.2, seed=1)
    >>> pop.n_groups, pop.n_units, round(ss.planning.variance_components(pop).delta, 6)
    (50, 2500, 0.1)
    """
    require_two_stage(plan, "synthetic_population")
    n = plan.clusters if clusters is None else check_int(clusters, "clusters", low=2)
    m = plan.per_cluster if per_cluster is None else check_int(per_cluster, "per_cluster",
                                                                low=1)
    f = check_real(sampling_fraction, "sampling_fraction", low=0.0, high=1.0, low_open=True,
                   owner="synthetic_population")
    max_units = check_int(max_units, "max_units", low=4, owner="synthetic_population")
    if n * m > max_units:  # refused before building: no fraction f <= 1 fits the sample
        raise InvalidParameterError(
            f"the design to verify, {n:,} clusters x {m:,} units = {n * m:,} units, is larger "
            f"than the largest synthetic population (max_units={max_units:,} units); "
            f"verify it on a population of your own (population=...) or raise max_units.")
    if n * m / (f * f) > max_units:
        f = math.sqrt(n * m / max_units)
    G = max(math.ceil(n / f - EPS), 2)
    M = max(math.ceil(m / f - EPS), 2)
    relvar, mu = _relvar_and_mean(plan)
    b2 = relvar * plan.k * plan.delta
    w2 = relvar * plan.k * (1.0 - plan.delta)
    rng = np.random.default_rng(as_seed_sequence(seed))
    u = rng.standard_normal(G)
    u = (u - u.mean()) / u.std(ddof=1)
    e = rng.standard_normal((G, M))
    e -= e.mean(axis=1, keepdims=True)
    e /= e.std(axis=1, ddof=1, keepdims=True)
    y = (mu + abs(mu) * math.sqrt(b2) * u)[:, None] + abs(mu) * math.sqrt(w2) * e
    meta = {"generator": SYNTHETIC, "delta": plan.delta, "B2": b2,
            "W2": w2, "mean": mu, "sampling_fraction": f}
    return Population._from_grouped(y.ravel(), np.full(G, M, dtype=np.int64),
                                    name=f"synthetic ({G} clusters of {M})", meta=meta)


def _relvar_and_mean(plan: SurveyPlan) -> tuple[float, float]:
    if plan.unit_relvar is None:
        return 1.0, plan.sd
    if plan.mean is not None:
        return plan.unit_relvar, plan.mean
    if plan.sd is not None:
        return plan.unit_relvar, plan.sd / math.sqrt(plan.unit_relvar)
    return plan.unit_relvar, 1.0


@dataclass(frozen=True, repr=False)
class Verification:
    """A plan checked by simulation: achieved precision against the plan, each with its MCSE.

    ``table`` has one row per quantity (SE, CV, margin of error z SE, mean
    half-width of the cluster t interval, its coverage, bias) and the
    columns ``TABLE_COLUMNS``: ``planned`` (the plan), ``planned_fpc`` (the
    plan with this population's finite-population corrections), ``exact``
    (design theory on this population), ``achieved`` (Monte Carlo), ``mcse``
    and z = (achieved - reference) / mcse for each reference. ``fpc_factor``
    is r = Var(with fpc)/Var(without fpc) on this population. Returned by
    :func:`verify`.

    Parameters
    ----------
    plan : SurveyPlan
        The plan verified.
    population : Population
        The population drawn from.
    components : VarianceComponents
        Its PracTools components.
    study : SimulationResult
        The simulation.
    synthetic : bool
        Whether ``population`` is a :func:`synthetic_population`.
    fpc_factor : float
        r = Var(with fpc)/Var(without fpc) on this population.
    table : pandas.DataFrame
        One row per quantity, the columns ``TABLE_COLUMNS``.

    Examples
    --------
    >>> import simsample as ss
    >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
    ...                                   budget=2000)
    >>> check = ss.planning.verify(plan, reps=200, seed=1, sampling_fraction=0.2)
    >>> check.synthetic, round(check.fpc_factor, 3), check.agrees()
    (True, 0.8, True)
    """

    plan: SurveyPlan
    population: Population
    components: VarianceComponents
    study: object
    synthetic: bool
    fpc_factor: float
    table: pd.DataFrame

    def row(self, quantity: str) -> pd.Series:
        """One row of :attr:`table` (e.g. "CV").

        Parameters
        ----------
        quantity : str
            "SE", "CV", "margin of error (z SE)", "mean half-width, cluster t",
            "coverage, cluster t" or "bias".

        Returns
        -------
        pandas.Series
            The row, indexed by the other columns of :attr:`table`.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> check = ss.planning.verify(plan, reps=200, seed=1, sampling_fraction=0.2)
        >>> cv = check.row("CV")
        >>> [round(float(cv[c]), 4) for c in ("planned", "planned_fpc", "exact")]
        [0.1378, 0.1233, 0.1233]
        """
        return self.table.set_index("quantity").loc[quantity]

    def agrees(self, z: float = 4.0) -> bool:
        """Whether the achieved CV is within ``z`` MCSE of the planned CV with the fpc term.

        Parameters
        ----------
        z : float, default 4.0
            Tolerance in Monte Carlo standard errors.

        Returns
        -------
        bool
            abs(z_planned_fpc) of the CV row is at most ``z``.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> check = ss.planning.verify(plan, reps=200, seed=1, sampling_fraction=0.2)
        >>> check.agrees(), check.agrees(z=1.0)
        (True, False)
        """
        return bool(abs(self.row("CV")["z_planned_fpc"]) <= z)

    def to_dict(self) -> dict:
        """A JSON-ready record: design, population, reps, seed, components and the table.

        Returns
        -------
        dict
            The record; ``table`` as a list of rows.

        Examples
        --------
        >>> import simsample as ss
        >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
        ...                                   budget=2000)
        >>> check = ss.planning.verify(plan, reps=200, seed=1, sampling_fraction=0.2)
        >>> record = check.to_dict()
        >>> record["design"], record["reps"], len(record["table"])
        ('TwoStage(10x10)', 200, 6)
        """
        return {"design": str(self.plan.design()), "population": repr(self.population),
                "synthetic": self.synthetic, "reps": self.study.reps, "seed": self.study.seed,
                "fpc_factor": self.fpc_factor, "components": self.components.to_dict(),
                "table": self.table.to_dict(orient="records")}

    def __repr__(self) -> str:
        pop, comp = self.population, self.components
        how = ("a synthetic population built so that its delta, B^2 and W^2 equal the plan's"
               if self.synthetic else "the given population")
        cv = self.row("CV")
        shift = (cv["planned_fpc"] - cv["planned"]) / cv["planned"]
        lines = [
            f"Verification: {self.study.reps:,} samples of {self.plan.design()} from {how}",
            f"  {pop!r}",
            f"  its components: delta {comp.delta:.4g}, B^2 {comp.B2:.4g}, W^2 {comp.W2:.4g}, "
            f"unit relvariance {comp.unit_relvar:.4g}, k {comp.k:.4g}",
            f"  finite-population factor r = Var(with fpc)/Var(without) = "
            f"{self.fpc_factor:.4f}: it moves the planned CV by {100 * shift:+.2f}%", ""]
        number = lambda v: "-" if math.isnan(v) else f"{v:.4g}"  # noqa: E731
        z_score = lambda v: "-" if math.isnan(v) else f"{v:+.2f}"  # noqa: E731
        formatters = {c: (z_score if c.startswith("z_") else number) for c in TABLE_COLUMNS[1:]}
        formatters["mcse"] = lambda v: f"{v:.2g}"
        text = self.table.to_string(index=False, formatters=formatters, na_rep="-")
        lines += ["  " + line for line in text.splitlines()]
        lines += ["", f"  achieved CV {cv['achieved']:.4g} (MCSE {cv['mcse']:.2g}): "
                      f"{cv['z_planned_fpc']:+.2f} MCSE from the planned CV with the fpc term "
                      f"({cv['planned_fpc']:.4g}), {cv['z_planned']:+.2f} MCSE from the planned "
                      f"CV without it ({cv['planned']:.4g})"]
        return "\n".join(lines)

    __str__ = __repr__


def verify(plan: SurveyPlan, population: Population | None = None, *, reps: int = 4000, seed=None,
           n_jobs: int = 1, sampling_fraction: float = SAMPLING_FRACTION,
           progress: bool | None = False) -> Verification:
    """Draw the plan's integer design ``reps`` times and compare the achieved precision.

    Parameters
    ----------
    plan : SurveyPlan
        A two-stage plan; its integer design TwoStage(plan.clusters,
        plan.per_cluster) is drawn (SRS of clusters, SRS within, both
        without replacement; the sample mean, the cluster t interval).
    population : Population, optional
        The population to draw from; by default :func:`synthetic_population`
        (with ``sampling_fraction``), whose components equal the plan's.
    reps, seed, n_jobs, progress
        As in :func:`simsample.simulate`. The synthetic population and the
        samples use separate streams of ``seed``.
    sampling_fraction : float, default 0.02
        Of the synthetic population (see :func:`synthetic_population`).

    Returns
    -------
    Verification
        Achieved SE, CV, margin of error, interval half-width, coverage and
        bias, each with its MCSE from ``Study.summary()`` (MCSE(SE) =
        MCSE(Var)/(2 SE); mean half-width t * mean SE with MCSE t sqrt((mean
        v - mean SE^2)/R)), beside the plan and the exact design theory.

    Examples
    --------
    >>> import simsample as ss
    >>> plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10,
    ...                                   budget=2000)
    >>> check = ss.planning.verify(plan, reps=200, seed=1, sampling_fraction=0.2)
    >>> check.agrees(), bool(check.row("CV")["achieved"] < check.row("CV")["planned"])
    (True, True)
    """
    from ..engine import simulate

    require_two_stage(plan, "verify")
    reps = check_int(reps, "reps", low=2, owner="verify")
    root = as_seed_sequence(seed)
    if population is None:
        population = synthetic_population(plan, sampling_fraction=sampling_fraction,
                                          seed=child(root, POPULATION))
    elif not isinstance(population, Population):
        raise InvalidParameterError(
            f"'population' of verify must be a simsample Population; got "
            f"{type(population).__name__}.")
    synthetic = population.meta.get("generator") == SYNTHETIC
    design = plan.design()
    _check_drawable(design, population)
    study = simulate(population, {"plan": design}, reps, seed=child(root, SAMPLING),
                     n_jobs=n_jobs, level=plan.level, progress=progress)
    components = variance_components(population)
    r = _fpc_factor(components, plan.clusters, plan.per_cluster)
    table = _table(plan, population, study.summary(), r)
    return Verification(plan, population, components, study, synthetic, r, table)


def _check_drawable(design, population) -> None:
    try:
        design.check(population)
    except InfeasibleDesignError as exc:
        raise InfeasibleDesignError(
            f"the planned design {design} cannot be drawn from {population!r}: {exc} "
            "SurveyPlan with a smaller budget or target, or verify on a synthetic population.") from None


def _fpc_factor(components, clusters, per_cluster) -> float:
    return (components.relvariance(clusters, per_cluster, fpc=True)
            / components.relvariance(clusters, per_cluster, fpc=False))


def _table(plan: SurveyPlan, population: Population, summary: pd.DataFrame, r: float) -> pd.DataFrame:
    from scipy.special import stdtrit

    row = summary.set_index("method").loc["cluster_t"]
    mu = abs(population.mean)
    reps = float(row["reps"])
    z = plan.scale.z
    cv_plan = plan.cv if plan.unit_relvar is not None else plan.se / mu
    se_plan = plan.se if plan.sd is not None else plan.cv * mu
    se = math.sqrt(row["variance"])
    se_mcse = row["variance_mcse"] / (2.0 * se)
    se_exact = math.sqrt(row["theory_variance"])
    tq = float(stdtrit(plan.clusters - 1.0, 0.5 + plan.level / 2.0))
    spread = max(row["mean_variance_estimate"] - row["mean_se"] ** 2, 0.0)
    root_r = math.sqrt(r)
    rows = [
        ("SE", se_plan, se_plan * root_r, se_exact, se, se_mcse),
        ("CV", cv_plan, cv_plan * root_r, se_exact / mu, se / mu, se_mcse / mu),
        ("margin of error (z SE)", z * se_plan, z * se_plan * root_r, z * se_exact, z * se,
         z * se_mcse),
        ("mean half-width, cluster t", z * se_plan, z * se_plan * root_r, math.nan,
         tq * row["mean_se"], tq * math.sqrt(spread / reps)),
        ("coverage, cluster t", plan.level, plan.level, math.nan, row["coverage"],
         row["coverage_mcse"]),
        ("bias", 0.0, 0.0, row["theory_bias"], row["bias"], row["bias_mcse"]),
    ]
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS[:6]))
    for ref in ("planned", "planned_fpc", "exact"):
        frame[f"z_{ref}"] = (frame["achieved"] - frame[ref]) / frame["mcse"]
    # the interval's mean half-width is t * E[se], not z * SE: shown, not tested
    frame.loc[frame["quantity"] == "mean half-width, cluster t",
              ["z_planned", "z_planned_fpc"]] = math.nan
    return frame
