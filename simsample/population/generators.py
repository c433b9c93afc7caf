"""Synthetic populations: two- and three-level normal or lognormal, and binary outcomes.

Each generator draws a :class:`~simsample.population.Population` from a
superpopulation model with exactly the requested intraclass correlation(s),
seeded so that the same seed gives the same population.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._limits import MAX_UNITS, check_memory, check_units, checked_sum
from .._rng import as_seed_sequence, seed_entropy
from .._validation import (
    InvalidParameterError, check_choice, check_int, check_magnitude, check_real,
)
from ._kernels import LOGNORMAL, NORMAL, fill_three_level, fill_two_level
from .core import Population

#: Families of ``two_level(dist=...)`` and their kernel codes.
DISTRIBUTIONS = {"normal": NORMAL, "lognormal": LOGNORMAL}
#: Log-scale SD of the standardised lognormal components (skewness about 1.75).
LOGNORMAL_SIGMA = 0.5


def two_level(n_groups: int | None = 100, group_size=50, *, mean: float = 0.0, icc: float = 0.2,
              total_var: float = 1.0, dist: str = "normal", seed=None,
              name: str | None = None) -> Population:
    """A synthetic two-level population: y_ij = mean + u_j + e_ij.

    Parameters
    ----------
    n_groups : int
        G, the number of groups (may be None when ``group_size`` is a sequence).
    group_size : int, sequence of int, or a size distribution
        Units per group: one size for all, one per group, or an object with a
        ``draw(n_groups, rng)`` method returning sizes (see ``simsample.sizes``).
    mean, total_var : float
        Superpopulation mean and variance of y.
    icc : float in [0, 1)
        Superpopulation intraclass correlation Var(u) / (Var(u) + Var(e)).
        The finite population's :attr:`Population.icc` is an estimate of it.
    dist : {"normal", "lognormal"}
        Family of both components. "lognormal" uses standardised exp(0.5 Z)
        components (right skewed), scaled so the icc is still exact.
    seed : None, int or SeedSequence
        Seeds the population; the same seed gives the same population.
    name : str, optional
        A name shown in summaries and figures.

    Returns
    -------
    Population
        G groups with their sizes; ``meta`` records the generator's arguments.

    Raises
    ------
    InvalidParameterError
        If a parameter is out of range (e.g. ``icc`` outside [0, 1)).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.3, seed=1)
    >>> pop.n_groups, pop.n_units, round(pop.icc, 3)
    (20, 200, 0.215)
    """
    icc = check_real(icc, "icc", low=0.0, high=1.0, high_open=True, owner="two_level")
    mean = check_real(mean, "mean", owner="two_level")
    total_var = check_real(total_var, "total_var", low=0.0, low_open=True, owner="two_level")
    dist = check_choice(dist, "dist", DISTRIBUTIONS, owner="two_level")
    seq = as_seed_sequence(seed)
    rng = np.random.default_rng(seq)
    sizes = _group_sizes(n_groups, group_size, rng)
    y = np.empty(int(sizes.sum()))
    fill_two_level(rng, sizes, mean, np.sqrt(icc * total_var), np.sqrt((1.0 - icc) * total_var),
                   DISTRIBUTIONS[dist], LOGNORMAL_SIGMA, y)
    check_magnitude(y, "mean' and 'total_var", owner="two_level")
    meta = {"generator": "two_level", "n_groups": int(sizes.size), "mean": mean, "icc": icc,
            "total_var": total_var, "dist": dist, "seed": seed_entropy(seq)}
    return Population._from_grouped(y, sizes, name=name, meta=meta)


def _group_sizes(n_groups, group_size, rng, *, owner: str = "two_level",
                 name: str = "group_size", count: str = "n_groups") -> np.ndarray:
    """Sizes of ``n_groups`` groups from ``group_size`` (an int, a sequence or a distribution).

    ``owner``, ``name`` and ``count`` name the calling generator, the size
    parameter and the count parameter in error messages.
    """
    if hasattr(group_size, "draw"):
        n_groups = check_int(n_groups, count, low=1, high=MAX_UNITS, owner=owner)
        check_memory(16 * n_groups, count, owner)
        sizes = np.asarray(group_size.draw(n_groups, rng), dtype=np.int64)
    elif isinstance(group_size, Sequence) or isinstance(group_size, np.ndarray):
        sizes = np.asarray(group_size)
        if sizes.ndim != 1 or sizes.size == 0 or not np.issubdtype(sizes.dtype, np.integer):
            raise InvalidParameterError(
                f"'{name}' of {owner} must be an int or a non-empty sequence of ints; "
                f"got {group_size!r}.")
        if n_groups is not None and check_int(n_groups, count, low=1,
                                              owner=owner) != sizes.size:
            raise InvalidParameterError(
                f"'{count}' of {owner} must equal len({name}) = {sizes.size} when "
                f"sizes are given one by one; got {n_groups}.")
        sizes = sizes.astype(np.int64)
    else:
        n_groups = check_int(n_groups, count, low=1, owner=owner)
        size = check_int(group_size, name, low=1, owner=owner)
        check_units(n_groups * size, f"{count}' x '{name}", owner)  # Python ints: exact
        check_memory(16 * n_groups * size + 16 * n_groups, f"{count}' x '{name}", owner,
                     "Choose a smaller population.")
        sizes = np.full(n_groups, size, dtype=np.int64)
    if (sizes < 1).any():
        raise InvalidParameterError(
            f"'{name}' of {owner} must be >= 1 for every group; got a minimum of "
            f"{int(sizes.min())}.")
    total = checked_sum(sizes, name, owner)
    check_memory(16 * total + 16 * sizes.size, name, owner, "Choose a smaller population.")
    return sizes


def three_level(n_groups: int | None = 50, subgroups_per_group=4, subgroup_size=20, *,
                icc_group: float = 0.1, icc_subgroup: float = 0.1, mean: float = 0.0,
                total_var: float = 1.0, dist: str = "normal", seed=None,
                name: str | None = None) -> Population:
    """A synthetic three-level population: y_ijk = mean + u_j + v_jk + e_ijk.

    Units i in subgroups k (classes) in groups j (schools), with independent
    components of variances ``icc_group * total_var`` (u, between groups),
    ``icc_subgroup * total_var`` (v, between subgroups within a group) and the
    rest (e, within subgroups). Two units of one group but different
    subgroups correlate ``icc_group``; two units of one subgroup correlate
    ``icc_group + icc_subgroup``.

    Parameters
    ----------
    n_groups : int
        G, the number of groups (may be None when ``subgroups_per_group`` is a sequence).
    subgroups_per_group : int, sequence of int, or a size distribution
        L_j, subgroups in each group: one number for all, one per group, or an
        object with ``draw(n, rng)`` (see :mod:`simsample.population.sizes`).
    subgroup_size : int, sequence of int, or a size distribution
        M_jk, units in each subgroup: one size for all, one per subgroup (group
        by group), or drawn per subgroup from a size distribution.
    icc_group, icc_subgroup : float in [0, 1)
        Shares of the superpopulation variance between groups and between
        subgroups within groups; their sum must be below 1.
    mean, total_var : float
        Superpopulation mean and variance of y.
    dist : {"normal", "lognormal"}
        Family of the three components (as in :func:`two_level`).
    seed : None, int or SeedSequence
        Seeds the population.
    name : str, optional
        A name shown in summaries and figures.

    Returns
    -------
    Population
        With subgroups (``pop.has_subgroups``); groups labelled 0..G-1 and
        subgroups 0..S-1 group by group.

    Raises
    ------
    InvalidParameterError
        If a parameter is out of range.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.three_level(n_groups=10, subgroups_per_group=3, subgroup_size=5, seed=1)
    >>> pop.n_groups, pop.n_subgroups, pop.n_units
    (10, 30, 150)
    """
    owner = "three_level"
    icc_group = check_real(icc_group, "icc_group", low=0.0, high=1.0, high_open=True, owner=owner)
    icc_subgroup = check_real(icc_subgroup, "icc_subgroup", low=0.0, high=1.0, high_open=True,
                              owner=owner)
    if icc_group + icc_subgroup >= 1.0:
        raise InvalidParameterError(
            f"'icc_group' + 'icc_subgroup' of three_level must be below 1 (the rest is the "
            f"within-subgroup share); got {icc_group} + {icc_subgroup} = "
            f"{icc_group + icc_subgroup}.")
    mean = check_real(mean, "mean", owner=owner)
    total_var = check_real(total_var, "total_var", low=0.0, low_open=True, owner=owner)
    dist = check_choice(dist, "dist", DISTRIBUTIONS, owner=owner)
    seq = as_seed_sequence(seed)
    rng = np.random.default_rng(seq)
    per_group = _group_sizes(n_groups, subgroups_per_group, rng, owner=owner,
                             name="subgroups_per_group")
    sub_sizes = _group_sizes(int(per_group.sum()), subgroup_size, rng, owner=owner,
                             name="subgroup_size", count="sum(subgroups_per_group)")
    group_sizes = np.add.reduceat(sub_sizes, np.concatenate(([0], np.cumsum(per_group)[:-1])))
    y = np.empty(int(sub_sizes.sum()))
    fill_three_level(rng, per_group, sub_sizes, mean, np.sqrt(icc_group * total_var),
                     np.sqrt(icc_subgroup * total_var),
                     np.sqrt((1.0 - icc_group - icc_subgroup) * total_var),
                     DISTRIBUTIONS[dist], LOGNORMAL_SIGMA, y)
    check_magnitude(y, "mean' and 'total_var", owner=owner)
    meta = {"generator": owner, "n_groups": int(per_group.size), "mean": mean,
            "icc_group": icc_group, "icc_subgroup": icc_subgroup, "total_var": total_var,
            "dist": dist, "seed": seed_entropy(seq)}
    pop = Population._from_grouped(y, group_sizes.astype(np.int64), name=name, meta=meta)
    pop._set_subgroups(sub_sizes, per_group)
    return pop


def binary_two_level(n_groups: int | None = 100, group_size=50, *, prevalence: float = 0.5,
                     icc: float = 0.1, seed=None, name: str | None = None) -> Population:
    """A two-level population with a binary (0/1) outcome: the beta-binomial model.

    Each group draws its own probability p_j ~ Beta(a, b) with
    ``a = prevalence (1 - icc) / icc`` and ``b = (1 - prevalence) (1 - icc) / icc``,
    and its units are independent Bernoulli(p_j) (p_j = prevalence for every
    group when ``icc = 0``). Then E[y] = prevalence, Var(y) = prevalence
    (1 - prevalence), and the correlation of two units of one group is
    Var(p_j) / (prevalence (1 - prevalence)) = 1 / (a + b + 1) = ``icc``
    exactly: the icc is on the observed 0/1 scale (the scale of
    :attr:`Population.icc` and of the design effect), not on a latent
    (probit or logit) scale.

    Parameters
    ----------
    n_groups, group_size
        As for :func:`two_level` (sizes may come from :mod:`simsample.population.sizes`).
    prevalence : float in (0, 1)
        Superpopulation share of ones.
    icc : float in [0, 1)
        Superpopulation intraclass correlation on the 0/1 scale.
    seed : None, int or SeedSequence
        Seeds the population.
    name : str, optional
        A name shown in summaries and figures.

    Returns
    -------
    Population
        A population whose y is 0 or 1.

    Raises
    ------
    InvalidParameterError
        If ``prevalence`` is not in (0, 1) or ``icc`` not in [0, 1).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.binary_two_level(n_groups=50, group_size=20, prevalence=0.3, icc=0.1, seed=1)
    >>> sorted(set(pop.y.tolist())), round(pop.mean, 3)
    ([0.0, 1.0], 0.291)
    """
    owner = "binary_two_level"
    prevalence = check_real(prevalence, "prevalence", low=0.0, high=1.0, low_open=True,
                            high_open=True, owner=owner)
    icc = check_real(icc, "icc", low=0.0, high=1.0, high_open=True, owner=owner)
    seq = as_seed_sequence(seed)
    rng = np.random.default_rng(seq)
    sizes = _group_sizes(n_groups, group_size, rng, owner=owner)
    concentration = (1.0 - icc) / icc if icc > 0.0 else np.inf  # a + b
    if not np.isfinite(concentration):  # icc 0, or so small that a + b overflows: Var(p_j) = 0
        p = np.full(sizes.size, prevalence)
    else:
        p = rng.beta(prevalence * concentration, (1.0 - prevalence) * concentration,
                     size=sizes.size)
    y = (rng.random(int(sizes.sum())) < np.repeat(p, sizes)).astype(np.float64)
    meta = {"generator": owner, "n_groups": int(sizes.size), "prevalence": prevalence,
            "icc": icc, "seed": seed_entropy(seq)}
    return Population._from_grouped(y, sizes, name=name, meta=meta)
