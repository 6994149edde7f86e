"""Benchmarks behind ``make bench``: each measures a target against its baseline in one run.

Owns the staffing-metrics benchmark (``staffing``). Nothing below imports this package.

May import: every stage, ``analysis.demo`` included.
"""
