"""Model-based methods of effects: random-intercept and random-slope models fitted in the loop.

Methods of ``estimand="difference"`` (the paired form: y and the micro
covariate x), each a REML fit per replication with the compiled profiled
likelihood of :mod:`simsample._kernels.mixed` (the code of the one-sample
:class:`simsample.analysis.mixed.MixedLM`, which agrees with lme4/lmerTest);
formulas in :mod:`._mixed_effects_kernels`:

==================  =========================  ==================  ============================
method              model (REML)               reported            target, interval
==================  =========================  ==================  ============================
reml_slope          y ~ x + (1 | g)            slope of x          population delta;
                                                                   Satterthwaite t
mundlak_within      y ~ (x - xbar_a) + xbar_a  coefficient of      within effect;
                    + (1 | g)                  x - xbar_a          Satterthwaite t
mundlak_contextual  same model                 coefficient of      contextual effect;
                                               xbar_a minus that   Satterthwaite t
                                               of x - xbar_a
rs_slope_sd         y ~ x + (1 + x | g)        SD of the slopes    slope SD; none (point)
==================  =========================  ==================  ============================

xbar_a is the sample mean of x in the unit's sampled group. Every method
reports ``singular_rate`` (the share of fits with a variance component on its
boundary, lme4's ``isSingular``); a fit that does not converge is a failed
replication (counted in ``n_failed`` and replayable), never an error.

What the targets mean for these estimators:

* ``reml_slope`` is the GLS slope, a precision-weighted mix of the within- and
  between-group slopes (the "conflated" micro effect of Raudenbush and Bryk
  2002, sec. 5.2): it estimates the population delta only where within and
  between effects agree; otherwise its bias shows the conflation.
* ``mundlak_within`` / ``mundlak_contextual`` separate the two (Mundlak 1978);
  like the built-in ``between``/``contextual`` they use sample group means of x,
  which carry sampling error under two-stage sampling and bias the contextual
  effect towards zero (Ludtke et al. 2008); whole groups (ClusterSample) avoid it.
* ``rs_slope_sd`` estimates the SD of the model's random slopes, compared with
  the census SD of the group slopes (``pop.slope_sd``); boundary fits (SD 0)
  are frequent when the slopes vary little relative to their sampling error.

Under SRS every unit is its own group: ``reml_slope`` is then the OLS slope
(a boundary fit), the Mundlak methods fail (x - xbar_a = 0) and so does
``rs_slope_sd`` (no more units than random effects; lme4 refuses such data).
"""

from __future__ import annotations

from . import _mixed_effects_kernels as K
from .methods import Method, register

for _name, _kernel, _target, _what, _interval in (
        ("reml_slope", K.reml_slope_effect, "population delta",
         "REML random intercept, slope of x", "t"),
        ("mundlak_within", K.mundlak_within_effect, "within effect",
         "REML Mundlak model, within", "t"),
        ("mundlak_contextual", K.mundlak_contextual_effect, "contextual effect",
         "REML Mundlak model, contextual", "t"),
        ("rs_slope_sd", K.rs_slope_sd_effect, "slope SD", "REML random slope, slope SD", "none")):
    register(Method(_name, _kernel, estimand="difference", target=_target, estimator=_what,
                    interval=_interval, reports_singular=True))
