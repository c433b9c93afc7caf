"""The conditions of a study: each one's population, designs and seeds, as a run plan."""

from __future__ import annotations

import numpy as np

from .. import engine
from .._rng import POPULATION, SAMPLING, child, seed_entropy
from .config import DESIGN_KINDS, POPULATION_KINDS, Condition, StudyFileError, StudySpec
from .config import stable_hash


def population_seed(spec: StudySpec, condition: Condition):
    """The population's seed: its own fixed ``seed``, else ``(POPULATION, c)`` under the study's."""
    if "seed" in condition.population:
        return condition.population["seed"]
    return child(np.random.SeedSequence(spec.seed), POPULATION, condition.index)


def sampling_seed(spec: StudySpec, condition: Condition) -> np.random.SeedSequence:
    """The root of condition ``c``'s sampling streams: ``(SAMPLING, c)`` below the study seed."""
    return child(np.random.SeedSequence(spec.seed), SAMPLING, condition.index)


def condition_record(spec: StudySpec, condition: Condition) -> dict:
    """Everything that determines a condition's results, except ``reps`` (its identity)."""
    kind = POPULATION_KINDS[condition.population["generator"]]
    seed = None
    if kind.seeded:
        seed = population_seed(spec, condition)
        seed = seed_entropy(seed) if isinstance(seed, np.random.SeedSequence) else seed
    record = {"index": condition.index, "estimand": spec.estimand, "level": spec.level,
              "population": condition.population, "population_seed": seed,
              "sampling_seed": seed_entropy(sampling_seed(spec, condition)),
              "designs": condition.designs, "files": spec.files}
    if spec.methods is not None:  # absent without the key: earlier checkpoints stay valid
        record["methods"] = list(spec.methods)
    return record


def build_condition(spec: StudySpec, condition: Condition, cache: dict | None = None):
    """The engine plan of one condition (validating its population and designs).

    ``cache`` shares populations between conditions that have the same one
    (same parameters and seed).
    """
    where = f"condition {condition.index}"
    if condition.values:
        where += " (" + ", ".join(f"{k}={v!r}" for k, v in condition.values.items()) + ")"
    population = _build_population(spec, condition, where, cache)
    designs = {}
    for name, params in condition.designs.items():
        params = dict(params)
        kind = DESIGN_KINDS[params.pop("kind")]
        try:
            design = kind.factory(**params)
            design.check(population)
        except (ValueError, TypeError) as exc:
            raise StudyFileError(
                f"{spec.source}: [designs.{name}]: {where}: {one_line(exc)}") from None
        designs[name] = design
    try:
        return engine.build_plan(population, designs, spec.reps,
                                 seed=sampling_seed(spec, condition), level=spec.level,
                                 estimand=spec.estimand, methods=spec.methods)
    except (ValueError, TypeError) as exc:
        raise StudyFileError(f"{spec.source}: {where}: {one_line(exc)}") from None


def _build_population(spec, condition, where, cache):
    params = dict(condition.population)
    generator = params.pop("generator")
    kind = POPULATION_KINDS[generator]
    for name in kind.paths:
        if name in params:
            if "name" in kind.parameters and params.get("name") is None:
                params["name"] = str(params[name])  # named as in the study file, not by full path
            params[name] = spec.base_dir / params[name]
    if kind.seeded:
        params["seed"] = population_seed(spec, condition)
    key = stable_hash({"population": condition.population, "files": spec.files,
                       "seed": seed_entropy(params["seed"])
                       if isinstance(params.get("seed"), np.random.SeedSequence)
                       else params.get("seed")})
    if cache is not None and key in cache:
        return cache[key]
    try:
        population = kind.factory(**params)
    except (ValueError, TypeError, OSError) as exc:
        raise StudyFileError(f"{spec.source}: [population]: {where}: {one_line(exc)}") from None
    if cache is not None:
        cache[key] = population
    return population


def one_line(exc) -> str:
    return " ".join(str(exc).split())
