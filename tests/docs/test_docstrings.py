"""Every public name has a numpydoc docstring whose examples run.

(a) Every name of ``simsample.__all__``, every name of the public modules that
the API reference documents (``RESULTS``: theory, planning, the one-sample
result objects), and every public method and property of those classes, has a summary, a Parameters section naming exactly the
parameters of its signature (where it takes any), a Returns section (functions,
methods and properties) and an Examples section; the public modules have a
summary and an Examples section. (b) All those examples pass as doctests.
"""

from __future__ import annotations

import doctest
import functools
import importlib
import inspect
import re
import warnings

import pytest
from numpydoc.docscrape import NumpyDocString

import simsample as ss

#: Objects users reach through the public modules or get back from an analysis, by module:
#: functions, classes (with their methods and properties) and result objects.
RESULTS = {
    "simsample.theory": ["moments", "variance", "is_exact", "design_effect",
                         "kish_design_effect", "naive_coverage", "expected_naive_s2"],
    "simsample.planning": ["Allocation", "SurveyPlan", "VarianceComponents", "Verification",
                           "budget_curve", "optimal_design", "optimal_three_stage",
                           "synthetic_population", "variance_components", "verify"],
    "simsample.survey": ["SurveyEstimate", "SurveyTable", "SurveyTTest", "HR"],
    "simsample.analysis.regression": ["SurveyGLM"],
    "simsample.analysis.replicate": ["ReplicateDesign", "ReplicateEstimate"],
    "simsample.analysis.cluster_results": ["ClusterOLSResults"],
    "simsample.analysis.mixed": ["MixedLMResults"],
    "simsample.comparison": ["Comparison"],
}

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _members(cls):
    """(name, raw attribute) of the public methods and properties of ``cls``, inherited too."""
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(cls, name)
        if isinstance(raw, (staticmethod, classmethod)):
            raw = raw.__func__
        if inspect.isfunction(raw) and raw.__module__.startswith("simsample"):
            yield name, raw
        elif isinstance(raw, (property, functools.cached_property)):
            yield name, raw


def _doc(obj, owner=None, name=None) -> str:
    if isinstance(obj, (property, functools.cached_property)):
        return inspect.cleandoc(obj.__doc__ or "")
    if owner is not None:  # a method: its own docstring or the one it overrides
        return inspect.getdoc(getattr(owner, name)) or ""
    return inspect.getdoc(obj) or ""


def _entries(name, obj):
    """(label, object, kind, docstring) of one public object, and of its members."""
    if inspect.ismodule(obj):
        return [(name, obj, "module", inspect.getdoc(obj) or "")]
    if inspect.isclass(obj):
        out = [(name, obj, "class", _doc(obj))]
        for member, raw in _members(obj):
            kind = "property" if not inspect.isfunction(raw) else "function"
            out.append((f"{name}.{member}", raw, kind, _doc(raw, obj, member)))
        return out
    return [(name, obj, "function", _doc(obj))]


def public_objects():
    """(label, object, kind, docstring) of everything the API reference documents."""
    out = []
    for name in ss.__all__:
        out += _entries(name, getattr(ss, name))
    for module_name, names in RESULTS.items():
        module = importlib.import_module(module_name)
        for name in names:
            out += _entries(f"{module_name}.{name}", getattr(module, name))
    return out


OBJECTS = public_objects()


def _parameters(obj, kind) -> list[str]:
    """Names the Parameters section must document, from the signature."""
    if kind in ("module", "property"):
        return []
    target = obj
    if kind == "class":
        if issubclass(obj, BaseException):
            return ["message"]
        target = obj.__init__
        if target is object.__init__:
            return []
    names = []
    for p in inspect.signature(target).parameters.values():
        if p.name in ("self", "cls"):
            continue
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        names.append(prefix + p.name)
    return names


def _documented(doc: NumpyDocString) -> list[str]:
    names = []
    for param in doc["Parameters"] + doc["Other Parameters"]:
        names += [n.strip() for n in re.split(r",\s*", param.name) if n.strip()]
    return names


@pytest.mark.parametrize("label, obj, kind, text", OBJECTS, ids=[o[0] for o in OBJECTS])
def test_numpydoc_sections(label, obj, kind, text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unknown section heading is a mistake too
        doc = NumpyDocString(text)
    assert doc["Summary"], f"{label}: no one-line summary"
    assert doc["Examples"], f"{label}: no Examples section"
    if kind in ("function", "property"):
        assert doc["Returns"] or doc["Yields"], f"{label}: no Returns section"
    expected = _parameters(obj, kind)
    if expected:
        assert sorted(_documented(doc)) == sorted(expected), f"{label}: Parameters"


def test_every_public_name_is_covered():
    labels = {label.split(".")[0] for label, *_ in OBJECTS}
    assert labels == set(ss.__all__) | {"simsample"}
    assert {"PPS", "PPS.moments", "PPS.joint_inclusion_probabilities",
            "simsample.planning.SurveyPlan.cv_at",
            "simsample.theory.naive_coverage"} <= {label for label, *_ in OBJECTS}
    assert len(OBJECTS) > 200  # the classes' methods and properties are in, not only names


class _Finder(doctest.DocTestFinder):
    """doctest's finder, which also reads ``functools.cached_property`` docstrings."""

    def _find(self, tests, obj, name, module, source_lines, globs, seen):
        super()._find(tests, obj, name, module, source_lines, globs, seen)
        if inspect.isclass(obj):
            for key, value in vars(obj).items():
                if isinstance(value, functools.cached_property) and value.__doc__:
                    test = self._get_test(value.func, f"{name}.{key}", module, globs,
                                          source_lines)
                    if test is not None and test.examples:
                        tests.append(test)


def _defining_module(obj):
    if isinstance(obj, property):
        obj = obj.fget
    elif isinstance(obj, functools.cached_property):
        obj = obj.func
    return inspect.getmodule(obj)


#: Every module that defines a public object: their doctests are the examples to run.
MODULES = sorted({_defining_module(obj) for _, obj, *_ in OBJECTS} - {None},
                 key=lambda module: module.__name__)


def _doctests():
    """The doctests of every docstring in the modules defining the public objects."""
    finder = _Finder()
    return [test for module in MODULES for test in finder.find(module) if test.examples]


def test_examples_pass_as_doctests():
    tests = _doctests()
    assert len(MODULES) > 20 and len(tests) > 150
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failures = []
    for test in tests:
        result = runner.run(test, out=lambda text: failures.append(text))
        assert result.failed == 0 or failures
    assert failures == []
