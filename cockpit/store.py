"""The snapshot store: the cockpit's own database of computed indicators.

Each refresh is one ``snapshot`` row. ``begin()`` inserts it as 'running' and
commits at once, so the status page sees a refresh under way; ``complete()``
writes every value, quality count and alert and flips the status to ok or
partial in ONE transaction, so a snapshot is visible only whole. A refresh
that fails is marked 'failed'; one that was killed stays 'running' with no
values until ``abandon_stale()`` marks it 'abandoned'. Readers only ever see
ok/partial snapshots as current.

SQLite (a file, WAL mode so readers never wait for a refresh) by default;
PostgreSQL and MySQL/MariaDB work through the same SQLAlchemy Core code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url

from metrics.results import Alert, QualityCount, RefreshResult, Value, dims_key

RUNNING, OK, PARTIAL, FAILED, ABANDONED = "running", "ok", "partial", "failed", "abandoned"
SUPERSEDED = "superseded"  # a newer successful snapshot of the same as-of date replaced its values
SUCCESS = (OK, PARTIAL)
TRIGGERS = ("schedule", "cli", "backfill")

metadata = MetaData()

snapshot = Table(
    "snapshot",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False),
    Column("started_at", DateTime, nullable=False),  # UTC, naive
    Column("finished_at", DateTime),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("duration_s", Double),
    Column("trigger", String(16), nullable=False),
    Column("source_counts", JSON),
    Column("failed_metrics", JSON),
    Column("school", JSON),
    Column("labels", JSON),
    Column("pending", JSON),
    Column("series", JSON),
    Index("ix_snapshot_status_asof", "status", "as_of"),
)

metric_value = Table(
    "metric_value",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("snapshot.id", ondelete="CASCADE"), nullable=False),
    Column("metric", String(64), nullable=False),
    Column("period", String(32), nullable=False),
    Column("dims", String(255), nullable=False),  # metrics.results.dims_key
    Column("value", Double),
    Column("numerator", Double),
    Column("denominator", Double),
    Index("ix_metric_value_snapshot_metric", "snapshot_id", "metric"),
)

quality_count = Table(
    "quality_count",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("snapshot.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("table", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("examples", JSON),
    Index("ix_quality_count_snapshot", "snapshot_id"),
)

alert = Table(
    "alert",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("snapshot.id", ondelete="CASCADE"), nullable=False),
    Column("metric", String(64), nullable=False),
    Column("period", String(32), nullable=False),
    Column("dims", String(255), nullable=False),
    Column("level", String(16), nullable=False),
    Column("value", Double, nullable=False),
    Column("threshold", Double, nullable=False),
    Index("ix_alert_snapshot", "snapshot_id"),
)

# Extract mode: what the refresh copied from the source, per table (rows, bytes as
# Arrow columns, seconds). A table of its own, so that a store created before
# it gets it from create_all (no migration of the snapshot table).
source_extract = Table(
    "source_extract",
    metadata,
    Column("snapshot_id", Integer, ForeignKey("snapshot.id", ondelete="CASCADE"), nullable=False),
    Column("table", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("seconds", Double, nullable=False),
    Index("ix_source_extract_snapshot", "snapshot_id"),
)

# When and how the schedule runs next, written by whichever process schedules
# (the web app or `python -m cockpit worker`), read by the status page.
scheduler_state = Table(
    "scheduler_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("next_run_time", DateTime),  # UTC, naive
    Column("host", String(255)),
    Column("updated_at", DateTime, nullable=False),
)

# Leases (cockpit/lease.py): which process may run a named job ("schedule"), until when.
# One row per name; a holder renews it; a dead holder's lease expires and another takes over.
lease = Table(
    "lease",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(255), nullable=False),
    Column("expires_at", DateTime, nullable=False),  # UTC, naive
    Column("acquired_at", DateTime, nullable=False),
)

# Weekly reports (cockpit/reports): one row per file written into the archive.
report = Table(
    "report",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),  # UTC, naive
    Column("week", String(10), nullable=False),  # ISO week, 2026-W46
    Column("kind", String(16), nullable=False),  # school | department
    Column("department", String(64)),
    Column("format", String(16), nullable=False),  # pdf | png (screen) | card (png)
    Column("path", String(512), nullable=False),  # relative to the archive folder
    Column("size", Integer, nullable=False),
    Column("snapshot_id", Integer),
    Column("trigger", String(16), nullable=False),  # schedule | cli
    Column("emailed", String(255)),  # recipients when e-mailed
    Index("ix_report_week", "week"),
)

# Background work that fills in after the first screen (cockpit/history.py: the
# history backfill, last week's reports): one row per task, its state and progress,
# written by the process doing it, read by the status page of any web worker.
background_task = Table(
    "background_task",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("state", String(16), nullable=False),  # running | done | failed | waiting
    Column("done", Integer),
    Column("total", Integer),
    Column("detail", String(500)),
    Column("updated_at", DateTime, nullable=False),  # UTC, naive
)

_LIGHT = [c for c in snapshot.c if c.name not in ("labels", "pending", "series")]


def _grain_clause(grain: str):
    """SQL condition on the canonical dims text (metrics.results.dims_key:
    sorted keys, no spaces) selecting one grain."""
    d = metric_value.c.dims
    if grain == "school":
        return d == "{}"
    if grain == "step":
        return and_(d.like('{"process":%'), d.like('%,"step":%'))
    if grain == "process":
        return and_(d.like('{"process":%'), d.not_like('%,"step":%'))
    if grain in ("department", "major", "industry"):
        return and_(d.like(f'{{"{grain}":%'), d.not_like('%",%'))
    raise ValueError(f"unknown grain {grain!r}")


class StoreError(Exception):
    """A store operation that cannot go on, one line."""


@dataclass(frozen=True)
class Snapshot:
    id: int
    as_of: date
    started_at: datetime  # aware, UTC
    finished_at: datetime | None
    status: str
    error: str | None
    duration_s: float | None
    trigger: str
    source_counts: dict[str, int] = field(default_factory=dict)
    failed_metrics: dict[str, str] = field(default_factory=dict)
    school: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, dict]] | None = None  # None when not loaded (list())
    pending: list[dict] | None = None
    series: dict[str, dict] | None = None

    @property
    def successful(self) -> bool:
        return self.status in SUCCESS


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _aware(dt: datetime | None) -> datetime | None:
    return None if dt is None else dt.replace(tzinfo=UTC)


def _to_date(v: Any) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _row_snapshot(row: Any) -> Snapshot:
    m = row._mapping
    return Snapshot(
        id=m["id"],
        as_of=_to_date(m["as_of"]),
        started_at=_aware(m["started_at"]),
        finished_at=_aware(m["finished_at"]),
        status=m["status"],
        error=m["error"],
        duration_s=m["duration_s"],
        trigger=m["trigger"],
        source_counts=m["source_counts"] or {},
        failed_metrics=m["failed_metrics"] or {},
        school=m["school"] or {},
        labels=(m["labels"] or {}) if "labels" in m else None,
        pending=(m["pending"] or []) if "pending" in m else None,
        series=(m["series"] or {}) if "series" in m else None,
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_store_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if u.get_backend_name() in ("postgresql", "mysql", "mariadb"):
        kwargs["connect_args"] = {"connect_timeout": 10}
    return create_engine(u, **kwargs)


class Store:
    """The snapshot store at one SQLAlchemy URL (tables created on first use)."""

    # The snapshot a report's render shows on purpose (cockpit.render_server.PinnedStore);
    # None for the live store, whose current snapshot is the latest successful one.
    pinned_id: int | None = None

    def __init__(self, url: str, *, engine: Engine | None = None, create: bool = True) -> None:
        self.url = url
        self.engine = engine or make_store_engine(url)
        if create:
            metadata.create_all(self.engine, checkfirst=True)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- writing -------------------------------------------------------------

    def begin(self, as_of: date, trigger: str = "cli") -> int:
        """Insert a 'running' snapshot and commit it; returns its id."""
        if trigger not in TRIGGERS:
            raise ValueError(f"trigger must be one of {TRIGGERS}, got {trigger!r}")
        with self.engine.begin() as conn:
            res = conn.execute(
                insert(snapshot).values(as_of=as_of, started_at=utcnow(), status=RUNNING, trigger=trigger)
            )
            return int(res.inserted_primary_key[0])

    def complete(self, snapshot_id: int, result: RefreshResult) -> str:
        """Write the result and publish the snapshot, all in one transaction.

        Returns the new status (ok or partial). Raises StoreError when the
        snapshot is no longer 'running' (abandoned meanwhile); nothing is
        written then.
        """
        status = PARTIAL if result.failed else OK
        with self.engine.begin() as conn:
            started = conn.execute(
                select(snapshot.c.started_at).where(
                    snapshot.c.id == snapshot_id, snapshot.c.status == RUNNING
                )
            ).scalar_one_or_none()
            if started is None:
                raise StoreError(f"snapshot {snapshot_id} is not running any more; its result is dropped")
            if result.values:
                conn.execute(
                    insert(metric_value),
                    [
                        {
                            "snapshot_id": snapshot_id,
                            "metric": v.metric,
                            "period": v.period,
                            "dims": dims_key(v.dims),
                            "value": v.value,
                            "numerator": v.numerator,
                            "denominator": v.denominator,
                        }
                        for v in result.values
                    ],
                )
            if result.quality:
                conn.execute(
                    insert(quality_count),
                    [
                        {
                            "snapshot_id": snapshot_id,
                            "rule": q.rule,
                            "table": q.table,
                            "rows": q.rows,
                            "examples": list(q.examples),
                        }
                        for q in result.quality
                    ],
                )
            if result.alerts:
                conn.execute(
                    insert(alert),
                    [
                        {
                            "snapshot_id": snapshot_id,
                            "metric": a.metric,
                            "period": a.period,
                            "dims": dims_key(a.dims),
                            "level": a.level,
                            "value": a.value,
                            "threshold": a.threshold,
                        }
                        for a in result.alerts
                    ],
                )
            if result.extract:
                conn.execute(
                    insert(source_extract),
                    [
                        {
                            "snapshot_id": snapshot_id,
                            "table": name,
                            "rows": int(e["rows"]),
                            "bytes": int(e["bytes"]),
                            "seconds": float(e["seconds"]),
                        }
                        for name, e in result.extract.items()
                    ],
                )
            finished = utcnow()
            conn.execute(
                update(snapshot)
                .where(snapshot.c.id == snapshot_id)
                .values(
                    status=status,
                    finished_at=finished,
                    duration_s=(finished - started).total_seconds(),
                    source_counts=dict(result.source_counts),
                    failed_metrics=dict(result.failed),
                    school=dict(result.school),
                    labels=result.labels,
                    pending=list(result.pending),
                    series=dict(result.series),
                    error=None,
                )
            )
            self._supersede(conn, snapshot_id)
        return status

    @staticmethod
    def _supersede(conn: Any, snapshot_id: int) -> None:
        """Drop the values of older successful snapshots of the same as-of date.

        The schedule refreshes every 30 minutes; keeping every snapshot's
        values would grow the store by ~8,000 rows each time. The newest
        snapshot of a day is the day's figure (and a past Sunday's is that
        week's history); older ones keep their header row, as 'superseded', so
        the status page still lists every refresh.
        """
        as_of = conn.execute(select(snapshot.c.as_of).where(snapshot.c.id == snapshot_id)).scalar_one()
        older = [
            r[0]
            for r in conn.execute(
                select(snapshot.c.id).where(
                    snapshot.c.as_of == as_of, snapshot.c.id != snapshot_id, snapshot.c.status.in_(SUCCESS)
                )
            )
        ]
        if not older:
            return
        for table in (metric_value, quality_count, alert):
            conn.execute(delete(table).where(table.c.snapshot_id.in_(older)))
        conn.execute(
            update(snapshot)
            .where(snapshot.c.id.in_(older))
            .values(status=SUPERSEDED, labels=None, pending=None, series=None)
        )

    def fail(self, snapshot_id: int, error: str) -> None:
        """Mark a running snapshot failed, with a one-line error."""
        line = " ".join(str(error).split())[:1000] or "failed"
        with self.engine.begin() as conn:
            started = conn.execute(
                select(snapshot.c.started_at).where(snapshot.c.id == snapshot_id)
            ).scalar_one_or_none()
            finished = utcnow()
            conn.execute(
                update(snapshot)
                .where(snapshot.c.id == snapshot_id, snapshot.c.status == RUNNING)
                .values(
                    status=FAILED,
                    error=line,
                    finished_at=finished,
                    duration_s=(finished - started).total_seconds() if started else None,
                )
            )

    def abandon_stale(self, max_age: timedelta, now: datetime | None = None) -> list[int]:
        """Mark 'running' snapshots started more than ``max_age`` ago as abandoned."""
        cutoff = (now or utcnow()) - max_age
        with self.engine.begin() as conn:
            ids = list(
                conn.execute(
                    select(snapshot.c.id).where(snapshot.c.status == RUNNING, snapshot.c.started_at < cutoff)
                ).scalars()
            )
            if ids:
                conn.execute(
                    update(snapshot)
                    .where(snapshot.c.id.in_(ids), snapshot.c.status == RUNNING)
                    .values(
                        status=ABANDONED,
                        error="the refresh stopped without finishing (process killed?)",
                        finished_at=utcnow(),
                    )
                )
        return ids

    # -- reading -------------------------------------------------------------

    def current_id(self) -> int | None:
        """Id of the current snapshot: the successful one with the latest
        as-of date, ties broken by the latest finish. Cheap."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(snapshot.c.id)
                .where(snapshot.c.status.in_(SUCCESS))
                .order_by(snapshot.c.as_of.desc(), snapshot.c.finished_at.desc(), snapshot.c.id.desc())
                .limit(1)
            ).scalar_one_or_none()

    def current(self) -> Snapshot | None:
        sid = self.current_id()
        return None if sid is None else self.get(sid)

    def for_as_of(self, as_of: date) -> Snapshot | None:
        """The successful snapshot for that as-of date (the latest finished)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(snapshot)
                .where(snapshot.c.status.in_(SUCCESS), snapshot.c.as_of == as_of)
                .order_by(snapshot.c.finished_at.desc(), snapshot.c.id.desc())
                .limit(1)
            ).first()
        return None if row is None else _row_snapshot(row)

    def get(self, snapshot_id: int) -> Snapshot | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(snapshot).where(snapshot.c.id == snapshot_id)).first()
        return None if row is None else _row_snapshot(row)

    def list(self, limit: int = 50, status: Sequence[str] | None = None) -> list[Snapshot]:
        """Recent snapshots, newest first, without labels and pending."""
        q = select(*_LIGHT).order_by(snapshot.c.id.desc()).limit(limit)
        if status:
            q = q.where(snapshot.c.status.in_(list(status)))
        with self.engine.connect() as conn:
            return [_row_snapshot(r) for r in conn.execute(q)]

    def successful_as_of_dates(self) -> set[date]:
        with self.engine.connect() as conn:
            return {
                _to_date(d)
                for d in conn.execute(
                    select(snapshot.c.as_of).where(snapshot.c.status.in_(SUCCESS)).distinct()
                ).scalars()
            }

    def values(
        self,
        snapshot_id: int,
        metric: str | Iterable[str] | None = None,
        periods: Iterable[str] | None = None,
        grains: Iterable[str] | None = None,
    ) -> list[Value]:
        """Values of a snapshot, optionally of some metrics, periods and grains
        (school, department, major, process, step, industry), ordered by
        metric, period, then dims (the school's first)."""
        q = select(
            metric_value.c.metric,
            metric_value.c.period,
            metric_value.c.dims,
            metric_value.c.value,
            metric_value.c.numerator,
            metric_value.c.denominator,
        ).where(metric_value.c.snapshot_id == snapshot_id)
        if isinstance(metric, str):
            q = q.where(metric_value.c.metric == metric)
        elif metric is not None:
            q = q.where(metric_value.c.metric.in_(list(metric)))
        if periods is not None:
            q = q.where(metric_value.c.period.in_(list(periods)))
        if grains is not None:
            q = q.where(or_(*[_grain_clause(g) for g in grains]))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        rows.sort(key=lambda r: (r[0], r[1], r[2] != "{}", r[2]))  # the school ({}) first
        parsed: dict[str, dict[str, str]] = {}
        out = []
        for m, p, d, v, n, den in rows:
            dims = parsed.get(d)
            if dims is None:
                dims = parsed[d] = json.loads(d)
            out.append(Value(m, p, dict(dims), v, n, den))
        return out

    def quality(self, snapshot_id: int) -> list[QualityCount]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    quality_count.c.rule,
                    quality_count.c.table,
                    quality_count.c.rows,
                    quality_count.c.examples,
                )
                .where(quality_count.c.snapshot_id == snapshot_id)
                .order_by(quality_count.c.rule, quality_count.c.table)
            ).all()
        return [QualityCount(r, t, n, list(ex or [])) for r, t, n, ex in rows]

    def extract_stats(self, snapshot_id: int) -> dict[str, dict[str, float]]:
        """What the refresh of a snapshot copied per source table (extract mode; {} in pushdown)."""
        t = source_extract
        q = select(t.c.table, t.c.rows, t.c.bytes, t.c.seconds).where(t.c.snapshot_id == snapshot_id)
        with self.engine.connect() as conn:
            return {
                r.table: {"rows": r.rows, "bytes": r.bytes, "seconds": r.seconds}
                for r in conn.execute(q.order_by(t.c.table))
            }

    def alerts(self, snapshot_id: int) -> list[Alert]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    alert.c.metric,
                    alert.c.period,
                    alert.c.dims,
                    alert.c.level,
                    alert.c.value,
                    alert.c.threshold,
                )
                .where(alert.c.snapshot_id == snapshot_id)
                .order_by(alert.c.metric, alert.c.period, alert.c.dims)
            ).all()
        return [Alert(m, p, json.loads(d), lv, v, t) for m, p, d, lv, v, t in rows]

    def count_values(self, snapshot_id: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(metric_value)
                .where(metric_value.c.snapshot_id == snapshot_id)
            ).scalar_one()

    # -- weekly reports --------------------------------------------------------

    def record_report(
        self,
        *,
        week: str,
        kind: str,
        department: str | None,
        format: str,
        path: str,
        size: int,
        snapshot_id: int | None,
        trigger: str = "cli",
        emailed: str | None = None,
    ) -> int:
        """Record one report file written into the archive; returns its row id."""
        with self.engine.begin() as conn:
            res = conn.execute(
                insert(report).values(
                    created_at=utcnow(),
                    week=week,
                    kind=kind,
                    department=department,
                    format=format,
                    path=path,
                    size=size,
                    snapshot_id=snapshot_id,
                    trigger=trigger,
                    emailed=emailed,
                )
            )
            return int(res.inserted_primary_key[0])

    def mark_reports_emailed(self, ids: Iterable[int], recipients: str) -> None:
        ids = list(ids)
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(update(report).where(report.c.id.in_(ids)).values(emailed=recipients[:255]))

    def list_reports(self, limit: int = 500, week: str | None = None) -> list[dict[str, Any]]:
        """Recorded report files, newest first (created_at aware, UTC)."""
        q = select(report).order_by(report.c.id.desc()).limit(limit)
        if week is not None:
            q = q.where(report.c.week == week)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [{**r._mapping, "created_at": _aware(r._mapping["created_at"])} for r in rows]

    # -- scheduler state -----------------------------------------------------

    def set_next_run(self, name: str, next_run_time: datetime | None, host: str = "") -> None:
        nrt = None if next_run_time is None else next_run_time.astimezone(UTC).replace(tzinfo=None)
        now = utcnow()
        with self.engine.begin() as conn:
            done = conn.execute(
                update(scheduler_state)
                .where(scheduler_state.c.name == name)
                .values(next_run_time=nrt, host=host, updated_at=now)
            ).rowcount
            if not done:
                conn.execute(
                    insert(scheduler_state).values(name=name, next_run_time=nrt, host=host, updated_at=now)
                )

    def next_run(self, name: str = "refresh") -> datetime | None:
        with self.engine.connect() as conn:
            v = conn.execute(
                select(scheduler_state.c.next_run_time).where(
                    and_(scheduler_state.c.name == name, scheduler_state.c.next_run_time.is_not(None))
                )
            ).scalar_one_or_none()
        return _aware(v)

    # -- background tasks (cockpit/history.py) ---------------------------------

    def set_task(
        self, name: str, state: str, done: int | None = None, total: int | None = None, detail: str = ""
    ) -> None:
        """Record a background task's state and progress (one row per task name)."""
        values = dict(state=state, done=done, total=total, detail=detail[:500], updated_at=utcnow())
        with self.engine.begin() as conn:
            if not conn.execute(
                update(background_task).where(background_task.c.name == name).values(**values)
            ).rowcount:
                conn.execute(insert(background_task).values(name=name, **values))

    def tasks(self) -> dict[str, dict[str, Any]]:
        """Every background task by name: state, done, total, detail, updated_at (aware)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(background_task)).all()
        return {
            r.name: {
                "state": r.state,
                "done": r.done,
                "total": r.total,
                "detail": r.detail or "",
                "updated_at": _aware(r.updated_at),
            }
            for r in rows
        }
