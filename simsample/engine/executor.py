"""The one chunk executor: serial, loky, threading or dask, for simulate and for studies.

Work is a list of ``(plan key, chunk)`` items over a dict of run plans (one
plan for :func:`simsample.simulate`, one per condition for a study). The first
item runs in this process, compiling the kernels once so that workers load
them from numba's cache instead of compiling in parallel; the rest run
serially or in batches on joblib workers. Results come back as they finish
(any order) with their key: callers merge them in chunk order, so the order
here cannot change any result.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator

from .._validation import InvalidParameterError, check_choice, check_int
from .plan import ChunkResult, run_chunk

#: joblib backends of the CPU engine.
CPU_BACKENDS = ("loky", "threading", "dask")
#: Most chunks in one parallel task: bounds the work lost when a run is killed.
MAX_BATCH = 8


def check_n_jobs(n_jobs, owner: str = "simulate") -> int:
    """Validate ``n_jobs`` (joblib's convention: a positive int, or -1 for all cores)."""
    n_jobs = check_int(n_jobs, "n_jobs", owner=owner)
    if n_jobs == 0:
        raise InvalidParameterError(
            f"'n_jobs' of {owner} must be a positive int, or negative to count back from "
            "all cores (-1 = all); got 0.")
    return n_jobs


def execute(plans: dict, items: list, *, n_jobs: int = 1, backend: str = "loky", client=None,
            on_done=None) -> Iterator[tuple[tuple, ChunkResult]]:
    """Run ``items`` (``(key, chunk)`` pairs of ``plans``); yield ``((key, chunk), result)``.

    ``on_done(key, chunk)`` is called as each item finishes (a progress bar).
    ``backend="dask"`` runs on ``client`` (or the active ``distributed.Client``).
    """
    check_choice(backend, "backend", CPU_BACKENDS, owner="execute")
    items = list(items)
    if not items:
        return
    done = on_done or (lambda key, chunk: None)
    key, chunk = items[0]
    yield (key, chunk), run_chunk(plans[key], chunk)
    done(key, chunk)
    rest = items[1:]
    if not rest:
        return
    if backend != "dask" and (n_jobs == 1 or len(rest) == 1):
        for key, chunk in rest:
            yield (key, chunk), run_chunk(plans[key], chunk)
            done(key, chunk)
        return
    for item, result in _execute_parallel(plans, rest, n_jobs, backend, client):
        yield item, result
        done(*item)


def _execute_parallel(plans, items, n_jobs, backend, client):
    import joblib

    parent = os.getpid()
    config = {"backend": backend, "n_jobs": n_jobs if backend != "dask" else -1}
    if client is not None:
        config["client"] = client
    if backend == "loky":  # arm the watchdog as each worker starts, not at its first task
        config.update(initializer=exit_with_parent, initargs=(parent,))
    with joblib.parallel_config(**config):
        batches = batch_items(items, joblib.effective_n_jobs(config["n_jobs"]))
        worker_plans = {key: plans[key].for_workers() for key in dict.fromkeys(k for k, _ in items)}
        calls = (joblib.delayed(_run_batch)(
            {key: worker_plans[key] for key in dict.fromkeys(k for k, _ in batch)}, batch, parent)
            for batch in batches)
        # Unordered: each result carries its (key, chunk) and is merged in chunk order
        # afterwards, so finishing order cannot change the results.
        for results in joblib.Parallel(return_as="generator_unordered")(calls):
            yield from results


def batch_items(items: list, workers: int) -> list[list]:
    """Contiguous batches, about four per worker (load balance, progress), at most MAX_BATCH."""
    size = max(1, min(MAX_BATCH, math.ceil(len(items) / (4 * max(workers, 1)))))
    return [items[start:start + size] for start in range(0, len(items), size)]


def _run_batch(plans: dict, batch: list, parent: int):
    """Worker entry point: a batch of (key, chunk) items."""
    exit_with_parent(parent)
    plans = {key: plan.writable() for key, plan in plans.items()}
    return [((key, chunk), run_chunk(plans[key], chunk)) for key, chunk in batch]


_watchdog: threading.Thread | None = None


def exit_with_parent(parent: int) -> None:
    """In a worker process started by ``parent``, exit as soon as ``parent`` is gone.

    loky workers outlive a parent killed with SIGKILL (they would idle for
    minutes); a daemon thread polling the parent id ends them within a second.
    Does nothing in the parent itself or in processes ``parent`` did not start
    (e.g. dask workers).
    """
    global _watchdog
    if _watchdog is not None or os.getpid() == parent or os.getppid() != parent:
        return

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    _watchdog = threading.Thread(target=watch, name="simsample-exit-with-parent", daemon=True)
    _watchdog.start()
