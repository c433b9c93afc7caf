"""Groups drawn with probability proportional to size (randomised systematic PPS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass

import numpy as np

from .._validation import InfeasibleDesignError, check_int
from . import _pps_kernels as _pps
from .base import SAMPLE_MEAN, UNWEIGHTED, Design, Moments, Sampler, check_estimator
from .two_stage import TwoStage

if TYPE_CHECKING:
    from ..population import Population

_KERNELS = "simsample.designs._pps_kernels"


@dataclass(frozen=True)
class PPS(Design):
    """Groups drawn with probability proportional to size, then ``per_group`` units in each.

    First stage: randomised systematic PPS (Goodman and Kish 1950; Hartley
    and Rao 1962) of k = ``groups`` groups without replacement: the groups in
    a new uniformly random order every draw, the sizes laid end to end, and
    k points N/k apart from a uniform random start select the groups they
    hit. Group j is drawn with probability exactly pi_j = k M_j / N
    (:meth:`group_inclusion_probabilities`), which needs k M_j <= N for every
    group. Second stage: SRS of m = ``per_group`` units in each drawn group.
    Every unit has inclusion probability k m / N: the sample is
    self-weighting, and the Horvitz-Thompson mean is the sample mean (which
    equals the mean of the k group means), unbiased for the population mean.

    ``cluster_t``: the with-replacement (Hansen-Hurwitz / ultimate-cluster)
    variance estimator s_b^2/k, s_b^2 the variance of the k group sample
    means, with k - 1 degrees of freedom. It ignores the without-replacement
    gain, so it overestimates the variance by roughly the share k M_j/N of
    the sampled groups: close to nominal when k is small next to N/M_j, on
    the safe side otherwise. ``naive_t``: s^2/n with n - 1 degrees of freedom.

    Theory (:mod:`simsample.theory`): exact for equal group sizes (a random
    order then makes the groups an SRS); otherwise the joint inclusion
    probabilities of randomised systematic sampling have no closed form,
    and the variance is the Hartley-Rao (1962) approximation, flagged
    ``exact=False``.
    """

    groups: int
    per_group: int = 1

    def __post_init__(self):
        object.__setattr__(self, "groups", check_int(self.groups, "groups", low=2, owner="PPS"))
        object.__setattr__(self, "per_group", check_int(
            self.per_group, "per_group", low=1, owner="PPS"))

    def check(self, population):
        G, N = population.n_groups, population.n_units
        sizes = population.group_sizes
        if self.groups > G:
            raise InfeasibleDesignError(
                f"'groups' of PPS must be an int in [2, G={G}] for this population; "
                f"got {self.groups}.")
        smallest, largest = int(sizes.min()), int(sizes.max())
        if self.per_group > smallest:
            raise InfeasibleDesignError(
                f"'per_group' of PPS must be an int in [1, smallest group size={smallest}] for "
                f"this population; got {self.per_group}.")
        if self.groups * largest > N:
            raise InfeasibleDesignError(
                f"'groups' of PPS must keep every inclusion probability k M_j / N at most 1, "
                f"i.e. groups <= N / largest group size = {N} / {largest} = "
                f"{N // largest} for this population; got {self.groups}.")

    def group_inclusion_probabilities(self, population: Population) -> np.ndarray:
        """pi_j = k M_j / N, the probability that group j is drawn (order of ``labels``)."""
        self.check(population)
        return self.groups * population.group_sizes / population.n_units

    def expected_size(self, population):
        return float(self.groups * self.per_group)

    def _stored_inclusion(self, population):
        return np.full(population.n_units,
                       self.groups * self.per_group / population.n_units)

    def sampler(self, population):
        k, m = self.groups, self.per_group
        return Sampler(_KERNELS, "prepare_pps", "draw_pps_form", "mean_pps",
                       params=(population.offsets, k, m, int(population.group_sizes.max())),
                       kind="cluster", n_units=population.n_units,
                       form_groups=population.n_groups, max_n=k * m,
                       mean_dfs=(k - 1, k * m - 1))

    def estimate_layout(self, population, ys, psu_start, psu_size, out) -> None:
        """The built-in mean estimators on a sample given group by group."""
        _pps.pps_mean(ys, psu_start, self.groups, np.empty(self.groups), out)

    def estimator_names(self, population):
        return (SAMPLE_MEAN, SAMPLE_MEAN)

    def moments(self, population, estimator=None):
        """Equal sizes: exactly SRS of groups (a random order of equal stretches);
        otherwise Hartley and Rao's (1962) approximation for randomised systematic PPS,

            Var ~ (1/k^2) sum_j pi_j (1 - (k - 1)/k pi_j) (Ybar_j - mu)^2
                  + (1/k^2) sum_j pi_j (1 - m/M_j) S_j^2 / m,

        the first term the first-stage variance of the Horvitz-Thompson mean
        (relative error of order (k/G)^2), the second the exact within-group part.
        The estimator is exactly unbiased either way.
        """
        check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED), self)
        k, m = self.groups, self.per_group
        if population.equal_sizes:
            return TwoStage(k, m).moments(population, SAMPLE_MEAN)
        pi = self.group_inclusion_probabilities(population)
        sizes = population.group_sizes.astype(np.float64)
        first = float((pi * (1.0 - (k - 1.0) / k * pi)
                       * (population.group_means - population.mean) ** 2).sum())
        second = float((pi * (1.0 - m / sizes) * population.group_variances / m).sum())
        return Moments(population.mean, (first + second) / (k * k), False)

    def frame_columns(self, sample):
        # PPS without replacement analysed as with replacement: the ultimate-cluster estimator
        pop = sample.population
        n = sample.size
        columns = {"group": pop.labels[sample.groups][sample.psu], "unit": sample.units,
                   "y": sample.y, "weight": np.full(n, pop.n_units / n)}
        return columns, {"ids": ["group"], "weights": "weight"}

    def __str__(self):
        return f"PPS({self.groups}x{self.per_group})"
