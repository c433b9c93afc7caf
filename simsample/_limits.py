"""Size limits and the memory budget: what is refused before anything is allocated.

Every size a caller chooses (units of a population, a sample drawn with
replacement, replications, kept estimates, workers, conditions of a study) is
checked here, in Python integers (which cannot overflow), against a fixed
limit and against the memory this process can still use. A refusal is an
:class:`~simsample._validation.InvalidParameterError` (or its subclass
:class:`MemoryBudgetError`) that names the parameter, what it needs and what
is available, so a failed call says how to fix it.
"""

from __future__ import annotations

import os
import warnings

from ._validation import InvalidParameterError, SimsampleWarning

#: Units of a population (and of one sample): indices are 32-bit in the kernels.
MAX_UNITS = 2**32 - 1
#: Replications of one run: the accumulators count in float64, exact below 2**53.
MAX_REPS = 2**53
#: Conditions of one study grid (``max_conditions`` in the study file raises it).
MAX_CONDITIONS = 10_000
#: Chunk files of one study (each finished chunk is one checkpoint file).
MAX_STUDY_CHUNKS = 1_000_000


class MemoryBudgetError(InvalidParameterError):
    """A request would need more memory than this process can use."""


def format_bytes(n: float) -> str:
    """``n`` bytes in the largest binary unit below it (``'1.5 GiB'``)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} EiB"  # pragma: no cover


def available_memory() -> int:
    """Bytes this process can still allocate: the least of what the machine has free
    (``MemAvailable``), the cgroup's limit less its usage, and the address-space limit
    (``RLIMIT_AS``) less the address space already used."""
    candidates = [_meminfo_available()]
    candidates.append(_cgroup_available())
    candidates.append(_rlimit_available())
    known = [c for c in candidates if c is not None]
    return max(0, min(known)) if known else 2**62


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not POSIX
        return None


def _cgroup_available() -> int | None:
    try:
        with open("/sys/fs/cgroup/memory.max") as handle:
            limit = handle.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current") as handle:
            return int(limit) - int(handle.read().strip())
    except (OSError, ValueError):
        return None


def _rlimit_available() -> int | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/statm") as handle:
            used = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        used = 0
    return soft - used


def check_memory(nbytes: int, name: str, owner: str, advice: str = "") -> None:
    """Refuse (:class:`MemoryBudgetError`) when ``nbytes`` exceed the available memory."""
    free = available_memory()
    if nbytes > free:
        hint = f" {advice}" if advice else ""
        raise MemoryBudgetError(
            f"'{name}' of {owner} needs about {format_bytes(nbytes)} of memory; "
            f"{format_bytes(free)} is available.{hint}")


def check_units(total: int, name: str, owner: str, count: str = "units") -> int:
    """Refuse a population or sample of ``total`` (a Python int) units beyond MAX_UNITS."""
    total = int(total)
    if total > MAX_UNITS:
        raise InvalidParameterError(
            f"'{name}' of {owner} gives {total:,} {count}; at most {MAX_UNITS:,} "
            "(2**32 - 1) are supported.")
    return total


def checked_sum(sizes, name: str, owner: str) -> int:
    """The sum of non-negative int64 ``sizes`` as a Python int, refused beyond MAX_UNITS.

    Each size is checked first, so the int64 sum of at most 2**31 of them cannot overflow.
    """
    if sizes.size == 0:
        return 0
    check_units(int(sizes.max()), name, owner, count="units in one group")
    return check_units(int(sizes.sum(dtype="int64")), name, owner)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def cap_workers(n_jobs: int, owner: str) -> int:
    """``n_jobs`` capped at the usable cores (with a :class:`SimsampleWarning`)."""
    cores = usable_cores()
    if n_jobs > cores:
        warnings.warn(f"'n_jobs' of {owner} is {n_jobs} but this process can use "
                      f"{cores} core(s); running {cores} worker(s).", SimsampleWarning,
                      stacklevel=4)
        return cores
    return n_jobs
