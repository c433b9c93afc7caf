"""Simple random sampling of units, without and with replacement: draw and estimate.

Every design's kernel module offers the same three compiled functions, which
the engine's generated replication loop calls (see
:mod:`simsample.engine.loops`):

* ``prepare_*(params)``: the scratch arrays of one chunk, a tuple whose first
  four entries are the shared sample form ``(idx, start, size, groups)``;
* ``draw_*(state, *params, *scr)``: one sample into the scratch; returns
  ``(n, k)``, the number of units and of primary sampling units (PSUs);
* ``mean_*(ys, n, k, *params, *scr, out)``: the built-in estimators of the mean
  (rows ``NAIVE_T`` and ``CLUSTER_T`` of ``out``).

The loop unpacks the parameter and scratch tuples once per chunk and passes
their entries one by one: handing a tuple of arrays to a function at every
replication costs about a third of the loop's time at S1 (measured).

Units are the PSUs of an element sample: ``start`` is 0..n and every
``size`` is 1, so a method written for cluster samples sees an SRS as a
sample of n clusters of one unit from N. ``params = (N, n)``.
"""

import numpy as np

from .._jit import inline_kernel, kernel
from .._kernels.moments import CLUSTER_T, DF, EST, NAIVE_T, SE, mean_and_ss
from .._kernels.rng import uniform_int
from .._kernels.select import floyd_sample


@kernel
def prepare_srs(params):  # pragma: no cover
    """Scratch of an SRS of ``n`` from ``N``: the form and Floyd's bitmask."""
    n_frame, n = params
    return (np.empty(n, np.int64), np.arange(n + 1), np.ones(n), np.full(n, -1),
            np.zeros(n_frame, np.bool_))


@inline_kernel
def draw_srs(state, n_frame, n, idx, start, size, groups, mark):  # pragma: no cover
    """``n`` distinct units of ``N`` (Floyd's algorithm). Assumes validated inputs."""
    floyd_sample(state, n_frame, n, mark, idx)
    return n, n


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


@inline_kernel
def mean_srs(ys, n, k, n_frame, n_, idx, start, size, groups, mark, out):  # pragma: no cover
    """Built-in estimators of the mean of an SRS without replacement."""
    srs_mean(ys, n, n_frame, out)


@kernel
def prepare_srs_replace(params):  # pragma: no cover
    """Scratch of ``n`` draws with replacement: the form only."""
    n = params[1]
    return (np.empty(n, np.int64), np.arange(n + 1), np.ones(n), np.full(n, -1))


@kernel
def draw_srs_replace(state, n_frame, n, out):  # pragma: no cover
    """``n`` independent uniform draws from ``[0, n_frame)`` (repeats allowed)."""
    for i in range(n):
        out[i] = uniform_int(state, n_frame)


@inline_kernel
def draw_srs_replace_form(state, n_frame, n, idx, start, size, groups):  # pragma: no cover
    """``n`` draws with replacement into the form (a unit drawn twice counts twice)."""
    draw_srs_replace(state, n_frame, n, idx)
    return n, n


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


@inline_kernel
def mean_srs_replace(ys, n, k, n_frame, n_, idx, start, size, groups, out):  # pragma: no cover
    """Built-in estimators of the mean of draws with replacement."""
    srs_replace_mean(ys, n, out)
