"""Simple random sampling with replacement: draw, estimate, replication loop."""

import numpy as np

from .._jit import kernel
from .estimate import CLUSTER_T, DF, EST, N_MEAN_METHODS, NAIVE_T, SE, mean_and_ss
from .accumulate import record
from .rng import uniform_int
from .select import gather


@kernel
def draw_srs_replace(state, n_frame, n, out):  # pragma: no cover
    """``n`` independent uniform draws from ``[0, n_frame)`` (repeats allowed)."""
    for i in range(n):
        out[i] = uniform_int(state, n_frame)


@kernel
def srs_replace_mean(ys, n, out):  # pragma: no cover
    """Mean of ``n`` draws with replacement; both methods use s^2/n with n - 1 df.

    The draws are iid from the population, so s^2/n is unbiased for the
    design variance sigma^2/n = (N - 1)/N S^2/n: the textbook interval is the
    design-based one (``naive_t`` and ``cluster_t`` coincide).
    """
    mean, ss = mean_and_ss(ys, 0, n)
    se = np.sqrt(ss / (n - 1) / n)
    for method in (NAIVE_T, CLUSTER_T):
        out[method, EST] = mean
        out[method, SE] = se
        out[method, DF] = n - 1


@kernel
def simulate_srs_replace_chunk(y, n, state, reps, truth, tq, acc, kept):  # pragma: no cover
    """``reps`` simple random samples of ``n`` draws with replacement."""
    idx = np.empty(n, np.int64)
    ys = np.empty(n)
    out = np.empty((N_MEAN_METHODS, 3))
    for rep in range(reps):
        draw_srs_replace(state, y.size, n, idx)
        gather(y, idx, n, ys)
        srs_replace_mean(ys, n, out)
        for method in range(N_MEAN_METHODS):
            record(acc, method, kept, rep, out[method, EST], out[method, SE],
                          out[method, DF], tq, truth[method], n)
