"""Internship (岗位实习) indicators, per cohort (expected_graduation_year).

The cohort is the kept students of that year who have not withdrawn; its
internships are theirs that started by D.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, and_, case, func, literal, select

from metrics.contract import EMPLOYED
from metrics.families.common import Context, count, emit, flag, rate, rollup_by_major
from metrics.periods import cohort_label, headline_cohorts
from metrics.results import Value

METRICS = (
    "internship_rate",
    "internship_match_rate",
    "internship_insured_rate",
    "internship_retention_rate",
    "internship_avg_score",
    "internship_log_rate",
    "internship_underpaid_count",
    "partner_enterprises_active",
)


def compute(ctx: Context) -> list[Value]:
    students = _students_per_major(ctx)
    internships = _internships_per_major(ctx)
    rows = []
    for key, sums in students.items():
        merged = dict(sums)
        merged.update(internships.get(key, {}))
        rows.append((key[0], key[1], merged))
    values: list[Value] = []
    for (period, _), (dims, s) in rollup_by_major(rows, ctx.major_department).items():
        emit(
            values,
            rate("internship_rate", period, dims, s["interns"], s["students"]),
            rate("internship_match_rate", period, dims, s["related"], s["related_known"]),
            rate("internship_insured_rate", period, dims, s["insured"], s["internships"]),
            rate("internship_retention_rate", period, dims, s["retained"], s["interns"]),
            rate("internship_avg_score", period, dims, s["score_sum"], s["score_n"]),
            rate("internship_log_rate", period, dims, s["logs_submitted"], s["logs_expected"]),
            count("internship_underpaid_count", period, dims, s["underpaid"], s["pay_known"]),
        )
    values += _partner_hosts(ctx)
    return values


def _cohort_students(ctx: Context):
    s = ctx.clean.kept("student")
    return s, s.c.status != "withdrawn"


def _started(ctx: Context):
    i = ctx.clean.kept("internship")
    return i, i.c.start_date <= ctx.as_of


def _students_per_major(ctx: Context) -> dict[tuple[str, str], dict[str, float]]:
    """Cohort students, interns and retained interns per (cohort, major).

    Three plain GROUP BYs rather than one query with outer-joined DISTINCT
    subqueries: every engine plans these well.
    """
    s, in_cohort = _cohort_students(ctx)
    i, started = _started(ctx)
    g = ctx.clean.kept("graduate_destination")
    year, major = s.c.expected_graduation_year, s.c.major_code
    with_students = i.join(s, s.c.student_id == i.c.student_id)
    queries = {
        "students": select(year, major, func.count()).where(in_cohort),
        "interns": select(year, major, func.count(func.distinct(i.c.student_id)))
        .select_from(with_students)
        .where(in_cohort, started),
        "retained": select(year, major, func.count(func.distinct(i.c.student_id)))
        .select_from(
            with_students.join(
                g, and_(g.c.student_id == i.c.student_id, g.c.enterprise_id == i.c.enterprise_id)
            )
        )
        .where(in_cohort, started, g.c.destination.in_(EMPLOYED), g.c.placed_on <= ctx.as_of),
    }
    out: dict[tuple[str, str], dict[str, float]] = {}
    for name, query in queries.items():
        for y, m, n in ctx.conn.execute(query.group_by(year, major)):
            out.setdefault((cohort_label(int(y)), m), {"students": 0, "interns": 0, "retained": 0})[name] = n
    return out


def _internships_per_major(ctx: Context) -> dict[tuple[str, str], dict[str, float]]:
    """Sums over the cohort's started internships per (cohort, major)."""
    s, in_cohort = _cohort_students(ctx)
    i, started = _started(ctx)
    logs_ok = and_(i.c.logs_submitted.is_not(None), i.c.logs_expected.is_not(None))
    pay_ok = and_(i.c.monthly_pay.is_not(None), i.c.reference_wage.is_not(None))
    query = (
        select(
            s.c.expected_graduation_year,
            s.c.major_code,
            func.count().label("internships"),
            func.sum(flag(i.c.major_related.is_(True))).label("related"),
            func.sum(flag(i.c.major_related.is_not(None))).label("related_known"),
            func.sum(flag(i.c.insured.is_(True))).label("insured"),
            func.sum(func.coalesce(i.c.enterprise_score, 0)).label("score_sum"),
            func.count(i.c.enterprise_score).label("score_n"),
            func.sum(case((logs_ok, i.c.logs_submitted), else_=0)).label("logs_submitted"),
            func.sum(case((logs_ok, i.c.logs_expected), else_=0)).label("logs_expected"),
            func.sum(flag(and_(pay_ok, _underpaid(i, ctx.conn.dialect.name)))).label("underpaid"),
            func.sum(flag(pay_ok)).label("pay_known"),
        )
        .select_from(i.join(s, s.c.student_id == i.c.student_id))
        .where(in_cohort, started)
        .group_by(s.c.expected_graduation_year, s.c.major_code)
    )
    out = {}
    for row in ctx.conn.execute(query).mappings():
        key = (cohort_label(int(row["expected_graduation_year"])), row["major_code"])
        out[key] = {k: float(row[k] or 0) for k in row if k not in ("expected_graduation_year", "major_code")}
    return out


def _underpaid(i, dialect: str) -> object:
    """monthly_pay < 0.8 × reference_wage, exactly as stored.

    Compared as 5·pay < 4·wage, so no rounded 0.8 enters. On decimal engines
    (DuckDB's DECIMAL(38, 10) in extract mode, NUMERIC/DECIMAL in pushdown) the
    products are exact: 3999.99996 against 5000 is under 80%. SQLite holds
    binary floats, whose products can land a hair off an exact 80%, so there
    both sides are first rounded to units of 1e-10 yuan — the scale the extract
    keeps — and the two modes agree.
    """
    pay, wage = i.c.monthly_pay, i.c.reference_wage
    if dialect == "sqlite":
        pay = func.round(pay * 10_000_000_000)
        wage = func.round(wage * 10_000_000_000)
    return pay * 5 < wage * 4


def _partner_hosts(ctx: Context) -> list[Value]:
    """Distinct partner hosts (not additive across majors, so counted per grain in SQL)."""
    s, in_cohort = _cohort_students(ctx)
    i, started = _started(ctx)
    e = ctx.clean.kept("enterprise")
    m = ctx.clean.kept("major")
    base = i.join(s, s.c.student_id == i.c.student_id).join(e, e.c.enterprise_id == i.c.enterprise_id)
    partner = func.count(func.distinct(case((e.c.is_partner.is_(True), i.c.enterprise_id))))
    hosts = func.count(func.distinct(i.c.enterprise_id))
    year = s.c.expected_graduation_year
    values: list[Value] = []
    school = select(year, partner, hosts).select_from(base).where(in_cohort, started).group_by(year)
    for y, p, h in ctx.conn.execute(school):
        emit(values, count("partner_enterprises_active", cohort_label(int(y)), {}, float(p), float(h)))
    dept = (
        select(year, m.c.department_code, partner, hosts)
        .select_from(base.join(m, m.c.major_code == s.c.major_code))
        .where(in_cohort, started)
        .group_by(year, m.c.department_code)
    )
    for y, d, p, h in ctx.conn.execute(dept):
        emit(
            values,
            count("partner_enterprises_active", cohort_label(int(y)), {"department": d}, float(p), float(h)),
        )
    return values


def hosts(ctx: Context, low_score_below: float | None) -> dict:
    """Per host enterprise and department, the current internship cohort's figures (实习管理).

    The cohort is the one in its final school year at D
    (metrics.periods.headline_cohorts), its internships those that started by D,
    as for every internship indicator. Per (enterprise, department of the
    student): ``internships``, ``uninsured`` (not ``insured``), ``underpaid``
    and ``pay_known`` (the rule of ``internship_underpaid_count``),
    ``score_sum`` and ``score_n`` (the mean of ``internship_avg_score``), and
    ``low_score`` (scores below ``low_score_below``, the warning threshold of
    internship_avg_score; None when none is configured). Counted in the
    database per (enterprise, major), added up to departments here.

    Only enterprises with an uninsured or underpaid internship or a low score
    anywhere are kept — the list the internship office acts on — but every
    department's row of such an enterprise is, so that a scope's figures at a
    host are complete. Returns ``{"cohort", "low_score_below", "enterprises":
    {id: {"name_zh", "is_partner"}}, "rows": [...]}``.
    """
    cohort = headline_cohorts(ctx.as_of)["internship"]
    s, in_cohort = _cohort_students(ctx)
    i, started = _started(ctx)
    e = ctx.clean.kept("enterprise")
    dialect = ctx.conn.dialect.name
    pay_ok = and_(i.c.monthly_pay.is_not(None), i.c.reference_wage.is_not(None))
    low = (
        func.sum(flag(_below(i.c.enterprise_score, low_score_below, dialect)))
        if low_score_below is not None
        else func.sum(0)
    )
    query = (
        select(
            i.c.enterprise_id,
            s.c.major_code,
            func.count().label("internships"),
            func.sum(flag(i.c.insured.is_(True))).label("insured"),
            func.sum(flag(and_(pay_ok, _underpaid(i, dialect)))).label("underpaid"),
            func.sum(flag(pay_ok)).label("pay_known"),
            func.sum(func.coalesce(i.c.enterprise_score, 0)).label("score_sum"),
            func.count(i.c.enterprise_score).label("score_n"),
            low.label("low_score"),
        )
        .select_from(i.join(s, s.c.student_id == i.c.student_id))
        .where(in_cohort, started, s.c.expected_graduation_year == cohort)
        .group_by(i.c.enterprise_id, s.c.major_code)
    )
    sums: dict[tuple[str, str], dict[str, float]] = {}
    for row in ctx.conn.execute(query).mappings():
        key = (row["enterprise_id"], ctx.major_department[row["major_code"]])
        target = sums.setdefault(key, dict.fromkeys(_HOST_SUMS, 0.0))
        for name in _HOST_SUMS:
            target[name] += float(row[name] or 0)
    flagged = {
        ent
        for (ent, _), v in sums.items()
        if v["internships"] > v["insured"] or v["underpaid"] or v["low_score"]
    }
    rows = []
    for (ent, dept), v in sorted(sums.items()):
        if ent not in flagged:
            continue
        rows.append(
            {
                "enterprise": ent,
                "department": dept,
                "internships": int(v["internships"]),
                "uninsured": int(v["internships"] - v["insured"]),
                "underpaid": int(v["underpaid"]),
                "pay_known": int(v["pay_known"]),
                "score_sum": v["score_sum"],
                "score_n": int(v["score_n"]),
                "low_score": None if low_score_below is None else int(v["low_score"]),
            }
        )
    enterprises = {}
    codes = sorted(flagged)
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        names = select(e.c.enterprise_id, e.c.name_zh, e.c.is_partner).where(e.c.enterprise_id.in_(chunk))
        for ent, name, partner in ctx.conn.execute(names):
            enterprises[ent] = {"name_zh": name, "is_partner": bool(partner)}
    return {"cohort": cohort, "low_score_below": low_score_below, "enterprises": enterprises, "rows": rows}


_HOST_SUMS = ("internships", "insured", "underpaid", "pay_known", "score_sum", "score_n", "low_score")


def _below(score, threshold: float, dialect: str) -> object:
    """score < threshold as stored (SQLite's floats rounded to 1e-10 first, as for pay)."""
    if dialect == "sqlite":
        return func.round(score * 10_000_000_000) < round(threshold * 10_000_000_000)
    return score < literal(Decimal(str(threshold)), Numeric(38, 10))
