"""Designs: validation at the boundary, and one drawn sample."""

import numpy as np
import pytest

import simsample as ss


@pytest.fixture(scope="module")
def pop():
    return ss.two_level(n_groups=12, group_size=[5, 6, 7, 8, 5, 6, 7, 8, 5, 6, 7, 9], seed=4)


@pytest.mark.parametrize("make,match", [
    (lambda: ss.SRS(1), "'n' of SRS must be an int >= 2; got 1"),
    (lambda: ss.SRS(2.0), "'n' of SRS must be an int"),
    (lambda: ss.SRS(True), "'n' of SRS must be an int"),
    (lambda: ss.TwoStage(1, 3), "'groups' of TwoStage must be an int >= 2; got 1"),
    (lambda: ss.TwoStage(3, 0), "'per_group' of TwoStage must be an int >= 1; got 0"),
    (lambda: ss.TwoStage(3, 2, estimator="hajek"), "'estimator' of TwoStage must be one of"),
    (lambda: ss.ClusterSample(1), "'groups' of ClusterSample must be an int >= 2"),
])
def test_constructors_refuse_bad_parameters(make, match):
    with pytest.raises(ss.InvalidParameterError, match=match):
        make()


@pytest.mark.parametrize("design,match", [
    (ss.SRS(80), r"'n' of SRS must be an int in \[2, N=79\].*got 80"),
    (ss.TwoStage(13, 2), r"'groups' of TwoStage must be an int in \[2, G=12\].*got 13"),
    (ss.TwoStage(3, 6), r"'per_group' of TwoStage must be an int in \[1, smallest group "
                        r"size=5\].*got 6"),
    (ss.ClusterSample(20), r"'groups' of ClusterSample must be an int in \[2, G=12\]"),
])
def test_infeasible_designs_fail_before_any_compute(pop, design, match):
    with pytest.raises(ss.InfeasibleDesignError, match=match):
        design.draw(pop, seed=1)
    with pytest.raises(ss.InfeasibleDesignError, match=match):
        ss.simulate(pop, {"bad": design}, reps=10, seed=1)


def test_draw_returns_units_in_the_population_order(pop):
    sample = ss.TwoStage(4, 3).draw(pop, seed=9)
    assert sample.size == 12
    np.testing.assert_array_equal(sample.y, pop.y[sample.units])
    groups_of_units = pop.codes[sample.units]
    np.testing.assert_array_equal(groups_of_units, sample.groups[sample.psu])
    cluster = ss.ClusterSample(3).draw(pop, seed=9)
    assert cluster.size == pop.group_sizes[cluster.groups].sum()


def test_draw_maps_back_through_a_shuffled_population():
    rng = np.random.default_rng(2)
    group = rng.permutation(np.repeat(["a", "b", "c", "d"], 5))
    y = rng.normal(size=20)
    pop = ss.Population(y=y, group=group)
    sample = ss.TwoStage(2, 3).draw(pop, seed=3)
    np.testing.assert_array_equal(sample.y, y[sample.units])
    assert set(group[sample.units]) == set(pop.labels[sample.groups])


def test_sample_estimate_reports_both_intervals(pop):
    frame = ss.TwoStage(4, 3).draw(pop, seed=9).estimate(level=0.9)
    assert frame["method"].tolist() == ["naive_t", "cluster_t"]
    row = frame.set_index("method").loc["cluster_t"]
    assert row["df"] == 3
    from scipy import stats
    half = stats.t.ppf(0.95, 3) * row["se"]
    assert row["lower"] == pytest.approx(row["estimate"] - half)
    assert row["upper"] == pytest.approx(row["estimate"] + half)


def test_designs_describe_themselves(pop):
    assert str(ss.TwoStage(10, 10)) == "TwoStage(10x10)"
    assert ss.ClusterSample(3).expected_size(pop) == pytest.approx(3 * 79 / 12)
    assert ss.TwoStage(2, 3) == ss.TwoStage(2, 3)
