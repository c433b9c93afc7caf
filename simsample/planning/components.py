"""Relvariance components of a finite population for planning cluster samples.

PracTools' ``BW2stageSRS`` and ``BW2stagePPS`` (Valliant, Dever and Kreuter
2018, sect. 9.2): B^2, W^2, the unit relvariance, k and delta. Public through
:mod:`simsample.planning`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import (
    InfeasibleDesignError,
    InvalidParameterError,
    check_choice,
    check_finite_array,
)
from ..population import Population

@dataclass(frozen=True)
class VarianceComponents:
    """Relvariance components of a finite population (PracTools ``BW2stageSRS``/``BW2stagePPS``).

    ``B2`` and ``W2`` are the between- and within-cluster unit relvariances,
    ``unit_relvar`` = S^2/Ybar^2, ``k`` = (B2 + W2)/unit_relvar and ``delta``
    = B2/(B2 + W2). Plug them into :func:`optimal_design` (``delta``,
    ``unit_relvar``, ``k``). Returned by :func:`variance_components`.

    Parameters
    ----------
    B2, W2 : float
        Between- and within-cluster unit relvariances B^2 and W^2.
    unit_relvar : float
        V = S^2 / Ybar^2.
    k : float
        (B^2 + W^2) / V.
    delta : float
        Measure of homogeneity B^2 / (B^2 + W^2).
    first_stage : {"srs", "pps"}
        The first-stage selection the components are for.
    n_groups : int
        G, the number of clusters.
    mean : float
        Ybar, the population mean.

    Other Parameters
    ----------------
    _sizes, _s2, _total
        Cluster sizes, within-cluster variances and the population total, kept
        for :meth:`relvariance` with ``fpc=True``.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, mean=10.0, icc=0.2, seed=1)
    >>> vc = ss.planning.variance_components(pop)
    >>> round(vc.delta, 3), round(vc.k, 3)
    (0.19, 1.094)
    """

    B2: float
    W2: float
    unit_relvar: float
    k: float
    delta: float
    first_stage: str
    n_groups: int
    mean: float
    _sizes: np.ndarray = field(repr=False, compare=False)
    _s2: np.ndarray = field(repr=False, compare=False)
    _total: float = field(repr=False, compare=False)

    def relvariance(self, clusters: int, per_cluster: int, *, fpc: bool = False) -> float:
        """Relvariance of the estimated mean of a two-stage sample, n clusters x m units.

        ``fpc=False``: B2/n + W2/(n m) (PracTools; pwr estimator). ``fpc=True``
        (SRS of clusters only): the exact relvariance of the expansion
        estimator, without replacement at both stages,
        (1 - n/G) B2/n + G sum_i M_i^2 (1 - m/M_i) S_i^2 / (t_U^2 n m).

        Parameters
        ----------
        clusters : int
            n, sampled clusters.
        per_cluster : int
            m, units sampled in each.
        fpc : bool, default False
            Include both finite-population corrections (``first_stage="srs"`` only).

        Returns
        -------
        float
            The relvariance CV^2 of the estimated mean.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, mean=10.0, icc=0.2, seed=1)
        >>> vc = ss.planning.variance_components(pop)
        >>> round(vc.relvariance(4, 5), 6), round(vc.relvariance(4, 5, fpc=True), 6)
        (0.000814, 0.000538)
        """
        if not fpc:
            return self.B2 / clusters + self.W2 / (clusters * per_cluster)
        if self.first_stage != "srs":
            raise InvalidParameterError(
                "relvariance(fpc=True) needs components with first_stage='srs'; got "
                f"{self.first_stage!r}.")
        if per_cluster > self._sizes.min():
            raise InfeasibleDesignError(
                f"'per_cluster' must be at most the smallest cluster size "
                f"{int(self._sizes.min())}; got {per_cluster}.")
        G = self.n_groups
        within = G * float((self._sizes ** 2 * (1.0 - per_cluster / self._sizes)
                            * self._s2).sum()) / self._total ** 2
        return (1.0 - clusters / G) * self.B2 / clusters + within / (clusters * per_cluster)

    def to_dict(self) -> dict:
        """The public fields as a JSON-ready dict.

        Returns
        -------
        dict
            B2, W2, unit_relvar, k, delta, first_stage, n_groups, mean.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, mean=10.0, icc=0.2, seed=1)
        >>> sorted(ss.planning.variance_components(pop).to_dict())[:3]
        ['B2', 'W2', 'delta']
        """
        return {"B2": self.B2, "W2": self.W2, "unit_relvar": self.unit_relvar, "k": self.k,
                "delta": self.delta, "first_stage": self.first_stage,
                "n_groups": self.n_groups, "mean": self.mean}


def variance_components(population: Population, *, first_stage: str = "srs", size=None,
                        lonely: str = "mean") -> VarianceComponents:
    """B^2, W^2, unit relvariance, k and delta of a population, as PracTools defines them.

    With G clusters (PracTools M) of sizes M_i, totals t_i, within variances
    S_i^2 (divisor M_i - 1), t_U = sum t_i, tbar_U = t_U / G, S^2 the unit
    variance (divisor N - 1) and Ybar the mean:

    * ``first_stage="srs"`` (``BW2stageSRS``, SRS of clusters):
      B^2 = S_U1^2 / tbar_U^2 with S_U1^2 = sum (t_i - tbar_U)^2 / (G - 1);
      W^2 = G sum_i M_i^2 S_i^2 / t_U^2.
    * ``first_stage="pps"`` (``BW2stagePPS``, pps with replacement with
      one-draw probabilities p_i = size_i / sum size, by default p_i = M_i / N):
      B^2 = sum_i p_i (t_i/p_i - t_U)^2 / t_U^2;  W^2 = sum_i M_i^2 S_i^2 / p_i / t_U^2.

    and in both unit_relvar = S^2 / Ybar^2, k = (B^2 + W^2) / unit_relvar,
    delta = B^2 / (B^2 + W^2). With n clusters and m units from each, the
    relvariance of the estimated mean is B^2/n + W^2/(n m) (no fpc;
    :meth:`VarianceComponents.relvariance`). For equal sizes M and SRS,
    B^2 Ybar^2 = S1^2 (variance of the cluster means) and W^2 Ybar^2 =
    mean S_i^2, so Var(ybar) = Ybar^2 [(1 - n/G) B^2/n + (1 - m/M) W^2/(n m)]
    is Cochran's theorem 10.1 (:func:`simsample.theory.variance`).

    Parameters
    ----------
    population : Population
        The finite population, its groups the clusters.
    first_stage : {"srs", "pps"}
        SRS of clusters (``BW2stageSRS``) or pps with replacement (``BW2stagePPS``).
    size : array_like, optional
        Measure of size of each cluster, in the order of ``population.labels``
        (``"pps"`` only; default the cluster sizes M_i).
    lonely : {"mean", "zero"}
        S_i^2 of a cluster of one unit (undefined): the mean of the other
        clusters' S_i^2 (PracTools' default ``lonely.SSU="mean"``) or 0.

    Returns
    -------
    VarianceComponents
        B2, W2, unit_relvar, k and delta.

    References
    ----------
    Valliant, Dever and Kreuter (2018), sect. 9.2.1 and 9.2.3; Cochran (1977), ch. 11.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, mean=10.0, icc=0.2, seed=1)
    >>> vc = ss.planning.variance_components(pop)
    >>> round(vc.delta, 3), round(ss.planning.variance_components(pop, first_stage="pps").delta, 3)
    (0.19, 0.182)
    """
    if not isinstance(population, Population):
        raise InvalidParameterError(
            f"'population' must be a simsample Population; got {type(population).__name__}.")
    check_choice(first_stage, "first_stage", ("srs", "pps"), owner="variance_components")
    check_choice(lonely, "lonely", ("mean", "zero"), owner="variance_components")
    G = population.n_groups
    mean = population.mean
    if G < 2 or population.n_units < 3 or mean == 0.0:
        raise InvalidParameterError(
            "variance_components needs at least 2 clusters, 3 units and a non-zero mean; got "
            f"G={G}, N={population.n_units}, mean={mean!r}.")
    sizes = population.group_sizes.astype(np.float64)
    totals = np.asarray(population.group_totals, dtype=np.float64)
    s2 = np.array(population.group_variances, dtype=np.float64)
    single = sizes < 2
    if single.any():
        if lonely == "zero":
            s2[single] = 0.0
        elif single.all():
            raise InvalidParameterError(
                "every cluster has one unit: the within-cluster variance is undefined; "
                "use lonely='zero'.")
        else:
            s2[single] = s2[~single].mean()
    t_u = float(totals.sum())
    if first_stage == "srs":
        if size is not None:
            raise InvalidParameterError("'size' of variance_components is for first_stage='pps'.")
        B2 = float(np.var(totals, ddof=1)) / (t_u / G) ** 2
        W2 = G * float((sizes ** 2 * s2).sum()) / t_u ** 2
    else:
        mos = sizes if size is None else check_finite_array(size, "size")
        if mos.shape != (G,) or (mos <= 0).any():
            raise InvalidParameterError(
                f"'size' of variance_components must hold {G} positive values, one per "
                f"cluster; got shape {mos.shape}.")
        p = mos / mos.sum()
        B2 = float((p * (totals / p - t_u) ** 2).sum()) / t_u ** 2
        W2 = float((sizes ** 2 * s2 / p).sum()) / t_u ** 2
    relvar = population.variance / mean ** 2
    return VarianceComponents(B2, W2, relvar, (B2 + W2) / relvar, B2 / (B2 + W2), first_stage,
                              G, mean, sizes, s2, t_u)
