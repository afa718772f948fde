"""Extract mode: copy the contract's columns into an embedded DuckDB, compute there.

Why: a school's data platform promises nothing about indexes or planner
statistics (views over views, nightly truncate-and-reload, read-only
accounts). Pushed-down rule cascades then run as nested loops for many
minutes on a production database. Reading each contract table once — plain
``SELECT <contract columns> FROM <table>``, no joins, no filters — costs the
source a sequential scan per table, and DuckDB (columnar, vectorised, with its
own statistics) evaluates the data-quality rules and every indicator in
seconds. Any SQLAlchemy dialect can serve such a SELECT.

How:
- one connection, one read-only transaction (a consistent snapshot where the
  dialect offers one: REPEATABLE READ on PostgreSQL and MySQL-family);
- rows are streamed in chunks of ``chunk_rows`` (server-side cursors), each
  chunk turned into typed Arrow columns and appended to DuckDB, so no whole
  table is ever held as Python objects;
- types are kept: timestamps to the microsecond, numbers as DECIMAL(38, 10)
  (money compared exactly, not as binary floats), codes as VARCHAR — DuckDB
  compares strings byte for byte, with no PAD SPACE and no case folding, which
  is the contract's "codes compare exactly as written";
- per table: rows, Arrow bytes and seconds, for the snapshot and /status;
- an optional column (contract v1.1) the source lacks is not asked for: its
  DuckDB column stays NULL, so everything downstream sees the full contract.

The DuckDB database lives in memory (bounded by ``memory_limit_mb``) with a
temporary spill directory, and is thrown away after the refresh.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, column, create_engine, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

from metrics.check import absent_optional
from metrics.contract import TABLES, TableSpec

log = logging.getLogger(__name__)

# DuckDB column types of the contract types.
DUCK_TYPES = {
    "TEXT": "VARCHAR",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "BOOL": "BOOLEAN",
    "NUM": "DECIMAL(38, 10)",
    "INTEGER": "BIGINT",
}
# The Arrow type a driver's values are tried as first; anything else is inferred
# by Arrow and cast by DuckDB (e.g. SQLite's text dates, 0/1 booleans).
_ARROW_FIRST = {
    "TEXT": pa.string(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "BOOL": pa.bool_(),
    "NUM": None,
    "INTEGER": pa.int64(),
}


@dataclass(frozen=True)
class ExtractOptions:
    """Config ``engine:``: chunk size and the embedded engine's resources."""

    chunk_rows: int
    memory_limit_mb: int
    threads: int


@dataclass
class TableStats:
    """What the extract moved for one table."""

    rows: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, float]:
        return {"rows": self.rows, "bytes": self.bytes, "seconds": round(self.seconds, 3)}


@dataclass
class Extract:
    """The local copy: a SQLAlchemy engine on DuckDB holding the contract tables.
    ``close()`` drops it (memory and spill files)."""

    engine: Engine
    spill: tempfile.TemporaryDirectory
    stats: dict[str, TableStats] = field(default_factory=dict)

    def close(self) -> None:
        self.engine.dispose()
        self.spill.cleanup()


def extract(source: Engine, options: ExtractOptions) -> Extract:
    """Copy every contract table of ``source`` into a fresh DuckDB and return it.

    Raises the source's SQLAlchemy error (or DuckDB's) when a table cannot be
    read; nothing is kept in that case.
    """
    spill = tempfile.TemporaryDirectory(prefix="cockpit-extract-")
    local = create_engine(
        "duckdb:///:memory:",
        poolclass=StaticPool,
        connect_args={
            "config": {
                "memory_limit": f"{options.memory_limit_mb}MB",
                "threads": options.threads,
                "temp_directory": spill.name,
            }
        },
    )
    out = Extract(local, spill)
    try:
        with local.connect() as lconn:
            duck = lconn.connection.dbapi_connection
            for spec in TABLES:
                duck.execute(_create_sql(spec))
            with source.connect() as conn:
                begin_snapshot(conn)
                absent = absent_optional(conn)
                read = _reader(conn)
                for spec in TABLES:
                    readable = spec.without(absent.get(spec.name, frozenset()))
                    out.stats[spec.name] = read(conn, duck, readable, options, Path(spill.name))
                conn.rollback()  # read-only: nothing to commit
            lconn.commit()
    except BaseException:
        out.close()
        raise
    return out


def begin_snapshot(conn: Connection) -> None:
    """Open one read-only transaction that sees a single moment of the source."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    elif dialect in ("mysql", "mariadb"):
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
    elif dialect == "sqlite":
        conn.exec_driver_sql("BEGIN")


def plain_select(conn: Connection, spec: TableSpec) -> str:
    """``SELECT <contract columns> FROM <table>`` in the source's own quoting: the only
    statement the extract sends per table (inside ``COPY (…) TO STDOUT`` on PostgreSQL)."""
    query = select(*(column(c.name) for c in spec.columns)).select_from(table(spec.name))
    return str(query.compile(dialect=conn.dialect))


Reader = Callable[[Connection, Any, TableSpec, ExtractOptions, Path], TableStats]


def _reader(conn: Connection) -> Reader:
    """The fastest exact way this connection's driver hands over a whole table."""
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql" and hasattr(raw, "cursor") and _is_psycopg3(raw):
        return _copy_postgresql
    return _fetch_rows


def _is_psycopg3(raw: Any) -> bool:
    if type(raw).__module__.split(".")[0] != "psycopg":
        return False
    return str(getattr(raw.info, "encoding", "")).lower().replace("-", "") in ("utf8", "utf_8")


def _copy_postgresql(
    conn: Connection, duck: Any, spec: TableSpec, options: ExtractOptions, spill: Path
) -> TableStats:
    """PostgreSQL: ``COPY (SELECT <columns> FROM <table>) TO STDOUT`` as CSV.

    The server writes its own text form of every value (exact: numerics as
    written, timestamps to the microsecond); the bytes go to a file in the spill
    directory block by block (no Python object per row or value) and DuckDB's
    parallel CSV reader loads it. Every non-NULL value is quoted (FORCE_QUOTE),
    so an empty string stays an empty string and NULL stays NULL.
    """
    started = time.perf_counter()
    stats = TableStats()
    sql = f"COPY ({plain_select(conn, spec)}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)"
    path = spill / f"{spec.name}.csv"
    raw = conn.connection.dbapi_connection
    try:
        with _driver_errors(conn, sql), raw.cursor() as cursor:
            # COPY bypasses SQLAlchemy's execute: tell its listeners (logging, audits) all the same.
            conn.dispatch.before_cursor_execute(conn, cursor, sql, (), None, False)
            with cursor.copy(sql) as copy, path.open("wb") as f:
                for block in copy:
                    f.write(block)
        stats.bytes = path.stat().st_size
        columns = ", ".join(f"'{c.name}': 'VARCHAR'" for c in spec.columns)
        reader = (
            f"read_csv('{path}', columns = {{{columns}}}, header = false, delim = ',', quote = '\"', "
            "escape = '\"', nullstr = '', allow_quoted_nulls = false, auto_detect = false, "
            "strict_mode = true, encoding = 'utf-8')"
        )
        stats.rows = int(duck.execute(_insert_sql(spec, _all_text(spec), reader)).fetchone()[0])
    finally:
        path.unlink(missing_ok=True)
    stats.seconds = time.perf_counter() - started
    return stats


@contextmanager
def _driver_errors(conn: Connection, statement: str) -> Iterator[None]:
    """A driver error raised outside SQLAlchemy (COPY, the raw cursor) as SQLAlchemy's
    DBAPIError, like every other source error."""
    error = conn.dialect.loaded_dbapi.Error
    try:
        yield
    except error as exc:
        raise DBAPIError.instance(statement, None, exc, error) from exc


def _all_text(spec: TableSpec) -> pa.Schema:
    return pa.schema([(c.name, pa.string()) for c in spec.columns])


def _fetch_rows(
    conn: Connection, duck: Any, spec: TableSpec, options: ExtractOptions, _spill: Path
) -> TableStats:
    """Any other driver: the plain SELECT on a server-side (unbuffered) cursor, read
    straight from the DB-API cursor in chunks of ``chunk_rows`` raw tuples (MySQL
    drivers hand out their wire text, see ``_wire_values``), each chunk turned
    into Arrow columns and appended to DuckDB."""
    started = time.perf_counter()
    stats = TableStats()
    names = [c.name for c in spec.columns]
    chunk = options.chunk_rows
    sql = plain_select(conn, spec)
    with _wire_values(conn):
        result = conn.execution_options(stream_results=True, max_row_buffer=chunk).exec_driver_sql(sql)
        try:
            # The first row through SQLAlchemy (which may hold it in its buffer), the
            # rest straight from the DB-API cursor: no SQLAlchemy Row per source row.
            part = [tuple(row) for row in result.fetchmany(1)]
            cursor = result.cursor
            with _driver_errors(conn, sql):
                if part and chunk > 1:
                    part += cursor.fetchmany(chunk - 1)
                while part:
                    columns = zip(spec.columns, zip(*part, strict=True), strict=True)
                    batch = pa.table([_arrow(c.type, values) for c, values in columns], names=names)
                    duck.register("_chunk", batch)
                    try:
                        duck.execute(_insert_sql(spec, batch.schema, "_chunk"))
                    finally:
                        duck.unregister("_chunk")
                    stats.rows += batch.num_rows
                    stats.bytes += batch.nbytes
                    part = list(cursor.fetchmany(chunk))
        finally:
            result.close()
    stats.seconds = time.perf_counter() - started
    return stats


# MySQL field types the drivers already hand out as str: VAR_STRING, STRING, VARCHAR, BLOBs, JSON.
_MYSQL_TEXT_TYPES = (0xFD, 0xFE, 0x0F, 0xF9, 0xFA, 0xFB, 0xFC, 0xF5)


@contextmanager
def _wire_values(conn: Connection) -> Iterator[None]:
    """MySQL drivers: hand out each value as the server sent it (text) instead of
    building a ``datetime``/``Decimal`` per value in Python; DuckDB parses the
    text exactly (microseconds, decimals as written). Other drivers: as they are."""
    raw = conn.connection.dbapi_connection
    attr = None
    if conn.dialect.name in ("mysql", "mariadb"):
        attr = "converter" if hasattr(raw, "converter") else "decoders" if hasattr(raw, "decoders") else None
    if attr is None:
        yield
        return
    saved = getattr(raw, attr)
    setattr(raw, attr, {k: v for k, v in saved.items() if k in _MYSQL_TEXT_TYPES})
    try:
        yield
    finally:
        setattr(raw, attr, saved)


def _create_sql(spec: TableSpec) -> str:
    cols = ", ".join(f'"{c.name}" {DUCK_TYPES[c.type]}' for c in spec.columns)
    return f'CREATE TABLE "{spec.name}" ({cols})'


def _arrow(kind: str, values: tuple) -> pa.Array:
    """One column of a chunk as Arrow, exact: wire text as text (DuckDB parses it),
    else the contract type when the driver's values fit it, else Arrow's own
    inference (DuckDB casts it), else text."""
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bytes | bytearray):
        try:
            return pa.array(values, type=pa.binary()).cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    first = pa.string() if isinstance(sample, str) else _ARROW_FIRST[kind]
    if first is not None:
        try:
            return pa.array(values, type=first)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _insert_sql(spec: TableSpec, schema: pa.Schema, relation: str) -> str:
    """INSERT … SELECT with a cast per column; text into a typed column is TRY_CAST
    (an unparsable date becomes NULL, which the not-null rule then counts). The
    columns are named: an optional column the source lacks stays NULL."""
    exprs = []
    for c in spec.columns:
        target = DUCK_TYPES[c.type]
        arrow_type = schema.field(c.name).type
        if pa.types.is_null(arrow_type) or (target == "VARCHAR" and pa.types.is_string(arrow_type)):
            exprs.append(f'CAST("{c.name}" AS {target})')
        elif pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            exprs.append(f'TRY_CAST("{c.name}" AS {target})')
        else:
            exprs.append(f'CAST("{c.name}" AS {target})')
    names = ", ".join(f'"{c.name}"' for c in spec.columns)
    return f'INSERT INTO "{spec.name}" ({names}) SELECT {", ".join(exprs)} FROM {relation}'


__all__ = ["Extract", "ExtractOptions", "TableStats", "begin_snapshot", "extract", "plain_select"]
