"""Drawing kernels: distinct indices, scratch marks restored, every subset equally likely."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from simsample._kernels.select import floyd_sample
from simsample.designs._two_stage_kernels import draw_two_stage


def _state(seed):
    return np.random.SeedSequence(seed).generate_state(4, np.uint64)


@given(seed=st.integers(0, 2**32 - 1), n_frame=st.integers(1, 300), data=st.data())
def test_floyd_sample_is_a_set_of_the_right_size_and_cleans_up(seed, n_frame, data):
    n = data.draw(st.integers(0, n_frame))
    mark = np.zeros(n_frame, np.bool_)
    out = np.empty(n, np.int64)
    floyd_sample(_state(seed), n_frame, n, mark, out)
    assert len(set(out.tolist())) == n
    assert ((out >= 0) & (out < n_frame)).all()
    assert not mark.any()


@pytest.mark.statistical
def test_floyd_sample_draws_every_subset_equally_often(global_seed):
    n_frame, n, reps = 6, 3, 40_000
    state = _state(global_seed)
    mark = np.zeros(n_frame, np.bool_)
    out = np.empty(n, np.int64)
    subsets = {s: 0 for s in itertools.combinations(range(n_frame), n)}
    for _ in range(reps):
        floyd_sample(state, n_frame, n, mark, out)
        subsets[tuple(sorted(out.tolist()))] += 1
    counts = np.array(list(subsets.values()))
    assert counts.size == 20 and counts.min() > 0
    assert stats.chisquare(counts).pvalue > 1e-4


@given(seed=st.integers(0, 2**32 - 1),
       sizes=st.lists(st.integers(1, 12), min_size=2, max_size=15), data=st.data())
def test_draw_two_stage_takes_m_distinct_units_inside_each_sampled_group(seed, sizes, data):
    sizes = np.array(sizes)
    offsets = np.concatenate(([0], np.cumsum(sizes)))
    k = data.draw(st.integers(1, sizes.size))
    m = data.draw(st.sampled_from([-1, *range(1, int(sizes.min()) + 1)]))
    groups = np.empty(k, np.int64)
    start = np.empty(k + 1, np.int64)
    size = np.empty(k)
    idx = np.empty(int(sizes.sum()), np.int64)
    gmark, umark = np.zeros(sizes.size, np.bool_), np.zeros(sizes.max(), np.bool_)
    n = draw_two_stage(_state(seed), offsets, k, m, gmark, umark, groups, start, size, idx)
    assert len(set(groups.tolist())) == k
    assert start[0] == 0 and start[k] == n
    assert not gmark.any() and not umark.any()
    for a, g in enumerate(groups):
        units = idx[start[a]:start[a + 1]]
        assert size[a] == sizes[g]
        assert units.size == (sizes[g] if m < 0 else m)
        assert len(set(units.tolist())) == units.size
        assert ((units >= offsets[g]) & (units < offsets[g + 1])).all()
