"""xoshiro256** (Blackman and Vigna, 2018) inline in compiled kernels.

A numpy Generator or numba's built-in ``np.random`` costs 16-30 ns per bounded
draw inside a kernel; this generator costs 1-2 ns, which is most of the speed
of the replication loop. The state is a ``uint64[4]`` array owned by one chunk
of replications and seeded from its SeedSequence (see ``simsample._rng``).

Hot loops use the ``*_step`` functions, which take and return the state as
four scalars: kept in registers, the state does not make every draw wait for
the previous draw's stores to memory (worth ~30% in the sampling loops).
"""

import numpy as np

from .._jit import kernel

_U32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(0x100000000)


@kernel
def _rotl(x, k):  # pragma: no cover
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@kernel
def xoshiro_step(s0, s1, s2, s3):  # pragma: no cover
    """One step: returns (64-bit output, new s0, s1, s2, s3)."""
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@kernel
def uniform_int_step(s0, s1, s2, s3, bound):  # pragma: no cover
    """Uniform integer in ``[0, bound)`` for ``1 <= bound < 2**32``, exactly unbiased.

    Lemire's multiply-and-reject method on the top 32 bits of one output:
    the rejection branch is taken with probability below ``bound / 2**32``.
    Returns (value, new s0, s1, s2, s3).
    """
    r = np.uint64(bound)
    x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
    m = (x >> np.uint64(32)) * r
    low = m & _U32
    if low < r:
        threshold = (_TWO32 - r) % r
        while low < threshold:
            x, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
            m = (x >> np.uint64(32)) * r
            low = m & _U32
    return np.int64(m >> np.uint64(32)), s0, s1, s2, s3


@kernel
def next_u64(state):  # pragma: no cover
    """Next 64-bit output; advances ``state`` in place."""
    x, state[0], state[1], state[2], state[3] = xoshiro_step(state[0], state[1], state[2],
                                                             state[3])
    return x


@kernel
def uniform_int(state, bound):  # pragma: no cover
    """Uniform integer in ``[0, bound)`` (see :func:`uniform_int_step`); advances ``state``."""
    v, state[0], state[1], state[2], state[3] = uniform_int_step(state[0], state[1], state[2],
                                                                 state[3], bound)
    return v


@kernel
def uniform01(state):  # pragma: no cover
    """Uniform double in ``[0, 1)`` with 53 random bits; advances ``state``."""
    return np.float64(next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)
