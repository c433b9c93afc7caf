"""The Monte Carlo engine: run plans, the generated chunk loops, one executor, backends.

* :mod:`.plan` — validation, one :class:`~.task.KernelTask` per design, chunks, assembly;
* :mod:`.loops` — the one replication loop, generated and compiled per design and methods;
* :mod:`.executor` — chunks run serially or on joblib workers (loky, threading, dask);
* :mod:`.backends` — CPU and CUDA behind one interface; :mod:`.progress` — the progress bar.
"""

from __future__ import annotations

from .._validation import InvalidParameterError, check_choice
from .executor import CPU_BACKENDS, check_kept_memory, check_n_jobs
from .plan import (
    CHUNK_SIZE, DEFAULT_KEEP, MAX_FAILURE_KEYS, ChunkResult, Plan, RunPlan, assemble, build_plan,
    build_task, run_chunk,
)
from .progress import check_progress
from .superpopulation import Superpopulation, simulate_superpopulation

#: Every backend of :func:`simulate`.
BACKENDS = (*CPU_BACKENDS, "cuda")


def simulate(population, designs, reps: int, *, seed=None, n_jobs: int = 1,
             level: float = 0.95, keep_estimates: bool | int = False,
             progress: bool | None = None, backend: str = "loky", estimand: str = "mean",
             methods=None, samples_per_population: int = 1):
    """Draw ``reps`` samples under each design and summarise every method on them.

    Parameters
    ----------
    population : Population or Superpopulation
        A finite population, sampled ``reps`` times; or a
        :class:`~simsample.Superpopulation`, from which every replication draws a
        new population (``samples_per_population`` samples from each).
    designs : Design, list of Design, or dict of name -> Design
        Every replication draws one independent sample under each design.
    reps : int
        Number of replications (>= 1).
    seed : None, int or SeedSequence
        Same seed, same results, bit for bit, whatever ``n_jobs``, ``backend``
        or set of methods. None draws fresh entropy, recorded in ``result.seed``.
    n_jobs : int
        Worker processes (joblib convention: -1 = all cores). Parallel start-up
        costs about a second; below a few seconds of work ``n_jobs=1`` is faster.
    level : float
        Confidence level of the intervals.
    keep_estimates : bool or int
        Keep per-replication estimates and intervals (``result.estimates``): True
        keeps the first 100,000 replications, an int that many. Otherwise
        memory does not grow with ``reps``.
    progress : bool or None
        A progress bar on stderr: None shows it for runs longer than 2 s.
    backend : {"loky", "threading", "dask", "cuda"}
        joblib backend for ``n_jobs != 1``. "dask" needs an active
        ``distributed.Client``. "cuda" runs the replications on an NVIDIA GPU
        (SRS, TwoStage and ClusterSample, the built-in mean methods; see
        :mod:`simsample.engine.backends.cuda`): reproducible for a given seed
        and launch configuration, and statistically (not bitwise) equal to the
        CPU engine.
    estimand : {"mean", "difference"}
        What the designs estimate: the population mean, or (for a population
        with a covariate x) differences and micro/macro effects of x; see
        :mod:`simsample.estimands.difference`.
    methods : None, or a list of method names and :class:`~simsample.Method` objects
        The methods to run on every sample (None: the estimand's defaults,
        ``["naive_t", "cluster_t"]`` for the mean). User methods are compiled
        into the replication loop; adding or removing a method never changes
        another method's results.
    samples_per_population : int
        With a Superpopulation: samples drawn from each population (P = reps /
        samples_per_population populations).

    Returns
    -------
    SimulationResult
        The summary (:meth:`~SimulationResult.summary`) and, if kept, the
        per-replication estimates.

    Raises
    ------
    InvalidParameterError
        If an argument is not valid (e.g. ``reps < 1``, an unknown method or
        estimand, a design that does not support the estimand).
    InfeasibleDesignError
        If a design cannot be drawn from the population.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=40, group_size=10, icc=0.2, seed=1)
    >>> result = ss.simulate(pop, {"two-stage": ss.TwoStage(8, 5)}, reps=500, seed=2)
    >>> list(result.summary()["method"])
    ['naive_t', 'cluster_t']
    """
    n_jobs = check_n_jobs(n_jobs)
    check_choice(backend, "backend", BACKENDS, owner="simulate")
    progress = check_progress(progress)
    if isinstance(population, Superpopulation):
        if backend != "loky" or keep_estimates:
            raise InvalidParameterError(
                "a Superpopulation runs on the loky backend without keep_estimates; got "
                f"backend={backend!r}, keep_estimates={keep_estimates!r}.")
        return simulate_superpopulation(population, designs, reps, seed=seed,
                                        samples_per_population=samples_per_population,
                                        n_jobs=n_jobs, level=level, estimand=estimand,
                                        methods=methods, progress=progress)
    plan = build_plan(population, designs, reps, seed=seed, level=level,
                      keep_estimates=keep_estimates, estimand=estimand, methods=methods)
    check_kept_memory(plan)
    if backend == "cuda":
        from .backends import cuda

        return cuda.run(plan, progress=progress)
    from .backends import cpu

    return cpu.run(plan, n_jobs=n_jobs, backend=backend, progress=progress)


__all__ = ["BACKENDS", "CHUNK_SIZE", "DEFAULT_KEEP", "MAX_FAILURE_KEYS", "ChunkResult", "Plan",
           "RunPlan", "Superpopulation", "assemble", "build_plan", "build_task", "run_chunk",
           "simulate"]
