"""Populations with a subgroup level (classes in schools) and the three_level generator."""

import numpy as np
import pandas as pd
import pytest

import simsample as ss
from tests.helpers import assert_mc_close


def _frame():
    rng = np.random.default_rng(1)
    school = np.repeat(["s2", "s1", "s3"], [7, 5, 6])
    klass = np.array(["s2a"] * 3 + ["s2b"] * 4 + ["s1x"] * 5 + ["s3p"] * 2 + ["s3q"] * 4)
    frame = pd.DataFrame({"y": rng.normal(size=18), "school": school, "class": klass})
    return frame.sample(frac=1.0, random_state=2).reset_index(drop=True)  # shuffled rows


def test_subgroups_are_stored_nested_and_reported_in_the_callers_order():
    frame = _frame()
    pop = ss.Population(y=frame["y"], group=frame["school"], subgroup=frame["class"])
    assert pop.has_subgroups and pop.n_subgroups == 5
    np.testing.assert_array_equal(pop.y, frame["y"])
    np.testing.assert_array_equal(pop.group, frame["school"])
    np.testing.assert_array_equal(pop.subgroup, frame["class"])
    # subgroups numbered group by group (groups sorted, then subgroup labels sorted)
    assert pop.subgroup_labels.tolist() == ["s1x", "s2a", "s2b", "s3p", "s3q"]
    assert pop.subgroups_per_group.tolist() == [1, 2, 2]
    by_class = frame.groupby("class")["y"]
    labels = pop.subgroup_labels.tolist()
    assert pop.subgroup_sizes.tolist() == by_class.size().loc[labels].tolist()
    assert pop.subgroup_means == pytest.approx(by_class.mean().loc[labels].to_numpy())
    assert pop.subgroup_variances == pytest.approx(by_class.var().loc[labels].to_numpy())
    # each subgroup is contiguous inside its group in storage
    stored_sub = np.repeat(np.arange(5), pop.subgroup_sizes)
    stored_group = np.repeat(np.arange(3), pop.group_sizes)
    np.testing.assert_array_equal(stored_group[pop.sub_offsets[:-1]],
                                  np.repeat(np.arange(3), pop.subgroups_per_group))
    assert (np.diff(stored_sub) >= 0).all()
    np.testing.assert_array_equal(pop.subgroup_codes, np.searchsorted(labels, frame["class"]))


def test_subgroups_that_span_groups_are_refused():
    frame = _frame()
    frame.loc[frame["school"] == "s1", "class"] = "s2a"
    with pytest.raises(ss.InvalidParameterError, match="'subgroup' must nest within 'group'"):
        ss.Population(y=frame["y"], group=frame["school"], subgroup=frame["class"])
    with pytest.raises(ss.InvalidParameterError, match="'subgroup' must be 1-D"):
        ss.Population(y=frame["y"], group=frame["school"], subgroup=frame["class"][:3])
    with pytest.raises(ss.InvalidParameterError, match="'subgroup' must label every unit"):
        ss.Population(y=[1.0, 2.0], group=["a", "a"], subgroup=["x", None])


def test_a_population_without_subgroups_says_so():
    pop = ss.two_level(5, 4, seed=1)
    assert not pop.has_subgroups
    with pytest.raises(ss.InvalidParameterError, match="subgroup_sizes needs a population"):
        pop.subgroup_sizes


@pytest.mark.parametrize("per_group,size", [
    (3, 4), ([2, 3, 4], 5), (3, [2, 3, 4, 5, 6, 7, 8, 9, 10]),
    (ss.sizes.poisson(4, minimum=2), ss.sizes.lognormal(10, 0.5, minimum=2)),
])
def test_three_level_sizes(per_group, size):
    pop = ss.three_level(3, per_group, size, seed=3)
    assert pop.n_groups == 3 and pop.has_subgroups
    if isinstance(per_group, int):
        assert (pop.subgroups_per_group == per_group).all()
    elif isinstance(per_group, list):
        assert pop.subgroups_per_group.tolist() == per_group
    if isinstance(size, int):
        assert (pop.subgroup_sizes == size).all()
    elif isinstance(size, list):
        assert pop.subgroup_sizes.tolist() == size
    assert pop.subgroup_sizes.sum() == pop.n_units
    ends = np.cumsum(pop.subgroups_per_group)
    assert np.add.reduceat(pop.subgroup_sizes, np.r_[0, ends[:-1]]).tolist() == (
        pop.group_sizes.tolist())
    again = ss.three_level(3, per_group, size, seed=3)
    np.testing.assert_array_equal(pop.y, again.y)


def _nested_anova(pop, G, L, M):
    """Unbiased estimators of the three superpopulation variance components (balanced)."""
    y = np.asarray(pop.y).reshape(G, L, M)
    ms_within = y.var(axis=2, ddof=1).mean()
    sub_means = y.mean(axis=2)
    ms_sub = M * ((sub_means - sub_means.mean(axis=1, keepdims=True)) ** 2).sum() / (G * (L - 1))
    ms_group = L * M * sub_means.mean(axis=1).var(ddof=1)
    return (ms_group - ms_sub) / (L * M), (ms_sub - ms_within) / M, ms_within


@pytest.mark.statistical
@pytest.mark.parametrize("dist", ["normal", "lognormal"])
def test_three_level_variance_components_are_achieved(dist, global_seed):
    G, L, M = 40, 4, 6
    icc_group, icc_subgroup, total_var = 0.25, 0.15, 2.0
    estimates = []
    for seq in np.random.SeedSequence(global_seed).spawn(200):
        pop = ss.three_level(G, L, M, icc_group=icc_group, icc_subgroup=icc_subgroup, mean=3.0,
                             total_var=total_var, dist=dist, seed=seq)
        estimates.append((pop.mean, *_nested_anova(pop, G, L, M)))
    estimates = np.array(estimates)
    targets = [3.0, icc_group * total_var, icc_subgroup * total_var,
               (1 - icc_group - icc_subgroup) * total_var]
    for column, target in zip(estimates.T, targets):
        assert_mc_close(column.mean(), target, column.std(ddof=1) / np.sqrt(column.size))


@pytest.mark.parametrize("kwargs,parameter", [
    ({"icc_group": 0.6, "icc_subgroup": 0.5}, "'icc_group' \\+ 'icc_subgroup'"),
    ({"icc_group": -0.1}, "'icc_group'"),
    ({"icc_subgroup": 1.0}, "'icc_subgroup'"),
    ({"subgroups_per_group": 0}, "'subgroups_per_group'"),
    ({"subgroup_size": [3, 4]}, "len\\(subgroup_size\\)"),
    ({"total_var": 0.0}, "'total_var'"),
])
def test_bad_parameters_name_the_parameter(kwargs, parameter):
    pattern = f"{parameter}.* of three_level|of three_level.*{parameter}"
    with pytest.raises(ss.InvalidParameterError, match=pattern):
        ss.three_level(**{"n_groups": 3, "subgroups_per_group": 2, "subgroup_size": 3, **kwargs})
