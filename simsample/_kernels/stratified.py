"""Stratified simple random sampling: draw, estimate, replication loop.

The population's groups are the strata; stratum ``h`` occupies positions
``offsets[h]:offsets[h + 1]`` and ``take[h]`` units are drawn from it by SRS
without replacement, independently across strata.
"""

import numpy as np

from .._jit import kernel
from .estimate import CLUSTER_T, DF, EST, N_MEAN_METHODS, NAIVE_T, SE, mean_and_ss
from .accumulate import record
from .select import floyd_sample, gather


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
def simulate_stratified_chunk(y, offsets, take, max_size, state, reps, truth, tq, acc,
                              kept):  # pragma: no cover
    """``reps`` stratified samples with ``take[h]`` units from stratum h."""
    n_strata = take.size
    n = 0
    for h in range(n_strata):
        n += take[h]
    stratum_size = np.empty(n_strata)
    for h in range(n_strata):
        stratum_size[h] = offsets[h + 1] - offsets[h]
    mark = np.zeros(max_size, np.bool_)
    idx = np.empty(n, np.int64)
    start = np.empty(n_strata + 1, np.int64)
    ys = np.empty(n)
    stratum_mean = np.empty(n_strata)
    out = np.empty((N_MEAN_METHODS, 3))
    for rep in range(reps):
        draw_stratified(state, offsets, take, mark, idx, start)
        gather(y, idx, n, ys)
        stratified_mean(ys, start, stratum_size, y.size, stratum_mean, out)
        for method in range(N_MEAN_METHODS):
            record(acc, method, kept, rep, out[method, EST], out[method, SE],
                          out[method, DF], tq, truth[method], n)
