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
from ._kernels import pps, replacement, stratified, three_stage
from ._kernels.select import draw_two_stage, floyd_sample, gather
from .allocation import allocate
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

    def inclusion_probabilities(self, population: Population) -> np.ndarray:
        """pi_i, the probability that unit i is in the sample, for every unit.

        One value per unit, in the population's (caller's) order; exact.
        """
        self.check(population)
        return population._to_caller_order(self._stored_inclusion(population))

    def weights(self, population: Population) -> np.ndarray:
        """Design weights 1 / pi_i of every unit, in the population's order."""
        return 1.0 / self.inclusion_probabilities(population)

    def _stored_inclusion(self, population: Population) -> np.ndarray:
        """Inclusion probabilities in grouped storage order."""
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

    With ``replace=True``: ``n`` independent draws with replacement (a unit
    may occur several times; n may exceed N). The sample mean has variance
    sigma^2/n = (N - 1)/N S^2/n; s^2/n estimates it without bias, so both
    ``naive_t`` and ``cluster_t`` are ybar +- t(n-1) s/sqrt(n). A unit's
    inclusion probability is 1 - (1 - 1/N)^n; its design weight for the
    sample mean is N/n per draw (Hansen-Hurwitz), which is not 1/pi.
    """

    n: int
    replace: bool = field(default=False, kw_only=True)

    def __post_init__(self):
        object.__setattr__(self, "n", check_int(self.n, "n", low=2, owner="SRS"))
        if not isinstance(self.replace, (bool, np.bool_)):
            raise InvalidParameterError(
                f"'replace' of SRS must be True or False; got {self.replace!r}.")
        object.__setattr__(self, "replace", bool(self.replace))

    def check(self, population):
        if self.replace:
            return
        if self.n > population.n_units:
            raise InfeasibleDesignError(
                f"'n' of SRS must be an int in [2, N={population.n_units}] for this "
                f"population; got {self.n}.")

    def expected_size(self, population):
        return float(self.n)

    def _stored_inclusion(self, population):
        N = population.n_units
        if self.replace:
            return np.full(N, -np.expm1(self.n * np.log1p(-1.0 / N)) if N > 1 else 1.0)
        return np.full(N, self.n / N)

    def _draw_stored(self, population, state):
        N = population.n_units
        idx = np.empty(self.n, np.int64)
        if self.replace:
            replacement.draw_srs_replace(state, N, self.n, idx)
        else:
            floyd_sample(state, N, self.n, np.zeros(N, np.bool_), idx)
        return idx, np.array([0, self.n]), np.array([float(N)]), np.array([-1])

    def _estimate(self, population, ys, psu_start, psu_size, out):
        if self.replace:
            replacement.srs_replace_mean(ys, self.n, out)
            return
        est_kernels.srs_mean(ys, self.n, population.n_units, out)

    def _estimator_names(self, population):
        return ("sample mean", "sample mean")

    def _mean_task(self, population, level):
        return KernelTask(
            kernel=(replacement.simulate_srs_replace_chunk if self.replace
                    else sim_kernels.simulate_srs_chunk),
            args=(population._y_sorted, self.n),
            methods=MEAN_METHODS, estimators=self._estimator_names(population),
            targets=("population mean",) * N_MEAN_METHODS,
            truth=np.full(N_MEAN_METHODS, population.mean),
            tq=t_quantiles(level, [self.n - 1]))

    def __str__(self):
        return f"SRS(n={self.n}, replace=True)" if self.replace else f"SRS(n={self.n})"


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

    def _stored_inclusion(self, population):
        # (k/G) (m/M_j), or k/G when every unit of a sampled group is taken
        first = self.groups / population.n_groups
        if self._take is None:
            return np.full(population.n_units, first)
        sizes = population.group_sizes
        return np.repeat(first * self._take / sizes, sizes)

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

    @property
    def weights(self) -> np.ndarray:
        """Design weight 1/pi of every sampled unit (as in :meth:`Design.weights`)."""
        return 1.0 / self.design._stored_inclusion(self.population)[self._stored]

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

    def to_frame(self) -> pd.DataFrame:
        """This sample with its design columns, for :class:`simsample.SurveyDesign`.

        See :func:`simsample.survey.sample_frame`.
        """
        from .survey import sample_frame

        return sample_frame(self)

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


# -- more designs: stratified, PPS, three-stage ----------------------------------------------

#: Allocations of a total sample size to strata (``Stratified(n, allocation=...)``).
ALLOCATIONS = ("proportional", "neyman")
#: Smallest sample per stratum: a stratum variance needs two units.
MIN_PER_STRATUM = 2


@dataclass(frozen=True)
class Stratified(Design):
    """Stratified simple random sample: the population's groups are the strata.

    Every stratum h (group) gets an SRS without replacement of n_h of its
    N_h units, independently. Give either ``n_per_stratum`` (one int for all
    strata, or one per stratum in the order of ``population.labels``) or a
    total ``n`` with an ``allocation``:

    * ``"proportional"`` (the default): n_h proportional to N_h;
    * ``"neyman"``: n_h proportional to N_h S_h (Neyman 1934, optimal for the
      stratified mean at a fixed n), with S_h the finite population's
      within-stratum standard deviations (``population.group_variances``;
      known in a simulation, a guess from earlier data in practice). If every
      S_h is 0 it falls back to proportional.

    The allocation is deterministic: the continuous allocation
    n_h* = clip(lambda a_h, 2, N_h) (a_h = N_h or N_h S_h, lambda chosen so
    that the n_h* sum to n; the optimum under the bounds) is rounded down and
    the units left over go, one each, to the strata with the largest
    remainders (ties to the first stratum): every n_h is in [2, N_h] and they
    sum to n. :meth:`sample_sizes` returns them.

    ``cluster_t``: the stratified mean sum_h W_h ybar_h (W_h = N_h/N) with the
    unbiased variance estimator sum_h W_h^2 (1 - n_h/N_h) s_h^2/n_h and n - H
    degrees of freedom (Cochran 1977, ch. 5). ``naive_t``: the unweighted
    sample mean with s^2/n and n - 1 degrees of freedom (biased unless the
    allocation is exactly proportional). Inclusion probability of a unit of
    stratum h: n_h / N_h.
    """

    n: int | None = None
    n_per_stratum: int | tuple | None = field(default=None, kw_only=True)
    allocation: str | None = field(default=None, kw_only=True)

    def __post_init__(self):
        owner = "Stratified"
        if (self.n is None) == (self.n_per_stratum is None):
            raise InvalidParameterError(
                "Stratified needs exactly one of 'n' (a total to allocate to the strata) and "
                f"'n_per_stratum'; got n={self.n!r}, n_per_stratum={self.n_per_stratum!r}.")
        if self.n is not None:
            object.__setattr__(self, "n", check_int(self.n, "n", low=MIN_PER_STRATUM,
                                                    owner=owner))
            object.__setattr__(self, "allocation", check_choice(
                self.allocation or "proportional", "allocation", ALLOCATIONS, owner=owner))
            return
        if self.allocation is not None:
            raise InvalidParameterError(
                "'allocation' of Stratified applies only to a total 'n'; got "
                f"allocation={self.allocation!r} with n_per_stratum={self.n_per_stratum!r}.")
        per = self.n_per_stratum
        if isinstance(per, (list, tuple, np.ndarray)):
            if len(per) == 0:
                raise InvalidParameterError(
                    "'n_per_stratum' of Stratified must be an int or a non-empty sequence of "
                    "ints, one per stratum; got an empty sequence.")
            per = tuple(check_int(v, "n_per_stratum", low=MIN_PER_STRATUM, owner=owner)
                        for v in per)
        else:
            per = check_int(per, "n_per_stratum", low=MIN_PER_STRATUM, owner=owner)
        object.__setattr__(self, "n_per_stratum", per)

    def check(self, population):
        sizes = population.group_sizes
        H, N = population.n_groups, population.n_units
        small = np.flatnonzero(sizes < MIN_PER_STRATUM)
        if small.size:
            raise InfeasibleDesignError(
                f"Stratified needs at least {MIN_PER_STRATUM} units in every stratum (group) "
                f"for a variance estimate; stratum {population.labels.tolist()[small[0]]!r} "
                f"has {int(sizes[small[0]])} ({small.size} such strata).")
        if self.n is not None:
            if not MIN_PER_STRATUM * H <= self.n <= N:
                raise InfeasibleDesignError(
                    f"'n' of Stratified must be an int in [{MIN_PER_STRATUM} x H = "
                    f"{MIN_PER_STRATUM * H}, N={N}] for this population of {H} strata; "
                    f"got {self.n}.")
            return
        take = self._fixed_take(H)
        if take is None:
            raise InfeasibleDesignError(
                f"'n_per_stratum' of Stratified must hold one int per stratum (H={H}) for "
                f"this population; got {len(self.n_per_stratum)}.")
        over = np.flatnonzero(take > sizes)
        if over.size:
            h = over[0]
            raise InfeasibleDesignError(
                f"'n_per_stratum' of Stratified must be at most the stratum size; stratum "
                f"{population.labels.tolist()[h]!r} has N_h={int(sizes[h])} units, got "
                f"n_h={int(take[h])}.")

    def _fixed_take(self, H) -> np.ndarray | None:
        per = self.n_per_stratum
        if isinstance(per, tuple):
            return np.asarray(per, dtype=np.int64) if len(per) == H else None
        return np.full(H, per, dtype=np.int64)

    def sample_sizes(self, population: Population) -> np.ndarray:
        """n_h, the sample size of every stratum (group), in the order of ``population.labels``."""
        self.check(population)
        if self.n_per_stratum is not None:
            return self._fixed_take(population.n_groups)
        sizes = population.group_sizes.astype(np.float64)
        shares = sizes
        if self.allocation == "neyman":
            shares = sizes * np.sqrt(population.group_variances)
            if not shares.any():
                shares = sizes
        return allocate(self.n, shares, np.full(sizes.size, float(MIN_PER_STRATUM)), sizes)

    def expected_size(self, population):
        return float(self.sample_sizes(population).sum())

    def _stored_inclusion(self, population):
        sizes = population.group_sizes
        return np.repeat(self.sample_sizes(population) / sizes, sizes)

    def _draw_stored(self, population, state):
        take = self.sample_sizes(population)
        idx = np.empty(int(take.sum()), np.int64)
        start = np.empty(take.size + 1, np.int64)
        stratified.draw_stratified(state, population._offsets, take,
                                   np.zeros(int(population.group_sizes.max()), np.bool_),
                                   idx, start)
        return idx, start, population.group_sizes.astype(np.float64), np.array([-1])

    def _estimate(self, population, ys, psu_start, psu_size, out):
        stratified.stratified_mean(ys, psu_start, psu_size, population.n_units,
                                   np.empty(psu_size.size), out)

    def _estimator_names(self, population):
        take = self.sample_sizes(population)
        sizes = population.group_sizes
        self_weighting = bool((take * sizes[0] == take[0] * sizes).all())
        return ("sample mean" if self_weighting else "unweighted mean", "stratified")

    def _mean_task(self, population, level):
        take = self.sample_sizes(population)
        n, H = int(take.sum()), take.size
        return KernelTask(
            kernel=stratified.simulate_stratified_chunk,
            args=(population._y_sorted, population._offsets, take,
                  int(population.group_sizes.max())),
            methods=MEAN_METHODS, estimators=self._estimator_names(population),
            targets=("population mean",) * N_MEAN_METHODS,
            truth=np.full(N_MEAN_METHODS, population.mean),
            tq=t_quantiles(level, [n - 1, n - H]))

    def __str__(self):
        if self.n is not None:
            return f"Stratified(n={self.n}, {self.allocation})"
        if isinstance(self.n_per_stratum, tuple):
            return f"Stratified(n_per_stratum={list(self.n_per_stratum)})"
        return f"Stratified({self.n_per_stratum} per stratum)"


@dataclass(frozen=True)
class PPS(Design):
    """Groups drawn with probability proportional to size, then ``per_group`` units in each.

    First stage: randomised systematic PPS (Goodman and Kish 1950; Hartley
    and Rao 1962) of k = ``groups`` groups without replacement: the groups in
    a new uniformly random order every draw, the sizes laid end to end, and
    k points N/k apart from a uniform random start select the groups they
    hit. Group j is drawn with probability exactly pi_j = k M_j / N
    (:meth:`group_inclusion_probabilities`), which needs k M_j <= N for every
    group. Second stage: SRS of m = ``per_group`` units in each drawn group.
    Every unit has inclusion probability k m / N: the sample is
    self-weighting, and the Horvitz-Thompson mean is the sample mean (which
    equals the mean of the k group means), unbiased for the population mean.

    ``cluster_t``: the with-replacement (Hansen-Hurwitz / ultimate-cluster)
    variance estimator s_b^2/k, s_b^2 the variance of the k group sample
    means, with k - 1 degrees of freedom. It ignores the without-replacement
    gain, so it overestimates the variance by roughly the share k M_j/N of
    the sampled groups: close to nominal when k is small next to N/M_j, on
    the safe side otherwise. ``naive_t``: s^2/n with n - 1 degrees of freedom.

    Theory (:mod:`simsample.theory`): exact for equal group sizes (a random
    order then makes the groups an SRS); otherwise the joint inclusion
    probabilities of randomised systematic sampling have no closed form,
    and the variance is the Hartley-Rao (1962) approximation, flagged
    ``exact=False``.
    """

    groups: int
    per_group: int = 1

    def __post_init__(self):
        object.__setattr__(self, "groups", check_int(self.groups, "groups", low=2, owner="PPS"))
        object.__setattr__(self, "per_group", check_int(
            self.per_group, "per_group", low=1, owner="PPS"))

    def check(self, population):
        G, N = population.n_groups, population.n_units
        sizes = population.group_sizes
        if self.groups > G:
            raise InfeasibleDesignError(
                f"'groups' of PPS must be an int in [2, G={G}] for this population; "
                f"got {self.groups}.")
        smallest, largest = int(sizes.min()), int(sizes.max())
        if self.per_group > smallest:
            raise InfeasibleDesignError(
                f"'per_group' of PPS must be an int in [1, smallest group size={smallest}] for "
                f"this population; got {self.per_group}.")
        if self.groups * largest > N:
            raise InfeasibleDesignError(
                f"'groups' of PPS must keep every inclusion probability k M_j / N at most 1, "
                f"i.e. groups <= N / largest group size = {N} / {largest} = "
                f"{N // largest} for this population; got {self.groups}.")

    def group_inclusion_probabilities(self, population: Population) -> np.ndarray:
        """pi_j = k M_j / N, the probability that group j is drawn (order of ``labels``)."""
        self.check(population)
        return self.groups * population.group_sizes / population.n_units

    def expected_size(self, population):
        return float(self.groups * self.per_group)

    def _stored_inclusion(self, population):
        return np.full(population.n_units,
                       self.groups * self.per_group / population.n_units)

    def _draw_stored(self, population, state):
        k, m = self.groups, self.per_group
        idx = np.empty(k * m, np.int64)
        groups = np.empty(k, np.int64)
        psu_start = np.empty(k + 1, np.int64)
        psu_size = np.empty(k, np.float64)
        pps.draw_pps_systematic(state, population._offsets, k, m,
                                np.arange(population.n_groups),
                                np.zeros(int(population.group_sizes.max()), np.bool_),
                                groups, psu_start, psu_size, idx)
        return idx, psu_start, psu_size, groups

    def _estimate(self, population, ys, psu_start, psu_size, out):
        pps.pps_mean(ys, psu_start, self.groups, np.empty(self.groups), out)

    def _estimator_names(self, population):
        return ("sample mean", "sample mean")

    def _mean_task(self, population, level):
        k, m = self.groups, self.per_group
        return KernelTask(
            kernel=pps.simulate_pps_chunk,
            args=(population._y_sorted, population._offsets, k, m,
                  int(population.group_sizes.max())),
            methods=MEAN_METHODS, estimators=self._estimator_names(population),
            targets=("population mean",) * N_MEAN_METHODS,
            truth=np.full(N_MEAN_METHODS, population.mean),
            tq=t_quantiles(level, [k - 1, k * m - 1]))

    def __str__(self):
        return f"PPS({self.groups}x{self.per_group})"


@dataclass(frozen=True)
class ThreeStage(Design):
    """Three-stage sample: SRS of groups, of subgroups in each, of units in each subgroup.

    Schools > classes > students: k = ``groups`` of the G groups, l =
    ``subgroups`` of the L_j subgroups of each drawn group, m =
    ``per_subgroup`` of the M_jk units of each drawn subgroup, all by SRS
    without replacement. Needs a population with subgroups
    (``Population(y, group, subgroup=...)`` or :func:`simsample.three_level`).
    A unit's inclusion probability is (k/G)(l/L_j)(m/M_jk).

    The mean is estimated by the ratio estimator Yhat / Nhat
    (``estimator="ratio"``, the default) or the unbiased expansion estimator
    Yhat / N (``"expansion"``), Yhat = (G/k) sum_j (L_j/l) sum_k M_jk ybar_jk;
    for equal L_j and M_jk both are the sample mean. ``cluster_t`` uses the
    unbiased three-stage variance estimator with finite-population
    corrections at every stage (Cochran 1977, 10.8; for equal sizes
    (1 - f1) s1^2/k + f1 (1 - f2) s2^2/(k l) + f1 f2 (1 - f3) s3^2/(k l m)),
    linearised for the ratio estimator, with k - 1 degrees of freedom.
    ``naive_t`` treats the k l m units as an SRS.
    """

    groups: int
    subgroups: int = 1
    per_subgroup: int = 1
    estimator: str = field(default="ratio", kw_only=True)

    def __post_init__(self):
        owner = "ThreeStage"
        object.__setattr__(self, "groups", check_int(self.groups, "groups", low=2, owner=owner))
        object.__setattr__(self, "subgroups", check_int(
            self.subgroups, "subgroups", low=1, owner=owner))
        object.__setattr__(self, "per_subgroup", check_int(
            self.per_subgroup, "per_subgroup", low=1, owner=owner))
        check_choice(self.estimator, "estimator", ESTIMATORS, owner=owner)

    def check(self, population):
        if not population.has_subgroups:
            raise InfeasibleDesignError(
                "ThreeStage needs a population with subgroups nested in groups; build it with "
                "Population(y, group, subgroup=...) or simsample.three_level(...).")
        G = population.n_groups
        if self.groups > G:
            raise InfeasibleDesignError(
                f"'groups' of ThreeStage must be an int in [2, G={G}] for this population; "
                f"got {self.groups}.")
        fewest = int(population.subgroups_per_group.min())
        if self.subgroups > fewest:
            raise InfeasibleDesignError(
                f"'subgroups' of ThreeStage must be an int in [1, fewest subgroups of a "
                f"group={fewest}] for this population; got {self.subgroups}.")
        smallest = int(population.subgroup_sizes.min())
        if self.per_subgroup > smallest:
            raise InfeasibleDesignError(
                f"'per_subgroup' of ThreeStage must be an int in [1, smallest subgroup "
                f"size={smallest}] for this population; got {self.per_subgroup}.")

    def expected_size(self, population):
        return float(self.groups * self.subgroups * self.per_subgroup)

    def _stored_inclusion(self, population):
        per_group = population.subgroups_per_group
        sub_sizes = population.subgroup_sizes
        per_sub = (self.groups / population.n_groups
                   * self.subgroups / np.repeat(per_group, per_group)
                   * self.per_subgroup / sub_sizes)
        return np.repeat(per_sub, sub_sizes)

    def _draw_stored(self, population, state):
        k, l, m = self.groups, self.subgroups, self.per_subgroup
        idx = np.empty(k * l * m, np.int64)
        groups = np.empty(k, np.int64)
        nsub = np.empty(k, np.float64)
        subsize = np.empty(k * l, np.float64)
        three_stage.draw_three_stage(
            state, population._group_sub_offsets, population._sub_offsets, k, l, m,
            np.zeros(population.n_groups, np.bool_),
            np.zeros(int(population.subgroups_per_group.max()), np.bool_),
            np.zeros(int(population.subgroup_sizes.max()), np.bool_),
            np.empty(l, np.int64), groups, nsub, subsize, idx)
        # psu_size row a: L_j of the group, then the sizes M_jk of its l sampled subgroups
        psu_size = np.column_stack([nsub, subsize.reshape(k, l)])
        return idx, np.arange(k + 1, dtype=np.int64) * l * m, psu_size, groups

    def _estimate(self, population, ys, psu_start, psu_size, out):
        k, l = self.groups, self.subgroups
        three_stage.three_stage_mean(
            ys, k, l, self.per_subgroup, np.ascontiguousarray(psu_size[:, 0]),
            np.ascontiguousarray(psu_size[:, 1:]).ravel(), population.n_groups,
            population.n_units, self.estimator == "expansion", np.empty(k * l),
            np.empty(k * l), np.empty(k), out)

    def _estimator_names(self, population):
        if _three_stage_equal(population):
            return ("sample mean", "sample mean")
        return ("unweighted mean", self.estimator)

    def _mean_task(self, population, level):
        k, l, m = self.groups, self.subgroups, self.per_subgroup
        return KernelTask(
            kernel=three_stage.simulate_three_stage_chunk,
            args=(population._y_sorted, population._group_sub_offsets, population._sub_offsets,
                  k, l, m, self.estimator == "expansion",
                  int(population.subgroups_per_group.max()),
                  int(population.subgroup_sizes.max())),
            methods=MEAN_METHODS, estimators=self._estimator_names(population),
            targets=("population mean",) * N_MEAN_METHODS,
            truth=np.full(N_MEAN_METHODS, population.mean),
            tq=t_quantiles(level, [k - 1, k * l * m - 1]))

    def __str__(self):
        return f"ThreeStage({self.groups}x{self.subgroups}x{self.per_subgroup})"


def _three_stage_equal(population) -> bool:
    """Whether every group has the same number of subgroups and every subgroup the same size."""
    per_group = population.subgroups_per_group
    sizes = population.subgroup_sizes
    return bool((per_group == per_group[0]).all() and (sizes == sizes[0]).all())
