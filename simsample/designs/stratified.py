"""Stratified simple random sampling: the population's groups are the strata."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass, field

import numpy as np

from .._validation import InfeasibleDesignError, InvalidParameterError, check_choice, check_int
from .allocation import allocate
from . import _stratified_kernels as _strat
from .base import SAMPLE_MEAN, STRATIFIED, UNWEIGHTED, Design, check_estimator
from .contract import Moments, Sampler

if TYPE_CHECKING:
    from ..population import Population

_KERNELS = "simsample.designs._stratified_kernels"

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

    Parameters
    ----------
    n : int, optional
        Total sample size, allocated by ``allocation``.
    n_per_stratum : int or tuple of int, optional
        n_h for every stratum, or one per stratum (keyword only).
    allocation : {"proportional", "neyman"}, optional
        How ``n`` is allocated (keyword only; default proportional).

    Raises
    ------
    InvalidParameterError
        If neither or both of ``n`` and ``n_per_stratum`` are given, or a value
        is out of range.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=4, group_size=[10, 20, 30, 40], icc=0.2, seed=1)
    >>> ss.Stratified(20).sample_sizes(pop).tolist()
    [2, 4, 6, 8]
    >>> ss.Stratified(n_per_stratum=3).expected_size(pop)
    12.0
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

    def check(self, population):  # numpydoc ignore=GL08
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
        """n_h, the sample size of every stratum (group), in the order of ``population.labels``.

        Parameters
        ----------
        population : Population
            The population sampled (its groups are the strata).

        Returns
        -------
        numpy.ndarray
            n_h of every stratum (int).

        Raises
        ------
        InfeasibleDesignError
            If the allocation cannot be drawn from ``population``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=4, group_size=[10, 20, 30, 40], icc=0.2, seed=1)
        >>> ss.Stratified(20, allocation="neyman").sample_sizes(pop).tolist()
        [2, 5, 5, 8]
        """
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

    def expected_size(self, population):  # numpydoc ignore=GL08
        return float(self.sample_sizes(population).sum())

    def _stored_inclusion(self, population):
        sizes = population.group_sizes
        return np.repeat(self.sample_sizes(population) / sizes, sizes)

    def sampler(self, population):  # numpydoc ignore=GL08
        take = self.sample_sizes(population)
        n, H = int(take.sum()), take.size
        return Sampler(_KERNELS, "prepare_stratified", "draw_stratified_form",
                       "mean_stratified",
                       params=(population.offsets, take, int(population.group_sizes.max()),
                               population.n_units),
                       kind="element", n_units=population.n_units, form_groups=H, max_n=n,
                       mean_dfs=(n - 1, n - H), form="strata", form_slots=(5, 6),
                       estimands=("mean", "ratio", "domain_mean"))

    def sample_fields(self, population, scr, n, k):  # numpydoc ignore=GL08
        # the strata's starts and sizes (the layout SurveyDesign expects)
        return (scr[0][:n].copy(), scr[5].copy(), scr[6].copy(), np.array([-1]))

    def estimate_layout(self, population, ys, psu_start, psu_size, out) -> None:
        """The built-in mean estimators on a sample given stratum by stratum.

        Parameters
        ----------
        population : Population
            The population the sample comes from.
        ys : numpy.ndarray
            y of the sampled units, in the design's layout.
        psu_start : numpy.ndarray
            Where each sampled stratum's units start in ``ys``.
        psu_size : numpy.ndarray
            N_h of every stratum (float).
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
        >>> design = ss.Stratified(40)
        >>> s = design.draw(pop, seed=2)
        >>> out = np.empty((2, 3))
        >>> design.estimate_layout(pop, s.y, s.psu_start, s.psu_size, out)
        >>> bool(np.allclose(out[:, :2], s.estimate()[["estimate", "se"]]))
        True
        """
        _strat.stratified_mean(ys, psu_start, psu_size, population.n_units,
                               np.empty(psu_size.size), out)

    def estimator_names(self, population):  # numpydoc ignore=GL08
        take = self.sample_sizes(population)
        sizes = population.group_sizes
        self_weighting = bool((take * sizes[0] == take[0] * sizes).all())
        return ("sample mean" if self_weighting else UNWEIGHTED, STRATIFIED)

    def moments(self, population, estimator=None):
        """Exact (Cochran 5.3); the unweighted mean's expectation and variance too.

        Parameters
        ----------
        population : Population
            The population sampled.
        estimator : str, optional
            ``"stratified"``, ``"sample mean"`` or ``"unweighted mean"``; None: the design's own estimator.

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
        >>> m = ss.Stratified(40).moments(pop)
        >>> m.exact, round(m.variance, 4)
        (True, 0.0148)
        """
        check_estimator(estimator, (None, STRATIFIED, SAMPLE_MEAN, UNWEIGHTED), self)
        take = self.sample_sizes(population).astype(np.float64)
        sizes = population.group_sizes.astype(np.float64)
        # per stratum (1 - f_h) S_h^2 / n_h, the variance of its sample mean
        stratum_var = (1.0 - take / sizes) * population.group_variances / take
        if estimator in (None, STRATIFIED):
            weights = sizes / population.n_units
            return Moments(population.mean, float((weights ** 2 * stratum_var).sum()), True)
        # the unweighted sample mean sum_h (n_h/n) ybar_h
        shares = take / take.sum()
        return Moments(float((shares * population.group_means).sum()),
                       float((shares ** 2 * stratum_var).sum()), True)

    def frame_columns(self, sample):  # numpydoc ignore=GL08
        pop = sample.population
        codes = pop.codes[sample.units]
        sizes = pop.group_sizes[codes]
        taken = np.bincount(codes, minlength=pop.n_groups)[codes].astype(np.float64)
        columns = {"stratum": pop.labels[codes], "unit": sample.units, "y": sample.y,
                   "weight": sizes / taken, "fpc": sizes.astype(np.int64)}
        return columns, {"ids": [None], "strata": "stratum", "fpc": ["fpc"]}

    def __str__(self):
        if self.n is not None:
            return f"Stratified(n={self.n}, {self.allocation})"
        if isinstance(self.n_per_stratum, tuple):
            return f"Stratified(n_per_stratum={list(self.n_per_stratum)})"
        return f"Stratified({self.n_per_stratum} per stratum)"
