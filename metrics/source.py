"""Opening the school's data platform gently: read-only, time-limited, few connections.

A cockpit reads a production database that belongs to someone else. Whatever
the mode, every connection it opens is read-only and every statement has a
time limit, so that a bad plan or a huge view costs the school's DBA a
cancelled query, not an outage — and the refresh fails cleanly instead of
hanging. How each guard is set differs per dialect; this module is the one
place that knows:

- PostgreSQL: ``default_transaction_read_only`` and ``statement_timeout`` as
  connection options (no extra round trip, cannot be forgotten).
- MariaDB / MySQL: ``SET SESSION TRANSACTION READ ONLY`` and
  ``max_statement_time`` (MariaDB, seconds) or ``max_execution_time``
  (MySQL, milliseconds) on connect. Engines that speak the protocol but lack
  a setting (Doris, StarRocks, ClickHouse) keep the guards they understand;
  the others are logged once per connection, not fatal.
- SQLite: the file opened ``mode=ro``, ``PRAGMA query_only``, and a progress
  handler that interrupts a statement running past its deadline.
- Any other dialect (Oracle, SQL Server, 达梦, 人大金仓): the account should be
  read-only; no timeout is set by the cockpit (README, Configuration).

The pool is bounded (``max_connections``, no overflow): the extract uses one
connection; pushdown runs the quality counts and families side by side on at
most that many (metrics.engine); nothing can fan out further.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import URL, Engine, make_url

log = logging.getLogger(__name__)

# Progress handler granularity (SQLite virtual-machine steps between deadline checks).
_SQLITE_STEPS = 20_000


@dataclass(frozen=True)
class SourceLimits:
    """How gently to read the source (config ``engine:``)."""

    statement_timeout_s: float
    max_connections: int
    connect_timeout_s: int = 10


def open_source(url: str | URL, limits: SourceLimits) -> Engine:
    """A read-only, time-limited engine on the source at ``url``."""
    url = make_url(url)
    backend = url.get_backend_name()
    pool: dict[str, Any] = {"pool_size": limits.max_connections, "max_overflow": 0, "pool_timeout": 60}
    if backend == "sqlite":
        return _sqlite(url, limits)
    if backend == "postgresql":
        ms = int(limits.statement_timeout_s * 1000)
        options = f"-c default_transaction_read_only=on -c statement_timeout={ms}"
        args = {"connect_timeout": limits.connect_timeout_s, "options": options}
        return create_engine(url, connect_args=args, pool_pre_ping=True, **pool)
    if backend in ("mysql", "mariadb"):
        engine = create_engine(
            url, connect_args={"connect_timeout": limits.connect_timeout_s}, pool_pre_ping=True, **pool
        )
        event.listen(engine, "connect", lambda dbapi, _rec: _mysql_guards(dbapi, limits))
        return engine
    log.warning("source dialect %s: the cockpit sets no statement timeout; use a read-only account", backend)
    return create_engine(url, pool_pre_ping=True, **pool)


def _mysql_guards(dbapi: Any, limits: SourceLimits) -> None:
    """Read-only session and a statement time limit, each tried on its own."""
    seconds = limits.statement_timeout_s
    attempts = (
        ("read-only session", ("SET SESSION TRANSACTION READ ONLY",)),
        (
            "statement timeout",
            (
                f"SET SESSION max_statement_time = {seconds:g}",
                f"SET SESSION max_execution_time = {int(seconds * 1000)}",
            ),
        ),
    )
    cursor = dbapi.cursor()
    try:
        for what, statements in attempts:
            for sql in statements:
                try:
                    cursor.execute(sql)
                    break
                except Exception:
                    continue
            else:
                log.warning("source: cannot set a %s on this server", what)
    finally:
        cursor.close()
    dbapi.commit()


def _sqlite(url: URL, limits: SourceLimits) -> Engine:
    db = url.database or ""
    ro = url if db.startswith("file:") else make_url(f"sqlite:///file:{Path(db)}?mode=ro&uri=true")
    engine = create_engine(
        ro, connect_args={"timeout": 30}, pool_size=limits.max_connections, max_overflow=0, pool_timeout=60
    )
    deadline: dict[int, float] = {}

    @event.listens_for(engine, "connect")
    def _connect(dbapi: sqlite3.Connection, _rec: Any) -> None:
        dbapi.execute("PRAGMA query_only = 1")
        key = id(dbapi)
        deadline[key] = float("inf")
        dbapi.set_progress_handler(lambda: int(time.monotonic() > deadline[key]), _SQLITE_STEPS)

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Connection, _cursor: Any, *_args: Any) -> None:
        deadline[id(conn.connection.dbapi_connection)] = time.monotonic() + limits.statement_timeout_s

    return engine


__all__ = ["SourceLimits", "open_source"]
