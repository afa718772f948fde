"""Gentle on the source (issue 8): in extract mode the source sees one plain
``SELECT <contract columns> FROM <table>`` per contract table and, besides,
only a catalog look-up of the columns of the tables that have optional
columns (contract v1.1: is ``name_en`` there?); every source connection is
read-only and has a statement timeout; the extract reports what it moved and
never holds more than a chunk of rows."""

from __future__ import annotations

import re
from datetime import date

import pytest
from engine_modes import engine_options
from metric_asserts import department, school
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

import metrics.extract as extract_mod
from metrics.contract import SPECS
from metrics.engine import SourceError, compute
from metrics.extract import ExtractOptions
from metrics.source import SourceLimits, open_source
from metrics.workdays import WorkCalendar

D = date(2026, 3, 18)
DATA = {
    "school_profile": school(),
    "department": [department(f"D{i:03d}") for i in range(250)],
}
# Statements that open the one read-only snapshot transaction.
TRANSACTION = re.compile(r"^(SET TRANSACTION .*READ ONLY|START TRANSACTION .*READ ONLY|BEGIN)$")
PLAIN_SELECT = re.compile(r"^SELECT (?P<cols>[^()]+?) FROM (?P<table>[`\"\w]+)$")
# The column listing of one table, as SQLAlchemy's inspector asks each backend for it
# (SQLite and MariaDB name the table; PostgreSQL binds it).
CATALOG = re.compile(
    r"^(PRAGMA main\.table_x?info\(\"(?P<sqlite>\w+)\"\)"
    r"|SHOW CREATE TABLE `(?P<mysql>\w+)`"
    r"|SELECT pg_catalog\..*)$"
)
OPTIONAL_TABLES = {spec.name for spec in SPECS.values() if spec.optional}
# PostgreSQL: the same plain SELECT, its rows handed over as CSV text by COPY.
COPY_SELECT = re.compile(r"^COPY \((?P<select>SELECT [^()]+?)\) TO STDOUT \(FORMAT csv, FORCE_QUOTE \*\)$")


def _guarded(url: str, timeout_s: float = 30):
    return open_source(url, SourceLimits(statement_timeout_s=timeout_s, max_connections=2))


def _log_statements(engine) -> list[str]:
    """Every statement sent to the source (the extract announces its COPY statements,
    which psycopg runs outside SQLAlchemy's execute, to the same event)."""
    with engine.connect():
        pass  # the dialect's own first-connect queries are not the cockpit's
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _log(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    return seen


def test_extract_reads_each_table_once_without_joins(load_source, backend_url):
    load_source(DATA).dispose()
    engine = _guarded(backend_url)
    seen = _log_statements(engine)
    try:
        result = compute(engine, D, options=engine_options("extract"), calendar=WorkCalendar())
    finally:
        engine.dispose()
    catalog = [CATALOG.match(s) for s in seen if CATALOG.match(s)]
    assert catalog and len(catalog) <= len(OPTIONAL_TABLES)
    assert {m["sqlite"] or m["mysql"] for m in catalog} <= OPTIONAL_TABLES | {None}
    assert all(" FROM pg_catalog." in m[0] or m[0].startswith(("PRAGMA", "SHOW")) for m in catalog)
    selects = [s for s in seen if not TRANSACTION.match(s) and not CATALOG.match(s)]
    tables = []
    if _kind(backend_url) == "postgresql":  # rows come by COPY of the plain SELECT, never row by row
        assert all(COPY_SELECT.match(s) for s in selects), selects
    for statement in selects:
        copied = COPY_SELECT.match(statement)
        m = PLAIN_SELECT.match(copied["select"] if copied else statement)
        assert m, f"not a plain column scan: {statement}"
        assert " JOIN " not in statement.upper() and " WHERE " not in statement.upper()
        table = m["table"].strip('`"')
        tables.append(table)
        cols = [c.strip().strip('`"') for c in m["cols"].split(",")]
        assert cols == [c.name for c in SPECS[table].columns], statement
    assert sorted(tables) == sorted(SPECS), "each contract table exactly once"
    assert result.extract["department"]["rows"] == 250
    assert result.source_counts["department"] == 250
    assert result.extract["department"]["bytes"] > 0
    assert result.extract["approval_step"] == {"rows": 0, "bytes": 0, "seconds": pytest.approx(0, abs=60)}


def test_extract_streams_in_chunks(load_source, backend_url, monkeypatch):
    """No chunk handed to DuckDB holds more than chunk_rows rows; all rows arrive.
    PostgreSQL's COPY never makes Python rows: its text goes to a file block by block."""
    load_source(DATA).dispose()
    sizes: list[int] = []
    real = extract_mod._arrow

    def spy(kind, values):
        sizes.append(len(values))
        return real(kind, values)

    monkeypatch.setattr(extract_mod, "_arrow", spy)
    engine = _guarded(backend_url)
    try:
        local = extract_mod.extract(engine, ExtractOptions(chunk_rows=100, memory_limit_mb=256, threads=1))
        try:
            with local.engine.connect() as conn:
                n = conn.execute(text("SELECT count(*) FROM department")).scalar_one()
        finally:
            local.close()
    finally:
        engine.dispose()
    assert n == 250
    if _kind(backend_url) == "postgresql":
        assert sizes == []
    else:
        assert max(sizes) == 100
    assert local.stats["department"].rows == 250


SLOW = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(30)",
    "mariadb": "SELECT SLEEP(30)",
}


def _kind(url: str) -> str:
    return {"sqlite": "sqlite", "postgresql+psycopg": "postgresql"}.get(url.split(":")[0], "mariadb")


def test_statement_timeout_cancels_a_long_statement(load_source, backend_url):
    load_source(DATA).dispose()
    engine = _guarded(backend_url, timeout_s=1)
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError) as err:
            conn.execute(text(SLOW[_kind(backend_url)])).fetchall()
        message = str(err.value.orig).lower()
        assert any(w in message for w in ("timeout", "interrupted", "cancel")), message
        with engine.connect() as conn:  # the connection is usable afterwards
            assert conn.execute(text("SELECT count(*) FROM department")).scalar_one() == 250
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO department (department_code, name_zh, kind) VALUES ('Z', 'z', 'academic')",
        "UPDATE department SET name_zh = 'x'",
        "DELETE FROM department",
    ],
    ids=["insert", "update", "delete"],
)
def test_source_connections_are_read_only(load_source, backend_url, statement):
    load_source(DATA).dispose()
    engine = _guarded(backend_url)
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError):
            conn.execute(text(statement))
            conn.commit()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM department")).scalar_one() == 250
    finally:
        engine.dispose()


def test_a_missing_table_stops_the_extract_with_one_line(load_source, backend_url):
    engine = load_source(DATA)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE approval_step"))
    finally:
        engine.dispose()
    engine = _guarded(backend_url)
    try:
        with pytest.raises(SourceError) as err:
            compute(engine, D, options=engine_options("extract"), calendar=WorkCalendar())
    finally:
        engine.dispose()
    assert str(err.value).startswith("cannot read the source:")
    assert "\n" not in str(err.value)
