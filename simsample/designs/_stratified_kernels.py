"""Stratified simple random sampling: draw, estimate, replication loop.

The population's groups are the strata; stratum ``h`` occupies positions
``offsets[h]:offsets[h + 1]`` and ``take[h]`` units are drawn from it by SRS
without replacement, independently across strata. Methods receive the strata
form: ``start`` and ``size`` of every stratum (``scr[5]``, ``scr[6]``), k = H.
``params = (offsets, take, max_size, N)``.
"""

import numpy as np

from .._jit import inline_kernel, kernel
from .._kernels.moments import CLUSTER_T, DF, EST, NAIVE_T, SE, mean_and_ss
from .._kernels.select import floyd_sample


@kernel
def draw_stratified(state, offsets, take, mark, out_idx, out_start):  # pragma: no cover
    """SRS of ``take[h]`` units in every stratum h; ``out_start[h]`` is where it begins.

    ``mark`` is a False scratch array as long as the largest stratum.
    Returns the sample size. Assumes 1 <= take[h] <= stratum size.
    """
    pos = 0
    for h in range(take.size):
        first = offsets[h]
        n_h = take[h]
        out_start[h] = pos
        floyd_sample(state, offsets[h + 1] - first, n_h, mark, out_idx[pos:pos + n_h])
        for i in range(pos, pos + n_h):
            out_idx[i] += first
        pos += n_h
    out_start[take.size] = pos
    return pos


@kernel
def stratified_mean(ys, start, stratum_size, n_units, stratum_mean, out):  # pragma: no cover
    """Stratified mean and its variance; the unweighted mean for ``naive_t``.

    ``cluster_t``: ybar_st = sum_h W_h ybar_h, W_h = N_h / N, with the
    unbiased variance estimator sum_h W_h^2 (1 - n_h/N_h) s_h^2 / n_h and
    n - H degrees of freedom (Cochran 1977, 5.1-5.3). A stratum taken whole
    adds nothing. ``naive_t``: the unweighted mean of the n units with s^2/n
    and n - 1 degrees of freedom, as if they were an SRS. ``stratum_mean`` is
    a scratch array of length H; ``stratum_size`` holds the N_h as floats.
    """
    n_strata = stratum_size.size
    n = start[n_strata]
    estimate = 0.0
    variance = 0.0
    pooled = 0.0
    ss_total = 0.0
    for h in range(n_strata):
        n_h = start[h + 1] - start[h]
        mean, ss = mean_and_ss(ys, start[h], start[h + 1])
        stratum_mean[h] = mean
        ss_total += ss
        w = stratum_size[h] / n_units
        estimate += w * mean
        if n_h < stratum_size[h]:
            variance += w * w * (1.0 - n_h / stratum_size[h]) * ss / (n_h - 1) / n_h
        pooled += n_h * mean
    out[CLUSTER_T, EST] = estimate
    out[CLUSTER_T, SE] = np.sqrt(variance)
    out[CLUSTER_T, DF] = n - n_strata

    pooled /= n
    for h in range(n_strata):
        d = stratum_mean[h] - pooled
        ss_total += (start[h + 1] - start[h]) * d * d
    out[NAIVE_T, EST] = pooled
    out[NAIVE_T, SE] = np.sqrt(ss_total / (n - 1) / n)
    out[NAIVE_T, DF] = n - 1


@kernel
def prepare_stratified(params):  # pragma: no cover
    """Scratch of a stratified sample: the form (units as PSUs), the strata and a bitmask."""
    offsets, take, max_size, n_units = params
    n_strata = take.size
    n = 0
    for h in range(n_strata):
        n += take[h]
    stratum_size = np.empty(n_strata)
    for h in range(n_strata):
        stratum_size[h] = offsets[h + 1] - offsets[h]
    return (np.empty(n, np.int64), np.arange(n + 1), np.ones(n), np.full(n, -1),
            np.zeros(max_size, np.bool_), np.empty(n_strata + 1, np.int64), stratum_size,
            np.empty(n_strata))


@inline_kernel
def draw_stratified_form(state, offsets, take, max_size, n_units, idx, start, size, groups,
                         mark, stratum_start, stratum_size, stratum_mean):  # pragma: no cover
    """One stratified sample; returns (n, H)."""
    n = draw_stratified(state, offsets, take, mark, idx, stratum_start)
    return n, take.size


@inline_kernel
def mean_stratified(ys, n, k, offsets, take, max_size, n_units, idx, start, size, groups, mark,
                    stratum_start, stratum_size, stratum_mean, out):  # pragma: no cover
    """Built-in estimators of the mean of a stratified sample."""
    stratified_mean(ys, stratum_start, stratum_size, n_units, stratum_mean, out)
