"""What study files can name: design kinds, population generators and methods.

``kind = "TwoStage"`` in a ``[designs.NAME]`` table and ``generator = "two_level"``
in ``[population]`` are looked up here. Every design of
:data:`simsample.designs.DESIGNS` is registered under its name;
:func:`register_design_kind` and :func:`register_population_kind` add more.
``methods = [...]`` names methods of the estimand's registry
(:func:`simsample.estimands.register` adds one).
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._validation import InvalidParameterError
from ..designs import DESIGNS, Design
from ..population import Population, binary_two_level, covariate_population, scenarios
from ..population import three_level, two_level


@dataclass(frozen=True)
class DesignKind:
    """How a study file's ``kind = "..."`` becomes a :class:`~simsample.Design`."""

    factory: Callable[..., Design]
    required: tuple[str, ...]
    optional: dict[str, Any]

    @property
    def parameters(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


@dataclass(frozen=True)
class PopulationKind:
    """How a study file's ``generator = "..."`` becomes a :class:`~simsample.Population`.

    ``paths`` are parameters naming files, resolved relative to the study file
    (their content is hashed into the study's identity); ``seeded`` generators
    take a ``seed`` (a fixed one from the file, else the condition's stream).
    """

    factory: Callable[..., Population]
    required: tuple[str, ...]
    optional: dict[str, Any]
    paths: tuple[str, ...] = ()

    @property
    def parameters(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)

    @property
    def seeded(self) -> bool:
        return "seed" in self.parameters


#: Design kinds usable in study files (``kind = "TwoStage"``).
DESIGN_KINDS: dict[str, DesignKind] = {}
#: Population generators usable in study files (``generator = "two_level"``).
POPULATION_KINDS: dict[str, PopulationKind] = {}


def register_design_kind(kind: str, factory: Callable[..., Design], *,
                         required: tuple[str, ...] | None = None,
                         optional: dict[str, Any] | None = None) -> None:
    """Make ``kind = "<kind>"`` usable in study files.

    Parameters default to the fields of ``factory`` when it is a dataclass
    (required: those without a default); ``required`` moves names from the
    optional to the required ones, ``optional`` replaces the optional ones.
    """
    req, opt = _signature_parameters(factory)
    if required is not None:
        req = tuple(required)
        opt = {k: v for k, v in opt.items() if k not in req}
    if optional is not None:
        opt = dict(optional)
    DESIGN_KINDS[kind] = DesignKind(factory, req, opt)


def register_population_kind(name: str, factory: Callable[..., Population], *,
                             required: tuple[str, ...] | None = None,
                             optional: dict[str, Any] | None = None,
                             paths: tuple[str, ...] = ()) -> None:
    """Make ``generator = "<name>"`` usable in study files (parameters as for designs)."""
    req, opt = _signature_parameters(factory)
    if required is not None:
        req = tuple(required)
        opt = {k: v for k, v in opt.items() if k not in req}
    if optional is not None:
        opt = dict(optional)
    POPULATION_KINDS[name] = PopulationKind(factory, req, opt, tuple(paths))


def method_names_problem(names, estimand: str) -> str | None:
    """What is wrong with a study file's ``methods`` list (one line), or None.

    Each entry must name a registered method of ``estimand`` (or an alias of
    one), none twice.
    """
    if not isinstance(names, list) or not names or not all(
            isinstance(name, str) and name for name in names):
        return f"'methods' must be a non-empty list of method names; got {names!r}."
    from ..estimands import registered, resolve  # the compiled methods: only when named

    known = list(registered(estimand))
    for name in names:
        try:
            resolve([name], estimand, ())
        except InvalidParameterError:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            return (f"'methods': unknown method {name!r} for estimand {estimand!r}; {hint}"
                    f"valid: {', '.join(repr(k) for k in known)}.")
    twice = [name for name in names if names.count(name) > 1]
    if twice:
        return f"'methods' lists {twice[0]!r} twice."
    return None


def _signature_parameters(factory) -> tuple[tuple[str, ...], dict[str, Any]]:
    if dataclasses.is_dataclass(factory):
        fields = [f for f in dataclasses.fields(factory) if f.init]
        req = tuple(f.name for f in fields if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING)
        opt = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
        return req, opt
    params = [p for p in inspect.signature(factory).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    req = tuple(p.name for p in params if p.default is p.empty)
    opt = {p.name: p.default for p in params if p.default is not p.empty}
    return req, opt


def _csv_population(path, y, group, *, x=None, X=None, dropna=False, name=None):
    return Population.from_csv(path, y=y, group=group, x=x, X=X, dropna=dropna, name=name)


#: Parameters a study file must give although the class has a default for them.
_REQUIRED = {"TwoStage": ("groups", "per_group"), "PPS": ("groups", "per_group"),
             "ThreeStage": ("groups", "subgroups", "per_subgroup")}
for _kind, _design in DESIGNS.items():  # every design of the registry, by its name
    register_design_kind(_kind, _design, required=_REQUIRED.get(_kind))
register_population_kind("two_level", two_level)
register_population_kind("three_level", three_level)
register_population_kind("binary_two_level", binary_two_level)
register_population_kind("covariate_population", covariate_population)
for _scenario in (scenarios.over_conservative, scenarios.under_conservative, scenarios.simpson,
                  scenarios.income_voting):
    register_population_kind(_scenario.__name__, _scenario)
register_population_kind("csv", _csv_population, paths=("path",))
