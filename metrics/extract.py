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
- per table: rows, Arrow bytes and seconds, for the snapshot and /status.

The DuckDB database lives in memory (bounded by ``memory_limit_mb``) with a
temporary spill directory, and is thrown away after the refresh.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, column, create_engine, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

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
                for spec in TABLES:
                    out.stats[spec.name] = _copy_table(conn, duck, spec, options.chunk_rows)
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


def _create_sql(spec: TableSpec) -> str:
    cols = ", ".join(f'"{c.name}" {DUCK_TYPES[c.type]}' for c in spec.columns)
    return f'CREATE TABLE "{spec.name}" ({cols})'


def _copy_table(conn: Connection, duck: Any, spec: TableSpec, chunk_rows: int) -> TableStats:
    """Stream one table's contract columns from the source into DuckDB."""
    started = time.perf_counter()
    stats = TableStats()
    names = [c.name for c in spec.columns]
    query = select(*(column(n) for n in names)).select_from(table(spec.name))
    result = conn.execution_options(stream_results=True, max_row_buffer=chunk_rows).execute(query)
    for part in result.partitions(chunk_rows):
        columns = zip(spec.columns, zip(*part, strict=True), strict=True)
        batch = pa.table([_arrow(c.type, values) for c, values in columns], names=names)
        duck.register("_chunk", batch)
        try:
            duck.execute(_insert_sql(spec, batch.schema))
        finally:
            duck.unregister("_chunk")
        stats.rows += batch.num_rows
        stats.bytes += batch.nbytes
    stats.seconds = time.perf_counter() - started
    return stats


def _arrow(kind: str, values: tuple) -> pa.Array:
    """One column of a chunk as Arrow, exact: the contract type when the driver's
    values fit it, else Arrow's own inference (DuckDB casts it), else text."""
    first = _ARROW_FIRST[kind]
    if first is not None:
        try:
            return pa.array(values, type=first)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _insert_sql(spec: TableSpec, schema: pa.Schema) -> str:
    """INSERT … SELECT with a cast per column; text into a typed column is TRY_CAST
    (an unparsable date becomes NULL, which the not-null rule then counts)."""
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
    return f'INSERT INTO "{spec.name}" SELECT {", ".join(exprs)} FROM _chunk'


__all__ = ["Extract", "ExtractOptions", "TableStats", "begin_snapshot", "extract"]
