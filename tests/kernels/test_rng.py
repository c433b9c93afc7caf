"""The inline xoshiro256** generator against an independent pure-Python reference."""

import numpy as np
import pytest
from scipy import stats

from simsample._kernels.rng import next_u64, uniform01, uniform_int

MASK = (1 << 64) - 1


def reference_xoshiro(state, count):
    """xoshiro256** as published by Blackman and Vigna, on Python ints."""
    s = [int(v) for v in state]
    rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK  # noqa: E731
    out = []
    for _ in range(count):
        out.append(rotl((s[1] * 5) & MASK, 7) * 9 & MASK)
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def test_next_u64_matches_reference_sequence():
    state = np.random.SeedSequence(12345).generate_state(4, np.uint64)
    expected = reference_xoshiro(state, 1000)
    work = state.copy()
    got = [int(next_u64(work)) for _ in range(1000)]
    assert got == expected


def test_uniform_int_stays_in_range_including_extreme_bounds():
    state = np.random.SeedSequence(7).generate_state(4, np.uint64)
    assert all(uniform_int(state, 1) == 0 for _ in range(100))
    big = 2**32 - 1
    draws = np.array([uniform_int(state, big) for _ in range(2000)])
    assert draws.min() >= 0 and draws.max() < big
    assert draws.max() > big // 2  # uses the whole range


@pytest.mark.statistical
@pytest.mark.parametrize("bound", [2, 3, 7, 1000])
def test_uniform_int_is_uniform(bound, global_seed):
    state = np.random.SeedSequence(global_seed).generate_state(4, np.uint64)
    counts = np.bincount([uniform_int(state, bound) for _ in range(200 * bound)], minlength=bound)
    assert counts.size == bound
    assert stats.chisquare(counts).pvalue > 1e-4


@pytest.mark.statistical
def test_uniform01_has_uniform_mean_and_variance(global_seed):
    state = np.random.SeedSequence(global_seed).generate_state(4, np.uint64)
    u = np.array([uniform01(state) for _ in range(20_000)])
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-4
