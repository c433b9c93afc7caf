"""The Monte Carlo engine: replications cut into chunks, run by compiled kernels.

Generate (a population) -> draw (a design) -> estimate -> accumulate. One
kernel call runs a whole chunk of replications for one design; joblib runs
chunks in parallel; chunk results merge in chunk order, so a given seed gives
bit-identical results for any ``n_jobs``, backend or scheduling.

The pieces are public to the package so that studies (``simsample.config``)
can checkpoint chunk results and resume: :func:`build_plan`,
:func:`run_chunk`, :func:`execute` and :func:`assemble`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ._kernels.accumulate import FIRST_FAIL, N_KEEP, merge_into, new_accumulator
from ._rng import as_seed_sequence, chunk_states
from ._task import KernelTask
from ._validation import InvalidParameterError, check_choice, check_int, check_real
from .designs import check_designs
from .population import Population

#: Replications per chunk. A constant of the engine, never a function of
#: n_jobs: the random streams are addressed by chunk, so changing it changes
#: results.
CHUNK_SIZE = 4096
#: Replicate estimates kept per design when ``keep_estimates=True``.
DEFAULT_KEEP = 100_000
#: Failing replications remembered per (design, method), for replay.
MAX_FAILURE_KEYS = 5
BACKENDS = ("loky", "threading", "dask", "cuda")
ESTIMANDS = ("mean", "difference")


@dataclass(frozen=True)
class Plan:
    """Everything needed to run any chunk of a simulation, in any process."""

    tasks: tuple[KernelTask, ...]
    names: tuple[str, ...]
    reps: int
    level: float
    seed: np.random.SeedSequence
    keep: int
    estimand: str = "mean"
    population: Population | None = field(default=None, compare=False)
    designs: dict | None = field(default=None, compare=False)

    @property
    def n_chunks(self) -> int:
        return -(-self.reps // CHUNK_SIZE)

    def chunk_reps(self, chunk: int) -> int:
        return min(CHUNK_SIZE, self.reps - chunk * CHUNK_SIZE)

    def chunk_keep(self, chunk: int) -> int:
        return int(np.clip(self.keep - chunk * CHUNK_SIZE, 0, self.chunk_reps(chunk)))

    def for_workers(self) -> Plan:
        """The plan without the objects workers do not need (smaller to send)."""
        return Plan(self.tasks, self.names, self.reps, self.level, self.seed, self.keep,
                    self.estimand)


@dataclass
class ChunkResult:
    """Accumulators (one per design) and kept replications of one chunk."""

    acc: list[np.ndarray]
    kept: list[np.ndarray]


def simulate(population: Population, designs, reps: int, *, seed=None, n_jobs: int = 1,
             level: float = 0.95, keep_estimates: bool | int = False, progress: bool | None = None,
             backend: str = "loky", estimand: str = "mean"):
    """Draw ``reps`` samples under each design and summarise the estimators.

    Parameters
    ----------
    population : Population
    designs : Design, list of Design, or dict of name -> Design
        Every replication draws one independent sample under each design.
    reps : int
        Number of replications (>= 1).
    seed : None, int or SeedSequence
        Same seed, same results, bit for bit, whatever ``n_jobs`` or
        ``backend``. None draws fresh entropy, recorded in ``Study.seed``.
    n_jobs : int
        Worker processes (joblib convention: -1 = all cores). Parallel start-up
        costs about a second; below a few seconds of work ``n_jobs=1`` is faster.
    level : float
        Confidence level of the intervals.
    keep_estimates : bool or int
        Keep per-replication estimates and intervals (``Study.estimates``): True
        keeps the first 100,000 replications, an int that many. Otherwise
        memory does not grow with ``reps``.
    progress : bool or None
        A progress bar on stderr: None shows it for runs longer than 2 s.
    backend : {"loky", "threading", "dask", "cuda"}
        joblib backend for ``n_jobs != 1``. "dask" needs an active
        ``distributed.Client``. "cuda" runs the replications on an NVIDIA GPU
        (SRS, TwoStage and ClusterSample, the mean; see
        :mod:`simsample.cuda_backend`): reproducible for a given seed and
        launch configuration, and statistically (not bitwise) equal to the
        CPU engine.
    estimand : {"mean", "difference"}
        What the designs estimate: the population mean, or (for a population
        with a covariate x) differences and micro/macro effects of x; see
        :mod:`simsample.effects`.

    Returns
    -------
    Study
    """
    plan = build_plan(population, designs, reps, seed=seed, level=level,
                      keep_estimates=keep_estimates, estimand=estimand)
    n_jobs = _check_n_jobs(n_jobs)
    check_choice(backend, "backend", BACKENDS, owner="simulate")
    if backend == "cuda":
        from .cuda_backend import simulate_cuda

        return simulate_cuda(plan, progress=progress)
    results = execute(plan, range(plan.n_chunks), n_jobs=n_jobs, backend=backend,
                      progress=progress)
    return assemble(plan, results)


def build_plan(population: Population, designs, reps: int, *, seed=None, level: float = 0.95,
               keep_estimates: bool | int = False, estimand: str = "mean") -> Plan:
    """Validate every input and prepare the kernels' inputs (before any compute)."""
    if not isinstance(population, Population):
        raise InvalidParameterError(
            f"'population' must be a simsample Population; got {type(population).__name__}.")
    designs = check_designs(designs)
    reps = check_int(reps, "reps", low=1, owner="simulate")
    level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True,
                       owner="simulate")
    check_choice(estimand, "estimand", ESTIMANDS, owner="simulate")
    if isinstance(keep_estimates, bool):
        keep = min(reps, DEFAULT_KEEP) if keep_estimates else 0
    else:
        keep = min(reps, check_int(keep_estimates, "keep_estimates", low=0, owner="simulate"))
    for design in designs.values():
        design.check(population)
    tasks = tuple(design._task(population, level, estimand) for design in designs.values())
    return Plan(tasks=tasks, names=tuple(designs), reps=reps, level=level,
                seed=as_seed_sequence(seed), keep=keep, estimand=estimand,
                population=population, designs=designs)


def run_chunk(plan: Plan, chunk: int) -> ChunkResult:
    """Run replication chunk ``chunk`` of every design: one kernel call per design."""
    reps = plan.chunk_reps(chunk)
    keep = plan.chunk_keep(chunk)
    states = chunk_states(plan.seed, chunk, len(plan.tasks))
    accs, kept = [], []
    for task, state in zip(plan.tasks, states):
        acc = new_accumulator(len(task.methods))
        rows = np.full((len(task.methods), keep, N_KEEP), np.nan)
        task.run(state, reps, acc, rows)
        accs.append(acc)
        kept.append(rows)
    return ChunkResult(accs, kept)


def _run_batch(plan: Plan, chunks: list[int]) -> list[ChunkResult]:
    """Worker entry point: a contiguous batch of chunks."""
    plan = Plan(tuple(t.writable() for t in plan.tasks), plan.names, plan.reps, plan.level,
                plan.seed, plan.keep, plan.estimand)
    return [run_chunk(plan, chunk) for chunk in chunks]


def execute(plan: Plan, chunks: Iterable[int], *, n_jobs: int = 1, backend: str = "loky",
            progress: bool | None = None) -> Iterator[tuple[int, ChunkResult]]:
    """Run ``chunks`` and yield ``(chunk, result)`` in the order given.

    The first chunk runs in this process (compiling the kernels once, so that
    workers load them from the cache instead of compiling in parallel).
    """
    chunks = list(chunks)
    bar = _progress_bar(sum(plan.chunk_reps(c) for c in chunks), progress)
    try:
        if not chunks:
            return
        first = run_chunk(plan, chunks[0])
        bar.update(plan.chunk_reps(chunks[0]))
        yield chunks[0], first
        rest = chunks[1:]
        if n_jobs == 1 or not rest:
            for chunk in rest:
                result = run_chunk(plan, chunk)
                bar.update(plan.chunk_reps(chunk))
                yield chunk, result
            return
        yield from _execute_parallel(plan, rest, n_jobs, backend, bar)
    finally:
        bar.close()


def _execute_parallel(plan, chunks, n_jobs, backend, bar):
    import joblib

    with joblib.parallel_config(backend=backend, n_jobs=n_jobs):
        workers = joblib.effective_n_jobs(n_jobs)
        batches = _batches(chunks, workers)
        worker_plan = plan.for_workers()
        parallel = joblib.Parallel(return_as="generator")
        outputs = parallel(joblib.delayed(_run_batch)(worker_plan, batch) for batch in batches)
        for batch, results in zip(batches, outputs):
            for chunk, result in zip(batch, results):
                bar.update(plan.chunk_reps(chunk))
                yield chunk, result


def _batches(chunks: list[int], workers: int) -> list[list[int]]:
    """Contiguous batches, about four per worker (for load balance and progress)."""
    n_batches = min(len(chunks), 4 * max(workers, 1))
    return [list(part) for part in np.array_split(np.asarray(chunks), n_batches) if len(part)]


def assemble(plan: Plan, results: Iterable[tuple[int, ChunkResult]]):
    """Merge chunk results, in chunk order, into a :class:`~simsample.results.Study`."""
    from .results import Study

    totals = [new_accumulator(len(task.methods)) for task in plan.tasks]
    kept = [[] for _ in plan.tasks]
    failures = {(name, method): [] for name, task in zip(plan.names, plan.tasks)
                for method in task.methods}
    expected = 0
    for chunk, result in results:
        if chunk != expected:
            raise RuntimeError(f"chunk results out of order: got {chunk}, expected {expected}")
        expected += 1
        for d, (name, task) in enumerate(zip(plan.names, plan.tasks)):
            merge_into(totals[d], result.acc[d])
            kept[d].append(result.kept[d])
            for row, method in enumerate(task.methods):
                first = result.acc[d][row, FIRST_FAIL]
                keys = failures[(name, method)]
                if first >= 0 and len(keys) < MAX_FAILURE_KEYS:
                    keys.append((chunk, int(first)))
    if expected != plan.n_chunks:
        raise RuntimeError(f"got {expected} of {plan.n_chunks} chunk results")
    kept = [np.concatenate(parts, axis=1) if parts else None for parts in kept]
    return Study(plan, totals, kept, failures)


def _check_n_jobs(n_jobs) -> int:
    n_jobs = check_int(n_jobs, "n_jobs", owner="simulate")
    if n_jobs == 0:
        raise InvalidParameterError(
            "'n_jobs' of simulate must be a positive int, or negative to count back from "
            "all cores (-1 = all); got 0.")
    return n_jobs


def _progress_bar(total: int, progress: bool | None):
    from tqdm import tqdm

    return tqdm(total=total, unit="rep", unit_scale=True, desc="simulate", file=sys.stderr,
                disable=progress is False, delay=2.0 if progress is None else 0.0,
                dynamic_ncols=True, leave=progress is True)
