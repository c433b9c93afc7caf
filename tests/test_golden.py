"""Fixed-seed summaries of every design and estimand equal, bit for bit, those the code
wrote before the open-methods architecture (tests/data/golden_summaries.json, written by
``python -m tests.golden`` on the commit before the change)."""

import json
from pathlib import Path

import pytest

from tests.golden import summaries

STORED = Path(__file__).parent / "data" / "golden_summaries.json"


@pytest.mark.slow
def test_summaries_bit_identical_to_the_stored_ones():
    stored = json.loads(STORED.read_text())
    fresh = summaries()
    assert set(fresh) == set(stored)
    for case, table in stored.items():
        assert fresh[case]["keys"] == table["keys"], case
        for column, values in table["columns"].items():
            assert fresh[case]["columns"][column] == values, (case, column)
