"""Simulation studies: a grid of conditions, run chunk by chunk, checkpointed and resumable.

:func:`run_study` reads a study (:mod:`simsample.config`), builds one engine
plan per condition, runs every pending (condition, chunk) pair serially, with
joblib's loky backend or on a dask cluster, saves each finished chunk
(:mod:`simsample.checkpoint`) and writes the summary, figures and report
(:mod:`simsample.report`).

Seeds
    Condition ``c`` of a study with seed ``s`` draws its population from
    ``SeedSequence(s, spawn_key=(POPULATION, c))`` (unless the population has
    a fixed ``seed`` of its own) and its samples from the root
    ``SeedSequence(s, spawn_key=(SAMPLING, c))``, below which the engine
    addresses chunk ``i`` and design ``d`` as ``(SAMPLING, c, i, d)``. Results
    therefore depend on neither ``n_jobs``, the backend, the order in which
    chunks finish, nor the other conditions: adding replications keeps every
    complete chunk, adding conditions at the end keeps every existing
    condition, bit for bit.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import engine
from ._kernels.accumulate import (
    KEEP_EST,
    KEEP_LOWER,
    KEEP_SE,
    KEEP_UPPER,
    N_KEEP,
    N_STATS,
    new_accumulator,
)
from ._rng import POPULATION, SAMPLING, child, chunk_states, seed_entropy
from ._validation import InvalidParameterError, check_choice, check_int
from .checkpoint import Checkpoint, CheckpointMismatchError, manifest
from .config import (
    DESIGN_KINDS,
    POPULATION_KINDS,
    Condition,
    StudyFileError,
    StudySpec,
    load_study,
    stable_hash,
)

#: Backends of :func:`run_study`.
STUDY_BACKENDS = ("loky", "dask", "cuda")
#: Most chunks in one parallel task: bounds the work lost when a run is killed.
MAX_BATCH = 8
DISTRIBUTED_MISSING = ("backend='dask' needs dask.distributed, which is not installed: "
                       "pip install 'simsample[distributed]'")


class MissingDependencyError(ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def run_study(study, out=None, *, n_jobs: int = 1, backend: str = "loky", resume: bool = False,
              reps: int | None = None, scheduler=None, progress: bool | None = None) -> StudyRun:
    """Run every condition of a study, checkpointing as chunks finish.

    Parameters
    ----------
    study : str, Path, dict or StudySpec
        A study file (TOML, see :mod:`simsample.config`) or its content.
    out : str or Path, optional
        Output folder: ``manifest.json`` and ``checkpoint/`` while running, then
        ``summary.csv``, ``summary.json``, the figures and ``report.html``.
        Nothing is written (nor the folder created) before the whole study has
        been validated. None runs in memory only.
    n_jobs : int
        Parallel workers (joblib convention, -1 = all cores). With
        ``backend="dask"`` and no scheduler, the size of the LocalCluster.
    backend : {"loky", "dask", "cuda"}
        "dask" runs on a ``distributed`` cluster: the one at ``scheduler``, else
        the active ``distributed.Client``, else a LocalCluster made for this
        run (``n_jobs`` single-threaded workers in this process, closed
        afterwards). Needs ``pip install 'simsample[distributed]'``.
        "cuda" runs each condition on an NVIDIA GPU (see
        :mod:`simsample.cuda_backend`): no chunk checkpoints (``resume`` is
        refused), results reproducible for a seed and launch configuration
        but not bitwise equal to the CPU backends'.
    resume : bool
        Continue the study checkpointed in ``out``: finished chunks are read
        back, the rest computed. Refused if ``out`` holds another study (a
        different file, seed or simsample version). Without ``resume``, an
        ``out`` that holds a study is refused.
    reps : int, optional
        Replications per condition, replacing the study's ``reps``.
    scheduler : str or distributed.Client, optional
        Address of a dask scheduler (``tcp://host:8786``), with ``backend="dask"``.
    progress : bool or None
        A progress bar over all chunks on stderr (None: shown after 2 s).

    Returns
    -------
    StudyRun
        The studies of all conditions and their tidy summary. The same study
        and seed give bit-identical results whatever ``n_jobs``, ``backend``,
        and however often the run was interrupted and resumed.
    """
    spec = study if isinstance(study, StudySpec) else load_study(study)
    if reps is not None:
        spec = spec.with_reps(reps)
    n_jobs = check_int(n_jobs, "n_jobs", owner="run_study")
    if n_jobs == 0:
        raise InvalidParameterError(
            "'n_jobs' of run_study must be a positive int, or negative to count back from all "
            "cores (-1 = all); got 0.")
    check_choice(backend, "backend", STUDY_BACKENDS, owner="run_study")
    if resume and out is None:
        raise InvalidParameterError("'resume' of run_study needs an output folder 'out'.")
    if scheduler is not None and backend != "dask":
        raise InvalidParameterError(
            f"'scheduler' of run_study needs backend='dask'; got backend={backend!r}.")
    if backend == "dask":
        _import_distributed()
    conditions = spec.conditions()
    cache: dict = {}
    plans = [build_condition(spec, condition, cache) for condition in conditions]
    records = [condition_record(spec, condition) for condition in conditions]
    hashes = [stable_hash(record) for record in records]
    if backend == "cuda":
        return _run_on_gpu(spec, conditions, plans, records, out, resume, progress)

    store = None
    if out is not None:
        store = Checkpoint(out)
        record = manifest(version=_version(), chunk_size=engine.CHUNK_SIZE, seed=spec.seed,
                          study_digest=spec.digest(), source=spec.source, reps=spec.reps,
                          conditions=list(zip(hashes, records)))
        if store.exists:
            if not resume:
                raise CheckpointMismatchError(
                    f"output folder {store.out} already holds a study; resume it "
                    "(resume=True, --resume) or choose another output folder.")
            store.check_compatible(record)
        store.begin(record)

    results: dict[tuple[int, int], engine.ChunkResult] = {}
    pending = []
    for c, plan in enumerate(plans):
        for i in range(plan.n_chunks):
            loaded = None
            if store is not None and resume:
                loaded = store.load(c, i, hashes[c], plan.chunk_reps(i), _shapes(plan, i))
            if loaded is None:
                pending.append((c, i))
            else:
                results[(c, i)] = loaded
    total = sum(plan.reps for plan in plans)
    done = sum(plans[c].chunk_reps(i) for c, i in results)
    bar = _progress_bar(spec.name, total, done, progress)
    started = time.perf_counter()
    try:
        with (_dask_client(scheduler, n_jobs) if backend == "dask" else nullcontext()) as client:
            for (c, i), result in _execute(plans, pending, n_jobs, backend, client):
                if store is not None:
                    store.save(c, i, hashes[c], plans[c].chunk_reps(i), result)
                results[(c, i)] = result
                bar.update(plans[c].chunk_reps(i))
    finally:
        bar.close()
    elapsed = time.perf_counter() - started
    studies = [engine.assemble(plan, ((i, results[(c, i)]) for i in range(plan.n_chunks)))
               for c, plan in enumerate(plans)]
    run = StudyRun(spec, conditions, studies, records, out=None if out is None else Path(out),
                   reused_chunks=len(results) - len(pending), computed_chunks=len(pending),
                   seconds=elapsed)
    if out is not None:
        from .report import write_outputs

        write_outputs(run, Path(out))
    return run


def _run_on_gpu(spec, conditions, plans, records, out, resume, progress) -> StudyRun:
    """Every condition on the GPU, one ``simulate_cuda`` call each (validated first)."""
    from .cuda_backend import check_available, check_plan, simulate_cuda

    if resume:
        raise InvalidParameterError(
            "'resume' of run_study is not available with backend='cuda' (GPU runs are not "
            "checkpointed); run again without resume.")
    for plan in plans:
        check_plan(plan)
    check_available()
    if out is not None and Checkpoint(out).exists:
        raise CheckpointMismatchError(
            f"output folder {Path(out)} already holds a study; choose another output folder.")
    bar = _progress_bar(spec.name, sum(plan.reps for plan in plans), 0, progress)
    started = time.perf_counter()
    studies = []
    try:
        for plan in plans:
            studies.append(simulate_cuda(plan, progress=False))
            bar.update(plan.reps)
    finally:
        bar.close()
    run = StudyRun(spec, conditions, studies, records, out=None if out is None else Path(out),
                   reused_chunks=0, computed_chunks=0, seconds=time.perf_counter() - started)
    if out is not None:
        from .report import write_outputs

        write_outputs(run, Path(out))
    return run


def _shapes(plan: engine.Plan, chunk: int):
    keep = plan.chunk_keep(chunk)
    return [((len(t.methods), N_STATS), (len(t.methods), keep, N_KEEP)) for t in plan.tasks]


def _version() -> str:
    from . import __version__

    return __version__


# -- conditions ------------------------------------------------------------------------------

def population_seed(spec: StudySpec, condition: Condition):
    """The population's seed: its own fixed ``seed``, else ``(POPULATION, c)`` under the study's."""
    if "seed" in condition.population:
        return condition.population["seed"]
    return child(np.random.SeedSequence(spec.seed), POPULATION, condition.index)


def sampling_seed(spec: StudySpec, condition: Condition) -> np.random.SeedSequence:
    """The root of condition ``c``'s sampling streams: ``(SAMPLING, c)`` below the study seed."""
    return child(np.random.SeedSequence(spec.seed), SAMPLING, condition.index)


def condition_record(spec: StudySpec, condition: Condition) -> dict:
    """Everything that determines a condition's results, except ``reps`` (its identity)."""
    kind = POPULATION_KINDS[condition.population["generator"]]
    seed = None
    if kind.seeded:
        seed = population_seed(spec, condition)
        seed = seed_entropy(seed) if isinstance(seed, np.random.SeedSequence) else seed
    return {"index": condition.index, "estimand": spec.estimand, "level": spec.level,
            "population": condition.population, "population_seed": seed,
            "sampling_seed": seed_entropy(sampling_seed(spec, condition)),
            "designs": condition.designs, "files": spec.files}


def build_condition(spec: StudySpec, condition: Condition, cache: dict | None = None):
    """The engine plan of one condition (validating its population and designs).

    ``cache`` shares populations between conditions that have the same one
    (same parameters and seed).
    """
    where = f"condition {condition.index}"
    if condition.values:
        where += " (" + ", ".join(f"{k}={v!r}" for k, v in condition.values.items()) + ")"
    population = _build_population(spec, condition, where, cache)
    designs = {}
    for name, params in condition.designs.items():
        params = dict(params)
        kind = DESIGN_KINDS[params.pop("kind")]
        try:
            design = kind.factory(**params)
            design.check(population)
        except (ValueError, TypeError) as exc:
            raise StudyFileError(
                f"{spec.source}: [designs.{name}]: {where}: {_line(exc)}") from None
        designs[name] = design
    try:
        return engine.build_plan(population, designs, spec.reps,
                                 seed=sampling_seed(spec, condition), level=spec.level,
                                 estimand=spec.estimand)
    except (ValueError, TypeError) as exc:
        raise StudyFileError(f"{spec.source}: {where}: {_line(exc)}") from None


def _build_population(spec, condition, where, cache):
    params = dict(condition.population)
    generator = params.pop("generator")
    kind = POPULATION_KINDS[generator]
    for name in kind.paths:
        if name in params:
            if "name" in kind.parameters and params.get("name") is None:
                params["name"] = str(params[name])  # named as in the study file, not by full path
            params[name] = spec.base_dir / params[name]
    if kind.seeded:
        params["seed"] = population_seed(spec, condition)
    key = stable_hash({"population": condition.population, "files": spec.files,
                       "seed": seed_entropy(params["seed"])
                       if isinstance(params.get("seed"), np.random.SeedSequence)
                       else params.get("seed")})
    if cache is not None and key in cache:
        return cache[key]
    try:
        population = kind.factory(**params)
    except (ValueError, TypeError, OSError) as exc:
        raise StudyFileError(f"{spec.source}: [population]: {where}: {_line(exc)}") from None
    if cache is not None:
        cache[key] = population
    return population


def _line(exc) -> str:
    return " ".join(str(exc).split())


# -- running chunks --------------------------------------------------------------------------

def _execute(plans, tasks, n_jobs, backend, client) -> Iterator[tuple[tuple[int, int], object]]:
    """Run ``(condition, chunk)`` tasks; yield each result as it finishes (any order).

    The first task runs in this process, compiling the kernels once so that
    workers load them from numba's cache instead of compiling in parallel.
    Results are merged later in chunk order, so the order here is free.
    """
    if not tasks:
        return
    c, i = tasks[0]
    yield (c, i), engine.run_chunk(plans[c], i)
    rest = tasks[1:]
    if not rest:
        return
    if backend != "dask" and (n_jobs == 1 or len(rest) == 1):
        for c, i in rest:
            yield (c, i), engine.run_chunk(plans[c], i)
        return
    yield from _execute_parallel(plans, rest, n_jobs, backend, client)


def _execute_parallel(plans, tasks, n_jobs, backend, client):
    import joblib

    parent = os.getpid()
    config = {"backend": backend, "n_jobs": n_jobs if backend != "dask" else -1}
    if client is not None:
        config["client"] = client
    if backend == "loky":  # arm the watchdog as each worker starts, not at its first task
        config.update(initializer=_exit_with_parent, initargs=(parent,))
    with joblib.parallel_config(**config):
        workers = joblib.effective_n_jobs(config["n_jobs"])
        size = max(1, min(MAX_BATCH, math.ceil(len(tasks) / (4 * max(workers, 1)))))
        batches = [tasks[start:start + size] for start in range(0, len(tasks), size)]
        worker_plans = {c: plans[c].for_workers() for c in dict.fromkeys(c for c, _ in tasks)}
        calls = (joblib.delayed(_run_batch)(
            {c: worker_plans[c] for c in dict.fromkeys(c for c, _ in batch)}, batch, parent)
            for batch in batches)
        # Unordered: each result carries its (condition, chunk) key and is merged in
        # chunk order afterwards, so finishing order cannot change the results.
        for results in joblib.Parallel(return_as="generator_unordered")(calls):
            yield from results


def _run_batch(plans: dict, batch: list[tuple[int, int]], parent: int):
    """Worker entry point: a batch of (condition, chunk) tasks."""
    _exit_with_parent(parent)
    plans = {c: dataclasses.replace(plan, tasks=tuple(t.writable() for t in plan.tasks))
             for c, plan in plans.items()}
    return [((c, i), engine.run_chunk(plans[c], i)) for c, i in batch]


_watchdog: threading.Thread | None = None


def _exit_with_parent(parent: int) -> None:
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


def _import_distributed():
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise MissingDependencyError(DISTRIBUTED_MISSING) from None
    return distributed


@contextmanager
def _dask_client(scheduler, n_jobs: int):
    """The client to run on: ``scheduler``'s, the active one, or a small LocalCluster."""
    distributed = _import_distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if scheduler is not None:
        with distributed.Client(scheduler, set_as_default=False) as client:
            yield client
        return
    try:
        active = distributed.default_client()
    except ValueError:
        active = None
    if active is not None:
        yield active
        return
    workers = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    # Threads in this process: the kernels release the GIL, and nothing is pickled.
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


def _progress_bar(name: str, total: int, done: int, progress: bool | None):
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="rep", unit_scale=True, desc=name,
                file=sys.stderr, disable=progress is False,
                delay=2.0 if progress is None else 0.0, dynamic_ncols=True,
                leave=progress is True)


# -- results ---------------------------------------------------------------------------------

class StudyRun:
    """The outcome of :func:`run_study`: one :class:`~simsample.Study` per condition.

    Attributes
    ----------
    spec : StudySpec
    conditions : list of Condition
        Index, grid values and resolved tables of each condition.
    studies : list of Study
        ``studies[c]`` holds condition ``c``'s results.
    out : Path or None
    reused_chunks, computed_chunks : int
        Chunks read back from the checkpoint and computed in this run.
    """

    def __init__(self, spec, conditions, studies, records, *, out=None, reused_chunks=0,
                 computed_chunks=0, seconds=0.0):
        self.spec = spec
        self.conditions = conditions
        self.studies = studies
        self._records = records
        self.out = out
        self.reused_chunks = reused_chunks
        self.computed_chunks = computed_chunks
        self.seconds = seconds

    @property
    def columns(self) -> list[str]:
        """The grid's columns in the summary (one per varied parameter)."""
        return list(self.spec.columns.values())

    def summary(self) -> pd.DataFrame:
        """Tidy table: one row per condition x design x method.

        Columns: ``condition``, one column per grid parameter, then every
        column of :meth:`Study.summary` (with the Monte Carlo standard errors
        and ``n_failed``).
        """
        frames = []
        for condition, study in zip(self.conditions, self.studies):
            frame = study.summary()
            frame.insert(0, "condition", condition.index)
            for position, (column, value) in enumerate(condition.values.items(), start=1):
                frame.insert(position, column, [value] * len(frame))
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    @property
    def failures(self) -> dict[tuple[int, str, str], list[tuple[int, int]]]:
        """(condition, design, method) -> first (chunk, rep) keys of failed replications."""
        return {(c.index, design, method): list(keys)
                for c, study in zip(self.conditions, self.studies)
                for (design, method), keys in study.failures.items() if keys}

    def replay(self, condition: int, design: str, chunk: int, rep: int) -> Replay:
        """Recompute one replication, e.g. a failure key (see :func:`replay`)."""
        return replay(self.spec, condition, design, chunk, rep)

    def to_dict(self) -> dict:
        """The JSON record written to ``summary.json`` (nothing run-specific: no times, paths)."""
        conditions = []
        for condition, study, record in zip(self.conditions, self.studies, self._records):
            conditions.append({
                "index": condition.index, "values": condition.values,
                "population": repr(study.population),
                "population_seed": record["population_seed"],
                "sampling_seed": record["sampling_seed"],
                "designs": {name: str(d) for name, d in study.designs.items()},
                "failures": {f"{d}/{m}": [list(k) for k in keys]
                             for (d, m), keys in study.failures.items() if keys},
            })
        return {"study": self.spec.normalised(), "simsample": _version(),
                "chunk_size": engine.CHUNK_SIZE, "columns": self.spec.columns,
                "conditions": conditions,
                "summary": self.summary().to_dict(orient="records")}

    def __repr__(self):
        return (f"StudyRun({self.spec.name!r}, {len(self.conditions)} conditions, "
                f"reps={self.spec.reps})")


# -- replay ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Replay:
    """One replication recomputed from its key: the sample drawn and the kernel's estimates.

    ``sample`` is None for designs that cannot draw a single sample outside
    their kernel. ``estimates`` has one row per method: estimate, se, lower,
    upper and ``failed`` (a non-finite estimate or SE).
    """

    condition: int
    design: str
    chunk: int
    rep: int
    sample: object
    estimates: pd.DataFrame


def replay(study, condition: int, design: str, chunk: int, rep: int) -> Replay:
    """Recompute replication ``rep`` of chunk ``chunk`` of ``design`` in ``condition``.

    The key is the one in ``Study.failures`` / ``summary.json``. The design's
    kernel runs the chunk's first ``rep + 1`` replications from the chunk's
    stream and keeps the last one (``estimates``; ``failed`` marks a non-finite
    estimate or SE). ``sample`` is drawn with the generator state after ``rep``
    replications, which is replication ``rep``'s sample for designs whose kernel
    draws exactly one sample per replication, as ``Design.draw`` does.
    """
    from .designs import Sample

    spec = study if isinstance(study, StudySpec) else load_study(study)
    conditions = spec.conditions()
    condition = check_int(condition, "condition", low=0, high=len(conditions) - 1, owner="replay")
    plan = build_condition(spec, conditions[condition])
    if design not in plan.names:
        raise InvalidParameterError(
            f"'design' of replay must be one of {list(plan.names)}; got {design!r}.")
    chunk = check_int(chunk, "chunk", low=0, high=plan.n_chunks - 1, owner="replay")
    rep = check_int(rep, "rep", low=0, high=plan.chunk_reps(chunk) - 1, owner="replay")
    d = plan.names.index(design)
    task = plan.tasks[d]
    methods = len(task.methods)
    start = chunk_states(plan.seed, chunk, len(plan.tasks))[d]
    # the chunk's first rep + 1 replications, exactly as the engine ran them
    kept = np.full((methods, rep + 1, N_KEEP), np.nan)
    task.run(start.copy(), rep + 1, new_accumulator(methods), kept)
    row = kept[:, rep, :]
    estimates = pd.DataFrame({"method": list(task.methods), "estimate": row[:, KEEP_EST],
                              "se": row[:, KEEP_SE], "lower": row[:, KEEP_LOWER],
                              "upper": row[:, KEEP_UPPER],
                              "failed": ~np.isfinite(row[:, KEEP_LOWER])})
    state = start.copy()
    if rep:
        task.run(state, rep, new_accumulator(methods), np.empty((methods, 0, N_KEEP)))
    try:
        drawn = plan.designs[design]._draw_stored(plan.population, state)
        sample = Sample(plan.population, plan.designs[design], *drawn)
    except NotImplementedError:
        sample = None
    return Replay(condition, design, chunk, rep, sample, estimates)


