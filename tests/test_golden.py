"""Fixed-seed summaries of every design and estimand equal, bit for bit, those the code
wrote before the open-methods architecture.

``tests/data/golden_summaries.json`` holds them as exact hex floats; it was written by
``python -m tests.test_golden tests/data/golden_summaries.json`` on the commit before the
change (5688d41), so this test proves the change moved no bit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import simsample as ss

STORED = Path(__file__).parent / "data" / "golden_summaries.json"

REPS = 5_000  # two chunks, the second one partial


def cases():
    """(name, population, designs, estimand) of every design kind and estimand."""
    equal = ss.two_level(n_groups=40, group_size=12, icc=0.2, seed=11)
    unequal = ss.two_level(n_groups=40, group_size=ss.sizes.lognormal(20, cv=0.5, minimum=6),
                           icc=0.15, seed=12)
    three = ss.three_level(n_groups=12, subgroups_per_group=4, subgroup_size=6,
                           icc_group=0.2, icc_subgroup=0.1, seed=13)
    mean_designs = {"srs": ss.SRS(30), "srs_wr": ss.SRS(30, replace=True),
                    "two": ss.TwoStage(8, 4), "two_exp": ss.TwoStage(8, 4, estimator="expansion"),
                    "clus": ss.ClusterSample(6), "clus_exp": ss.ClusterSample(6, estimator="expansion"),
                    "strat": ss.Stratified(120), "neyman": ss.Stratified(120, allocation="neyman"),
                    "pps": ss.PPS(6, 3)}
    yield "mean_equal", equal, mean_designs, "mean"
    yield "mean_unequal", unequal, mean_designs, "mean"
    yield "mean_three", three, {"three": ss.ThreeStage(5, 2, 3),
                                "three_exp": ss.ThreeStage(5, 2, 3, estimator="expansion")}, "mean"
    effect_designs = {"srs": ss.SRS(120), "two": ss.TwoStage(10, 8), "clus": ss.ClusterSample(8)}
    yield "diff_under", ss.scenarios.under_conservative(seed=5), effect_designs, "difference"
    yield "diff_voting", ss.scenarios.income_voting(seed=6), {"two": ss.TwoStage(10, 40)}, "difference"


def summaries() -> dict:
    out = {}
    for name, pop, designs, estimand in cases():
        study = ss.simulate(pop, designs, REPS, seed=2026, estimand=estimand)
        table = study.summary()
        numeric = table.select_dtypes(include=[np.number])
        out[name] = {
            "keys": [f"{d}/{m}" for d, m in zip(table["design"], table["method"])],
            "columns": {c: [float(v).hex() for v in numeric[c].to_numpy(dtype=float)]
                        for c in numeric.columns},
        }
    return out


@pytest.mark.slow
def test_summaries_bit_identical_to_the_stored_ones():
    stored = json.loads(STORED.read_text())
    fresh = summaries()
    assert set(fresh) == set(stored)
    for case, table in stored.items():
        assert fresh[case]["keys"] == table["keys"], case
        for column, values in table["columns"].items():
            assert fresh[case]["columns"][column] == values, (case, column)


if __name__ == "__main__":
    with open(sys.argv[1], "w") as fh:
        json.dump(summaries(), fh, indent=0, sort_keys=True)
