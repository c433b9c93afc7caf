"""The in-loop ratio and domain-mean kernels equal the one-sample SurveyDesign calls.

On samples drawn by the engine's designs (SRS, TwoStage, ClusterSample,
Stratified), each kernel fed the paired sample form returns the estimate, SE
and df of ``SurveyDesign.from_sample(sample).ratio("y", "x")`` or of the x = 1
row of ``.mean("y", by="d")``, to 1e-10.
"""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simsample as ss
from simsample.estimands import registered
from simsample.estimands._ratio_kernels import (
    domain_mean_groups, domain_mean_strata, ratio_groups, ratio_strata)
from simsample.survey import SurveyDesign, sample_frame

RTOL = 1e-10


@functools.cache
def population(kind: str) -> ss.Population:
    if kind == "equal":
        return ss.two_level(n_groups=15, group_size=8, mean=5.0, icc=0.3, seed=11)
    sizes = np.random.default_rng(12).integers(4, 20, size=18).tolist()
    return ss.two_level(None, sizes, mean=5.0, icc=0.3, dist="lognormal", seed=13)


@functools.cache
def covariates(kind: str, share: float):
    """A positive covariate and a 0/1 domain indicator for every unit (caller's order)."""
    rng = np.random.default_rng(7)
    n = population(kind).n_units
    return 1.0 + rng.uniform(0.0, 3.0, n), (rng.uniform(size=n) < share).astype(np.float64)


def paired_form(sample, x):
    """(y, x, start, size, k, n_units, n_groups) of the contract, built from a Sample."""
    pop = sample.population
    xs = x[sample.units]
    if isinstance(sample.design, ss.SRS):
        n = sample.size
        return (sample.y, xs, np.arange(n + 1), np.ones(n), n, pop.n_units, pop.n_units)
    if isinstance(sample.design, ss.Stratified):
        return (sample.y, xs, sample.psu_start, sample.psu_size, pop.n_groups, pop.n_units,
                pop.n_groups)
    return (sample.y, xs, sample.psu_start, sample.psu_size, sample.groups.size,
            pop.n_units, pop.n_groups)


def one_sample(sample, x, d):
    frame = sample_frame(sample)
    frame["x"], frame["d"] = x[sample.units], d[sample.units]
    return SurveyDesign(frame, **frame.attrs["survey_design"])


def run(kernel, form):
    out = np.full(3, -7.0)
    kernel(*form, out)
    return out


def assert_same(out, est):
    np.testing.assert_allclose(out[:2], [est.estimate, est.se], rtol=RTOL, atol=0)
    assert out[2] == est.df


def check(sample, kind, share, ratio_kernel, domain_kernel):
    x, d = covariates(kind, share)
    design = one_sample(sample, x, d)
    assert_same(run(ratio_kernel, paired_form(sample, x)), design.ratio("y", "x"))
    out = run(domain_kernel, paired_form(sample, d))
    table = design.mean("y", by="d")
    rows = [e for e, values in zip(table, table.by_values) if values == (1.0,)]
    if rows:
        assert_same(out, rows[0])
    else:  # no domain unit drawn: a failed replication, as the one-sample call has no row
        assert np.isnan(out).all()


designs = st.sampled_from(["srs", "two-stage", "cluster"])


@settings(deadline=None, max_examples=60)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["equal", "unequal"]),
       which=designs, share=st.sampled_from([0.05, 0.3, 0.7]), data=st.data())
def test_kernels_equal_the_one_sample_calls(seed, kind, which, share, data):
    pop = population(kind)
    if which == "srs":
        design = ss.SRS(data.draw(st.integers(2, pop.n_units), label="n"))
    else:
        k = data.draw(st.integers(2, pop.n_groups), label="k")
        smallest = int(pop.group_sizes.min())
        design = (ss.ClusterSample(k) if which == "cluster"
                  else ss.TwoStage(k, data.draw(st.integers(1, smallest), label="m")))
    check(design.draw(pop, seed), kind, share, ratio_groups, domain_mean_groups)


@settings(deadline=None, max_examples=30)
@given(seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["equal", "unequal"]),
       per_stratum=st.integers(2, 4), share=st.sampled_from([0.05, 0.3, 0.7]))
def test_stratified_kernels_equal_the_one_sample_calls(seed, kind, per_stratum, share):
    sample = ss.Stratified(n_per_stratum=per_stratum).draw(population(kind), seed)
    check(sample, kind, share, ratio_strata, domain_mean_strata)


def test_srs_domain_df_and_a_census_of_groups():
    pop = population("unequal")
    x, d = covariates("unequal", 0.3)
    sample = ss.SRS(40).draw(pop, 3)
    out = run(domain_mean_groups, paired_form(sample, d))
    assert out[2] == d[sample.units].sum() - 1  # units in the domain minus 1
    # every group taken whole: no variance left at either stage
    whole = ss.ClusterSample(pop.n_groups).draw(pop, 4)
    out = run(ratio_groups, paired_form(whole, x))
    assert out[1] == 0.0
    assert out[0] == pytest.approx(pop.total / x.sum(), rel=1e-12)


def test_empty_domain_and_zero_denominator_fail_the_replication():
    sample = ss.TwoStage(4, 3).draw(population("equal"), 5)
    zero = np.zeros(population("equal").n_units)
    for kernel in (ratio_groups, domain_mean_groups):
        out = run(kernel, paired_form(sample, zero))
        assert np.isnan(out).all()


def test_the_registry_runs_these_kernels_for_each_form():
    ratio, domain = registered("ratio")["ratio"], registered("domain_mean")["domain_mean"]
    assert (ratio.kernel_for("groups"), ratio.kernel_for("strata")) == (ratio_groups, ratio_strata)
    assert (domain.kernel_for("groups"), domain.kernel_for("strata")) == (
        domain_mean_groups, domain_mean_strata)
    assert ratio.form == domain.form == "paired" and not ratio.needs_rng
