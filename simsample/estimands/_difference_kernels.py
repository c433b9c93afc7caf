"""Per-sample estimators of differences and micro/macro effects, and their chunk loops.

A sample is a set of sampled groups ("clusters"), group ``a`` holding units
``psu_start[a]:psu_start[a + 1]`` of ``ys`` and ``xs`` and being group
``psu_group[a]`` of the population. Every estimator works from per-group
centred sums (two passes over the units), so one replication costs O(n).
Notation: n units in k sampled groups, n_a units in group a with means
mx_a, my_a and centred sums sxx_a, sxy_a, syy_a; mx, my the means of all n.

Rows of ``out`` (estimate, SE, df of the t interval):

NAIVE            OLS slope of y on x ignoring groups, classical SE
                 sqrt(RSS / (n - 2) / SXX), n - 2 df. For binary x the slope is
                 ybar1 - ybar0 and the SE that of the pooled-variance two-sample
                 t test (scipy ``ttest_ind(equal_var=True)``).
CLUSTER_ROBUST   the same slope with the CR1 cluster-robust SE (clusters = sampled
                 groups): c sum_a S_a^2 / SXX^2, S_a = sum_i (x_i - mx) e_i,
                 c = k/(k - 1) (n - 1)/(n - 2) (statsmodels' default correction),
                 k - 1 df.
WITHIN           fixed-effects slope sum_a sxy_a / sum_a sxx_a, CR1 SE of the
                 group-demeaned regression without intercept, as statsmodels
                 computes it on the demeaned data of the k' groups in which x
                 varies (c = k'/(k' - 1)), k' - 1 df. Groups in which x does not
                 vary carry no information on the within slope (they add nothing
                 to the estimate or its scores), so they do not count as
                 clusters (Cameron and Miller 2015, sec. IV.C).
BETWEEN          OLS slope of my_a on mx_a over the k groups (each counts once),
                 classical SE, k - 2 df.
CONTEXTUAL       OLS of y_i on [1, x_i - mx_a, mx_a]; estimate = coefficient of
                 mx_a minus that of x_i - mx_a, CR1 SE of that contrast
                 (c = k/(k - 1) (n - 1)/(n - 3)), k - 1 df.
HETEROGENEITY    moment estimate of the variance of the group slopes:
                 var(b_a) - mean(v_a) over the groups with variation in x and at
                 least 3 sampled units (or all their units), b_a = sxy_a/sxx_a,
                 v_a = RSS_a / (n_a - 2) (1/sxx_a - 1/SXX_a), SXX_a the census
                 sum of squares of x about its mean in group a (v_a = 0 when the
                 whole group is sampled). For binary x, 1/sxx_a - 1/SXX_a =
                 (1 - n1/N1)/n1 + (1 - n0/N0)/n0: v_a is the design variance of
                 a difference of two SRS means (given the sample's composition)
                 with a pooled variance; for continuous x it is the model variance
                 of b_a - beta_a given the x's, beta_a the group's census slope
                 (the OLS fit of all its units). No interval.
HETEROGENEITY_SD sqrt(max(HETEROGENEITY, 0)). No interval.
MACRO            OLS slope of my_a on the macro covariate X_a, classical SE, k - 2 df.

Failures (no variation in x, too few groups) give NaN, which the accumulator
counts as a failed replication.
"""

import numpy as np

from .._jit import inline_kernel, kernel
from .._kernels.moments import DF, EST, SE

NAIVE = 0
CLUSTER_ROBUST = 1
WITHIN = 2
BETWEEN = 3
CONTEXTUAL = 4
HETEROGENEITY = 5
HETEROGENEITY_SD = 6
MACRO = 7
N_EFFECT_METHODS = 8

#: Rows of the per-group scratch array.
_MX = 0
_MY = 1
_SXX = 2
_SXY = 3
_SYY = 4
_SLOPE = 5
_X = 6
N_SCRATCH = 7


@kernel
def group_srs_sample(idx, n, offsets, psu_start, psu_group):  # pragma: no cover
    """Sort an element sample ``idx[:n]`` in place and cut it into its groups.

    Fills, for each of the k groups present, where its units start
    (``psu_start[k] = n``) and its group code; returns k. ``psu_start`` needs
    min(n, G) + 1 entries, ``psu_group`` min(n, G).
    """
    idx[:n].sort()
    k = 0
    previous = -1
    for i in range(n):
        g = np.searchsorted(offsets, idx[i], side="right") - 1
        if g != previous:
            psu_start[k] = i
            psu_group[k] = g
            k += 1
            previous = g
    psu_start[k] = n
    return k


@kernel
def _group_sums(ys, xs, psu_start, k, scratch):  # pragma: no cover
    """Means and centred sums of squares and products of each group (two passes)."""
    for a in range(k):
        lo = psu_start[a]
        hi = psu_start[a + 1]
        tx = 0.0
        ty = 0.0
        for i in range(lo, hi):
            tx += xs[i]
            ty += ys[i]
        mx = tx / (hi - lo)
        my = ty / (hi - lo)
        sxx = 0.0
        sxy = 0.0
        syy = 0.0
        for i in range(lo, hi):
            dx = xs[i] - mx
            dy = ys[i] - my
            sxx += dx * dx
            sxy += dx * dy
            syy += dy * dy
        scratch[_MX, a] = mx
        scratch[_MY, a] = my
        scratch[_SXX, a] = sxx
        scratch[_SXY, a] = sxy
        scratch[_SYY, a] = syy


@kernel
def _group_level_ols(u, v, k, out, row):  # pragma: no cover
    """OLS slope of v[:k] on u[:k] (one point per group), classical SE, k - 2 df."""
    mu = 0.0
    mv = 0.0
    for a in range(k):
        mu += u[a]
        mv += v[a]
    mu /= k
    mv /= k
    suu = 0.0
    suv = 0.0
    for a in range(k):
        suu += (u[a] - mu) * (u[a] - mu)
        suv += (u[a] - mu) * (v[a] - mv)
    slope = suv / suu
    rss = 0.0
    for a in range(k):
        r = v[a] - mv - slope * (u[a] - mu)
        rss += r * r
    out[row, EST] = slope
    out[row, SE] = np.sqrt(rss / (k - 2) / suu)
    out[row, DF] = k - 2


@kernel
def effect_estimates(ys, xs, psu_start, psu_group, k, offsets, X, group_sxx, scratch,
                     out):  # pragma: no cover
    """Fill ``out`` (N_EFFECT_METHODS x 3) for one sample (see the module docstring).

    ``X`` and ``group_sxx`` hold the macro covariate and the census sum of
    squares of x of every population group, ``offsets`` their sizes;
    ``scratch`` has shape (N_SCRATCH, >= k). Assumes k >= 1 and at least one
    unit per sampled group.
    """
    _group_sums(ys, xs, psu_start, k, scratch)
    for a in range(k):
        scratch[_X, a] = X[psu_group[a]]
    n = psu_start[k]
    mx = 0.0
    my = 0.0
    for a in range(k):
        size = psu_start[a + 1] - psu_start[a]
        mx += size * scratch[_MX, a]
        my += size * scratch[_MY, a]
    mx /= n
    my /= n
    sxx_within = 0.0
    sxy_within = 0.0
    sxx_between = 0.0  # sum_a n_a (mx_a - mx)^2
    sxy_between = 0.0
    for a in range(k):
        size = psu_start[a + 1] - psu_start[a]
        dx = scratch[_MX, a] - mx
        dy = scratch[_MY, a] - my
        sxx_within += scratch[_SXX, a]
        sxy_within += scratch[_SXY, a]
        sxx_between += size * dx * dx
        sxy_between += size * dx * dy
    sxx_total = sxx_within + sxx_between
    sxy_total = sxy_within + sxy_between
    slope = sxy_total / sxx_total
    slope_w = sxy_within / sxx_within
    slope_b = sxy_between / sxx_between  # the unit-weighted between slope
    rss = 0.0
    meat_total = 0.0
    meat_within = 0.0
    meat_contextual = 0.0
    informative = 0  # groups in which x varies
    for a in range(k):
        size = psu_start[a + 1] - psu_start[a]
        dx = scratch[_MX, a] - mx
        dy = scratch[_MY, a] - my
        sxx = scratch[_SXX, a]
        sxy = scratch[_SXY, a]
        # residuals y - my - slope (x - mx) of group a: within part plus a constant
        level = dy - slope * dx
        rss += scratch[_SYY, a] - 2.0 * slope * sxy + slope * slope * sxx + size * level * level
        score = sxy + size * dx * dy - slope * (sxx + size * dx * dx)
        meat_total += score * score
        score_w = sxy - slope_w * sxx
        meat_within += score_w * score_w
        if sxx > 0.0:
            informative += 1
        # contrast (between - within) of the contextual model's per-group scores
        t = dx * size * (dy - slope_b * dx) / sxx_between - score_w / sxx_within
        meat_contextual += t * t
    clusters = k / (k - 1.0)

    out[NAIVE, EST] = slope
    out[NAIVE, SE] = np.sqrt(rss / (n - 2) / sxx_total)
    out[NAIVE, DF] = n - 2
    out[CLUSTER_ROBUST, EST] = slope
    out[CLUSTER_ROBUST, SE] = np.sqrt(clusters * (n - 1.0) / (n - 2.0) * meat_total) / sxx_total
    out[CLUSTER_ROBUST, DF] = k - 1
    out[WITHIN, EST] = slope_w
    out[WITHIN, SE] = np.sqrt(informative / (informative - 1.0) * meat_within) / sxx_within
    out[WITHIN, DF] = informative - 1
    out[CONTEXTUAL, EST] = slope_b - slope_w
    out[CONTEXTUAL, SE] = np.sqrt(clusters * (n - 1.0) / (n - 3.0) * meat_contextual)
    out[CONTEXTUAL, DF] = k - 1
    _group_level_ols(scratch[_MX], scratch[_MY], k, out, BETWEEN)
    _group_level_ols(scratch[_X], scratch[_MY], k, out, MACRO)

    # heterogeneity of the slopes: the spread of the group slopes minus their noise
    used = 0
    noise = 0.0
    for a in range(k):
        g = psu_group[a]
        size = psu_start[a + 1] - psu_start[a]
        whole = size == offsets[g + 1] - offsets[g]
        sxx = scratch[_SXX, a]
        if sxx > 0.0 and (size >= 3 or whole):
            b = scratch[_SXY, a] / sxx
            scratch[_SLOPE, used] = b
            if not whole:
                rss_a = scratch[_SYY, a] - b * scratch[_SXY, a]
                noise += rss_a / (size - 2) * (1.0 / sxx - 1.0 / group_sxx[g])
            used += 1
    tau2 = np.nan
    if used >= 2:
        mb = 0.0
        for a in range(used):
            mb += scratch[_SLOPE, a]
        mb /= used
        spread = 0.0
        for a in range(used):
            spread += (scratch[_SLOPE, a] - mb) * (scratch[_SLOPE, a] - mb)
        tau2 = spread / (used - 1) - noise / used
    out[HETEROGENEITY, EST] = tau2
    out[HETEROGENEITY, SE] = np.nan
    out[HETEROGENEITY, DF] = 0.0
    out[HETEROGENEITY_SD, EST] = np.sqrt(max(tau2, 0.0)) if used >= 2 else np.nan
    out[HETEROGENEITY_SD, SE] = np.nan
    out[HETEROGENEITY_SD, DF] = 0.0


# -- the estimand's hooks in the generated replication loop (see simsample.engine.loops) ------
# eparams = (offsets, X, group_sxx): the population's group offsets, the macro covariate (zeros
# without X) and the census within-group sums of squares of x. Hooks receive the form's four
# arrays (idx, start, size, groups), then the entries of eparams and of their own scratch.


@kernel
def prepare_effects_elements(idx, start, size, groups, offsets, X,
                             group_sxx):  # pragma: no cover
    """Scratch for an element sample: its groups' starts and codes, their count, group sums."""
    n = idx.size
    max_k = min(n, offsets.size - 1)
    return (np.empty(max_k + 1, np.int64), np.empty(max_k, np.int64), np.zeros(1, np.int64),
            np.empty((N_SCRATCH, max_k)))


@inline_kernel
def arrange_effects_elements(n, k, idx, start, size, groups, offsets, X, group_sxx, psu_start,
                             psu_group, k_box, scratch):  # pragma: no cover
    """Sort an element sample into the population groups it hits (before the gather)."""
    k_box[0] = group_srs_sample(idx, n, offsets, psu_start, psu_group)


@inline_kernel
def effects_elements(ys, xs, n, k, idx, start, size, groups, offsets, X, group_sxx, psu_start,
                     psu_group, k_box, scratch, out):  # pragma: no cover
    """Every effect estimator on an element sample; clusters = the groups present."""
    effect_estimates(ys, xs, psu_start, psu_group, k_box[0], offsets, X, group_sxx, scratch,
                     out)


@kernel
def prepare_effects_clusters(idx, start, size, groups, offsets, X,
                             group_sxx):  # pragma: no cover
    """Scratch for a cluster sample: the group sums."""
    return (np.empty((N_SCRATCH, groups.size)),)


@inline_kernel
def effects_clusters(ys, xs, n, k, idx, start, size, groups, offsets, X, group_sxx, scratch,
                     out):  # pragma: no cover
    """Every effect estimator on a cluster sample; clusters = the sampled groups."""
    effect_estimates(ys, xs, start, groups, k, offsets, X, group_sxx, scratch, out)
