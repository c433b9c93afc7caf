"""The CPU backend: every chunk of a plan through the executor, merged in chunk order."""

from __future__ import annotations

from ..executor import execute
from ..plan import RunPlan, assemble
from ..progress import progress_bar


def run(plan: RunPlan, *, n_jobs: int = 1, backend: str = "loky", progress=None, client=None):
    """Run every chunk of ``plan`` and assemble the result."""
    bar = progress_bar("simulate", plan.reps, progress=progress)
    try:
        stream = execute({0: plan}, ((0, c) for c in range(plan.n_chunks)), n_jobs=n_jobs,
                         backend=backend, client=client, total=plan.n_chunks,
                         on_done=lambda key, c: bar.update(plan.chunk_reps(c)))
        return assemble(plan, in_chunk_order(stream))
    finally:
        bar.close()


def in_chunk_order(stream):
    """``(chunk, result)`` in chunk order from results that finish in any order.

    Only results ahead of the next chunk are held, so memory does not grow
    with the number of chunks.
    """
    waiting, expected = {}, 0
    for (_, chunk), result in stream:
        waiting[chunk] = result
        while expected in waiting:
            yield expected, waiting.pop(expected)
            expected += 1
