"""Checkpoints: atomic writes, damaged files, and SIGKILL at any moment then --resume."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import simsample as ss
from simsample import engine
from simsample.studies import checkpoint

from .common import chunk_files, summary_bytes, tiny

CHUNK = engine.CHUNK_SIZE
ROOT = Path(__file__).resolve().parents[2]


def test_a_failed_atomic_write_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "data.bin"
    checkpoint.atomic_write(target, b"old")

    def crash(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        checkpoint.atomic_write(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_stray_temporaries_and_damaged_chunks_are_recovered_on_resume(tmp_path):
    out = tmp_path / "study"
    ss.run_study(tiny(), out, reps=2 * CHUNK, progress=False)
    reference = summary_bytes(out)
    files = chunk_files(out)
    assert len(files) == 8
    # what a kill during a write leaves behind: a half-written temporary file
    stray = files[0].parent / f".{files[0].name}.abcdef.tmp"
    stray.write_bytes(files[0].read_bytes()[:100])
    # and a chunk file damaged by something else (atomic writes never do this)
    files[3].write_bytes(files[3].read_bytes()[:50])
    (out / "summary.json").unlink()

    run = ss.run_study(tiny(), out, reps=2 * CHUNK, resume=True, progress=False)
    assert (run.reused_chunks, run.computed_chunks) == (7, 1)
    assert not stray.exists()
    assert summary_bytes(out) == reference


# -- SIGKILL ---------------------------------------------------------------------------------

KILL_STUDY = f"""
name = "kill"
reps = {10 * CHUNK}
seed = 99
[population]
generator = "two_level"
n_groups = 30
group_size = 10
[designs.SRS]
kind = "SRS"
n = 20
[designs.two-stage]
kind = "TwoStage"
groups = 5
per_group = 4
[grid]
icc = [0.05, 0.2, 0.4]
"""

# The CLI, with a short pause after each chunk is saved so that the kill lands partway.
LAUNCHER = """
import sys, time
import simsample.studies.checkpoint as checkpoint
save = checkpoint.Checkpoint.save
def slow_save(self, *args, **kwargs):
    save(self, *args, **kwargs)
    time.sleep(0.03)
checkpoint.Checkpoint.save = slow_save
from simsample.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _alive_in_group(pgid: int) -> list[int]:
    """Processes (not zombies) of process group ``pgid``."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():  # not Linux: ask the kernel about the group
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [pgid]
    alive = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _describe(pids: list[int]) -> list[str]:
    """The command lines of ``pids``, to say which process outlived its parent."""
    lines = []
    for pid in pids:
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                         .decode(errors="replace")[:200])
        except OSError:
            lines.append(str(pid))
    return lines


def _wait_for(condition, timeout: float, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            what = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def test_sigkill_then_resume_gives_the_uninterrupted_summary(tmp_path):
    study = tmp_path / "kill.toml"
    study.write_text(KILL_STUDY)
    out = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, "run", str(study), "--out", str(out), "--jobs", "2",
         "--quiet"], cwd=tmp_path, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: len(chunk_files(out)) >= 4 or proc.poll() is not None, 120,
                  "the first chunk files")
        assert proc.poll() is None, proc.stderr.read().decode()
        assert len(_alive_in_group(proc.pid)) > 1  # loky workers are running
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        # the orphaned workers notice that their parent is gone and exit
        _wait_for(lambda: not _alive_in_group(proc.pid), 20,
                  lambda: f"the workers to exit; still alive: {_describe(_alive_in_group(proc.pid))}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stderr.close()
    saved = len(chunk_files(out))
    assert 4 <= saved < 30 and not (out / "summary.json").exists()

    resumed = ss.run_study(study, out, resume=True, progress=False)
    assert resumed.reused_chunks == saved and resumed.computed_chunks == 30 - saved
    uninterrupted = tmp_path / "uninterrupted"
    ss.run_study(study, uninterrupted, progress=False)
    assert summary_bytes(out) == summary_bytes(uninterrupted)
    assert (out / "summary.csv").read_bytes() == (uninterrupted / "summary.csv").read_bytes()
