"""Unequal-probability sampling of groups without replacement: draw and estimate.

One drawing kernel serves every method of :class:`simsample.PPS` with a
``method``, so they share one compiled replication loop; ``code`` picks the
scheme (``METHOD_CODES``). The tables are precomputed in Python
(:mod:`simsample.designs.unequal_probability`). Per replication:

===================  ====================================================  ==========
code / method        algorithm                                              cost
===================  ====================================================  ==========
0 systematic         random order (Fisher-Yates), uniform start, walk the  O(G)
                     cumulated pi
1 brewer             n draws, each over the units not yet drawn with       O(k G)
                     Brewer's probabilities
2 sampford           first draw from pi/n, the rest with replacement       O(k log G)
                     from lambda/sum(lambda); restart on a repeat          per try
3 conditional        walk the units once, unit i drawn with                O(G)
  poisson            table[i, r], r the number still to draw
4 tille              G - k eliminations, each over the remaining units     O(G (G-k))
5 midzuno            one unit from q (binary search), then SRS of k - 1    O(k log G)
===================  ====================================================  ==========

Then m units by SRS in each drawn group (``m = 0``: every unit, a one-stage
cluster sample). ``params = (offsets, k, m, max_size, code, pi, table, joint,
p2bar)``: ``table`` the method's drawing table, ``joint`` the G x G pi_kl
(0 x 0 when they are not known exactly), p2bar = sum pi^2 / k.

The mean kernel writes the rows ``NAIVE_T``, ``CLUSTER_T`` (with-replacement
variance), ``HT_T``, ``SYG_T`` (exact, from ``joint``), ``HR_T`` and
``BREWER_T`` (approximations); see :class:`simsample.PPS`.
"""

import numpy as np

from .._jit import inline_kernel, kernel
from .._kernels.moments import (BREWER_T, CLUSTER_T, DF, EST, HR_T, HT_T, N_UPE_METHODS, NAIVE_T,
                                SE, SYG_T, mean_and_ss)
from .._kernels.rng import uniform01, uniform_int
from .._kernels.select import floyd_sample, units_of_groups

#: Drawing scheme codes (``params[4]``).
METHOD_CODES = {"systematic": 0, "brewer": 1, "sampford": 2, "conditional_poisson": 3,
                "tille": 4, "midzuno": 5}


@kernel
def _search(cum, u):  # pragma: no cover
    """The first i with u < cum[i] (cum increasing, u < cum[-1]). Assumes validated inputs."""
    lo, hi = 0, cum.size - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if u < cum[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@kernel
def draw_groups(state, code, k, pi, table, order, chosen, work, out_group):  # pragma: no cover
    """Draw ``k`` distinct groups by scheme ``code`` into ``out_group``.

    ``order`` is a scratch permutation of 0..G-1, ``chosen`` a boolean scratch
    (all False on entry and exit), ``work`` a float scratch of length G.
    Assumes validated inputs (tables from :mod:`.unequal_probability`).
    """
    G = pi.size
    if code == 0:  # randomised systematic
        for i in range(G - 1, 0, -1):
            j = uniform_int(state, i + 1)
            tmp = order[i]
            order[i] = order[j]
            order[j] = tmp
        point = uniform01(state)
        reach = 0.0
        a = 0
        for i in range(G):
            if a == k:
                break
            g = order[i]
            reach += pi[g]
            if point < reach:
                out_group[a] = g
                a += 1
                point += 1.0
        if a < k:  # rounding of the last stretch: the last group in order
            out_group[a] = order[G - 1]
    elif code == 1:  # Brewer
        drawn = 0.0
        for a in range(k):
            total = 0.0
            for g in range(G):
                w = 0.0
                if not chosen[g]:
                    w = pi[g] * (k - drawn - pi[g]) / (k - drawn - pi[g] * (k - a))
                total += w
                work[g] = total
            u = uniform01(state) * total
            g = _search(work, u)
            while chosen[g]:  # never lands on a zero-width stretch but for rounding
                g -= 1
            chosen[g] = True
            out_group[a] = g
            drawn += pi[g]
        for a in range(k):
            chosen[out_group[a]] = False
    elif code == 2:  # Sampford, rejective
        while True:
            g = _search(table[0], uniform01(state) * table[0, G - 1])
            chosen[g] = True
            out_group[0] = g
            ok = True
            for a in range(1, k):
                g = _search(table[1], uniform01(state) * table[1, G - 1])
                if chosen[g]:
                    ok = False
                    for b in range(a):
                        chosen[out_group[b]] = False
                    break
                chosen[g] = True
                out_group[a] = g
            if ok:
                for a in range(k):
                    chosen[out_group[a]] = False
                break
    elif code == 3:  # conditional Poisson, sequential
        left = k
        a = 0
        for g in range(G):
            if left == 0:
                break
            if uniform01(state) < table[g, left]:
                out_group[a] = g
                a += 1
                left -= 1
    elif code == 4:  # Tille's elimination
        for step in range(G - k):
            total = 0.0
            for g in range(G):
                if not chosen[g]:
                    total += table[step, g]
                work[g] = total
            u = uniform01(state) * total
            g = _search(work, u)
            while chosen[g]:
                g -= 1
            chosen[g] = True
        a = 0
        for g in range(G):
            if chosen[g]:
                chosen[g] = False
            else:
                out_group[a] = g
                a += 1
    else:  # Midzuno
        first = _search(table[0], uniform01(state) * table[0, G - 1])
        out_group[0] = first
        floyd_sample(state, G - 1, k - 1, chosen, order[:k - 1])
        for a in range(1, k):
            g = order[a - 1]
            out_group[a] = g + 1 if g >= first else g
        for i in range(k - 1):
            order[i] = i


@kernel
def prepare_upe(params):  # pragma: no cover
    """Scratch of an unequal-probability sample: the form, drawing and estimating scratch."""
    offsets, k, m, max_size, code, pi, table, joint, p2bar, want_hr = params
    max_n = k * m if m > 0 else k * max_size
    G = offsets.size - 1
    return (np.empty(max_n, np.int64), np.empty(k + 1, np.int64), np.empty(k, np.float64),
            np.empty(k, np.int64), np.arange(G), np.zeros(max(max_size, G), np.bool_),
            np.zeros(G), np.empty(k), np.empty(k), np.empty(k), np.zeros(N_UPE_METHODS))


@inline_kernel
def draw_upe_form(state, offsets, k, m, max_size, code, pi, table, joint, p2bar, want_hr,
                  idx, start,
                  size, groups, order, mark, work, check, second, psu_mean,
                  variance):  # pragma: no cover
    """One sample into the form: ``k`` groups by scheme ``code``, then m units in each."""
    draw_groups(state, code, k, pi, table, order, mark, work, groups)
    return units_of_groups(state, offsets, groups, k, m, mark, start, size, idx), k


@kernel
def upe_mean(ys, k, n_units, pi, joint, p2bar, want_hr, start, size, groups, check, second,
             psu_mean, variance, out):  # pragma: no cover
    """HT mean of an unequal-probability sample of groups and its variance estimators.

    check[a] = M_a ybar_a / pi_a, second[a] = M_a^2 (1 - m_a/M_a) s_a^2 / m_a / pi_a
    (the second-stage term; 0 with m_a = 1 or m_a = M_a). Writes every row of
    :mod:`._upe_kernels`; ``HT_T``/``SYG_T`` are NaN when ``joint`` is empty and
    ``HR_T`` when ``want_hr`` is False (the O(k^2) sums a run did not ask for).
    ``variance[row]`` keeps each row's variance estimate of the mean before the
    square root (signed: an HT or SYG estimate can be negative, its SE is then
    NaN), for exact enumeration.
    """
    n = start[k]
    total = 0.0
    v2 = 0.0
    ss_within = 0.0
    for a in range(k):
        m_a = start[a + 1] - start[a]
        mean, ss = mean_and_ss(ys, start[a], start[a + 1])
        psu_mean[a] = mean
        ss_within += ss
        p = pi[groups[a]]
        check[a] = size[a] * mean / p
        total += check[a]
        second[a] = 0.0
        if m_a > 1 and m_a < size[a]:
            second[a] = size[a] * size[a] * (1.0 - m_a / size[a]) * ss / (m_a - 1.0) / m_a / p
        v2 += second[a]
    tbar = total / k
    wr = 0.0
    brewer = 0.0
    hr = 0.0
    for a in range(k):
        d = check[a] - tbar
        wr += d * d
        brewer += (1.0 - pi[groups[a]]) * d * d
        if not want_hr:
            continue
        for b in range(a + 1, k):
            e = check[a] - check[b]
            hr += (1.0 - pi[groups[a]] - pi[groups[b]] + p2bar) * e * e
    scale = 1.0 / (n_units * n_units)
    estimate = total / n_units
    # naive: the unweighted sample mean, iid
    ybar = 0.0
    for i in range(n):
        ybar += ys[i]
    ybar /= n
    ss_units = 0.0
    for i in range(n):
        ss_units += (ys[i] - ybar) * (ys[i] - ybar)
    out[NAIVE_T, EST] = ybar
    out[NAIVE_T, SE] = np.sqrt(ss_units / (n - 1) / n)
    out[NAIVE_T, DF] = n - 1
    for row in (CLUSTER_T, HT_T, SYG_T, HR_T, BREWER_T):
        out[row, EST] = estimate
        out[row, DF] = k - 1
    variance[NAIVE_T] = ss_units / (n - 1) / n
    variance[CLUSTER_T] = wr * k / (k - 1.0) * scale
    variance[BREWER_T] = brewer * k / (k - 1.0) * scale + v2 * scale
    variance[HR_T] = hr / (k - 1.0) * scale + v2 * scale if want_hr else np.nan
    variance[HT_T] = np.nan
    variance[SYG_T] = np.nan
    if joint.shape[0] > 0:
        _exact_variances(k, pi, joint, groups, check, v2 * scale, scale, variance)
    for row in range(N_UPE_METHODS):
        out[row, SE] = np.sqrt(variance[row]) if variance[row] >= 0 else np.nan


@kernel
def _exact_variances(k, pi, joint, groups, check, within, scale, variance):  # pragma: no cover
    """HT and SYG variance estimates of the mean from pi_kl. Assumes validated inputs."""
    ht = 0.0
    syg = 0.0
    for a in range(k):
        g = groups[a]
        ht += (1.0 - pi[g]) * check[a] * check[a]
        for b in range(a + 1, k):
            h = groups[b]
            delta = (joint[g, h] - pi[g] * pi[h]) / joint[g, h]
            ht += 2.0 * delta * check[a] * check[b]
            e = check[a] - check[b]
            syg -= delta * e * e
    variance[HT_T] = ht * scale + within
    variance[SYG_T] = syg * scale + within


@inline_kernel
def mean_upe(ys, n, k, offsets, k_, m, max_size, code, pi, table, joint, p2bar, want_hr, idx,
             start, size, groups, order, mark, work, check, second, psu_mean, variance,
             out):  # pragma: no cover
    """Built-in estimators of the mean of an unequal-probability sample."""
    upe_mean(ys, k, offsets[offsets.size - 1], pi, joint, p2bar, want_hr, start, size, groups,
             check, second, psu_mean, variance, out)
