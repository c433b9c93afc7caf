"""Simulation studies: a grid of conditions, run chunk by chunk, checkpointed and resumable.

:func:`run_study` reads a study (:mod:`simsample.studies.config`), builds one engine
plan per condition, runs every pending (condition, chunk) pair serially, with
joblib's loky backend or on a dask cluster, saves each finished chunk
(:mod:`.checkpoint`) and writes the summary, figures and report
(:mod:`.report`). The chunks run on the engine's executor, as ``simulate``'s do.

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

import os
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

from .. import __version__, engine
from .._kernels.accumulate import N_KEEP, new_accumulator
from .._limits import MAX_CONDITIONS, MAX_STUDY_CHUNKS
from .._validation import InvalidParameterError, check_choice, check_int
from ..engine.executor import check_n_jobs, execute
from ..engine.progress import check_progress, progress_bar
from .checkpoint import Checkpoint, CheckpointMismatchError, manifest
from .conditions import build_condition, condition_record
from .config import StudySpec, load_study, stable_hash
from .outcome import StudyRun

#: Backends of :func:`run_study`.
STUDY_BACKENDS = ("loky", "dask", "cuda")
DISTRIBUTED_MISSING = ("backend='dask' needs dask.distributed, which is not installed: "
                       "pip install 'simsample[distributed]'")


class MissingDependencyError(ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def run_study(study, out=None, *, n_jobs: int = 1, backend: str = "loky", resume: bool = False,
              reps: int | None = None, scheduler=None, progress: bool | None = None,
              max_conditions: int = MAX_CONDITIONS) -> StudyRun:
    """Run every condition of a study, checkpointing as chunks finish.

    Parameters
    ----------
    study : str, Path, dict or StudySpec
        A study file (TOML, see :mod:`simsample.studies.config`) or its content.
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
        :mod:`simsample.engine.backends.cuda`): no chunk checkpoints (``resume`` is
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
    max_conditions : int
        Largest grid run (default 10,000 conditions; ``--max-conditions`` of
        ``simsample run``). A larger grid is refused before any work, as is a
        study of more than 1,000,000 chunk files (``reps`` / 4096 per condition).

    Returns
    -------
    StudyRun
        The studies of all conditions and their tidy summary. The same study
        and seed give bit-identical results whatever ``n_jobs``, ``backend``,
        and however often the run was interrupted and resumed.

    Raises
    ------
    InvalidParameterError
        If the study or an argument is not valid (checked before anything runs).

    Examples
    --------
    >>> import simsample as ss
    >>> study = {"name": "tiny", "reps": 200, "seed": 11,
    ...          "population": {"generator": "two_level", "n_groups": 20, "group_size": 8},
    ...          "designs": {"SRS": {"kind": "SRS", "n": 16},
    ...                      "two-stage": {"kind": "TwoStage", "groups": 4, "per_group": 4}},
    ...          "grid": {"icc": [0.1, 0.3]}}
    >>> run = ss.run_study(study, progress=False)
    >>> table = run.summary()
    >>> sorted(table["icc"].unique().tolist()), len(table)
    ([0.1, 0.3], 8)
    """
    spec = study if isinstance(study, StudySpec) else load_study(study)
    if reps is not None:
        spec = spec.with_reps(reps)
    n_jobs = check_n_jobs(n_jobs, owner="run_study")
    check_choice(backend, "backend", STUDY_BACKENDS, owner="run_study")
    progress = check_progress(progress, owner="run_study")
    check_study_size(spec, check_int(max_conditions, "max_conditions", low=1, owner="run_study"))
    if resume and out is None:
        raise InvalidParameterError("'resume' of run_study needs an output folder 'out'.")
    if scheduler is not None and backend != "dask":
        raise InvalidParameterError(
            f"'scheduler' of run_study needs backend='dask'; got backend={backend!r}.")
    if backend == "dask":
        _import_distributed()
    conditions = list(spec.iter_conditions())
    cache: dict = {}
    plans = [build_condition(spec, condition, cache) for condition in conditions]
    records = [condition_record(spec, condition) for condition in conditions]
    hashes = [stable_hash(record) for record in records]
    if backend == "cuda":
        return _run_on_gpu(spec, conditions, plans, records, out, resume, progress)

    store = None
    if out is not None:
        store = Checkpoint(out)
        record = manifest(version=__version__, chunk_size=engine.CHUNK_SIZE, seed=spec.seed,
                          study_digest=spec.digest(), source=spec.source, reps=spec.reps,
                          conditions=list(zip(hashes, records)))
        store.claim(record, resume)
    try:
        return _run_chunks(spec, conditions, plans, records, hashes, store, out, resume, n_jobs,
                           backend, scheduler, progress)
    finally:
        if store is not None:
            store.release()


def check_study_size(spec: StudySpec, max_conditions: int) -> None:
    """Refuse a grid of more than ``max_conditions`` conditions, or too many chunk files."""
    count = spec.n_conditions
    if count > max_conditions:
        raise InvalidParameterError(
            f"the grid of study {spec.name or spec.source!r} has {count:,} conditions, more "
            f"than the limit of {max_conditions:,}; raise it with max_conditions= (simsample "
            "run --max-conditions N) or shorten the grid lists.")
    chunks = count * -(-spec.reps // engine.CHUNK_SIZE)
    if chunks > MAX_STUDY_CHUNKS:
        raise InvalidParameterError(
            f"'reps' of study {spec.name or spec.source!r} is {spec.reps:,}: {chunks:,} chunk "
            f"files of {engine.CHUNK_SIZE} replications, more than the limit of "
            f"{MAX_STUDY_CHUNKS:,}; lower reps (or run fewer conditions).")


def _run_chunks(spec, conditions, plans, records, hashes, store, out, resume, n_jobs, backend,
                scheduler, progress) -> StudyRun:
    """Read back the checkpointed chunks, compute the rest, assemble and write the outputs."""
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
    bar = progress_bar(spec.name, total, initial=done, progress=progress)
    started = time.perf_counter()
    try:
        with (_dask_client(scheduler, n_jobs) if backend == "dask" else nullcontext()) as client:
            for (c, i), result in execute(dict(enumerate(plans)), pending, n_jobs=n_jobs,
                                          backend=backend, client=client):
                if store is not None:
                    store.save(c, i, hashes[c], plans[c].chunk_reps(i), result)
                results[(c, i)] = result
                bar.update(plans[c].chunk_reps(i))
    finally:
        bar.close()
        if store is not None:
            store.flush_digests()
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
    from ..engine.backends.cuda import check_available, check_plan, simulate_cuda

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
    bar = progress_bar(spec.name, sum(plan.reps for plan in plans), progress=progress)
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


def _shapes(plan: engine.RunPlan, chunk: int):
    keep = plan.chunk_keep(chunk)
    return [(new_accumulator(len(t.methods)).shape, (len(t.methods), keep, N_KEEP))
            for t in plan.tasks]




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
