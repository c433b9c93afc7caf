"""What the engine runs for one design: a compiled chunk kernel and its inputs."""

from __future__ import annotations

import importlib
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
        """The task as a worker process should run it (call it in the worker).

        joblib hands large arrays to worker processes as read-only memory maps;
        numba types those differently and would compile every kernel again, so
        array arguments are made writable. And the kernel is replaced by its
        module's own dispatcher (see :func:`module_kernel`).
        """
        args = tuple(np.require(a, requirements=("C", "W")) if isinstance(a, np.ndarray) else a
                     for a in self.args)
        return replace(self, kernel=module_kernel(self.kernel), args=args,
                       truth=np.array(self.truth), tq=np.array(self.tq))


def module_kernel(kernel):
    """The module-level dispatcher of ``kernel``, which loads numba's on-disk cache.

    numba pickles a dispatcher by value: in a worker process it unpickles as a
    new dispatcher that ignores the cache, and every worker would compile every
    kernel again (about 6 s, against 0.8 s to load the cache). Kernels are
    module-level functions, so the worker looks them up by name and checks
    that the code is the same; anything else is returned unchanged.
    """
    func = getattr(kernel, "py_func", None)
    if func is None:
        return kernel
    try:
        found = getattr(importlib.import_module(func.__module__), func.__name__)
    except (ImportError, AttributeError):
        return kernel
    same = getattr(getattr(found, "py_func", None), "__code__", None) == func.__code__
    return found if same else kernel


def t_quantiles(level: float, dfs) -> np.ndarray:
    """Table ``tq`` with ``tq[df]`` the two-sided ``level`` t quantile, for each df in ``dfs``.

    Other entries are NaN; ``dfs`` are positive ints.
    """
    from scipy.special import stdtrit  # lighter to import than scipy.stats

    dfs = np.unique(np.asarray(list(dfs), dtype=np.int64))
    table = np.full(int(dfs.max()) + 1, np.nan)
    table[dfs] = stdtrit(dfs.astype(np.float64), 0.5 + level / 2.0)
    return table
