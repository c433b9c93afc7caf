"""Every lecture experiment script runs (--quick) and its numbers agree with theory.

Scripts are executed as ``__main__`` in this process (runpy), as
``python experiments/NN_name.py --out DIR --quick`` would run them.
"""

import json
import runpy
import sys
from pathlib import Path

import pandas as pd
import pytest

from simsample.cli import main

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
SCRIPTS = sorted(EXPERIMENTS.glob("[0-9][0-9]_*.py"))
Z = 4.0  # tolerance in Monte Carlo standard errors


def run_script(script: Path, out: Path, monkeypatch) -> str:
    monkeypatch.setattr(sys, "argv", [str(script), "--out", str(out), "--quick"])
    runpy.run_path(str(script), run_name="__main__")
    return script.stem


def test_there_is_one_script_per_lecture_figure():
    assert [s.stem[:2] for s in SCRIPTS] == [f"{i:02d}" for i in range(1, 11)]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.stem)
def test_experiment_writes_its_figure_and_numbers(script, tmp_path, monkeypatch):
    key = run_script(script, tmp_path, monkeypatch)
    for suffix in (".png", ".pdf", ".json"):
        assert (tmp_path / f"{key}{suffix}").stat().st_size > 0
    numbers = json.loads((tmp_path / f"{key}.json").read_text())
    table = pd.read_csv(tmp_path / f"{key}.csv") if (tmp_path / f"{key}.csv").exists() else None
    CHECKS.get(key[:2], lambda *_: None)(numbers, table)


def _check_sampling_distributions(numbers, table):
    assert numbers["variance_ratio_lower"] <= numbers["theory_variance_ratio"] \
        <= numbers["variance_ratio_upper"]
    rows = table[table["method"] == "cluster_t"]
    assert ((rows["variance"] - rows["theory_variance"]).abs() <= Z * rows["variance_mcse"]).all()


def _check_variance_ratio(numbers, table):
    z = (table["variance_ratio"] - table["theory_variance_ratio"]) / table["variance_ratio_mcse"]
    assert z.abs().max() <= Z, table


def _check_coverage(numbers, table):
    cluster = table[table["method"] == "cluster_t"]
    assert ((cluster["coverage"] - 0.95).abs() <= Z * cluster["coverage_mcse"]).all(), cluster
    naive = table[table["method"] == "naive_t"]
    assert ((naive["coverage"] - naive["theory_naive_coverage"]).abs()
            <= Z * naive["coverage_mcse"]).all(), naive
    assert naive.set_index("icc").loc[0.5, "coverage"] < 0.8


def _check_differences(numbers, table):
    t = table.set_index(["scenario", "method"])
    over, under = t.loc[("over_conservative", "naive")], t.loc[("under_conservative", "naive")]
    assert over["coverage"] > 0.95 + Z * over["coverage_mcse"]
    assert under["coverage"] < 0.95 - Z * under["coverage_mcse"]
    for scenario in ("over_conservative", "under_conservative"):
        robust = t.loc[(scenario, "cluster_robust")]
        assert abs(robust["coverage"] - 0.95) <= Z * robust["coverage_mcse"]


def _check_simpson(numbers, table):
    assert numbers["population_delta"] > 0 and max(numbers["group_deltas"]) < 0
    t = table.set_index("method")
    for method in ("naive", "within"):
        assert abs(t.loc[method, "mean_estimate"] - t.loc[method, "truth"]) \
            <= Z * t.loc[method, "bias_mcse"]
    assert t.loc["naive", "mean_estimate"] > 0 > t.loc["within", "mean_estimate"]


def _check_macro_micro(numbers, table):
    assert numbers["within_effect"] > 0 > numbers["macro_effect"]
    t = table.set_index("method")
    for method in ("within", "macro", "heterogeneity"):
        assert abs(t.loc[method, "mean_estimate"] - t.loc[method, "truth"]) \
            <= Z * t.loc[method, "bias_mcse"], method


def _check_joint_effects(numbers, table):
    assert numbers["within_effect"] > 0 > numbers["macro_effect"] and numbers["slope_sd"] > 0
    for row in table.itertuples():  # every approach near its census target (few samples)
        assert abs(row.mean_estimate - row.truth) <= Z * row.bias_mcse + 0.02, row
    t = table.set_index(["quantity", "method"])
    assert set(t.index.get_level_values(0)) == {"micro", "macro", "heterogeneity"}
    assert 0.0 <= t.loc[("heterogeneity", "random-slope REML"), "singular_rate"] <= 1.0


def _check_model_vs_design(numbers, table):
    t = table.set_index(["k", "method"])
    wald, satt = t.loc[(4, "reml_wald")], t.loc[(4, "reml_satterthwaite")]
    assert wald["coverage"] < 0.95 - Z * wald["coverage_mcse"]       # Wald z under-covers
    assert satt["coverage"] > wald["coverage"]
    rows = table[table["method"] != "cluster_t"]
    assert ((rows["singular_rate"] - rows["theory_singular_rate"]).abs()
            <= Z * rows["singular_rate_mcse"] + 0.01).all(), rows
    assert table[table["method"] == "cluster_t"]["singular_rate"].isna().all()


CHECKS = {"03": _check_sampling_distributions, "04": _check_variance_ratio, "05": _check_coverage,
          "06": _check_differences, "07": _check_simpson, "08": _check_macro_micro,
          "09": _check_joint_effects, "10": _check_model_vs_design}


def test_lecture_command_writes_every_figure_and_the_index(tmp_path, capsys):
    assert main(["lecture", "--out", str(tmp_path), "--quick"]) == 0
    page = (tmp_path / "index.html").read_text()
    for script in SCRIPTS:
        assert (tmp_path / f"{script.stem}.png").exists()
        assert f'id="{script.stem}"' in page
    assert page.count("data:image/png;base64,") == len(SCRIPTS)
    assert "wrote 10 figures" in capsys.readouterr().out
