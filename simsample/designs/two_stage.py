"""Two-stage and one-stage cluster sampling: an SRS of groups, then an SRS within each."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import InfeasibleDesignError, check_choice, check_int
from . import _two_stage_kernels as _two
from .base import (
    ESTIMATORS, EXPANSION, RATIO, SAMPLE_MEAN, UNWEIGHTED, Design, check_estimator,
)
from .contract import Moments, Sampler

_KERNELS = "simsample.designs._two_stage_kernels"


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
    def take(self) -> int | None:
        """Units drawn in each sampled group; None when every unit is taken.

        Returns
        -------
        int or None
            m, or None for a one-stage cluster sample.

        Examples
        --------
        >>> import simsample as ss
        >>> ss.TwoStage(4, 5).take, ss.ClusterSample(4).take
        (5, None)
        """
        return None

    def check(self, population):  # numpydoc ignore=GL08
        G = population.n_groups
        if self.groups > G:
            raise InfeasibleDesignError(
                f"'groups' of {type(self).__name__} must be an int in [2, G={G}] for this "
                f"population; got {self.groups}.")

    def max_sample_size(self, population) -> int:
        """The largest possible sample size (k m, or the largest k groups' units when all are taken).

        Parameters
        ----------
        population : Population
            The population sampled.

        Returns
        -------
        int
            The largest number of units a sample can have.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=[5, 15] * 10, icc=0.2, seed=1)
        >>> ss.ClusterSample(4).max_sample_size(pop), ss.TwoStage(4, 5).max_sample_size(pop)
        (60, 20)
        """
        if self.take is not None:
            return self.groups * self.take
        return int(np.sort(population.group_sizes)[-self.groups:].sum())

    def min_sample_size(self, population) -> int:
        """The smallest possible sample size (k m, or the smallest k groups' units when all are taken).

        Parameters
        ----------
        population : Population
            The population sampled.

        Returns
        -------
        int
            The smallest number of units a sample can have.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=[5, 15] * 10, icc=0.2, seed=1)
        >>> ss.ClusterSample(4).min_sample_size(pop), ss.TwoStage(4, 5).min_sample_size(pop)
        (20, 20)
        """
        if self.take is not None:
            return self.groups * self.take
        return int(np.sort(population.group_sizes)[:self.groups].sum())

    def _stored_inclusion(self, population):
        # (k/G) (m/M_j), or k/G when every unit of a sampled group is taken
        first = self.groups / population.n_groups
        if self.take is None:
            return np.full(population.n_units, first)
        sizes = population.group_sizes
        return np.repeat(first * self.take / sizes, sizes)

    def sampler(self, population):  # numpydoc ignore=GL08
        k = self.groups
        lo, hi = self.min_sample_size(population), self.max_sample_size(population)
        params = (population.offsets, k, -1 if self.take is None else self.take,
                  self.estimator == EXPANSION, hi, int(population.group_sizes.max()),
                  population.n_units, population.n_groups)
        return Sampler(_KERNELS, "prepare_two_stage", "draw_two_stage_form", "mean_two_stage",
                       params=params, kind="cluster", n_units=population.n_units,
                       form_groups=population.n_groups, max_n=hi,
                       mean_dfs=(k - 1, *range(lo - 1, hi)),
                       estimands=("mean", "difference", "ratio", "domain_mean"))

    def estimate_layout(self, population, ys, psu_start, psu_size, out) -> None:
        """The built-in mean estimators on a sample given group by group (``psu_start``, sizes).

        Parameters
        ----------
        population : Population
            The population the sample comes from.
        ys : numpy.ndarray
            y of the sampled units, in the design's layout.
        psu_start : numpy.ndarray
            Where each sampled group's units start in ``ys``.
        psu_size : numpy.ndarray
            M_j of the sampled groups (float).
        out : numpy.ndarray
            Array of shape (2, 3) to fill: rows ``naive_t``, ``cluster_t``;
            columns estimate, standard error, degrees of freedom.

        Returns
        -------
        None
            The estimates are written into ``out``.

        Examples
        --------
        >>> import numpy as np
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> design = ss.TwoStage(4, 5)
        >>> s = design.draw(pop, seed=2)
        >>> out = np.empty((2, 3))
        >>> design.estimate_layout(pop, s.y, s.psu_start, s.psu_size, out)
        >>> bool(np.allclose(out[:, :2], s.estimate()[["estimate", "se"]]))
        True
        """
        k = self.groups
        _two.two_stage_mean(ys, psu_start, psu_size, k, population.n_groups, population.n_units,
                            self.estimator == EXPANSION, np.empty(k), np.empty(k), out)

    def estimator_names(self, population):  # numpydoc ignore=GL08
        if population.equal_sizes:
            return (SAMPLE_MEAN, SAMPLE_MEAN)
        naive = UNWEIGHTED
        if self.take is None and self.estimator == RATIO:
            naive = RATIO  # all units of each group: the unweighted mean is the ratio estimator
        return (naive, self.estimator)

    def moments(self, population, estimator=None):
        """Exact for equal sizes and for the expansion and unweighted means (Cochran 10-11).

        The ratio estimator with unequal sizes gets the linearisation
        (Cochran eq. 11.30), flagged ``exact=False``.

        Parameters
        ----------
        population : Population
            The population sampled.
        estimator : str, optional
            ``"sample mean"``, ``"unweighted mean"``, ``"ratio"`` or ``"expansion"``; None: the design's own estimator.

        Returns
        -------
        Moments
            Expectation, variance and whether the variance is exact.

        Raises
        ------
        ValueError
            If ``estimator`` is not one the design's theory knows.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> m = ss.TwoStage(4, 5).moments(pop, "expansion")
        >>> m.exact, round(m.variance, 4)
        (True, 0.0531)
        """
        check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED, RATIO, EXPANSION), self)
        k, G, N = self.groups, population.n_groups, population.n_units
        sizes = population.group_sizes.astype(np.float64)
        f1 = k / G
        m = sizes if self.take is None else float(self.take)
        # sum_j M_j^2 (1 - f2j) S_j^2 / m_j, the second-stage part of the variance
        second = float((sizes ** 2 * (1.0 - m / sizes) * population.group_variances / m).sum())
        equal = population.equal_sizes
        estimator = estimator or self.estimator
        if estimator in (SAMPLE_MEAN,) and not equal:
            estimator = self.estimator
        if estimator == UNWEIGHTED and (equal or self.take is None):
            # unweighted mean of whole groups = sum of totals / sum of sizes = the ratio estimator
            estimator = RATIO
        if estimator == UNWEIGHTED:
            var = ((1.0 - f1) * population.between_variance / k
                   + float(((1.0 - m / sizes) * population.group_variances / m).sum()) / (k * G))
            return Moments(float(population.group_means.mean()), var, True)
        if estimator == EXPANSION or equal:
            totals_var = float(np.var(population.group_totals, ddof=1))
            var = (G * G * (1.0 - f1) * totals_var / k + G / k * second) / (N * N)
            return Moments(population.mean, var, True)
        mbar = N / G
        resid = float((sizes ** 2 * (population.group_means - population.mean) ** 2).sum()) / (G - 1)
        var = ((1.0 - f1) * resid / k + second / (k * G)) / (mbar * mbar)
        return Moments(float("nan"), var, False)

    def frame_columns(self, sample):  # numpydoc ignore=GL08
        pop = sample.population
        psu = sample.psu
        sizes = sample.psu_size[psu]
        taken = np.diff(sample.psu_start)[psu].astype(np.float64)
        n_groups = pop.n_groups
        k = sample.groups.size
        columns = {"group": pop.labels[sample.groups][psu], "unit": sample.units, "y": sample.y,
                   "weight": n_groups / k * sizes / taken, "fpc1": np.full(sample.size, n_groups),
                   "fpc2": sizes.astype(np.int64)}
        return columns, {"ids": ["group", None], "fpc": ["fpc1", "fpc2"]}


@dataclass(frozen=True)
class TwoStage(_GroupDesign):
    """Two-stage sample: SRS of ``groups`` groups, then SRS of ``per_group`` units in each.

    The mean is estimated by the ratio estimator sum_j M_j ybar_j / sum_j M_j
    (``estimator="ratio"``, the default) or by the unbiased expansion
    estimator (G/k) sum_j M_j ybar_j / N (``"expansion"``); for equal group
    sizes both are the sample mean. ``cluster_t`` uses the unbiased two-stage
    variance estimator with both finite-population corrections and k - 1
    degrees of freedom; ``naive_t`` treats the k m units as an SRS.

    Parameters
    ----------
    groups : int
        k, the number of groups drawn (at least 2, at most G).
    per_group : int, default 1
        m, the units drawn in each sampled group (at most the smallest M_j).
    estimator : {"ratio", "expansion"}, default "ratio"
        Estimator of the mean (keyword only).

    Raises
    ------
    InvalidParameterError
        If a size is not an int in range or ``estimator`` is unknown.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.TwoStage(4, 5)
    >>> str(design), design.expected_size(pop)
    ('TwoStage(4x5)', 20.0)
    >>> round(ss.theory.design_effect(pop, design), 3)
    1.415
    """

    per_group: int = 1

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "per_group", check_int(
            self.per_group, "per_group", low=1, owner="TwoStage"))

    @property
    def take(self):
        """Units drawn in each sampled group: ``per_group``.

        Returns
        -------
        int

        Examples
        --------
        >>> import simsample as ss
        >>> ss.TwoStage(4, 5).take
        5
        """
        return self.per_group

    def check(self, population):  # numpydoc ignore=GL08
        super().check(population)
        smallest = int(population.group_sizes.min())
        if self.per_group > smallest:
            raise InfeasibleDesignError(
                f"'per_group' of TwoStage must be an int in [1, smallest group size="
                f"{smallest}] for this population; got {self.per_group}.")

    def expected_size(self, population):  # numpydoc ignore=GL08
        return float(self.groups * self.per_group)

    def __str__(self):
        return f"TwoStage({self.groups}x{self.per_group})"


@dataclass(frozen=True)
class ClusterSample(_GroupDesign):
    """One-stage cluster sample: every unit of ``groups`` groups drawn by SRS.

    Estimators and intervals as for :class:`TwoStage` with every unit taken
    (the second-stage variance term vanishes). With unequal group sizes the
    sample size is random.

    Parameters
    ----------
    groups : int
        k, the number of groups drawn (at least 2, at most G).
    estimator : {"ratio", "expansion"}, default "ratio"
        Estimator of the mean (keyword only).

    Raises
    ------
    InvalidParameterError
        If ``groups`` is not an int of at least 2 or ``estimator`` is unknown.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.ClusterSample(4)
    >>> str(design), design.expected_size(pop)
    ('ClusterSample(4)', 40.0)
    """

    def expected_size(self, population):  # numpydoc ignore=GL08
        return float(self.groups * population.n_units / population.n_groups)

    def __str__(self):
        return f"ClusterSample({self.groups})"
