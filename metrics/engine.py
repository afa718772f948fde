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
from concurrent.futures import ThreadPoolExecutor
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
    """Where the computation runs (config ``engine:``): ``mode``, the extract's resources, and
    how many source connections pushdown may use at once (``engine.max_connections``)."""

    mode: str
    extract: ExtractOptions
    connections: int = 1

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
        workers = min(options.connections, _pool_size(source))
        return _compute(source, as_of, calendar, thresholds, catalog, note, counted=None, workers=workers)
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
    workers: int = 1,
) -> RefreshResult:
    """Rules, families, extras and alerts on ``source`` (the school's database or the local copy).

    With ``workers`` > 1 (pushdown on a pooled source) the quality counts, families and
    extras run side by side, each on its own connection: a MySQL-family or PostgreSQL server
    runs each statement on one core, so the refresh takes the longest chain rather
    than the sum. The embedded copy has one connection and runs them in turn.
    """
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
            result.labels = _labels(conn, clean)
    except SQLAlchemyError as exc:
        raise SourceError(f"cannot read the source: {_one_line(exc)}") from exc
    major_department = {code: info["department"] for code, info in result.labels["major"].items()}
    clean.prepare()  # every kept-row query built here, before any thread reads it

    def run(task: Callable[[Context], object]) -> object:
        with source.connect() as conn:
            return task(Context(conn, clean, as_of, calendar, result.school, major_department))

    tasks: dict[str, Callable[[Context], object]] = {"quality": lambda ctx: clean.count(ctx.conn)}
    tasks.update({name: family.compute for name, family in FAMILIES.items()})
    tasks.update(_extras(_low_score_below(catalog)))
    note("data quality and indicators")
    outcomes = _side_by_side(run, tasks, workers)
    quality = outcomes.pop("quality")
    if isinstance(quality, SQLAlchemyError):  # without its quality counts a snapshot is not kept
        raise SourceError(f"cannot read the source: {_one_line(quality)}") from quality
    if isinstance(quality, Exception):
        raise quality
    result.quality = quality  # type: ignore[assignment]
    for name, outcome in outcomes.items():
        if name in FAMILIES:
            if isinstance(outcome, Exception):  # a failing family must not stop the others
                for metric in catalog.by_family(name):
                    result.failed[metric.id] = _one_line(outcome)
            else:
                result.values += outcome
        elif not isinstance(outcome, Exception):  # a failing extra loses only itself
            _keep_extra(result, name, outcome)
    known = set(catalog.metrics)
    result.values = [v for v in result.values if v.metric in known]
    result.alerts = alerts.evaluate(result.values, catalog, as_of)
    return result


def _extras(low_score_below: float | None) -> dict[str, Callable[[Context], object]]:
    """Drill-down lists and chart series, computed like the families."""
    return {
        "pending": approvals.pending_drill,
        "placement_progress": placement_progress.compute,
        "internship_hosts": lambda ctx: internship.hosts(ctx, low_score_below),
    }


def _keep_extra(result: RefreshResult, name: str, value: object) -> None:
    if name == "pending":
        result.pending, result.series["approval_steps"] = value  # type: ignore[misc]
    else:
        result.series[name] = value


def _side_by_side(
    run: Callable[[Callable[[Context], object]], object],
    tasks: dict[str, Callable[[Context], object]],
    workers: int,
) -> dict[str, object]:
    """Each task's result, or the exception it raised (logged), in the order of ``tasks``.

    One task at a time when ``workers`` is 1; otherwise at most ``workers`` at
    once, each holding one pooled connection (the pool is bounded anyway).
    """

    def attempt(item: tuple[str, Callable[[Context], object]]) -> object:
        name, task = item
        try:
            return run(task)
        except Exception as exc:
            log.exception("%s failed", name)
            return exc

    if workers <= 1:
        return {name: attempt((name, task)) for name, task in tasks.items()}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="refresh") as pool:
        return dict(zip(tasks, pool.map(attempt, tasks.items()), strict=True))


def _pool_size(engine: Engine) -> int:
    """Connections the engine's pool can hold at once (1 for a single shared connection)."""
    size = getattr(engine.pool, "size", None)
    return int(size()) if callable(size) else 1


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
