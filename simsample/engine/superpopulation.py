"""Superpopulation replication: a new population from the model for every replication.

Model-based repeated sampling (as simr and mlmpower do): replication r of a
study of P populations x S samples draws population p = r // S from the
generator with the seed addressed ``(seed, POPULATION, p)``, then its sample
from ``(seed, SAMPLING, p)``, so results are reproducible and the same for any
``n_jobs``. Every method of the mean (or the icc) is then judged against two
targets, reported as two rows of the summary: the realised finite-population
value (``target`` "population mean", which differs from population to
population; ``truth`` is its average) and the model parameter (``target``
"model mean", the generator's ``mean``; "model icc"). Other estimands are
judged against the realised value. Exact design theory does not apply across
populations: its columns are NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from .._kernels.accumulate import merge_into, new_accumulator
from .._rng import POPULATION, SAMPLING, as_seed_sequence, child
from .._validation import InvalidParameterError, check_int
from .plan import ChunkResult, RunPlan, build_plan, result_from_totals, run_chunk
from .progress import progress_bar

#: Populations per parallel task.
BATCH = 64


@dataclass(frozen=True, init=False)
class Superpopulation:
    """A population model: ``generator(**params, seed=...)`` draws one finite population.

    Parameters
    ----------
    generator : callable
        A population generator of simsample (``ss.two_level``, ``ss.three_level``,
        ``ss.binary_two_level``...) or any function taking ``seed=`` and returning
        a Population.
    parameter : float, optional
        The model value of the mean (default: the generator's ``mean``, 0 if
        not given, or ``prevalence`` for binary generators). For
        ``estimand="icc"`` the model value is the generator's ``icc``; other
        estimands are judged against the realised population's value only.
    **params
        The generator's parameters (not ``seed``).

    Examples
    --------
    >>> import simsample as ss
    >>> model = ss.Superpopulation(ss.two_level, n_groups=10, group_size=10, icc=0.2)
    >>> model.draw(seed=1).n_units
    100
    """

    generator: object
    params: dict = field(default_factory=dict)
    parameter: float = 0.0

    def __init__(self, generator, *, parameter: float | None = None, **params):
        if not callable(generator):
            raise InvalidParameterError(
                f"'generator' of Superpopulation must be a population generator such as "
                f"simsample.two_level; got {generator!r}.")
        if "seed" in params:
            raise InvalidParameterError(
                "Superpopulation draws every population's seed from simulate's seed; do not "
                "pass 'seed'.")
        if parameter is None:
            parameter = params.get("mean", params.get("prevalence", 0.0))
        object.__setattr__(self, "generator", generator)
        object.__setattr__(self, "params", dict(params))
        object.__setattr__(self, "parameter", float(parameter))

    def model_value(self, target: str):
        """(model target, value) beside a realised ``target``, or None if the model has none.

        Parameters
        ----------
        target : str
            A realised target, e.g. ``"population mean"`` or ``"population icc"``.

        Returns
        -------
        tuple of (str, float) or None
            The model target's name and value.

        Examples
        --------
        >>> import simsample as ss
        >>> model = ss.Superpopulation(ss.two_level, n_groups=10, group_size=10, icc=0.2)
        >>> model.model_value("population mean")
        ('model mean', 0.0)
        >>> model.model_value("population icc")
        ('model icc', 0.2)
        """
        if target == "population mean":
            return "model mean", self.parameter
        if "icc" not in self.params:
            return None
        icc = float(self.params["icc"])
        total = float(self.params.get("total_var", 1.0))
        return {"population icc": ("model icc", icc),
                "population between variance": ("model between variance", icc * total),
                "population within variance": ("model within variance", (1 - icc) * total),
                }.get(target)

    def draw(self, seed=None):
        """One finite population from the model.

        Parameters
        ----------
        seed : None, int or numpy.random.SeedSequence, optional
            Seeds the population.

        Returns
        -------
        Population

        Examples
        --------
        >>> import simsample as ss
        >>> model = ss.Superpopulation(ss.two_level, n_groups=10, group_size=10, icc=0.2)
        >>> model.draw(seed=1).n_groups
        10
        """
        return self.generator(**self.params, seed=seed)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Superpopulation({getattr(self.generator, '__name__', self.generator)}, {args})"


def _with_model_rows(plan: RunPlan, model: Superpopulation) -> RunPlan:
    """Every method twice where the model names its target: realised value, and the model's."""
    tasks = []
    for task in plan.tasks:
        extra = [(i, *model.model_value(t)) for i, t in enumerate(task.targets)
                 if model.model_value(t) is not None]
        pick = [i for i, _, _ in extra]
        record = task.spec.record + tuple(task.spec.record[i] for i in pick)
        tasks.append(replace(
            task, spec=replace(task.spec, record=record),
            methods=task.methods + tuple(task.methods[i] for i in pick),
            estimators=task.estimators + tuple(task.estimators[i] for i in pick),
            targets=task.targets + tuple(name for _, name, _ in extra),
            truth=np.concatenate([task.truth, [value for _, _, value in extra]]),
            builtin=tuple(False for _ in range(len(task.methods) + len(pick))),
            reports_singular=task.reports_singular + tuple(task.reports_singular[i]
                                                           for i in pick)))
    return replace(plan, tasks=tuple(tasks))


def _population_plan(model, designs, p, root, samples, level, estimand, methods):
    population = model.draw(child(root, POPULATION, p))
    plan = build_plan(population, designs, samples, seed=child(root, SAMPLING, p), level=level,
                      estimand=estimand, methods=methods)
    counts = [len(task.methods) for task in plan.tasks]   # the realised-target rows
    return _with_model_rows(plan, model), population, counts


def _run_populations(model, designs, first, last, root, samples, level, estimand, methods):
    """Accumulators (summed over populations first..last-1, in order) and realised truths."""
    totals, truths = None, []
    for p in range(first, last):
        plan, population, counts = _population_plan(model, designs, p, root, samples, level,
                                                    estimand, methods)
        for chunk in range(plan.n_chunks):
            result = run_chunk(plan, chunk)
            if totals is None:
                totals = [new_accumulator(len(t.methods)) for t in plan.tasks]
            for total, acc in zip(totals, result.acc):
                merge_into(total, acc)
        truths.append([t.truth[:realised].copy() for t, realised in zip(plan.tasks, counts)])
    return totals, truths


def simulate_superpopulation(model: Superpopulation, designs, reps: int, *, seed=None,
                             samples_per_population: int = 1, n_jobs: int = 1,
                             level: float = 0.95, estimand: str = "mean", methods=None,
                             progress=None):
    """``reps`` replications, ``samples_per_population`` samples from each new population."""
    samples = check_int(samples_per_population, "samples_per_population", low=1,
                        owner="simulate")
    reps = check_int(reps, "reps", low=1, owner="simulate")
    root = as_seed_sequence(seed)
    n_pop = math.ceil(reps / samples)
    if n_pop * samples != reps:
        raise InvalidParameterError(
            f"'reps' of simulate must be a multiple of samples_per_population={samples} for a "
            f"Superpopulation; got {reps}.")
    # validate everything on the first population before any work
    template, _, counts = _population_plan(model, designs, 0, root, samples, level, estimand,
                                           methods)
    bounds = [(start, min(start + BATCH, n_pop)) for start in range(0, n_pop, BATCH)]
    args = (model, designs)
    tail = (root, samples, level, estimand, methods)
    bar = progress_bar("simulate (superpopulation)", reps, progress=progress)
    try:
        if n_jobs == 1 or len(bounds) == 1:
            parts = []
            for a, b in bounds:
                parts.append(_run_populations(*args, a, b, *tail))
                bar.update((b - a) * samples)
        else:
            import joblib

            calls = (joblib.delayed(_run_populations)(*args, a, b, *tail) for a, b in bounds)
            parts = []
            for (a, b), part in zip(bounds, joblib.Parallel(n_jobs=n_jobs,
                                                           return_as="generator")(calls)):
                parts.append(part)
                bar.update((b - a) * samples)
    finally:
        bar.close()
    totals = [new_accumulator(len(t.methods)) for t in template.tasks]
    realised = []
    for part_totals, part_truths in parts:   # in population order: bit-identical for any n_jobs
        for total, acc in zip(totals, part_totals):
            merge_into(total, acc)
        realised.extend(part_truths)
    tasks = []
    for d, task in enumerate(template.tasks):
        mean_truth = np.mean([t[d] for t in realised], axis=0)
        tasks.append(replace(task, truth=np.concatenate([mean_truth, task.truth[counts[d]:]])))
    plan = replace(template, tasks=tuple(tasks), reps=reps, seed=root, population=model)
    return result_from_totals(plan, totals)


__all__ = ["ChunkResult", "Superpopulation", "simulate_superpopulation"]
