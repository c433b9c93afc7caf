"""The estimators of a :class:`~simsample.SurveyDesign`, in R's survey vocabulary.

A mixin of :class:`~simsample.analysis.survey.SurveyDesign`: ``svymean``,
``svytotal``, ``svyratio`` (each with ``svyby`` domains), ``subset``,
``svyttest``, ``svyglm`` (gaussian) and ``as.svrepdesign``. Each works on the
design's rows, weights and variance estimator (:mod:`.survey`), with the
domain rules of :mod:`.domains`.
"""

from __future__ import annotations

import copy

import numpy as np

from .._validation import InvalidParameterError
from . import domains
from .estimates import SurveyEstimate, SurveyTable
from .ttest import SurveyTTest

# ``SurveyDesign`` (analysis/survey.py) is not imported: survey.py imports this module.


class SurveyEstimators:
    """Means, totals, ratios, domains, t-tests, regression and replicate weights of a design."""

    def mean(self, variable, na_rm: bool = False, by=None) -> SurveyEstimate | SurveyTable:
        """The ratio (Hajek) estimate of the mean, as R's ``svymean`` (and ``svyby``).

        ybar = sum w y / sum w, with the linearisation variance of
        z_i = w_i (y_i - ybar) / sum w. ``variable`` is a column name or a
        list of them; a factor column (categorical or strings) gives the
        proportion of each level. With ``na_rm=True`` rows missing any of the
        variables are a domain outside the estimate: their z_i is 0 but the
        design (PSU counts, strata, fpc) is kept whole, as in R. ``by``: a
        column (or list) whose levels define domains, one row per domain.

        Returns a :class:`SurveyEstimate` for one numeric variable without
        ``by``, otherwise a :class:`SurveyTable` (``.frame`` is R's table).

        Examples
        --------
        R's ``svyby(~api00, ~stype, dclus1, svymean)`` is
        ``design.mean("api00", by="stype")``; ``svymean(~stype, dclus1)`` is
        ``design.mean("stype")``.

        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> design.mean("y")
        SurveyEstimate(mean of 'y' = 0.130906, SE 0.16196, df 7, deff 1.135, n 40)

        Parameters
        ----------
        variable : str
            A column of the data (a numeric column, or a factor: one estimate per level).
        na_rm : bool, default False
            Drop rows where ``variable`` is missing (the design is kept).
        by : str or list of str, optional
            Domain columns: one estimate per domain (R's ``svyby``).

        Returns
        -------
        SurveyEstimate or SurveyTable
            One estimate, or one row per domain or level.

        Raises
        ------
        InvalidParameterError
            If a column is missing or holds missing values without ``na_rm``.
        """
        return domains.estimate(self, "mean", variable, na_rm=na_rm, by=by)

    def total(self, variable, na_rm: bool = False, by=None) -> SurveyEstimate | SurveyTable:
        """The Horvitz-Thompson estimate sum w y of the total (R's ``svytotal``).

        Variables, missing values and domains as in :meth:`mean`; a factor
        column gives the estimated number of population units at each level.

        Parameters
        ----------
        variable : str
            A column of the data (a numeric column, or a factor: one estimate per level).
        na_rm : bool, default False
            Drop rows where ``variable`` is missing (the design is kept).
        by : str or list of str, optional
            Domain columns: one estimate per domain (R's ``svyby``).

        Returns
        -------
        SurveyEstimate or SurveyTable
            One estimate, or one row per domain or level.

        Raises
        ------
        InvalidParameterError
            If a column is missing or holds missing values without ``na_rm``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> round(design.total("y").estimate, 1)
        104.7
        """
        return domains.estimate(self, "total", variable, na_rm=na_rm, by=by)

    def ratio(self, numerator, denominator: str, na_rm: bool = False, by=None
              ) -> SurveyEstimate | SurveyTable:
        """The ratio sum w y / sum w x of two totals, as R's ``svyratio``.

        Linearised as z_i = w_i (y_i - R x_i) / sum w x. ``numerator`` is a
        column (or list of columns, one ratio each); with ``na_rm=True`` rows
        missing the numerator or the denominator are left out jointly (the
        design kept). ``by`` as in :meth:`mean` (R's ``svyby(..., svyratio,
        denominator=)``).

        Examples
        --------
        R's ``svyratio(~api.stu, ~enroll, dclus1)`` is
        ``design.ratio("api.stu", "enroll")``.

        Parameters
        ----------
        numerator : str
            Column of the numerator's total.
        denominator : str
            Column of the denominator's total.
        na_rm : bool, default False
            Drop rows where either column is missing.
        by : str or list of str, optional
            Domain columns: one ratio per domain.

        Returns
        -------
        SurveyEstimate or SurveyTable

        Raises
        ------
        InvalidParameterError
            If a column is missing or holds missing values without ``na_rm``.
        """
        if not isinstance(denominator, str):
            raise InvalidParameterError(
                f"'denominator' of SurveyDesign.ratio must be a column name; got "
                f"{denominator!r}.")
        return domains.estimate(self, "ratio", numerator, na_rm=na_rm, by=by,
                                denominator=denominator)

    def subset(self, mask_or_query) -> SurveyDesign:
        """The design restricted to a domain, the full design kept (R's ``subset``).

        ``mask_or_query`` is a boolean mask (one value per row; missing: not
        selected) or a :meth:`pandas.DataFrame.eval` expression such as
        ``"meals > 50"`` (backquote names with dots: ```sch.wide` == 'Yes'``).
        Rows outside get weight 0 but every PSU, stratum and fpc is kept, so
        estimates from the subset have the variance of a domain estimator (not
        that of the domain's rows taken as a sample of their own).

        Parameters
        ----------
        mask_or_query : array_like of bool or str
            A boolean mask over the rows, or a :meth:`pandas.DataFrame.query` string.

        Returns
        -------
        SurveyDesign
            The domain's design: estimates use the full design's PSUs and strata.

        Raises
        ------
        InvalidParameterError
            If the mask has the wrong length or selects no row.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> domain = design.subset("y > 0")
        >>> domain.mean("y").estimate > 0
        True
        """
        mask = domains.subset_mask(self, mask_or_query)
        sub = copy.copy(self)
        sub.included = self.included & mask
        sub.weights = np.where(sub.included, self.weights, 0.0)
        return sub

    def ttest(self, variable: str, by: str) -> SurveyTTest:
        """Design-based t-test of the difference of two domain means (R's ``svyttest``).

        ``svyttest(api00 ~ sch.wide, design)`` is ``design.ttest("api00",
        by="sch.wide")``: mean(second level) - mean(first level) of ``by`` in
        R's order (sorted values or the categories' order: ``"Yes"`` minus
        ``"No"``, 1 minus 0), its SE with the covariance of the two domain
        means, t with degf - 1 degrees of freedom and the two-sided p-value.
        Rows missing either column are left out, the design kept.

        Parameters
        ----------
        variable : str
            The outcome column.
        by : str
            A column with exactly two levels.

        Returns
        -------
        SurveyTTest
            Difference, SE, t statistic, df and p-value.

        Raises
        ------
        InvalidParameterError
            If ``by`` does not have exactly two levels.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> design.data["x"] = (design.data["unit"] % 2).astype(float)
        >>> test = design.ttest("y", by="x")
        >>> test.df
        6
        """
        return domains.ttest(self, variable, by)

    def glm(self, formula: str, family: str = "gaussian"):
        """Design-based linear regression, as R's ``svyglm`` (gaussian family).

        See :class:`~simsample.analysis.regression.SurveyGLM`:
        ``svyglm(api00 ~ ell + meals, design)`` is ``design.glm("api00 ~ ell + meals")``.

        Parameters
        ----------
        formula : str
            An R-style formula, e.g. ``"y ~ x"``.
        family : {"gaussian"}, default "gaussian"
            The model family.

        Returns
        -------
        SurveyGLM
            Coefficients (``params``), their design-based covariance and df.

        Raises
        ------
        InvalidParameterError
            If ``family`` is not supported or the formula names a missing column.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> design.data["x"] = (design.data["unit"] % 2).astype(float)
        >>> fit = design.glm("y ~ x")
        >>> fit.params.round(3).tolist()
        [-0.21, 0.594]
        """
        from .regression import fit

        return fit(self, formula, family)

    def replicate(self, kind: str, **kwargs):
        """Replicate weights of this design, as R's ``as.svrepdesign``.

        ``kind`` in "JK1", "JKn", "bootstrap", "BRR", "Fay"; keywords ``mse``,
        ``replicates``, ``seed``, ``fay_rho`` (see
        :func:`simsample.analysis.replicate.replicate_design`). Returns a
        ``ReplicateDesign`` with ``.mean(var)`` and ``.total(var)``.

        Parameters
        ----------
        kind : {"JK1", "JKn", "bootstrap", "BRR", "Fay"}
            The replication method.
        **kwargs
            ``mse``, ``replicates``, ``seed``, ``fay_rho``: see
            :func:`simsample.analysis.replicate.replicate_design`.

        Returns
        -------
        ReplicateDesign
            The design with its replicate weights.

        Raises
        ------
        InvalidParameterError
            If ``kind`` or a keyword is not valid for this design.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> jackknife = design.replicate("JK1")
        >>> round(jackknife.mean("y").se, 4)
        0.1507
        """
        from .replicate import replicate_design

        return replicate_design(self, kind, **kwargs)
