"""Properties of the new designs for any seed.

Sizes, distinctness, ranges, determinism, per-sample estimates against
references, and input checks.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simsample as ss
from simsample.designs.allocation import allocate

seeds = st.integers(0, 2**32 - 1)

SIZES = [4, 9, 6, 12, 5, 7, 3, 8]
rng = np.random.default_rng(0)
POP = ss.Population(y=rng.normal(size=sum(SIZES)),
                    group=rng.permutation(np.repeat(np.arange(len(SIZES)), SIZES)))
SCHOOLS = ss.three_level(7, [2, 4, 3, 3, 2, 5, 3], ss.sizes.poisson(5, minimum=3), seed=2)


def _stored_group(pop, stored):
    return np.searchsorted(pop.offsets, stored, side="right") - 1


@given(seed=seeds, n=st.integers(2, 80))
def test_srs_with_replacement_sizes_ranges_determinism(seed, n):
    design = ss.SRS(n, replace=True)
    sample = design.draw(POP, seed=seed)
    assert sample.size == n and sample.units.shape == (n,)
    assert ((sample.units >= 0) & (sample.units < POP.n_units)).all()
    np.testing.assert_array_equal(sample.units, design.draw(POP, seed=seed).units)
    np.testing.assert_array_equal(sample.y, POP.y[sample.units])
    estimate = sample.estimate()
    assert estimate["estimate"].iloc[1] == pytest.approx(POP.y[sample.units].mean())
    assert estimate["se"].iloc[1] == pytest.approx(POP.y[sample.units].std(ddof=1) / np.sqrt(n))


@given(seed=seeds, n=st.integers(16, 54), allocation=st.sampled_from(["proportional", "neyman"]))
def test_stratified_draws_the_allocated_number_in_every_stratum(seed, n, allocation):
    design = ss.Stratified(n, allocation=allocation)
    take = design.sample_sizes(POP)
    assert take.sum() == n and (take >= 2).all() and (take <= POP.group_sizes).all()
    sample = design.draw(POP, seed=seed)
    units = sample.units
    assert np.unique(units).size == n and ((units >= 0) & (units < POP.n_units)).all()
    per_stratum = np.bincount(POP.codes[units], minlength=POP.n_groups)
    np.testing.assert_array_equal(per_stratum, take)
    np.testing.assert_array_equal(units, design.draw(POP, seed=seed).units)
    assert (sample.psu == -1).all()
    # the estimate and SE against a pandas reference (Cochran 5.1-5.3)
    frame = pd.DataFrame({"y": POP.y[units], "h": POP.codes[units]})
    stats = frame.groupby("h")["y"].agg(["mean", "var", "size"])
    N_h = POP.group_sizes[stats.index]
    W = N_h / POP.n_units
    variance = (W ** 2 * (1 - stats["size"] / N_h) * stats["var"] / stats["size"]).sum()
    row = sample.estimate().set_index("method").loc["cluster_t"]
    assert row["estimate"] == pytest.approx((W * stats["mean"]).sum())
    assert row["se"] == pytest.approx(np.sqrt(variance))
    assert row["df"] == n - POP.n_groups


@given(seed=seeds, k=st.integers(2, 4), m=st.integers(1, 3))
def test_pps_draws_distinct_groups_and_m_distinct_units_in_each(seed, k, m):
    design = ss.PPS(k, m)
    sample = design.draw(POP, seed=seed)
    units = sample.units
    assert sample.size == k * m and np.unique(units).size == k * m
    groups = sample.groups
    assert np.unique(groups).size == k and ((groups >= 0) & (groups < POP.n_groups)).all()
    np.testing.assert_array_equal(POP.codes[units], np.repeat(groups, m))
    np.testing.assert_array_equal(units, design.draw(POP, seed=seed).units)
    np.testing.assert_array_equal(sample.psu, np.repeat(np.arange(k), m))
    assert sample.weights == pytest.approx(np.full(k * m, POP.n_units / (k * m)))
    # with-replacement (ultimate cluster) variance of the mean of the k group means
    group_means = POP.y[units].reshape(k, m).mean(axis=1)
    rows = sample.estimate().set_index("method")
    assert rows.loc["cluster_t", "estimate"] == pytest.approx(POP.y[units].mean())
    assert rows.loc["cluster_t", "se"] == pytest.approx(group_means.std(ddof=1) / np.sqrt(k))
    assert rows.loc["cluster_t", "df"] == k - 1
    if k * m > 1:
        assert rows.loc["naive_t", "se"] == pytest.approx(
            POP.y[units].std(ddof=1) / np.sqrt(k * m))


@given(seed=seeds, k=st.integers(2, 7), l=st.integers(1, 2), m=st.integers(1, 3))
def test_three_stage_draws_nested_distinct_units(seed, k, l, m):
    design = ss.ThreeStage(k, l, m)
    sample = design.draw(SCHOOLS, seed=seed)
    units = sample.units
    assert sample.size == k * l * m and np.unique(units).size == k * l * m
    groups = SCHOOLS.codes[units].reshape(k, l * m)
    np.testing.assert_array_equal(groups, np.repeat(sample.groups, l * m).reshape(k, l * m))
    subgroups = SCHOOLS.subgroup_codes[units].reshape(k, l, m)
    assert (subgroups == subgroups[:, :, :1]).all()          # m units from each subgroup
    assert all(np.unique(subgroups[a, :, 0]).size == l for a in range(k))  # l distinct ones
    np.testing.assert_array_equal(units, design.draw(SCHOOLS, seed=seed).units)
    assert sample.weights == pytest.approx(1.0 / design.inclusion_probabilities(SCHOOLS)[units])


@given(sizes=st.lists(st.integers(2, 30), min_size=1, max_size=12),
       shares=st.lists(st.floats(0.0, 100.0), min_size=12, max_size=12), data=st.data())
def test_allocation_is_bounded_and_sums_to_the_total(sizes, shares, data):
    upper = np.array(sizes, dtype=float)
    lower = np.full(upper.size, 2.0)
    total = data.draw(st.integers(int(lower.sum()), int(upper.sum())))
    n_h = allocate(total, shares[:upper.size], lower, upper)
    assert n_h.dtype == np.int64 and n_h.sum() == total
    assert (n_h >= lower).all() and (n_h <= upper).all()


@pytest.mark.parametrize("upper,shares,total,expected", [
    ([10, 20, 30, 40], [10, 20, 30, 40], 20, [2, 4, 6, 8]),      # exactly proportional
    ([10, 10, 10], [10, 10, 10], 10, [4, 3, 3]),                 # largest remainder, tie to first
    ([100, 2, 2], [100, 2, 2], 10, [6, 2, 2]),                   # at least 2 per stratum
    ([10, 10, 100], [1000, 10, 100], 30, [10, 2, 18]),           # over-allocation capped at N_h
    ([5, 5, 8], [0, 0, 0], 18, [5, 5, 8]),                       # a census
    ([10, 10, 10], [1, 0, 0], 20, [10, 5, 5]),                   # zero shares fill last
])
def test_allocation_hand_cases(upper, shares, total, expected):
    upper = np.array(upper, dtype=float)
    assert allocate(total, shares, np.full(upper.size, 2.0), upper).tolist() == expected


def test_neyman_allocation_follows_the_stratum_standard_deviations():
    y = np.concatenate([np.tile([-1.0, 1.0], 10), np.tile([-5.0, 5.0], 10), np.zeros(20)])
    pop = ss.Population(y=y, group=np.repeat(["a", "b", "c"], 20))
    # a_h = N_h S_h proportional to 1 : 5 : 0 -> c gets its minimum 2, the rest 1 : 5
    assert ss.Stratified(26, allocation="neyman").sample_sizes(pop).tolist() == [4, 20, 2]
    assert ss.Stratified(12).sample_sizes(pop).tolist() == [4, 4, 4]


@pytest.mark.parametrize("make,parameter", [
    (lambda: ss.SRS(10, replace="yes"), "replace"),
    (lambda: ss.Stratified(), "n_per_stratum"),
    (lambda: ss.Stratified(10, n_per_stratum=2), "n_per_stratum"),
    (lambda: ss.Stratified(10, allocation="optimal"), "allocation"),
    (lambda: ss.Stratified(n_per_stratum=1), "n_per_stratum"),
    (lambda: ss.Stratified(n_per_stratum=[2, 2], allocation="neyman"), "allocation"),
    (lambda: ss.Stratified(1), "n"),
    (lambda: ss.PPS(1, 2), "groups"),
    (lambda: ss.PPS(3, 0), "per_group"),
    (lambda: ss.ThreeStage(1, 1, 1), "groups"),
    (lambda: ss.ThreeStage(2, 0, 1), "subgroups"),
    (lambda: ss.ThreeStage(2, 1, 2.5), "per_subgroup"),
    (lambda: ss.ThreeStage(2, 1, 1, estimator="hajek"), "estimator"),
])
def test_bad_parameters_raise_naming_the_parameter(make, parameter):
    with pytest.raises(ss.InvalidParameterError, match=f"'{parameter}'"):
        make()


@pytest.mark.parametrize("design,population,parameter", [
    (ss.Stratified(n_per_stratum=5), POP, "n_per_stratum"),          # a stratum has 3 units
    (ss.Stratified(n_per_stratum=[2, 2]), POP, "n_per_stratum"),     # 8 strata
    (ss.Stratified(60), POP, "n"),                                   # N = 54
    (ss.Stratified(10), POP, "n"),                                   # below 2 x 8 strata
    (ss.PPS(9, 1), POP, "groups"),                                   # G = 8
    (ss.PPS(5, 1), POP, "groups"),                                   # 5 x 12 > 54
    (ss.PPS(2, 4), POP, "per_group"),                                # smallest group 3
    (ss.ThreeStage(2, 1, 1), POP, "subgroups"),                      # no subgroups
    (ss.ThreeStage(8, 1, 1), SCHOOLS, "groups"),
    (ss.ThreeStage(2, 3, 1), SCHOOLS, "subgroups"),
    (ss.ThreeStage(2, 1, 9), SCHOOLS, "per_subgroup"),
])
def test_infeasible_designs_raise_before_any_compute(design, population, parameter):
    with pytest.raises(ss.InfeasibleDesignError, match=parameter):
        ss.simulate(population, design, reps=10, seed=1)
    with pytest.raises(ss.InfeasibleDesignError, match=parameter):
        design.draw(population, seed=1)


def test_stratified_needs_two_units_in_every_stratum():
    pop = ss.Population(y=[1.0, 2.0, 3.0], group=["a", "a", "b"])
    with pytest.raises(ss.InfeasibleDesignError, match="stratum 'b' has 1"):
        ss.Stratified(n_per_stratum=2).draw(pop, seed=1)


def test_names_and_summary_rows():
    assert str(ss.SRS(10)) == "SRS(n=10)"
    assert str(ss.SRS(10, replace=True)) == "SRS(n=10, replace=True)"
    assert str(ss.Stratified(20, allocation="neyman")) == "Stratified(n=20, neyman)"
    assert str(ss.PPS(3, 2)) == "PPS(3x2)" and str(ss.ThreeStage(3, 2, 1)) == "ThreeStage(3x2x1)"
    summary = ss.simulate(POP, [ss.Stratified(20), ss.PPS(3, 2)], reps=50, seed=1).summary()
    assert set(summary["method"]) == {"naive_t", "cluster_t"}
    assert summary.set_index(["design", "method"]).loc[
        ("Stratified(n=20, proportional)", "cluster_t"), "estimator"] == "stratified"
