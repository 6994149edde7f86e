"""Ingest: raw inputs → tidy tables in ``data/processed/`` or rejects that say why — stage 2.

Owns one ingest run (``run``): reading every input file (``read``), cleaning each cell into a
typed value or a reject (``parse``), pseudonymous ids for people (``pseudonym``), typed frames
and the value sets the suites check (``frames``), great-expectations validation — the only
module importing great-expectations (``validation``) — and the published outputs (``output``).

May import: ``analysis.sources`` and the core modules (``errors``, ``settings``, ``tables``).
"""
