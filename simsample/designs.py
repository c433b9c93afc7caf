"""Sampling designs: what is drawn, and how the mean is estimated from it.

Each design is a frozen, validated dataclass. ``design.draw(population)``
draws one sample (for figures and analysis); the engine runs the same
compiled kernels many times (``simsample._kernels``). Exact design variances
are in :mod:`simsample.theory`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._kernels import estimate as est_kernels
from ._kernels import simulate as sim_kernels
from ._kernels.estimate import CLUSTER_T, N_MEAN_METHODS, NAIVE_T
from ._kernels.select import draw_two_stage, floyd_sample, gather
from ._rng import as_seed_sequence, xoshiro_state
from ._task import KernelTask, t_quantiles
from ._validation import InfeasibleDesignError, InvalidParameterError, check_choice, check_int
from .population import Population

#: Interval methods of the mean, in the order of the kernels' rows.
MEAN_METHODS = ("naive_t", "cluster_t")
assert (MEAN_METHODS.index("naive_t"), MEAN_METHODS.index("cluster_t")) == (NAIVE_T, CLUSTER_T)
assert len(MEAN_METHODS) == N_MEAN_METHODS

ESTIMATORS = ("ratio", "expansion")


class Design:
    """Base class of sampling designs."""

    def check(self, population: Population) -> None:
        """Raise :class:`InfeasibleDesignError` if the design cannot be drawn from ``population``."""
        raise NotImplementedError

    def expected_size(self, population: Population) -> float:
        """Expected number of sampled units."""
        raise NotImplementedError

    def draw(self, population: Population, seed=None) -> Sample:
        """Draw one sample from ``population`` (``seed``: None, an int or a SeedSequence)."""
        self.check(population)
        state = xoshiro_state(as_seed_sequence(seed))
        stored, psu_start, psu_size, groups = self._draw_stored(population, state)
        return Sample(population, self, stored, psu_start, psu_size, groups)

    # -- hooks for subclasses and the engine -------------------------------------------------

    def _draw_stored(self, population, state):
        """(unit positions in grouped storage, psu_start, psu_size, group codes)."""
        raise NotImplementedError

    def _estimate(self, population, ys, psu_start, psu_size, out) -> None:
        raise NotImplementedError

    def _task(self, population: Population, level: float, estimand: str) -> KernelTask:
        """The engine's replication loop for ``estimand`` (validated by the engine)."""
        if estimand == "mean":
            return self._mean_task(population, level)
        if estimand == "difference":
            from .effects import difference_task

            return difference_task(self, population, level)
        raise InvalidParameterError(
            f"design {self} does not support estimand {estimand!r}.")

    def _mean_task(self, population: Population, level: float) -> KernelTask:
        raise NotImplementedError

    def _estimator_names(self, population: Population) -> tuple[str, ...]:
        raise NotImplementedError


@dataclass(frozen=True)
class SRS(Design):
    """Simple random sample of ``n`` units without replacement.

    ``naive_t`` is the textbook interval ybar +- t(n-1) s/sqrt(n); ``cluster_t``
    (the design-based interval) multiplies the variance by the finite
    population correction 1 - n/N.
    """

    n: int

    def __post_init__(self):
        object.__setattr__(self, "n", check_int(self.n, "n", low=2, owner="SRS"))

    def check(self, population):
        if self.n > population.n_units:
            raise InfeasibleDesignError(
                f"'n' of SRS must be an int in [2, N={population.n_units}] for this "
                f"population; got {self.n}.")

    def expected_size(self, population):
        return float(self.n)

    def _draw_stored(self, population, state):
        N = population.n_units
        idx = np.empty(self.n, np.int64)
        floyd_sample(state, N, self.n, np.zeros(N, np.bool_), idx)
        return idx, np.array([0, self.n]), np.array([float(N)]), np.array([-1])

    def _estimate(self, population, ys, psu_start, psu_size, out):
        est_kernels.srs_mean(ys, self.n, population.n_units, out)

    def _estimator_names(self, population):
        return ("sample mean", "sample mean")

    def _mean_task(self, population, level):
        return KernelTask(
            kernel=sim_kernels.simulate_srs_chunk,
            args=(population._y_sorted, self.n),
            methods=MEAN_METHODS, estimators=self._estimator_names(population),
            targets=("population mean",) * N_MEAN_METHODS,
            truth=np.full(N_MEAN_METHODS, population.mean),
            tq=t_quantiles(level, [self.n - 1]))

    def __str__(self):
        return f"SRS(n={self.n})"


@dataclass(frozen=True)
class _GroupDesign(Design):
    """SRS of groups, then SRS of ``_take`` units in each (all units if None)."""

    groups: int
    estimator: str = field(default="ratio", kw_only=True)

    def __post_init__(self):
        owner = type(self).__name__
        object.__setattr__(self, "groups", check_int(
            self.groups, "groups", low=2, owner=owner))
        check_choice(self.estimator, "estimator", ESTIMATORS, owner=owner)

    @property
    def _take(self) -> int | None:
        return None

    def check(self, population):
        G = population.n_groups
        if self.groups > G:
            raise InfeasibleDesignError(
                f"'groups' of {type(self).__name__} must be an int in [2, G={G}] for this "
                f"population; got {self.groups}.")

    def _max_sample_size(self, population) -> int:
        if self._take is not None:
            return self.groups * self._take
        return int(np.sort(population.group_sizes)[-self.groups:].sum())

    def _min_sample_size(self, population) -> int:
        if self._take is not None:
            return self.groups * self._take
        return int(np.sort(population.group_sizes)[:self.groups].sum())

    def _draw_stored(self, population, state):
        k = self.groups
        m = -1 if self._take is None else self._take
        max_size = int(population.group_sizes.max())
        idx = np.empty(self._max_sample_size(population), np.int64)
        groups = np.empty(k, np.int64)
        psu_start = np.empty(k + 1, np.int64)
        psu_size = np.empty(k, np.float64)
        n = draw_two_stage(state, population._offsets, k, m, np.zeros(population.n_groups, np.bool_),
                           np.zeros(max_size, np.bool_), groups, psu_start, psu_size, idx)
        return idx[:n], psu_start, psu_size, groups

    def _estimate(self, population, ys, psu_start, psu_size, out):
        k = self.groups
        est_kernels.two_stage_mean(ys, psu_start, psu_size, k, population.n_groups,
                                   population.n_units, self.estimator == "expansion",
                                   np.empty(k), np.empty(k), out)

    def _estimator_names(self, population):
        if population.equal_sizes:
            return ("sample mean", "sample mean")
        naive = "unweighted mean"
        if self._take is None and self.estimator == "ratio":
            naive = "ratio"  # all units of each group: the unweighted mean is the ratio estimator
        return (naive, self.estimator)

    def _mean_task(self, population, level):
        k = self.groups
        lo, hi = self._min_sample_size(population), self._max_sample_size(population)
        return KernelTask(
            kernel=sim_kernels.simulate_two_stage_chunk,
            args=(population._y_sorted, population._offsets, k,
                  -1 if self._take is None else self._take, self.estimator == "expansion",
                  hi, int(population.group_sizes.max())),
            methods=MEAN_METHODS, estimators=self._estimator_names(population),
            targets=("population mean",) * N_MEAN_METHODS,
            truth=np.full(N_MEAN_METHODS, population.mean),
            tq=t_quantiles(level, [k - 1, *range(lo - 1, hi)]))


@dataclass(frozen=True)
class TwoStage(_GroupDesign):
    """Two-stage sample: SRS of ``groups`` groups, then SRS of ``per_group`` units in each.

    The mean is estimated by the ratio estimator sum_j M_j ybar_j / sum_j M_j
    (``estimator="ratio"``, the default) or by the unbiased expansion
    estimator (G/k) sum_j M_j ybar_j / N (``"expansion"``); for equal group
    sizes both are the sample mean. ``cluster_t`` uses the unbiased two-stage
    variance estimator with both finite-population corrections and k - 1
    degrees of freedom; ``naive_t`` treats the k m units as an SRS.
    """

    per_group: int = 1

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "per_group", check_int(
            self.per_group, "per_group", low=1, owner="TwoStage"))

    @property
    def _take(self):
        return self.per_group

    def check(self, population):
        super().check(population)
        smallest = int(population.group_sizes.min())
        if self.per_group > smallest:
            raise InfeasibleDesignError(
                f"'per_group' of TwoStage must be an int in [1, smallest group size="
                f"{smallest}] for this population; got {self.per_group}.")

    def expected_size(self, population):
        return float(self.groups * self.per_group)

    def __str__(self):
        return f"TwoStage({self.groups}x{self.per_group})"


@dataclass(frozen=True)
class ClusterSample(_GroupDesign):
    """One-stage cluster sample: every unit of ``groups`` groups drawn by SRS.

    Estimators and intervals as for :class:`TwoStage` with every unit taken
    (the second-stage variance term vanishes). With unequal group sizes the
    sample size is random.
    """

    def expected_size(self, population):
        return float(self.groups * population.n_units / population.n_groups)

    def __str__(self):
        return f"ClusterSample({self.groups})"


@dataclass(frozen=True, eq=False)
class Sample:
    """One sample drawn by a design: its units and how they were drawn.

    ``units`` are positions in the population (its caller's order); ``groups``
    the codes of the sampled groups, ``psu`` the index of each unit's sampled
    group in ``groups`` (-1 for element sampling).
    """

    population: Population
    design: Design
    _stored: np.ndarray
    _psu_start: np.ndarray
    _psu_size: np.ndarray
    _groups: np.ndarray

    @property
    def units(self) -> np.ndarray:
        return self.population._caller_positions(self._stored)

    @property
    def y(self) -> np.ndarray:
        return self.population._y_sorted[self._stored]

    @property
    def groups(self) -> np.ndarray:
        return self._groups.copy()

    @property
    def psu(self) -> np.ndarray:
        counts = np.diff(self._psu_start)
        if self._groups[0] < 0:
            return np.full(self._stored.size, -1)
        return np.repeat(np.arange(counts.size), counts)

    @property
    def size(self) -> int:
        return int(self._stored.size)

    def estimate(self, level: float = 0.95, *, estimand: str = "mean") -> pd.DataFrame:
        """The engine's estimates and intervals for this sample, one row per method.

        ``estimand="difference"``: the effects of x (see :mod:`simsample.effects`).
        """
        from ._validation import check_real

        if check_choice(estimand, "estimand", ("mean", "difference")) == "difference":
            from .effects import estimate_sample

            return estimate_sample(self, level)
        level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True)
        out = np.empty((N_MEAN_METHODS, 3))
        ys = np.empty(self.size)
        gather(self.population._y_sorted, self._stored, self.size, ys)
        self.design._estimate(self.population, ys, self._psu_start, self._psu_size, out)
        rows = []
        for method, (estimate, se, df) in zip(MEAN_METHODS, out):
            if df >= 1:
                half = float(t_quantiles(level, [int(df)])[int(df)]) * se
            else:
                half = float("nan")
            rows.append({"method": method, "estimate": estimate, "se": se, "df": int(df),
                         "lower": estimate - half, "upper": estimate + half})
        return pd.DataFrame(rows)

    def __repr__(self):
        return f"Sample({self.design}, n={self.size})"


def check_designs(designs) -> dict[str, Design]:
    """Normalise ``designs`` (a Design, a list, or a dict name -> Design) to a dict."""
    if isinstance(designs, Design):
        designs = {str(designs): designs}
    elif isinstance(designs, (list, tuple)):
        named = {str(d): d for d in designs}
        if len(named) < len(designs):
            raise InvalidParameterError(
                "'designs' given as a list must not repeat a design; pass a dict of "
                f"name -> Design to name them; got {[str(d) for d in designs]}.")
        designs = named
    if not isinstance(designs, dict) or not designs:
        raise InvalidParameterError(
            "'designs' must be a Design, a list of Designs or a non-empty dict of "
            f"name -> Design; got {designs!r}.")
    for name, design in designs.items():
        if not isinstance(name, str) or not name:
            raise InvalidParameterError(f"design names must be non-empty strings; got {name!r}.")
        if not isinstance(design, Design):
            raise InvalidParameterError(
                f"design {name!r} must be a simsample Design (SRS, TwoStage, ClusterSample, ...); "
                f"got {design!r}.")
    return dict(designs)
