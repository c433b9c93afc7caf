"""Cluster-robust OLS for one sample: CR0-CR3 with Bell-McCaffrey df, as R's clubSandwich.

>>> import numpy as np, pandas as pd
>>> from simsample.analysis.cluster_ols import ClusterOLS
>>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 3.0, 5.5, 6.0, 5.0],
...                    "x": [0.0, 1.0, 0.5, 2.0, 1.0, 3.0, 2.5, 2.0],
...                    "g": [1, 1, 2, 2, 3, 3, 4, 4]})
>>> fit = ClusterOLS.from_formula("y ~ x", groups="g", data=df).fit(vcov="CR2")
>>> round(float(fit.params["x"]), 4), round(float(fit.bse["x"]), 4), round(float(fit.df["x"]), 3)
(1.6333, 0.301, 2.539)

Statistics
----------
OLS beta = M X'y, M = (X'X)^-1, residuals e; clusters j = 1..G (n rows, p
columns). The sandwich is V = c M (sum_j X_j'A_j e_j e_j'A_j'X_j) M with

* CR0: A_j = I, c = 1; CR1: c = G/(G-1); CR1S (Stata): c = G/(G-1) (n-1)/(n-p);
* CR2 (Bell and McCaffrey 2002; Pustejovsky and Tipton 2018): A_j =
  (I - X_j M X_j')^(-1/2), working independence, eigenvalues <= 1e-12 given
  power 0 (clubSandwich's ``matrix_power``);
* CR3: A_j = (I - X_j M X_j')^-1 (clubSandwich's CR3, without a (G-1)/G factor).

Degrees of freedom (``df="satterthwaite"``): clubSandwich's ``coef_test(...,
test="Satterthwaite")``, 2 E^2 / V of the sandwich's distribution under
working independence for the chosen A_j (the same for CR0, CR1 and CR1S);
``df="G-1"``: G - 1 for every coefficient. The algebra is p x p per cluster
(see :mod:`simsample.analysis._cluster_kernels`): cost O(n p^2 + G p^3).

References
----------
Bell, R. M. and McCaffrey, D. F. (2002). Bias reduction in standard errors for linear
regression with multi-stage samples. Survey Methodology 28, 169-181.
Pustejovsky, J. E. and Tipton, E. (2018). Small-sample methods for cluster-robust variance
estimation and hypothesis testing in fixed effects models. JBES 36, 672-683.
Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
Journal of Human Resources 50, 317-372.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import InvalidParameterError, check_choice
from .cluster_results import ClusterOLSResults

#: Variance types (``fit(vcov=...)``).
VCOV_TYPES = ("CR0", "CR1", "CR1S", "CR2", "CR3")
#: Degrees-of-freedom rules (``fit(df=...)``).
DF_RULES = ("satterthwaite", "G-1")
#: Eigenvalues of I - L'S_jL at or below this get power 0 in CR2 (as clubSandwich).
EIGEN_TOL = 1e-12


class ClusterOLS:
    """Ordinary least squares with cluster-robust (sandwich) inference.

    Parameters
    ----------
    endog : array_like of float, shape (n,)
        The outcome.
    exog : array_like of float, shape (n, p)
        The design matrix (include a column of ones for an intercept).
    groups : array_like, shape (n,)
        Cluster labels; at least two clusters.
    exog_names : list of str, optional
        Names of the columns of ``exog`` (default x0, x1, ...).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.column_stack([np.ones(6), [0.0, 1, 2, 0, 1, 2]])
    >>> fit = ClusterOLS([1.0, 2, 3, 1.5, 2, 4], X, [1, 1, 2, 2, 3, 3]).fit("CR1")
    >>> fit.params.round(4).tolist()
    [1.125, 1.125]
    """

    def __init__(self, endog, exog, groups, *, exog_names=None):
        y = np.asarray(endog, dtype=np.float64)
        X = np.asarray(exog, dtype=np.float64)
        if X.ndim == 1:
            X = X[:, None]
        if y.ndim != 1 or X.ndim != 2 or X.shape[0] != y.shape[0]:
            raise InvalidParameterError(
                f"'endog' must be 1-D and 'exog' 2-D with as many rows; got shapes {y.shape} "
                f"and {X.shape}.")
        for name, values in (("endog", y), ("exog", X)):
            if not np.isfinite(values).all():
                raise InvalidParameterError(
                    f"'{name}' of ClusterOLS must hold only finite values; got "
                    f"{int((~np.isfinite(values)).sum())} NaN or infinite value(s).")
        groups = np.asarray(groups)
        if groups.shape != y.shape:
            raise InvalidParameterError(
                f"'groups' of ClusterOLS must hold one label per row ({y.shape[0]}); got shape "
                f"{groups.shape}.")
        codes, labels = pd.factorize(groups, use_na_sentinel=True)
        if (codes < 0).any():
            raise InvalidParameterError(
                f"'groups' of ClusterOLS has {int((codes < 0).sum())} missing label(s).")
        if len(labels) < 2:
            raise InvalidParameterError(
                f"'groups' of ClusterOLS must have at least 2 clusters; got {len(labels)}.")
        n, p = X.shape
        if np.linalg.matrix_rank(X) < p or n <= p:
            raise InvalidParameterError(
                f"'exog' of ClusterOLS must have full column rank p = {p} < n = {n}; got rank "
                f"{np.linalg.matrix_rank(X)} (collinear or too few rows).")
        names = [f"x{i}" for i in range(p)] if exog_names is None else [str(c) for c in exog_names]
        if len(names) != p:
            raise InvalidParameterError(
                f"'exog_names' must name the {p} columns of 'exog'; got {len(names)} names.")
        self.endog, self.exog, self.exog_names = y, X, names
        self.groups = groups
        self._codes = codes.astype(np.int64)
        self.n_groups = len(labels)

    @classmethod
    def from_formula(cls, formula: str, groups, data) -> ClusterOLS:
        """The model of a formula (``formulaic``, R's syntax): ``"y ~ x + z"``.

        ``groups`` is a column of ``data`` or an array with one label per row.
        Rows with missing values are refused (drop them first).

        Parameters
        ----------
        formula : str
            ``"y ~ terms"`` in R's syntax.
        groups : str or array_like
            A column of ``data``, or one cluster label per row.
        data : pandas.DataFrame or dict
            The variables of the formula.

        Returns
        -------
        ClusterOLS

        Raises
        ------
        InvalidParameterError
            If the formula is not ``y ~ terms`` or rows have missing values.

        Examples
        --------
        >>> import pandas as pd
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> frame = ss.TwoStage(10, 6).draw(pop, seed=2).to_frame()
        >>> frame["x"] = (frame["unit"] % 2).astype(float)
        >>> model = ss.ClusterOLS.from_formula("y ~ x", "group", frame)
        >>> model.fit().bse.round(3).tolist()
        [0.176, 0.199]
        """
        import formulaic

        if not isinstance(formula, str) or "~" not in formula:
            raise InvalidParameterError(
                f"'formula' must be a string 'y ~ terms'; got {formula!r}.")
        if not isinstance(data, pd.DataFrame):
            data = pd.DataFrame(data)
        if isinstance(groups, str):
            if groups not in data.columns:
                raise InvalidParameterError(
                    f"'groups' must name a column of 'data'; got {groups!r}, columns are "
                    f"{list(data.columns)}.")
            groups = data[groups].to_numpy()
        try:
            matrices = formulaic.model_matrix(formula, data, na_action="raise")
        except Exception as exc:  # formulaic raises many kinds; say which formula failed
            raise InvalidParameterError(
                f"'formula' {formula!r} could not be built from 'data': {exc}") from None
        lhs, rhs = matrices.lhs, matrices.rhs
        if lhs.shape[1] != 1:
            raise InvalidParameterError(
                f"'formula' must have one outcome on the left; got {list(lhs.columns)}.")
        model = cls(np.asarray(lhs, dtype=np.float64)[:, 0], np.asarray(rhs, dtype=np.float64),
                    groups, exog_names=list(rhs.columns))
        model.formula = formula
        return model

    def fit(self, vcov: str = "CR2", df: str = "satterthwaite"):
        """Fit by OLS and estimate the covariance of the coefficients.

        Parameters
        ----------
        vcov : {"CR0", "CR1", "CR1S", "CR2", "CR3"}
        df : {"satterthwaite", "G-1"}
            Satterthwaite (Bell-McCaffrey) df as clubSandwich, or G - 1.

        Returns
        -------
        ClusterOLSResults
            Coefficients, their cluster-robust covariance, SEs, df and intervals.

        Raises
        ------
        InvalidParameterError
            If ``vcov`` or ``df`` is not one of the choices.

        Examples
        --------
        >>> import pandas as pd
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> frame = ss.TwoStage(10, 6).draw(pop, seed=2).to_frame()
        >>> frame["x"] = (frame["unit"] % 2).astype(float)
        >>> fit = ss.ClusterOLS.from_formula("y ~ x", "group", frame).fit(vcov="CR2")
        >>> fit.params.round(3).tolist()
        [-0.141, 0.268]
        """
        check_choice(vcov, "vcov", VCOV_TYPES, owner="ClusterOLS.fit")
        check_choice(df, "df", DF_RULES, owner="ClusterOLS.fit")
        params, cov, dfs = sandwich(self.exog, self.endog, self._codes, self.n_groups, vcov)
        if df == "G-1":
            dfs = np.full(params.size, self.n_groups - 1.0)
        return ClusterOLSResults(self, params, cov, dfs, vcov, df)


def sandwich(X, y, codes, n_groups, vcov):
    """OLS coefficients, their cluster-robust covariance and Satterthwaite df.

    ``codes`` are cluster codes 0..n_groups-1 (int). Plain numpy; the
    reference for the compiled kernels and the numpy baseline of the
    benchmarks. Returns (params (p,), cov (p, p), df (p,)).
    """
    n, p = X.shape
    M = np.linalg.inv(X.T @ X)
    M = 0.5 * (M + M.T)
    beta = M @ (X.T @ y)
    e = y - X @ beta
    L = np.linalg.cholesky(M)
    adjust = vcov in ("CR2", "CR3")
    meat = np.zeros((p, p))
    d = np.zeros((n_groups, p))          # d_j^(i) = [M T_j S_j T_j' M]_ii
    a = np.zeros((n_groups, p, p))       # a_j = M T_j S_j (row i for coefficient i)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(n_groups + 1))
    for j in range(n_groups):
        rows = order[bounds[j]:bounds[j + 1]]
        Xj = X[rows]
        S = Xj.T @ Xj
        if adjust:
            Q = np.eye(p) - L.T @ S @ L
            values, vectors = np.linalg.eigh(0.5 * (Q + Q.T))
            if vcov == "CR3":
                if values.min() <= EIGEN_TOL:
                    raise InvalidParameterError(
                        f"vcov='CR3' needs I - H_jj invertible in every cluster; cluster "
                        f"{j} has leverage 1 in some direction (use CR2).")
                powers = 1.0 / values
            else:
                kept = values > EIGEN_TOL
                powers = np.zeros(p)
                powers[kept] = 1.0 / np.sqrt(values[kept])
            F = (vectors * powers) @ vectors.T
            T = np.linalg.solve(L.T, F @ L.T)
        else:
            T = np.eye(p)
        c = T @ (Xj.T @ e[rows])
        meat += np.outer(c, c)
        TS = T @ S
        d[j] = np.diag(M @ TS @ T.T @ M)
        a[j] = M @ TS
    scale = 1.0
    if vcov in ("CR1", "CR1S"):
        scale = n_groups / (n_groups - 1.0)
        if vcov == "CR1S":
            scale *= (n - 1.0) / (n - p)
    cov = scale * (M @ meat @ M)
    ama = np.einsum("jip,pq,jiq->ji", a, M, a)        # a_j M a_j' for each coefficient
    trace = d.sum(axis=0) - ama.sum(axis=0)
    W = np.einsum("jip,jiq->ipq", a, a)               # sum_j a_j'a_j, per coefficient
    LWL = np.einsum("pa,ipq,qb->iab", L, W, L)
    frob = (d * d).sum(axis=0) - 2.0 * (d * ama).sum(axis=0) + (LWL ** 2).sum(axis=(1, 2))
    return beta, cov, trace * trace / frob


__all__ = ["ClusterOLS", "VCOV_TYPES", "DF_RULES", "sandwich"]
