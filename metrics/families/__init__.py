"""Indicator computations, one module per family of metrics.md.

A family computes all of its indicators from one or a few pushed-down queries
(aggregating in the source database), because its indicators share their
population: the six employment indicators are sums over the same roster.
"""
