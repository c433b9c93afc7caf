"""What the engine runs for one design: a compiled chunk kernel and its inputs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class KernelTask:
    """One design's replication loop, ready to run chunk by chunk.

    The kernel is called as ``kernel(*args, state, reps, truth, tq, acc, kept)``
    (see ``simsample._kernels.simulate``). ``methods`` names the rows of its
    accumulator, ``truth`` holds the target of each, ``estimators`` and
    ``targets`` describe them for the summary. ``intervals`` says which
    methods have an interval (None: all); the summary reports SE, coverage
    and width as NaN for the others.
    """

    kernel: Callable
    args: tuple
    methods: tuple[str, ...]
    estimators: tuple[str, ...]
    targets: tuple[str, ...]
    truth: np.ndarray
    tq: np.ndarray
    intervals: tuple[bool, ...] | None = None

    def run(self, state: np.ndarray, reps: int, acc: np.ndarray, kept: np.ndarray) -> None:
        self.kernel(*self.args, state, reps, self.truth, self.tq, acc, kept)

    def writable(self) -> KernelTask:
        """A copy whose array arguments are writable.

        joblib hands large arrays to worker processes as read-only memory maps;
        numba types those differently and would compile every kernel again.
        """
        args = tuple(np.require(a, requirements=("C", "W")) if isinstance(a, np.ndarray) else a
                     for a in self.args)
        return replace(self, args=args, truth=np.array(self.truth), tq=np.array(self.tq))


def t_quantiles(level: float, dfs) -> np.ndarray:
    """Table ``tq`` with ``tq[df]`` the two-sided ``level`` t quantile, for each df in ``dfs``.

    Other entries are NaN; ``dfs`` are positive ints.
    """
    from scipy.special import stdtrit  # lighter to import than scipy.stats

    dfs = np.unique(np.asarray(list(dfs), dtype=np.int64))
    table = np.full(int(dfs.max()) + 1, np.nan)
    table[dfs] = stdtrit(dfs.astype(np.float64), 0.5 + level / 2.0)
    return table
