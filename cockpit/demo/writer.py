"""Writing the generated tables to SQLite, PostgreSQL or MySQL/MariaDB.

The tables come from the contract's own SQLAlchemy definitions (so the types
are the ones the cockpit expects), copied into a private MetaData so that the
demo's indexes never leak into the shared ``metrics.contract.METADATA``.
Rows go in through the driver in large batches — PostgreSQL's COPY, the other
drivers' ``executemany`` — inside one transaction, and indexes are built after
the load, which is what makes scale 10 take minutes rather than hours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Index, MetaData, Text, create_engine
from sqlalchemy.engine import Engine

from cockpit.demo.frame import TableData
from metrics.contract import METADATA, TABLES

BATCH = 50_000

# Every key (the data-quality rules look rows up by key: duplicates, orphans;
# MySQL/MariaDB evaluates those lookups row by row and needs them indexed), and
# the columns the cockpit filters or joins on. None is unique: the planted
# duplicates must load.
INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("department", ("department_code",)),
    ("industry", ("industry_code",)),
    ("major", ("major_code",)),
    ("major_industry", ("major_code", "industry_code")),
    ("enterprise", ("enterprise_id",)),
    ("student", ("student_id",)),
    ("student", ("major_code",)),
    ("student", ("expected_graduation_year",)),
    ("internship", ("internship_id",)),
    ("internship", ("student_id",)),
    ("internship", ("enterprise_id",)),
    ("graduate_destination", ("student_id",)),
    ("graduate_destination", ("graduation_year",)),
    ("approval_process", ("process_code",)),
    ("approval_instance", ("instance_id",)),
    ("approval_instance", ("submitted_at",)),
    ("approval_instance", ("finished_at",)),
    ("approval_step", ("instance_id", "step_no")),
    ("approval_step", ("acted_at",)),
    ("industry_demand", ("period", "region_code", "industry_code")),
)


def _private_metadata() -> MetaData:
    md = MetaData()
    for spec in TABLES:
        METADATA.tables[spec.name].to_metadata(md)
    return md


def write(
    url: str,
    tables: dict[str, TableData],
    progress: Callable[[str, float], None],
    start: float,
    stop: float,
    indexes: bool = True,
) -> dict[str, int]:
    """(Re)create the contract tables at ``url``, load ``tables`` and (unless
    ``indexes`` is false) index and analyse them.
    Reports progress between fractions ``start`` and ``stop``."""
    engine = create_engine(url)
    md = _private_metadata()
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                # a throwaway demo file: no journal, no fsync while loading
                conn.exec_driver_sql("PRAGMA journal_mode=OFF")
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
            md.drop_all(conn, checkfirst=True)
            md.create_all(conn)
            conn.commit()
            total = sum(len(t) for t in tables.values()) or 1
            done = 0
            raw = conn.connection.dbapi_connection
            for spec in TABLES:
                data = tables[spec.name]
                progress(f"writing {spec.name}", start + (stop - start) * 0.9 * done / total)
                _load(engine, raw, data)
                done += len(data)
            raw.commit()  # the rows went in through the driver, outside SQLAlchemy's transaction
            if indexes:
                progress("indexes", start + (stop - start) * 0.9)
                index(engine, conn, md)
                conn.commit()
    finally:
        engine.dispose()
    return {spec.name: len(tables[spec.name]) for spec in TABLES}


def _load(engine: Engine, raw: Any, data: TableData) -> None:
    """Insert through the DBAPI connection ``raw``: COPY on psycopg, executemany elsewhere."""
    rows = data.rows()
    if not rows:
        return
    quote = engine.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in data.names)
    if engine.dialect.driver == "psycopg":
        cursor = raw.cursor()
        with cursor.copy(f"COPY {quote(data.name)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marker = {"qmark": "?", "numeric": ":1", "named": ":p", "format": "%s", "pyformat": "%s"}
    style = engine.dialect.paramstyle
    if style in ("numeric", "named"):
        placeholders = ", ".join(
            f":{i + 1}" if style == "numeric" else f":p{i}" for i in range(len(data.names))
        )
    else:
        placeholders = ", ".join(marker[style] for _ in data.names)
    sql = f"INSERT INTO {quote(data.name)} ({columns}) VALUES ({placeholders})"
    cursor = raw.cursor()
    try:
        for i in range(0, len(rows), BATCH):
            batch = rows[i : i + BATCH]
            if style == "named":
                batch = [{f"p{j}": v for j, v in enumerate(row)} for row in batch]
            cursor.executemany(sql, batch)
    finally:
        cursor.close()


def index(engine: Engine, conn: Connection, md: MetaData | None = None) -> None:
    """Build the indexes, then refresh the planner's statistics: right after a
    bulk load a server knows nothing of the tables and may plan badly."""
    md = md or _private_metadata()
    for table, columns in INDEXES:
        t = md.tables[table]
        name = f"ix_demo_{table}_{'_'.join(columns)}"
        # MySQL indexes a TEXT column only by a prefix
        prefix = {c: 64 for c in columns if isinstance(t.c[c].type, Text)}
        Index(name, *(t.c[c] for c in columns), mysql_length=prefix).create(conn)
    quote = engine.dialect.identifier_preparer.quote
    if engine.dialect.name == "sqlite":
        conn.exec_driver_sql("ANALYZE")
        return
    for spec in TABLES:
        verb = "ANALYZE TABLE" if engine.dialect.name in ("mysql", "mariadb") else "ANALYZE"
        conn.exec_driver_sql(f"{verb} {quote(spec.name)}").close()
