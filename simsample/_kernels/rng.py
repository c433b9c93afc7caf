"""xoshiro256** (Blackman and Vigna, 2018) inline in compiled kernels.

A numpy Generator or numba's built-in ``np.random`` costs 16-30 ns per bounded
draw inside a kernel; this generator costs 3-5 ns, which is most of the speed
of the replication loop. The state is a ``uint64[4]`` array owned by one chunk
of replications and seeded from its SeedSequence (see ``simsample._rng``).
"""

import numpy as np

from .._jit import kernel

_U32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(0x100000000)


@kernel
def _rotl(x, k):  # pragma: no cover
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@kernel
def next_u64(state):  # pragma: no cover
    """Next 64-bit output; advances ``state`` in place."""
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
    return result


@kernel
def uniform_int(state, bound):  # pragma: no cover
    """Uniform integer in ``[0, bound)`` for ``1 <= bound < 2**32``, exactly unbiased.

    Lemire's multiply-and-reject method on the top 32 bits of one output:
    the rejection branch is taken with probability below ``bound / 2**32``.
    """
    r = np.uint64(bound)
    m = (next_u64(state) >> np.uint64(32)) * r
    low = m & _U32
    if low < r:
        threshold = (_TWO32 - r) % r
        while low < threshold:
            m = (next_u64(state) >> np.uint64(32)) * r
            low = m & _U32
    return np.int64(m >> np.uint64(32))


@kernel
def uniform01(state):  # pragma: no cover
    """Uniform double in ``[0, 1)`` with 53 random bits."""
    return np.float64(next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)
