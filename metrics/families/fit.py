"""Major–industry fit at day:D: student supply by industry section vs regional demand."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, or_, select

from metrics.families.common import Context, count, emit
from metrics.periods import day_label, month_labels_ending, supply_year
from metrics.results import Value

METRICS = ("structure_fit_index", "industry_deviation", "partner_enterprise_count")


def compute(ctx: Context) -> list[Value]:
    period = day_label(ctx.as_of)
    values: list[Value] = []
    supply = _shares(_supply(ctx))
    demand = _shares(_demand(ctx))
    if supply and demand:
        sections = sorted(set(supply) | set(demand))
        gap = sum(abs(supply.get(i, 0.0) - demand.get(i, 0.0)) for i in sections)
        values.append(Value("structure_fit_index", period, {}, 1 - gap / 2, None, None))
        for i in sections:
            d = demand.get(i, 0.0)
            if d > 0:
                s = supply.get(i, 0.0)
                values.append(Value("industry_deviation", period, {"industry": i}, s / d - 1, s, d))
    emit(values, count("partner_enterprise_count", period, {}, _partners(ctx)))
    return values


def _shares(totals: dict[str, float]) -> dict[str, float]:
    """Each section's share of the whole; empty when the whole is 0 (undefined)."""
    whole = sum(totals.values())
    return {k: v / whole for k, v in totals.items()} if whole > 0 else {}


def _supply(ctx: Context) -> dict[str, float]:
    """Σ weight by section over students of the three latest intakes (not withdrawn)."""
    s = ctx.clean.kept("student")
    mi = ctx.clean.kept("major_industry")
    a = supply_year(ctx.as_of)
    per_major = dict(
        ctx.conn.execute(
            select(s.c.major_code, func.count())
            .where(s.c.entry_year.in_((a - 2, a - 1, a)), s.c.status != "withdrawn")
            .group_by(s.c.major_code)
        ).all()
    )
    totals: dict[str, float] = defaultdict(float)
    for major, industry, weight in ctx.conn.execute(select(mi.c.major_code, mi.c.industry_code, mi.c.weight)):
        if major in per_major:
            totals[industry[0]] += per_major[major] * float(weight)
    return totals


def _demand(ctx: Context) -> dict[str, float]:
    """Σ demand by section in the school's region over the 12 months ending D's month."""
    d = ctx.clean.kept("industry_demand")
    section = func.substr(d.c.industry_code, 1, 1)
    query = (
        select(section, func.sum(d.c.demand))
        .where(d.c.region_code == ctx.school["region_code"], d.c.period.in_(month_labels_ending(ctx.as_of)))
        .group_by(section)
    )
    return {sec: float(total) for sec, total in ctx.conn.execute(query) if total is not None}


def _partners(ctx: Context) -> float:
    e = ctx.clean.kept("enterprise")
    query = (
        select(func.count())
        .select_from(e)
        .where(e.c.is_partner.is_(True), or_(e.c.partner_since.is_(None), e.c.partner_since <= ctx.as_of))
    )
    return float(ctx.conn.execute(query).scalar_one())
