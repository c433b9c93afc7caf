"""Figures of a study: which parameter goes where, for grids of 0, 1 and 3 parameters."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import simsample as ss  # noqa: E402
from simsample.studies.report import figure_layout, render_html, study_figures  # noqa: E402

from .common import tiny  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _panels(figure):
    return [ax for ax in figure.axes if ax.get_visible() and ax.has_data()]


def test_no_grid_puts_designs_on_the_x_axis():
    run = ss.run_study(tiny(grid={}, designs={"SRS": {"kind": "SRS", "n": 16},
                                              "two-stage": {"kind": "TwoStage", "groups": 4,
                                                            "per_group": 2}}),
                       reps=50, progress=False)
    assert figure_layout(run) == {"x": "design", "hue": "design", "facet": []}
    figures = study_figures(run)
    (panel,) = _panels(figures["coverage"][0])
    assert [t.get_text() for t in panel.get_xticklabels()] == ["SRS", "two-stage"]


def test_three_grid_parameters_give_one_panel_per_value_of_the_third():
    grid = {"dist": ["normal", "lognormal"], "icc": [0.1, 0.3], "mean": [0.0, 1.0]}
    run = ss.run_study(tiny(grid=grid, designs={"two-stage": {"kind": "TwoStage",
                                                              "groups": 4, "per_group": 2}}),
                       reps=50, progress=False)
    # one design: lines by the second parameter, panels by the third
    assert figure_layout(run) == {"x": "dist", "hue": "icc", "facet": ["mean"]}
    figure, caption = study_figures(run)["variance_ratio"]
    panels = _panels(figure)
    assert [p.get_title() for p in panels] == ["mean = 0.0", "mean = 1.0"]
    assert [t.get_text() for t in panels[0].get_xticklabels()] == ["normal", "lognormal"]
    labels = panels[0].get_legend_handles_labels()[1]
    assert {"icc = 0.1", "icc = 0.3", "theory (dashed)"} <= set(labels)
    assert "dashed" in caption
    html = render_html(run, run.summary(), {})
    assert html.count("<tr>") >= 8 + 1  # a row per condition and method, and a header
