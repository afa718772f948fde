"""Employment indicators, per cohort (graduation_year) at school, department and major."""

from __future__ import annotations

from sqlalchemy import and_, case, func, select

from metrics.contract import EMPLOYED, PLACED
from metrics.families.common import Context, emit, flag, rate, rollup_by_major
from metrics.periods import cohort_label
from metrics.results import Value

METRICS = (
    "placement_rate",
    "major_related_rate",
    "industry_fit_rate",
    "province_employment_rate",
    "city_employment_rate",
    "avg_monthly_salary",
)


def compute(ctx: Context) -> list[Value]:
    rows = _per_major(ctx)
    fit = _industry_fit(ctx)
    for period, major, sums in rows:
        sums["fit"] = fit.get((period, major), 0)
    values: list[Value] = []
    for (period, _), (dims, s) in rollup_by_major(rows, ctx.major_department).items():
        emit(
            values,
            rate("placement_rate", period, dims, s["placed"], s["roster"]),
            rate("major_related_rate", period, dims, s["related"], s["related_known"]),
            rate("industry_fit_rate", period, dims, s["fit"], s["industry_known"]),
            rate("province_employment_rate", period, dims, s["province"], s["region_known"]),
            rate("city_employment_rate", period, dims, s["city"], s["region_known"]),
            rate("avg_monthly_salary", period, dims, s["salary_sum"], s["salary_n"]),
        )
    return values


def _employed(ctx: Context, g) -> object:
    return and_(g.c.destination.in_(EMPLOYED), g.c.placed_on <= ctx.as_of)


def _per_major(ctx: Context) -> list[tuple[str, str, dict[str, float]]]:
    """Counts and sums per (cohort, major), all in one pushed-down query."""
    g = ctx.clean.kept("graduate_destination")
    s = ctx.clean.kept("student")
    employed = _employed(ctx, g)
    region = ctx.school["region_code"]
    province = func.substr(g.c.work_region_code, 1, 2) == region[:2]
    city = func.substr(g.c.work_region_code, 1, 4) == region[:4]
    known_region = g.c.work_region_code.is_not(None)
    query = (
        select(
            g.c.graduation_year,
            s.c.major_code,
            func.count().label("roster"),
            func.sum(flag(and_(g.c.destination.in_(PLACED), g.c.placed_on <= ctx.as_of))).label("placed"),
            func.sum(flag(and_(employed, g.c.major_related.is_(True)))).label("related"),
            func.sum(flag(and_(employed, g.c.major_related.is_not(None)))).label("related_known"),
            func.sum(flag(and_(employed, g.c.industry_code.is_not(None)))).label("industry_known"),
            func.sum(flag(and_(employed, known_region, province))).label("province"),
            func.sum(flag(and_(employed, known_region, city))).label("city"),
            func.sum(flag(and_(employed, known_region))).label("region_known"),
            func.sum(flag(and_(employed, g.c.monthly_salary.is_not(None)))).label("salary_n"),
            func.sum(
                case((and_(employed, g.c.monthly_salary.is_not(None)), g.c.monthly_salary), else_=0)
            ).label("salary_sum"),
        )
        .select_from(g.join(s, s.c.student_id == g.c.student_id))
        .group_by(g.c.graduation_year, s.c.major_code)
    )
    out = []
    for row in ctx.conn.execute(query).mappings():
        sums = {k: float(row[k] or 0) for k in row if k not in ("graduation_year", "major_code")}
        out.append((cohort_label(int(row["graduation_year"])), row["major_code"], sums))
    return out


def _industry_fit(ctx: Context) -> dict[tuple[str, str], float]:
    """Employed graduates whose industry starts with one of their major's codes.

    The database groups employed graduates by (cohort, major, industry code);
    the prefix test against the small major→industry map is done here, which
    keeps the SQL portable (no dialect-specific string concatenation).
    """
    g = ctx.clean.kept("graduate_destination")
    s = ctx.clean.kept("student")
    mi = ctx.clean.kept("major_industry")
    codes: dict[str, list[str]] = {}
    for major, industry in ctx.conn.execute(select(mi.c.major_code, mi.c.industry_code)):
        codes.setdefault(major, []).append(industry)
    query = (
        select(g.c.graduation_year, s.c.major_code, g.c.industry_code, func.count())
        .select_from(g.join(s, s.c.student_id == g.c.student_id))
        .where(_employed(ctx, g), g.c.industry_code.is_not(None))
        .group_by(g.c.graduation_year, s.c.major_code, g.c.industry_code)
    )
    fit: dict[tuple[str, str], float] = {}
    for year, major, industry, n in ctx.conn.execute(query):
        if any(industry.startswith(code) for code in codes.get(major, ())):
            key = (cohort_label(int(year)), major)
            fit[key] = fit.get(key, 0) + n
    return fit
