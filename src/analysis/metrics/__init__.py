"""Metrics: pure DataFrame-in / DataFrame-out rules over the tidy tables — stage 3.

Owns plan-vs-fact status and fulfilment (``fulfilment``), target ambition (``ambition``), every
region side by side (``national``), staffing from employers (``staffing``), reconciliation of
reported facts with rosters and enrolment (``reconcile``), and the completeness and data quality
of submissions (``completeness``). No I/O, no plotting: each rule is in the docstring of its
function.

May import: ``analysis.sources`` (constants of the plan model) and the core modules.
"""
