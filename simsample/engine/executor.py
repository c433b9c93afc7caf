"""The one chunk executor: serial, loky, threading or dask, for simulate and for studies.

Work is an iterable of ``(plan key, chunk)`` items over a dict of run plans (one
plan for :func:`simsample.simulate`, one per condition for a study), consumed
lazily: a run of 2**53 replications never lists its chunks. The first
item runs in this process, compiling the kernels once so that workers load
them from numba's cache instead of compiling in parallel; the rest run
serially or in batches on joblib workers. Results come back as they finish
(any order) with their key: callers merge them in chunk order, so the order
here cannot change any result.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
import time
from collections.abc import Iterable, Iterator

from .._kernels.accumulate import N_KEEP
from .._limits import cap_workers, check_memory
from .._validation import InvalidParameterError, check_choice, check_int
from .plan import ChunkResult, run_chunk

#: joblib backends of the CPU engine.
CPU_BACKENDS = ("loky", "threading", "dask")
#: Most chunks in one parallel task: bounds the work lost when a run is killed.
MAX_BATCH = 8


def check_n_jobs(n_jobs, owner: str = "simulate") -> int:
    """Validate ``n_jobs`` (joblib's convention: a positive int, or -1 for all cores).

    :func:`execute` caps more worker processes (loky) than this process's usable
    cores at that number, with a :class:`~simsample.SimsampleWarning`.
    """
    n_jobs = check_int(n_jobs, "n_jobs", owner=owner)
    if n_jobs == 0:
        raise InvalidParameterError(
            f"'n_jobs' of {owner} must be a positive int, or negative to count back from "
            "all cores (-1 = all); got 0.")
    return n_jobs


def check_kept_memory(plan) -> None:
    """Refuse ``keep_estimates`` whose rows (with their data frame) exceed the free memory."""
    rows = plan.keep * sum(len(task.methods) for task in plan.tasks)
    check_memory(4 * 8 * N_KEEP * rows, "keep_estimates", "simulate",
                 f"It keeps {plan.keep:,} replications of {rows // max(plan.keep, 1)} method "
                 "row(s); keep fewer (keep_estimates=<int>).")


def check_dask_client(client) -> None:
    """Refuse ``backend="dask"`` without a client before any chunk runs."""
    if client is not None:
        return
    try:
        from distributed import get_client
    except ImportError:
        raise InvalidParameterError(
            "backend='dask' needs dask.distributed: pip install 'simsample[distributed]'."
        ) from None
    try:
        get_client()
    except ValueError:
        raise InvalidParameterError(
            "backend='dask' needs an active distributed.Client (client = "
            "distributed.Client(...)) before the run; none was found.") from None


def execute(plans: dict, items: Iterable, *, n_jobs: int = 1, backend: str = "loky",
            client=None, on_done=None,
            total: int | None = None) -> Iterator[tuple[tuple, ChunkResult]]:
    """Run ``items`` (``(key, chunk)`` pairs of ``plans``); yield ``((key, chunk), result)``.

    ``items`` is consumed lazily; ``total`` is their number (``len(items)``
    when not given), which sizes the parallel batches. ``on_done(key, chunk)``
    is called as each item finishes (a progress bar). ``backend="dask"`` runs
    on ``client`` (or the active ``distributed.Client``, refused before any
    work when there is none).
    """
    check_choice(backend, "backend", CPU_BACKENDS, owner="execute")
    if backend == "dask":
        check_dask_client(client)
    if backend == "loky":  # processes: never more than the cores this process may use
        n_jobs = cap_workers(n_jobs, "simulate")
    total = len(items) if total is None else total
    items = iter(items)
    first = next(items, None)
    if first is None:
        return
    done = on_done or (lambda key, chunk: None)
    key, chunk = first
    yield (key, chunk), run_chunk(plans[key], chunk)
    done(key, chunk)
    if total <= 1:
        return
    if backend != "dask" and (n_jobs == 1 or total == 2):
        for key, chunk in items:
            yield (key, chunk), run_chunk(plans[key], chunk)
            done(key, chunk)
        return
    for item, result in _execute_parallel(plans, items, total - 1, n_jobs, backend, client):
        yield item, result
        done(*item)


def _execute_parallel(plans, items, total, n_jobs, backend, client):
    import joblib

    parent = os.getpid()
    config = {"backend": backend, "n_jobs": n_jobs if backend != "dask" else -1}
    if client is not None:
        config["client"] = client
    if backend == "loky":  # arm the watchdog as each worker starts, not at its first task
        config.update(initializer=exit_with_parent, initargs=(parent,))
    with joblib.parallel_config(**config):
        batches = batch_items(items, joblib.effective_n_jobs(config["n_jobs"]), total)
        worker_plans = {}

        def plans_of(batch):
            for key in dict.fromkeys(k for k, _ in batch):
                if key not in worker_plans:
                    worker_plans[key] = plans[key].for_workers()
            return {key: worker_plans[key] for key in dict.fromkeys(k for k, _ in batch)}

        calls = (joblib.delayed(_run_batch)(plans_of(batch), batch, parent) for batch in batches)
        # Unordered: each result carries its (key, chunk) and is merged in chunk order
        # afterwards, so finishing order cannot change the results.
        for results in joblib.Parallel(return_as="generator_unordered")(calls):
            yield from results


def batch_items(items: Iterable, workers: int, total: int | None = None) -> Iterator[list]:
    """Contiguous batches, about four per worker (load balance, progress), at most MAX_BATCH.

    Lazy: ``items`` is read one batch at a time (``total`` is its length, if not sized).
    """
    total = len(items) if total is None else total
    size = max(1, min(MAX_BATCH, math.ceil(total / (4 * max(workers, 1)))))
    items = iter(items)
    while batch := list(itertools.islice(items, size)):
        yield batch


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
