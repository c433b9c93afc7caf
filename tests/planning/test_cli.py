"""The ``simsample plan`` command: printed plan, verification, files, bad input."""

import json

import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample.cli import main
from simsample.planning import variance_components

BASE = ["plan", "--icc", "0.05", "--cost-cluster", "750", "--cost-unit", "100"]


@pytest.mark.statistical
def test_plan_verify_reports_the_achieved_cv_within_mcse(tmp_path, capsys, global_seed):
    code = main(BASE + ["--budget", "100000", "--verify", "--reps", "3000",
                        "--seed", str(global_seed % 2**31), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    for piece in ("clusOpt2", "51.45", "11.94", "0.05019", "54", "99,900", "Verification",
                  "TwoStage(54x11)", "achieved CV"):
        assert piece in out
    table = pd.read_csv(tmp_path / "verification.csv").set_index("quantity")
    cv = table.loc["CV"]
    assert cv["planned"] == pytest.approx(np.sqrt(1.5 / 594), rel=1e-12)
    # within 4 MCSE of the planned CV once the documented fpc term is added back ...
    assert abs(cv["z_planned_fpc"]) <= 4
    # ... and of the planned CV as printed, up to that term (under 1% of the CV here)
    fpc_shift = cv["planned"] - cv["planned_fpc"]
    assert 0 < fpc_shift < 0.01 * cv["planned"]
    assert abs(cv["achieved"] - cv["planned"]) <= 4 * cv["mcse"] + fpc_shift
    record = json.loads((tmp_path / "plan.json").read_text())
    assert record["plan"]["integer"]["clusters"] == 54
    assert record["verification"]["reps"] == 3000
    curve = pd.read_csv(tmp_path / "budget_curve.csv")
    assert {"per_cluster", "cv", "cv_mcse", "exact_cv"} <= set(curve.columns)
    assert (tmp_path / "budget_curve.png").stat().st_size > 10_000
    assert pd.read_csv(tmp_path / "plan.csv", index_col=0).loc["clusters", "integer"] == 54


def test_plan_for_a_cv_target_and_a_margin_of_error(tmp_path, capsys):
    assert main(BASE + ["--cv", "0.05"]) == 0
    assert "target CV of 0.05" in capsys.readouterr().out
    assert main(BASE + ["--moe", "2", "--mean", "50", "--sd", "20", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "margin of error of 2 at 95%" in out and "wrote" in out
    record = json.loads((tmp_path / "plan.json").read_text())["plan"]
    assert record["integer"]["moe"] <= 2.0 and record["moe_target"] == 2.0
    assert (tmp_path / "budget_curve.png").exists() and not (tmp_path / "verification.csv").exists()


@pytest.mark.statistical
def test_plan_from_a_population_csv(tmp_path, capsys, global_seed):
    pop = ss.two_level(n_groups=200, group_size=30, mean=20.0, icc=0.15, seed=global_seed)
    path = tmp_path / "pop.csv"
    pd.DataFrame({"score": pop.y, "school": pop.group}).to_csv(path, index=False)
    code = main(["plan", "--cost-cluster", "300", "--cost-unit", "30", "--budget", "15000",
                 "--population", str(path), "--y", "score", "--group", "school", "--verify",
                 "--reps", "2000", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    vc = variance_components(pop)
    assert f"delta {vc.delta:.4g}" in out and "from the given population" in out
    record = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert record["plan"]["delta"] == pytest.approx(vc.delta, rel=1e-12)
    assert record["plan"]["k"] == pytest.approx(vc.k, rel=1e-12)
    cv = pd.read_csv(tmp_path / "out" / "verification.csv").set_index("quantity").loc["CV"]
    assert abs(cv["z_exact"]) <= 4


@pytest.mark.parametrize("extra, message", [
    (["--icc", "1.5", "--budget", "1e5"], "--icc must be in (0, 1)"),
    (["--icc", "0", "--budget", "1e5"], "--icc must be in (0, 1)"),
    (["--icc", "0.05", "--budget", "-3"], "'budget'"),
    (["--icc", "0.05", "--budget", "3000"], "minimum budget is 3,700"),
    (["--icc", "0.05", "--moe", "2"], "needs the unit SD"),
    (["--budget", "1e5"], "--icc is required"),
    (["--icc", "0.05", "--budget", "1e5", "--population", "x.csv"], "--y and --group"),
])
def test_bad_input_exits_2_with_one_line(extra, message, capsys):
    args = ["plan", "--cost-cluster", "750", "--cost-unit", "100"] + extra
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_negative_cost_exits_2(capsys):
    assert main(["plan", "--icc", "0.05", "--cost-cluster", "-750", "--cost-unit", "100",
                 "--budget", "1e5"]) == 2
    assert "'cost_cluster'" in capsys.readouterr().err
