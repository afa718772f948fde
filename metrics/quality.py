"""Data-quality rules of the contract, as SQL the source database evaluates.

For every contract table this module builds two things from the declarative
contract (metrics/contract.py):

- ``kept(name)``: a subquery of the rows that break no row rule, with the field
  rules applied (a bad value read as NULL). Every indicator reads these, never
  the raw tables, so a bad row cannot move a figure.
- ``counts()``: per rule and table, the rows caught and a few example keys.

Everything is pushed down: validity is a predicate, references are
``IN (SELECT key FROM <kept parent>)`` subqueries (which is how a row left out
of a parent cascades to its children), duplicates a ``GROUP BY … HAVING``.

Codes compare exactly (data-contract.md, Conventions) on every engine: SQLite,
PostgreSQL and DuckDB compare text byte for byte already; on MySQL-family
servers, whose default collations fold case and pad trailing spaces, every
text column is read through ``exact_text`` (a NO PAD binary collation), once,
in ``CleanSource.raw`` — so joins, duplicate keys, coded values and every
family's GROUP BY on the kept rows see ``X02`` and ``x02`` as two codes.

Counting decisions where the contract is silent (docs/metrics-decisions.md):
each row rule is evaluated on every raw row, so a row that breaks two rules is
counted under both; field rules are counted on kept rows only, once per row;
``destination_missing`` compares kept students with kept destination rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    FromClause,
    MetaData,
    Select,
    String,
    Subquery,
    Table,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from metrics.contract import METADATA, PLACED, SPECS, TABLES, TableSpec, key_column
from metrics.results import QualityCount

EXAMPLES = 5

ROW_RULES = (
    "row_not_null",
    "row_duplicate_key",
    "row_orphan",
    "row_enum",
    "internship_dates",
    "destination_unplaced_dated",
    "destination_placed_undated",
    "approval_order",
    "step_order",
    "weight_range",
    "demand_range",
)
FIELD_RULES = ("ref_unknown", "score_range", "money_range", "logs_range")
ROSTER_RULES = ("destination_missing",)
ALL_RULES = ROW_RULES + FIELD_RULES + ROSTER_RULES


class exact_text(FunctionElement):
    """A code column compared as the contract says: byte for byte, case and trailing spaces kept."""

    type = Text()
    inherit_cache = True
    name = "exact_text"


@compiles(exact_text)
def _exact_default(element: exact_text, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(exact_text, "mysql")
@compiles(exact_text, "mariadb")
def _exact_mysql(element: exact_text, compiler, **kw) -> str:
    # NO PAD binary collations: utf8mb4_bin would still ignore trailing spaces.
    collation = "utf8mb4_nopad_bin" if getattr(compiler.dialect, "is_mariadb", False) else "utf8mb4_0900_bin"
    return f"(CONVERT({compiler.process(element.clauses, **kw)} USING utf8mb4) COLLATE {collation})"


def exact_codes(conn: Connection) -> bool:
    """Whether text must be read through ``exact_text`` on this connection's server.

    MySQL and MariaDB fold case and pad spaces under their usual collations;
    Doris and StarRocks speak the same protocol but compare bytes already (and
    are what pushdown mode is for), so they are left as they are.
    """
    if conn.dialect.name not in ("mysql", "mariadb"):
        return False
    comment = str(conn.exec_driver_sql("SELECT @@version_comment").scalar() or "").lower()
    if any(name in comment for name in ("doris", "starrocks")):
        return False
    return codes_fold(conn)


# Label columns, shown but never compared, grouped or joined on.
DISPLAY_NAMES = frozenset({"name_zh", "name_en"})


def codes_fold(conn: Connection) -> bool:
    """Whether the server's own collations would compare any of this data's text
    differently from byte for byte (MySQL-family pushdown).

    Reading every text column through ``exact_text`` is exact but keeps MariaDB
    and MySQL from using an index for any join (the refresh then runs for
    minutes). Most data has nothing the collation could fold, and then native
    comparisons *are* exact; this proves it with one statement per compared
    column, each a single scan (a GROUP BY) or an indexed join:

    - no coded value is in its code list only under the collation, so the rows
      kept hold exactly the listed codes, which the collation keeps apart;
    - no reference matches its parent's key under the collation without
      matching it exactly, so a join finds exactly the exact partners;
    - no group of the collation holds two different byte strings
      (``GROUP BY col HAVING MIN(exact) <> MAX(exact)``) in a key column or a
      grouped text column: keys, duplicates and every GROUP BY see the same groups.
      A key column that is also a reference needs this among its orphans only:
      two values that match a parent under the collation match the same parent
      (whose keys are proven apart), so one of them fails the previous check.

    If any of these finds something, the whole refresh reads through
    ``exact_text``. Sorting (examples, ties) always uses ``exact_text``.
    """
    return any(conn.execute(query).first() is not None for query in _fold_witnesses())


def _fold_witnesses() -> list[Select]:
    """The queries of ``codes_fold``: each returns a row only if it found text the
    collation folds (a witness); cheapest kinds first."""
    enums: list[Select] = []
    refs: list[Select] = []
    groups: list[Select] = []
    for spec in SPECS.values():
        t = METADATA.tables[spec.name]
        for c in spec.columns:
            if c.type != "TEXT" or c.name in DISPLAY_NAMES:
                continue
            col = t.c[c.name]
            if c.enum:
                enums.append(select(col).where(col.in_(c.enum), exact_text(col).not_in(c.enum)).limit(1))
                continue
            if c.ref:
                parent = METADATA.tables[c.ref].c[key_column(c.ref)]
                joined = t.join(parent.table, parent == col)
                mismatch = exact_text(col) != exact_text(parent)
                refs.append(select(col).select_from(joined).where(mismatch).limit(1))
                if c.key:
                    orphans = t.outerjoin(parent.table, parent == col)
                    groups.append(_mixed_group(col, orphans, and_(parent.is_(None), col.is_not(None))))
                # A reference outside the key: its kept values equal parent keys exactly
                # (the join check), and its orphans are dropped or nulled alike.
                continue
            groups.append(_mixed_group(col, t, col.is_not(None)))
    return enums + refs + groups


def _mixed_group(col: ColumnElement, source: FromClause, where: ColumnElement[bool]) -> Select:
    """A group of ``col`` under the server's collation that holds two different byte strings."""
    return (
        select(literal(1))
        .select_from(source)
        .where(where)
        .group_by(col)
        .having(func.min(exact_text(col)) != func.max(exact_text(col)))
        .limit(1)
    )


@dataclass(frozen=True)
class FieldRule:
    """A field rule: which columns it guards and the condition under which a value is kept."""

    rule: str
    columns: tuple[str, ...]
    ok: Callable[[FromClause], ColumnElement[bool]]


def _between(col: ColumnElement, lo: float, hi: float) -> ColumnElement[bool]:
    return and_(col >= lo, col <= hi)


# Field rules other than ref_unknown (which comes from the contract's references).
VALUE_RULES: dict[str, tuple[FieldRule, ...]] = {
    "internship": (
        FieldRule("score_range", ("enterprise_score",), lambda t: _between(t.c.enterprise_score, 0, 100)),
        FieldRule("money_range", ("monthly_pay",), lambda t: t.c.monthly_pay >= 0),
        FieldRule("money_range", ("reference_wage",), lambda t: t.c.reference_wage > 0),
        FieldRule(
            "logs_range",
            ("logs_submitted", "logs_expected"),
            lambda t: and_(
                t.c.logs_submitted >= 0, t.c.logs_expected >= 0, t.c.logs_submitted <= t.c.logs_expected
            ),
        ),
    ),
    "graduate_destination": (
        FieldRule(
            "money_range",
            ("monthly_salary",),
            lambda t: and_(t.c.monthly_salary > 0, t.c.monthly_salary <= 200000),
        ),
    ),
}


def _table_rules(name: str, t: FromClause) -> dict[str, ColumnElement[bool]]:
    """Row rules that concern a single table's own columns (beyond the generic ones).

    Each predicate is NULL-safe: it is true exactly for the rows that break the
    rule, never NULL, so that NOT(any rule) keeps exactly the good rows.
    """
    if name == "internship":
        return {
            "internship_dates": or_(
                and_(
                    t.c.planned_end_date.is_not(None),
                    t.c.start_date.is_not(None),
                    t.c.planned_end_date < t.c.start_date,
                ),
                and_(t.c.end_date.is_not(None), t.c.start_date.is_not(None), t.c.end_date < t.c.start_date),
            )
        }
    if name == "graduate_destination":
        return {
            "destination_unplaced_dated": and_(
                t.c.destination.in_(("unplaced", "not_seeking")), t.c.placed_on.is_not(None)
            ),
            "destination_placed_undated": and_(t.c.destination.in_(PLACED), t.c.placed_on.is_(None)),
        }
    if name == "approval_instance":
        return {
            "approval_order": or_(
                and_(
                    t.c.finished_at.is_not(None),
                    t.c.submitted_at.is_not(None),
                    t.c.finished_at < t.c.submitted_at,
                ),
                and_(t.c.finished_at.is_(None), t.c.outcome.is_not(None)),
                and_(t.c.finished_at.is_not(None), t.c.outcome.is_(None)),
            )
        }
    if name == "approval_step":
        return {
            "step_order": or_(
                and_(t.c.acted_at.is_not(None), t.c.arrived_at.is_not(None), t.c.acted_at < t.c.arrived_at),
                and_(t.c.acted_at.is_(None), t.c.action.is_not(None)),
                and_(t.c.acted_at.is_not(None), t.c.action.is_(None)),
            )
        }
    if name == "major_industry":
        return {"weight_range": or_(t.c.weight.is_(None), t.c.weight <= 0, t.c.weight > 1)}
    if name == "industry_demand":
        return {"demand_range": or_(t.c.demand.is_(None), t.c.demand < 0)}
    return {}


@dataclass
class _Base:
    """A table with its rule lookups joined on: the FROM clause every rule reads.

    Duplicates and references are LEFT JOINs to derived tables (duplicate keys,
    the parent's kept keys) rather than ``IN (subquery)`` inside NOT/OR/CASE:
    MySQL-family engines turn the latter into a dependent subquery per row,
    while an outer join is planned well by SQLite, PostgreSQL and MariaDB alike.
    """

    from_: FromClause
    breaks: dict[str, ColumnElement[bool]]
    known: dict[str, ColumnElement[bool]]  # nullable reference column -> "names a kept row"


class CleanSource:
    """Builds, once per refresh, the rule predicates and kept-row subqueries.

    ``exact``: read every text column through ``exact_text`` (MySQL-family
    sources, see ``exact_codes``). ``absent``: the optional columns (contract
    v1.1) the source lacks, by table (``metrics.check.absent_optional``): read
    as NULL.
    """

    def __init__(self, exact: bool = False, absent: dict[str, frozenset[str]] | None = None) -> None:
        self.exact = exact
        self.absent = absent or {}
        self._bases: dict[str, _Base] = {}
        self._kept: dict[str, Subquery | Table] = {}
        self._raw: dict[str, FromClause] = {}

    def raw(self, name: str) -> FromClause:
        """The raw rows of a contract table, with codes that compare exactly."""
        if name not in self._raw:
            t = METADATA.tables[name]
            absent = self.absent.get(name, frozenset())
            if not self.exact and not absent:
                self._raw[name] = t
            else:
                cols = [
                    cast(null(), String()).label(c.name)
                    if c.name in absent
                    else exact_text(t.c[c.name]).label(c.name)
                    if c.type == "TEXT" and self.exact
                    else t.c[c.name]
                    for c in SPECS[name].columns
                ]
                self._raw[name] = select(*cols).select_from(t).subquery(f"raw_{name}")
        return self._raw[name]

    # -- row rules ---------------------------------------------------------
    def base(self, name: str) -> _Base:
        if name not in self._bases:
            self._bases[name] = self._build_base(SPECS[name])
        return self._bases[name]

    def breaks(self, name: str) -> dict[str, ColumnElement[bool]]:
        """Row rule id -> predicate (over ``base(name).from_``) true for the rows it catches."""
        return self.base(name).breaks

    def _build_base(self, spec: TableSpec) -> _Base:
        t = self.raw(spec.name)
        from_: FromClause = t
        rules: dict[str, ColumnElement[bool]] = {}
        required = [t.c[c.name] for c in spec.columns if c.required]
        if required:
            rules["row_not_null"] = or_(*(c.is_(None) for c in required))
        if spec.key:
            dup = self._duplicate_keys(t, spec.key)
            from_ = from_.outerjoin(dup, and_(*(dup.c[k] == t.c[k] for k in spec.key)))
            rules["row_duplicate_key"] = dup.c[spec.key[0]].is_not(None)
        orphans = []
        known: dict[str, ColumnElement[bool]] = {}
        for c in spec.columns:
            if not c.ref:
                continue
            parent = self.kept_keys(c.ref).subquery()
            pkey = parent.c[key_column(c.ref)]
            from_ = from_.outerjoin(parent, pkey == t.c[c.name])
            if c.required:
                orphans.append(and_(t.c[c.name].is_not(None), pkey.is_(None)))
            else:
                known[c.name] = pkey.is_not(None)
        if orphans:
            rules["row_orphan"] = or_(*orphans)
        enums = [and_(t.c[c.name].is_not(None), t.c[c.name].not_in(c.enum)) for c in spec.columns if c.enum]
        if enums:
            rules["row_enum"] = or_(*enums)
        rules.update(_table_rules(spec.name, t))
        return _Base(from_, rules, known)

    @staticmethod
    def _duplicate_keys(t: FromClause, key: tuple[str, ...]) -> Subquery:
        """The keys that more than one row shares (NULL keys are row_not_null's business)."""
        inner = t.alias()
        cols = [inner.c[k] for k in key]
        return (
            select(*cols)
            .where(*(c.is_not(None) for c in cols))
            .group_by(*cols)
            .having(func.count() > 1)
            .subquery()
        )

    def keep_predicate(self, name: str) -> ColumnElement[bool]:
        rules = list(self.breaks(name).values())
        return not_(or_(*rules)) if rules else true()

    def kept_keys(self, name: str) -> Select:
        """SELECT of the key of the kept rows of a referenced table (unique by construction)."""
        if name in self._kept and isinstance(self._kept[name], Table):
            return select(self._kept[name].c[key_column(name)])
        t = self.raw(name)
        return (
            select(t.c[key_column(name)]).select_from(self.base(name).from_).where(self.keep_predicate(name))
        )

    # -- kept rows with field rules applied --------------------------------
    def materialize(self, conn: Connection) -> None:
        """Store every table's kept rows once, parents first, as ``kept_<table>``
        tables on ``conn``, and read them from there from now on.

        For the embedded DuckDB of extract mode (never the source): the rule
        cascade (a child keeps a row only if its parent's kept rows name it) is
        then evaluated once per table instead of inside every indicator query,
        and each child's rules read its parents' stored keys.
        """
        for spec in TABLES:  # dependency order: parents before children
            query = select(*self.kept(spec.name).c)
            sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            name = f"kept_{spec.name}"
            conn.exec_driver_sql(f'CREATE OR REPLACE TABLE "{name}" AS {sql}')
            source = METADATA.tables[spec.name]
            self._kept[spec.name] = Table(
                name, MetaData(), *(Column(c.name, source.c[c.name].type) for c in spec.columns)
            )

    def prepare(self) -> None:
        """Build every table's kept-row query now, so that threads computing families
        side by side only read these caches (pushdown mode, ``metrics.engine``)."""
        for spec in TABLES:
            self.kept(spec.name)

    def kept(self, name: str) -> Subquery:
        """The kept rows of a table, every column under its contract name, bad fields as NULL."""
        if name not in self._kept:
            self._kept[name] = self._build_kept(SPECS[name])
        return self._kept[name]

    def _field_checks(self, spec: TableSpec) -> list[tuple[str, tuple[str, ...], ColumnElement[bool]]]:
        """(rule, columns, ok-condition) of every field rule of a table, references included."""
        t = self.raw(spec.name)
        checks = [("ref_unknown", (col,), ok) for col, ok in self.base(spec.name).known.items()]
        checks += [(r.rule, r.columns, r.ok(t)) for r in VALUE_RULES.get(spec.name, ())]
        return checks

    def _build_kept(self, spec: TableSpec) -> Subquery:
        t = self.raw(spec.name)
        guarded: dict[str, list[ColumnElement[bool]]] = {}
        for _rule, cols, ok in self._field_checks(spec):
            for col in cols:
                guarded.setdefault(col, []).append(ok)
        columns = []
        for c in spec.columns:
            col = t.c[c.name]
            if c.name in guarded:
                col = case((and_(*guarded[c.name]), col), else_=null())
            columns.append(col.label(c.name))
        query = select(*columns).select_from(self.base(spec.name).from_).where(self.keep_predicate(spec.name))
        return query.subquery(f"kept_{spec.name}")

    # -- counting ----------------------------------------------------------
    def count(self, conn: Connection) -> list[QualityCount]:
        """Rows caught per (rule, table), with up to EXAMPLES example keys each."""
        found: list[QualityCount] = []
        for spec in SPECS.values():
            t = self.raw(spec.name)
            row_rules = list(self.breaks(spec.name).items())
            field_rules = self._field_rule_breaks(spec)
            from_ = self.base(spec.name).from_
            found += self._count_table(conn, t, from_, spec, row_rules, None)
            found += self._count_table(conn, t, from_, spec, field_rules, self.keep_predicate(spec.name))
        found.append(self._destination_missing(conn))
        return found

    def _field_rule_breaks(self, spec: TableSpec) -> list[tuple[str, ColumnElement[bool]]]:
        """One predicate per field rule: the row has a set value that the rule rejects."""
        t = self.raw(spec.name)
        by_rule: dict[str, list[ColumnElement[bool]]] = {}
        for rule, cols, ok in self._field_checks(spec):
            is_set = and_(*(t.c[c].is_not(None) for c in cols))
            # ok may be NULL-valued for unusual inputs; coalesce makes "bad" strict.
            by_rule.setdefault(rule, []).append(and_(is_set, not_(func.coalesce(ok, false()))))
        return [(rule, or_(*preds)) for rule, preds in by_rule.items()]

    @staticmethod
    def _count_table(
        conn: Connection,
        t: FromClause,
        from_: FromClause,
        spec: TableSpec,
        rules: list[tuple[str, ColumnElement[bool]]],
        scope: ColumnElement[bool] | None,
    ) -> list[QualityCount]:
        """One scan per table: the database returns only the bad rows (key + one flag per rule).

        Bad rows are normally few, so counting them here costs nothing and
        saves a second query per rule for the examples.
        """
        if not rules:
            return []
        key_cols = [t.c[k] for k in (spec.key or tuple(c.name for c in spec.columns[:1]))]
        flags = [case((pred, 1), else_=0).label(f"r{i}") for i, (_, pred) in enumerate(rules)]
        where = or_(*(pred for _, pred in rules))
        if scope is not None:
            where = and_(where, scope)
        order = [exact_text(c) if isinstance(c.type, Text) else c for c in key_cols]
        query = select(*key_cols, *flags).select_from(from_).where(where).order_by(*order)
        counts = [0] * len(rules)
        examples: list[list[str]] = [[] for _ in rules]
        nk = len(key_cols)
        for row in conn.execution_options(stream_results=True, yield_per=10_000).execute(query):
            for i in range(len(rules)):
                if row[nk + i]:
                    counts[i] += 1
                    if len(examples[i]) < EXAMPLES:
                        examples[i].append("|".join("∅" if v is None else str(v) for v in row[:nk]))
        return [
            QualityCount(rule, spec.name, n, ex)
            for (rule, _), n, ex in zip(rules, counts, examples, strict=True)
        ]

    def _destination_missing(self, conn: Connection) -> QualityCount:
        s = self.kept("student")
        g = self.kept("graduate_destination")
        years = select(g.c.graduation_year).distinct().subquery()
        query = (
            select(s.c.student_id)
            .select_from(
                s.join(years, years.c.graduation_year == s.c.expected_graduation_year).outerjoin(
                    g, g.c.student_id == s.c.student_id
                )
            )
            .where(s.c.status != "withdrawn", g.c.student_id.is_(None))
            .order_by(exact_text(s.c.student_id))
        )
        n = 0
        examples: list[str] = []
        for (student_id,) in conn.execution_options(stream_results=True, yield_per=10_000).execute(query):
            n += 1
            if len(examples) < EXAMPLES:
                examples.append(student_id)
        return QualityCount("destination_missing", "graduate_destination", n, examples)


def source_counts(conn: Connection) -> dict[str, int]:
    """Raw row count of every contract table."""
    return {
        name: int(conn.execute(select(func.count()).select_from(METADATA.tables[name])).scalar_one())
        for name in SPECS
    }


__all__ = ["ALL_RULES", "CleanSource", "source_counts"]
