"""Variance of a total under PPS sampling without replacement, as R survey's ``pps=`` designs.

``SurveyDesign(data, ids=[...], probs="pi", pps=..., variance="HT"|"YG")``
analyses one single-stage sample drawn with inclusion probabilities pi
(R's ``svydesign(id=~psu, fpc=~pi, pps=..., variance=...)``). With x_a the
total of the influence values z over PSU a (weights included, so x_a
estimates t_a / pi_a), every option but Brewer's is a matrix D over the
sampled PSUs, D_ab = (pi_ab - pi_a pi_b) / pi_ab and D_aa = 1 - pi_a, with pi_ab:

=============================  =========================================================
``pps=``                       pi_ab
=============================  =========================================================
a square array (``ppsmat``)    given: one row per PSU, in order of first appearance
``"overton"``                  Overton's approximation: D_ab = 1 - (n - fbar)/(n - 1),
                               fbar = (pi_a + pi_b)/2
``HR(psum)``                   Hartley and Rao's: D_ab = 1 - (n - pi_a - pi_b + psum)/(n-1),
                               psum = sum over the population of pi^2 / n (``HR()``:
                               the sample's mean pi, as R does)
``"brewer"``                   Brewer's approximation, no matrix: n/(n - 1) sum_a
                               (1 - pi_a)(x_a - xbar)^2 (R's ``pps="brewer"``)
=============================  =========================================================

``variance="HT"``: v = x' D x (Horvitz-Thompson); ``"YG"``: the Sen-Yates-Grundy
form -1/2 sum_ab D_ab (x_a - x_b)^2 = x' D x - sum_a x_a^2 sum_b D_ab.

References
----------
Brewer, K. R. W. (2002). Combined Survey Sampling Inference. Arnold.
Hartley, H. O. and Rao, J. N. K. (1962). Annals of Mathematical Statistics 33, 350-374.
Overton, W. S. (1985). A sampling plan for streams in the National Stream Survey.
Lumley, T. survey: analysis of complex survey samples (``ppsmat``, ``HR``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import InvalidParameterError

VARIANCES = ("HT", "YG")


@dataclass(frozen=True)
class HR:
    """Hartley and Rao's approximation to pi_ab for ``SurveyDesign(pps=HR(psum))`` (R's ``HR``).

    Parameters
    ----------
    psum : float, optional
        The population's sum of pi^2 divided by the sample size; None uses
        the sample's mean pi, as R's ``HR()`` does.

    Examples
    --------
    >>> HR(0.02)
    HR(psum=0.02)
    """

    psum: float | None = None


class PPSVariance:
    """The variance of totals of one PPS sample (see the module docstring).

    Parameters
    ----------
    psu : array of int
        The PSU code of every row (0..n-1 in order of first appearance).
    pi : array of float
        The PSU inclusion probability of every row.
    pps : str, HR or array
        ``"brewer"``, ``"overton"``, :class:`HR` or the n x n pi_ab of the PSUs.
    variance : {"HT", "YG"}

    Examples
    --------
    >>> v = PPSVariance(np.arange(3), np.array([0.5, 0.5, 0.5]), "brewer")
    >>> float(v.covariance(np.array([[2.0], [4.0], [6.0]]))[0, 0])  # 3/2 (1/2) (4 + 0 + 4)
    6.0
    """

    def __init__(self, psu, pi, pps, variance: str = "HT"):
        if variance not in VARIANCES:
            raise InvalidParameterError(
                f"'variance' of SurveyDesign must be 'HT' or 'YG'; got {variance!r}.")
        self.psu = np.asarray(psu)
        n = int(self.psu.max()) + 1
        first = np.unique(self.psu, return_index=True)[1]
        p = np.asarray(pi, dtype=np.float64)
        if np.any(p <= 0) or np.any(p > 1) or not np.all(np.isfinite(p)):
            raise InvalidParameterError("'probs' of SurveyDesign must lie in (0, 1].")
        self.pi = p[first]
        if np.any(p != self.pi[self.psu]):
            raise InvalidParameterError("'probs' of SurveyDesign must be constant within a PSU.")
        self.variance = variance
        self.brewer = isinstance(pps, str) and pps == "brewer"
        if self.brewer and variance != "HT":
            raise InvalidParameterError("pps='brewer' has only variance='HT' (as in R).")
        self.n = n
        self.D = None if self.brewer else self._matrix(pps, n)

    def _matrix(self, pps, n):
        pi = self.pi
        if isinstance(pps, str) and pps == "overton":
            fbar = (pi[:, None] + pi[None, :]) / 2.0
            D = 1.0 - (n - fbar) / (n - 1.0)
            D[fbar == 1.0] = 0.0
        elif isinstance(pps, HR):
            psum = float(np.mean(pi)) if pps.psum is None else float(pps.psum)
            fbar = pi[:, None] + pi[None, :]
            D = 1.0 - (n - fbar + psum) / (n - 1.0)
            D[fbar == 1.0] = 0.0
        elif not isinstance(pps, str):
            joint = np.asarray(pps, dtype=np.float64)
            if joint.shape != (n, n):
                raise InvalidParameterError(
                    f"'pps' of SurveyDesign given as joint probabilities must be {n} x {n} "
                    f"(one row per PSU); got shape {joint.shape}.")
            diag = np.diag(joint)
            D = (joint - np.outer(diag, diag)) / joint
        else:
            raise InvalidParameterError(
                "'pps' of SurveyDesign must be 'brewer', 'overton', HR(psum) or a square "
                f"array of joint inclusion probabilities; got {pps!r}.")
        np.fill_diagonal(D, 1.0 - pi)
        return D

    def covariance(self, z) -> np.ndarray:
        """Estimated covariance of the column totals of ``z`` (rows x columns)."""
        z = np.asarray(z, dtype=np.float64).reshape(len(self.psu), -1)
        x = np.stack([np.bincount(self.psu, weights=z[:, c], minlength=self.n)
                      for c in range(z.shape[1])], axis=1)
        if self.brewer:
            d = x - x.mean(axis=0)
            return (d * ((1.0 - self.pi) * self.n / (self.n - 1.0))[:, None]).T @ d
        cov = x.T @ self.D @ x
        if self.variance == "YG":
            cov -= (x * self.D.sum(axis=1)[:, None]).T @ x
        return cov
