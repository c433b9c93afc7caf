"""Compiled kernels: plain functions on arrays and scalars.

Kernels assume validated inputs, never raise and never build random
generators; the public modules do that. Each replication-loop kernel runs a
whole chunk of replications (draw, estimate, accumulate) in one call.
"""
