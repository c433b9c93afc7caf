"""Per-sample estimators against formulas written out independently with numpy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simsample._kernels.moments import CLUSTER_T, DF, EST, NAIVE_T, SE
from simsample.designs._srs_kernels import srs_mean
from simsample.designs._two_stage_kernels import two_stage_mean


def test_srs_mean_matches_textbook_intervals():
    ys = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    out = np.empty((2, 3))
    srs_mean(ys, ys.size, 40, out)
    s2 = ys.var(ddof=1)
    assert out[NAIVE_T, EST] == pytest.approx(ys.mean())
    assert out[NAIVE_T, SE] == pytest.approx(np.sqrt(s2 / 8))
    assert out[CLUSTER_T, SE] == pytest.approx(np.sqrt((1 - 8 / 40) * s2 / 8))
    assert out[NAIVE_T, DF] == out[CLUSTER_T, DF] == 7


def _run_two_stage(groups_y, sizes, n_groups, n_units, expansion):
    ys = np.concatenate(groups_y)
    start = np.concatenate(([0], np.cumsum([len(g) for g in groups_y])))
    k = len(groups_y)
    out = np.empty((2, 3))
    two_stage_mean(ys, start, np.asarray(sizes, float), k, n_groups, n_units, expansion,
                   np.empty(k), np.empty(k), out)
    return out


@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 8), m=st.integers(2, 6),
       extra=st.integers(0, 5), spare=st.integers(0, 20))
def test_equal_sizes_give_cochrans_unbiased_two_stage_estimator(seed, k, m, extra, spare):
    """v = (1 - k/G) s1^2/k + (k/G)(1 - m/M) s2^2/(k m) (Cochran 10.1, DESIGN.md)."""
    rng = np.random.default_rng(seed)
    M, G = m + extra, k + spare
    sample = rng.normal(size=(k, m)) + rng.normal(size=(k, 1))
    out = _run_two_stage(list(sample), [M] * k, G, G * M, expansion=False)
    means = sample.mean(axis=1)
    s1 = means.var(ddof=1)
    s2 = sample.var(axis=1, ddof=1).mean()
    v = (1 - k / G) * s1 / k + (k / G) * (1 - m / M) * s2 / (k * m)
    assert out[CLUSTER_T, EST] == pytest.approx(sample.mean(), rel=1e-12, abs=1e-12)
    assert out[CLUSTER_T, SE] == pytest.approx(np.sqrt(v), rel=1e-10)
    assert out[CLUSTER_T, DF] == k - 1
    assert out[NAIVE_T, EST] == pytest.approx(sample.mean(), rel=1e-12, abs=1e-12)
    assert out[NAIVE_T, SE] == pytest.approx(sample.std(ddof=1) / np.sqrt(k * m), rel=1e-10)
    assert out[NAIVE_T, DF] == k * m - 1
    # the expansion estimator coincides with the ratio estimator for equal sizes
    out_x = _run_two_stage(list(sample), [M] * k, G, G * M, expansion=True)
    assert out_x[CLUSTER_T, :] == pytest.approx(out[CLUSTER_T, :], rel=1e-10)


@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 7))
def test_unequal_sizes_match_the_cochran_chapter_11_estimators(seed, k):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(3, 15, size=k).astype(float)
    takes = [int(rng.integers(1, s + 1)) for s in sizes]
    groups_y = [rng.normal(loc=rng.normal(), size=t) for t in takes]
    G, N = k + 5, float(sizes.sum() + 40)
    ybar = np.array([g.mean() for g in groups_y])
    s2 = np.array([g.var(ddof=1) if g.size > 1 else 0.0 for g in groups_y])
    m = np.array(takes, float)
    f1 = k / G
    within = (sizes ** 2 * (1 - m / sizes) * s2 / m).sum()
    # expansion (Cochran 11.24): v(Yhat)/N^2
    totals = sizes * ybar
    v_x = (G ** 2 * (1 - f1) * totals.var(ddof=1) / k + G / k * within) / N ** 2
    out = _run_two_stage(groups_y, sizes, G, N, expansion=True)
    assert out[CLUSTER_T, EST] == pytest.approx(G / k * totals.sum() / N, rel=1e-12)
    assert out[CLUSTER_T, SE] == pytest.approx(np.sqrt(v_x), rel=1e-10)
    # ratio (linearised, as R's survey svyrecvar with fpc at both stages)
    r = totals.sum() / sizes.sum()
    mbar = sizes.mean()
    v_r = ((1 - f1) * ((sizes * (ybar - r)) ** 2).sum() / (k - 1) / k
           + f1 * within / k ** 2) / mbar ** 2
    out = _run_two_stage(groups_y, sizes, G, N, expansion=False)
    assert out[CLUSTER_T, EST] == pytest.approx(r, rel=1e-12)
    assert out[CLUSTER_T, SE] == pytest.approx(np.sqrt(v_r), rel=1e-10)
    pooled = np.concatenate(groups_y)
    assert out[NAIVE_T, EST] == pytest.approx(pooled.mean(), rel=1e-12, abs=1e-12)
    assert out[NAIVE_T, SE] == pytest.approx(pooled.std(ddof=1) / np.sqrt(pooled.size), rel=1e-10)
