"""Unequal-probability sampling without replacement: first- and second-order inclusion
probabilities by the published algorithms (pure numpy, no simulation).

Every function takes the first-order inclusion probabilities ``pi`` (summing to
the sample size n, each in (0, 1]) or a size measure, and returns exact values:

==================  ==========================================  =====================
method              joint inclusion probabilities pi_kl          reference
==================  ==========================================  =====================
systematic (fixed)  exact, from the breakpoints of the ordered   Madow (1949);
                    cumulated pi (R's ``UPsystematicpi2``)       Tille (2006) 7.2
systematic (random  no closed form: exact by averaging over all  Hartley and Rao
order)              G! orders for G <= 8, else the Hartley-Rao   (1962)
                    (1962) approximation to order n^-3
brewer              exact, summing Brewer's draw-by-draw tree    Brewer (1975);
                    over the subsets it passes (small frames)    Tille (2006) 6.2.9
sampford            exact: Sampford's design p(s) ~ sum_s (1 -   Sampford (1967)
                    pi_i) prod_s lambda_i summed by elementary
                    symmetric polynomials (``UPsampfordpi2``)
conditional_poisson exact: lambda_k lambda_l e_{n-2}(U - {k, l})  Chen, Dempster and
                    / e_n(U) with the working probabilities       Liu (1994); Aires
                    solved by fixed point (``UPmaxentropypi2``)   (1999)
tille               exact: prod over elimination steps of         Tille (1996)
                    1 - r_k - r_l (``UPtillepi2``)
midzuno             closed form                                   Midzuno (1952)
==================  ==========================================  =====================

References
----------
Aires, N. (1999). Algorithms to find exact inclusion probabilities for conditional
Poisson sampling and Pareto pips sampling designs. Methodology and Computing in
Applied Probability 1, 457-469.
Brewer, K. R. W. (1975). A simple procedure for sampling pi-ps wor. Australian
Journal of Statistics 17, 166-172.
Chen, S. X., Dempster, A. P. and Liu, J. S. (1994). Weighted finite population
sampling to maximize entropy. Biometrika 81, 457-469.
Hartley, H. O. and Rao, J. N. K. (1962). Sampling with unequal probabilities and
without replacement. Annals of Mathematical Statistics 33, 350-374.
Midzuno, H. (1952). On the sampling system with probability proportionate to sum of
sizes. Annals of the Institute of Statistical Mathematics 3, 99-107.
Sampford, M. R. (1967). On sampling without replacement with unequal probabilities
of selection. Biometrika 54, 499-513.
Tille, Y. (1996). An elimination procedure for unequal probability sampling without
replacement. Biometrika 83, 238-241.
Tille, Y. (2006). Sampling Algorithms. Springer.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

#: Largest frame whose randomised systematic pi_kl are averaged over every order.
MAX_EXACT_SYSTEMATIC = 8
#: Largest number of subsets Brewer's exact pi_kl may visit.
MAX_BREWER_STATES = 200_000


def proportional(size, n: int) -> np.ndarray:
    """pi_k = n x_k / sum x, capped at 1 iteratively (R sampling's ``inclusionprobabilities``).

    Parameters
    ----------
    size : array of float
        Positive size measure x_k of every unit.
    n : int
        Sample size.

    Returns
    -------
    numpy.ndarray
        Inclusion probabilities summing to n; units with n x_k / sum x >= 1
        (after capping the others' share) get exactly 1.

    Examples
    --------
    >>> proportional([1.0, 1.0, 2.0, 8.0], 2).round(4).tolist()
    [0.25, 0.25, 0.5, 1.0]
    """
    x = np.asarray(size, dtype=np.float64)
    pi = n * x / x.sum()
    certain = np.zeros(x.size, dtype=bool)
    while np.any(pi[~certain] >= 1.0):
        certain |= pi >= 1.0
        rest = n - certain.sum()
        pi = np.where(certain, 1.0, rest * x / x[~certain].sum())
    return pi


def systematic_joint(pi) -> np.ndarray:
    """Exact pi_kl of systematic sampling in the given (fixed) order (R's ``UPsystematicpi2``).

    A uniform u in [0, 1) selects unit k when some u + j (j integer) falls in
    [V_{k-1}, V_k), V the cumulated pi. The fractional parts of the V split
    [0, 1) into stretches on which the selected set is constant; pi_kl is the
    total length of the stretches selecting both.

    Examples
    --------
    >>> systematic_joint([0.5, 0.5, 0.5, 0.5]).round(3)[0].tolist()
    [0.5, 0.0, 0.5, 0.0]
    """
    pi = np.asarray(pi, dtype=np.float64)
    cum = np.concatenate([[0.0], np.cumsum(pi)])
    cuts = np.unique(np.concatenate([[0.0, 1.0], np.mod(cum, 1.0)]))
    cuts = cuts[(cuts >= 0.0) & (cuts <= 1.0)]
    joint = np.zeros((pi.size, pi.size))
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        if hi - lo <= 1e-15:
            continue
        u = 0.5 * (lo + hi)
        hits = np.floor(cum[1:] - u) - np.floor(cum[:-1] - u) > 0  # some u + j in [V_{k-1}, V_k)
        chosen = hits.astype(np.float64)
        joint += (hi - lo) * np.outer(chosen, chosen)
    return joint


def randomised_systematic_joint(pi) -> np.ndarray:
    """Exact pi_kl of systematic sampling after a uniformly random order (G <= 8).

    The average of :func:`systematic_joint` over all G! orders. Larger frames
    have no closed form: use :func:`hartley_rao_joint`.
    """
    pi = np.asarray(pi, dtype=np.float64)
    if pi.size > MAX_EXACT_SYSTEMATIC:
        raise ValueError(f"exact randomised systematic pi_kl need G <= {MAX_EXACT_SYSTEMATIC}; "
                         f"got G={pi.size} (use hartley_rao_joint).")
    joint = np.zeros((pi.size, pi.size))
    orders = list(itertools.permutations(range(pi.size)))
    for order in orders:
        order = np.array(order)
        joint[np.ix_(order, order)] += systematic_joint(pi[order])
    return joint / len(orders)


def hartley_rao_joint(pi) -> np.ndarray:
    """Hartley and Rao's (1962, eq. 5.15) approximation of randomised systematic pi_kl.

    Correct to order n^-3 in the p = pi / n; the diagonal holds pi.
    """
    pi = np.asarray(pi, dtype=np.float64)
    n = pi.sum()
    p = pi / n
    s2, s3 = np.sum(p * p), np.sum(p ** 3)
    pk, pl = p[:, None], p[None, :]
    joint = n * (n - 1.0) * pk * pl * (
        1.0 + (pk + pl) - s2 + 2.0 * (pk * pk + pl * pl + pk * pl) - 3.0 * (pk + pl) * s2
        + 3.0 * s2 * s2 - 2.0 * s3)
    np.fill_diagonal(joint, pi)
    return joint


def midzuno_joint(pi) -> np.ndarray:
    """Exact pi_kl of Midzuno's scheme: one unit with probability q_k, then SRS of n - 1.

    q_k = (pi_k (G - 1) - (n - 1)) / (G - n) must be >= 0 (see :func:`midzuno_first`);
    pi_kl = (q_k + q_l)(n - 1)/(G - 1) + (1 - q_k - q_l)(n - 1)(n - 2)/((G - 1)(G - 2)).
    """
    pi = np.asarray(pi, dtype=np.float64)
    G, n = pi.size, round(pi.sum())
    q = midzuno_first(pi)
    qq = q[:, None] + q[None, :]
    rest = (n - 1.0) * (n - 2.0) / ((G - 1.0) * (G - 2.0)) if G > 2 else 0.0
    joint = qq * (n - 1.0) / (G - 1.0) + (1.0 - qq) * rest
    np.fill_diagonal(joint, pi)
    return joint


def midzuno_first(pi) -> np.ndarray:
    """Midzuno's first-draw probabilities q_k = (pi_k (G - 1) - (n - 1)) / (G - n)."""
    pi = np.asarray(pi, dtype=np.float64)
    G, n = pi.size, round(pi.sum())
    return (pi * (G - 1.0) - (n - 1.0)) / (G - n)


def tille_steps(size, n: int) -> np.ndarray:
    """Elimination probabilities r[i, k] of Tille's (1996) procedure, one row per step.

    Step i goes from sample size G - i to G - i - 1 and eliminates unit k with
    probability r_k = 1 - pi_k(G - i - 1) / pi_k(G - i), pi(m) the capped
    proportional probabilities of size m (:func:`proportional`).
    """
    x = np.asarray(size, dtype=np.float64)
    G = x.size
    previous = np.ones(G)
    rows = []
    for m in range(G - 1, n - 1, -1):
        current = proportional(x, m)
        rows.append(1.0 - current / previous)
        previous = current
    return np.array(rows).reshape(G - n, G)


def tille_joint(size, n: int) -> np.ndarray:
    """Exact pi_kl of Tille's elimination procedure: prod_steps (1 - r_k - r_l).

    Both survive a step unless one of them is the unit eliminated (R's ``UPtillepi2``).
    """
    steps = tille_steps(size, n)
    joint = np.ones((steps.shape[1], steps.shape[1]))
    for r in steps:
        joint *= 1.0 - r[:, None] - r[None, :]
    np.fill_diagonal(joint, proportional(size, n))
    return joint


def brewer_probabilities(pi, chosen: np.ndarray) -> np.ndarray:
    """Brewer's next-draw probabilities given the units ``chosen`` so far (a boolean mask).

    At draw j = chosen.sum() + 1: p_k ~ pi_k (n - a - pi_k) / (n - a - pi_k (n - j + 1))
    over the units not chosen, a = the sum of pi over the chosen ones (Tille 2006, 6.2.9).
    """
    n = pi.sum()
    j = chosen.sum() + 1
    a = pi[chosen].sum()
    p = np.where(chosen, 0.0, pi * (n - a - pi) / (n - a - pi * (n - j + 1)))
    return p / p.sum()


def brewer_joint(pi) -> np.ndarray:
    """Exact pi_kl of Brewer's method, summing its draw tree over the subsets it passes.

    The next draw depends only on the set drawn so far, so the probabilities of
    the sets of size 1..n-1 are carried forward; the last draw adds each final
    pair. Costs the number of subsets of size < n (refused beyond
    :data:`MAX_BREWER_STATES`).
    """
    pi = np.asarray(pi, dtype=np.float64)
    G, n = pi.size, round(pi.sum())
    if math.comb(G, max(n - 1, 0)) > MAX_BREWER_STATES:
        raise ValueError(f"exact Brewer pi_kl visit C(G, n - 1) = C({G}, {n - 1}) subsets, "
                         f"more than {MAX_BREWER_STATES}; use the hr_t or brewer_t estimators.")
    states = {(): 1.0}
    for _ in range(n - 1):
        following: dict = {}
        for chosen, prob in states.items():
            mask = np.zeros(G, dtype=bool)
            mask[list(chosen)] = True
            p = brewer_probabilities(pi, mask)
            for k in np.flatnonzero(p > 0):
                key = tuple(sorted(chosen + (int(k),)))
                following[key] = following.get(key, 0.0) + prob * p[k]
        states = following
    joint = np.zeros((G, G))
    for chosen, prob in states.items():
        mask = np.zeros(G, dtype=bool)
        mask[list(chosen)] = True
        last = brewer_probabilities(pi, mask) * prob
        inside = mask.astype(np.float64)
        joint += prob * np.outer(inside, inside) + np.outer(inside, last) + np.outer(last, inside)
    np.fill_diagonal(joint, pi)
    return joint


def _polynomials(lam, w, degree):
    """Coefficients a_r (u^0) and b_r (u^1) of prod_i (1 + lam_i t (1 + w_i u)), r <= degree.

    a_r is the elementary symmetric polynomial e_r(lam); b_r the sum over
    r-subsets of prod lam times the sum of w over the subset.
    """
    a = np.zeros(degree + 1)
    b = np.zeros(degree + 1)
    a[0] = 1.0
    for li, wi in zip(lam, w):
        b[1:] = b[1:] + li * b[:-1] + li * wi * a[:-1]
        a[1:] = a[1:] + li * a[:-1]
    return a, b


def _leave_out(lam, w, degree):
    """``_polynomials`` without unit k (first axis) and without units k, l (pairs), stably.

    Prefix and suffix products, never division: returns (a1, b1) of shape
    (G, degree + 1) and (a2, b2) of shape (G, G, degree + 1).
    """
    G = lam.size
    a1 = np.zeros((G, degree + 1))
    b1 = np.zeros((G, degree + 1))
    a2 = np.zeros((G, G, degree + 1))
    b2 = np.zeros((G, G, degree + 1))
    for k in range(G):
        rest = np.delete(np.arange(G), k)
        a1[k], b1[k] = _polynomials(lam[rest], w[rest], degree)
        pre_a = np.zeros((rest.size + 1, degree + 1))
        pre_b = np.zeros_like(pre_a)
        pre_a[0, 0] = 1.0
        for i, j in enumerate(rest):
            pre_a[i + 1], pre_b[i + 1] = pre_a[i], pre_b[i]
            pre_b[i + 1, 1:] += lam[j] * pre_b[i, :-1] + lam[j] * w[j] * pre_a[i, :-1]
            pre_a[i + 1, 1:] += lam[j] * pre_a[i, :-1]
        suf_a = np.zeros_like(pre_a)
        suf_b = np.zeros_like(pre_a)
        suf_a[rest.size, 0] = 1.0
        for i in range(rest.size - 1, -1, -1):
            j = rest[i]
            suf_a[i], suf_b[i] = suf_a[i + 1], suf_b[i + 1]
            suf_b[i, 1:] += lam[j] * suf_b[i + 1, :-1] + lam[j] * w[j] * suf_a[i + 1, :-1]
            suf_a[i, 1:] += lam[j] * suf_a[i + 1, :-1]
        # leaving out rest[i] too: prefix up to i times suffix after i
        for r in range(degree + 1):
            a2[k, rest, r] = np.sum(pre_a[:-1, :r + 1] * suf_a[1:, r::-1], axis=1)
            b2[k, rest, r] = np.sum(pre_a[:-1, :r + 1] * suf_b[1:, r::-1]
                                    + pre_b[:-1, :r + 1] * suf_a[1:, r::-1], axis=1)
    return a1, b1, a2, b2


def sampford_joint(pi) -> np.ndarray:
    """Exact pi_kl of Sampford's (1967) design, p(s) ~ sum_{i in s}(1 - pi_i) prod_s lambda.

    lambda = pi / (1 - pi). With w = 1 - pi, the sums over samples holding k and
    l are lambda_k lambda_l [(w_k + w_l) e_{n-2} + f_{n-2}] over U - {k, l}
    (e the elementary symmetric polynomial of lambda, f its w-weighted
    companion), divided by f_n(U). Needs every pi < 1.

    Examples
    --------
    >>> pi = np.array([0.2, 0.4, 0.6, 0.8])
    >>> bool(np.allclose(sampford_joint(pi).sum(axis=1), 2 * pi))
    True
    """
    pi = np.asarray(pi, dtype=np.float64)
    n = round(pi.sum())
    lam = pi / (1.0 - pi)
    lam = lam / np.exp(np.mean(np.log(lam)))  # p(s) does not change under scaling
    w = 1.0 - pi
    _, total = _polynomials(lam, w, n)
    _, _, a2, b2 = _leave_out(lam, w, max(n - 2, 0))
    r = n - 2
    joint = (np.outer(lam, lam) * ((w[:, None] + w[None, :]) * a2[:, :, r] + b2[:, :, r])
             / total[n])
    np.fill_diagonal(joint, pi)
    return joint


def conditional_poisson_working(pi, tol: float = 1e-13, max_iter: int = 10_000):
    """Working probabilities of conditional Poisson sampling with inclusion probabilities pi.

    Poisson sampling with probabilities p, conditioned on size n, has
    pi_k(lambda) = lambda_k e_{n-1}(U - k) / e_n(U), lambda = p / (1 - p).
    Solved by the fixed point lambda <- lambda pi / pi(lambda) (Chen, Dempster
    and Liu 1994; Deville's iteration), to ``tol`` in max |pi(lambda) - pi|.
    Returns lambda normalised to geometric mean 1 (the design depends on it
    only up to a factor).
    """
    pi = np.asarray(pi, dtype=np.float64)
    n = round(pi.sum())
    lam = pi / (1.0 - pi)
    for _ in range(max_iter):
        lam = lam / np.exp(np.mean(np.log(lam)))
        got = conditional_poisson_inclusion(lam, n)
        if np.max(np.abs(got - pi)) < tol:
            return lam
        lam = lam * pi / got
    raise ValueError("conditional Poisson working probabilities did not converge.")


def conditional_poisson_inclusion(lam, n: int) -> np.ndarray:
    """pi_k = lambda_k e_{n-1}(U - k) / e_n(U) of conditional Poisson sampling."""
    lam = np.asarray(lam, dtype=np.float64)
    zeros = np.zeros(lam.size)
    e, _ = _polynomials(lam, zeros, n)
    pre = np.zeros((lam.size + 1, n + 1))
    suf = np.zeros((lam.size + 1, n + 1))
    pre[0, 0] = suf[lam.size, 0] = 1.0
    for i in range(lam.size):
        pre[i + 1] = pre[i]
        pre[i + 1, 1:] += lam[i] * pre[i, :-1]
    for i in range(lam.size - 1, -1, -1):
        suf[i] = suf[i + 1]
        suf[i, 1:] += lam[i] * suf[i + 1, :-1]
    r = n - 1
    without = np.sum(pre[:-1, :r + 1] * suf[1:, r::-1], axis=1)
    return lam * without / e[n]


def conditional_poisson_joint(pi) -> np.ndarray:
    """Exact pi_kl = lambda_k lambda_l e_{n-2}(U - {k, l}) / e_n(U) of conditional Poisson.

    The maximum-entropy design with inclusion probabilities pi (R's
    ``UPmaxentropypi2``); lambda from :func:`conditional_poisson_working`.
    """
    pi = np.asarray(pi, dtype=np.float64)
    n = round(pi.sum())
    lam = conditional_poisson_working(pi)
    zeros = np.zeros(pi.size)
    e, _ = _polynomials(lam, zeros, n)
    _, _, a2, _ = _leave_out(lam, zeros, max(n - 2, 0))
    joint = np.outer(lam, lam) * a2[:, :, n - 2] / e[n]
    np.fill_diagonal(joint, pi)
    return joint


def conditional_poisson_table(lam, n: int) -> np.ndarray:
    """Sequential drawing table q[i, r]: P(unit i is drawn | r still to draw from i..G-1).

    q[i, r] = lambda_i e_{r-1}(i+1..) / e_r(i..), computed in logs (no overflow):
    walking the units once with it draws conditional Poisson exactly, O(G).
    """
    lam = np.asarray(lam, dtype=np.float64)
    G = lam.size
    loglam = np.log(lam)
    loge = np.full((G + 1, n + 1), -np.inf)
    loge[G, 0] = 0.0
    for i in range(G - 1, -1, -1):
        loge[i, 0] = 0.0
        loge[i, 1:] = np.logaddexp(loge[i + 1, 1:], loglam[i] + loge[i + 1, :-1])
    table = np.zeros((G, n + 1))
    with np.errstate(invalid="ignore"):
        table[:, 1:] = np.exp(loglam[:, None] + loge[1:, :-1] - loge[:-1, 1:])
    return np.nan_to_num(np.minimum(table, 1.0), nan=1.0)


def ht_variance(joint, totals) -> float:
    """Var of the HT total: sum_kl (pi_kl - pi_k pi_l) t_k t_l / (pi_k pi_l)."""
    pi = np.diag(joint)
    check = totals / pi
    return float(check @ (joint - np.outer(pi, pi)) @ check)
