"""Replication loops on a CUDA device (numba.cuda): one thread, one stream of replications.

Every thread runs its share of the replications of one design with its own
xoshiro256** stream and keeps the CPU engine's accumulator rows (see
``accumulate``) in registers; ``reduce_blocks`` sums them per block in
thread order and the host adds the block rows in block order. The same seed and launch
configuration therefore give bit-identical results, and the merged rows feed
the same summary code as the CPU engine.

Sampling without replacement is Floyd's algorithm, as on the CPU. Membership
is a bitmask for frames of at most ``64 * MASK_WORDS`` units and a per-thread
open-addressing hash table otherwise. A table entry (16 bits where the unit
index leaves room for a tag, else 32) carries a tag (the draw's serial
number) above the unit's index, so an entry of an earlier draw reads as empty
and the table is cleared only when the tag bits run out. Each sampled value
is used as soon as it is drawn (running sums of shifted values), so no sample
is ever stored.

Estimators are the streaming forms of ``estimate.srs_mean`` and
``estimate.two_stage_mean`` (same formulas; sums of the same quantities,
so results agree with the CPU to rounding), computed on y shifted by
``shift`` (the population mean, or 0 for the expansion estimator, which is
not shift-equivariant) for accuracy.
"""

import math

import numpy as np
from numba import cuda

from ..._kernels.accumulate import (
    COVER,
    FIRST_FAIL,
    MISS_HIGH,
    MISS_LOW,
    N_FAIL,
    N_OK,
    N_STATS,
    SUM_D,
    SUM_D2,
    SUM_D3,
    SUM_D4,
    SUM_SE,
    SUM_FLAG,
    SUM_WIDTH2,
    SUM_SIZE,
    SUM_VAR,
    SUM_VAR2,
    SUM_WIDTH,
    ZERO_WIDTH_RTOL,
)

MASK_WORDS = 4          # bitmask frames up to 256 units
MASK_LIMIT = 64 * MASK_WORDS
N_METHODS = 2           # naive_t, cluster_t (rows of estimate.NAIVE_T / CLUSTER_T)

_U32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(0x100000000)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


# The generator below restates _kernels/rng.py for the CUDA target: device code
# cannot call the CPU dispatchers there (checking whether numba-cuda could compile
# them for the device needs a driver). Same algorithm, same constants.


@cuda.jit(device=True, inline=True)
def _rotl(x, k):  # pragma: no cover
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@cuda.jit(device=True, inline=True)
def _step(s0, s1, s2, s3):  # pragma: no cover
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@cuda.jit(device=True, inline=True)
def _bounded(s0, s1, s2, s3, bound):  # pragma: no cover
    """Uniform integer in [0, bound), bound < 2**32 (Lemire's method, as on the CPU)."""
    r = np.uint64(bound)
    x, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
    m = (x >> np.uint64(32)) * r
    low = m & _U32
    if low < r:
        threshold = (_TWO32 - r) % r
        while low < threshold:
            x, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
            m = (x >> np.uint64(32)) * r
            low = m & _U32
    return np.int64(m >> np.uint64(32)), s0, s1, s2, s3


@cuda.jit(device=True, inline=True)
def _splitmix(x):  # pragma: no cover
    """SplitMix64's output function (Steele, Lea and Flood 2014)."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@cuda.jit(device=True, inline=True)
def _thread_state(keys, thread):  # pragma: no cover
    """Thread ``thread``'s xoshiro state: SplitMix64 of the design's key words and the thread."""
    offset = np.uint64(thread + 1) * _GOLDEN
    s0 = _splitmix(keys[0] ^ offset)
    s1 = _splitmix(keys[1] ^ offset)
    s2 = _splitmix(keys[2] ^ offset)
    s3 = _splitmix(keys[3] ^ offset)
    if s0 == 0 and s1 == 0 and s2 == 0 and s3 == 0:
        s0 = np.uint64(1)
    return s0, s1, s2, s3


@cuda.jit(device=True, inline=True)
def _mask_test_and_set(mask, value):  # pragma: no cover
    word = value >> 6
    bit = np.uint64(1) << np.uint64(value & 63)
    seen = (mask[word] & bit) != 0
    mask[word] |= bit
    return seen


@cuda.jit(device=True, inline=True)
def _table_test_and_set(table, bits, value_bits, tag, value):  # pragma: no cover
    """Insert ``value`` into the open-addressing table; True if it was already there.

    An entry is ``tag << value_bits | value`` in the table's unsigned width
    (16 or 32 bits): entries of earlier draws (other tags) read as empty.
    """
    size_mask = (1 << bits) - 1
    slot = np.int64((np.uint64(value) * _GOLDEN) >> np.uint64(64 - bits))
    entry = (tag << value_bits) | value
    while True:
        held = np.int64(table[slot])
        if (held >> value_bits) != tag:
            table[slot] = entry
            return False
        if held == entry:
            return True
        slot = (slot + 1) & size_mask


@cuda.jit(device=True, inline=True)
def _clear(table):  # pragma: no cover
    for s in range(table.size):
        table[s] = 0


@cuda.jit(device=True, inline=True)
def _next_tag(table, tag, value_bits, entry_bits):  # pragma: no cover
    """The tag of the next draw; when the tag bits run out, clear the table and restart."""
    tag += 1
    if tag >= (1 << (entry_bits - value_bits)):
        _clear(table)
        tag = 1
    return tag


@cuda.jit(device=True, inline=True)
def _new_draw(mask, table, bits, tag, value_bits, entry_bits):  # pragma: no cover
    """Forget the previous draw's units: clear the bitmask, or move the table to a new tag."""
    if bits == 0:
        for w in range(MASK_WORDS):
            mask[w] = np.uint64(0)
        return tag
    return _next_tag(table, tag, value_bits, entry_bits)


@cuda.jit(device=True, inline=True)
def _floyd_pick(s0, s1, s2, s3, j, mask, table, bits, value_bits, tag):  # pragma: no cover
    """Step j of Floyd's algorithm: a unit of [0, j] not yet drawn (j itself if taken).

    Membership in ``mask`` when ``bits`` is 0, else in ``table`` under ``tag``.
    Returns (unit, new s0, s1, s2, s3).
    """
    t, s0, s1, s2, s3 = _bounded(s0, s1, s2, s3, j + 1)
    if bits == 0:
        if _mask_test_and_set(mask, t):
            t = j
            _mask_test_and_set(mask, t)
    elif _table_test_and_set(table, bits, value_bits, tag, t):
        t = j
        _table_test_and_set(table, bits, value_bits, tag, t)
    return t, s0, s1, s2, s3


@cuda.jit(device=True, inline=True)
def _zero():  # pragma: no cover
    """An empty accumulator row, as a tuple the compiler keeps in registers."""
    return (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@cuda.jit(device=True, inline=True)
def _record(acc, estimate, se, df, tq, truth, size):  # pragma: no cover
    """The device twin of ``accumulate.record``: the row ``acc`` with one replication added.

    ``acc`` holds N_OK, N_FAIL, SUM_D..SUM_D4, COVER, MISS_LOW, MISS_HIGH,
    SUM_WIDTH, SUM_SE, SUM_VAR, SUM_VAR2, SUM_SIZE (no FIRST_FAIL).
    """
    n_ok, n_fail, s1, s2, s3, s4, cover, low, high, width, sum_se, sum_v, sum_v2, sum_n = acc
    if not (math.isfinite(estimate) and math.isfinite(se) and df >= 1.0):
        return (n_ok, n_fail + 1.0, s1, s2, s3, s4, cover, low, high, width, sum_se, sum_v,
                sum_v2, sum_n)
    half = tq[np.int64(df)] * se
    d = estimate - truth
    d2 = d * d
    # accumulate.covers: a zero-width interval at the truth up to rounding covers it
    tol = ZERO_WIDTH_RTOL * max(abs(estimate) + half, abs(truth))
    near = 2.0 * half <= tol and abs(d) <= tol + half
    below = 1.0 if d + half < 0.0 and not near else 0.0
    above = 1.0 if d - half > 0.0 and not near else 0.0
    v = se * se
    return (n_ok + 1.0, n_fail, s1 + d, s2 + d2, s3 + d2 * d, s4 + d2 * d2,
            cover + (1.0 - below - above), low + below, high + above, width + 2.0 * half,
            sum_se + se, sum_v + v, sum_v2 + v * v, sum_n + size)


@cuda.jit(device=True, inline=True)
def _store(acc, row, partial):  # pragma: no cover
    """Write accumulator row ``row`` of this thread to ``partial[thread]`` (CPU layout)."""
    thread = cuda.grid(1)
    base = row * N_STATS
    n_ok, n_fail, s1, s2, s3, s4, cover, low, high, width, sum_se, sum_v, sum_v2, sum_n = acc
    partial[thread, base + N_OK] = n_ok
    partial[thread, base + N_FAIL] = n_fail
    partial[thread, base + FIRST_FAIL] = 0.0
    partial[thread, base + SUM_D] = s1
    partial[thread, base + SUM_D2] = s2
    partial[thread, base + SUM_D3] = s3
    partial[thread, base + SUM_D4] = s4
    partial[thread, base + COVER] = cover
    partial[thread, base + MISS_LOW] = low
    partial[thread, base + MISS_HIGH] = high
    partial[thread, base + SUM_WIDTH] = width
    partial[thread, base + SUM_SE] = sum_se
    partial[thread, base + SUM_VAR] = sum_v
    partial[thread, base + SUM_VAR2] = sum_v2
    partial[thread, base + SUM_SIZE] = sum_n
    partial[thread, base + SUM_FLAG] = 0.0
    partial[thread, base + SUM_WIDTH2] = np.nan  # not kept on the GPU


@cuda.jit
def reduce_blocks(partial, block_size, out):  # pragma: no cover
    """``out[b, s]`` = sum of ``partial[t, s]`` over block b's threads, in thread order.

    Launched with one block per block of the main kernel and one thread per
    statistic: a fixed summation order, so results are reproducible.
    """
    s = cuda.threadIdx.x
    b = cuda.blockIdx.x
    if s < partial.shape[1]:
        total = 0.0
        for t in range(b * block_size, (b + 1) * block_size):
            total += partial[t, s]
        out[b, s] = total


@cuda.jit(device=True, inline=True)
def _share(reps, thread, n_threads):  # pragma: no cover
    """Replications of ``thread``: an equal share, the remainder to the first threads."""
    return reps // n_threads + (1 if thread < reps % n_threads else 0)


def _dtype(entry_bits: int):
    return np.uint16 if entry_bits == 16 else np.uint32


@cuda.jit(device=True, inline=True)
def _srs_loop(y, n, value_bits, keys, reps, truth, shift, tq, out, mask, table, table_bits,
              entry_bits):  # pragma: no cover
    """This thread's share of ``reps`` SRS replications of n units; rows stored in ``out``."""
    thread = cuda.grid(1)
    n_frame = y.size
    _clear(table)
    tag = 0
    s0, s1, s2, s3 = _thread_state(keys, thread)
    naive = _zero()
    design = _zero()
    fpc = 1.0 - n / n_frame
    for _ in range(_share(reps, thread, cuda.gridsize(1))):
        tag = _new_draw(mask, table, table_bits, tag, value_bits, entry_bits)
        total = 0.0
        squares = 0.0
        for i in range(n):
            t, s0, s1, s2, s3 = _floyd_pick(s0, s1, s2, s3, n_frame - n + i, mask, table,
                                            table_bits, value_bits, tag)
            value = y[t] - shift
            total += value
            squares += value * value
        mean = total / n
        var_iid = max(squares - total * mean, 0.0) / (n - 1) / n
        naive = _record(naive, mean + shift, math.sqrt(var_iid), n - 1.0, tq, truth[0], n)
        design = _record(design, mean + shift, math.sqrt(fpc * var_iid), n - 1.0, tq, truth[1], n)
    _store(naive, 0, out)
    _store(design, 1, out)


def make_srs_kernel(table_bits: int, entry_bits: int = 32, shared_block: int = 0):
    """Kernel for SRS of n units.

    ``table_bits`` = 0 uses the bitmask (frames <= 256), else a hash table of
    2**table_bits entries of ``entry_bits`` (16 or 32) bits, in local memory
    or, with ``shared_block`` = the block size, in shared memory.
    """
    size = 1 << max(table_bits, 1)
    dtype = _dtype(entry_bits)
    if shared_block:
        @cuda.jit
        def srs_kernel(y, n, value_bits, keys, reps, truth, shift, tq, out):  # pragma: no cover
            mask = cuda.local.array(MASK_WORDS, np.uint64)
            tables = cuda.shared.array((size, shared_block), dtype)
            _srs_loop(y, n, value_bits, keys, reps, truth, shift, tq, out, mask,
                      tables[:, cuda.threadIdx.x], table_bits, entry_bits)
    else:
        @cuda.jit
        def srs_kernel(y, n, value_bits, keys, reps, truth, shift, tq, out):  # pragma: no cover
            mask = cuda.local.array(MASK_WORDS, np.uint64)
            table = cuda.local.array(size, dtype)
            _srs_loop(y, n, value_bits, keys, reps, truth, shift, tq, out, mask, table,
                      table_bits, entry_bits)
    return srs_kernel


@cuda.jit(device=True, inline=True)
def _group_sums(y, first, take, shift):  # pragma: no cover
    """Sum and sum of squares of the shifted values of a whole group."""
    total = 0.0
    squares = 0.0
    for i in range(take):
        value = y[first + i] - shift
        total += value
        squares += value * value
    return total, squares


def make_two_stage_kernel(group_bits: int, unit_bits: int, group_entry_bits: int = 32,
                          unit_entry_bits: int = 32):
    """Kernel for k groups then m units per group (m < 0: all units, one-stage)."""
    group_size = 1 << max(group_bits, 1)
    unit_size = 1 << max(unit_bits, 1)
    group_dtype = _dtype(group_entry_bits)
    unit_dtype = _dtype(unit_entry_bits)

    @cuda.jit
    def two_stage_kernel(y, offsets, k, m, expansion, group_value_bits, unit_value_bits, keys,
                         reps, truth, shift, tq, out):  # pragma: no cover
        thread = cuda.grid(1)
        n_groups = offsets.size - 1
        n_units = y.size
        gmask = cuda.local.array(MASK_WORDS, np.uint64)
        umask = cuda.local.array(MASK_WORDS, np.uint64)
        gtable = cuda.local.array(group_size, group_dtype)
        utable = cuda.local.array(unit_size, unit_dtype)
        _clear(gtable)
        _clear(utable)
        gtag = 0
        utag = 0
        s0, s1, s2, s3 = _thread_state(keys, thread)
        naive = _zero()
        design = _zero()
        f1 = k / n_groups
        for _ in range(_share(reps, thread, cuda.gridsize(1))):
            gtag = _new_draw(gmask, gtable, group_bits, gtag, group_value_bits, group_entry_bits)
            # sums over sampled groups (y shifted by ``shift``)
            n = 0
            sum_m = 0.0        # sum M_j
            sum_a = 0.0        # sum a_j, a_j = M_j ybar_j
            sum_aa = 0.0
            sum_ab = 0.0       # sum a_j M_j
            sum_bb = 0.0       # sum M_j^2
            within = 0.0       # sum (1 - f2j) M_j^2 s2j^2 / m_j
            sum_ss = 0.0       # pooled within sums of squares
            sum_my = 0.0       # sum m_j ybar_j
            sum_myy = 0.0      # sum m_j ybar_j^2
            for a in range(k):
                g, s0, s1, s2, s3 = _floyd_pick(s0, s1, s2, s3, n_groups - k + a, gmask, gtable,
                                                group_bits, group_value_bits, gtag)
                first = offsets[g]
                size = offsets[g + 1] - first
                take = size if m < 0 else m
                if m < 0:
                    total, squares = _group_sums(y, first, size, shift)
                else:
                    utag = _new_draw(umask, utable, unit_bits, utag, unit_value_bits,
                                     unit_entry_bits)
                    total = 0.0
                    squares = 0.0
                    for i in range(m):
                        t, s0, s1, s2, s3 = _floyd_pick(s0, s1, s2, s3, size - m + i, umask,
                                                        utable, unit_bits, unit_value_bits, utag)
                        value = y[first + t] - shift
                        total += value
                        squares += value * value
                mean = total / take
                ss = max(squares - total * mean, 0.0)
                big_m = float(size)
                a_j = big_m * mean
                n += take
                sum_m += big_m
                sum_a += a_j
                sum_aa += a_j * a_j
                sum_ab += a_j * big_m
                sum_bb += big_m * big_m
                if take > 1:
                    within += (1.0 - take / big_m) * big_m * big_m * (ss / (take - 1)) / take
                sum_ss += ss
                sum_my += total
                sum_myy += total * mean
            if expansion:
                scale = n_groups / (k * n_units)
                estimate = sum_a * scale
                between = sum_aa - sum_a * sum_a / k
            else:
                scale = 1.0 / sum_m
                estimate = sum_a / sum_m
                between = sum_aa - 2.0 * estimate * sum_ab + estimate * estimate * sum_bb
            between = max(between, 0.0)  # rounding when every group has the same a_j
            variance = scale * scale * ((1.0 - f1) * between / (k - 1) * k + f1 * within)
            design = _record(design, estimate + shift, math.sqrt(variance), k - 1.0, tq,
                             truth[1], n)
            pooled = sum_my / n
            ss_total = max(sum_ss + sum_myy - n * pooled * pooled, 0.0)
            naive = _record(naive, pooled + shift, math.sqrt(ss_total / (n - 1) / n), n - 1.0,
                            tq, truth[0], n)
        _store(naive, 0, out)
        _store(design, 1, out)

    return two_stage_kernel


def make_subset_kernel(table_bits: int, entry_bits: int = 32):
    """Test kernel: every thread draws ``reps`` samples of n from a frame with :func:`_floyd_pick`.

    Writes the units of sample r of thread t to ``out[t, r]``, so tests can
    check that every subset is equally likely with the production device code.
    """
    table_size = 1 << max(table_bits, 1)
    dtype = _dtype(entry_bits)

    @cuda.jit
    def subset_kernel(n_frame, n, value_bits, keys, out):  # pragma: no cover
        thread = cuda.grid(1)
        mask = cuda.local.array(MASK_WORDS, np.uint64)
        table = cuda.local.array(table_size, dtype)
        _clear(table)
        tag = 0
        s0, s1, s2, s3 = _thread_state(keys, thread)
        for rep in range(out.shape[1]):
            tag = _new_draw(mask, table, table_bits, tag, value_bits, entry_bits)
            for i in range(n):
                t, s0, s1, s2, s3 = _floyd_pick(s0, s1, s2, s3, n_frame - n + i, mask, table,
                                                table_bits, value_bits, tag)
                out[thread, rep, i] = t

    return subset_kernel
