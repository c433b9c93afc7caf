"""The CLI: every failure is one line on stderr and exit 2, file arguments checked first."""

import subprocess
import sys

import pytest

from simsample.cli import error_line, main

STUDY = """\
name = "s"
reps = 20
seed = 1

[population]
generator = "two_level"
n_groups = {groups}
group_size = 10

[designs.srs]
kind = "SRS"
n = 4
"""
PLAN = ["plan", "--icc", "0.1", "--cost-cluster", "100", "--cost-unit", "10"]


def _cli(*argv, cwd):
    done = subprocess.run([sys.executable, "-m", "simsample", *argv], capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    return done.returncode, done.stderr


def test_subprocess_messages_are_one_line_exit_2(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "huge.toml").write_text(STUDY.format(groups=10**9))
    cases = [
        (PLAN + ["--budget", "1e5", "--population", str(tmp_path), "--y", "y", "--group", "g"],
         f"--population {tmp_path}: a directory; give a file."),
        (PLAN + ["--budget", "1e5", "--verify", "--out", str(tmp_path / "file")],
         "is an existing file; give a folder"),
        (PLAN + ["--budget", "1e5", "--reps", "-3"], "'--reps' of simsample plan must be an int"),
        (["run", str(tmp_path / "huge.toml"), "--out", str(tmp_path / "o")],
         "'n_groups' x 'group_size' of two_level gives 10,000,000,000 units"),
        (["run", str(tmp_path / "huge.toml"), "--out", str(tmp_path / "file")],
         "is an existing file; give a folder"),
    ]
    for argv, expected in cases:
        code, err = _cli(*argv, cwd=tmp_path)
        assert code == 2 and err.count("\n") == 1 and expected in err, (argv, err)
        assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_study_of_huge_population_in_process(tmp_path, capsys):
    (tmp_path / "huge.toml").write_text(STUDY.format(groups=10**9))
    assert main(["run", str(tmp_path / "huge.toml"), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("exc,expected", [
    (KeyboardInterrupt(), "interrupted; finished chunks are kept: rerun with --resume."),
    (MemoryError(), "out of memory; choose smaller sizes or fewer --jobs."),
    (IsADirectoryError(21, "Is a directory", "some/dir"), "Is a directory: some/dir."),
    (FileExistsError(17, "File exists", "out"), "File exists: out."),
    (PermissionError(13, "Permission denied", "out"), "Permission denied: out."),
    (KeyError("no design named 'x'"), "no design named 'x'"),
])
def test_error_line(exc, expected):
    class Args:
        command = "run"

    assert error_line(exc, Args()) == expected


def test_dead_worker_says_rerun_with_resume():
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    class Args:
        command = "run"

    line = error_line(TerminatedWorkerError("A worker process managed by the executor was "
                                            "unexpectedly terminated.\nSIGKILL(-9)"), Args())
    assert line == "a worker died (killed, or out of memory); finished chunks are kept: " \
                   "rerun with --resume."


def test_keyboard_interrupt_in_main_is_one_line(monkeypatch, capsys, tmp_path):
    import simsample.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run_demo", interrupted)
    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_default(parser(), interrupted))
    assert main(["demo", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == "simsample demo: error: interrupted; run the command again.\n"


def _with_default(parser, run):
    for action in parser._subparsers._group_actions:
        action.choices["demo"].set_defaults(run=run)
    return parser
