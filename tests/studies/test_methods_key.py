"""``methods = [...]`` in a study file: the named methods run, a misspelt one is refused."""

from pathlib import Path

import pytest

from simsample import cli
from simsample.studies import run_study
from simsample.studies.config import StudyFileError, load_study

from .common import TINY_TOML, tiny, write

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def test_a_misspelt_method_is_refused_in_one_line_naming_file_and_key(tmp_path, capsys):
    text = TINY_TOML.replace('seed = 11\n', 'seed = 11\nmethods = ["cluster_t", "jackknfie"]\n')
    study = write(tmp_path / "bad.toml", text)
    out = tmp_path / "out"
    assert cli.main(["run", str(study), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("simsample run: error: bad.toml: top level: 'methods': unknown "
                          "method 'jackknfie' for estimand 'mean'; did you mean 'jackknife'?")
    assert not out.exists()


@pytest.mark.parametrize("methods, expected", [
    ([], "'methods' must be a non-empty list of method names; got []."),
    ("cluster_t", "'methods' must be a non-empty list of method names; got 'cluster_t'."),
    (["cluster_t", "cluster_t"], "'methods' lists 'cluster_t' twice."),
    (["wild_bootstrap"], "unknown method 'wild_bootstrap' for estimand 'mean'"),
])
def test_methods_must_be_distinct_registered_names_of_the_estimand(methods, expected):
    with pytest.raises(StudyFileError) as info:
        load_study(tiny(methods=methods))
    assert str(info.value).startswith("<study dict>: top level: ")
    assert expected in str(info.value)


def test_the_named_methods_run_and_enter_the_identity():
    base = load_study(tiny())
    named = load_study(tiny(methods=["cluster_t"]))
    assert base.methods is None and "methods" not in base.normalised()
    assert named.methods == ("cluster_t",) and named.normalised()["methods"] == ["cluster_t"]
    assert named.digest() != base.digest()
    assert load_study(tiny(methods=["design_t"])).methods == ("design_t",)  # an alias
    everything = run_study(base).summary()
    only = run_study(named).summary()
    assert set(everything["method"]) == {"naive_t", "cluster_t"}
    assert set(only["method"]) == {"cluster_t"} and len(only) == 4 * 2  # conditions x designs
    # the same samples: the cluster_t rows are those of the default run
    same = everything[everything["method"] == "cluster_t"].reset_index(drop=True)
    assert only["coverage"].tolist() == same["coverage"].tolist()
    assert only["mean_estimate"].tolist() == same["mean_estimate"].tolist()


def test_the_few_clusters_experiment_names_its_methods():
    spec = load_study(EXPERIMENTS / "few_clusters.toml")
    assert spec.estimand == "difference" and spec.level == 0.95
    assert spec.methods == ("cluster_robust", "cr2_bm", "cr3", "wild_bootstrap", "reml_slope")
    assert [c.designs["two-stage"]["groups"] for c in spec.conditions()] == [6, 10, 20, 40]
