"""OA approval indicators at school, department (the applicant's) and process grains.

Volume and backlog are counted in the database; latencies need working days
per instance, so the finished instances of the window are fetched (four narrow
columns, in chunks) and measured with the vectorised calendar.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sqlalchemy import and_, func, or_, select

from metrics.families.common import Context, count, emit, flag
from metrics.families.stats import assign_periods, factorize, fetch_columns, moment, segments, to_datetime64
from metrics.periods import Period, day_label, end_of, months_ending, weeks_ending
from metrics.results import Value

METRICS = (
    "approval_volume",
    "approval_latency_p50",
    "approval_latency_p90",
    "approval_overdue_rate",
    "approval_backlog",
    "approval_oldest_pending_days",
)
GRAINS = ("department", "process")
PENDING_PER_PROCESS = 10


def compute(ctx: Context) -> list[Value]:
    families = (months_ending(ctx.as_of), weeks_ending(ctx.as_of))
    values = _volume(ctx, families)
    values += _latency(ctx, families)
    values += _backlog(ctx)
    return values


def _grain_dims(grain: str, code: str) -> dict[str, str]:
    return {} if grain == "school" else {grain: code}


def _volume(ctx: Context, families: tuple[list[Period], ...]) -> list[Value]:
    """Instances submitted per period, one SUM(CASE …) column per period, grouped by process × department."""
    a = ctx.clean.kept("approval_instance")
    periods = [p for fam in families for p in fam]
    sums = [func.sum(flag(and_(a.c.submitted_at >= p.start, a.c.submitted_at < p.end))) for p in periods]
    start = min(p.start for p in periods)
    query = (
        select(a.c.process_code, a.c.department_code, *sums)
        .where(a.c.submitted_at >= start, a.c.submitted_at < end_of(ctx.as_of))
        .group_by(a.c.process_code, a.c.department_code)
    )
    totals: dict[tuple[str, str, str], float] = {}
    for process, department, *counts in ctx.conn.execute(query):
        for p, n in zip(periods, counts, strict=True):
            for grain, code in (("school", ""), ("department", department), ("process", process)):
                key = (p.label, grain, code)
                totals[key] = totals.get(key, 0) + float(n or 0)
    values: list[Value] = []
    for (label, grain, code), n in totals.items():
        emit(values, count("approval_volume", label, _grain_dims(grain, code), n))
    return values


def _latency(ctx: Context, families: tuple[list[Period], ...]) -> list[Value]:
    a = ctx.clean.kept("approval_instance")
    start = min(fam[0].start for fam in families)
    dialect = ctx.conn.dialect.name
    query = select(
        a.c.process_code,
        a.c.department_code,
        moment(a.c.submitted_at, dialect),
        moment(a.c.finished_at, dialect),
    ).where(
        a.c.outcome.in_(("approved", "rejected")),
        a.c.finished_at >= start,
        a.c.finished_at < end_of(ctx.as_of),
    )
    process, department, submitted, finished = fetch_columns(ctx.conn, query, 4)
    if not len(process):
        return []
    finished64 = to_datetime64(finished)
    latency = ctx.calendar.durations(to_datetime64(submitted), finished64)
    sla = _sla(ctx)
    codes, row_code = factorize(process)
    overdue = latency > np.array([sla[p] for p in codes], dtype=np.float64)[row_code]
    school = np.zeros(len(process), dtype=np.int8)
    values: list[Value] = []
    for fam in families:
        idx = assign_periods(finished64, [p.start for p in fam], [p.end for p in fam])
        for grain, groups in (("school", school), ("department", department), ("process", process)):
            for pi, code, rows in segments(idx, groups):
                values += _latency_values(
                    fam[pi].label, _grain_dims(grain, str(code)), latency[rows], overdue[rows]
                )
    return values


def _latency_values(period: str, dims: dict[str, str], lat: np.ndarray, overdue: np.ndarray) -> list[Value]:
    n = float(lat.size)
    late = float(overdue.sum())
    return [
        Value("approval_latency_p50", period, dims, float(np.percentile(lat, 50)), None, n),
        Value("approval_latency_p90", period, dims, float(np.percentile(lat, 90)), None, n),
        Value("approval_overdue_rate", period, dims, late / n, late, n),
    ]


def _sla(ctx: Context) -> dict[str, float]:
    p = ctx.clean.kept("approval_process")
    return {code: float(sla) for code, sla in ctx.conn.execute(select(p.c.process_code, p.c.sla_workdays))}


def pending_condition(ctx: Context, a):
    """Submitted before the end of D and not finished by then."""
    cut = end_of(ctx.as_of)
    return and_(a.c.submitted_at < cut, or_(a.c.finished_at.is_(None), a.c.finished_at >= cut))


def _backlog(ctx: Context) -> list[Value]:
    """Backlog count and oldest pending age; the oldest is the earliest submitted (age is monotone)."""
    a = ctx.clean.kept("approval_instance")
    query = (
        select(a.c.process_code, a.c.department_code, func.count(), func.min(a.c.submitted_at))
        .where(pending_condition(ctx, a))
        .group_by(a.c.process_code, a.c.department_code)
    )
    groups: dict[tuple[str, str], list] = {}
    for process, department, n, oldest in ctx.conn.execute(query):
        for grain, code in (("school", ""), ("department", department), ("process", process)):
            entry = groups.setdefault((grain, code), [0, oldest])
            entry[0] += n
            entry[1] = min(entry[1], oldest)
    period = day_label(ctx.as_of)
    cut = end_of(ctx.as_of)
    values: list[Value] = []
    for (grain, code), (n, oldest) in groups.items():
        dims = _grain_dims(grain, code)
        age = ctx.calendar.workdays_between(oldest, cut)
        values.append(Value("approval_backlog", period, dims, float(n), float(n), None))
        values.append(Value("approval_oldest_pending_days", period, dims, age, None, None))
    return values


def oldest_pending(ctx: Context) -> list[dict]:
    """The oldest pending instances of each process at end of D, with their waiting step.

    For the approvals drill-down: ids, working-day ages and step names only —
    no personal data is in the contract, and none is added here.
    """
    a = ctx.clean.kept("approval_instance")
    s = ctx.clean.kept("approval_step")
    cut = end_of(ctx.as_of)
    query = (
        select(a.c.instance_id, a.c.process_code, a.c.department_code, a.c.submitted_at)
        .where(pending_condition(ctx, a))
        .order_by(a.c.submitted_at, a.c.instance_id)
    )
    rows: list[tuple] = []
    taken: dict[str, int] = {}
    for row in ctx.conn.execution_options(stream_results=True, yield_per=10_000).execute(query):
        if taken.get(row[1], 0) < PENDING_PER_PROCESS:
            taken[row[1]] = taken.get(row[1], 0) + 1
            rows.append(tuple(row))
    if not rows:
        return []
    waiting = select(s.c.instance_id, s.c.step_no, s.c.step_name).where(
        s.c.instance_id.in_([r[0] for r in rows]),
        s.c.arrived_at < cut,
        or_(s.c.acted_at.is_(None), s.c.acted_at >= cut),
    )
    step_of: dict[str, tuple[int, str]] = {}
    for instance, step_no, name in ctx.conn.execute(waiting):
        if instance not in step_of or step_no > step_of[instance][0]:
            step_of[instance] = (step_no, name)
    ages = ctx.calendar.durations(to_datetime64([r[3] for r in rows]), to_datetime64([cut] * len(rows)))
    return [
        {
            "instance_id": instance,
            "process": process,
            "department": department,
            "submitted_at": _iso(submitted),
            "step": step_of.get(instance, (0, None))[1],
            "age_workdays": round(float(age), 2),
        }
        for (instance, process, department, submitted), age in zip(rows, ages, strict=True)
    ]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")
