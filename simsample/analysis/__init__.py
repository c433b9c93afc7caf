"""One sample: design-based and model-based analysis of a single drawn (or real) sample.

The analysis room: ``SurveyDesign`` (R survey's ``svydesign`` and its estimators),
``ClusterOLS`` (cluster-robust regression), ``MixedLM`` (random-intercept and
random-slope mixed models). Each one-sample fit runs the same compiled code as
the corresponding method in the replication loop.
"""
