"""Three-stage sampling: groups, subgroups within them, units within subgroups."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import InfeasibleDesignError, check_choice, check_int
from . import _three_stage_kernels as _three
from .base import (
    ESTIMATORS, EXPANSION, RATIO, SAMPLE_MEAN, UNWEIGHTED, Design, check_estimator,
)
from .contract import Moments, Sampler

_KERNELS = "simsample.designs._three_stage_kernels"


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

    Parameters
    ----------
    groups : int
        k, the number of groups drawn (at least 2, at most G).
    subgroups : int, default 1
        l, the subgroups drawn in each sampled group (at most the smallest L_j).
    per_subgroup : int, default 1
        m, the units drawn in each sampled subgroup (at most the smallest M_jk).
    estimator : {"ratio", "expansion"}, default "ratio"
        Estimator of the mean (keyword only).

    Raises
    ------
    InvalidParameterError
        If a size is not an int in range or ``estimator`` is unknown.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.three_level(n_groups=10, subgroups_per_group=4, subgroup_size=5,
    ...                      icc_group=0.1, icc_subgroup=0.1, seed=1)
    >>> design = ss.ThreeStage(4, 2, 3)
    >>> str(design), design.expected_size(pop)
    ('ThreeStage(4x2x3)', 24.0)
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

    def check(self, population):  # numpydoc ignore=GL08
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

    def expected_size(self, population):  # numpydoc ignore=GL08
        return float(self.groups * self.subgroups * self.per_subgroup)

    def _stored_inclusion(self, population):
        per_group = population.subgroups_per_group
        sub_sizes = population.subgroup_sizes
        per_sub = (self.groups / population.n_groups
                   * self.subgroups / np.repeat(per_group, per_group)
                   * self.per_subgroup / sub_sizes)
        return np.repeat(per_sub, sub_sizes)

    def sampler(self, population):  # numpydoc ignore=GL08
        k, l, m = self.groups, self.subgroups, self.per_subgroup
        params = (population.group_sub_offsets, population.sub_offsets, k, l, m,
                  self.estimator == EXPANSION, int(population.subgroups_per_group.max()),
                  int(population.subgroup_sizes.max()), population.n_groups,
                  population.n_units)
        return Sampler(_KERNELS, "prepare_three_stage", "draw_three_stage_form",
                       "mean_three_stage", params=params, kind="cluster",
                       n_units=population.n_units, form_groups=population.n_groups,
                       max_n=k * l * m, mean_dfs=(k - 1, k * l * m - 1))

    def sample_fields(self, population, scr, n, k):  # numpydoc ignore=GL08
        # psu_size row a: L_j of the group, then the sizes M_jk of its l sampled subgroups
        l = self.subgroups
        psu_size = np.column_stack([scr[8].copy(), scr[9].reshape(k, l)])
        return (scr[0][:n].copy(), scr[1].copy(), psu_size, scr[3].copy())

    def estimate_layout(self, population, ys, psu_start, psu_size, out) -> None:
        """The built-in mean estimators; ``psu_size`` rows: L_j, then the l sampled M_jk.

        Parameters
        ----------
        population : Population
            The population the sample comes from.
        ys : numpy.ndarray
            y of the sampled units, in the design's layout.
        psu_start : numpy.ndarray
            Where each sampled group's units start in ``ys``.
        psu_size : numpy.ndarray
            One row per sampled group: L_j, then the l sampled M_jk.
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
        >>> pop = ss.three_level(n_groups=10, subgroups_per_group=4, subgroup_size=5,
        ...                      icc_group=0.1, icc_subgroup=0.1, seed=1)
        >>> design = ss.ThreeStage(4, 2, 3)
        >>> s = design.draw(pop, seed=2)
        >>> out = np.empty((2, 3))
        >>> design.estimate_layout(pop, s.y, s.psu_start, s.psu_size, out)
        >>> bool(np.allclose(out[:, :2], s.estimate()[["estimate", "se"]]))
        True
        """
        k, l = self.groups, self.subgroups
        _three.three_stage_mean(
            ys, k, l, self.per_subgroup, np.ascontiguousarray(psu_size[:, 0]),
            np.ascontiguousarray(psu_size[:, 1:]).ravel(), population.n_groups,
            population.n_units, self.estimator == EXPANSION, np.empty(k * l),
            np.empty(k * l), np.empty(k), out)

    def estimator_names(self, population):  # numpydoc ignore=GL08
        if three_stage_equal(population):
            return (SAMPLE_MEAN, SAMPLE_MEAN)
        return (UNWEIGHTED, self.estimator)

    def moments(self, population, estimator=None):
        """Three-stage variance of an estimator (1/k) sum_j (1/l) sum_k c_jk (ybar_jk - centre).

        With u_j = (1/L_j) sum_k c_jk (Ybar_jk - centre) (Cochran 1977, 10.8,
        written for a general c_jk):

            Var = (1 - k/G) S_u^2 / k + 1/(k G) sum_j [ (1 - l/L_j) S_cj^2 / l
                  + 1/(l L_j) sum_k c_jk^2 (1 - m/M_jk) S_jk^2 / m ],

        S_u^2 the variance of the u_j across groups, S_cj^2 of the
        c_jk (Ybar_jk - centre) within group j. Expansion mean: c_jk = G L_j M_jk / N,
        centre 0 (exact, unbiased). Unweighted mean: c_jk = 1, centre 0 (exact;
        expectation the mean of the u_j). Ratio mean: the expansion c_jk with
        centre mu, the linearisation (``exact=False`` unless all L_j and all M_jk
        are equal, when every estimator is the sample mean and the formula is
        Cochran's (1 - f1) S1^2/k + (1 - f2) S2^2/(k l) + (1 - f3) S3^2/(k l m)).

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
        >>> pop = ss.three_level(n_groups=10, subgroups_per_group=4, subgroup_size=5,
        ...                      icc_group=0.1, icc_subgroup=0.1, seed=1)
        >>> m = ss.ThreeStage(4, 2, 3).moments(pop)
        >>> m.exact, round(m.variance, 4)
        (True, 0.0419)
        """
        check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED, RATIO, EXPANSION), self)
        equal = three_stage_equal(population)
        estimator = estimator or self.estimator
        if estimator == SAMPLE_MEAN:
            estimator = EXPANSION if equal else self.estimator
        if equal:
            estimator = EXPANSION
        per_group = population.subgroups_per_group.astype(np.float64)
        L_sub = np.repeat(per_group, population.subgroups_per_group)  # L_j of every subgroup
        if estimator == UNWEIGHTED:
            c = np.ones(population.n_subgroups)
        else:
            c = (population.n_groups * L_sub * population.subgroup_sizes / population.n_units)
        centre = population.mean if estimator == RATIO else 0.0
        expectation, var = _three_stage_variance(population, self, c, centre)
        if estimator == RATIO:
            return Moments(float("nan"), var, False)
        return Moments(expectation, var, True)

    def frame_columns(self, sample):  # numpydoc ignore=GL08
        pop = sample.population
        groups = pop.codes[sample.units]
        subgroups = pop.subgroup_codes[sample.units]
        per_group = pop.subgroups_per_group[groups]
        sizes = pop.subgroup_sizes[subgroups]
        weight = (pop.n_groups / self.groups * per_group / self.subgroups
                  * sizes / self.per_subgroup)
        columns = {"group": pop.labels[groups], "subgroup": pop.subgroup_labels[subgroups],
                   "unit": sample.units, "y": sample.y, "weight": weight.astype(np.float64),
                   "fpc1": np.full(sample.size, pop.n_groups), "fpc2": per_group.astype(np.int64),
                   "fpc3": sizes.astype(np.int64)}
        return columns, {"ids": ["group", "subgroup", None], "fpc": ["fpc1", "fpc2", "fpc3"]}

    def __str__(self):
        return f"ThreeStage({self.groups}x{self.subgroups}x{self.per_subgroup})"


def three_stage_equal(population) -> bool:
    """Whether every group has the same number of subgroups and every subgroup the same size."""
    per_group = population.subgroups_per_group
    sizes = population.subgroup_sizes
    return bool((per_group == per_group[0]).all() and (sizes == sizes[0]).all())


def _three_stage_variance(population, design, c, centre) -> tuple[float, float]:
    """Expectation and variance of (1/k) sum_j (1/l) sum_k c_jk (ybar_jk - centre) (+ centre)."""
    k, l, m = design.groups, design.subgroups, design.per_subgroup
    G = population.n_groups
    per_group = population.subgroups_per_group
    L = per_group.astype(np.float64)
    starts = population.group_sub_offsets[:-1]
    sizes = population.subgroup_sizes.astype(np.float64)
    values = c * (population.subgroup_means - centre)
    u = np.add.reduceat(values, starts) / L
    dev = values - np.repeat(u, per_group)
    within = np.where(per_group > 1, np.add.reduceat(dev * dev, starts) / np.maximum(L - 1, 1),
                      0.0)
    third = np.add.reduceat(c * c * (1.0 - m / sizes) * population.subgroup_variances / m,
                            starts) / (l * L)
    second = (1.0 - l / L) * within / l
    var = ((1.0 - k / G) * float(u.var(ddof=1)) / k
           + float((second + third).sum()) / (k * G))
    return float(u.mean()) + centre, var
