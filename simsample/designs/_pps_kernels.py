"""Groups drawn with probability proportional to size (randomised systematic PPS).

The G groups are put in a uniformly random order; with the k M_j laid end to
end on [0, k N) (integers), the points r, r + N, ..., r + (k - 1) N with r
uniform on {0, ..., N - 1} select the groups whose stretch they hit. A group
covers k M_j integers, each hit by exactly one r, so its inclusion
probability is exactly k M_j / N; when k M_j <= N no stretch holds two
points, so no group is drawn twice (Goodman and Kish 1950; Hartley and Rao
1962). A fixed ``m`` units are then drawn by SRS in each selected group, so
every unit has inclusion probability k m / N (a self-weighting sample).

The permutation ``order`` is scratch of the chunk: each replication shuffles
the previous replication's order (uniform whatever it was), so a replication
is reproduced only by replaying the chunk's draws from its first one, which
is what :meth:`simsample.designs.Design.replay` does. The PSUs of the form are
the drawn groups, ``size`` their M_j. ``params = (offsets, k, m, max_size)``.
"""

import numpy as np

from .._jit import inline_kernel, kernel
from .._kernels.moments import CLUSTER_T, DF, EST, NAIVE_T, SE, mean_and_ss
from .._kernels.rng import uniform_int
from .._kernels.select import floyd_sample


@kernel
def shuffle(state, values):  # pragma: no cover
    """Fisher-Yates: put ``values`` in a uniformly random order, in place.

    Whatever order ``values`` had on entry, the result is uniform and
    independent of it.
    """
    for i in range(values.size - 1, 0, -1):
        j = uniform_int(state, i + 1)
        tmp = values[i]
        values[i] = values[j]
        values[j] = tmp


@kernel
def draw_pps_systematic(state, offsets, k, m, order, unit_mark, out_group, out_psu_start,
                        out_psu_size, out_idx):  # pragma: no cover
    """Randomised systematic PPS of ``k`` groups, then SRS of ``m`` units in each.

    ``order`` is a scratch permutation of 0..G-1 (any order on entry).
    Writes the selected groups (in the random order), where each one's units
    start in ``out_idx`` and each group's size; returns k m. Assumes
    k M_j <= N for every group and m <= every M_j.
    """
    n_units = offsets[offsets.size - 1]
    shuffle(state, order)
    point = uniform_int(state, n_units)
    reach = 0  # end of the current group's stretch on [0, k N)
    a = 0
    pos = 0
    for i in range(order.size):
        if a == k:
            break
        g = order[i]
        first = offsets[g]
        size = offsets[g + 1] - first
        reach += k * size
        if point < reach:
            out_group[a] = g
            out_psu_start[a] = pos
            out_psu_size[a] = size
            floyd_sample(state, size, m, unit_mark, out_idx[pos:pos + m])
            for j in range(pos, pos + m):
                out_idx[j] += first
            pos += m
            a += 1
            point += n_units
    out_psu_start[k] = pos
    return pos


@kernel
def pps_mean(ys, psu_start, k, psu_mean, out):  # pragma: no cover
    """Mean of a self-weighting PPS sample, with the with-replacement variance.

    The estimate is the sample mean, equal to the mean of the k group sample
    means (Horvitz-Thompson with pi = k m / N). ``cluster_t`` uses the
    with-replacement (Hansen-Hurwitz, "ultimate cluster") estimator
    s_b^2 / k, s_b^2 the variance of the k group means, with k - 1 degrees
    of freedom: it ignores the gain of sampling groups without replacement,
    so it errs on the safe side by about the first-stage fraction.
    ``naive_t``: s^2/n with n - 1 degrees of freedom. ``psu_mean`` is a
    scratch array of length >= k.
    """
    n = psu_start[k]
    estimate = 0.0
    ss_within = 0.0
    for a in range(k):
        mean, ss = mean_and_ss(ys, psu_start[a], psu_start[a + 1])
        psu_mean[a] = mean
        ss_within += ss
        estimate += mean
    estimate /= k
    ss_between = 0.0
    ss_units = ss_within
    for a in range(k):
        d = psu_mean[a] - estimate
        ss_between += d * d
        ss_units += (psu_start[a + 1] - psu_start[a]) * d * d
    out[CLUSTER_T, EST] = estimate
    out[CLUSTER_T, SE] = np.sqrt(ss_between / (k - 1) / k)
    out[CLUSTER_T, DF] = k - 1
    out[NAIVE_T, EST] = estimate
    out[NAIVE_T, SE] = np.sqrt(ss_units / (n - 1) / n)
    out[NAIVE_T, DF] = n - 1


@kernel
def prepare_pps(params):  # pragma: no cover
    """Scratch of a PPS sample: the form, the group order and a bitmask."""
    offsets, k, m, max_size = params
    return (np.empty(k * m, np.int64), np.empty(k + 1, np.int64), np.empty(k, np.float64),
            np.empty(k, np.int64), np.arange(offsets.size - 1), np.zeros(max_size, np.bool_),
            np.empty(k))


@inline_kernel
def draw_pps_form(state, offsets, k, m, max_size, idx, start, size, groups, order, unit_mark,
                  psu_mean):  # pragma: no cover
    """One randomised systematic PPS sample into the form; returns (k m, k)."""
    n = draw_pps_systematic(state, offsets, k, m, order, unit_mark, groups, start, size, idx)
    return n, k


@inline_kernel
def mean_pps(ys, n, k, offsets, k_, m, max_size, idx, start, size, groups, order, unit_mark,
             psu_mean, out):  # pragma: no cover
    """Built-in estimators of the mean of a PPS sample."""
    pps_mean(ys, start, k, psu_mean, out)
