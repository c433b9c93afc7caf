"""Properties that hold for any seed, population and design (hypothesis)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simsample as ss

seeds = st.integers(0, 2**32 - 1)


@st.composite
def populations(draw):
    sizes = draw(st.lists(st.integers(1, 9), min_size=2, max_size=12))
    return ss.two_level(n_groups=None, group_size=sizes, icc=0.3, seed=draw(seeds))


@st.composite
def population_and_design(draw):
    pop = draw(populations())
    kind = draw(st.sampled_from(["srs", "two-stage", "cluster"]))
    if kind == "srs":
        design = ss.SRS(draw(st.integers(2, pop.n_units)))
    elif kind == "two-stage":
        design = ss.TwoStage(draw(st.integers(2, pop.n_groups)),
                             draw(st.integers(1, int(pop.group_sizes.min()))))
    else:
        design = ss.ClusterSample(draw(st.integers(2, pop.n_groups)))
    return pop, design


@given(case=population_and_design(), seed=seeds)
def test_samples_are_distinct_units_in_range_of_the_right_size(case, seed):
    pop, design = case
    sample = design.draw(pop, seed=seed)
    units = sample.units
    assert len(np.unique(units)) == units.size
    assert units.min() >= 0 and units.max() < pop.n_units
    if isinstance(design, ss.SRS):
        assert units.size == design.n
    elif isinstance(design, ss.TwoStage):
        assert units.size == design.groups * design.per_group
        assert np.bincount(pop.codes[units]).max() == design.per_group
    else:
        assert units.size == pop.group_sizes[sample.groups].sum()
        assert set(pop.codes[units]) == set(sample.groups.tolist())


@given(case=population_and_design(), seed=seeds)
def test_a_seed_determines_the_sample(case, seed):
    pop, design = case
    np.testing.assert_array_equal(design.draw(pop, seed=seed).units,
                                  design.draw(pop, seed=seed).units)


@given(case=population_and_design(), seed=seeds, reps=st.integers(1, 300))
def test_summaries_are_identical_for_one_and_two_workers(case, seed, reps):
    pop, design = case
    one = ss.simulate(pop, {"d": design}, reps=reps, seed=seed)
    two = ss.simulate(pop, {"d": design}, reps=reps, seed=seed, n_jobs=2, backend="threading")
    pd.testing.assert_frame_equal(one.summary(), two.summary(), check_exact=True)
    summary = one.summary()
    assert (summary["reps"] + summary["n_failed"] == reps).all()
    assert ((summary["coverage"] >= 0) & (summary["coverage"] <= 1)).all()


@given(pop=populations(), seed=seeds, shift=st.floats(-1e3, 1e3), scale=st.floats(0.1, 10.0))
def test_affine_change_of_y_moves_estimates_and_keeps_coverage(pop, seed, shift, scale):
    """Estimators are affine equivariant, so coverage is unchanged by y -> a + b y."""
    moved = ss.Population(y=shift + scale * np.asarray(pop.y), group=pop.group)
    design = {"d": ss.TwoStage(2, 1)}
    a = ss.simulate(pop, design, reps=200, seed=seed).summary()
    b = ss.simulate(moved, design, reps=200, seed=seed).summary()
    np.testing.assert_allclose(b["mean_estimate"], shift + scale * a["mean_estimate"],
                               rtol=1e-9, atol=1e-9 * (1 + abs(shift)))
    # coverage may differ only by replications whose interval edge sits on the truth
    assert np.abs(b["coverage"] - a["coverage"]).max() <= 2 / 200


@given(value=st.one_of(st.integers(-5, 0), st.floats(allow_nan=True), st.text(max_size=3)))
def test_invalid_reps_are_refused(value):
    pop = ss.two_level(n_groups=5, group_size=4, seed=1)
    with pytest.raises(ss.InvalidParameterError, match="'reps' of simulate"):
        ss.simulate(pop, ss.SRS(3), reps=value)


@given(level=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), st.just(float("nan"))))
def test_invalid_levels_are_refused(level):
    pop = ss.two_level(n_groups=5, group_size=4, seed=1)
    with pytest.raises(ss.InvalidParameterError, match="'level' of simulate"):
        ss.simulate(pop, ss.SRS(3), reps=10, level=level)


@given(y=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=2, max_size=20))
def test_populations_with_nonfinite_or_overflowing_values_are_refused(y):
    """Finite values are accepted up to sqrt(max float / (4 N)), so sums of squares are finite."""
    y = np.array(y)
    group = np.arange(y.size) % 2
    bound = np.sqrt(np.finfo(np.float64).max / (4.0 * y.size))
    if not np.isfinite(y).all():
        with pytest.raises(ss.InvalidParameterError, match="'y' must hold only finite values"):
            ss.Population(y=y, group=group)
    elif np.abs(y).max() > bound:
        with pytest.raises(ss.InvalidParameterError, match="sums of squares do not overflow"):
            ss.Population(y=y, group=group)
    else:
        pop = ss.Population(y=y, group=group)
        assert pop.n_units == y.size and np.isfinite(pop.variance)


@pytest.mark.parametrize("kwargs,match", [
    ({"designs": {}}, "'designs' must be"),
    ({"designs": {"x": "SRS"}}, "must be a simsample Design"),
    ({"designs": [ss.SRS(3), ss.SRS(3)]}, "must not repeat"),
    ({"n_jobs": 0}, "'n_jobs' of simulate"),
    ({"backend": "spark"}, "'backend' of simulate must be one of"),
    ({"estimand": "median"}, "'estimand' of simulate must be one of"),
    ({"seed": -1}, "'seed' must be"),
    ({"keep_estimates": -3}, "'keep_estimates'"),
])
def test_simulate_refuses_bad_arguments(kwargs, match):
    pop = ss.two_level(n_groups=5, group_size=4, seed=1)
    kwargs = {"designs": {"s": ss.SRS(3)}, "reps": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        ss.simulate(pop, **kwargs)
    with pytest.raises(ValueError):
        ss.simulate("not a population", {"s": ss.SRS(3)}, reps=10)
