"""Drawing samples: index sets, at a cost proportional to the sample size.

Populations are stored grouped: the units of group ``g`` occupy positions
``offsets[g]:offsets[g + 1]``. Every drawing kernel returns positions in that
layout; ``Population`` maps them back to the caller's order.
"""


from .._jit import kernel
from .rng import uniform_int_step


@kernel
def floyd_sample(state, n_frame, n, mark, out):  # pragma: no cover
    """Fill ``out[:n]`` with ``n`` distinct integers of ``[0, n_frame)``.

    Floyd's algorithm (Bentley and Floyd, 1987): every subset of size ``n`` is
    equally likely, with exactly ``n`` bounded draws. ``mark`` is a boolean
    scratch array of length >= ``n_frame``, all False on entry and on exit,
    so the cost stays O(n) however large the frame. Assumes validated inputs.
    """
    floyd_sample_at(state, n_frame, n, mark, out, 0, 0)


@kernel
def floyd_sample_at(state, n_frame, n, mark, out, at, base):  # pragma: no cover
    """As :func:`floyd_sample`, writing ``base + t`` into ``out[at:at + n]``."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    start = n_frame - n
    for i in range(n):
        j = start + i
        t, s0, s1, s2, s3 = uniform_int_step(s0, s1, s2, s3, j + 1)
        if mark[t]:
            t = j
        mark[t] = True
        out[at + i] = t
    for i in range(at, at + n):
        mark[out[i]] = False
        out[i] += base
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3


@kernel
def units_of_groups(state, offsets, groups, k, m, mark, out_start, out_size,
                    out_idx):  # pragma: no cover
    """The second stage of a cluster design: the units of the ``k`` drawn ``groups``.

    SRS of ``m`` units within each group, or every unit when ``m < 1`` (a
    one-stage cluster sample). Writes where each group's units start in
    ``out_idx`` (``out_start[k]`` is the total) and each group's size; returns
    the number of units. Assumes ``m`` <= every drawn group's size and ``mark``
    (all False) at least as long as the largest group.
    """
    pos = 0
    for a in range(k):
        g = groups[a]
        first = offsets[g]
        size = offsets[g + 1] - first
        out_start[a] = pos
        out_size[a] = size
        if m < 1:
            for i in range(size):
                out_idx[pos + i] = first + i
            pos += size
        else:
            floyd_sample_at(state, size, m, mark, out_idx, pos, first)
            pos += m
    out_start[k] = pos
    return pos


@kernel
def gather(values, idx, n, out):  # pragma: no cover
    """``out[:n] = values[idx[:n]]``; one pass, so the random reads overlap."""
    for i in range(n):
        out[i] = values[idx[i]]
