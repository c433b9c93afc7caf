"""Seeds and the addressing of random streams.

Every random stream is addressed by a key, never by worker or execution order:
replication chunk ``i`` of a simulation seeded with ``seed`` uses
``SeedSequence(seed).spawn(...)[i]`` (spawn key ``(i,)``), and design ``d``
within that chunk uses its child ``(i, d)``. Results therefore do not depend on
``n_jobs``, on the backend or on how chunks are scheduled, and adding a design
at the end of the list leaves the streams of the others unchanged.

Studies with several conditions (see :mod:`simsample.studies.config`) pass a
``SeedSequence`` whose spawn key already names the condition; the chunk and
design keys are appended to it.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import InvalidParameterError

#: First element of the spawn key of a study's population streams ...
POPULATION = 0
#: ... and of its sampling streams, so the two can never collide.
SAMPLING = 1


def as_seed_sequence(seed) -> np.random.SeedSequence:
    """Normalise ``seed`` (None, a non-negative int or a SeedSequence).

    ``None`` draws fresh entropy once; the returned sequence records it in
    ``.entropy`` so the run can be repeated exactly.
    """
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise InvalidParameterError(
        "'seed' must be None, a non-negative int or a numpy.random.SeedSequence; "
        f"got {seed!r}.")


def child(root: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The stream addressed by ``key`` below ``root`` (same as nested ``spawn``)."""
    return np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + tuple(key),
                                  pool_size=root.pool_size)


def xoshiro_state(seq: np.random.SeedSequence) -> np.ndarray:
    """A xoshiro256** state (4 x uint64) seeded from ``seq``."""
    state = seq.generate_state(4, np.uint64)
    if not state.any():  # the one state xoshiro cannot leave; probability 2**-256
        state[0] = 1
    return state


def chunk_states(root: np.random.SeedSequence, chunk: int, n_streams: int) -> np.ndarray:
    """States of the ``n_streams`` streams of replication chunk ``chunk``: shape (n, 4)."""
    chunk_seq = child(root, chunk)
    return np.stack([xoshiro_state(child(chunk_seq, d)) for d in range(n_streams)])


def seed_entropy(root: np.random.SeedSequence):
    """What must be recorded to rebuild ``root``: its entropy and spawn key."""
    entropy = root.entropy
    if isinstance(entropy, (list, tuple, np.ndarray)):
        entropy = [int(e) for e in entropy]
    else:
        entropy = int(entropy)
    return {"entropy": entropy, "spawn_key": [int(k) for k in root.spawn_key]}
