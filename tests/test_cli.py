"""The command line: the demo job end to end, and one-line errors."""

import json

import pandas as pd
import pytest

from simsample.cli import main


def test_demo_writes_summary_figure_and_prints_the_table(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--reps", "3000", "--seed", "5"]) == 0
    printed = capsys.readouterr().out
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["design"]) == {"SRS", "two-stage 20x5", "two-stage 10x10"}
    assert set(summary["method"]) == {"naive_t", "cluster_t"}
    assert (summary["reps"] == 3000).all()
    record = json.loads((out / "summary.json").read_text())
    assert record["reps"] == 3000 and len(record["summary"]) == 6
    assert (out / "sampling_distributions.png").stat().st_size > 10_000
    assert "Var(two-stage 10x10) / Var(SRS)" in printed and "cluster_t" in printed


@pytest.mark.parametrize("argv,message", [
    (["demo", "--out", "{tmp}", "--reps", "0"], "'reps' of simulate must be an int >= 1; got 0"),
    (["demo", "--out", "{tmp}", "--icc", "1.5"], "'icc' of two_level"),
])
def test_bad_input_exits_2_with_a_one_line_message(tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path / "o")) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err
    assert not (tmp_path / "o").exists()


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out
