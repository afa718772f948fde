"""One refresh: read the source through the data-quality rules, compute every indicator.

``compute`` is the single entry point the cockpit calls (on a schedule, from
the CLI, for a backfill). It never writes to the source. A family that fails
marks its indicators failed (the snapshot becomes partial) while the others
still land; a source that cannot be used at all raises ``SourceError``.

Two modes (config ``engine.mode``) run the same SQLAlchemy Core code:

- ``extract`` (default): the contract tables are copied once into an embedded
  DuckDB (metrics/extract.py) and everything is evaluated there — the source
  sees only plain scans, whatever its indexes and statistics;
- ``pushdown``: the rules and indicators run as SQL on the source itself, for
  analytical engines with statistics where moving rows costs more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType

import duckdb
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from metrics import alerts
from metrics.catalog import Catalog, load_catalog
from metrics.check import absent_optional
from metrics.contract import METADATA
from metrics.extract import ExtractOptions, extract
from metrics.families import approvals, employment, fit, internship, steps
from metrics.families import progress as placement_progress
from metrics.families.common import Context
from metrics.gbt4754 import section_name_en
from metrics.quality import CleanSource, exact_codes, source_counts
from metrics.results import RefreshResult
from metrics.workdays import WorkCalendar

log = logging.getLogger(__name__)

FAMILIES: dict[str, ModuleType] = {
    "employment": employment,
    "internship": internship,
    "fit": fit,
    "approvals": approvals,
    "steps": steps,
}


MODES = ("extract", "pushdown")


class SourceError(RuntimeError):
    """The source cannot be used at all; the message is one line for the user."""


@dataclass(frozen=True)
class EngineOptions:
    """Where the computation runs (config ``engine:``): ``mode`` and the extract's resources."""

    mode: str
    extract: ExtractOptions

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"engine mode must be one of {', '.join(MODES)}, not {self.mode!r}")


def compute(
    source: Engine,
    as_of: date,
    *,
    options: EngineOptions,
    calendar: WorkCalendar | None = None,
    thresholds: dict | None = None,
    catalog: Catalog | None = None,
    progress: Callable[[str], None] | None = None,
) -> RefreshResult:
    """Compute every indicator of the catalog as of ``as_of``, in ``options.mode``."""
    note = progress or (lambda _stage: None)
    if options.mode == "pushdown":
        return _compute(source, as_of, calendar, thresholds, catalog, note, counted=None)
    note("extract")
    try:
        local = extract(source, options.extract)
    except (SQLAlchemyError, duckdb.Error, OSError) as exc:
        raise SourceError(f"cannot read the source: {_one_line(exc)}") from exc
    try:
        counted = {name: s.rows for name, s in local.stats.items()}
        result = _compute(local.engine, as_of, calendar, thresholds, catalog, note, counted=counted)
        result.extract = {name: s.as_json() for name, s in local.stats.items()}
        return result
    finally:
        local.close()


def _compute(
    source: Engine,
    as_of: date,
    calendar: WorkCalendar | None,
    thresholds: dict | None,
    catalog: Catalog | None,
    note: Callable[[str], None],
    counted: dict[str, int] | None,
) -> RefreshResult:
    """Rules, families, extras and alerts on ``source`` (the school's database or the local copy)."""
    calendar = calendar or WorkCalendar()
    catalog = catalog or load_catalog(thresholds)
    result = RefreshResult(as_of=as_of)
    try:
        with source.connect() as conn:
            # the embedded copy has every column; the source itself may lack optional ones
            absent = absent_optional(conn) if counted is None else {}
            clean = CleanSource(exact_codes(conn), absent)
            if counted is not None:  # the embedded copy: evaluate the rule cascade once
                note("kept rows")
                clean.materialize(conn)
                conn.commit()
            result.school = _school(conn)
            note("source row counts")
            result.source_counts = dict(counted) if counted is not None else source_counts(conn)
            note("data quality")
            result.quality = clean.count(conn)
            result.labels = _labels(conn, clean)
    except SQLAlchemyError as exc:
        raise SourceError(f"cannot read the source: {_one_line(exc)}") from exc
    major_department = {code: info["department"] for code, info in result.labels["major"].items()}
    for name, family in FAMILIES.items():
        note(f"indicators: {name}")
        try:
            with source.connect() as conn:
                ctx = Context(conn, clean, as_of, calendar, result.school, major_department)
                result.values += family.compute(ctx)
        except Exception as exc:  # a failing family must not stop the others
            log.exception("indicator family %s failed", name)
            for metric in catalog.by_family(name):
                result.failed[metric.id] = _one_line(exc)
    _extras(source, clean, as_of, calendar, result, major_department, _low_score_below(catalog))
    known = set(catalog.metrics)
    result.values = [v for v in result.values if v.metric in known]
    result.alerts = alerts.evaluate(result.values, catalog, as_of)
    return result


def _extras(
    source: Engine,
    clean: CleanSource,
    as_of: date,
    calendar: WorkCalendar,
    result: RefreshResult,
    major_department: dict[str, str],
    low_score_below: float | None = None,
) -> None:
    """Drill-down lists and chart series; a failure here loses only that extra."""

    def pending(ctx: Context) -> None:
        result.pending, result.series["approval_steps"] = approvals.pending_drill(ctx)

    extras = {
        "pending": pending,
        "placement_progress": lambda ctx: result.series.__setitem__(
            "placement_progress", placement_progress.compute(ctx)
        ),
        "internship_hosts": lambda ctx: result.series.__setitem__(
            "internship_hosts", internship.hosts(ctx, low_score_below)
        ),
    }
    for name, run in extras.items():
        try:
            with source.connect() as conn:
                run(Context(conn, clean, as_of, calendar, result.school, major_department))
        except Exception:
            log.exception("%s failed", name)


def _low_score_below(catalog: Catalog) -> float | None:
    """A "low" host score (internship hosts list): below the warning threshold of
    internship_avg_score, or its critical one when no warning is set
    (docs/metrics-decisions.md)."""
    metric = catalog.metrics.get("internship_avg_score")
    if metric is None:
        return None
    th = metric.thresholds
    return th.warning if th.warning is not None else th.critical


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def _school(conn: Connection) -> dict[str, str]:
    t = METADATA.tables["school_profile"]
    n = conn.execute(select(func.count()).select_from(t)).scalar_one()
    if n != 1:
        raise SourceError(f"school_profile must hold exactly one row, it holds {n}: nothing can be computed")
    row = conn.execute(select(t)).mappings().one()
    missing = [k for k in ("school_code", "name_zh", "region_code") if not row[k]]
    if missing:
        raise SourceError(f"school_profile.{missing[0]} is empty: nothing can be computed")
    return {k: str(row[k]) for k in ("school_code", "name_zh", "region_code")}


def _name(value: object) -> str | None:
    """A display name as given, or None when it is NULL or blank."""
    text = "" if value is None else str(value).strip()
    return text or None


def _labels(conn: Connection, clean: CleanSource) -> dict[str, dict[str, dict]]:
    """Names of the kept codes, so that screens need nothing from the source.

    English names come from the optional ``name_en`` columns (contract v1.1) where
    the source has them; an industry without one gets the official GB/T 4754
    name of a section code; the screens fall back to ``name_zh`` after that."""
    d = clean.kept("department")
    m = clean.kept("major")
    p = clean.kept("approval_process")
    i = clean.kept("industry")
    return {
        "department": {
            r.department_code: {"name_zh": r.name_zh, "name_en": r.name_en, "kind": r.kind}
            for r in conn.execute(select(d.c.department_code, d.c.name_zh, d.c.name_en, d.c.kind))
        },
        "major": {
            r.major_code: {
                "name_zh": r.name_zh,
                "department": r.department_code,
                "catalog_code": r.catalog_code,
                "active": bool(r.active),
            }
            for r in conn.execute(
                select(m.c.major_code, m.c.name_zh, m.c.department_code, m.c.catalog_code, m.c.active)
            )
        },
        "process": {
            r.process_code: {
                "name_zh": r.name_zh,
                "name_en": _name(r.name_en),
                "category": r.category,
                "sla_workdays": float(r.sla_workdays),
            }
            for r in conn.execute(
                select(p.c.process_code, p.c.name_zh, p.c.name_en, p.c.category, p.c.sla_workdays)
            )
        },
        "industry": {
            r.industry_code: {
                "name_zh": r.name_zh,
                "name_en": _name(r.name_en) or section_name_en(r.industry_code),
            }
            for r in conn.execute(select(i.c.industry_code, i.c.name_zh, i.c.name_en))
        },
    }
