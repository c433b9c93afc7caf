"""The outcome of a study: one simulation result per condition, and their tidy summary."""

from __future__ import annotations


import pandas as pd

from .. import __version__, engine
from .replay import Replay, replay


class StudyRun:
    """The outcome of :func:`run_study`: one :class:`~simsample.SimulationResult` per condition.

    Attributes
    ----------
    spec : StudySpec
    conditions : list of Condition
        Index, grid values and resolved tables of each condition.
    studies : list of SimulationResult
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
        column of :meth:`SimulationResult.summary` (with the Monte Carlo standard errors
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
        return {"study": self.spec.normalised(), "simsample": __version__,
                "chunk_size": engine.CHUNK_SIZE, "columns": self.spec.columns,
                "conditions": conditions,
                "summary": self.summary().to_dict(orient="records")}

    def __repr__(self):
        return (f"StudyRun({self.spec.name!r}, {len(self.conditions)} conditions, "
                f"reps={self.spec.reps})")



