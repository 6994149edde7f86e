"""Ingest: raw inputs → tidy tables in ``data/processed/`` or rejects that say why — stage 2.

Owns one ingest run (``run``): reading every input file (``read``) in worker processes within a
time and memory limit (``workers``), cleaning each cell into a typed value or a reject
(``parse``), pseudonymous ids for people (``pseudonym``), typed frames and the value sets the
suites check (``frames``), the bounds of a plausible value (``plausibility``),
great-expectations validation — the only module importing great-expectations (``validation``)
— and the published outputs (``output``).

May import: ``analysis.sources`` and the core modules (``errors``, ``settings``, ``tables``).
"""
