"""Groups drawn with probability proportional to size: randomised systematic PPS (the
default), or one of the unequal-probability methods of :mod:`.unequal_probability`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass, replace

import numpy as np

from .._validation import InfeasibleDesignError, InvalidParameterError, check_int
from .._kernels.moments import HR_T, HT_T, N_UPE_METHODS, SYG_T
from . import _pps_kernels as _pps
from . import pps_methods as upe
from .base import EXPANSION, SAMPLE_MEAN, UNWEIGHTED, Design, Moments, Sampler, check_estimator
from .two_stage import TwoStage

if TYPE_CHECKING:
    from ..population import Population

_KERNELS = "simsample.designs._pps_kernels"
_UPE_KERNELS = "simsample.designs._upe_kernels"
_UPE_CODES = {name: code for code, name in enumerate(upe.METHODS)}
#: Positions in the unequal-probability params of the pi_kl table and the Hartley-Rao flag.
_JOINT, _WANT_HR = 7, 9


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

    ``method`` (None: the above, unchanged) draws the k groups without
    replacement with pi_j = k x_j / sum x by one of the schemes below,
    x the size measure ``size`` (None: the group sizes M_j; ``"x"``: the group
    totals of the micro covariate; ``"X"``: the macro covariate; or one value
    per group in the order of ``population.labels``). pi_kl from
    :meth:`joint_inclusion_probabilities`; drawing cost per replication with
    the precomputed tables:

    =====================  ==========================  ========================
    method                 pi_kl                       drawing
    =====================  ==========================  ========================
    "systematic"           no closed form (random      O(G)
                           order): exact for G <= 8
                           or equal pi, else
                           Hartley-Rao (approximate)
    "brewer"               exact (subset sum, small    O(k G)
                           frames), else approximate
    "sampford"             exact                       O(k log G) per try
                                                       (rejective)
    "conditional_poisson"  exact (maximum entropy)     O(G)
    "tille"                exact (elimination)         O(G (G - k))
    "midzuno"              exact (needs pi_j >=        O(k log G)
                           (k-1)/(G-1))
    =====================  ==========================  ========================

    ``per_group`` units by SRS in each drawn group (None: every unit, a
    one-stage cluster sample). The estimator is the Horvitz-Thompson mean
    (1/N) sum_j M_j ybar_j / pi_j. Built-in methods: ``naive_t`` (the
    unweighted mean, iid), ``cluster_t`` (the with-replacement, ultimate-cluster
    variance k/(k-1) sum (t_j/pi_j - T/k)^2 / N^2), and, rows of the same
    kernel, ``ht_t`` (Horvitz-Thompson variance) and ``syg_t``
    (Sen-Yates-Grundy) from exact pi_kl (offered only where they are exact),
    ``hr_t`` (Hartley-Rao 1962: pi_kl replaced by 1 - pi_k - pi_l + sum pi^2/k
    in the Yates-Grundy form) and ``brewer_t`` (R survey's ``pps="brewer"``:
    k/(k-1) sum (1 - pi_j)(t_j/pi_j - T/k)^2). All but ``cluster_t`` add the
    second-stage term sum_j M_j^2 (1 - m/M_j) s_j^2 / (m pi_j), which is not
    estimable with m = 1 (then they miss it); all have k - 1 df. A negative
    HT or SYG variance estimate is a failed replication. Theory: the exact
    variance from pi_kl (:mod:`.pps_methods`), flagged approximate where pi_kl
    are.

    Parameters
    ----------
    groups : int
        k, the number of groups drawn (>= 2).
    per_group : int or None
        m, the units drawn by SRS in each drawn group; None (with ``method``)
        for every unit.
    method : str, optional
        None, "systematic", "brewer", "sampford", "conditional_poisson",
        "tille" or "midzuno".
    size : None, str or array, optional
        The size measure (with ``method`` only).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=12, group_size=[4, 6, 8, 10] * 3, seed=1)
    >>> design = ss.PPS(3, 2, method="conditional_poisson")
    >>> round(float(design.joint_inclusion_probabilities(pop).sum()), 6)  # k^2
    9.0
    """

    groups: int
    per_group: int | None = 1
    method: str | None = None
    size: object = None

    def __post_init__(self):
        object.__setattr__(self, "groups", check_int(self.groups, "groups", low=2, owner="PPS"))
        if self.method is not None and self.method not in upe.METHODS:
            raise InvalidParameterError(
                f"'method' of PPS must be None or one of {list(upe.METHODS)}; got "
                f"{self.method!r}.")
        if self.per_group is not None or self.method is None:
            object.__setattr__(self, "per_group", check_int(
                self.per_group, "per_group", low=1, owner="PPS"))
        if self.size is not None:
            if self.method is None:
                raise InvalidParameterError("'size' of PPS needs a 'method' (e.g. 'sampford').")
            if not isinstance(self.size, str):
                object.__setattr__(self, "size", tuple(float(v) for v in
                                                      np.asarray(self.size).ravel()))

    def _x(self, population):
        size = np.asarray(self.size) if isinstance(self.size, tuple) else self.size
        return upe.size_measure(size, population)

    def _tables(self, population):
        return upe.tables(self.method, self.groups, self._x(population))

    def joint_inclusion_probabilities(self, population: Population,
                                      approximate: bool = False) -> np.ndarray:
        """pi_kl of every pair of groups (G x G, order of ``labels``; pi_j on the diagonal).

        Exact by the method's algorithm; where no exact value is known
        (randomised systematic with G > 8 and unequal pi, large Brewer
        frames) a ValueError, unless ``approximate`` (Hartley and Rao's 1962
        approximation).

        Parameters
        ----------
        population : Population
            The population sampled (checked with :meth:`check`).
        approximate : bool, default False
            Return Hartley and Rao's approximation where no exact value is known.

        Returns
        -------
        numpy.ndarray
            G x G matrix of pi_kl; its rows sum to k pi_k.

        Raises
        ------
        ValueError
            Where pi_kl have no exact value and ``approximate`` is False.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=12, group_size=[4, 6, 8, 10] * 3, seed=1)
        >>> joint = ss.PPS(3, 2, method="conditional_poisson").joint_inclusion_probabilities(pop)
        >>> joint.shape, joint[0, :3].round(4).tolist()
        ((12, 12), [0.1429, 0.0208, 0.0286])
        >>> approx = ss.PPS(3, 2).joint_inclusion_probabilities(pop, approximate=True)
        >>> round(float(approx[0, 1]), 4)
        0.0209
        """
        self.check(population)
        if self.method is None:
            x = population.group_sizes.astype(np.float64)
            _, _, joint, exact = upe.tables("systematic", self.groups, x)
        else:
            _, _, joint, exact = self._tables(population)
        if not exact and not approximate:
            raise ValueError(f"{self}: the joint inclusion probabilities have no exact value on "
                             "this frame; pass approximate=True for Hartley and Rao's.")
        return joint.copy()

    def check(self, population):  # numpydoc ignore=GL08
        if self.method is not None:
            return self._check_method(population)
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

    def _check_method(self, population):
        G = population.n_groups
        if self.groups > G:
            raise InfeasibleDesignError(
                f"'groups' of PPS must be an int in [2, G={G}] for this population; "
                f"got {self.groups}.")
        smallest = int(population.group_sizes.min())
        if self.per_group is not None and self.per_group > smallest:
            raise InfeasibleDesignError(
                f"'per_group' of PPS must be an int in [1, smallest group size={smallest}] for "
                f"this population; got {self.per_group}.")
        upe.check_feasible(self.method, self.groups, self._x(population))

    def group_inclusion_probabilities(self, population: Population) -> np.ndarray:
        """pi_j, the probability that group j is drawn (order of ``labels``): k x_j / sum x.

        Parameters
        ----------
        population : Population
            The population sampled (checked with :meth:`check`).

        Returns
        -------
        numpy.ndarray
            G first-stage inclusion probabilities; they sum to k.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=12, group_size=[4, 6, 8, 10] * 3, seed=1)
        >>> pi = ss.PPS(3, 2).group_inclusion_probabilities(pop)
        >>> pi[:4].round(4).tolist(), round(float(pi.sum()), 6)
        ([0.1429, 0.2143, 0.2857, 0.3571], 3.0)
        """
        self.check(population)
        if self.method is not None:
            return self._tables(population)[0].copy()
        return self.groups * population.group_sizes / population.n_units

    def expected_size(self, population):  # numpydoc ignore=GL08
        if self.per_group is None:
            return float(np.sum(self.group_inclusion_probabilities(population)
                                * population.group_sizes))
        return float(self.groups * self.per_group)

    def _stored_inclusion(self, population):
        if self.method is None:
            return np.full(population.n_units,
                           self.groups * self.per_group / population.n_units)
        sizes = population.group_sizes
        share = np.ones(sizes.size) if self.per_group is None else self.per_group / sizes
        return np.repeat(self._tables(population)[0] * share, sizes)

    def sampler(self, population):  # numpydoc ignore=GL08
        if self.method is not None:
            return self._upe_sampler(population)
        k, m = self.groups, self.per_group
        return Sampler(_KERNELS, "prepare_pps", "draw_pps_form", "mean_pps",
                       params=(population.offsets, k, m, int(population.group_sizes.max())),
                       kind="cluster", n_units=population.n_units,
                       form_groups=population.n_groups, max_n=k * m,
                       mean_dfs=(k - 1, k * m - 1))

    def _upe_sampler(self, population):
        k = self.groups
        m = self.per_group or 0
        pi, table, joint, exact = self._tables(population)
        sizes = population.group_sizes
        max_n = k * m if m else int(np.sort(sizes)[-k:].sum())
        offers = ("ht_t", "syg_t", "hr_t", "brewer_t") if exact else ("hr_t", "brewer_t")
        params = (population.offsets, k, m, int(sizes.max()), _UPE_CODES[self.method], pi,
                  table, joint if exact else np.zeros((0, 0)),
                  float(np.sum(pi * pi) / k), True)
        dfs = tuple(sorted({k - 1, max_n - 1} | ({k * m - 1} if m else set())))
        return Sampler(_UPE_KERNELS, "prepare_upe", "draw_upe_form", "mean_upe", params=params,
                       kind="cluster", n_units=population.n_units,
                       form_groups=population.n_groups, max_n=max_n,
                       mean_dfs=dfs if m else tuple(range(k - 1, max_n)),
                       mean_rows=N_UPE_METHODS, mean_offers=offers)

    def select_rows(self, sampler, methods):  # numpydoc ignore=GL08
        rows = {m.builtin_row for m in methods if m.builtin and m.estimand == "mean"}
        if self.method is None:
            return sampler
        params = list(sampler.params)
        if not rows & {HT_T, SYG_T}:  # no O(k^2) pass over pi_kl per replication
            params[_JOINT] = np.zeros((0, 0))
        params[_WANT_HR] = HR_T in rows
        return replace(sampler, params=tuple(params))

    def estimate_layout(self, population, ys, psu_start, psu_size, out) -> None:
        """The built-in mean estimators on a sample given group by group.

        Parameters
        ----------
        population : Population
            The population the sample comes from.
        ys : numpy.ndarray
            y of the sampled units, group by group.
        psu_start : numpy.ndarray
            Where each drawn group's units start in ``ys`` (k + 1 entries).
        psu_size : numpy.ndarray
            M_j of the drawn groups.
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
        >>> pop = ss.two_level(n_groups=12, group_size=[4, 6, 8, 10] * 3, seed=1)
        >>> design = ss.PPS(3, 2)
        >>> s = design.draw(pop, seed=2)
        >>> out = np.empty((2, 3))
        >>> design.estimate_layout(pop, s.y, s.psu_start, s.psu_size, out)
        >>> bool(np.allclose(out[:, :2], s.estimate()[["estimate", "se"]]))
        True
        """
        _pps.pps_mean(ys, psu_start, self.groups, np.empty(self.groups), out)

    def estimator_names(self, population):  # numpydoc ignore=GL08
        if self.method is not None:
            return (UNWEIGHTED,) + (EXPANSION,) * (N_UPE_METHODS - 1)
        return (SAMPLE_MEAN, SAMPLE_MEAN)

    def moments(self, population, estimator=None):
        """Expectation and variance of the Horvitz-Thompson mean (or the unweighted mean).

        Randomised systematic PPS (``method`` None), equal sizes: exactly SRS of
        groups (a random order of equal stretches); otherwise Hartley and Rao's
        (1962) approximation::

            Var ~ (1/k^2) sum_j pi_j (1 - (k - 1)/k pi_j) (Ybar_j - mu)^2
                  + (1/k^2) sum_j pi_j (1 - m/M_j) S_j^2 / m,

        the first term the first-stage variance of the Horvitz-Thompson mean
        (relative error of order (k/G)^2), the second the exact within-group part.
        With a ``method``: the variance from pi_kl, exact where they are. The
        estimator is exactly unbiased either way.

        Parameters
        ----------
        population : Population
            The population sampled.
        estimator : str, optional
            None (the design's own), ``"sample mean"`` or ``"unweighted mean"``
            (``method`` None), ``"expansion"`` (with a ``method``).

        Returns
        -------
        Moments
            Expectation, variance and whether the variance is exact.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=12, group_size=[4, 6, 8, 10] * 3, seed=1)
        >>> m = ss.PPS(3, 2).moments(pop)
        >>> m.exact, round(m.variance, 4)
        (False, 0.1357)
        >>> ss.PPS(3, 2, method="conditional_poisson").moments(pop).exact
        True
        """
        if self.method is not None:
            if estimator == UNWEIGHTED:
                raise NotImplementedError(f"no theory for the unweighted mean under {self}")
            check_estimator(estimator, (None, EXPANSION), self)
            pi, _, joint, exact = self._tables(population)
            return Moments(population.mean,
                           upe.theory_variance(population, pi, joint, self.per_group or 0),
                           bool(exact))
        check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED), self)
        k, m = self.groups, self.per_group
        if population.equal_sizes:
            return TwoStage(k, m).moments(population, SAMPLE_MEAN)
        pi = self.group_inclusion_probabilities(population)
        sizes = population.group_sizes.astype(np.float64)
        first = float((pi * (1.0 - (k - 1.0) / k * pi)
                       * (population.group_means - population.mean) ** 2).sum())
        second = float((pi * (1.0 - m / sizes) * population.group_variances / m).sum())
        return Moments(population.mean, (first + second) / (k * k), False)

    def frame_columns(self, sample):  # numpydoc ignore=GL08
        # PPS without replacement analysed as with replacement: the ultimate-cluster estimator
        pop = sample.population
        n = sample.size
        if self.method is not None:  # ``pi``: the first-stage probabilities, for pps=...
            pi = self._tables(pop)[0][sample.groups][sample.psu]
            columns = {"group": pop.labels[sample.groups][sample.psu], "unit": sample.units,
                       "y": sample.y, "weight": sample.weights, "pi": pi}
            return columns, {"ids": ["group"], "weights": "weight"}
        columns = {"group": pop.labels[sample.groups][sample.psu], "unit": sample.units,
                   "y": sample.y, "weight": np.full(n, pop.n_units / n)}
        return columns, {"ids": ["group"], "weights": "weight"}

    def __str__(self):
        if self.method is None:
            return f"PPS({self.groups}x{self.per_group})"
        m = "all" if self.per_group is None else self.per_group
        size = "" if self.size is None else (f", size={self.size}" if isinstance(self.size, str)
                                             else ", size=given")
        return f"PPS({self.groups}x{m}, {self.method}{size})"
