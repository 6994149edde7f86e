"""Plan-vs-fact and staffing reports for Professionalitet educational clusters.

The package's folders follow the flow, and a stage imports only the stages before it
(``make lint`` checks it with import-linter):

- core: ``errors``, ``settings`` (the project's folders), ``tables`` (the processed tables);
- ``sources`` — registry, plans, the collection form, reading workbooks and CSVs;
- ``ingest`` — cleaning, pseudonyms, great-expectations validation, the ingest run;
- ``metrics`` — fulfilment, staffing, reconciliation, completeness;
- ``reports`` — the helpers the report notebooks call;
- ``site`` — the build: prepare data, run the notebooks, publish the HTML and the index;
- ``demo`` and ``bench`` — generated data and benchmarks, apart from the rest;
- ``cli`` and ``commands`` — ``python -m analysis``, on top.
"""

__version__ = "0.1.0"
