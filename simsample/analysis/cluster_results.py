"""Results of a cluster-robust OLS fit (:class:`~simsample.analysis.cluster_ols.ClusterOLS`)."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .._validation import InvalidParameterError, check_choice, check_int, check_real

#: Wild bootstrap weights (``wild_bootstrap(weights=...)``).
WILD_WEIGHTS = ("rademacher", "webb")


class ClusterOLSResults:
    """Coefficients, cluster-robust covariance and t inference of one fit.

    Parameters
    ----------
    model : ClusterOLS
        The model fitted.
    params : array_like
        The OLS coefficients.
    cov : numpy.ndarray
        Their cluster-robust covariance matrix.
    df : array_like
        Degrees of freedom of each coefficient's t test.
    vcov : str
        The covariance type ("CR0" ... "CR3").
    df_rule : str
        "satterthwaite" or "G-1".

    Attributes
    ----------
    params, bse, df, tvalues, pvalues : pandas.Series
        Coefficients, standard errors, degrees of freedom (Satterthwaite or
        G - 1), t statistics for H0: coefficient = 0 and their two-sided p-values.
    vcov : str
        The covariance type ("CR0" ... "CR3").
    df_rule : str
        "satterthwaite" or "G-1".
    nobs, n_groups : int

    Examples
    --------
    >>> import pandas as pd
    >>> from simsample.analysis.cluster_ols import ClusterOLS
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 3.0, 5.5], "g": [1, 1, 2, 2, 3, 3]})
    >>> fit = ClusterOLS.from_formula("y ~ 1", groups="g", data=df).fit("CR2")
    >>> round(float(fit.bse.iloc[0]), 4), round(float(fit.df.iloc[0]), 4)
    (0.8036, 2.0)
    """

    def __init__(self, model, params, cov, df, vcov, df_rule):
        names = model.exog_names
        self.model = model
        self.vcov = vcov
        self.df_rule = df_rule
        self.nobs = int(model.endog.size)
        self.n_groups = int(model.n_groups)
        self._cov = cov
        self.params = pd.Series(params, index=names, name="coef")
        self.bse = pd.Series(np.sqrt(np.diag(cov)), index=names, name="se")
        self.df = pd.Series(df, index=names, name="df")

    @property
    def tvalues(self) -> pd.Series:
        """params / bse.

        Returns
        -------
        pandas.Series
            The t statistics.

        Examples
        --------
        >>> import pandas as pd
        >>> from simsample.analysis.cluster_ols import ClusterOLS
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 3.0, 5.5], "g": [1, 1, 2, 2, 3, 3]})
        >>> fit = ClusterOLS.from_formula("y ~ 1", groups="g", data=df).fit("CR2")
        >>> fit.tvalues.round(3).tolist()
        [3.733]
        """
        return (self.params / self.bse).rename("t")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values of the t statistics with ``df`` degrees of freedom.

        Returns
        -------
        pandas.Series
            One p-value per coefficient.

        Examples
        --------
        >>> import pandas as pd
        >>> from simsample.analysis.cluster_ols import ClusterOLS
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 3.0, 5.5], "g": [1, 1, 2, 2, 3, 3]})
        >>> fit = ClusterOLS.from_formula("y ~ 1", groups="g", data=df).fit("CR2")
        >>> fit.pvalues.round(4).tolist()
        [0.0649]
        """
        from scipy.special import stdtr

        t = self.tvalues.to_numpy()
        return pd.Series(2.0 * stdtr(self.df.to_numpy(), -np.abs(t)), index=self.params.index,
                         name="p")

    def cov_params(self) -> pd.DataFrame:
        """The cluster-robust covariance matrix of the coefficients.

        Returns
        -------
        pandas.DataFrame
            Rows and columns: the coefficient names.

        Examples
        --------
        >>> import pandas as pd
        >>> from simsample.analysis.cluster_ols import ClusterOLS
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 3.0, 5.5], "g": [1, 1, 2, 2, 3, 3]})
        >>> fit = ClusterOLS.from_formula("y ~ 1", groups="g", data=df).fit("CR2")
        >>> fit.cov_params().shape
        (1, 1)
        """
        names = self.params.index
        return pd.DataFrame(self._cov, index=names, columns=names)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """t intervals params +- t(df, (1 + level)/2) bse: columns ``lower``, ``upper``.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            One row per coefficient.

        Examples
        --------
        >>> import pandas as pd
        >>> from simsample.analysis.cluster_ols import ClusterOLS
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 3.0, 5.5], "g": [1, 1, 2, 2, 3, 3]})
        >>> fit = ClusterOLS.from_formula("y ~ 1", groups="g", data=df).fit("CR2")
        >>> fit.conf_int().round(3).to_numpy().tolist()
        [[-0.458, 6.458]]
        """
        from scipy.special import stdtrit

        level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True,
                           owner="ClusterOLSResults.conf_int")
        half = stdtrit(self.df.to_numpy(), 0.5 + level / 2.0) * self.bse.to_numpy()
        est = self.params.to_numpy()
        return pd.DataFrame({"lower": est - half, "upper": est + half}, index=self.params.index)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """One row per coefficient: coef, se, t, df, p, lower, upper.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            The coefficient table.

        Examples
        --------
        >>> import pandas as pd
        >>> from simsample.analysis.cluster_ols import ClusterOLS
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 3.0, 5.5], "g": [1, 1, 2, 2, 3, 3]})
        >>> fit = ClusterOLS.from_formula("y ~ 1", groups="g", data=df).fit("CR2")
        >>> list(fit.summary().columns)
        ['coef', 'se', 't', 'df', 'p', 'lower', 'upper']
        """
        return pd.concat([self.params, self.bse, self.tvalues, self.df, self.pvalues,
                          self.conf_int(level)], axis=1)

    def wild_bootstrap(self, term, B: int = 999, weights: str = "rademacher", seed=None, *,
                       null: float = 0.0, level: float = 0.95):
        """Restricted wild cluster bootstrap test of H0: ``term`` = ``null``, and its interval.

        Parameters
        ----------
        term : str or int
            Coefficient name (or position).
        B : int
            Bootstrap draws (>= 19; 999 or 9999 for a published p-value).
        weights : {"rademacher", "webb"}
            Rademacher (+-1) or Webb's six-point weights (better with G < 10).
        seed : None, int or numpy.random.SeedSequence
            The bootstrap's own stream: the same seed gives the same draws.
        null : float
            The value under H0.
        level : float
            Level of the interval (test inversion).

        Returns
        -------
        WildBootstrapResult
            ``pvalue``, ``ci`` and what is needed to repeat it.

        Notes
        -----
        See :mod:`simsample.analysis.wild_bootstrap`. With Rademacher weights only
        2**G distinct draws exist; for G <= 11 prefer ``weights="webb"``.

        Examples
        --------
        >>> import pandas as pd
        >>> from simsample.analysis.cluster_ols import ClusterOLS
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 3.0, 5.5], "g": [1, 1, 2, 2, 3, 3]})
        >>> fit = ClusterOLS.from_formula("y ~ 1", groups="g", data=df).fit("CR2")
        >>> result = fit.wild_bootstrap("Intercept", B=99, weights="webb", seed=1)
        >>> round(result.pvalue, 3), result.B
        (0.101, 99)
        """
        from .wild_bootstrap import wild_cluster_bootstrap

        names = list(self.params.index)
        if isinstance(term, numbers.Integral) and not isinstance(term, bool):
            index = check_int(term, "term", low=0, high=len(names) - 1,
                              owner="ClusterOLSResults.wild_bootstrap")
        elif term in names:
            index = names.index(term)
        else:
            raise InvalidParameterError(
                f"'term' of ClusterOLSResults.wild_bootstrap must be one of {names} (or a "
                f"position); got {term!r}.")
        B = check_int(B, "B", low=19, owner="ClusterOLSResults.wild_bootstrap")
        check_choice(weights, "weights", WILD_WEIGHTS, owner="ClusterOLSResults.wild_bootstrap")
        null = check_real(null, "null", owner="ClusterOLSResults.wild_bootstrap")
        level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True,
                           owner="ClusterOLSResults.wild_bootstrap")
        model = self.model
        return wild_cluster_bootstrap(model.exog, model.endog, model._codes, model.n_groups,
                                      index, names[index], B=B, weights=weights, seed=seed,
                                      null=null, level=level)

    def __repr__(self) -> str:
        return (f"ClusterOLSResults({self.vcov}, df={self.df_rule}; {self.nobs} rows, "
                f"{self.n_groups} clusters, {len(self.params)} coefficients)")


__all__ = ["ClusterOLSResults", "WILD_WEIGHTS"]
