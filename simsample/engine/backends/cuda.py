"""The replication loop on an NVIDIA GPU: ``simulate(..., backend="cuda")``.

Each design runs as a sequence of kernel launches of at most
:data:`LAUNCH_REPS` replications; every thread of a launch draws its share
with its own xoshiro256** stream, derived from the design's key
``SeedSequence(seed)`` child ``(LAUNCH_KEY, design, launch)`` and the thread
index. Blocks reduce their threads' accumulator rows in a fixed order and the
host adds blocks in order, so the same seed *and launch configuration* give
bit-identical results (the CPU engine's results do not depend on its
configuration at all; GPU and CPU results agree statistically, not bitwise).

The accumulator rows have the CPU engine's layout and are merged by the same
code, so ``SimulationResult.summary()`` is computed identically, MCSE included.

Needs numba's CUDA target and a device (``pip install 'simsample[cuda]'``).
``NUMBA_ENABLE_CUDASIM=1`` runs the kernels in numba's CUDA simulator (slow:
for tests on small problems).
"""

from __future__ import annotations

import math

import numpy as np

from ..._kernels.accumulate import FIRST_FAIL, N_STATS, merge_into, new_accumulator
from ..._rng import child, xoshiro_state
from ...designs import SRS, ClusterSample, TwoStage
from ..plan import result_from_totals
from ..progress import progress_bar

#: Largest number of replications of one design in one launch (progress granularity).
LAUNCH_REPS = 1 << 24
#: First spawn-key element of GPU streams, apart from the CPU engine's chunk keys.
LAUNCH_KEY = 2**31 - 1
#: Threads per block. Small blocks let each thread's SRS hash table live in
#: shared memory (48 KB of static shared memory per block): measured on an
#: H200 at S1, 64-thread blocks with shared tables ran 1.4x faster than
#: 128-thread blocks with tables in local memory (benchmarks/README.md).
BLOCK_SIZE = 64
#: Blocks per multiprocessor of the default launch (1,024 threads each).
BLOCKS_PER_SM = 16
#: Static shared memory a block may use for its threads' hash tables.
SHARED_TABLE_BYTES = 48 * 1024


def supported(design) -> bool:
    """Whether the GPU kernels implement ``design``."""
    if isinstance(design, SRS):
        return not design.replace
    return type(design) in (TwoStage, ClusterSample)

_kernel_cache: dict = {}


class CudaUnavailableError(RuntimeError):
    """backend="cuda" was asked for where no CUDA device (or package) is available."""


def check_available() -> None:
    """Raise :class:`CudaUnavailableError` with a one-line reason if CUDA cannot run here."""
    try:
        from numba import cuda
    except ImportError as exc:  # pragma: no cover - numba without its CUDA target
        raise CudaUnavailableError(
            "backend='cuda' needs numba's CUDA target: pip install 'simsample[cuda]' "
            f"({exc}).") from None
    if not cuda.is_available():
        raise CudaUnavailableError(
            "backend='cuda' needs an NVIDIA GPU with a working CUDA driver, and "
            "numba.cuda.is_available() is False on this machine; use backend='loky' "
            "(or NUMBA_ENABLE_CUDASIM=1 for numba's slow CUDA simulator).")


def default_blocks() -> int:
    """Enough blocks to fill the device: ``BLOCKS_PER_SM`` per multiprocessor."""
    return max(1, multiprocessors() * BLOCKS_PER_SM)


def multiprocessors() -> int:
    """Streaming multiprocessors of the current device (1 in numba's CUDA simulator)."""
    from numba import cuda

    try:
        return int(cuda.get_current_device().MULTIPROCESSOR_COUNT)
    except AttributeError:  # the simulator has no device object
        return 1


def _value_bits(frame: int) -> int:
    """Bits of a unit index in a frame of ``frame`` units (table entries hold it)."""
    return max(1, math.ceil(math.log2(max(frame, 2))))


def _bits(frame: int, draws: int) -> int:
    """0 for a bitmask frame, else log2 of a hash table with load factor <= 1/2."""
    from ._cuda_kernels import MASK_LIMIT

    if frame <= MASK_LIMIT:
        return 0
    return max(1, math.ceil(math.log2(2 * max(draws, 1))))


def _entry_bits(value_bits: int) -> int:
    """16-bit table entries while they leave at least 3 tag bits (7 draws per clearing)."""
    return 16 if value_bits <= 13 else 32


def _kernel(kind: str, *options):
    from . import _cuda_kernels as kernels

    key = (kind, options)
    if key not in _kernel_cache:
        make = kernels.make_srs_kernel if kind == "srs" else kernels.make_two_stage_kernel
        _kernel_cache[key] = make(*options)
    return _kernel_cache[key]


def run_design(population, design, task, reps: int, keys_root, *, blocks: int,
               block_size: int = BLOCK_SIZE, shared_tables: bool | None = None,
               progress=None) -> np.ndarray:
    """Accumulator rows (CPU layout) of ``reps`` replications of ``design`` on the device.

    ``shared_tables`` keeps SRS hash tables in shared rather than local memory
    (None: where a block's tables fit in :data:`SHARED_TABLE_BYTES`).
    """
    from numba import cuda

    expansion = getattr(design, "estimator", "ratio") == "expansion"
    shift = 0.0 if expansion else population.mean
    y = cuda.to_device(population.stored_y)
    truth = cuda.to_device(np.ascontiguousarray(task.truth, dtype=np.float64))
    tq = cuda.to_device(task.tq)
    offsets = cuda.to_device(population.offsets)
    from ._cuda_kernels import reduce_blocks

    partial = cuda.device_array((blocks * block_size, 2 * N_STATS), dtype=np.float64)
    out = cuda.device_array((blocks, 2 * N_STATS), dtype=np.float64)
    total = new_accumulator(2)
    total[:, N_STATS:] = np.nan  # the GPU keeps no pair sums: compare() reports NaN MCSE
    done, launch = 0, 0
    while done < reps:
        this = min(LAUNCH_REPS, reps - done)
        keys = cuda.to_device(xoshiro_state(child(keys_root, launch)))
        if isinstance(design, SRS):
            value_bits = _value_bits(population.n_units)
            table_bits = _bits(population.n_units, design.n)
            entry_bits = _entry_bits(value_bits)
            fits = (block_size << table_bits) * entry_bits // 8 <= SHARED_TABLE_BYTES
            shared = fits if shared_tables is None else shared_tables
            kernel = _kernel("srs", table_bits, entry_bits,
                             block_size if shared and table_bits else 0)
            kernel[blocks, block_size](y, design.n, value_bits, keys, this, truth, shift, tq,
                                       partial)
        else:
            m = design.per_group if isinstance(design, TwoStage) else -1
            group_value_bits = _value_bits(population.n_groups)
            unit_value_bits = _value_bits(int(population.group_sizes.max()))
            kernel = _kernel("two_stage", _bits(population.n_groups, design.groups),
                             0 if m < 0 else _bits(int(population.group_sizes.max()), m),
                             _entry_bits(group_value_bits), _entry_bits(unit_value_bits))
            kernel[blocks, block_size](y, offsets, design.groups, m, expansion, group_value_bits,
                                       unit_value_bits, keys, this, truth, shift, tq, partial)
        reduce_blocks[blocks, 32](partial, block_size, out)
        rows = out.copy_to_host().sum(axis=0).reshape(2, N_STATS)
        rows[:, FIRST_FAIL] = -1.0
        merge_into(total[:, :N_STATS], rows)  # no pair sums on the GPU
        done += this
        launch += 1
        if progress is not None:
            progress.update(this)
    return total


def check_plan(plan) -> None:
    """Raise ValueError if the GPU kernels cannot run ``plan`` (before any work)."""
    if plan.estimand != "mean":
        raise ValueError(f"backend='cuda' estimates the mean only; got estimand={plan.estimand!r}.")
    for name, design in plan.designs.items():
        if not supported(design):
            raise ValueError(f"backend='cuda' supports SRS (without replacement), TwoStage and "
                             f"ClusterSample; design {name!r} is {design}.")
    for name, task in zip(plan.names, plan.tasks):
        if task.methods != ("naive_t", "cluster_t"):
            raise ValueError(f"backend='cuda' runs the built-in methods naive_t and cluster_t "
                             f"only; design {name!r} asks for {list(task.methods)}.")
    if plan.keep:
        raise ValueError("backend='cuda' streams its results and cannot keep replicate "
                         "estimates; use keep_estimates=False (or a CPU backend).")


def simulate_cuda(plan, *, blocks: int | None = None, block_size: int = BLOCK_SIZE,
                  shared_tables: bool | None = None, progress: bool | None = None):
    """Run a validated engine plan on the GPU and return its SimulationResult."""
    check_plan(plan)
    if block_size < 1 or block_size & (block_size - 1):
        raise ValueError(f"'block_size' must be a power of two; got {block_size}.")
    check_available()
    blocks = blocks or default_blocks()
    bar = progress_bar("simulate (GPU)", plan.reps * len(plan.tasks), progress=progress)
    totals = []
    try:
        for d, (name, task) in enumerate(zip(plan.names, plan.tasks)):
            totals.append(run_design(plan.population, plan.designs[name], task, plan.reps,
                                     child(plan.seed, LAUNCH_KEY, d), blocks=blocks,
                                     block_size=block_size, shared_tables=shared_tables,
                                     progress=bar))
    finally:
        bar.close()
    return result_from_totals(plan, totals)


def run(plan, *, n_jobs: int = 1, backend: str = "cuda", progress=None, client=None):
    """The backend interface (see :mod:`simsample.engine.backends`)."""
    return simulate_cuda(plan, progress=progress)
