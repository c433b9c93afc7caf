"""Unequal-probability PPS methods by exact enumeration and against R's sampling package.

Each method's drawing algorithm is enumerated from its definition (every
branch of its random choices, independently of the compiled kernel): the
probabilities of all samples sum to 1, their first- and second-order
inclusion probabilities equal the closed forms of
:mod:`simsample.designs.unequal_probability`, and Sampford's and conditional
Poisson's sample probabilities equal their designs' formulas. The pi_kl equal
``tests/data/r/pps_joint.csv`` (R's ``UPsampfordpi2``, ``UPmaxentropypi2``,
``UPtillepi2``, ``UPsystematicpi2``, ``varHT``; ``tests/data/r/pps_fixtures.R``).
The HT and SYG variance estimators of the loop's kernel are exactly unbiased
over every sample (both stages enumerated).
"""

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample._kernels.moments import EST, HT_T, SE, SYG_T
from simsample.designs import unequal_probability as up

R_DIR = Path(__file__).resolve().parent.parent / "data" / "r"
PI = np.array([0.3, 0.5, 0.6, 0.25, 0.35])  # sums to 2
SIZES = np.array([3.0, 5.0, 6.0, 2.5, 3.5])


# -- the drawing algorithms, enumerated branch by branch ----------------------------------------

def _brewer(pi, k):
    samples = {}

    def walk(chosen, prob):
        if len(chosen) == k:
            key = tuple(sorted(chosen))
            samples[key] = samples.get(key, 0.0) + prob
            return
        mask = np.zeros(pi.size, bool)
        mask[list(chosen)] = True
        j, a = len(chosen) + 1, pi[mask].sum()
        w = np.where(mask, 0.0, pi * (k - a - pi) / (k - a - pi * (k - j + 1)))
        for g in np.flatnonzero(w > 0):
            walk(chosen + [g], prob * w[g] / w.sum())
    walk([], 1.0)
    return samples


def _sampford(pi, k):
    """Rejective: first from pi/k, then with replacement from lambda; keep distinct draws."""
    lam = pi / (1 - pi)
    samples = {}
    for seq in itertools.product(range(pi.size), repeat=k):
        if len(set(seq)) == k:
            p = pi[seq[0]] / k * np.prod(lam[list(seq[1:])] / lam.sum())
            key = tuple(sorted(seq))
            samples[key] = samples.get(key, 0.0) + p
    total = sum(samples.values())
    return {s: p / total for s, p in samples.items()}


def _conditional_poisson(pi, k):
    table = up.conditional_poisson_table(up.conditional_poisson_working(pi), k)
    samples = {}

    def walk(g, chosen, prob):
        if len(chosen) == k:
            samples[tuple(chosen)] = samples.get(tuple(chosen), 0.0) + prob
            return
        q = table[g, k - len(chosen)]
        walk(g + 1, chosen + [g], prob * q)
        if q < 1:
            walk(g + 1, chosen, prob * (1 - q))
    walk(0, [], 1.0)
    return samples


def _tille(size, k):
    steps = up.tille_steps(size, k)
    samples = {}

    def walk(step, left, prob):
        if step == len(steps):
            samples[tuple(left)] = samples.get(tuple(left), 0.0) + prob
            return
        r = steps[step][left]
        for i, g in enumerate(left):
            if r[i] > 0:
                walk(step + 1, left[:i] + left[i + 1:], prob * r[i] / r.sum())
    walk(0, list(range(size.size)), 1.0)
    return samples


def _midzuno(pi, k):
    q = up.midzuno_first(pi)
    G = pi.size
    samples = {}
    for first in range(G):
        others = [g for g in range(G) if g != first]
        for rest in itertools.combinations(others, k - 1):
            key = tuple(sorted((first,) + rest))
            samples[key] = samples.get(key, 0.0) + q[first] / math.comb(G - 1, k - 1)
    return samples


def _systematic(pi, k):
    """Every order, every stretch of the random start between breakpoints."""
    samples = {}
    orders = list(itertools.permutations(range(pi.size)))
    for order in orders:
        cum = np.concatenate([[0.0], np.cumsum(pi[list(order)])])
        cuts = np.unique(np.concatenate([[0.0, 1.0], np.mod(cum, 1.0)]))
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            u = (lo + hi) / 2
            chosen = [order[i] for i in range(pi.size)
                      if np.any((cum[i] <= u + np.arange(k)) & (u + np.arange(k) < cum[i + 1]))]
            key = tuple(sorted(chosen))
            samples[key] = samples.get(key, 0.0) + (hi - lo) / len(orders)
    return samples


ENUMERATED = {"brewer": _brewer, "sampford": _sampford, "conditional_poisson":
              _conditional_poisson, "midzuno": _midzuno, "systematic": _systematic}


def _joint_of(samples, G):
    joint = np.zeros((G, G))
    for s, p in samples.items():
        idx = list(s)
        joint[np.ix_(idx, idx)] += p
    return joint


def _closed_form(method, pi, size, k):
    return {"brewer": up.brewer_joint, "sampford": up.sampford_joint,
            "conditional_poisson": up.conditional_poisson_joint, "midzuno": up.midzuno_joint,
            "systematic": up.randomised_systematic_joint}[method](pi) if method != "tille" \
        else up.tille_joint(size, k)


@pytest.mark.parametrize("method", ["brewer", "sampford", "conditional_poisson", "tille",
                                    "midzuno", "systematic"])
def test_enumerated_samples_give_the_closed_form_inclusion_probabilities(method):
    k = 2
    pi = up.proportional(SIZES, k)
    samples = _tille(SIZES, k) if method == "tille" else ENUMERATED[method](pi, k)
    assert sum(samples.values()) == pytest.approx(1.0, abs=1e-12)
    assert all(len(s) == k and len(set(s)) == k for s in samples)
    joint = _joint_of(samples, pi.size)
    np.testing.assert_allclose(np.diag(joint), pi, atol=1e-12)
    np.testing.assert_allclose(joint, _closed_form(method, pi, SIZES, k), atol=1e-10)


def test_sampford_and_conditional_poisson_sample_probabilities_follow_their_designs():
    k = 3
    pi = up.proportional([2.0, 3.0, 4.0, 5.0, 6.0, 7.0], k)
    lam = pi / (1 - pi)
    sampford = _sampford(pi, k)
    weights = {s: np.prod(lam[list(s)]) * np.sum(1 - pi[list(s)]) for s in sampford}
    total = sum(weights.values())
    for s, p in sampford.items():
        assert p == pytest.approx(weights[s] / total, rel=1e-12)
    cp = _conditional_poisson(pi, k)
    work = up.conditional_poisson_working(pi)
    total = sum(np.prod(work[list(s)]) for s in itertools.combinations(range(pi.size), k))
    assert len(cp) == math.comb(pi.size, k)
    for s, p in cp.items():
        assert p == pytest.approx(np.prod(work[list(s)]) / total, rel=1e-10)


@pytest.mark.parametrize("sizes", [np.arange(5.0, 12.0), np.arange(1.0, 8.0)])
def test_hartley_rao_approximates_randomised_systematic(sizes):
    """Four times closer to the exact pi_kl (all 7! orders) than (k-1)/k pi_k pi_l."""
    pi = up.proportional(sizes, 2)
    exact = up.randomised_systematic_joint(pi)
    off = ~np.eye(pi.size, dtype=bool)
    error = np.max(np.abs(up.hartley_rao_joint(pi) - exact)[off])
    crude = np.max(np.abs(np.outer(pi, pi) / 2 - exact)[off])
    assert error < crude / 4
    assert error < 0.01


# -- R's sampling package ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def r_joint():
    return pd.read_csv(R_DIR / "pps_joint.csv")


def _matrix(frame, what):
    part = frame[frame["what"] == what]
    G = int(part["i"].max()) + 1
    out = np.zeros((G, G))
    out[part["i"].to_numpy(), part["j"].to_numpy()] = part["value"].to_numpy()
    return out


@pytest.mark.parametrize("method, tol", [("sampford", 1e-12), ("tille", 1e-12),
                                         ("systematic_fixed", 1e-12),
                                         # R stops its fixed point at 1e-6
                                         ("conditional_poisson", 2e-6)])
def test_joint_probabilities_equal_r_sampling(r_joint, method, tol):
    pik = r_joint[r_joint["what"] == "pik"]["value"].to_numpy()
    ours = {"sampford": up.sampford_joint, "conditional_poisson": up.conditional_poisson_joint,
            "tille": lambda p: up.tille_joint(p, 3), "systematic_fixed": up.systematic_joint}
    np.testing.assert_allclose(ours[method](pik), _matrix(r_joint, method), atol=tol)


def test_ht_and_syg_estimates_equal_r_varht(r_joint):
    pik = r_joint[r_joint["what"] == "pik"]["value"].to_numpy()
    y = r_joint[r_joint["what"] == "y"]["value"].to_numpy()
    s = [0, 3, 5]
    joint = up.sampford_joint(pik)[np.ix_(s, s)]
    check = y[s] / pik[s]
    delta = (joint - np.outer(pik[s], pik[s])) / joint
    ht = float(check @ delta @ check)
    syg = -0.5 * float(np.sum(delta * (check[:, None] - check[None, :]) ** 2))
    ref = r_joint.set_index("what")["value"]
    assert ht == pytest.approx(ref["varHT1"], rel=1e-12)
    assert syg == pytest.approx(ref["varHT2"], rel=1e-12)


# -- the loop's estimators, every sample of both stages -----------------------------------------

def _population():
    rng = np.random.default_rng(5)
    sizes = [2, 3, 4, 3, 2]
    y = np.concatenate([rng.normal(5.0 + 2.0 * j, 1.0, s) for j, s in enumerate(sizes)])
    return ss.Population(y=y, group=np.repeat([f"g{j}" for j in range(5)], sizes))


def _exact_moments(design, pop, samples):
    """E and Var of the estimate, E of the HT and SYG variance estimates, over both stages."""
    sampler = design.sampler(pop)
    scr = sampler.kernel(sampler.prepare)(sampler.params)
    mean = sampler.kernel(sampler.mean)
    idx, start, size, groups = scr[:4]
    m = design.per_group
    sizes = pop.group_sizes
    rows = []
    for s, p in samples.items():
        subsets = [list(itertools.combinations(range(sizes[g]), m)) for g in s]
        count = np.prod([len(c) for c in subsets])
        for pick in itertools.product(*subsets):
            pos = 0
            for a, (g, units) in enumerate(zip(s, pick)):
                groups[a], start[a], size[a] = g, pos, sizes[g]
                for u in units:
                    idx[pos] = pop.offsets[g] + u
                    pos += 1
            start[len(s)] = pos
            out = np.full((sampler.mean_rows, 6), np.nan)
            mean(pop.stored_y[idx[:pos]].copy(), pos, len(s), *sampler.params, *scr, out)
            variance = scr[-1]  # the signed variance estimates (an HT one can be < 0)
            rows.append((p / count, out[HT_T, EST], variance[HT_T], variance[SYG_T]))
    w, est, ht, syg = map(np.array, zip(*rows))
    e = np.sum(w * est)
    return e, np.sum(w * (est - e) ** 2), np.sum(w * ht), np.sum(w * syg)


@pytest.mark.parametrize("method", ["brewer", "sampford", "conditional_poisson", "tille",
                                    "midzuno", "systematic"])
def test_ht_and_syg_are_exactly_unbiased_with_a_second_stage(method):
    pop = _population()
    design = ss.PPS(2, 2, method=method)
    pi = design.group_inclusion_probabilities(pop)
    x = pop.group_sizes.astype(float)
    samples = _tille(x, 2) if method == "tille" else ENUMERATED[method](pi, 2)
    e, var, ht, syg = _exact_moments(design, pop, samples)
    theory = design.moments(pop)
    assert theory.exact
    assert e == pytest.approx(pop.mean, rel=1e-12)
    assert var == pytest.approx(theory.variance, rel=1e-10)
    assert ht == pytest.approx(var, rel=1e-10)
    assert syg == pytest.approx(var, rel=1e-10)
