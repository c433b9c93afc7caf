"""Replication loops: one call runs a whole chunk (draw, estimate, accumulate).

``acc`` has one row per interval method (see ``estimate``), ``kept`` shape
(methods, rows, N_KEEP) with rows = replications of this chunk to keep (0 for
none), ``truth`` the target of each method and ``tq[df]`` the t quantile of
the interval level for ``df`` degrees of freedom.
"""

import numpy as np

from .._jit import kernel
from .accumulate import record
from .estimate import DF, EST, N_MEAN_METHODS, SE, srs_mean, two_stage_mean
from .select import draw_two_stage, floyd_sample, gather


@kernel
def simulate_srs_chunk(y, n, state, reps, truth, tq, acc, kept):  # pragma: no cover
    """``reps`` simple random samples of ``n`` units without replacement."""
    n_units = y.size
    mark = np.zeros(n_units, np.bool_)
    idx = np.empty(n, np.int64)
    ys = np.empty(n)
    out = np.empty((N_MEAN_METHODS, 3))
    for rep in range(reps):
        floyd_sample(state, n_units, n, mark, idx)
        gather(y, idx, n, ys)
        srs_mean(ys, n, n_units, out)
        for method in range(N_MEAN_METHODS):
            record(acc, method, kept, rep, out[method, EST], out[method, SE],
                   out[method, DF], tq, truth[method], n)


@kernel
def simulate_two_stage_chunk(y, offsets, k, m, expansion, max_n, max_size, state, reps,
                             truth, tq, acc, kept):  # pragma: no cover
    """``reps`` two-stage samples: ``k`` groups, ``m`` units in each (all if ``m < 0``).

    ``max_n`` bounds the sample size and ``max_size`` the largest group.
    """
    n_groups = offsets.size - 1
    n_units = y.size
    group_mark = np.zeros(n_groups, np.bool_)
    unit_mark = np.zeros(max_size, np.bool_)
    groups = np.empty(k, np.int64)
    psu_start = np.empty(k + 1, np.int64)
    psu_size = np.empty(k, np.float64)
    psu_mean = np.empty(k)
    psu_ss = np.empty(k)
    idx = np.empty(max_n, np.int64)
    ys = np.empty(max_n)
    out = np.empty((N_MEAN_METHODS, 3))
    for rep in range(reps):
        n = draw_two_stage(state, offsets, k, m, group_mark, unit_mark,
                           groups, psu_start, psu_size, idx)
        gather(y, idx, n, ys)
        two_stage_mean(ys, psu_start, psu_size, k, n_groups, n_units, expansion,
                       psu_mean, psu_ss, out)
        for method in range(N_MEAN_METHODS):
            record(acc, method, kept, rep, out[method, EST], out[method, SE],
                   out[method, DF], tq, truth[method], n)
