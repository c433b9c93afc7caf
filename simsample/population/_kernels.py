"""Filling synthetic nested populations in one pass."""

import numpy as np

from .._jit import kernel

NORMAL = 0
LOGNORMAL = 1


@kernel
def standard_draw(rng, dist, shape):  # pragma: no cover
    """One draw with mean 0 and variance 1 from the family ``dist``.

    LOGNORMAL is exp(shape * Z), centred and scaled to unit variance: right
    skewed with skewness (e^{s^2} + 2) sqrt(e^{s^2} - 1).
    """
    z = rng.standard_normal()
    if dist == LOGNORMAL:
        e = np.exp(shape * shape)
        return (np.exp(shape * z) - np.sqrt(e)) / np.sqrt((e - 1.0) * e)
    return z


@kernel
def fill_two_level(rng, sizes, mean, sd_between, sd_within, dist, shape, out):  # pragma: no cover
    """y_ij = mean + sd_between * u_j + sd_within * e_ij, groups stored contiguously.

    ``u_j`` and ``e_ij`` are independent standardised draws of family
    ``dist``, so the superpopulation intraclass correlation is
    sd_between^2 / (sd_between^2 + sd_within^2) whatever the family.
    """
    pos = 0
    for g in range(sizes.size):
        level = mean + sd_between * standard_draw(rng, dist, shape)
        for _ in range(sizes[g]):
            out[pos] = level + sd_within * standard_draw(rng, dist, shape)
            pos += 1


@kernel
def fill_three_level(rng, subgroups_per_group, sub_sizes, mean, sd_group, sd_subgroup,
                     sd_within, dist, shape, out):  # pragma: no cover
    """y_ijk = mean + sd_group u_j + sd_subgroup v_jk + sd_within e_ijk, stored contiguously.

    Subgroups are numbered group by group: group g owns the next
    ``subgroups_per_group[g]`` entries of ``sub_sizes``. The three components
    are independent standardised draws of family ``dist``.
    """
    pos = 0
    sub = 0
    for g in range(subgroups_per_group.size):
        group_level = mean + sd_group * standard_draw(rng, dist, shape)
        for _ in range(subgroups_per_group[g]):
            level = group_level + sd_subgroup * standard_draw(rng, dist, shape)
            for _ in range(sub_sizes[sub]):
                out[pos] = level + sd_within * standard_draw(rng, dist, shape)
                pos += 1
            sub += 1
