"""check-source: does a database hold the data-platform contract?

Checks every contract table (or view) is present, every contract column is
present with a compatible type, and school_profile holds exactly one row.
An optional column (contract v1.1) that is absent is a note, not an error: the
engine reads NULL in its place (``absent_optional``).
Each problem names the table and column and says what was expected and what
was found. Read-only: it reflects the schema and counts rows, nothing else.

For pushdown mode it also tells whether each table's key is indexed and
whether the planner has statistics (where the dialect tells: PostgreSQL,
MySQL/MariaDB, SQLite), as warnings with the statement a DBA can run: without
them a pushed-down refresh of an ordinary school can take many minutes on the
source (extract mode needs neither).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, inspect, select, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.reflection import Inspector
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError
from sqlalchemy.types import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    NullType,
    Numeric,
    String,
    TypeEngine,
)

from metrics.contract import TABLES, TableSpec

log = logging.getLogger(__name__)

# Which reflected type families each contract type accepts.
_ACCEPTS = {
    "TEXT": {"text"},
    "DATE": {"date"},
    "TIMESTAMP": {"timestamp"},
    "BOOL": {"bool", "int"},
    "NUM": {"num", "int"},
    "INTEGER": {"int", "num0"},
}
# SQLite stores dates and times as text (data-contract.md, Conventions).
_SQLITE_TEXT_OK = {"DATE", "TIMESTAMP"}


def type_family(t: TypeEngine) -> str:
    """The family of a reflected column type: text, date, timestamp, bool,
    int, num, num0 (a decimal with scale 0), unknown or other."""
    if isinstance(t, NullType):
        return "unknown"
    if isinstance(t, Boolean):
        return "bool"
    if isinstance(t, Integer):
        return "int"
    if isinstance(t, Float):
        return "num"
    if isinstance(t, Numeric):
        return "num0" if getattr(t, "scale", None) == 0 else "num"
    if isinstance(t, DateTime):
        return "timestamp"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, String | Enum):
        return "text"
    return "other"


@dataclass(frozen=True)
class Problem:
    table: str
    column: str | None
    message: str
    fatal: bool = True
    note: bool = False  # neither error nor warning: e.g. an optional column the source lacks

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        level = "error" if self.fatal else "note" if self.note else "warning"
        return f"{level}: {where}: {self.message}"


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    # pushdown readiness, per table: key indexed; statistics present (None: the dialect does not tell)
    indexed: dict[str, bool] = field(default_factory=dict)
    analyzed: dict[str, bool | None] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return not any(p.fatal for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.fatal and not p.note]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.problems if p.note]


def absent_optional(conn: Connection, schema: str | None = None) -> dict[str, frozenset[str]]:
    """The optional contract columns (v1.1) each table of the source lacks, by table
    (tables that lack none are left out).

    Only the tables that have optional columns are looked at, under the very name
    the extract's plain SELECT uses, and only in the catalog (one column listing
    each: no row of the table is read). A table that is missing altogether is not
    reported here: reading it fails with its own error.
    """
    insp = inspect(conn)
    out: dict[str, frozenset[str]] = {}
    for spec in TABLES:
        if not spec.optional:
            continue
        try:
            absent = _absent(insp, spec, spec.name, schema)
        except NoSuchTableError:
            continue
        except SQLAlchemyError as exc:  # e.g. MySQL SHOW CREATE TABLE on a view without SHOW VIEW
            log.warning(
                "cannot list the columns of %s (%s): its optional columns taken as present",
                spec.name,
                exc,
            )
            continue
        if absent:
            out[spec.name] = absent
    return out


def _relations(insp: Inspector, schema: str | None) -> dict[str, str]:
    """Tables and views of the schema, by lower-case name."""
    names = [*insp.get_table_names(schema=schema), *insp.get_view_names(schema=schema)]
    return {n.lower(): n for n in names}


def _absent(insp: Inspector, spec: TableSpec, actual: str, schema: str | None) -> frozenset[str]:
    cols = {c["name"].lower() for c in insp.get_columns(actual, schema=schema)}
    return frozenset(name for name in spec.optional if name not in cols)


def check_source(engine: Engine, schema: str | None = None, mode: str = "extract") -> CheckReport:
    """Check the database behind ``engine`` against the contract (and, for
    ``mode="pushdown"``, its indexes and statistics)."""
    report = CheckReport()
    insp = inspect(engine)
    present = _relations(insp, schema)
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        for spec in TABLES:
            actual = present.get(spec.name)
            if actual is None:
                report.problems.append(Problem(spec.name, None, "table or view is missing"))
                continue
            cols = {c["name"].lower(): c for c in insp.get_columns(actual, schema=schema)}
            for col in spec.columns:
                found = cols.get(col.name)
                if found is None and col.optional:
                    report.problems.append(
                        Problem(
                            spec.name,
                            col.name,
                            "optional column (contract v1.1) is absent: read as NULL, "
                            "English pages show the other names",
                            fatal=False,
                            note=True,
                        )
                    )
                    continue
                if found is None:
                    report.problems.append(
                        Problem(spec.name, col.name, f"column is missing (expected {col.type})")
                    )
                    continue
                fam = type_family(found["type"])
                if fam in _ACCEPTS[col.type]:
                    continue
                if fam == "text" and is_sqlite and col.type in _SQLITE_TEXT_OK:
                    continue
                if fam == "unknown":
                    report.problems.append(
                        Problem(
                            spec.name,
                            col.name,
                            f"type not declared, cannot check (expected {col.type})",
                            False,
                        )
                    )
                    continue
                report.problems.append(
                    Problem(spec.name, col.name, f"expected {col.type}, found {found['type']!s} ({fam})")
                )
            tbl = table(actual, schema=schema)
            report.row_counts[spec.name] = conn.execute(select(func.count()).select_from(tbl)).scalar_one()
            if mode == "pushdown" and spec.key:
                _pushdown_readiness(conn, insp, report, spec.name, actual, spec.key, schema)
    n = report.row_counts.get("school_profile")
    if n is not None and n != 1:
        report.problems.append(
            Problem(
                "school_profile", None, f"holds {n} rows; exactly one is required, nothing can be computed"
            )
        )
    return report


def _pushdown_readiness(
    conn: Connection,
    insp,
    report: CheckReport,
    name: str,
    actual: str,
    key: tuple[str, ...],
    schema: str | None,
) -> None:
    """Is the key indexed (leading columns), does the planner have statistics? Warnings with advice."""
    try:
        indexes = insp.get_indexes(actual, schema=schema)
        pk = insp.get_pk_constraint(actual, schema=schema).get("constrained_columns") or []
    except NotImplementedError:  # a view on some dialects
        indexes, pk = [], []
    leading = [list(ix.get("column_names") or [])[: len(key)] for ix in indexes] + [pk[: len(key)]]
    report.indexed[name] = any([c.lower() for c in cols if c] == [k.lower() for k in key] for cols in leading)
    if not report.indexed[name]:
        cols = ", ".join(key)
        report.problems.append(
            Problem(
                name,
                None,
                f"key ({cols}) is not indexed: pushdown mode will scan it for every lookup; "
                f"CREATE INDEX ix_{name}_key ON {actual} ({cols}) — or use engine.mode: extract",
                False,
            )
        )
    report.analyzed[name] = _has_statistics(conn, actual, schema)
    if report.analyzed[name] is False:
        verb = {"postgresql": "ANALYZE", "sqlite": "ANALYZE"}.get(conn.dialect.name, "ANALYZE TABLE")
        report.problems.append(
            Problem(
                name,
                None,
                f"the planner has no statistics: run {verb} {actual} after each load, "
                "or use engine.mode: extract",
                False,
            )
        )


def _has_statistics(conn: Connection, actual: str, schema: str | None) -> bool | None:
    """Whether the planner has statistics for a table; None where the dialect does not tell."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        row = conn.execute(
            text(
                "SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = :t AND schemaname = coalesce(:s, current_schema())"
            ),
            {"t": actual, "s": schema},
        ).first()
        return None if row is None else bool(row[0])  # a view: no statistics of its own
    if dialect in ("mysql", "mariadb"):
        row = conn.execute(
            text(
                "SELECT count(*) FROM mysql.innodb_table_stats "
                "WHERE table_name = :t AND database_name = coalesce(:s, database())"
            ),
            {"t": actual, "s": schema},
        ).first()
        return None if row is None else bool(row[0])
    if dialect == "sqlite":
        has = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar()
        if not has:
            return False
        return bool(
            conn.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = :t"), {"t": actual}).scalar()
        )
    return None
