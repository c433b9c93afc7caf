"""The lecture notebooks are valid, stored without outputs, and open with a parameters cell.

They are executed by the documentation build, not here.
"""

from pathlib import Path

import nbformat
import pytest

LECTURE = Path(__file__).resolve().parents[2] / "docs" / "lecture"
NOTEBOOKS = sorted(LECTURE.glob("*.ipynb"))


def test_the_lecture_has_its_four_parts_and_an_index():
    assert [path.name[0] for path in NOTEBOOKS] == ["1", "2", "3", "4"]
    index = (LECTURE / "index.md").read_text()
    for path in NOTEBOOKS:
        assert f"({path.name})" in index
    assert "jupyter lab docs/lecture" in index


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_and_clean(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    assert book.nbformat == 4
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert code, "a notebook without code"
    for cell in code:
        assert cell.outputs == [], f"stored outputs in {path.name}"
        assert cell.execution_count is None
    assert book.cells[0].cell_type == "markdown" and book.cells[0].source.startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_a_parameters_cell(path):
    book = nbformat.read(path, as_version=4)
    first = next(cell for cell in book.cells if cell.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    assert "QUICK = True" in first.source
    assert "import" not in first.source  # only values a teacher changes


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_draws_inline_and_writes_no_files(path):
    source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells
                       if cell.cell_type == "code")
    assert "%matplotlib inline" in source
    assert "savefig" not in source and "to_csv" not in source
