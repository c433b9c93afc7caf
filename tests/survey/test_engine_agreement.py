"""The engine's per-sample cluster_t and SurveyDesign agree on the same sample.

``design.draw(pop, seed).estimate()`` calls the very kernel of the Monte Carlo
loop, so agreement here means a simulation study measures exactly what an
analyst using SurveyDesign (or R's survey package) would report.
"""

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simsample as ss
from simsample.survey import SurveyDesign, sample_frame

RTOL = 1e-10


@functools.cache
def population(kind: str) -> ss.Population:
    if kind == "equal":
        return ss.two_level(n_groups=15, group_size=8, mean=5.0, icc=0.3, seed=11)
    sizes = np.random.default_rng(12).integers(3, 20, size=18).tolist()
    return ss.two_level(None, sizes, mean=5.0, icc=0.3, dist="lognormal", seed=13)


def engine_cluster_t(sample):
    row = sample.estimate().set_index("method").loc["cluster_t"]
    return row["estimate"], row["se"], int(row["df"])


def analysed(sample, estimator: str):
    design = SurveyDesign.from_sample(sample)
    if estimator == "expansion":
        n_units = sample.population.n_units
        total = design.total("y")
        return total.estimate / n_units, total.se / n_units, total.df
    mean = design.mean("y")
    return mean.estimate, mean.se, mean.df


def assert_agree(sample, estimator="ratio"):
    est, se, df = engine_cluster_t(sample)
    got_est, got_se, got_df = analysed(sample, estimator)
    np.testing.assert_allclose([got_est, got_se], [est, se], rtol=RTOL)
    assert got_df == df


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["equal", "unequal"]),
       fraction=st.floats(0.02, 1.0))
def test_srs(seed, kind, fraction):
    pop = population(kind)
    n = max(2, int(fraction * pop.n_units))
    assert_agree(ss.SRS(n).draw(pop, seed))


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["equal", "unequal"]),
       estimator=st.sampled_from(["ratio", "expansion"]), data=st.data())
def test_two_stage(seed, kind, estimator, data):
    pop = population(kind)
    k = data.draw(st.integers(2, pop.n_groups), label="groups")
    m = data.draw(st.integers(1, int(pop.group_sizes.min())), label="per_group")
    assert_agree(ss.TwoStage(k, m, estimator=estimator).draw(pop, seed), estimator)


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["equal", "unequal"]),
       estimator=st.sampled_from(["ratio", "expansion"]), data=st.data())
def test_cluster_sample(seed, kind, estimator, data):
    pop = population(kind)
    k = data.draw(st.integers(2, pop.n_groups), label="groups")
    assert_agree(ss.ClusterSample(k, estimator=estimator).draw(pop, seed), estimator)


@pytest.mark.parametrize("design", [ss.SRS(30), ss.TwoStage(6, 3), ss.ClusterSample(5)])
def test_sample_frame_describes_the_sample(design):
    pop = population("unequal")
    sample = design.draw(pop, 5)
    frame = sample.to_frame()
    assert len(frame) == sample.size
    np.testing.assert_array_equal(frame["y"], pop.y[frame["unit"]])
    # design weights: 1 / inclusion probability, summing to N in expectation
    if isinstance(design, ss.SRS):
        np.testing.assert_allclose(frame["weight"], pop.n_units / 30)
        assert frame.attrs["survey_design"]["ids"] == [None]
    else:
        np.testing.assert_array_equal(frame["group"], pop.group[frame["unit"]])
        sizes = dict(zip(pop.labels, pop.group_sizes))
        np.testing.assert_array_equal(frame["fpc2"], frame["group"].map(sizes))
        taken = frame.groupby("group")["y"].transform("size")
        np.testing.assert_allclose(frame["weight"],
                                   pop.n_groups / design.groups * frame["fpc2"] / taken)
    # the frame's own weights give the same analysis as the fpc-derived ones
    spec = dict(frame.attrs["survey_design"], weights="weight")
    with_weights = SurveyDesign(frame, **spec).mean("y")
    from_fpc = SurveyDesign.from_sample(sample).mean("y")
    np.testing.assert_allclose([with_weights.estimate, with_weights.se],
                               [from_fpc.estimate, from_fpc.se], rtol=1e-12)
    assert sample_frame(sample).equals(frame)


def test_sample_frame_refuses_what_is_not_a_sample():
    with pytest.raises(ValueError, match="Sample"):
        sample_frame(ss.SRS(3))


@functools.cache
def three_level(kind: str) -> ss.Population:
    if kind == "equal":
        return ss.three_level(8, 4, 6, icc_group=0.2, icc_subgroup=0.1, mean=3.0, seed=21)
    rng = np.random.default_rng(22)
    group = np.repeat(np.arange(9), rng.integers(2, 5, size=9))       # subgroups per group
    sizes = rng.integers(3, 9, size=group.size)                       # units per subgroup
    units_group = np.repeat(group, sizes)
    units_subgroup = np.repeat(np.arange(group.size), sizes)
    y = rng.normal(size=units_group.size) + rng.normal(size=9)[units_group] + 4.0
    return ss.Population(y=y, group=units_group, subgroup=units_subgroup)


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["equal", "unequal"]),
       allocation=st.sampled_from(["proportional", "neyman", "fixed"]))
def test_stratified(seed, kind, allocation):
    pop = population(kind)
    design = (ss.Stratified(n_per_stratum=2) if allocation == "fixed"
              else ss.Stratified(4 * pop.n_groups, allocation=allocation))
    assert_agree(design.draw(pop, seed))


@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_pps(seed, data):
    pop = population("unequal")
    k = data.draw(st.integers(2, int(pop.n_units // pop.group_sizes.max())))
    m = data.draw(st.integers(1, int(pop.group_sizes.min())))
    assert_agree(ss.PPS(k, m).draw(pop, seed))


@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["equal", "unequal"]),
       estimator=st.sampled_from(["ratio", "expansion"]), data=st.data())
def test_three_stage(seed, kind, estimator, data):
    pop = three_level(kind)
    k = data.draw(st.integers(2, pop.n_groups))
    subgroups = data.draw(st.integers(1, int(pop.subgroups_per_group.min())))
    per = data.draw(st.integers(1, int(pop.subgroup_sizes.min())))
    assert_agree(ss.ThreeStage(k, subgroups, per, estimator=estimator).draw(pop, seed), estimator)
