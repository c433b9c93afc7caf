"""Study files: parsing, the grid of conditions, and errors that say what is wrong."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import simsample as ss
from simsample.studies.config import StudyFileError, load_study

from .common import TINY_TOML, tiny, write


def test_file_and_dict_give_the_same_study(tmp_path):
    from_file = load_study(write(tmp_path / "tiny.toml", TINY_TOML))
    from_dict = load_study(tiny())
    assert from_file.normalised() == from_dict.normalised()
    assert from_file.source == "tiny.toml"


def test_conditions_are_the_product_of_the_grid_last_key_fastest():
    spec = load_study(tiny())
    conditions = spec.conditions()
    assert [c.index for c in conditions] == [0, 1, 2, 3]
    assert [tuple(c.values.values()) for c in conditions] == [(0.1, 2), (0.1, 4), (0.3, 2),
                                                             (0.3, 4)]
    assert list(conditions[0].values) == ["icc", "two-stage.per_group"]
    third = conditions[2]
    assert third.population == {"generator": "two_level", "n_groups": 20, "group_size": 8,
                                "mean": 0.0, "icc": 0.3, "total_var": 1.0, "dist": "normal",
                                "name": None}
    assert third.designs["two-stage"] == {"kind": "TwoStage", "groups": 4, "per_group": 2,
                                          "estimator": "ratio"}
    assert third.designs["SRS"] == {"kind": "SRS", "n": 16, "replace": False}


def test_dotted_and_quoted_grid_keys_are_the_same(tmp_path):
    dotted = TINY_TOML.replace('"designs.two-stage.per_group"', "designs.two-stage.per_group")
    dotted = dotted.replace("icc = [", "population.icc = [")
    a = load_study(write(tmp_path / "a.toml", TINY_TOML))
    b = load_study(write(tmp_path / "b.toml", dotted))
    assert a.grid == b.grid == {"population.icc": [0.1, 0.3],
                                "designs.two-stage.per_group": [2, 4]}
    assert a.conditions() == b.conditions()


def test_no_grid_is_one_condition():
    spec = load_study(tiny(grid={}, designs={"SRS": {"kind": "SRS", "n": 16}}))
    (condition,) = spec.conditions()
    assert condition.values == {} and condition.population["icc"] == 0.2


def test_digest_ignores_reps_and_explicit_defaults_but_not_the_seed():
    base = load_study(tiny())
    assert load_study(tiny(reps=5000)).digest() == base.digest()
    assert base.with_reps(7).digest() == base.digest()
    assert load_study(tiny(level=0.95, estimand="mean")).digest() == base.digest()
    assert load_study(tiny(seed=12)).digest() != base.digest()
    assert load_study(tiny(level=0.9)).digest() != base.digest()


@st.composite
def grids(draw):
    keys = draw(st.lists(st.sampled_from(["icc", "mean", "total_var"]), min_size=1, max_size=3,
                         unique=True))
    return {k: draw(st.lists(st.integers(1, 50).map(lambda v: v / 100), min_size=1,
                             max_size=4, unique=True)) for k in keys}


@given(grid=grids(), extra=st.integers(51, 90).map(lambda v: v / 100))
def test_appending_to_the_first_grid_list_keeps_every_condition(grid, extra):
    study = tiny(grid=grid, designs={"SRS": {"kind": "SRS", "n": 16}})
    before = load_study(study).conditions()
    first = next(iter(grid))
    grown = dict(grid, **{first: [*grid[first], extra]})
    after = load_study(tiny(grid=grown, designs={"SRS": {"kind": "SRS", "n": 16}})).conditions()
    assert len(before) == len(list(itertools.product(*grid.values())))
    assert after[:len(before)] == before
    assert len({tuple(c.values.values()) for c in after}) == len(after)  # each cell once


# -- errors ----------------------------------------------------------------------------------

FILE_ERRORS = {
    "misspelt top-level key": ("reps = 300", "rep = 300",
                               ["top level", "'rep'", "did you mean 'reps'"]),
    "negative reps": ("reps = 300", "reps = -5", ["top level", "reps", ">= 1", "-5"]),
    "reps not an int": ("reps = 300", 'reps = "many"', ["reps", "'many'"]),
    "unknown design kind": ('kind = "TwoStage"', 'kind = "TwoStages"',
                            ["[designs.two-stage]", "'TwoStages'", "did you mean 'TwoStage'",
                             "'ClusterSample'"]),
    "misspelt design parameter": ("groups = 4", "groups = 4\nper_grop = 3",
                                  ["[designs.two-stage]", "'per_grop'",
                                   "did you mean 'per_group'"]),
    "missing design parameter": ("n = 16\n", "", ["[designs.SRS]", "missing", "'n' of SRS"]),
    "misspelt population parameter": ("group_size = 8", "group_sise = 8",
                                      ["[population]", "'group_sise'",
                                       "did you mean 'group_size'"]),
    "unknown generator": ('generator = "two_level"', 'generator = "two_levels"',
                          ["[population]", "'two_levels'", "did you mean 'two_level'"]),
    "grid names no design": ('"designs.two-stage.per_group"', '"designs.twostage.per_group"',
                             ["[grid]", "'twostage'", "did you mean 'two-stage'"]),
    "misspelt grid parameter": ("icc = [0.1, 0.3]", "iccc = [0.1, 0.3]",
                                ["[grid]", "'iccc'", "did you mean 'icc'"]),
    "grid value not a list": ("icc = [0.1, 0.3]", "icc = 0.1", ["[grid]", "'icc'", "list"]),
    "empty grid list": ("icc = [0.1, 0.3]", "icc = []", ["[grid]", "'icc'", "non-empty"]),
    "repeated grid value": ("icc = [0.1, 0.3]", "icc = [0.1, 0.1]", ["[grid]", "twice"]),
    "fixed and varied": ("group_size = 8", "group_size = 8\nicc = 0.2",
                         ["[population]", "'icc'", "both fixed"]),
    "kind cannot vary": ('"designs.two-stage.per_group" = [2, 4]',
                         '"designs.two-stage.kind" = ["SRS"]', ["[grid]", "cannot vary"]),
    "level out of range": ("seed = 11", "seed = 11\nlevel = 1.5", ["'level'", "1.5"]),
    "unknown estimand": ("seed = 11", 'seed = 11\nestimand = "means"',
                         ["estimand", "did you mean 'mean'"]),
    "negative seed": ("seed = 11", "seed = -1", ["seed", "-1"]),
    "missing seed": ("seed = 11\n", "", ["missing required key 'seed'"]),
    "not TOML": ("reps = 300", "reps = = 300", ["not valid TOML"]),
}


@pytest.mark.parametrize("case", list(FILE_ERRORS))
def test_malformed_file_names_file_table_and_key(tmp_path, case):
    old, new, expected = FILE_ERRORS[case]
    assert old in TINY_TOML
    path = write(tmp_path / "tiny.toml", TINY_TOML.replace(old, new, 1))
    with pytest.raises(StudyFileError) as info:
        load_study(path)
    message = str(info.value)
    assert message.startswith("tiny.toml: ")
    assert "\n" not in message
    for text in expected:
        assert text in message


def test_missing_file_is_a_study_file_error(tmp_path):
    with pytest.raises(StudyFileError, match="no such study file"):
        load_study(tmp_path / "absent.toml")


def test_design_name_with_a_dot_is_refused():
    designs = {"two.stage": {"kind": "TwoStage", "groups": 4, "per_group": 2}}
    with pytest.raises(StudyFileError, match=r"\[designs.two.stage\].*may not contain '.'"):
        load_study(tiny(designs=designs, grid={}))


def test_reps_override_is_validated():
    with pytest.raises(ss.InvalidParameterError, match=r"'reps' \(replacing the study's\) "
                       "must be an int >= 1; got 0"):
        load_study(tiny(), reps=0)
    assert load_study(tiny(), reps=9).reps == 9


@pytest.mark.parametrize("grid, table, expected", [
    ({"designs.two-stage.per_group": [2], "icc": [0.1, 1.5]}, "[population]",
     ["condition 1 (two-stage.per_group=2, icc=1.5)", "'icc' of two_level", "1.5"]),
    ({"designs.two-stage.per_group": [2, 9]}, "[designs.two-stage]",
     ["condition 1 (two-stage.per_group=9)", "'per_group' of TwoStage", "got 9"]),
])
def test_values_are_checked_in_every_condition_before_any_output(tmp_path, grid, table,
                                                                expected):
    out = tmp_path / "out"
    with pytest.raises(StudyFileError) as info:
        ss.run_study(tiny(grid=grid), out, progress=False)
    message = str(info.value)
    assert message.startswith(f"<study dict>: {table}: ")
    assert "\n" not in message
    for text in expected:
        assert text in message
    assert not out.exists()
