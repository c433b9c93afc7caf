"""Streaming accumulators: one row of sums per interval method.

A chunk of replications fills a fresh accumulator; chunks merge by adding
rows in chunk order (``FIRST_FAIL`` excepted), so a merged result is
bit-identical however the chunks were scheduled. Deviations are taken from
the method's target (``truth``), which keeps the power sums well conditioned.
"""

import numpy as np

from .._jit import kernel

N_OK = 0          # replications with a finite estimate and standard error
N_FAIL = 1        # replications where the estimate or its SE was not finite
FIRST_FAIL = 2    # index within the chunk of the first failure, -1 if none
SUM_D = 3         # sum of d = estimate - truth
SUM_D2 = 4
SUM_D3 = 5
SUM_D4 = 6
COVER = 7         # intervals that contain the truth
MISS_LOW = 8      # intervals entirely below the truth
MISS_HIGH = 9     # intervals entirely above the truth
SUM_WIDTH = 10
SUM_SE = 11
SUM_VAR = 12      # sum of SE^2 (the variance estimates)
SUM_VAR2 = 13
SUM_SIZE = 14     # sample sizes, for designs whose size is random
N_STATS = 15

#: Columns of a kept replication (``keep_estimates``).
KEEP_EST = 0
KEEP_SE = 1
KEEP_LOWER = 2
KEEP_UPPER = 3
N_KEEP = 4


def new_accumulator(n_rows: int) -> np.ndarray:
    """An empty accumulator with ``n_rows`` method rows."""
    acc = np.zeros((n_rows, N_STATS))
    acc[:, FIRST_FAIL] = -1.0
    return acc


def merge_into(total: np.ndarray, chunk: np.ndarray) -> None:
    """Add a chunk's accumulator to ``total`` (call in chunk order)."""
    first = total[..., FIRST_FAIL].copy()
    total += chunk
    total[..., FIRST_FAIL] = first


@kernel
def _add_deviation(acc, row, d, size):  # pragma: no cover
    """Count one successful replication with deviation ``d`` from the target."""
    d2 = d * d
    acc[row, N_OK] += 1.0
    acc[row, SUM_D] += d
    acc[row, SUM_D2] += d2
    acc[row, SUM_D3] += d2 * d
    acc[row, SUM_D4] += d2 * d2
    acc[row, SUM_SIZE] += size


@kernel
def record(acc, row, kept, rep, estimate, se, df, tq, truth, size):  # pragma: no cover
    """Add one replication's estimate and t interval to method row ``row`` of ``acc``.

    ``tq[df]`` is the t quantile for the interval's level. ``kept[row]`` holds
    the first ``kept.shape[1]`` replications of the chunk, or has no rows.
    (Rows are indexed here rather than passed as views: ~35% faster.)
    """
    ok = np.isfinite(estimate) and np.isfinite(se) and df >= 1.0
    if not ok:
        acc[row, N_FAIL] += 1.0
        if acc[row, FIRST_FAIL] < 0.0:
            acc[row, FIRST_FAIL] = rep
        if rep < kept.shape[1]:
            kept[row, rep, KEEP_EST] = estimate
            kept[row, rep, KEEP_SE] = se
            kept[row, rep, KEEP_LOWER] = np.nan
            kept[row, rep, KEEP_UPPER] = np.nan
        return
    half = tq[np.int64(df)] * se
    lower = estimate - half
    upper = estimate + half
    _add_deviation(acc, row, estimate - truth, size)
    if upper < truth:
        acc[row, MISS_LOW] += 1.0
    elif lower > truth:
        acc[row, MISS_HIGH] += 1.0
    else:
        acc[row, COVER] += 1.0
    acc[row, SUM_WIDTH] += upper - lower
    acc[row, SUM_SE] += se
    v = se * se
    acc[row, SUM_VAR] += v
    acc[row, SUM_VAR2] += v * v
    if rep < kept.shape[1]:
        kept[row, rep, KEEP_EST] = estimate
        kept[row, rep, KEEP_SE] = se
        kept[row, rep, KEEP_LOWER] = lower
        kept[row, rep, KEEP_UPPER] = upper


@kernel
def record_point(acc, row, kept, rep, estimate, truth, size):  # pragma: no cover
    """Add one replication's estimate of a method that has no interval (row ``row``).

    Only the moments of ``estimate - truth`` and the sample size are kept;
    the SE, coverage and width sums stay zero (the summary reports them as
    NaN). A non-finite estimate counts as a failed replication.
    """
    if not np.isfinite(estimate):
        acc[row, N_FAIL] += 1.0
        if acc[row, FIRST_FAIL] < 0.0:
            acc[row, FIRST_FAIL] = rep
    else:
        _add_deviation(acc, row, estimate - truth, size)
    if rep < kept.shape[1]:
        kept[row, rep, KEEP_EST] = estimate
        kept[row, rep, KEEP_SE] = np.nan
        kept[row, rep, KEEP_LOWER] = np.nan
        kept[row, rep, KEEP_UPPER] = np.nan
