"""Populations: finite nested populations, their generators, covariates, scenarios and data.

* :mod:`.core` — :class:`Population` (units in groups, optional subgroups and covariates),
  with its mixins :mod:`.census` (mean, variance components, icc, totals), :mod:`.io`
  (``from_csv``, ``from_frame``) and :mod:`.subgroups` (see also :mod:`.truths`);
* :mod:`.generators` — ``two_level``, ``three_level``, ``binary_two_level``;
* :mod:`.sizes` — group-size distributions;
* :mod:`.covariates` and :mod:`.truths` — populations with a micro covariate x and a macro
  covariate X, and the census effects they define;
* :mod:`.scenarios` — the lecture's populations (Simpson's paradox, income and voting...);
* :mod:`.datasets` — real populations shipped with simsample.
"""

from .core import Population
from .covariates import covariate_population
from .generators import binary_two_level, three_level, two_level

__all__ = ["Population", "binary_two_level", "covariate_population", "three_level", "two_level"]
