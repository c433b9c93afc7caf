"""Population: label mapping, variance components and ICC against independent computations."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simsample as ss


@pytest.fixture
def shuffled():
    """Units in random order with string labels, as real data arrive."""
    rng = np.random.default_rng(11)
    sizes = {"north": 4, "east": 7, "south": 3, "west": 6}
    group = np.concatenate([[g] * s for g, s in sizes.items()])
    y = rng.normal(size=group.size) + np.array([{"north": 0, "east": 2, "south": -1, "west": 1}[g]
                                                for g in group])
    perm = rng.permutation(group.size)
    return y[perm], group[perm]


def test_labels_are_kept_and_per_group_arrays_follow_sorted_labels(shuffled):
    y, group = shuffled
    pop = ss.Population(y=y, group=group)
    frame = pd.DataFrame({"y": y, "g": group})
    by = frame.groupby("g")["y"]
    assert pop.labels.tolist() == ["east", "north", "south", "west"]
    np.testing.assert_array_equal(pop.y, y)
    np.testing.assert_array_equal(pop.group, group)
    np.testing.assert_array_equal(pop.labels[pop.codes], group)
    np.testing.assert_array_equal(pop.group_sizes, by.size().to_numpy())
    np.testing.assert_allclose(pop.group_means, by.mean().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(pop.group_totals, by.sum().to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(pop.group_variances, by.var(ddof=1).to_numpy(), rtol=1e-12)
    assert (pop.n_units, pop.n_groups) == (20, 4)
    assert pop.mean == pytest.approx(y.mean(), rel=1e-12)
    assert not pop.equal_sizes


def test_variance_components_match_their_definitions(shuffled):
    y, group = shuffled
    pop = ss.Population(y=y, group=group)
    frame = pd.DataFrame({"y": y, "g": group})
    assert pop.variance == pytest.approx(np.var(y, ddof=1), rel=1e-12)
    assert pop.between_variance == pytest.approx(frame.groupby("g")["y"].mean().var(ddof=1))
    dev = frame["y"] - frame.groupby("g")["y"].transform("mean")
    assert pop.within_variance == pytest.approx((dev ** 2).sum() / (20 - 4), rel=1e-12)


def test_icc_is_the_one_way_anova_estimator(shuffled):
    """rho = (F - 1) / (F + n0 - 1) with scipy's one-way ANOVA F."""
    y, group = shuffled
    pop = ss.Population(y=y, group=group)
    f = stats.f_oneway(*[y[group == g] for g in pop.labels]).statistic
    sizes = pop.group_sizes
    n0 = (sizes.sum() - (sizes ** 2).sum() / sizes.sum()) / (len(sizes) - 1)
    assert pop.icc == pytest.approx((f - 1) / (f + n0 - 1), rel=1e-10)


def test_arrays_are_read_only(shuffled):
    pop = ss.Population(y=shuffled[0], group=shuffled[1])
    for array in (pop.y, pop.group, pop.group_sizes, pop.group_means):
        with pytest.raises(ValueError):
            array[0] = array[0]


def test_from_csv_reads_columns_and_refuses_missing_values(tmp_path, shuffled):
    y, group = shuffled
    path = tmp_path / "pop.csv"
    pd.DataFrame({"score": y, "school": group}).to_csv(path, index=False)
    pop = ss.Population.from_csv(path, y="score", group="school")
    np.testing.assert_allclose(pop.y, y)
    with pytest.raises(ValueError, match="'y' must name a column.*'grade'"):
        ss.Population.from_csv(path, y="grade", group="school")
    frame = pd.read_csv(path)
    frame.loc[3, "score"] = np.nan
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="'score'.*1 missing"):
        ss.Population.from_csv(path, y="score", group="school")
    dropped = ss.Population.from_csv(path, y="score", group="school", dropna=True)
    assert dropped.n_units == 19 and dropped.meta["dropped"] == 1


@pytest.mark.parametrize("y,group,match", [
    ([1.0, np.nan], [0, 0], "finite"),
    ([1.0, np.inf], [0, 0], "finite"),
    ([1.0, 2.0], [0], "one label per unit"),
    ([1.0, 2.0], [0, None], "missing label"),
    ([], [], "at least one unit"),
])
def test_bad_populations_are_refused(y, group, match):
    with pytest.raises(ValueError, match=match):
        ss.Population(y=np.asarray(y, float), group=np.asarray(group, object))


def test_two_level_is_reproducible_and_sized_as_asked():
    a = ss.two_level(n_groups=30, group_size=7, icc=0.3, seed=5)
    b = ss.two_level(n_groups=30, group_size=7, icc=0.3, seed=5)
    c = ss.two_level(n_groups=30, group_size=7, icc=0.3, seed=6)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.y, c.y)
    assert (a.n_groups, a.n_units) == (30, 210) and a.equal_sizes
    unequal = ss.two_level(n_groups=None, group_size=[2, 5, 9], seed=1)
    assert unequal.group_sizes.tolist() == [2, 5, 9]


@pytest.mark.parametrize("kwargs,match", [
    ({"icc": 1.0}, "'icc' of two_level"),
    ({"icc": -0.1}, "'icc' of two_level"),
    ({"total_var": 0.0}, "'total_var'"),
    ({"dist": "cauchy"}, "'dist'.*'normal', 'lognormal'"),
    ({"n_groups": 0}, "'n_groups'"),
    ({"group_size": 0}, "'group_size'"),
    ({"n_groups": 2, "group_size": [3, 4, 5]}, "len\\(group_size\\) = 3"),
    ({"group_size": 2.5}, "'group_size'"),
])
def test_two_level_refuses_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ss.two_level(**{"n_groups": 10, "group_size": 5, **kwargs})


def _sample_variance_mcse(values):
    """MCSE of the sample variance of iid values: sqrt((m4 - s^4) / n)."""
    d = values - values.mean()
    return np.sqrt(((d ** 4).mean() - (d ** 2).mean() ** 2) / values.size)


@pytest.mark.statistical
@pytest.mark.parametrize("dist", ["normal", "lognormal"])
def test_two_level_components_have_the_requested_icc(dist, global_seed):
    """E[S2^2] = (1 - icc) V and E[S1^2] = icc V + (1 - icc) V / M, exactly, for any family."""
    G, M, icc, V = 3000, 8, 0.3, 2.0
    pop = ss.two_level(n_groups=G, group_size=M, icc=icc, total_var=V, mean=5.0, dist=dist,
                       seed=global_seed)
    s2j = pop.group_variances
    assert pop.within_variance == pytest.approx(s2j.mean(), rel=1e-12)
    within_mcse = s2j.std(ddof=1) / np.sqrt(G)
    assert abs(pop.within_variance - (1 - icc) * V) <= 4 * within_mcse
    between_target = icc * V + (1 - icc) * V / M
    assert abs(pop.between_variance - between_target) <= 4 * _sample_variance_mcse(
        np.asarray(pop.group_means))
    assert abs(pop.mean - 5.0) <= 4 * np.sqrt(pop.between_variance / G)
    skew = stats.skew(pop.y)
    # sd of a normal sample's skewness is sqrt(6/n); groups (not units) are the independent draws
    bound = 4 * np.sqrt(6 / G)
    assert skew > 0.5 if dist == "lognormal" else abs(skew) < bound
