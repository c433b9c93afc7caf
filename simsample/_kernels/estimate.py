"""Per-sample estimators of the population mean and their standard errors.

Each estimator writes one row per interval method into ``out``: the estimate,
its standard error and the degrees of freedom of its t interval. The formulas
are those of ``docs``/DESIGN: Cochran (1977), ch. 10-11, and the multistage
linearisation estimator of R's ``survey`` package (``svyrecvar``), which
coincide for equal group sizes.
"""

import numpy as np

from .._jit import kernel

#: Rows of ``out``: the interval methods of the mean estimand.
NAIVE_T = 0
CLUSTER_T = 1
N_MEAN_METHODS = 2

#: Columns of ``out``.
EST = 0
SE = 1
DF = 2


@kernel
def mean_and_ss(values, start, stop):  # pragma: no cover
    """Mean and sum of squared deviations of ``values[start:stop]`` (two passes).

    Four partial sums per pass break the chain of dependent additions (the
    compiler may not reassociate floating-point sums): ~3x faster, and still
    deterministic.
    """
    a0 = a1 = a2 = a3 = 0.0
    i = start
    while i + 4 <= stop:
        a0 += values[i]
        a1 += values[i + 1]
        a2 += values[i + 2]
        a3 += values[i + 3]
        i += 4
    while i < stop:
        a0 += values[i]
        i += 1
    mean = ((a0 + a1) + (a2 + a3)) / (stop - start)
    a0 = a1 = a2 = a3 = 0.0
    i = start
    while i + 4 <= stop:
        d0 = values[i] - mean
        d1 = values[i + 1] - mean
        d2 = values[i + 2] - mean
        d3 = values[i + 3] - mean
        a0 += d0 * d0
        a1 += d1 * d1
        a2 += d2 * d2
        a3 += d3 * d3
        i += 4
    while i < stop:
        d0 = values[i] - mean
        a0 += d0 * d0
        i += 1
    return mean, (a0 + a1) + (a2 + a3)


@kernel
def srs_mean(ys, n, n_frame, out):  # pragma: no cover
    """Sample mean of an SRS without replacement of ``n`` from ``n_frame``.

    ``naive_t`` uses s^2/n (the textbook interval); ``cluster_t`` the design
    variance (1 - n/N) s^2/n. Both have n - 1 degrees of freedom.
    """
    mean, ss = mean_and_ss(ys, 0, n)
    var_iid = ss / (n - 1) / n
    out[NAIVE_T, EST] = mean
    out[NAIVE_T, SE] = np.sqrt(var_iid)
    out[NAIVE_T, DF] = n - 1
    out[CLUSTER_T, EST] = mean
    out[CLUSTER_T, SE] = np.sqrt((1.0 - n / n_frame) * var_iid)
    out[CLUSTER_T, DF] = n - 1


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
