"""Three-stage sampling (schools > classes > students): draw, estimate, replication loop.

Groups are stored contiguously and, within them, their subgroups:
subgroup s occupies positions ``sub_offsets[s]:sub_offsets[s + 1]`` and group
g owns subgroups ``group_sub_offsets[g]:group_sub_offsets[g + 1]``. A sample
holds k groups, l subgroups in each and m units in each subgroup, stored
group by group and subgroup by subgroup (subgroup b of sampled group a
starts at (a l + b) m). The PSUs of the form are the sampled groups, ``size``
their numbers of units. ``params = (group_sub_offsets, sub_offsets, k, l, m,
expansion, max_subgroups, max_size, G, N)``.
"""

import numpy as np

from .._jit import inline_kernel, kernel
from .._kernels.moments import CLUSTER_T, DF, EST, NAIVE_T, SE, mean_and_ss
from .._kernels.select import floyd_sample, floyd_sample_at


@kernel
def draw_three_stage(state, group_sub_offsets, sub_offsets, k, l, m, group_mark, sub_mark,
                     unit_mark, sub_pick, out_group, out_nsub, out_subsize,
                     out_idx):  # pragma: no cover
    """SRS of ``k`` groups, SRS of ``l`` subgroups in each, SRS of ``m`` units in each.

    Writes the sampled groups, their numbers of subgroups L_j (``out_nsub``),
    the sizes M_jk of the sampled subgroups (``out_subsize``, l per group)
    and the units. ``sub_pick`` is scratch of length l; the marks are False
    scratch arrays as long as G, the most subgroups of a group and the
    largest subgroup. Assumes l <= every L_j and m <= every M_jk.
    """
    floyd_sample(state, group_sub_offsets.size - 1, k, group_mark, out_group)
    pos = 0
    for a in range(k):
        g = out_group[a]
        first_sub = group_sub_offsets[g]
        n_sub = group_sub_offsets[g + 1] - first_sub
        out_nsub[a] = n_sub
        floyd_sample(state, n_sub, l, sub_mark, sub_pick)
        for b in range(l):
            s = first_sub + sub_pick[b]
            first = sub_offsets[s]
            size = sub_offsets[s + 1] - first
            out_subsize[a * l + b] = size
            floyd_sample_at(state, size, m, unit_mark, out_idx, pos, first)
            pos += m
    return pos


@kernel
def three_stage_mean(ys, k, l, m, nsub, subsize, n_groups, n_units, expansion, sub_mean,
                     sub_ss, group_total, out):  # pragma: no cover
    """Mean of a three-stage sample and its unbiased three-stage variance estimator.

    With t_jk = M_jk ybar_jk the estimated subgroup totals and
    T_j = (L_j / l) sum_k t_jk the estimated group totals, the total is
    Yhat = (G/k) sum_j T_j. ``cluster_t`` reports the expansion mean Yhat / N
    (``expansion``, unbiased) or the ratio mean Yhat / Nhat (Nhat the same
    expansion of the sizes), with the variance estimator (Cochran 1977, 10.8
    and 11.9; Sarndal et al. 1992, 4.4)

        v(Yhat) = G^2 (1 - k/G) s_T^2 / k + (G/k) sum_j [ L_j^2 (1 - l/L_j) s_2j^2 / l
                  + (L_j / l) sum_k M_jk^2 (1 - m/M_jk) s_3jk^2 / m ],

    s_T^2 the variance of the T_j, s_2j^2 of the t_jk within group j, s_3jk^2
    of the units within subgroup jk, divided by N^2 (expansion); for the
    ratio mean the same formula on residuals y - Yhat/Nhat, divided by
    Nhat^2 (linearisation). k - 1 degrees of freedom. For equal sizes this
    is (1 - f1) s1^2/k + f1 (1 - f2) s2^2/(k l) + f1 f2 (1 - f3) s3^2/(k l m).
    With l = 1 (m = 1) the second (third) term is not estimable and is left out.
    ``naive_t``: the unweighted mean of the k l m units with s^2/n, n - 1 df.
    Scratch: ``sub_mean``, ``sub_ss`` of length k l, ``group_total`` of length k.
    """
    n_sub = k * l
    n = n_sub * m
    for s in range(n_sub):
        mean, ss = mean_and_ss(ys, s * m, (s + 1) * m)
        sub_mean[s] = mean
        sub_ss[s] = ss
    y_hat = 0.0
    n_hat = 0.0
    for a in range(k):
        ty = 0.0
        tn = 0.0
        for b in range(l):
            size = subsize[a * l + b]
            ty += size * sub_mean[a * l + b]
            tn += size
        y_hat += nsub[a] / l * ty
        n_hat += nsub[a] / l * tn
    if expansion:
        estimate = y_hat / n_units * (n_groups / k)
        centre = 0.0
        denominator = n_units
    else:
        estimate = y_hat / n_hat
        centre = estimate
        denominator = n_hat * (n_groups / k)

    later = 0.0  # sum over groups of the second- and third-stage terms
    mean_total = 0.0
    for a in range(k):
        n_sub_a = nsub[a]
        total = 0.0
        for b in range(l):
            s = a * l + b
            total += subsize[s] * (sub_mean[s] - centre)
        sub_avg = total / l
        group_total[a] = n_sub_a * sub_avg
        mean_total += group_total[a]
        if l > 1:
            ss2 = 0.0
            for b in range(l):
                s = a * l + b
                d = subsize[s] * (sub_mean[s] - centre) - sub_avg
                ss2 += d * d
            later += n_sub_a * n_sub_a * (1.0 - l / n_sub_a) * ss2 / (l - 1) / l
        if m > 1:
            third = 0.0
            for b in range(l):
                s = a * l + b
                size = subsize[s]
                third += size * size * (1.0 - m / size) * sub_ss[s] / (m - 1) / m
            later += n_sub_a / l * third
    mean_total /= k
    ss1 = 0.0
    for a in range(k):
        d = group_total[a] - mean_total
        ss1 += d * d
    variance = (n_groups * n_groups * (1.0 - k / n_groups) * ss1 / (k - 1) / k
                + n_groups / k * later)
    out[CLUSTER_T, EST] = estimate
    out[CLUSTER_T, SE] = np.sqrt(variance) / denominator
    out[CLUSTER_T, DF] = k - 1

    pooled = 0.0
    ss_total = 0.0
    for s in range(n_sub):
        pooled += sub_mean[s]
        ss_total += sub_ss[s]
    pooled /= n_sub
    for s in range(n_sub):
        d = sub_mean[s] - pooled
        ss_total += m * d * d
    out[NAIVE_T, EST] = pooled
    out[NAIVE_T, SE] = np.sqrt(ss_total / (n - 1) / n)
    out[NAIVE_T, DF] = n - 1


@kernel
def prepare_three_stage(params):  # pragma: no cover
    """Scratch of a three-stage sample: the form, the bitmasks, the subgroup sizes and sums."""
    (group_sub_offsets, sub_offsets, k, l, m, expansion, max_subgroups, max_size, n_groups,
     n_units) = params
    start = np.empty(k + 1, np.int64)
    for a in range(k + 1):
        start[a] = a * l * m
    return (np.empty(k * l * m, np.int64), start, np.empty(k, np.float64),
            np.empty(k, np.int64), np.zeros(n_groups, np.bool_),
            np.zeros(max_subgroups, np.bool_), np.zeros(max_size, np.bool_),
            np.empty(l, np.int64), np.empty(k, np.float64), np.empty(k * l, np.float64),
            np.empty(k * l), np.empty(k * l), np.empty(k))


@inline_kernel
def draw_three_stage_form(state, group_sub_offsets, sub_offsets, k, l, m, expansion,
                          max_subgroups, max_size, n_groups, n_units, idx, start, size, groups,
                          group_mark, sub_mark, unit_mark, sub_pick, nsub, subsize, sub_mean,
                          sub_ss, group_total):  # pragma: no cover
    """One three-stage sample into the form; ``size`` gets each sampled group's unit count."""
    n = draw_three_stage(state, group_sub_offsets, sub_offsets, k, l, m, group_mark, sub_mark,
                         unit_mark, sub_pick, groups, nsub, subsize, idx)
    for a in range(k):
        g = groups[a]
        size[a] = sub_offsets[group_sub_offsets[g + 1]] - sub_offsets[group_sub_offsets[g]]
    return n, k


@inline_kernel
def mean_three_stage(ys, n, k, group_sub_offsets, sub_offsets, k_, l, m, expansion,
                     max_subgroups, max_size, n_groups, n_units, idx, start, size, groups,
                     group_mark, sub_mark, unit_mark, sub_pick, nsub, subsize, sub_mean, sub_ss,
                     group_total, out):  # pragma: no cover
    """Built-in estimators of the mean of a three-stage sample."""
    three_stage_mean(ys, k, l, m, nsub, subsize, n_groups, n_units, expansion, sub_mean, sub_ss,
                     group_total, out)
