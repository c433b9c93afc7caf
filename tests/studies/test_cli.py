"""`simsample run`: outputs of the example studies, and malformed input that writes nothing."""

import base64
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample import cli, engine
from simsample.studies.config import load_study

from ..helpers import assert_mc_close
from .common import TINY_TOML, write

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = ROOT / "experiments"
PNG = b"\x89PNG\r\n\x1a\n"


def test_grid_study_writes_summary_figures_and_report(tmp_path, capsys):
    out = tmp_path / "icc"
    assert cli.main(["run", str(EXPERIMENTS / "icc_by_group_size.toml"), "--out", str(out),
                     "--reps", "200"]) == 0
    printed = capsys.readouterr().out
    assert "20 conditions x 200 replications" in printed

    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 20 * 1 * 2  # conditions x designs x methods
    assert set(summary["icc"]) == {0.0, 0.05, 0.1, 0.2, 0.4}
    assert set(summary["two-stage.per_group"]) == {2, 5, 10, 25}
    for column in ("n_failed", "coverage_mcse", "variance_mcse", "variance_ratio_mcse"):
        assert column in summary.columns
    # the exact two-stage variance (Cochran thm 10.1), by hand from each row's own labels
    for icc in (0.05, 0.4):
        population = ss.two_level(n_groups=100, group_size=50, icc=icc, seed=1)
        y = np.asarray(population.y).reshape(100, 50)
        s1 = y.mean(axis=1).var(ddof=1)
        s2 = y.var(axis=1, ddof=1).mean()
        for m in (2, 25):
            expected = (1 - 10 / 100) * s1 / 10 + (1 - m / 50) * s2 / (10 * m)
            rows = summary[(summary["icc"] == icc) & (summary["two-stage.per_group"] == m)]
            np.testing.assert_allclose(rows["theory_variance"], expected, rtol=1e-10)
            srs = (1 - 10 * m / 5000) * y.var(ddof=1) / (10 * m)
            np.testing.assert_allclose(rows["theory_variance_ratio"], expected / srs, rtol=1e-10)

    record = json.loads((out / "summary.json").read_text())
    assert len(record["conditions"]) == 20 and len(record["summary"]) == 40
    assert record["study"]["reps"] == 200 and record["chunk_size"] == engine.CHUNK_SIZE
    assert record["conditions"][7]["values"] == {"icc": 0.05, "two-stage.per_group": 25}

    for name in ("coverage.png", "variance_ratio.png"):
        assert (out / name).read_bytes().startswith(PNG)
    html = (out / "report.html").read_text()
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(images) == 2
    assert all(base64.b64decode(image).startswith(PNG) for image in images)
    assert "<table" in html and "coverage_mcse" in html and "http" not in html


def test_number_of_groups_study_runs(tmp_path):
    out = tmp_path / "few"
    assert cli.main(["run", str(EXPERIMENTS / "few_groups_coverage.toml"), "--out", str(out),
                     "--reps", "100", "--quiet"]) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 8 * 2 * 2
    assert set(summary["dist"]) == {"normal", "lognormal"}
    assert (out / "coverage.png").exists() and (out / "report.html").exists()


@pytest.mark.statistical
def test_icc_study_variances_match_theory(global_seed):
    """Every condition's Monte Carlo variance within 4 MCSE of the exact variance."""
    spec = load_study(EXPERIMENTS / "icc_by_group_size.toml", reps=engine.CHUNK_SIZE)
    spec = dataclasses.replace(spec, seed=global_seed)
    summary = ss.run_study(spec, progress=False).summary()
    rows = summary[summary["method"] == "cluster_t"]
    assert len(rows) == 20
    for _, row in rows.iterrows():
        assert_mc_close(row["variance"], row["theory_variance"], row["variance_mcse"])


# -- malformed input -------------------------------------------------------------------------

MALFORMED = {
    "unknown design kind": ('kind = "TwoStage"', 'kind = "Cluster"', "unknown design kind"),
    "negative reps": ("reps = 300", "reps = -3", "'reps' must be an int >= 1; got -3"),
    "misspelt key": ("seed = 11", "sede = 11", "unknown key 'sede'; did you mean 'seed'?"),
    "infeasible condition": ("[0.1, 0.3]", "[0.1, 0.3]\nn_groups = [20, 3]",
                             "'groups' of TwoStage must be an int in [2, G=3]"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_study_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, case):
    old, new, expected = MALFORMED[case]
    text = TINY_TOML.replace(old, new, 1)
    if case == "infeasible condition":
        text = text.replace("n_groups = 20\n", "")
    study = write(tmp_path / "bad.toml", text)
    out = tmp_path / "out"
    assert cli.main(["run", str(study), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("simsample run: error: bad.toml: ")
    assert expected in err
    assert not out.exists()


def test_bad_reps_option_and_refused_resume_exit_2(tmp_path, capsys):
    study = str(write(tmp_path / "tiny.toml", TINY_TOML))
    out = tmp_path / "out"
    assert cli.main(["run", study, "--out", str(out), "--reps", "0"]) == 2
    assert "'reps' (replacing the study's) must be an int >= 1; got 0" in capsys.readouterr().err
    assert not out.exists()
    assert cli.main(["run", study, "--out", str(out), "--quiet"]) == 0
    other = str(write(tmp_path / "other.toml", TINY_TOML.replace("seed = 11", "seed = 12")))
    capsys.readouterr()
    assert cli.main(["run", other, "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "seed 11 (here 12)" in err
