"""Replay: one replication of a study recomputed from its (condition, design, chunk, rep) key."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._kernels.accumulate import KEEP_EST, KEEP_LOWER, KEEP_SE, KEEP_UPPER, N_KEEP
from .._kernels.accumulate import new_accumulator
from .._rng import chunk_states
from .._validation import InvalidParameterError, check_int
from ..engine.plan import method_states
from .conditions import build_condition
from .config import StudySpec, load_study


@dataclass(frozen=True)
class Replay:
    """One replication recomputed from its key: the sample drawn and the kernel's estimates.

    ``sample`` is the replication's sample (for every design: it is drawn by
    the design's own drawing kernel, replayed from the chunk's stream).
    ``estimates`` has one row per method: estimate, se, lower,
    upper and ``failed`` (a non-finite estimate or SE).
    """

    condition: int
    design: str
    chunk: int
    rep: int
    sample: object
    estimates: object


def replay(study, condition: int, design: str, chunk: int, rep: int) -> Replay:
    """Recompute replication ``rep`` of chunk ``chunk`` of ``design`` in ``condition``.

    The key is the one in ``Study.failures`` / ``summary.json``. The design's
    kernel runs the chunk's first ``rep + 1`` replications from the chunk's
    stream and keeps the last one (``estimates``; ``failed`` marks a non-finite
    estimate or SE). ``sample`` is replication ``rep``'s sample: the design's
    drawing kernel run ``rep + 1`` times from the chunk's stream
    (:meth:`simsample.Design.replay`), so that even designs whose scratch
    carries over between replications (PPS) give the kernel's sample.
    """

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
    task.run(start.copy(), method_states(plan, chunk, d), rep + 1, new_accumulator(methods),
             kept)
    row = kept[:, rep, :]
    import pandas as pd

    estimates = pd.DataFrame({"method": list(task.methods), "estimate": row[:, KEEP_EST],
                              "se": row[:, KEEP_SE], "lower": row[:, KEEP_LOWER],
                              "upper": row[:, KEEP_UPPER],
                              "failed": ~np.isfinite(row[:, KEEP_LOWER])})
    # the design's drawing kernel, run rep + 1 times from the chunk's stream: the same path
    sample = plan.designs[design].replay(plan.population, start, rep)
    return Replay(condition, design, chunk, rep, sample, estimates)
