"""What every lecture figure shares: its record, saving, the reference population."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..population import two_level

#: Reference population of the lecture: 100 groups of 50, icc 0.2.
N_GROUPS, GROUP_SIZE, ICC = 100, 50, 0.2
POPULATION_SEED = 1


@dataclass
class Figure:
    """What one experiment produced."""

    key: str
    title: str
    caption: str
    numbers: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _reps(quick: bool, full: int, fast: int) -> int:
    return fast if quick else full


def _save(fig, out: Path, key: str) -> list[str]:
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    names = [f"{key}.png", f"{key}.pdf"]
    for name in names:
        fig.savefig(out / name)
    plt.close(fig)
    return names


def _write_numbers(out: Path, key: str, numbers: dict, table: pd.DataFrame | None = None) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{key}.json").write_text(json.dumps(numbers, indent=2, default=_plain))
    names = [f"{key}.json"]
    if table is not None:
        table.to_csv(out / f"{key}.csv", index=False)
        names.append(f"{key}.csv")
    return names


def _plain(value):
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    raise TypeError(type(value).__name__)


def _pyplot():
    """pyplot for writing figure files: the file-only backend, unless pyplot is in use.

    A notebook or a session that already imported pyplot keeps its backend (inline
    figures go on showing after a lecture figure is written).
    """
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def lecture_population(icc: float = ICC):
    """The lecture's reference population (100 groups x 50 units, seed 1)."""
    return two_level(N_GROUPS, GROUP_SIZE, icc=icc, seed=POPULATION_SEED,
                     name=f"{N_GROUPS} groups x {GROUP_SIZE}, icc {icc:g}")
