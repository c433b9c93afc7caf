"""What the engine runs for one design: a generated chunk loop and its inputs."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np

from .._kernels.accumulate import POINT
from .loops import LoopSpec, compiled_loop


@dataclass(frozen=True, eq=False)
class KernelTask:
    """One design's replication loop under one estimand, ready to run chunk by chunk.

    ``args`` are ``(y, x, dparams, eparams, n_units, n_groups)`` of the
    generated loop (:mod:`simsample.engine.loops`). ``methods`` name the
    accumulator rows (``spec.record`` holds each one's output row and interval
    rule), ``truth`` their targets' values, ``estimators`` and ``targets``
    describe them for the summary;
    ``stream_keys`` address the random streams of methods that need one;
    ``builtin`` says which methods are built in (only those get exact theory).
    """

    spec: LoopSpec
    args: tuple
    methods: tuple[str, ...]
    estimators: tuple[str, ...]
    targets: tuple[str, ...]
    truth: np.ndarray
    tq: np.ndarray
    stream_keys: tuple[int, ...] = ()
    #: Whether each method is built in (its estimator has the design's exact theory).
    builtin: tuple[bool, ...] = ()
    #: Whether each method flags singular fits (the summary's ``singular_rate``).
    reports_singular: tuple[bool, ...] = ()

    @property
    def has_interval(self) -> tuple[bool, ...]:
        return tuple(rule != POINT for _, rule, _ in self.spec.record)

    def run(self, state: np.ndarray, method_states: np.ndarray, reps: int, acc: np.ndarray,
            kept: np.ndarray) -> None:
        compiled_loop(self.spec)(*self.args, state, method_states, reps, self.truth, self.tq,
                                 acc, kept)

    def writable(self) -> KernelTask:
        """The task as a worker process should run it (call it in the worker).

        joblib hands large arrays to worker processes as read-only memory maps;
        numba types those differently and would compile every kernel again, so
        array arguments (also inside the parameter tuples) are made writable.
        """
        return replace(self, args=_writable(self.args), truth=np.array(self.truth),
                       tq=np.array(self.tq))


def _writable(value):
    if isinstance(value, np.ndarray):
        return np.require(value, requirements=("C", "W"))
    if isinstance(value, tuple):
        return tuple(_writable(v) for v in value)
    return value


def t_quantiles(level: float, dfs, *, upto: int | None = None) -> np.ndarray:
    """Table ``tq`` of two-sided ``level`` t quantiles, as the accumulators read it.

    ``tq[df]`` is the quantile for each integer df in ``dfs`` (every df in
    1..``upto`` too, if given); the last entry is the normal quantile, used for
    larger df (see ``simsample._kernels.accumulate.t_quantile``). Other entries
    are NaN. Tables are cached: superpopulation runs build one plan per population.
    """
    dfs = np.asarray(list(dfs) if not isinstance(dfs, range) else dfs, dtype=np.int64)
    return _table(float(level), tuple(np.unique(dfs[dfs >= 1]).tolist()),
                  None if upto is None else int(upto)).copy()


@functools.lru_cache(maxsize=256)
def _table(level: float, dfs: tuple, upto: int | None) -> np.ndarray:
    from scipy.special import ndtri, stdtrit  # lighter to import than scipy.stats

    wanted = np.array(dfs, dtype=np.int64)
    if upto is not None:
        wanted = np.union1d(wanted, np.arange(1, upto + 1))
    top = int(wanted.max()) if wanted.size else 0
    table = np.full(top + 2, np.nan)
    if wanted.size:
        table[wanted] = stdtrit(wanted.astype(np.float64), 0.5 + level / 2.0)
    table[-1] = ndtri(0.5 + level / 2.0)
    return table
