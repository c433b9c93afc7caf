"""Tamper-evident checkpoints and an output folder claimed by one run at a time."""

import os
import subprocess
import sys

import numpy as np
import pytest

import simsample as ss
from simsample.studies.checkpoint import Checkpoint, CheckpointMismatchError

STUDY = {"name": "c", "reps": 3 * 4096, "seed": 5,
         "population": {"generator": "two_level", "n_groups": 10, "group_size": 4},
         "designs": {"srs": {"kind": "SRS", "n": 4}}}


def _edit_numbers(path):
    """A well-formed chunk file whose numbers were changed (the zip CRC is fine)."""
    with np.load(path) as data:
        arrays = {k: np.array(data[k]) for k in data.files}
    arrays["acc0"][0, 3] += 1.0
    np.savez(path, **arrays)


def test_edited_chunk_is_recomputed(tmp_path):
    out = tmp_path / "out"
    first = ss.run_study(STUDY, out, progress=False)
    chunk = Checkpoint(out).chunk_path(0, 1)
    _edit_numbers(chunk)
    (out / "summary.json").unlink()
    resumed = ss.run_study(STUDY, out, resume=True, progress=False)
    assert resumed.computed_chunks == 1 and resumed.reused_chunks == 2
    assert resumed.summary().equals(first.summary())


def test_manifest_holds_a_sha256_per_chunk(tmp_path):
    import hashlib
    import json

    out = tmp_path / "out"
    ss.run_study(STUDY, out, progress=False)
    digests = json.loads((out / "manifest.json").read_text())["digests"]
    assert len(digests) == 3
    chunk = Checkpoint(out).chunk_path(0, 2)
    assert digests["c00000/chunk000002"] == hashlib.sha256(chunk.read_bytes()).hexdigest()


def test_a_folder_in_use_by_a_live_run_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / ".lock").write_text(str(sleeper.pid))
        with pytest.raises(CheckpointMismatchError, match=rf"in use by another run \(process "
                           rf"{sleeper.pid}\)"):
            ss.run_study(STUDY, out, progress=False)
        assert not (out / "manifest.json").exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_killed_runs_lock_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / ".lock").write_text(str(dead.pid))
    run = ss.run_study(STUDY, out, progress=False)
    assert run.computed_chunks == 3 and not (out / ".lock").exists()


def test_two_claims_of_one_folder_cannot_both_succeed(tmp_path):
    record = {"format": "x"}
    first, second = Checkpoint(tmp_path / "out"), Checkpoint(tmp_path / "out")
    first.claim(record, resume=False)
    try:
        with pytest.raises(CheckpointMismatchError, match=r"already holds a study|in use"):
            second.claim(record, resume=False)
    finally:
        first.release()
    assert not os.path.exists(tmp_path / "out" / ".lock")
