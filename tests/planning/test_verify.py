"""Plans verified by simulation: achieved precision against the plan, within Monte Carlo error.

The plan's CV is PracTools' formula without finite-population corrections.
On the synthetic population (whose B^2, W^2 equal the plan's exactly) the
exact design CV is the planned CV with both fpcs; the Monte Carlo CV must
agree with it within 4 MCSE, and with the planned CV within 4 MCSE plus that
documented fpc term.
"""

import math

import matplotlib
import numpy as np
import pytest

import simsample as ss
from simsample import InfeasibleDesignError, InvalidParameterError
from simsample.planning import (
    budget_curve,
    optimal_design,
    optimal_three_stage,
    variance_components,
    verify,
)
from tests.helpers import assert_mc_close

matplotlib.use("Agg")

EXAMPLE_9_7 = dict(delta=0.05, cost_cluster=750, cost_unit=100, budget=100_000)


@pytest.fixture(scope="module")
def example_check():
    seed = int(__import__("os").environ.get("SIMSAMPLE_TEST_SEED", "20261126"))
    plan = optimal_design(**EXAMPLE_9_7)
    return plan, verify(plan, reps=4000, seed=seed)


@pytest.mark.statistical
def test_achieved_cv_matches_the_plan(example_check):
    plan, check = example_check
    cv = check.row("CV")
    comp = check.components
    G, M = check.population.n_groups, int(check.population.group_sizes[0])
    # the reference values, from the plan alone
    assert cv["planned"] == pytest.approx(plan.cv, rel=1e-15)
    fpc_term = comp.B2 / G + comp.W2 / (plan.clusters * M)
    assert cv["planned_fpc"] == pytest.approx(math.sqrt(plan.cv ** 2 - fpc_term), rel=1e-9)
    assert cv["exact"] == pytest.approx(cv["planned_fpc"], rel=1e-9)
    assert check.synthetic and check.agrees()
    # Monte Carlo against the plan with its fpc term, and against the plan as printed
    assert_mc_close(cv["achieved"], cv["planned_fpc"], cv["mcse"])
    assert abs(cv["achieved"] - cv["planned"]) <= 4 * cv["mcse"] + (
        cv["planned"] - cv["planned_fpc"])
    # r = Var(with fpc)/Var(without): about 1 - f with f = 0.02 at both stages
    assert check.fpc_factor == pytest.approx(1 - fpc_term / plan.cv ** 2, rel=1e-9)
    assert 0.979 < check.fpc_factor < 0.981


@pytest.mark.statistical
def test_variance_coverage_and_bias_against_theory(example_check):
    plan, check = example_check
    row = check.study.summary().set_index("method").loc["cluster_t"]
    assert row["reps"] == 4000 and row["mean_n"] == plan.units
    assert_mc_close(row["variance"], row["theory_variance"], row["variance_mcse"])
    cover = check.row("coverage, cluster t")
    assert cover["achieved"] == row["coverage"]
    assert_mc_close(cover["achieved"], plan.level, cover["mcse"])
    bias = check.row("bias")
    assert_mc_close(bias["achieved"], 0.0, bias["mcse"])
    se = check.row("SE")
    # SE in the units of y: the synthetic population has mean 1, so SE = CV
    assert check.population.mean == pytest.approx(1.0)
    assert se["achieved"] == pytest.approx(math.sqrt(row["variance"]))
    moe = check.row("margin of error (z SE)")
    assert moe["achieved"] == pytest.approx(1.959963984540054 * se["achieved"], rel=1e-12)
    # the cluster interval's mean half-width is t(53) x mean SE
    half = check.row("mean half-width, cluster t")
    from scipy import stats
    assert half["achieved"] == pytest.approx(stats.t.ppf(0.975, 53) * row["mean_se"], rel=1e-9)
    text = repr(check)
    assert "MCSE from the planned CV with the fpc term" in text and "TwoStage(54x11)" in text


@pytest.mark.statistical
def test_cv_target_plan_with_mean_and_sd(global_seed):
    plan = optimal_design(delta=0.2, cost_cluster=200, cost_unit=20, cv=0.03, mean=50.0,
                          sd=20.0)
    check = verify(plan, reps=3000, seed=global_seed + 1)
    assert check.population.mean == pytest.approx(50.0)
    for quantity in ("SE", "CV", "margin of error (z SE)"):
        row = check.row(quantity)
        assert row["planned"] == pytest.approx({"SE": plan.se, "CV": plan.cv}.get(
            quantity, plan.moe), rel=1e-12)
        assert_mc_close(row["achieved"], row["planned_fpc"], row["mcse"])
    assert check.row("SE")["achieved"] == pytest.approx(50.0 * check.row("CV")["achieved"])


@pytest.mark.statistical
def test_verify_on_a_real_population(global_seed):
    pop = ss.two_level(n_groups=300, group_size=40, mean=10.0, icc=0.1, seed=global_seed)
    vc = variance_components(pop)
    plan = optimal_design(delta=vc.delta, unit_relvar=vc.unit_relvar, k=vc.k, mean=pop.mean,
                          cost_cluster=300, cost_unit=30, budget=20_000)
    check = verify(plan, pop, reps=3000, seed=global_seed)
    assert not check.synthetic and check.population is pop
    cv = check.row("CV")
    # with the population's own components the plan with fpc is the exact CV
    assert cv["planned_fpc"] == pytest.approx(cv["exact"], rel=1e-9)
    assert_mc_close(cv["achieved"], cv["exact"], cv["mcse"])
    assert check.fpc_factor == pytest.approx(
        vc.relvariance(plan.clusters, plan.per_cluster, fpc=True)
        / vc.relvariance(plan.clusters, plan.per_cluster))


def test_verify_is_reproducible():
    plan = optimal_design(delta=0.1, cost_cluster=100, cost_unit=10, budget=3000)
    a, b = verify(plan, reps=300, seed=9), verify(plan, reps=300, seed=9)
    assert a.table.equals(b.table)
    assert not a.table.equals(verify(plan, reps=300, seed=10).table)


def test_verify_bad_input():
    plan = optimal_design(**EXAMPLE_9_7)
    small = ss.two_level(n_groups=30, group_size=8, seed=1)
    with pytest.raises(InfeasibleDesignError, match="cannot be drawn.*'groups'"):
        verify(plan, small, reps=10)
    with pytest.raises(InvalidParameterError, match="Population"):
        verify(plan, np.ones(10), reps=10)
    with pytest.raises(InvalidParameterError, match="'reps'"):
        verify(plan, reps=0)
    three = optimal_three_stage(delta1=0.01, delta2=0.1, cost_cluster=500, cost_subcluster=100,
                                cost_unit=120, budget=1e5)
    with pytest.raises(InvalidParameterError, match="two-stage"):
        verify(three, reps=10)


@pytest.mark.statistical
def test_budget_curve_is_u_shaped_and_matches_theory(global_seed, tmp_path):
    import matplotlib.pyplot as plt

    from simsample.plots import budget_curve as draw_curve
    from simsample.plots import lecture_style

    plan = optimal_design(**EXAMPLE_9_7)
    curve = budget_curve(plan, reps=1500, seed=global_seed)
    m = curve["per_cluster"].to_numpy()
    assert m[0] == 1 and {11, 12} <= set(m) and m[-1] >= 4 * 11
    assert (curve["clusters"] == np.floor(100_000 / (750 + 100 * m))).all()
    assert (curve["cost"] <= 100_000).all()
    # U shape: the planned CV falls to the optimum and rises after it
    lowest = int(np.argmin(curve["planned_cv"]))
    assert m[lowest] in (11, 12)
    assert (np.diff(curve["planned_cv"][:lowest + 1]) < 0).all()
    assert (np.diff(curve["planned_cv"][lowest:]) > 0).all()
    for _, row in curve.iterrows():
        assert_mc_close(row["cv"], row["exact_cv"], row["cv_mcse"])
    with lecture_style():
        fig, ax = plt.subplots()
        draw_curve(curve, plan, ax=ax)
        fig.savefig(tmp_path / "curve.png")
        plt.close(fig)
    assert ax.get_xlabel().startswith("units per cluster")
    assert ax.get_ylabel() == "CV of the estimated mean"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("Monte Carlo" in t for t in labels) and any("optimum" in t for t in labels)
    assert (tmp_path / "curve.png").stat().st_size > 10_000


def test_budget_curve_without_simulation():
    plan = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, cv=0.05)
    curve = budget_curve(plan, per_cluster=[2, plan.per_cluster, 30])
    assert list(curve.columns) == ["per_cluster", "clusters", "cost", "planned_cv"]
    n = np.floor(plan.cost / (750 + 100 * curve["per_cluster"]))
    assert (curve["clusters"] == n).all()
    # the plan's own design is on the curve at its own cost
    assert curve.loc[1, "clusters"] == plan.clusters
    assert curve.loc[1, "planned_cv"] == pytest.approx(plan.cv, rel=1e-12)
    with pytest.raises(InfeasibleDesignError, match="fewer than 2 clusters"):
        budget_curve(plan, per_cluster=[100_000])
