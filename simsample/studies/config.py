"""Study files: a population, designs and a grid of conditions, read from TOML.

A study file names everything a simulation study needs, and a ``[grid]``
table whose lists expand to the product of conditions::

    name = "icc_by_group_size"
    reps = 20_000
    seed = 20240611
    level = 0.95              # optional (default 0.95)
    estimand = "mean"         # optional (default "mean")
    methods = ["naive_t", "cluster_t"]   # optional (default: the estimand's defaults)

    [population]
    generator = "two_level"   # or "csv" (path, y, group); see POPULATION_KINDS
    n_groups = 100
    group_size = 50
    seed = 1                  # optional: one fixed population for every condition

    [designs.two-stage]       # a table per design: its name, then kind and parameters
    kind = "TwoStage"         # see DESIGN_KINDS
    groups = 10
    per_group = 5

    [grid]
    icc = [0.05, 0.1, 0.2]                      # short for population.icc
    "designs.two-stage.per_group" = [2, 5, 10]  # a design's parameter

Grid keys
    ``population.PARAM`` (or ``PARAM`` alone) varies a population parameter,
    ``designs.NAME.PARAM`` a parameter of design NAME. They may be written as
    quoted keys (``"designs.two-stage.per_group"``) or as TOML dotted keys
    (``designs.two-stage.per_group``); design names therefore may not contain
    ``.``. A parameter is either fixed in its table or varied in the grid, not
    both. In the summary a varied parameter is the column ``PARAM`` (population)
    or ``NAME.PARAM`` (design).

Conditions
    The product of the grid lists in file order, the last key varying fastest
    (``itertools.product``); condition ``c`` is its ``c``-th element. Its random
    streams are addressed by ``(seed, c)`` (see :mod:`simsample.studies`), so
    results of a condition never depend on the others: append values to the
    *first* grid list to add conditions at the end without changing any
    existing result.

Methods
    ``methods`` names registered methods of the estimand (see
    :func:`simsample.estimands.registered`), run on every sample of every
    condition; without it each estimand runs its default methods.

Everything is validated before any work: an unknown key, design kind or
parameter is a :class:`StudyFileError` that names the file, the table and the
key, with the valid choices. New design kinds and population generators are
one call to :func:`register_design_kind` / :func:`register_population_kind`.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import itertools
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._validation import InvalidParameterError
from .kinds import (  # noqa: F401  (re-exported: study files' registries)
    DESIGN_KINDS, POPULATION_KINDS, DesignKind, PopulationKind, method_names_problem,
    register_design_kind, register_population_kind,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 installs tomli (see pyproject.toml)
    import tomli as tomllib

#: Keys of the top level of a study file; the required ones are marked by None
#: (``methods = ()``: absent, the estimand's default methods).
TOP_LEVEL = {"name": "", "description": "", "reps": None, "seed": None, "level": 0.95,
             "estimand": "mean", "methods": (), "population": None, "designs": None,
             "grid": {}}


class StudyFileError(InvalidParameterError):
    """A study file (or dict) is malformed; the message names the file, table and key."""


# -- the parsed study ------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """One cell of the grid: its index, the grid values, and the resolved tables."""

    index: int
    values: dict[str, Any]
    population: dict[str, Any]
    designs: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class StudySpec:
    """A validated study: what :func:`load_study` returns.

    ``population`` and ``designs`` hold every parameter with defaults filled
    in (grid-varied ones left out); ``grid`` maps canonical keys
    (``population.icc``, ``designs.NAME.per_group``) to their values;
    ``files`` the SHA-256 of each file a parameter names; ``methods`` the
    method names of the file (None: the estimand's defaults).
    """

    source: str
    name: str
    description: str
    reps: int
    seed: int
    level: float
    estimand: str
    population: dict[str, Any]
    designs: dict[str, dict[str, Any]]
    grid: dict[str, list]
    base_dir: Path = field(compare=False)
    files: dict[str, str] = field(default_factory=dict)
    methods: tuple[str, ...] | None = None

    @property
    def columns(self) -> dict[str, str]:
        """Summary column of each grid key: ``PARAM`` or ``NAME.PARAM``.

        The full key where the short name is already a summary column.
        """
        from ..results import SUMMARY_COLUMNS

        short = {key: key.split(".", 1)[1] for key in self.grid}
        reserved = {*SUMMARY_COLUMNS, "condition"}
        return {key: key if name in reserved else name for key, name in short.items()}

    def conditions(self) -> list[Condition]:
        """Every condition, in index order (the product of the grid lists)."""
        return list(self.iter_conditions())

    def iter_conditions(self):
        """The conditions one at a time (a large grid is never listed whole)."""
        keys = list(self.grid)
        columns = self.columns
        for index, combo in enumerate(itertools.product(*(self.grid[k] for k in keys))):
            population = dict(self.population)
            designs = {name: dict(params) for name, params in self.designs.items()}
            for key, value in zip(keys, combo):
                parts = key.split(".")
                if parts[0] == "population":
                    population[parts[1]] = value
                else:
                    designs[parts[1]][parts[2]] = value
            population = _order_like(population, POPULATION_KINDS[population["generator"]])
            designs = {n: _order_like(p, DESIGN_KINDS[p["kind"]]) for n, p in designs.items()}
            yield Condition(index, {columns[k]: v for k, v in zip(keys, combo)}, population,
                            designs)

    @property
    def n_conditions(self) -> int:
        return math.prod(len(v) for v in self.grid.values())

    def with_reps(self, reps: int) -> StudySpec:
        """The same study with ``reps`` replications per condition."""
        if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
            raise InvalidParameterError(
                f"'reps' (replacing the study's) must be an int >= 1; got {reps!r}.")
        return dataclasses.replace(self, reps=reps)

    def normalised(self) -> dict:
        """A JSON-ready record of the study, defaults filled in (its identity, with reps).

        ``methods`` is in it only when the file names methods, so that studies
        without the key keep their digests.
        """
        record = {"name": self.name, "description": self.description, "reps": self.reps,
                  "seed": self.seed, "level": self.level, "estimand": self.estimand,
                  "population": self.population, "designs": self.designs, "grid": self.grid,
                  "files": self.files}
        if self.methods is not None:
            record["methods"] = list(self.methods)
        return record

    def digest(self) -> str:
        """SHA-256 of the normalised study without ``reps``, ``name`` and ``description``.

        Adding replications keeps the digest (so a checkpoint can be extended).
        """
        record = self.normalised()
        for key in ("reps", "name", "description"):
            record.pop(key)
        return stable_hash(record)


def _order_like(params: dict, kind) -> dict:
    head = {k: params[k] for k in ("generator", "kind") if k in params}
    return {**head, **{k: params[k] for k in kind.parameters if k in params}}


def stable_hash(record) -> str:
    """SHA-256 of the canonical JSON of ``record`` (sorted keys)."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# -- reading and validating ------------------------------------------------------------------

def load_study(source, *, reps: int | None = None) -> StudySpec:
    """Read and validate a study (a TOML file path, or a dict of the same shape).

    Parameters
    ----------
    source : str, Path or mapping
        A study file, or its content as a dict (file paths in it are then
        relative to the working directory).
    reps : int, optional
        Replications per condition, replacing the file's ``reps``.

    Raises
    ------
    StudyFileError
        Naming the file, the table and the key of the first problem found.
    """
    if isinstance(source, Mapping):
        label, base_dir, data = "<study dict>", Path.cwd(), dict(source)
    else:
        path = Path(source)
        label, base_dir = path.name, path.parent
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise StudyFileError(f"{path}: no such study file.") from None
        except tomllib.TOMLDecodeError as exc:
            raise StudyFileError(f"{label}: not valid TOML: {exc}.") from None
        except UnicodeDecodeError as exc:
            raise StudyFileError(f"{path}: not a UTF-8 text file ({exc.reason} at byte "
                                 f"{exc.start}); save it as UTF-8.") from None
        except IsADirectoryError:
            raise StudyFileError(f"{path}: a directory, not a study file.") from None
    spec = _Reader(label, base_dir).read(data)
    return spec if reps is None else spec.with_reps(reps)


def _suggest(word: str, choices) -> str:
    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(str(word), choices, n=1)
    listed = ", ".join(repr(c) for c in choices)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}valid: {listed}"


def _int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"'{name}' must be an int >= {low}; got {value!r}")
    if value < low:
        raise ValueError(f"'{name}' must be an int >= {low}; got {value}")
    return value


def _check_value(check, source):
    """``check()``, its ValueError or TypeError re-raised as a top-level StudyFileError."""
    try:
        return check()
    except (ValueError, TypeError) as exc:
        raise StudyFileError(f"{source}: top level: {_one_line(exc)}") from None


def _one_line(exc) -> str:
    return " ".join(str(exc).split()).rstrip(".") + "."


class _Reader:
    """Validates a parsed study file, raising at the first problem."""

    def __init__(self, source: str, base_dir: Path):
        self.source = source
        self.base_dir = base_dir

    def fail(self, table: str, message: str):
        where = "top level" if table == "" else f"[{table}]"
        raise StudyFileError(f"{self.source}: {where}: {message}")

    def read(self, data: dict) -> StudySpec:
        for key in data:
            if key not in TOP_LEVEL:
                self.fail("", f"unknown key {key!r}; {_suggest(key, TOP_LEVEL)}.")
        for key, default in TOP_LEVEL.items():
            if default is None and key not in data:
                self.fail("", f"missing required key {key!r}.")
        values = {k: data.get(k, v) for k, v in TOP_LEVEL.items()}
        for key in ("name", "description"):
            if not isinstance(values[key], str):
                self.fail("", f"{key!r} must be a string; got {values[key]!r}.")
        reps = _check_value(lambda: _int(values["reps"], "reps", 1), self.source)
        seed = _check_value(lambda: _int(values["seed"], "seed", 0), self.source)
        level = values["level"]
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
            self.fail("", f"'level' must be a number in (0, 1); got {level!r}.")
        from ..estimands import ESTIMANDS

        if values["estimand"] not in ESTIMANDS:
            self.fail("", f"unknown estimand {values['estimand']!r}; "
                          f"{_suggest(values['estimand'], ESTIMANDS)}.")
        methods = None if values["methods"] == () else values["methods"]
        if methods is not None:
            problem = method_names_problem(methods, values["estimand"])
            if problem:
                self.fail("", problem)
            methods = tuple(methods)
        grid = self.read_grid(values["grid"])
        population, files = self.read_population(values["population"], grid)
        designs = self.read_designs(values["designs"], grid)
        name = values["name"] or (Path(self.source).stem if self.source != "<study dict>"
                                  else "study")
        return StudySpec(self.source, name, values["description"], reps, seed, float(level),
                         values["estimand"], population, designs, grid, self.base_dir, files,
                         methods)

    # -- [grid] -------------------------------------------------------------------------------

    def read_grid(self, table) -> dict[str, list]:
        if not isinstance(table, dict):
            self.fail("", f"'grid' must be a table; got {table!r}.")
        grid = {}
        for path, values in _flatten(table):
            parts = ".".join(path).split(".")
            if len(parts) == 1:
                parts = ["population", *parts]
            raw = ".".join(path)
            if parts[0] not in ("population", "designs") or (
                    parts[0] == "population" and len(parts) != 2) or (
                    parts[0] == "designs" and len(parts) != 3):
                self.fail("grid", f"key {raw!r} must be PARAM, population.PARAM or "
                                  "designs.NAME.PARAM.")
            if parts[-1] in ("generator", "kind"):
                self.fail("grid", f"key {raw!r}: the {parts[-1]} cannot vary; define one study "
                                  "(or one design) for each.")
            key = ".".join(parts)
            if key in grid:
                self.fail("grid", f"key {raw!r} is given twice.")
            if not isinstance(values, list) or not values:
                self.fail("grid", f"{raw!r} must be a non-empty list of values; got {values!r}.")
            seen = set()
            for v in values:
                token = json.dumps(v, sort_keys=True, default=str)
                if token in seen:
                    self.fail("grid", f"{raw!r} lists {v!r} twice.")
                seen.add(token)
            grid[key] = list(values)
        return grid

    # -- [population] -------------------------------------------------------------------------

    def read_population(self, table, grid) -> tuple[dict, dict]:
        if not isinstance(table, dict):
            self.fail("", f"'population' must be a table; got {table!r}.")
        generator = table.get("generator")
        if generator is None:
            self.fail("population", f"missing 'generator'; {_suggest('', POPULATION_KINDS)}.")
        if generator not in POPULATION_KINDS:
            self.fail("population", f"unknown generator {generator!r}; "
                                    f"{_suggest(generator, POPULATION_KINDS)}.")
        kind = POPULATION_KINDS[generator]
        varied = {k.split(".")[1] for k in grid if k.startswith("population.")}
        for key in varied:
            if key not in kind.parameters:
                self.fail("grid", f"unknown parameter {key!r} of generator {generator!r} "
                                  f"(population); {_suggest(key, kind.parameters)}.")
        params = self.read_parameters("population", table, kind, varied, f"generator {generator!r}",
                                      skip="generator")
        files = {}
        for name in kind.paths:
            if name in varied:
                values = grid[f"population.{name}"]
            elif name in params:
                values = [params[name]]
            else:
                continue
            for value in values:
                if not isinstance(value, str):
                    self.fail("population", f"{name!r} must be a file path (a string); "
                                            f"got {value!r}.")
                resolved = self.base_dir / value
                if not resolved.is_file():
                    self.fail("population", f"{name!r}: no such file {value!r} (relative to "
                                            "the study file).")
                files[value] = hashlib.sha256(resolved.read_bytes()).hexdigest()
        return {"generator": generator, **params}, files

    def read_parameters(self, table_name, table, kind, varied, owner, skip) -> dict:
        params = {}
        for key, value in table.items():
            if key == skip:
                continue
            if key not in kind.parameters:
                self.fail(table_name, f"unknown parameter {key!r} of {owner}; "
                                      f"{_suggest(key, kind.parameters)}.")
            if key in varied:
                self.fail(table_name, f"{key!r} is both fixed here and varied in [grid]; "
                                      "keep one.")
            params[key] = value
        for key in kind.required:
            if key not in params and key not in varied:
                self.fail(table_name, f"missing required parameter {key!r} of {owner} "
                                      f"(required: {', '.join(kind.required)}).")
        defaults = {k: v for k, v in kind.optional.items()
                    if k not in params and k not in varied and k != "seed"}
        return {**params, **defaults}

    # -- [designs] ----------------------------------------------------------------------------

    def read_designs(self, table, grid) -> dict[str, dict]:
        if not isinstance(table, dict) or not table:
            self.fail("", "'designs' must be a table of named designs, e.g. [designs.SRS] with "
                          "kind = \"SRS\" and n = 100.")
        for key in grid:
            parts = key.split(".")
            if parts[0] == "designs" and parts[1] not in table:
                self.fail("grid", f"key {key!r}: no design named {parts[1]!r}; "
                                  f"{_suggest(parts[1], table)}.")
        designs = {}
        for name, entry in table.items():
            where = f"designs.{name}"
            if "." in name or not name:
                self.fail(where, "a design name must be non-empty and may not contain '.' "
                                 "(it separates the parts of a grid key).")
            if not isinstance(entry, dict):
                self.fail(where, f"must be a table with a 'kind' and its parameters; "
                                 f"got {entry!r}.")
            kind_name = entry.get("kind")
            if kind_name is None:
                self.fail(where, f"missing 'kind'; {_suggest('', DESIGN_KINDS)}.")
            if kind_name not in DESIGN_KINDS:
                self.fail(where, f"unknown design kind {kind_name!r}; "
                                 f"{_suggest(kind_name, DESIGN_KINDS)}.")
            kind = DESIGN_KINDS[kind_name]
            varied = {k.split(".")[2] for k in grid if k.startswith(f"designs.{name}.")}
            for key in varied:
                if key not in kind.parameters:
                    self.fail("grid", f"unknown parameter {key!r} of {kind_name} (design "
                                      f"{name!r}); {_suggest(key, kind.parameters)}.")
            params = self.read_parameters(where, entry, kind, varied, kind_name, skip="kind")
            designs[name] = {"kind": kind_name, **params}
        return designs


def _flatten(table: dict, prefix=()):
    """(path, value) for every non-table value of a nested table."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, (*prefix, key))
        else:
            yield (*prefix, key), value
