"""From ``data/raw`` to ``data/processed``: read the registry, plans and every submission, check
them once per build (great-expectations suites included) and write the tidy tables the reports
read. A cluster whose plan cannot be read is set aside with its error; the others go on.

Incremental: ``data/processed/manifest.json`` records the digest of the raw inputs and of the
code that processed them, and each table's digests per cluster. When neither changed, nothing
is read or written; otherwise only the tables whose content changed are rewritten, and the
digests tell the build which reports depend on the change."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.deadline import last_year_due
from analysis.errors import PlanError
from analysis.ingest.pseudonym import key_fingerprint, load_key
from analysis.ingest.read import start_reading
from analysis.ingest.run import ingest
from analysis.metrics.completeness import quality_summary
from analysis.metrics.plausibility import CEILING_RATIO, fact_ceiling_warnings, warnings_table
from analysis.metrics.reconcile import (
    enrolment_evidence,
    reconcile_facts,
    reconcile_targets,
    staffing_evidence,
)
from analysis.metrics.staffing import federal_staffing, staffing_metrics_both
from analysis.site.fingerprint import (
    MANIFEST,
    as_of_state,
    is_current,
    read_manifest,
    scope_digests,
    source_fingerprint,
)
from analysis.site.leftovers import remove_temporary
from analysis.sources import plan as plan_module
from analysis.sources.federal import load_federal
from analysis.sources.registry import load_registry
from analysis.sources.xlsx import LIMITS, Limits
from analysis.tables import table_path, write_table

logger = logging.getLogger(__name__)

REGISTRY_FILE = "clusters.csv"
FACTS_DIR = "facts"
SUBMISSIONS_DIR = "submissions"


@dataclass
class PrepareResult:
    """What a data build read and wrote, for the summary a user sees."""

    clusters: int
    plan_cells: int
    files: int
    rows_read: int
    rows_accepted: int
    rejects: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # files skipped or rejected whole
    plan_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data_docs: Path | None = None
    rejected: pd.DataFrame | None = None  # the rejects table, for a summary per file and rule
    dropped: pd.DataFrame | None = None  # optional values left out of accepted rows
    notices: list[str] = field(default_factory=list)  # files read with a caveat, superseded, ignored
    fact_warnings: int = 0  # facts far above their target (the warnings table)
    processed: Path | None = None
    skipped: bool = False  # inputs and code unchanged since the tables were written
    written: list[str] = field(default_factory=list)  # tables whose content changed
    # Rejections the previous ingestion made already (rows and whole files): a nightly log
    # repeats only the new ones and counts these.
    repeated_rows: int = 0
    repeated_files: list[str] = field(default_factory=list)

    def only_new(self) -> PrepareResult:
        """This result with the rejections made already by the previous ingestion left out."""
        from dataclasses import replace

        rejected = self.rejected
        if rejected is not None and self.repeated_rows:
            rejected = rejected[~rejected["_repeated"]] if "_repeated" in rejected.columns else rejected
        unreadable = [line for line in self.unreadable if line not in self.repeated_files]
        return replace(self, rejected=rejected, unreadable=unreadable)


def _write_manifest(processed_dir: Path, manifest: dict) -> None:
    path = processed_dir / MANIFEST
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    temporary.replace(path)


def federal_plan_path(plan_path: str | Path, cluster_id: str) -> Path:
    """Where a cluster's federal indicators are kept: ``plans/federal/<cluster>.csv``."""
    return Path(plan_path).parent / "federal" / f"{cluster_id}.csv"


def read_plans(registry: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Every readable plan as one tidy table — the plan of measures and, where a cluster has
    them, its federal indicators (``family`` tells them apart); the registry gains
    ``plan_version`` and ``plan_error`` (the one-line error of a plan that could not be read)."""
    plans, versions, errors, warnings = [], [], [], []
    for row in registry.itertuples(index=False):
        try:
            rows = plan_module.read_plan_file(row.plan_path)
        except PlanError as exc:
            logger.debug("plan of %s set aside: %s", row.cluster_id, exc)  # the summary says it
            versions.append("")
            errors.append(str(exc))
            continue
        warnings += plan_module.plan_warnings(rows, row.plan_path)
        plans.append(plan_module.tidy_plan(rows, row.cluster_id))
        versions.append(plan_module.plan_version(row.plan_path))
        errors.append("")
        federal = federal_plan_path(row.plan_path, row.cluster_id)
        if federal.exists():
            try:
                plans.append(load_federal(federal, row.cluster_id))
            except PlanError as exc:
                warnings.append(f"federal indicators of {row.cluster_id} left out: {exc}")
    plan = (
        pd.concat(plans, ignore_index=True)
        if plans
        else plan_module.tidy_plan(pd.DataFrame(columns=[*plan_module.FIXED_COLUMNS, "2024"]), "")
    )
    clusters = registry.assign(plan_version=versions, plan_error=errors)
    return plan, clusters.drop(columns=["plan_path", "registry_row"]), warnings


def input_fingerprint(raw_dir: str | Path, demo_key: bool, cache_dir: Path | None = None) -> str:
    """The processed tables' source fingerprint: raw files, code, key mode and the key in use."""
    return source_fingerprint(raw_dir, demo_key, key_fingerprint(demo_key), cache_dir)


def prepare(
    raw_dir: str | Path,
    processed_dir: str | Path,
    docs_dir: str | Path | None = None,
    demo_key: bool = False,
    as_of: date | None = None,
    limits: Limits = LIMITS,
    ceiling: float = CEILING_RATIO,
    force: bool = True,
) -> PrepareResult:
    """Build every processed table from ``raw_dir``; publish Data Docs into ``docs_dir`` if given.

    ``demo_key`` lets people be pseudonymised with the built-in demonstration key when no key is
    configured — and only when every roster row comes from a submission marked as demo data.
    ``as_of`` (default today) is the last day a submission may name; ``limits`` bound reading
    each file; a fact above ``ceiling`` × its count target is kept and listed in ``warnings``.
    Unless ``force``, nothing is done when the inputs and code are those the tables were made
    from (the result says ``skipped``); tables whose content did not change are never rewritten.
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    remove_temporary()  # the answer folders of readers a killed ingest left behind
    as_of = as_of or date.today()
    source = input_fingerprint(raw_dir, demo_key, processed_dir)
    if not force and is_current(processed_dir, source, as_of):
        logger.info("data: inputs unchanged since the processed tables were written")
        return PrepareResult(0, 0, 0, 0, 0, skipped=True)
    from analysis.ingest.validation import Validator

    registry = load_registry(raw_dir / REGISTRY_FILE)
    # Submissions are read in worker processes while the plans are read and great-expectations
    # is imported here.
    reading = start_reading(raw_dir, limits)
    try:
        plan, clusters, warnings = read_plans(registry)
        validator = Validator(complete=docs_dir is not None)  # Data Docs show every rule in full
        result = ingest(
            raw_dir,
            registry,
            plan,
            lambda demo_only: load_key(demo=demo_key and demo_only),
            validator,
            limits,
            as_of,
            reading,
        )
    finally:
        reading.close()
    fact_warnings = fact_ceiling_warnings(result.tables["facts"], plan, ceiling)
    tables = {
        "clusters": clusters,
        "plan": plan,
        **result.tables,
        "rejects": result.rejects,
        "submissions": result.submissions,
        "validation": result.validation,
        "warnings": warnings_table(fact_warnings, result.warnings),
        "quality": quality_summary(result.tables, result.rejects),
        **staffing_tables(result.tables, plan),
    }
    repeated_rows, repeated_files, rejects = _repeated(processed_dir, result.rejects, result.submissions)
    tables.update(national_tables(tables, plan, as_of or date.today()))
    previous = read_manifest(processed_dir).get("tables", {})
    digests, written = {}, []
    facts = result.tables["facts"]
    owners = facts.groupby("source_file")["cluster_id"].unique().map(list).to_dict() if len(facts) else {}
    for name, frame in tables.items():
        digests[name] = scope_digests(frame, owners)
        if previous.get(name) != digests[name] or not table_path(processed_dir, name).exists():
            write_table(frame, processed_dir, name)
            written.append(name)
    _write_manifest(
        processed_dir,
        {
            "source": source,
            "tables": digests,
            "input_dates": result.input_dates,
            "as_of_state": as_of_state(result.input_dates, as_of),
            # The national summaries hold each cluster-year's state: made anew when a deadline passes.
            "years_due": last_year_due(as_of),
        },
    )
    docs = validator.publish(Path(docs_dir)) if docs_dir else None
    for line in warnings:
        logger.warning(line)
    files = result.submissions
    read = files[files["status"] == "read"]
    problems = files["status"].isin(["unreadable", "rejected"])
    summary = PrepareResult(
        clusters=len(registry),
        plan_cells=len(plan),
        files=len(files),
        rows_read=int(read["rows_read"].sum()),
        rows_accepted=int(read["rows_accepted"].sum()),
        rejects=result.reject_lines(),
        unreadable=files.loc[problems, "message"].tolist(),
        plan_errors=[e for e in clusters["plan_error"] if e],
        warnings=warnings,
        data_docs=docs,
        written=written,
        rejected=rejects,
        dropped=result.dropped,
        repeated_rows=repeated_rows,
        repeated_files=repeated_files,
        notices=[m for m in files.loc[~problems, "message"] if m]
        + [f"{w.source_file}: {w.rule}" for w in result.warnings.itertuples(index=False)],
        fact_warnings=len(fact_warnings),
        processed=Path(processed_dir),
    )
    logger.debug(
        "data: %d clusters, %d files, %d of %d rows accepted, written to %s",
        summary.clusters,
        summary.files,
        summary.rows_accepted,
        summary.rows_read,
        processed_dir,
    )
    return summary


REJECT_IDENTITY = ["source_file", "sheet", "source_row", "column", "rule", "value"]


def _repeated(processed_dir: Path, rejects: pd.DataFrame, submissions: pd.DataFrame):
    """Which rejections the previous ingestion made already: the count of rows (the rejects
    gain a ``_repeated`` column), and the messages of files rejected or unreadable before."""
    rejects = rejects.copy()
    rejects["_repeated"] = False
    files: list[str] = []
    try:
        earlier = pd.read_parquet(table_path(processed_dir, "rejects"))
        seen = set(earlier[REJECT_IDENTITY].astype(str).itertuples(index=False, name=None))
        rejects["_repeated"] = [
            r in seen for r in rejects[REJECT_IDENTITY].astype(str).itertuples(index=False, name=None)
        ]
        before = pd.read_parquet(table_path(processed_dir, "submissions"))
        bad = before["status"].isin(["unreadable", "rejected"])
        files = sorted(set(before.loc[bad, "message"]) & set(submissions["message"]))
    except (OSError, ValueError, KeyError):
        pass
    return int(rejects["_repeated"].sum()), files, rejects


def national_tables(
    tables: dict[str, pd.DataFrame], plan: pd.DataFrame, as_of: date
) -> dict[str, pd.DataFrame]:
    """What the national report reads, computed here once per build instead of from every
    cluster's cells per page: a row per cluster-year (``cluster_years``), the ambition of each
    indicator across clusters (``ambition``) and every over-fulfilled cell (``over_fulfilled``)."""
    from analysis.metrics import ambition
    from analysis.metrics.fulfilment import cell_status
    from analysis.metrics.national import cluster_year_table

    cells = cell_status(plan[plan["family"] == plan_module.FAMILY_PLAN], tables["facts"], as_of)
    return {
        "cluster_years": cluster_year_table(
            cells, tables["submissions"], tables["facts"], tables["staffing"]
        ),
        "ambition": ambition.indicator_ambition(cells),
        "over_fulfilled": ambition.over_fulfilled_cells(cells),
    }


def staffing_tables(tables: dict[str, pd.DataFrame], plan: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Staffing metrics (per cluster-year and per programme), the reported facts checked against
    rosters and enrolment, and the federal targets against the same evidence — once per build."""
    per_cluster, per_programme = staffing_metrics_both(
        tables["teachers"], tables["organisations"], tables["pairs"]
    )
    enrolment = tables["enrolment"]
    federal = federal_staffing(per_cluster, enrolment)
    evidence = pd.concat(
        [staffing_evidence(per_cluster, per_programme, federal), enrolment_evidence(enrolment)],
        ignore_index=True,
    )
    facts = tables["facts"][tables["facts"]["fact_kind"] != "none"]
    return {
        "staffing": per_cluster,
        "staffing_by_programme": per_programme,
        "fact_checks": reconcile_facts(facts, evidence, plan[plan["family"] == plan_module.FAMILY_PLAN]),
        "target_checks": reconcile_targets(plan, evidence),
    }
