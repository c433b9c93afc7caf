"""Two-stage and one-stage cluster sampling: SRS of groups, then SRS within each.

The kernels of :class:`~simsample.designs.TwoStage` and
:class:`~simsample.designs.ClusterSample` (conventions in
:mod:`simsample.designs._srs_kernels`). The PSUs of the shared form are the
sampled groups: ``start[a]:start[a + 1]`` are the units of the a-th, ``size[a]``
its population size M_j. ``params = (offsets, k, m, expansion, max_n,
max_size, N, G)``; ``m < 0`` takes every unit of each sampled group.
"""

import numpy as np

from .._jit import inline_kernel, kernel
from .._kernels.moments import CLUSTER_T, DF, EST, NAIVE_T, SE, mean_and_ss
from .._kernels.select import floyd_sample, units_of_groups


@kernel
def draw_two_stage(state, offsets, k, m, group_mark, unit_mark,
                   out_group, out_psu_start, out_psu_size, out_idx):  # pragma: no cover
    """SRS of ``k`` groups, then SRS of ``m`` units within each sampled group.

    ``m < 0`` takes every unit of each sampled group (one-stage cluster
    sampling). Writes the sampled groups, where each one's units start in
    ``out_idx`` (``out_psu_start[k]`` is the total) and each group's size;
    returns the number of units drawn. Assumes ``m`` <= every group's size.
    """
    floyd_sample(state, offsets.size - 1, k, group_mark, out_group)
    return units_of_groups(state, offsets, out_group, k, m, unit_mark, out_psu_start,
                           out_psu_size, out_idx)



@kernel
def two_stage_mean(ys, psu_start, psu_size, k, n_groups, n_units, expansion,
                   psu_mean, psu_ss, out):  # pragma: no cover
    """Mean of a two-stage sample (SRS of ``k`` of ``n_groups`` groups, then SRS within).

    ``cluster_t``: the ratio (Hajek) estimator sum M_j ybar_j / sum M_j, or
    with ``expansion`` the unbiased (G/k) sum M_j ybar_j / N; its variance is
    the unbiased two-stage estimator with both finite-population corrections,

        v = (1 - f1) k/(k-1) sum_j (t_j - tbar)^2
            + f1 sum_j (1 - f2j) m_j/(m_j-1) sum_i (z_i - zbar_j)^2,

    with z_i the linearised weighted values and t_j their group totals
    (for equal sizes: (1 - k/G) s1^2/k + (k/G)(1 - m/M) s2^2/(k m)), and k - 1
    degrees of freedom. A group with a single sampled unit adds nothing to
    the second term (its within variance is not estimable).

    ``naive_t``: the unweighted mean of all sampled units with s^2/n and
    n - 1 degrees of freedom, as if they were an SRS.
    ``psu_mean`` and ``psu_ss`` are scratch arrays of length >= k.
    """
    n = psu_start[k]
    size_sum = 0.0
    weighted_sum = 0.0
    for a in range(k):
        mean, ss = mean_and_ss(ys, psu_start[a], psu_start[a + 1])
        psu_mean[a] = mean
        psu_ss[a] = ss
        size_sum += psu_size[a]
        weighted_sum += psu_size[a] * mean

    f1 = k / n_groups
    if expansion:
        estimate = weighted_sum * n_groups / (k * n_units)
        scale = n_groups / (k * n_units)  # t_j = scale * M_j * ybar_j
        centre = weighted_sum / k         # mean of M_j ybar_j
    else:
        estimate = weighted_sum / size_sum
        scale = 1.0 / size_sum            # t_j = scale * M_j * (ybar_j - estimate)
        centre = 0.0
    between = 0.0
    within = 0.0
    for a in range(k):
        size = psu_size[a]
        if expansion:
            d = size * psu_mean[a] - centre
        else:
            d = size * (psu_mean[a] - estimate)
        between += d * d
        taken = psu_start[a + 1] - psu_start[a]
        if taken > 1:
            # (1 - f2j) * M_j^2 * s2j^2 / m_j
            within += (1.0 - taken / size) * size * size * (psu_ss[a] / (taken - 1)) / taken
    variance = scale * scale * ((1.0 - f1) * between / (k - 1) * k + f1 * within)
    out[CLUSTER_T, EST] = estimate
    out[CLUSTER_T, SE] = np.sqrt(variance)
    out[CLUSTER_T, DF] = k - 1

    pooled_mean = 0.0
    for a in range(k):
        pooled_mean += (psu_start[a + 1] - psu_start[a]) * psu_mean[a]
    pooled_mean /= n
    ss_total = 0.0
    for a in range(k):
        d = psu_mean[a] - pooled_mean
        ss_total += psu_ss[a] + (psu_start[a + 1] - psu_start[a]) * d * d
    out[NAIVE_T, EST] = pooled_mean
    out[NAIVE_T, SE] = np.sqrt(ss_total / (n - 1) / n)
    out[NAIVE_T, DF] = n - 1


@kernel
def prepare_two_stage(params):  # pragma: no cover
    """Scratch of a two-stage sample: the form, the bitmasks, the estimator's group sums."""
    offsets, k, m, expansion, max_n, max_size, n_units, n_groups = params
    return (np.empty(max_n, np.int64), np.empty(k + 1, np.int64), np.empty(k, np.float64),
            np.empty(k, np.int64), np.zeros(n_groups, np.bool_), np.zeros(max_size, np.bool_),
            np.empty(k), np.empty(k))


@inline_kernel
def draw_two_stage_form(state, offsets, k, m, expansion, max_n, max_size, n_units, n_groups,
                        idx, start, size, groups, group_mark, unit_mark, psu_mean,
                        psu_ss):  # pragma: no cover
    """One two-stage sample into the form; returns (n, k)."""
    n = draw_two_stage(state, offsets, k, m, group_mark, unit_mark, groups, start, size, idx)
    return n, k


@inline_kernel
def mean_two_stage(ys, n, k, offsets, k_, m, expansion, max_n, max_size, n_units, n_groups,
                   idx, start, size, groups, group_mark, unit_mark, psu_mean, psu_ss,
                   out):  # pragma: no cover
    """Built-in estimators of the mean of a two-stage sample."""
    two_stage_mean(ys, start, size, k, n_groups, n_units, expansion, psu_mean, psu_ss, out)
