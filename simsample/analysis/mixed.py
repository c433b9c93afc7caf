"""Linear mixed models for one sample: random intercept, or one random slope.

``MixedLM`` uses statsmodels' names; the numbers are lme4's (``lmer``) and
lmerTest's (Satterthwaite df), computed by the compiled profiled-likelihood
fit that the replication loop runs (``simsample.analysis._mixed_kernels``):

>>> import numpy as np, pandas as pd
>>> from simsample.analysis.mixed import MixedLM
>>> rng = np.random.default_rng(1)
>>> g = np.repeat(np.arange(8), 5)
>>> df = pd.DataFrame({"g": g, "y": rng.normal(size=8)[g] + rng.normal(size=40)})
>>> res = MixedLM.from_formula("y ~ 1", groups="g", data=df).fit(reml=True)
>>> float(round(res.df_satterthwaite["Intercept"], 6))   # balanced, not singular: k - 1
7.0

Model: y_ij = x_ij'b + u_j (+ z_ij v_j) + e_ij, (u_j, v_j) ~ N(0, cov_re),
e_ij ~ N(0, scale). The fixed-effect estimate is the GLS estimate at the
(RE)ML variance components: groups are weighted by 1 / (tau^2 + sigma^2 / n_j),
so with unequal group sizes the intercept of ``y ~ 1`` is a weighted mean of
group means, not the unit mean.
"""

from __future__ import annotations

import numpy as np

from .._validation import InvalidParameterError, check_choice, check_real
from .._kernels.mixed.deviance import group_stats, n_theta
from .._kernels.mixed.fit import N_INFO, fit_lmm

_DISTS = ("satterthwaite", "normal", "between_within")


class MixedLM:
    """A linear mixed model with one grouping factor, ready to fit by REML or ML.

    Parameters
    ----------
    endog : array_like, shape (n,)
        The response.
    exog : array_like, shape (n, p)
        Fixed-effects design matrix, of full column rank.
    groups : array_like, shape (n,)
        Group labels (any hashable values).
    exog_re : array_like, shape (n, q), optional
        Random-effects design: None (random intercept) or two columns, ones and one
        covariate (random intercept and slope, unstructured covariance).
    exog_names, re_names : list of str, optional
        Column names (default ``x0, x1, ...``).

    Examples
    --------
    >>> import numpy as np
    >>> m = MixedLM(np.array([1.0, 2, 4, 5, 7, 9]), np.ones((6, 1)), [1, 1, 2, 2, 3, 3])
    >>> float(round(m.fit().fe_params.iloc[0], 4))
    4.6667
    """

    def __init__(self, endog, exog, groups, exog_re=None, exog_names=None, re_names=None):
        y = np.asarray(endog, dtype=np.float64).ravel()
        x = np.asarray(exog, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        n = y.size
        if x.shape[0] != n:
            raise InvalidParameterError(
                f"'exog' must have one row per value of 'endog' ({n}); got {x.shape[0]} rows.")
        z = np.ones((n, 1)) if exog_re is None else np.asarray(exog_re, dtype=np.float64)
        if z.ndim == 1:
            z = z[:, None]
        if z.shape[0] != n or z.shape[1] not in (1, 2) or not np.all(z[:, 0] == 1.0):
            raise InvalidParameterError(
                "'exog_re' must be None or an (n, 1) column of ones or (n, 2) [ones, covariate] "
                f"with n={n}; got shape {z.shape}.")
        for name, arr in (("endog", y), ("exog", x), ("exog_re", z)):
            if not np.all(np.isfinite(arr)):
                raise InvalidParameterError(f"'{name}' must hold finite numbers; got NaN or inf.")
        labels = np.asarray(groups)
        if labels.shape != (n,):
            raise InvalidParameterError(
                f"'groups' must have one label per value of 'endog' ({n}); got shape {labels.shape}.")
        if labels.dtype.kind == "f" and np.isnan(labels).any():
            raise InvalidParameterError("'groups' must not hold missing labels; got NaN.")
        codes, index = np.unique(labels, return_inverse=True)
        k = codes.size
        p = x.shape[1]
        if k < 2:
            raise InvalidParameterError(f"'groups' must hold at least 2 groups; got {k}.")
        if np.linalg.matrix_rank(x) < p:
            raise InvalidParameterError(
                f"'exog' must have full column rank {p}; got rank {np.linalg.matrix_rank(x)} "
                "(a column is constant zero or a combination of others).")
        if n <= p:
            raise InvalidParameterError(f"'endog' must have more than {p} values; got {n}.")
        order = np.argsort(index, kind="stable")
        self.exog_names = list(exog_names) if exog_names is not None else [f"x{i}" for i in range(p)]
        self.re_names = (list(re_names) if re_names is not None
                         else ["Group"] if z.shape[1] == 1 else ["Group", "slope"])
        self.group_labels = codes
        self._y, self._x, self._z = y[order], x[order], z[order]
        self._start = np.concatenate([[0], np.cumsum(np.bincount(index, minlength=k))]).astype(np.int64)
        self.k_groups, self.nobs, self.k_fe, self.k_re = k, n, p, z.shape[1]
        varies = np.array([[np.ptp(self._x[self._start[a]:self._start[a + 1], i]) > 0
                            for a in range(k)] for i in range(p)]).any(axis=1)
        self._within = varies

    @classmethod
    def from_formula(cls, formula, groups, data, re_formula=None):
        """Build the model from a formula (parsed and coded by ``formulaic``).

        Parameters
        ----------
        formula : str
            Fixed effects, e.g. ``"y ~ x + X"`` (categorical terms as formulaic codes them).
        groups : str
            Name of the grouping column in ``data``.
        data : pandas.DataFrame
        re_formula : str, optional
            None or ``"~1"`` (random intercept), or ``"~x"`` (random intercept and slope of x).

        Returns
        -------
        MixedLM

        Examples
        --------
        >>> import pandas as pd
        >>> d = pd.DataFrame({"y": [1.0, 2, 4, 5, 7, 9], "g": [1, 1, 2, 2, 3, 3]})
        >>> MixedLM.from_formula("y ~ 1", groups="g", data=d).exog_names
        ['Intercept']
        """
        import formulaic

        if not isinstance(formula, str) or "~" not in formula:
            raise InvalidParameterError(f"'formula' must be a string 'y ~ terms'; got {formula!r}.")
        needed = set(formulaic.Formula(formula).required_variables) | {groups}
        if re_formula is not None:
            needed |= set(formulaic.Formula(re_formula.lstrip("~") or "1").required_variables)
        missing = sorted(str(v) for v in needed if v not in data.columns)
        if missing:
            raise InvalidParameterError(
                f"'data' must hold the columns {sorted(map(str, needed))}; missing {missing}.")
        for col in sorted(map(str, needed)):
            if data[col].isna().any():
                raise InvalidParameterError(
                    f"column {col!r} of 'data' must not hold missing values; got "
                    f"{int(data[col].isna().sum())} missing.")
        mm = formulaic.model_matrix(formula, data)
        y = np.asarray(mm.lhs, dtype=np.float64)
        if y.ndim == 2 and y.shape[1] != 1:
            raise InvalidParameterError(f"'formula' must have one response; got {y.shape[1]}.")
        z, re_names = None, None
        if re_formula is not None and re_formula.replace(" ", "") not in ("~1", "1"):
            zm = formulaic.model_matrix(re_formula.lstrip("~"), data)
            if list(zm.columns)[:1] != ["Intercept"] or zm.shape[1] != 2:
                raise InvalidParameterError(
                    "'re_formula' must be None, '~1' or '~x' with one numeric covariate; "
                    f"got {re_formula!r} (columns {list(zm.columns)}).")
            z, re_names = np.asarray(zm, dtype=np.float64), ["Group", str(zm.columns[1])]
        return cls(y.ravel(), np.asarray(mm.rhs, dtype=np.float64), data[groups].to_numpy(),
                   exog_re=z, exog_names=list(mm.rhs.columns), re_names=re_names)

    def fit(self, reml=True):
        """Fit by REML (default) or ML with the compiled profiled-likelihood kernel.

        Parameters
        ----------
        reml : bool

        Returns
        -------
        MixedLMResults

        Examples
        --------
        >>> import numpy as np
        >>> m = MixedLM(np.array([1.0, 2, 4, 5, 7, 9]), np.ones((6, 1)), [1, 1, 2, 2, 3, 3])
        >>> m.fit(reml=False).converged
        True
        """
        if not isinstance(reml, (bool, np.bool_)):
            raise InvalidParameterError(f"'reml' must be True or False; got {reml!r}.")
        q, p, k, n = self.k_re, self.k_fe, self.k_groups, self.nobs
        y, x = self._y, self._x
        shift = 0.0
        icol = next((i for i in range(p) if np.all(x[:, i] == 1.0)), None)
        if icol is not None:  # centre y (the intercept absorbs the shift), as the loop does
            shift = float(np.sum(y) / n)
            y = y - shift
        S, ZX, Zy = np.empty((k, q, q)), np.empty((k, q, p)), np.empty((k, q))
        XX, Xy = np.empty((p, p)), np.empty(p)
        yy = group_stats(y, x, self._z, self._start, k, q, p, S, ZX, Zy, XX, Xy)
        theta, beta = np.empty(n_theta(q)), np.empty(p)
        cov, df, info = np.empty((p, p)), np.empty(p), np.empty(N_INFO)
        fit_lmm(q, p, k, n, S, ZX, Zy, XX, Xy, yy, bool(reml), theta, beta, cov, df, info)
        if icol is not None:
            beta[icol] += shift
        return MixedLMResults(self, bool(reml), theta, beta, cov, df, info)


class MixedLMResults:
    """The fit of a :class:`MixedLM` (statsmodels' attribute names, lme4's numbers).

    Built by :meth:`MixedLM.fit`.

    Parameters
    ----------
    model : MixedLM
        The model fitted.
    reml : bool
        REML (True) or ML.
    theta : numpy.ndarray
        lme4's relative covariance factor at the optimum.
    beta : numpy.ndarray
        The fixed effects.
    cov : numpy.ndarray
        Their covariance matrix.
    df : numpy.ndarray
        Satterthwaite degrees of freedom of each fixed effect.
    info : numpy.ndarray
        (-2 log-likelihood, sigma^2, converged flag, singular flag).

    Attributes
    ----------
    fe_params, bse_fe, df_satterthwaite, df_between_within : pandas.Series
        Fixed effects, their SEs, lmerTest's Satterthwaite df, and the between-within df
        (SAS DDFM=BETWITHIN: columns constant within every group, the intercept
        included, get k - rank(those columns); the others n - k - rank(the others)).
    cov_fe : pandas.DataFrame
    cov_re : pandas.DataFrame
        Covariance of the random effects (lme4's ``VarCorr``), q x q.
    scale : float
        Residual variance sigma^2.
    llf : float
        REML or ML log-likelihood (lme4's ``logLik``).
    theta : numpy.ndarray
        lme4's relative covariance factor.
    singular, converged : bool
        ``singular`` as lme4's ``isSingular`` (a diagonal element of theta below 1e-4).

    Examples
    --------
    >>> import numpy as np
    >>> m = MixedLM(np.array([1.0, 2, 4, 5, 7, 9]), np.ones((6, 1)), [1, 1, 2, 2, 3, 3])
    >>> r = m.fit()
    >>> list(r.summary().columns)
    ['estimate', 'se', 'df_satterthwaite', 'df_between_within', 't']
    """

    def __init__(self, model, reml, theta, beta, cov, df, info):
        import pandas as pd

        names = model.exog_names
        self.model, self.reml, self.theta = model, reml, theta.copy()
        self.fe_params = pd.Series(beta, index=names)
        self.cov_fe = pd.DataFrame(cov, index=names, columns=names)
        self.bse_fe = pd.Series(np.sqrt(np.diag(cov)), index=names)
        self.df_satterthwaite = pd.Series(df, index=names)
        self.scale = float(info[1])
        self.llf = float(-0.5 * info[0])
        self.converged = bool(info[2] == 1.0)
        self.singular = bool(info[3] == 1.0)
        lam = (np.array([[theta[0]]]) if model.k_re == 1
               else np.array([[theta[0], 0.0], [theta[1], theta[2]]]))
        self.cov_re = pd.DataFrame(self.scale * lam @ lam.T, index=model.re_names,
                                   columns=model.re_names)
        x, within = model._x, model._within
        rank_b = np.linalg.matrix_rank(x[:, ~within]) if (~within).any() else 0
        rank_w = np.linalg.matrix_rank(x[:, within]) if within.any() else 0
        bw = np.where(within, model.nobs - model.k_groups - rank_w, model.k_groups - rank_b)
        self.df_between_within = pd.Series(bw.astype(np.float64), index=names)

    def summary(self):
        """Fixed effects table: estimate, SE, both df and the t (or z) statistic.

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> import numpy as np
        >>> r = MixedLM(np.array([1.0, 2, 4, 5, 7, 9]), np.ones((6, 1)), [1, 1, 2, 2, 3, 3]).fit()
        >>> r.summary().shape
        (1, 5)
        """
        import pandas as pd

        return pd.DataFrame({"estimate": self.fe_params, "se": self.bse_fe,
                             "df_satterthwaite": self.df_satterthwaite,
                             "df_between_within": self.df_between_within,
                             "t": self.fe_params / self.bse_fe})

    def conf_int(self, level=0.95, dist="satterthwaite"):
        """Wald intervals for the fixed effects.

        Parameters
        ----------
        level : float in (0, 1)
        dist : {"satterthwaite", "normal", "between_within"}
            t on lmerTest's Satterthwaite df, the normal (Wald z), or t on the
            between-within df.

        Returns
        -------
        pandas.DataFrame
            Columns ``lower`` and ``upper``, one row per fixed effect.

        Examples
        --------
        >>> import numpy as np
        >>> r = MixedLM(np.array([1.0, 2, 4, 5, 7, 9]), np.ones((6, 1)), [1, 1, 2, 2, 3, 3]).fit()
        >>> ci = r.conf_int(dist="normal")
        >>> bool(ci["lower"].iloc[0] < 4.6667 < ci["upper"].iloc[0])
        True
        """
        import pandas as pd
        from scipy import stats

        level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True,
                           owner="conf_int")
        check_choice(dist, "dist", _DISTS, owner="conf_int")
        tail = 0.5 + level / 2.0
        if dist == "normal":
            crit = np.full(len(self.fe_params), stats.norm.ppf(tail))
        else:
            df = self.df_satterthwaite if dist == "satterthwaite" else self.df_between_within
            crit = stats.t.ppf(tail, df.to_numpy())
        half = crit * self.bse_fe.to_numpy()
        return pd.DataFrame({"lower": self.fe_params - half, "upper": self.fe_params + half})
