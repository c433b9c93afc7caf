"""Cost-optimal designs: PracTools' clusOpt2/clusOpt3 formulas, integer rounding, bad input.

References are either the published numbers (Valliant, Dever and Kreuter 2018,
Example 9.7) or formulas written out here and checked against a numerical
optimiser (scipy), never values produced by simsample itself.
"""

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, stats

from simsample import InfeasibleDesignError, InvalidParameterError, TwoStage
from simsample.planning import optimal_design, optimal_three_stage


def test_clusopt2_budget_reproduces_example_9_7():
    # VDK (2018) Example 9.7 / clusOpt2(C1=750, C2=100, delta=0.05, unit.rv=1, tot.cost=100000)
    plan = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=100_000)
    assert round(plan.continuous.per_cluster, 1) == 11.9
    assert round(plan.continuous.clusters, 1) == 51.4
    assert round(plan.continuous.cv, 4) == 0.0502
    assert plan.continuous.cost == pytest.approx(100_000, rel=1e-12)


def test_clusopt2_cv_target_matches_the_formulas():
    # clusOpt2(C1=750, C2=100, delta=0.01, unit.rv=1, k=1, CV0=0.05, cal.sw=2), written out
    m = math.sqrt(750 / 100 * 0.99 / 0.01)
    n = (1 + 0.01 * (m - 1)) / m / 0.05 ** 2
    plan = optimal_design(delta=0.01, cost_cluster=750, cost_unit=100, cv=0.05)
    assert plan.continuous.per_cluster == pytest.approx(m, rel=1e-12)
    assert plan.continuous.clusters == pytest.approx(n, rel=1e-12)
    assert plan.continuous.cost == pytest.approx(750 * n + 100 * n * m, rel=1e-12)
    assert plan.continuous.cv == pytest.approx(0.05, rel=1e-12)
    assert round(plan.continuous.per_cluster, 1) == 27.2
    assert round(plan.continuous.clusters, 1) == 18.5


@pytest.mark.parametrize("delta, c1, c2, k, relvar", [(0.05, 750, 100, 1.0, 1.0),
                                                      (0.3, 40, 25, 1.3, 0.4),
                                                      (0.002, 5000, 10, 0.9, 2.5)])
def test_two_stage_optimum_is_the_numerical_minimum(delta, c1, c2, k, relvar):
    budget = 1e6

    def cv(m):
        n = budget / (c1 + c2 * m)
        return math.sqrt(relvar * k * (1 + delta * (m - 1)) / (n * m))

    best = optimize.minimize_scalar(cv, bounds=(0.01, 1e4), method="bounded",
                                    options={"xatol": 1e-10})
    plan = optimal_design(delta=delta, cost_cluster=c1, cost_unit=c2, k=k, unit_relvar=relvar,
                          budget=budget)
    assert plan.continuous.per_cluster == pytest.approx(best.x, rel=1e-4)
    assert plan.continuous.cv == pytest.approx(best.fun, rel=1e-9)


def test_three_stage_matches_clusopt3_formulas_and_the_numerical_minimum():
    # clusOpt3(unit.cost=c(500, 100, 120), delta1=0.01, delta2=0.10, unit.rv=1, tot.cost=1e5)
    c1, c2, c3, d1, d2, budget = 500, 100, 120, 0.01, 0.10, 100_000

    def cv(sizes):
        nbar, q = sizes
        m = budget / (c1 + c2 * nbar + c3 * nbar * q)
        return math.sqrt((d1 * nbar * q + 1 + d2 * (q - 1)) / (m * nbar * q))

    best = optimize.minimize(cv, x0=[3.0, 3.0], method="Nelder-Mead",
                             options={"xatol": 1e-9, "fatol": 1e-14, "maxiter": 5000})
    plan = optimal_three_stage(delta1=d1, delta2=d2, cost_cluster=c1, cost_subcluster=c2,
                               cost_unit=c3, budget=budget)
    q = math.sqrt((1 - d2) / d2 * c2 / c3)
    nbar = math.sqrt((1 - d2) / d1 * c1 / c3) / q
    assert plan.continuous.per_subcluster == pytest.approx(q, rel=1e-12)
    assert plan.continuous.per_cluster == pytest.approx(nbar, rel=1e-12)
    assert plan.continuous.clusters == pytest.approx(budget / (c1 + c2 * nbar + c3 * nbar * q))
    assert (plan.continuous.per_cluster, plan.continuous.per_subcluster) == pytest.approx(
        tuple(best.x), rel=1e-4)
    assert plan.continuous.cv == pytest.approx(best.fun, rel=1e-8)
    # the integer design: best of floor/ceil of both sizes, most clusters the budget buys
    candidates = []
    for nb in (math.floor(nbar), math.ceil(nbar)):
        for qq in (math.floor(q), math.ceil(q)):
            m = math.floor(budget / (c1 + c2 * nb + c3 * nb * qq))
            candidates.append((math.sqrt((d1 * nb * qq + 1 + d2 * (qq - 1)) / (m * nb * qq)),
                               m, nb, qq))
    cv_best, m, nb, qq = min(candidates)
    assert (plan.clusters, plan.per_cluster, plan.per_subcluster) == (m, nb, qq)
    assert plan.cv == pytest.approx(cv_best, rel=1e-12)
    with pytest.raises(InvalidParameterError, match="two-stage"):
        plan.design()


def test_three_stage_cv_target():
    plan = optimal_three_stage(delta1=0.01, delta2=0.10, cost_cluster=500, cost_subcluster=100,
                               cost_unit=120, cv=0.01)
    q, nbar = plan.continuous.per_subcluster, plan.continuous.per_cluster
    m = (0.01 * nbar * q + 1 + 0.10 * (q - 1)) / (0.01 ** 2 * nbar * q)
    assert plan.continuous.clusters == pytest.approx(m, rel=1e-12)
    assert plan.cv <= 0.01 * (1 + 1e-12)


def test_integer_design_for_example_9_7():
    # m_opt = 11.94: 11 units buy floor(1e5/1850) = 54 clusters, 12 units floor(1e5/1950) = 51
    cv11 = math.sqrt((1 + 0.05 * 10) / (54 * 11))
    cv12 = math.sqrt((1 + 0.05 * 11) / (51 * 12))
    assert cv11 < cv12
    plan = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=100_000)
    assert (plan.clusters, plan.per_cluster, plan.units) == (54, 11, 594)
    assert plan.cost == 54 * 1850
    assert plan.cv == pytest.approx(cv11, rel=1e-12)
    assert plan.design() == TwoStage(54, 11)
    frame = plan.to_frame()
    assert frame.loc["cost", "change"] == pytest.approx(-100.0)
    assert frame.loc["cv", "change_pct"] == pytest.approx(100 * (cv11 / plan.continuous.cv - 1))
    text = repr(plan)
    for piece in ("clusOpt2", "51.45", "54", "11.94", "99,900", "0.05025", "finite-population"):
        assert piece in text
    json.dumps(plan.to_dict())


budgets = st.floats(1e4, 1e7)
deltas = st.floats(0.001, 0.9)
costs = st.floats(1.0, 2000.0)


@given(delta=deltas, c1=costs, c2=costs, budget=budgets)
def test_budget_plan_properties(delta, c1, c2, budget):
    m_opt = math.sqrt(c1 / c2 * (1 - delta) / delta)
    if budget < 2 * (c1 + c2 * max(1, math.floor(m_opt))):
        with pytest.raises(InfeasibleDesignError, match="minimum budget"):
            optimal_design(delta=delta, cost_cluster=c1, cost_unit=c2, budget=budget)
        return
    plan = optimal_design(delta=delta, cost_cluster=c1, cost_unit=c2, budget=budget)
    assert plan.per_cluster in {max(1, math.floor(m_opt)), max(1, math.ceil(m_opt))}
    assert plan.clusters >= 2
    assert plan.cost <= budget * (1 + 1e-12)
    assert plan.cost + c1 + c2 * plan.per_cluster > budget * (1 - 1e-12)  # one more is too much
    assert plan.cv == pytest.approx(
        math.sqrt((1 + delta * (plan.per_cluster - 1)) / (plan.clusters * plan.per_cluster)))
    assert plan.cv >= plan.continuous.cv * (1 - 1e-12)  # the continuous optimum is a lower bound


@given(delta=deltas, c1=costs, c2=costs, cv=st.floats(0.005, 0.5))
def test_cv_target_plan_properties(delta, c1, c2, cv):
    plan = optimal_design(delta=delta, cost_cluster=c1, cost_unit=c2, cv=cv)
    m = plan.per_cluster

    def achieved(n):
        return math.sqrt((1 + delta * (m - 1)) / (n * m))

    assert plan.cv <= cv * (1 + 1e-9)
    if plan.clusters > 2:
        assert achieved(plan.clusters - 1) > cv  # the fewest clusters that reach the target
    else:
        assert plan.clusters == 2
    assert plan.cost == pytest.approx(plan.clusters * (c1 + c2 * m))
    assert plan.cost >= plan.continuous.cost * (1 - 1e-12)


def test_moe_target_is_a_cv_target_through_the_mean():
    z = stats.norm.ppf(0.975)
    by_moe = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, moe=2.0, mean=50.0,
                            sd=20.0)
    by_cv = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, cv=2.0 / (z * 50.0),
                           unit_relvar=(20.0 / 50.0) ** 2)
    assert (by_moe.clusters, by_moe.per_cluster) == (by_cv.clusters, by_cv.per_cluster)
    assert by_moe.continuous.moe == pytest.approx(2.0, rel=1e-12)
    assert by_moe.se == pytest.approx(by_moe.cv * 50.0, rel=1e-12)
    assert by_moe.moe == pytest.approx(z * by_moe.se, rel=1e-12)
    # an absolute moe with only the SD known: same design, no CV
    by_sd = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, moe=2.0, sd=20.0)
    assert (by_sd.clusters, by_sd.per_cluster) == (by_moe.clusters, by_moe.per_cluster)
    assert math.isnan(by_sd.cv) and by_sd.se == pytest.approx(by_moe.se, rel=1e-12)
    # 99%: z = 2.576 needs more clusters
    wider = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, moe=2.0, sd=20.0,
                           level=0.99)
    assert wider.continuous.clusters == pytest.approx(
        by_sd.continuous.clusters * (stats.norm.ppf(0.995) / z) ** 2, rel=1e-9)


def test_overhead_and_k():
    base = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=90_000)
    with_c0 = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=100_000,
                             overhead=10_000)
    assert (with_c0.clusters, with_c0.per_cluster) == (base.clusters, base.per_cluster)
    assert with_c0.cost == pytest.approx(base.cost + 10_000)
    assert with_c0.cv == pytest.approx(base.cv, rel=1e-12)
    doubled = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=90_000, k=2.0)
    assert doubled.cv == pytest.approx(math.sqrt(2) * base.cv, rel=1e-12)


def test_smallest_budget_is_reported_and_exact():
    # floor(m_opt) = 11 units: 2 clusters cost 2 x (750 + 1100) = 3700; of 1 unit 2 x 850
    with pytest.raises(InfeasibleDesignError, match=r"minimum budget is 3,700.*1,700 for 2 "
                                                    r"clusters of 1 unit"):
        optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=3699)
    plan = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=3700)
    assert (plan.clusters, plan.per_cluster) == (2, 11)


def test_a_high_delta_takes_one_unit_per_cluster():
    plan = optimal_design(delta=0.9, cost_cluster=10, cost_unit=10, budget=1000)
    assert plan.continuous.per_cluster == pytest.approx(math.sqrt(0.1 / 0.9))
    assert (plan.clusters, plan.per_cluster) == (50, 1)
    assert plan.cv == pytest.approx(math.sqrt(1 / 50)) and "fewer than 1 unit" in plan.notes[0]


def test_a_loose_target_still_takes_two_clusters():
    plan = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, cv=0.9)
    assert plan.clusters == 2
    assert plan.cv < 0.9 and plan.notes


@pytest.mark.parametrize("kwargs, match", [
    ({"delta": 0.0}, "'delta'.*\\(0, 1\\)"),
    ({"delta": 1.0}, "'delta'.*\\(0, 1\\)"),
    ({"delta": -0.1}, "'delta'"),
    ({"delta": float("nan")}, "'delta'"),
    ({"cost_cluster": 0.0}, "'cost_cluster'"),
    ({"cost_unit": -5.0}, "'cost_unit'"),
    ({"budget": 0.0}, "'budget'"),
    ({"budget": -1.0}, "'budget'"),
    ({"budget": None, "cv": 0.0}, "'cv'"),
    ({"budget": None}, "exactly one of"),
    ({"cv": 0.05}, "exactly one of"),
    ({"budget": None, "moe": 1.0}, "'moe'.*needs the unit SD"),
    ({"mean": 1.0, "sd": 1.0, "unit_relvar": 1.0}, "at most two"),
    ({"mean": 0.0}, "'mean'"),
    ({"overhead": -1.0}, "'overhead'"),
    ({"level": 1.0}, "'level'"),
    ({"budget": None, "cv": 0.1, "sd": 2.0}, "unit relvariance"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    args = {"delta": 0.05, "cost_cluster": 750, "cost_unit": 100, "budget": 1e5} | kwargs
    with pytest.raises(InvalidParameterError, match=match):
        optimal_design(**args)


def test_budget_below_overhead_is_infeasible():
    with pytest.raises(InfeasibleDesignError, match="overhead"):
        optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=5000, overhead=5000)


def test_three_stage_bad_input():
    with pytest.raises(InvalidParameterError, match="'delta2'"):
        optimal_three_stage(delta1=0.01, delta2=1.2, cost_cluster=1, cost_subcluster=1,
                            cost_unit=1, budget=1e5)
    with pytest.raises(InfeasibleDesignError, match="minimum budget"):
        optimal_three_stage(delta1=0.01, delta2=0.1, cost_cluster=500, cost_subcluster=100,
                            cost_unit=120, budget=1000)


def test_cv_at_traces_the_formula():
    plan = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=100_000)
    m = np.array([1.0, 5.0, plan.continuous.per_cluster, 40.0])
    n = 100_000 / (750 + 100 * m)
    expected = np.sqrt((1 + 0.05 * (m - 1)) / (n * m))
    np.testing.assert_allclose(plan.cv_at(m), expected, rtol=1e-12)
    assert plan.cv_at(plan.continuous.per_cluster) == pytest.approx(plan.continuous.cv)
