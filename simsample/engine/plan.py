"""The run plan: validated inputs, one compiled task per design, chunks and their merge.

Generate (a population) -> draw (a design) -> analyse (the methods) ->
summarise. :func:`build_plan` validates everything and prepares one
:class:`~simsample.engine.task.KernelTask` per design before any compute;
:func:`run_chunk` runs replication chunk i of every design (one compiled call
each); :func:`assemble` merges chunk results in chunk order into a
:class:`~simsample.results.SimulationResult`. The same pieces serve
:func:`simsample.simulate` and the studies (``simsample.studies``), which
checkpoint chunk results and resume.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from .._kernels.accumulate import BOUNDS, FIRST_FAIL, N_KEEP, POINT, T_INTERVAL, merge_into
from .._kernels.accumulate import new_accumulator
from .._rng import as_seed_sequence, child, chunk_states, xoshiro_state
from .._limits import MAX_REPS, check_memory, check_units
from .._validation import InvalidParameterError, check_int, check_level
from ..designs import check_designs
from ..estimands import design_rows, get_estimand, resolve
from .loops import KernelRef, LoopSpec, UserKernel
from .task import KernelTask, t_quantiles

#: Replications per chunk. A constant of the engine, never a function of
#: n_jobs: the random streams are addressed by chunk, so changing it changes
#: results.
CHUNK_SIZE = 4096
#: Replicate estimates kept per design when ``keep_estimates=True``.
DEFAULT_KEEP = 100_000
#: Failing replications remembered per (design, method), for replay.
MAX_FAILURE_KEYS = 5
#: With user methods the t table covers every df up to this (beyond: the normal quantile).
USER_DF_TABLE = 10_000
_RULES = {"t": T_INTERVAL, "bounds": BOUNDS, "none": POINT}


@dataclass(frozen=True)
class RunPlan:
    """Everything needed to run any chunk of a simulation, in any process."""

    tasks: tuple[KernelTask, ...]
    names: tuple[str, ...]
    reps: int
    level: float
    seed: np.random.SeedSequence
    keep: int
    estimand: str = "mean"
    population: object = field(default=None, compare=False)
    designs: dict | None = field(default=None, compare=False)

    @property
    def n_chunks(self) -> int:
        return -(-self.reps // CHUNK_SIZE)

    def chunk_reps(self, chunk: int) -> int:
        return min(CHUNK_SIZE, self.reps - chunk * CHUNK_SIZE)

    def chunk_keep(self, chunk: int) -> int:
        return int(np.clip(self.keep - chunk * CHUNK_SIZE, 0, self.chunk_reps(chunk)))

    def for_workers(self) -> RunPlan:
        """The plan without the objects workers do not need (smaller to send)."""
        return RunPlan(self.tasks, self.names, self.reps, self.level, self.seed, self.keep,
                       self.estimand)

    def writable(self) -> RunPlan:
        """The plan as a worker runs it (see :meth:`KernelTask.writable`)."""
        return RunPlan(tuple(t.writable() for t in self.tasks), self.names, self.reps,
                       self.level, self.seed, self.keep, self.estimand)


#: The name the engine's plan had before studies got their own: kept for callers.
Plan = RunPlan


@dataclass
class ChunkResult:
    """Accumulators (one per design) and kept replications of one chunk."""

    acc: list[np.ndarray]
    kept: list[np.ndarray]


def build_task(design, population, level: float, estimand: str = "mean",
               methods=None) -> KernelTask:
    """The compiled replication loop of ``design`` for ``methods`` of ``estimand``."""
    est = get_estimand(estimand, owner="simulate")
    sampler = design.sampler(population)
    check_units(sampler.max_n, "n", str(design), count="units in one sample")
    check_memory(32 * sampler.max_n, "n", str(design), "Draw smaller samples.")  # buffers
    est.check(design, sampler, population)
    methods = resolve(methods, estimand, est.default_methods(population))
    users = [m for m in methods if not m.builtin]
    missing = [m.name for m in users if m.kernel_for(sampler.form) is None]
    if missing:
        raise InvalidParameterError(
            f"design {design} hands methods the {sampler.form!r} sample form, for which "
            f"methods {missing} have no kernel.")
    fixed = [m.name for m in methods if m.level is not None and m.level != level]
    if fixed:
        raise InvalidParameterError(
            f"methods {fixed} compute their intervals at one level only "
            f"({[m.level for m in methods if m.name in fixed]}); got level={level}.")
    n_rows = design_rows(est, methods, design, sampler)
    sampler = design.select_rows(sampler, methods)
    builtin, prepare, arrange, eparams = est.builtin(sampler, population)
    any_builtin = len(users) < len(methods)
    if any_builtin and builtin is None:
        raise InvalidParameterError(f"estimand {estimand!r} has no built-in estimator.")
    spec = LoopSpec(
        prepare=KernelRef(sampler.module, sampler.prepare),
        draw=KernelRef(sampler.module, sampler.draw), call=est.call,
        builtin=KernelRef(*builtin) if any_builtin else None, form_slots=sampler.form_slots,
        estimand_prepare=KernelRef(*prepare) if prepare is not None else None,
        arrange=KernelRef(*arrange) if arrange is not None else None,
        n_builtin_rows=n_rows,
        users=tuple(UserKernel(m.kernel_for(sampler.form), est.call == "paired", m.needs_rng)
                    for m in users))
    rows = [m.builtin_row if m.builtin else n_rows + users.index(m)
            for m in methods]
    y, x = est.values(population)
    spec = replace(spec, **_arities(sampler, est, prepare, eparams),
                   record=tuple((row, _RULES[m.interval], m.reports_singular)
                                for row, m in zip(rows, methods)))
    tq = t_quantiles(level, est.builtin_dfs(sampler),
                     upto=max(USER_DF_TABLE, sampler.max_n) if users else None)
    return KernelTask(
        spec=spec, args=(y, x, sampler.params, eparams, sampler.n_units, sampler.form_groups),
        methods=tuple(m.name for m in methods),
        estimators=tuple(est.estimator(m, design, population) for m in methods),
        targets=tuple(est.target(m) for m in methods),
        truth=np.array([est.truth(m, population) for m in methods]),
        tq=tq,
        stream_keys=tuple(m.stream_key for m in users if m.needs_rng),
        builtin=tuple(m.builtin for m in methods),
        reports_singular=tuple(m.reports_singular for m in methods))


def _arities(sampler, est, prepare, eparams) -> dict:
    """How many entries the loop unpacks from each tuple (it passes them one by one)."""
    scr = sampler.kernel(sampler.prepare)(sampler.params)
    n_escratch = 0
    if prepare is not None:
        module, name = prepare
        n_escratch = len(getattr(importlib.import_module(module), name)(*scr[:4], *eparams))
    return {"n_params": len(sampler.params), "n_scratch": len(scr),
            "n_eparams": len(eparams) if est.call == "paired" else 0,
            "n_escratch": n_escratch}


def build_plan(population, designs, reps: int, *, seed=None, level: float = 0.95,
               keep_estimates: bool | int = False, estimand: str = "mean",
               methods=None) -> RunPlan:
    """Validate every input and prepare the kernels' inputs (before any compute)."""
    from ..population import Population

    if not isinstance(population, Population):
        raise InvalidParameterError(
            f"'population' must be a simsample Population; got {type(population).__name__}.")
    designs = check_designs(designs)
    reps = check_int(reps, "reps", low=1, owner="simulate")
    if reps > MAX_REPS:  # the float64 counts of the accumulators are exact up to 2**53
        raise InvalidParameterError(f"'reps' of simulate must be at most 2**53; got {reps}.")
    level = check_level(level, owner="simulate")
    get_estimand(estimand, owner="simulate")
    if isinstance(keep_estimates, (bool, np.bool_)):
        keep = min(reps, DEFAULT_KEEP) if keep_estimates else 0
    else:
        keep = min(reps, check_int(keep_estimates, "keep_estimates", low=0, owner="simulate"))
    for design in designs.values():
        design.check(population)
    tasks = tuple(build_task(design, population, level, estimand, methods)
                  for design in designs.values())
    return RunPlan(tasks=tasks, names=tuple(designs), reps=reps, level=level,
                   seed=as_seed_sequence(seed), keep=keep, estimand=estimand,
                   population=population, designs=designs)


def method_states(plan: RunPlan, chunk: int, design: int) -> np.ndarray:
    """Streams of the design's random methods in ``chunk``: key (chunk, design, method)."""
    keys = plan.tasks[design].stream_keys
    states = np.empty((max(len(keys), 1), 4), np.uint64)
    for j, key in enumerate(keys):
        states[j] = xoshiro_state(child(plan.seed, chunk, design, key))
    return states


def run_chunk(plan: RunPlan, chunk: int) -> ChunkResult:
    """Run replication chunk ``chunk`` of every design: one compiled call per design."""
    reps = plan.chunk_reps(chunk)
    keep = plan.chunk_keep(chunk)
    states = chunk_states(plan.seed, chunk, len(plan.tasks))
    accs, kept = [], []
    for d, (task, state) in enumerate(zip(plan.tasks, states)):
        acc = new_accumulator(len(task.methods))
        rows = np.full((len(task.methods), keep, N_KEEP), np.nan)
        task.run(state, method_states(plan, chunk, d), reps, acc, rows)
        accs.append(acc)
        kept.append(rows)
    return ChunkResult(accs, kept)


def assemble(plan: RunPlan, results: Iterable[tuple[int, ChunkResult]]):
    """Merge chunk results, in chunk order, into a :class:`~simsample.results.SimulationResult`."""
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
    return result_from_totals(plan, totals, kept, failures)


def result_from_totals(plan: RunPlan, totals, kept=None, failures=None):
    """The :class:`~simsample.results.SimulationResult` of merged accumulators (every backend)."""
    from ..results import SimulationResult

    if failures is None:
        failures = {(name, method): [] for name, task in zip(plan.names, plan.tasks)
                    for method in task.methods}
    return SimulationResult(plan, totals, kept or [None] * len(plan.tasks), failures)
