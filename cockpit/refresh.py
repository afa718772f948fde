"""One refresh: begin a snapshot, compute every indicator from the source,
publish it. Any failure marks the snapshot failed with a one-line error and
leaves the previous snapshot current. Also: history by backfill."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from cockpit.config import Settings, safe_url
from cockpit.store import Store

log = logging.getLogger(__name__)


class RefreshError(Exception):
    """A refresh that did not publish a snapshot; the message is one line."""

    def __init__(self, message: str, snapshot_id: int | None = None) -> None:
        super().__init__(message)
        self.snapshot_id = snapshot_id


class SourceUnavailable(Exception):
    """The source database cannot be opened at all."""


def one_line(exc: BaseException) -> str:
    """A short, single-line description of an exception."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        text = str(exc.orig)
        name = type(exc.orig).__name__
    else:
        text = str(exc)
        name = type(exc).__name__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    if not first:
        return name
    if isinstance(exc, RefreshError | SourceUnavailable) or type(exc).__name__ in (
        "SourceError",
        "ConfigError",
    ):
        return first
    return f"{name}: {first}"[:500]


def source_engine(settings: Settings) -> Engine:
    """A read-only, time-limited engine with a bounded pool on the school's data
    platform (metrics/source.py sets the guards per dialect)."""
    from metrics.source import SourceLimits, open_source

    url = make_url(settings.source_url)
    if url.get_backend_name() == "sqlite":
        db = url.database or ""
        if not db or db == ":memory:":
            raise SourceUnavailable("the source is an in-memory SQLite database; nothing to read")
        path = Path(db.removeprefix("file:").split("?")[0])
        if not path.is_file():
            hint = " (run `python -m cockpit demo` to generate it)" if settings.source_is_demo else ""
            raise SourceUnavailable(f"source database file {path} does not exist{hint}")
    limits = SourceLimits(
        statement_timeout_s=settings.engine.statement_timeout_seconds,
        max_connections=settings.engine.max_connections,
    )
    return open_source(url, limits)


def engine_options(settings: Settings):
    """metrics.engine.EngineOptions from config ``engine:``."""
    from metrics.engine import EngineOptions
    from metrics.extract import ExtractOptions

    e = settings.engine
    return EngineOptions(
        e.mode, ExtractOptions(e.chunk_rows, e.memory_limit_mb, e.threads), connections=e.max_connections
    )


def _compute(settings: Settings, source: Engine, as_of: date):
    """metrics.engine.compute with the configured mode, calendar and thresholds."""
    from metrics.engine import compute
    from metrics.workdays import WorkCalendar

    cal = WorkCalendar(list(settings.calendar.extra_holidays), list(settings.calendar.extra_workdays))
    return compute(
        source, as_of, options=engine_options(settings), calendar=cal, thresholds=settings.thresholds
    )


def open_store(settings: Settings) -> Store:
    """The store (tables created if missing); RefreshError (one line) when it cannot be opened."""
    try:
        return Store(settings.store_url)
    except DBAPIError as e:
        raise RefreshError(f"snapshot store {safe_url(settings.store_url)}: {one_line(e)}") from e


def run_refresh(
    settings: Settings,
    as_of: date | None = None,
    trigger: str = "cli",
    store: Store | None = None,
) -> int:
    """Compute one snapshot and publish it; returns its id.

    Raises RefreshError (one line) when nothing was published; the snapshot
    row then says 'failed' with the same error, and the previous snapshot
    stays current.
    """
    store = store or open_store(settings)
    as_of = as_of or settings.today()
    try:
        store.abandon_stale(timedelta(minutes=settings.refresh.max_duration_minutes))
        sid = store.begin(as_of, trigger)
    except DBAPIError as e:
        raise RefreshError(f"snapshot store {safe_url(settings.store_url)}: {one_line(e)}") from e
    t0 = time.monotonic()
    source = None
    phase = "source"
    try:
        source = source_engine(settings)
        result = _compute(settings, source, as_of)
        if result.as_of != as_of:
            raise ValueError(f"the engine computed as of {result.as_of}, not {as_of}")
        phase = "store"
        status = store.complete(sid, result)
    except BaseException as e:
        msg = one_line(e)
        if isinstance(e, DBAPIError):
            url = settings.source_url if phase == "source" else settings.store_url
            msg = f"{phase} {safe_url(url)}: {msg}"
        try:
            store.fail(sid, msg)
        except Exception as e2:  # the store itself is gone; the row stays 'running'
            log.error("could not mark snapshot %s failed: %s", sid, one_line(e2))
        log.error("refresh as of %s failed (snapshot %s): %s", as_of, sid, msg)
        if isinstance(e, KeyboardInterrupt | SystemExit):
            raise
        raise RefreshError(msg, sid) from e
    finally:
        if source is not None:
            source.dispose()
    failed = ""
    if status == "partial":
        failed = " — failed: " + ", ".join(sorted(result.failed))
    log.info(
        "snapshot %s as of %s: %s, %d values in %.1f s%s",
        sid,
        as_of,
        status,
        len(result.values),
        time.monotonic() - t0,
        failed,
    )
    return sid


def _as_date(v: Any) -> date | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def source_latest_date(source: Engine) -> date | None:
    """The latest activity date the source holds (approvals submitted,
    destinations placed, internships started)."""
    from metrics.contract import METADATA

    t = METADATA.tables
    queries = [
        select(func.max(t["approval_instance"].c.submitted_at)),
        select(func.max(t["graduate_destination"].c.placed_on)),
        select(func.max(t["internship"].c.start_date)),
    ]
    dates = []
    with source.connect() as conn:
        for q in queries:
            d = _as_date(conn.execute(q).scalar())
            if d is not None:
                dates.append(d)
    return max(dates) if dates else None


def week_ends(weeks: int, anchor: date, today: date) -> list[date]:
    """The last ``weeks`` Sundays that are past (before today) and not after
    ``anchor``, oldest first."""
    last = min(anchor, today - timedelta(days=1))
    last = last - timedelta(days=(last.weekday() + 1) % 7)  # back to Sunday
    return [last - timedelta(weeks=k) for k in reversed(range(weeks))]


def last_season_ends(weeks: int, latest: date) -> list[date]:
    """``weeks`` week ends from 52 weeks before ``latest`` onwards (one before it
    included): the same calendar days last season, for as long as the current
    week ends move forward."""
    if weeks <= 0:
        return []
    start = latest - timedelta(weeks=53)
    return [start + timedelta(weeks=k) for k in range(weeks)]


REFRESH_LEASE = "refresh"


@contextlib.contextmanager
def refresh_turn(settings: Settings, store: Store, wait_seconds: float | None = None) -> Iterator[bool]:
    """One refresh at a time per store, across processes and hosts: hold the store's
    "refresh" lease (cockpit/lease.py) while the body runs, renewed meanwhile; waits for
    the current holder (a backfill week, the scheduled refresh) to finish first. Yields
    False when it could not be taken within ``wait_seconds`` (None: the lease lifetime
    plus the longest refresh, config refresh.max_duration_minutes)."""
    from cockpit.lease import Lease

    lease = Lease(store, REFRESH_LEASE, settings.refresh.lease_seconds)
    limit = settings.refresh.max_duration_minutes * 60 + settings.refresh.lease_seconds
    deadline = time.monotonic() + (limit if wait_seconds is None else wait_seconds)
    while not lease.acquire():
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(0.5)
    lease.keep(lambda: log.error("refresh lease lost while refreshing"))
    try:
        yield True
    finally:
        lease.close()


def backfill(
    settings: Settings,
    weeks: int,
    progress: Callable[[int, int, date], None] | None = None,
    store: Store | None = None,
    last_season_weeks: int = 0,
    exclusive: bool = False,
) -> list[int]:
    """Snapshots as of the last ``weeks`` past week ends (Sundays) of the
    source's dates, and ``last_season_weeks`` week ends around the same days
    last season, skipping week ends that already have a successful snapshot.
    Returns the new snapshot ids; stops at the first failure (RefreshError).
    ``exclusive``: each week end's refresh takes its turn (``refresh_turn``), so that a
    backfill beside a running app never computes at the same time as its schedule."""
    store = store or open_store(settings)
    try:
        source = source_engine(settings)
        try:
            anchor = source_latest_date(source)
        finally:
            source.dispose()
    except (DBAPIError, SourceUnavailable) as e:
        raise RefreshError(f"source {safe_url(settings.source_url)}: {one_line(e)}") from e
    today = settings.today()
    ends = week_ends(weeks, anchor or today, today)
    if ends:
        ends = sorted(set(ends) | set(last_season_ends(last_season_weeks, ends[-1])))
    have = store.successful_as_of_dates()
    todo = [d for d in ends if d not in have]
    ids = []
    for i, d in enumerate(todo):
        if progress:
            progress(i, len(todo), d)
        if not exclusive:
            ids.append(run_refresh(settings, d, trigger="backfill", store=store))
            continue
        with refresh_turn(settings, store) as ok:
            if not ok:
                raise RefreshError("another refresh held the refresh lease too long; backfill stopped")
            if d in store.successful_as_of_dates():  # done meanwhile by another process
                continue
            ids.append(run_refresh(settings, d, trigger="backfill", store=store))
    if progress and todo:
        progress(len(todo), len(todo), todo[-1])
    return ids
