"""Compiled resampling helpers shared by the one-sample API and the in-loop methods.

The one-sample functions (:meth:`ClusterOLSResults.wild_bootstrap`,
:func:`simsample.analysis.replicate.replicate_design` with ``kind="bootstrap"``)
and the in-loop kernels of :mod:`simsample.analysis._cluster_kernels` draw
their random numbers here, in the same order from the same xoshiro256**
state, so that one sample analysed both ways gives the same answer.

Wild cluster bootstrap (restricted, "WCR"; Cameron, Gelbach and Miller 2008)
of H0: beta_k = b. For bootstrap draw ``r`` and cluster ``j`` with weight
v_rj the bootstrap statistic's numerator and its cluster scores are affine in
b (see :mod:`simsample.analysis.wild_bootstrap`), so each draw is summarised by
five numbers: ``num = n0 - b n1`` and the CR0 variance ``A - 2 b Bq + b^2 C``, and a
sixth, 1 for a draw whose weights are all equal (then t*_r = +-t exactly, a tie
for every b, counted as such rather than left to rounding).
The p-value of b is the share of draws with |t*_r(b)| >= |t(b)|, t(b) =
(beta_hat - b) / se; ties (equal up to a relative 1e-9, as when all v_rj = 1)
count as ">=". The interval is {b : p(b) >= 1 - level}, found by bisection
outward from beta_hat on each side (test inversion) to 1e-7 SE.
"""

import numpy as np

from .._jit import kernel
from .rng import next_u64, uniform_int

#: Webb's six-point weights (Webb 2014), each with probability 1/6.
WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
#: Relative tolerance under which |t*| and |t| count as tied (a tie counts as ">=").
TIE_RTOL = 1e-9
#: Bisection stops when the bracket is narrower than this times the SE ...
BRACKET_RTOL = 1e-7
#: ... or after this many steps. At most DOUBLINGS outward doublings of the SE find
#: the bracket; beyond 2**30 SE from the estimate the end is reported as infinite.
BISECTIONS = 200
DOUBLINGS = 30


@kernel
def draw_wild_weights(state, n_draws, n_clusters, webb, out):  # pragma: no cover
    """Fill ``out[r, j]`` (r < n_draws, j < n_clusters) with wild-bootstrap weights.

    Rademacher (+-1, the top bit of one 64-bit output each) or, with ``webb``,
    Webb's six points (one bounded integer each). Draw by draw, cluster by
    cluster. Assumes validated inputs.
    """
    for r in range(n_draws):
        for j in range(n_clusters):
            if webb:
                out[r, j] = WEBB[uniform_int(state, 6)]
            else:
                out[r, j] = 1.0 if (next_u64(state) >> np.uint64(63)) == 1 else -1.0


@kernel
def wild_count(b, beta, se, stats, n_draws):  # pragma: no cover
    """Number of draws with |t*_r(b)| >= |t(b)|; ``stats[r]`` = (n0, n1, A, Bq, C, tie).

    Assumes validated inputs.
    """
    t = (beta - b) / se
    t2 = t * t
    count = 0
    for r in range(n_draws):
        num = stats[r, 0] - b * stats[r, 1]
        var = stats[r, 2] - 2.0 * b * stats[r, 3] + b * b * stats[r, 4]
        count += np.int64(stats[r, 5] != 0.0 or num * num >= t2 * var * (1.0 - TIE_RTOL))
    return count


@kernel
def _edge(beta, se, stats, n_draws, need, direction):  # pragma: no cover
    """The end of the interval on one side (direction +1 or -1); inf if never rejected."""
    step = se
    inside = beta
    outside = beta + direction * step
    found = False
    for _ in range(DOUBLINGS):
        if wild_count(outside, beta, se, stats, n_draws) < need:
            found = True
            break
        inside = outside
        step *= 2.0
        outside = beta + direction * step
    if not found:
        return direction * np.inf
    for _ in range(BISECTIONS):
        middle = 0.5 * (inside + outside)
        if abs(outside - inside) <= BRACKET_RTOL * se or middle == inside or middle == outside:
            break
        if wild_count(middle, beta, se, stats, n_draws) < need:
            outside = middle
        else:
            inside = middle
    return 0.5 * (inside + outside)


@kernel
def wild_interval(beta, se, stats, n_draws, level, out):  # pragma: no cover
    """Test-inversion interval: ``out[0]``, ``out[1]`` the lower and upper ends.

    b is inside when its p-value count/n_draws >= 1 - level. A bad ``se``
    (zero, NaN) gives NaN ends. Assumes validated inputs.
    """
    if not (se > 0.0) or not np.isfinite(beta):
        out[0] = np.nan
        out[1] = np.nan
        return
    # p(b) >= 1 - level  <=>  count >= (1 - level) n_draws (up to rounding of the product)
    need = np.ceil((1.0 - level) * n_draws - 1e-9)
    out[0] = _edge(beta, se, stats, n_draws, need, -1.0)
    out[1] = _edge(beta, se, stats, n_draws, need, 1.0)


@kernel
def bootstrap_counts(state, n_psu, pop_size, n_reps, perm, out):  # pragma: no cover
    """Resampling counts of one stratum for R survey's ``type="bootstrap"`` (``bootweights``).

    Without a population size (``pop_size <= 0``): ``n_psu`` draws with
    replacement from the stratum's PSUs; with one: ``n_psu`` draws without
    replacement from a pseudo-population of ``pop_size`` units that repeats a
    random permutation of the PSUs (R's ``rep(upsu, length = popsize)``).
    ``out[p, r]`` is the count of PSU ``p`` in replicate ``r``; ``perm`` is
    int64 scratch of length >= 2 n_psu. Assumes validated inputs.
    """
    for p in range(n_psu):
        perm[p] = p
    for p in range(n_psu - 1, 0, -1):  # Fisher-Yates
        q = uniform_int(state, p + 1)
        tmp = perm[p]
        perm[p] = perm[q]
        perm[q] = tmp
    for r in range(n_reps):
        for p in range(n_psu):
            out[p, r] = 0.0
        if pop_size <= 0:
            for _ in range(n_psu):
                out[uniform_int(state, n_psu), r] += 1.0
        else:
            # Floyd's algorithm: n_psu distinct positions of 0..pop_size-1; position i
            # holds PSU perm[i % n_psu]. Chosen positions are kept in perm[n_psu:].
            chosen = 0
            for top in range(pop_size - n_psu, pop_size):
                pick = uniform_int(state, top + 1)
                for c in range(chosen):
                    if perm[n_psu + c] == pick:
                        pick = top
                        break
                perm[n_psu + chosen] = pick
                chosen += 1
                out[perm[pick % n_psu], r] += 1.0
