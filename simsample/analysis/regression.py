"""Design-based linear regression of one sample: R's ``svyglm`` for the gaussian family.

The coefficients are the weighted least-squares fit b = (X'WX)^{-1} X'W y
(W the sampling weights; the population least-squares coefficients'
estimator). Their covariance is the sandwich with the design variance of the
influence values h_i = w_i e_i x_i' (X'WX)^{-1} (e the residuals), estimated
over the whole design as every other estimate is (R's ``svy.varcoef``:
``svyrecvar`` of the estimating functions times the inverse information).
Degrees of freedom: PSUs minus strata + 1 - p (R's ``df.residual``), for the
t statistics, p-values and intervals. The dispersion is the one R prints, the
design-based variance (``svyvar``) of R's Pearson residuals of a ``svyglm``,
e_i sqrt(wbar_c / wbar): wbar_c the mean weight of the rows used, wbar that of
all rows of the (sub)design (the factor is 1 without missing values).

Formulas are parsed by `formulaic <https://matthewwardrop.github.io/formulaic/>`_
(R's formula syntax: ``"api00 ~ ell + meals"``, ``C(x)``, ``a:b``; factor
columns get treatment contrasts with the first level as reference, named
``stype[T.H]`` where R writes ``stypeH``; ``Intercept`` is R's
``(Intercept)``). Rows with a missing value in a model variable are left out
with the design kept. Unlike R, a rank-deficient model matrix is refused
(R reports NA for the aliased coefficients).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._validation import InvalidParameterError, check_choice
from ._linearize import linearize
from .estimates import quantile, two_sided_p


class SurveyGLM:
    """A fitted design-based linear regression (see the module docstring).

    Parameters
    ----------
    formula : str
        The model formula.
    names : list of str
        Coefficient names.
    params : array_like
        The coefficients.
    cov : numpy.ndarray
        Their sandwich covariance matrix.
    df_resid : int
        Residual degrees of freedom.
    dispersion, dispersion_se : float
        The dispersion and its design-based SE.
    nobs : int
        Rows used.

    Attributes
    ----------
    formula : str
    params, bse, tvalues, pvalues : pandas.Series
        Coefficients, their sandwich standard errors, t statistics and
        two-sided p-values (t with ``df_resid`` degrees of freedom).
    df_resid : int
        PSUs minus strata + 1 - number of coefficients (R's ``df.residual``).
    dispersion, dispersion_se : float
        The dispersion R prints ("Dispersion parameter for gaussian family
        taken to be ...") and its design-based SE.
    nobs : int
        Rows used (inside the (sub)design, no model variable missing).

    Examples
    --------
    >>> import simsample as ss
    >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3, 4, 4], "N1": [40] * 8,
    ...                      "x": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 0.0, 3.0],
    ...                      "y": [1.0, 3.0, 5.0, 7.2, 2.9, 5.1, 1.2, 6.8]},
    ...                     ids=["psu"], fpc=["N1"])
    >>> fit = d.glm("y ~ x")
    >>> round(float(fit.params["x"]), 4), fit.df_resid
    (1.98, 2)
    """

    def __init__(self, formula, names, params, cov, df_resid, dispersion, dispersion_se, nobs):
        self.formula = formula
        self.params = pd.Series(params, index=names, name="estimate")
        self._cov = cov
        self.bse = pd.Series(np.sqrt(np.maximum(np.diag(cov), 0.0)), index=names, name="se")
        self.df_resid = int(df_resid)
        self.dispersion = float(dispersion)
        self.dispersion_se = float(dispersion_se)
        self.nobs = int(nobs)

    def cov_params(self) -> pd.DataFrame:
        """The sandwich covariance matrix of the coefficients.

        Returns
        -------
        pandas.DataFrame
            Rows and columns: the coefficient names.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3, 4, 4], "N1": [40] * 8,
        ...                      "x": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 0.0, 3.0],
        ...                      "y": [1.0, 3.0, 5.0, 7.2, 2.9, 5.1, 1.2, 6.8]},
        ...                     ids=["psu"], fpc=["N1"])
        >>> fit = d.glm("y ~ x")
        >>> fit.cov_params().shape
        (2, 2)
        """
        names = self.params.index
        return pd.DataFrame(self._cov.copy(), index=names, columns=names)

    @property
    def tvalues(self) -> pd.Series:
        """Coefficient / SE.

        Returns
        -------
        pandas.Series
            The t statistics.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3, 4, 4], "N1": [40] * 8,
        ...                      "x": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 0.0, 3.0],
        ...                      "y": [1.0, 3.0, 5.0, 7.2, 2.9, 5.1, 1.2, 6.8]},
        ...                     ids=["psu"], fpc=["N1"])
        >>> fit = d.glm("y ~ x")
        >>> fit.tvalues.round(2).tolist()
        [11.86, 29.63]
        """
        return (self.params / self.bse).rename("t")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values of the t statistics with ``df_resid`` degrees of freedom.

        Returns
        -------
        pandas.Series
            One p-value per coefficient.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3, 4, 4], "N1": [40] * 8,
        ...                      "x": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 0.0, 3.0],
        ...                      "y": [1.0, 3.0, 5.0, 7.2, 2.9, 5.1, 1.2, 6.8]},
        ...                     ids=["psu"], fpc=["N1"])
        >>> fit = d.glm("y ~ x")
        >>> fit.pvalues.round(4).tolist()
        [0.007, 0.0011]
        """
        return self.tvalues.map(lambda t: two_sided_p(t, self.df_resid)).rename("p")

    def conf_int(self, level: float = 0.95, dist: str = "t") -> pd.DataFrame:
        """Intervals params +- q bse, q from t(df_resid) (R's ``confint.svyglm``) or N(0, 1).

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).
        dist : {"t", "normal"}, default "t"
            t with ``df_resid`` degrees of freedom, or the standard normal.

        Returns
        -------
        pandas.DataFrame
            Columns lower, upper; one row per coefficient.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3, 4, 4], "N1": [40] * 8,
        ...                      "x": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 0.0, 3.0],
        ...                      "y": [1.0, 3.0, 5.0, 7.2, 2.9, 5.1, 1.2, 6.8]},
        ...                     ids=["psu"], fpc=["N1"])
        >>> fit = d.glm("y ~ x")
        >>> fit.conf_int().round(3).to_numpy().tolist()
        [[0.672, 1.438], [1.692, 2.268]]
        """
        q = quantile(level, self.df_resid, dist, "SurveyGLM.conf_int")
        return pd.DataFrame({"lower": self.params - q * self.bse,
                             "upper": self.params + q * self.bse})

    def ci(self, level: float = 0.95, dist: str = "t") -> pd.DataFrame:
        """The same as :meth:`conf_int` (the name every simsample estimate has).

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).
        dist : {"t", "normal"}, default "t"
            t with ``df_resid`` degrees of freedom, or the standard normal.

        Returns
        -------
        pandas.DataFrame
            Columns lower, upper.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3, 4, 4], "N1": [40] * 8,
        ...                      "x": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 0.0, 3.0],
        ...                      "y": [1.0, 3.0, 5.0, 7.2, 2.9, 5.1, 1.2, 6.8]},
        ...                     ids=["psu"], fpc=["N1"])
        >>> fit = d.glm("y ~ x")
        >>> fit.ci().equals(fit.conf_int())
        True
        """
        return self.conf_int(level, dist)

    def summary(self) -> pd.DataFrame:
        """The coefficient table: estimate, se, t, p (as R's ``summary(svyglm)``).

        Returns
        -------
        pandas.DataFrame
            One row per coefficient.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3, 4, 4], "N1": [40] * 8,
        ...                      "x": [0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 0.0, 3.0],
        ...                      "y": [1.0, 3.0, 5.0, 7.2, 2.9, 5.1, 1.2, 6.8]},
        ...                     ids=["psu"], fpc=["N1"])
        >>> fit = d.glm("y ~ x")
        >>> list(fit.summary().columns)
        ['estimate', 'se', 't', 'p']
        """
        return pd.concat([self.params, self.bse, self.tvalues, self.pvalues], axis=1)

    def __repr__(self) -> str:
        return (f"SurveyGLM({self.formula!r}, gaussian; {self.nobs} rows, df {self.df_resid}, "
                f"dispersion {self.dispersion:.6g})\n{self.summary().to_string()}")


def _model_matrices(formula: str, data: pd.DataFrame):
    try:
        from formulaic import model_matrix
    except ImportError:  # pragma: no cover - formulaic is a dependency
        raise ImportError("SurveyDesign.glm needs the 'formulaic' package "
                          "(pip install formulaic).") from None
    if not isinstance(formula, str) or "~" not in formula:
        raise InvalidParameterError(
            f"'formula' of SurveyDesign.glm must be a string 'y ~ terms'; got {formula!r}.")
    try:
        lhs, rhs = model_matrix(formula, data, na_action="drop")
    except Exception as exc:  # formulaic raises many kinds for a bad formula or column
        raise InvalidParameterError(
            f"'formula' of SurveyDesign.glm could not be evaluated on the data: {formula!r} "
            f"({type(exc).__name__}: {exc}).") from None
    if lhs.shape[1] != 1:
        raise InvalidParameterError(
            f"'formula' of SurveyDesign.glm must have one numeric outcome on the left; "
            f"{formula!r} gives columns {list(lhs.columns)}.")
    return lhs, rhs


def fit(design, formula: str, family: str = "gaussian") -> SurveyGLM:
    """Fit ``formula`` to the (sub)design ``design`` (see :class:`SurveyGLM`)."""
    check_choice(family, "family", ("gaussian",), owner="SurveyDesign.glm")
    rows = np.flatnonzero(design.included)
    lhs, rhs = _model_matrices(formula, design.data.iloc[rows])
    kept = lhs.index.to_numpy(dtype=np.int64)  # labels of design.data are its positions
    if kept.size == 0:
        raise InvalidParameterError(f"SurveyDesign.glm: no row is complete for {formula!r}.")
    x = rhs.to_numpy(dtype=np.float64)
    y = lhs.to_numpy(dtype=np.float64)[:, 0]
    names = list(rhs.columns)
    w = design.weights[kept]
    sw = np.sqrt(w)
    if np.linalg.matrix_rank(x * sw[:, None]) < x.shape[1]:
        raise InvalidParameterError(
            f"SurveyDesign.glm: the model matrix of {formula!r} is rank deficient (columns "
            f"{names}); drop aliased terms (R would report NA coefficients).")
    params = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]
    resid = y - x @ params
    bread = np.linalg.inv(x.T @ (x * w[:, None]))
    n_rows = len(design.data)
    influence = np.zeros((n_rows, x.shape[1]))
    influence[kept] = (x * (w * resid)[:, None]) @ bread
    cov = design.covariance_of_totals(influence)
    used = np.zeros(n_rows, dtype=bool)
    used[kept] = True
    df_resid = design.degrees_of_freedom(used) + 1 - x.shape[1]
    # R (residuals.svyglm): svyvar of the Pearson residuals e sqrt(wbar_complete / wbar)
    pearson = np.zeros(n_rows)
    pearson[kept] = resid * math.sqrt(float(w.mean()) / float(design.weights[rows].mean()))
    w_used = np.where(used, design.weights, 0.0)
    n = kept.size
    centre = float(np.sum(w_used * pearson)) / float(w_used.sum())
    q = np.where(used, (pearson - centre) ** 2 * (n / (n - 1.0) if n > 1 else math.nan), 0.0)
    disp = linearize("mean", w_used, q)
    disp_var = float(design.covariance_of_totals(disp.z)[0, 0])
    return SurveyGLM(formula, names, params, cov, df_resid, disp.estimate,
                     math.sqrt(max(disp_var, 0.0)), n)


__all__ = ["SurveyGLM"]
