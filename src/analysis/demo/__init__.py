"""Demonstration data, apart from the code that handles real data.

Owns the seed cluster's demonstration facts (``seed``), the generated demonstration region of
Samara with its filled-in forms and planted defects (``region``), and seeded synthetic rosters
at national size for the benchmarks (``synthetic``). Nothing below imports this package.

May import: ``analysis.metrics``, ``analysis.sources`` and the core modules.
"""

DEFAULT_SEED = 3  # chosen so that each demo year shows every status
