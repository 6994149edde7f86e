"""Benchmarks behind ``make bench``: each measures a target against its baseline in one run.

Owns the staffing-metrics benchmark (``staffing``) and the ingest benchmark (``ingest``). Nothing
below imports this package.

May import: every stage, ``analysis.demo`` included.
"""
