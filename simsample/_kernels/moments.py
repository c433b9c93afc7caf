"""Shared pieces of every per-sample estimator: the layout of ``out`` and sums of squares.

Every estimator kernel writes rows of ``out``: the estimate, its standard
error and the degrees of freedom of its t interval (columns ``EST``, ``SE``,
``DF``). The built-in estimators of the mean write two rows, ``NAIVE_T`` and
``CLUSTER_T`` (the design-based interval); the method registry
(:mod:`simsample.estimands`) maps method names to rows.
"""


from .._jit import kernel

#: Rows of ``out`` written by the built-in mean estimators of every design.
NAIVE_T = 0
CLUSTER_T = 1
N_MEAN_METHODS = 2
#: Further rows written by the mean kernel of unequal-probability designs (``PPS(method=...)``):
#: Horvitz-Thompson, Sen-Yates-Grundy, Hartley-Rao and Brewer variance estimators.
HT_T = 2
SYG_T = 3
HR_T = 4
BREWER_T = 5
N_UPE_METHODS = 6

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
