"""Small studies shared by the study tests (tiny populations, few replications)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

TINY = {
    "name": "tiny",
    "reps": 300,
    "seed": 11,
    "population": {"generator": "two_level", "n_groups": 20, "group_size": 8},
    "designs": {
        "SRS": {"kind": "SRS", "n": 16},
        "two-stage": {"kind": "TwoStage", "groups": 4},
    },
    "grid": {"icc": [0.1, 0.3], "designs.two-stage.per_group": [2, 4]},
}

TINY_TOML = """\
name = "tiny"
reps = 300
seed = 11

[population]
generator = "two_level"
n_groups = 20
group_size = 8

[designs.SRS]
kind = "SRS"
n = 16

[designs.two-stage]
kind = "TwoStage"
groups = 4

[grid]
icc = [0.1, 0.3]
"designs.two-stage.per_group" = [2, 4]
"""


def tiny(**changes) -> dict:
    """A deep copy of TINY with top-level entries replaced."""
    study = copy.deepcopy(TINY)
    study.update(copy.deepcopy(changes))
    return study


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def summary_bytes(out: Path) -> bytes:
    return (Path(out) / "summary.json").read_bytes()


def summary_record(out: Path) -> dict:
    return json.loads(summary_bytes(out))


def chunk_files(out: Path) -> list[Path]:
    return sorted(Path(out).glob("checkpoint/c*/chunk*.npz"))


try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

# The TOML and dict forms of the tiny study are used interchangeably by the tests.
assert tomllib.loads(TINY_TOML) == TINY, "TINY_TOML and TINY must describe the same study"
