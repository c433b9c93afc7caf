"""The CPU backend: every chunk of a plan through the executor, merged in chunk order."""

from __future__ import annotations

from ..executor import execute
from ..plan import RunPlan, assemble
from ..progress import progress_bar


def run(plan: RunPlan, *, n_jobs: int = 1, backend: str = "loky", progress=None, client=None):
    """Run every chunk of ``plan`` and assemble the result."""
    results = {}
    bar = progress_bar("simulate", plan.reps, progress=progress)
    try:
        for (_, chunk), result in execute({0: plan}, [(0, c) for c in range(plan.n_chunks)],
                                          n_jobs=n_jobs, backend=backend, client=client,
                                          on_done=lambda key, c: bar.update(plan.chunk_reps(c))):
            results[chunk] = result
    finally:
        bar.close()
    return assemble(plan, ((c, results[c]) for c in range(plan.n_chunks)))
