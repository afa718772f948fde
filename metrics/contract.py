"""The data-platform contract (shared/spec/data-contract.md, v1.1) as data.

One declarative description of every source table drives three things: the
SQLAlchemy ``Table`` objects the engine queries, the data-quality rules
(which columns are keys, not null, references or coded), and ``check-source``.
The demo generator writes its tables from the same description, so the demo and
a real school run one code path.

Contract v1.1 adds *optional* columns (``Col.optional``): a source may lack
them altogether (a v1.0 platform). The extract then reads the columns that are
there, pushdown reads NULL in their place, and check-source notes their absence
without an error (docs/metrics-decisions.md, "Optional columns").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.types import TypeEngine

_SQLITE_TS_TEXT = re.compile(r"(\d+)-(\d+)-(\d+)[ T](\d+):(\d+):(\d+)(?:\.(\d{1,6}))?")


class SqliteTimestamp(sqlite.DATETIME):
    """The contract's TIMESTAMP in SQLite: 'YYYY-MM-DD HH:MM:SS[.ffffff]' text.

    SQLAlchemy's default SQLite DATETIME writes microseconds always
    ("… 00:00:00.000000"); compared as text with the contract's
    "YYYY-MM-DD HH:MM:SS" that would misplace rows at a boundary. So whole
    seconds are written and bound in the contract's exact format, and a
    fraction only when there is one — where the data keeps fractions of a
    second they count (data-contract.md), and they are read back exactly
    ('.25' is 250,000 µs, not 25).
    """

    def bind_processor(self, dialect):
        def process(value: datetime | date | None) -> str | None:
            if value is None:
                return None
            if not isinstance(value, datetime):
                return f"{value:%Y-%m-%d} 00:00:00"
            text = f"{value.year:04d}-{value:%m-%d %H:%M:%S}"
            return f"{text}.{value.microsecond:06d}" if value.microsecond else text

        return process

    def result_processor(self, dialect, coltype):
        def process(value: str | None) -> datetime | None:
            if value is None:
                return None
            m = _SQLITE_TS_TEXT.match(str(value))
            if m is None:
                raise ValueError(f"not a contract TIMESTAMP: {value!r}")
            *parts, fraction = m.groups()
            return datetime(*map(int, parts), int((fraction or "0").ljust(6, "0")))

        return process


_SQLITE_TS = SqliteTimestamp()
# MySQL/MariaDB DATETIME keeps whole seconds unless told DATETIME(6).
TIMESTAMP: TypeEngine = (
    DateTime().with_variant(_SQLITE_TS, "sqlite").with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
)
DATE: TypeEngine = Date()
TEXT: TypeEngine = Text().with_variant(Text(), "sqlite")
BOOL: TypeEngine = Boolean(create_constraint=False)
# DDL NUMERIC(28, 10) where the demo and the tests write tables: money keeps the
# 1e-10 yuan the extract keeps (DECIMAL(38, 10)); read as float for the values.
NUM: TypeEngine = Numeric(28, 10, asdecimal=False)
INT: TypeEngine = Integer()

TYPE_NAMES = {"TEXT": TEXT, "DATE": DATE, "TIMESTAMP": TIMESTAMP, "BOOL": BOOL, "NUM": NUM, "INTEGER": INT}


@dataclass(frozen=True)
class Col:
    """One contract column.

    ``key`` marks a key or key part; ``not_null`` a column that must be set;
    ``ref`` the referenced table (its key column has the same meaning);
    ``enum`` the allowed codes of a coded column; ``optional`` a column the
    source may lack altogether (contract v1.1), read as NULL then.
    """

    name: str
    type: str
    key: bool = False
    not_null: bool = False
    ref: str | None = None
    enum: tuple[str, ...] | None = None
    optional: bool = False

    @property
    def required(self) -> bool:
        """A key part is as required as a column marked not null."""
        return self.key or self.not_null


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Col, ...]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)

    @property
    def optional(self) -> tuple[str, ...]:
        """The columns a source may lack (contract v1.1)."""
        return tuple(c.name for c in self.columns if c.optional)

    def without(self, absent: frozenset[str]) -> TableSpec:
        """The same table with the ``absent`` optional columns dropped: what a source
        that lacks them can be asked for."""
        if not absent:
            return self
        return TableSpec(self.name, tuple(c for c in self.columns if c.name not in absent))


CONTRACT_VERSION = "1.1"


DESTINATIONS = (
    "contract",
    "flexible",
    "self_employed",
    "further_study",
    "military",
    "unplaced",
    "not_seeking",
)
PLACED = ("contract", "flexible", "self_employed", "further_study", "military")
EMPLOYED = ("contract", "flexible", "self_employed")
STUDENT_STATUS = ("enrolled", "graduated", "suspended", "withdrawn")
PROCESS_CATEGORIES = ("finance", "seal", "contract", "personnel", "partnership", "document", "other")
OUTCOMES = ("approved", "rejected", "withdrawn")
STEP_ACTIONS = ("approve", "reject", "return")
DEPARTMENT_KINDS = ("academic", "administrative")

# Tables in dependency order: a table's references come before it.
TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "school_profile",
        (
            Col("school_code", "TEXT", not_null=True),
            Col("name_zh", "TEXT", not_null=True),
            Col("region_code", "TEXT", not_null=True),
        ),
    ),
    TableSpec(
        "department",
        (
            Col("department_code", "TEXT", key=True),
            Col("name_zh", "TEXT", not_null=True),
            Col("name_en", "TEXT"),
            Col("kind", "TEXT", not_null=True, enum=DEPARTMENT_KINDS),
        ),
    ),
    TableSpec(
        "industry",
        (
            Col("industry_code", "TEXT", key=True),
            Col("name_zh", "TEXT", not_null=True),
            Col("name_en", "TEXT", optional=True),
        ),
    ),
    TableSpec(
        "major",
        (
            Col("major_code", "TEXT", key=True),
            Col("catalog_code", "TEXT", not_null=True),
            Col("name_zh", "TEXT", not_null=True),
            Col("department_code", "TEXT", not_null=True, ref="department"),
            Col("active", "BOOL", not_null=True),
        ),
    ),
    TableSpec(
        "major_industry",
        (
            Col("major_code", "TEXT", key=True, ref="major"),
            Col("industry_code", "TEXT", key=True, ref="industry"),
            Col("weight", "NUM"),
        ),
    ),
    TableSpec(
        "enterprise",
        (
            Col("enterprise_id", "TEXT", key=True),
            Col("name_zh", "TEXT", not_null=True),
            Col("industry_code", "TEXT", ref="industry"),
            Col("region_code", "TEXT"),
            Col("is_partner", "BOOL", not_null=True),
            Col("partner_since", "DATE"),
        ),
    ),
    TableSpec(
        "student",
        (
            Col("student_id", "TEXT", key=True),
            Col("major_code", "TEXT", not_null=True, ref="major"),
            Col("entry_year", "INTEGER", not_null=True),
            Col("expected_graduation_year", "INTEGER", not_null=True),
            Col("status", "TEXT", not_null=True, enum=STUDENT_STATUS),
        ),
    ),
    TableSpec(
        "internship",
        (
            Col("internship_id", "TEXT", key=True),
            Col("student_id", "TEXT", not_null=True, ref="student"),
            Col("enterprise_id", "TEXT", not_null=True, ref="enterprise"),
            Col("start_date", "DATE", not_null=True),
            Col("planned_end_date", "DATE", not_null=True),
            Col("end_date", "DATE"),
            Col("major_related", "BOOL"),
            Col("insured", "BOOL", not_null=True),
            Col("agreement_signed", "BOOL", not_null=True),
            Col("monthly_pay", "NUM"),
            Col("reference_wage", "NUM"),
            Col("enterprise_score", "NUM"),
            Col("logs_expected", "INTEGER", not_null=True),
            Col("logs_submitted", "INTEGER", not_null=True),
        ),
    ),
    TableSpec(
        "graduate_destination",
        (
            Col("student_id", "TEXT", key=True, ref="student"),
            Col("graduation_year", "INTEGER", not_null=True),
            Col("destination", "TEXT", not_null=True, enum=DESTINATIONS),
            Col("placed_on", "DATE"),
            Col("enterprise_id", "TEXT", ref="enterprise"),
            Col("industry_code", "TEXT", ref="industry"),
            Col("work_region_code", "TEXT"),
            Col("monthly_salary", "NUM"),
            Col("major_related", "BOOL"),
        ),
    ),
    TableSpec(
        "approval_process",
        (
            Col("process_code", "TEXT", key=True),
            Col("name_zh", "TEXT", not_null=True),
            Col("category", "TEXT", not_null=True, enum=PROCESS_CATEGORIES),
            Col("name_en", "TEXT", optional=True),
            Col("sla_workdays", "NUM", not_null=True),
        ),
    ),
    TableSpec(
        "approval_instance",
        (
            Col("instance_id", "TEXT", key=True),
            Col("process_code", "TEXT", not_null=True, ref="approval_process"),
            Col("department_code", "TEXT", not_null=True, ref="department"),
            Col("submitted_at", "TIMESTAMP", not_null=True),
            Col("finished_at", "TIMESTAMP"),
            Col("outcome", "TEXT", enum=OUTCOMES),
        ),
    ),
    TableSpec(
        "approval_step",
        (
            Col("instance_id", "TEXT", key=True, ref="approval_instance"),
            Col("step_no", "INTEGER", key=True),
            Col("step_name", "TEXT", not_null=True),
            Col("arrived_at", "TIMESTAMP", not_null=True),
            Col("acted_at", "TIMESTAMP"),
            Col("action", "TEXT", enum=STEP_ACTIONS),
        ),
    ),
    TableSpec(
        "industry_demand",
        (
            Col("period", "TEXT", key=True),
            Col("region_code", "TEXT", key=True),
            Col("industry_code", "TEXT", key=True, ref="industry"),
            Col("demand", "INTEGER"),
        ),
    ),
)

SPECS: dict[str, TableSpec] = {t.name: t for t in TABLES}


def key_column(table: str) -> str:
    """The single key column of a referenced table (every referenced table has one)."""
    (key,) = SPECS[table].key
    return key


def build_metadata() -> MetaData:
    """SQLAlchemy tables of the contract, without constraints: the source may
    hold bad rows (duplicates, orphans), and the cockpit must read them to count
    them, so nothing here may reject a row."""
    md = MetaData()
    for spec in TABLES:
        Table(spec.name, md, *(Column(c.name, TYPE_NAMES[c.type]) for c in spec.columns))
    return md


METADATA = build_metadata()
