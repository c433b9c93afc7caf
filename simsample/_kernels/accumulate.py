"""Streaming accumulators: one row of sums per method, and sums over pairs of methods.

A chunk of replications fills a fresh accumulator; chunks merge by adding
rows in chunk order (``FIRST_FAIL`` excepted), so a merged result is
bit-identical however the chunks were scheduled. Deviations are taken from
the method's target (``truth``), which keeps the power sums well conditioned.

Row a also holds, from column ``N_STATS`` on, sums over the replications in
which methods a and b (b > a) both succeeded: their count and the sums of
d_a d_b, d_a^2 d_b^2, covered_a covered_b and width_a width_b (``PAIR_*``).
They give the paired Monte Carlo standard error of a difference between two
methods on the same samples (``SimulationResult.compare``).

Zero-width intervals (censuses, constant data)
    A census, or data with no variation, has a standard error of exactly 0:
    the interval is the estimate alone, which equals the target only up to
    rounding (the sample is summed in another order than the population). An
    interval no wider than ``tol = ZERO_WIDTH_RTOL * max(|lower|, |upper|,
    |truth|)`` therefore covers the truth when the truth lies within ``tol`` of
    it (:func:`covers`). ``ZERO_WIDTH_RTOL = 2**-20`` bounds the rounding error
    of a mean of fewer than 2**32 values of one sign (N * eps). Every other
    interval covers exactly when ``lower <= truth <= upper``, as before.
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
SUM_FLAG = 15     # replications a model-based method flagged singular (boundary fit)
SUM_WIDTH2 = 16   # sum of squared interval widths
N_STATS = 17

#: Sums over a pair of methods (a, b), at column N_STATS + N_PAIR * b + PAIR_* of row a.
PAIR_N = 0        # replications in which both succeeded
PAIR_D = 1        # sum of d_a d_b
PAIR_D2 = 2       # sum of d_a^2 d_b^2
PAIR_COVER = 3    # both intervals cover
PAIR_WIDTH = 4    # sum of width_a width_b
N_PAIR = 5

#: Columns of a kept replication (``keep_estimates``).
KEEP_EST = 0
KEEP_SE = 1
KEEP_LOWER = 2
KEEP_UPPER = 3
N_KEEP = 4

#: Relative tolerance of a zero-width interval's coverage (see the module docstring).
ZERO_WIDTH_RTOL = 2.0**-20


def new_accumulator(n_rows: int) -> np.ndarray:
    """An empty accumulator with ``n_rows`` method rows (and their pair sums)."""
    acc = np.zeros((n_rows, N_STATS + N_PAIR * n_rows))
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

    ``tq`` is the table of t quantiles of the interval's level (see
    :func:`t_quantile`); ``df`` below 1 or a non-finite estimate or SE is a
    failed replication. ``kept[row]`` holds
    the first ``kept.shape[1]`` replications of the chunk, or has no rows.
    (Rows are indexed here rather than passed as views: ~35% faster.)
    """
    ok = np.isfinite(estimate) and np.isfinite(se) and df >= 1.0
    if not ok:
        _add_failure(acc, row, kept, rep, estimate, se)
        return False, np.nan, np.nan
    half = t_quantile(tq, df) * se
    _add_interval(acc, row, kept, rep, estimate, se, estimate - half, estimate + half, truth,
                  size)
    return True, estimate - half, estimate + half


@kernel
def t_quantile(tq, df):  # pragma: no cover
    """The interval's t quantile for ``df`` degrees of freedom from the table ``tq``.

    ``tq[d]`` holds the quantile for integer d; its last entry is the normal
    quantile, used for every df beyond the table. A fractional df (Satterthwaite)
    interpolates linearly in 1/df between its two integer neighbours, where the
    t quantile is nearly linear (error below 1e-4 for df >= 2).
    """
    last = tq.size - 1
    if df >= last:
        return tq[last]
    low = np.floor(df)
    lower = tq[np.int64(low)]
    if df == low:
        return lower
    upper = tq[np.int64(low) + 1]
    w = (1.0 / low - 1.0 / df) / (1.0 / low - 1.0 / (low + 1.0))
    return lower + w * (upper - lower)


@kernel
def record_bounds(acc, row, kept, rep, estimate, se, lower, upper, truth,
                  size):  # pragma: no cover
    """Add one replication whose method gives its interval's bounds (bootstrap-type)."""
    if not (np.isfinite(estimate) and np.isfinite(lower) and np.isfinite(upper)):
        _add_failure(acc, row, kept, rep, estimate, se)
        return False, np.nan, np.nan
    _add_interval(acc, row, kept, rep, estimate, se, lower, upper, truth, size)
    return True, lower, upper


@kernel
def _rounding_cover(lower, upper, truth):  # pragma: no cover
    """Whether [lower, upper] has zero width up to rounding and the truth is at it."""
    tol = ZERO_WIDTH_RTOL * max(abs(lower), abs(upper), abs(truth))
    return upper - lower <= tol and lower - tol <= truth <= upper + tol


@kernel
def covers(lower, upper, truth):  # pragma: no cover
    """Whether the interval [lower, upper] covers ``truth`` (zero widths: up to rounding).

    Assumes validated inputs (finite bounds); a NaN truth is never covered.
    """
    return (lower <= truth <= upper) or _rounding_cover(lower, upper, truth)


def covers_array(lower: np.ndarray, upper: np.ndarray, truth: float) -> np.ndarray:
    """:func:`covers` on arrays of kept bounds (NaN bounds: not covered)."""
    with np.errstate(invalid="ignore"):
        tol = ZERO_WIDTH_RTOL * np.maximum(np.maximum(np.abs(lower), np.abs(upper)), abs(truth))
        near = (upper - lower <= tol) & (lower - tol <= truth) & (truth <= upper + tol)
        return ((lower <= truth) & (truth <= upper)) | near


@kernel
def _add_failure(acc, row, kept, rep, estimate, se):  # pragma: no cover
    acc[row, N_FAIL] += 1.0
    if acc[row, FIRST_FAIL] < 0.0:
        acc[row, FIRST_FAIL] = rep
    if rep < kept.shape[1]:
        kept[row, rep, KEEP_EST] = estimate
        kept[row, rep, KEEP_SE] = se
        kept[row, rep, KEEP_LOWER] = np.nan
        kept[row, rep, KEEP_UPPER] = np.nan


@kernel
def _add_interval(acc, row, kept, rep, estimate, se, lower, upper, truth,
                  size):  # pragma: no cover
    """Count one successful replication with its interval [lower, upper]."""
    _add_deviation(acc, row, estimate - truth, size)
    if upper < truth and not _rounding_cover(lower, upper, truth):
        acc[row, MISS_LOW] += 1.0
    elif lower > truth and not _rounding_cover(lower, upper, truth):
        acc[row, MISS_HIGH] += 1.0
    else:
        acc[row, COVER] += 1.0
    acc[row, SUM_WIDTH] += upper - lower
    acc[row, SUM_WIDTH2] += (upper - lower) * (upper - lower)
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
    ok = np.isfinite(estimate)
    if not ok:
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
    return ok, np.nan, np.nan


#: How a method row is recorded (the generated loop calls record, record_bounds or record_point).
POINT = 0         # estimate only
T_INTERVAL = 1    # estimate +- t(df) SE
BOUNDS = 2        # the method writes its interval's bounds (columns LOWER, UPPER of out)

#: Columns of a method's output row: estimate, SE, df, optional bounds, and a flag
#: (1.0: the fit was singular; counted in SUM_FLAG, the summary's ``singular_rate``).
OUT_EST = 0
OUT_SE = 1
OUT_DF = 2
OUT_LOWER = 3
OUT_UPPER = 4
OUT_FLAG = 5
N_OUT = 6


@kernel
def add_pair(acc, a, b, da, db, lower_a, upper_a, lower_b, upper_b, truth_a,
             truth_b):  # pragma: no cover
    """Sums over methods a < b in a replication in which both succeeded (row a's pair columns)."""
    base = N_STATS + N_PAIR * b
    cover_a = 1.0 if covers(lower_a, upper_a, truth_a) else 0.0
    cover_b = 1.0 if covers(lower_b, upper_b, truth_b) else 0.0
    acc[a, base + PAIR_N] += 1.0
    acc[a, base + PAIR_D] += da * db
    acc[a, base + PAIR_D2] += da * da * db * db
    acc[a, base + PAIR_COVER] += cover_a * cover_b
    acc[a, base + PAIR_WIDTH] += (upper_a - lower_a) * (upper_b - lower_b)
