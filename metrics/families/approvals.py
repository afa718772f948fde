"""OA approval indicators at school, department (the applicant's) and process grains.

Volume and backlog are counted in the database; latencies need working days
per instance, so the finished instances of the window are fetched (four narrow
columns, in chunks) and measured with the vectorised calendar.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import and_, func, or_, select

from metrics.families.common import Context, count, emit, flag
from metrics.families.stats import (
    assign_periods,
    factorize,
    fetch_columns,
    group_codes,
    moment,
    segments,
    to_datetime64,
)
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
PENDING_PER_GROUP = 50  # pending instances kept per (process, waiting step, department)


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


def pending_drill(ctx: Context) -> tuple[list[dict], dict]:
    """What the approvals drill needs at end of D: the pending instances and their steps.

    Returns ``(pending, approval_steps)``. ``pending``: every instance pending at
    end of D — at most PENDING_PER_GROUP, the earliest submitted (the oldest), per
    (process, waiting step, applicant department) — with its waiting step (the
    highest ``step_no`` that arrived before end of D and was not acted by then;
    None when every step is acted but the instance is not closed), the step's
    ``step_no``, the working-day ages of the instance (from
    ``submitted_at``) and of the wait at that step (from its ``arrived_at``), the process's SLA and
    whether the age is past it (``age > sla``, the overdue rule).
    ``approval_steps``: ``{"order": {process: [step names in workflow order]},
    "pending": [{"process", "step", "department", "count"}], "per_group"}`` — the
    exact number pending per group, however many the list keeps.

    Ids, codes, step names and ages only: no personal data is in the contract,
    and none is added here.
    """
    a = ctx.clean.kept("approval_instance")
    s = ctx.clean.kept("approval_step")
    cut = end_of(ctx.as_of)
    dialect = ctx.conn.dialect.name
    query = select(
        a.c.instance_id, a.c.process_code, a.c.department_code, moment(a.c.submitted_at, dialect)
    ).where(pending_condition(ctx, a))
    instances = fetch_columns(ctx.conn, query, 4)
    waiting = (
        select(s.c.instance_id, s.c.step_no, s.c.step_name, moment(s.c.arrived_at, dialect))
        .select_from(s.join(a, a.c.instance_id == s.c.instance_id))
        .where(
            pending_condition(ctx, a),
            s.c.arrived_at < cut,
            or_(s.c.acted_at.is_(None), s.c.acted_at >= cut),
        )
    )
    step_of: dict[str, tuple[int, str, object]] = {}
    for instance, step_no, name, arrived in zip(*fetch_columns(ctx.conn, waiting, 4), strict=True):
        if instance not in step_of or int(step_no) > step_of[instance][0]:
            step_of[instance] = (int(step_no), name, arrived)
    seen: dict[str, dict[str, int]] = {}
    for instance, process in zip(instances[0], instances[1], strict=True):
        if instance in step_of:
            no, name, _ = step_of[instance]
            seen.setdefault(process, {})[name] = min(no, seen.get(process, {}).get(name, no))
    order = _step_order(ctx, seen)
    if len(instances[0]) == 0:
        return [], {"order": order, "pending": [], "per_group": PENDING_PER_GROUP}
    # Oldest first, ties by id in code-point order: the same on every engine, whatever
    # its collation (so both modes keep the same instances of a full group).
    submitted64 = to_datetime64(instances[3])
    rank = sorted(range(len(submitted64)), key=lambda k: (submitted64[k], instances[0][k]))
    ids, processes, departments = ([col[k] for k in rank] for col in instances[:3])
    submitted64 = submitted64[rank]
    ends = np.full(len(ids), np.datetime64(cut, "us"))
    ages = ctx.calendar.durations(submitted64, ends)
    sla = _sla(ctx)
    counts: dict[tuple[str, str | None, str], int] = {}
    kept: list[int] = []
    for k, (instance, process, department) in enumerate(zip(ids, processes, departments, strict=True)):
        group = (process, step_of.get(instance, (0, None, None))[1], department)
        counts[group] = counts.get(group, 0) + 1
        if counts[group] <= PENDING_PER_GROUP:
            kept.append(k)
    waits = [step_of[ids[k]] for k in kept if ids[k] in step_of]
    step_ages = iter(
        ctx.calendar.durations(
            to_datetime64([w[2] for w in waits]), np.full(len(waits), np.datetime64(cut, "us"))
        )
        if waits
        else []
    )
    pending = []
    for k in kept:
        instance, process = ids[k], processes[k]
        step_no, step, arrived = step_of.get(instance, (None, None, None))
        pending.append(
            {
                "instance_id": instance,
                "process": process,
                "department": departments[k],
                "submitted_at": _iso64(submitted64[k]),
                "step": step,
                "step_no": step_no,
                "age_workdays": round(float(ages[k]), 6),
                "step_age_workdays": None if arrived is None else round(float(next(step_ages)), 6),
                "sla_workdays": sla.get(process),
                "over_sla": process in sla and bool(ages[k] > sla[process]),
            }
        )
    groups = [
        {"process": p, "step": st, "department": d, "count": n}
        for (p, st, d), n in sorted(counts.items(), key=lambda x: (x[0][0], x[0][1] or "", x[0][2]))
    ]
    return pending, {"order": order, "pending": groups, "per_group": PENDING_PER_GROUP}


def _step_order(ctx: Context, waiting: dict[str, dict[str, int]]) -> dict[str, list[str]]:
    """Each process's steps in workflow order (contract: ``step_no`` 1..n).

    A step name's place is its mean ``step_no`` over the steps that arrived in
    the 12 months ending with D's (optional steps and steps sent back and
    repeated move a name's number from one instance to another; the mean keeps
    the usual order), ties broken by its smallest ``step_no``. A waiting step not
    seen in that window (``waiting``: process -> name -> step_no) takes its own
    number. Sums and counts come from the database and the division is done
    here, so every engine and both modes order alike.
    """
    a = ctx.clean.kept("approval_instance")
    s = ctx.clean.kept("approval_step")
    start = months_ending(ctx.as_of)[0].start
    # Narrow rows, grouped here: a GROUP BY on two text columns makes MySQL-family
    # servers build an on-disk temporary table (seconds in pushdown mode).
    query = (
        select(a.c.process_code, s.c.step_name, s.c.step_no)
        .select_from(s.join(a, a.c.instance_id == s.c.instance_id))
        .where(s.c.arrived_at >= start, s.c.arrived_at < end_of(ctx.as_of))
    )
    process, name, step_no = fetch_columns(ctx.conn, query, 3)
    keys: dict[str, dict[str, tuple[float, int]]] = {}
    if len(process):
        group, names = group_codes(process, name)
        numbers = step_no.astype(np.int64)
        totals = np.bincount(group, weights=numbers, minlength=len(names))
        counts = np.bincount(group, minlength=len(names))
        firsts = np.full(len(names), np.iinfo(np.int64).max)
        np.minimum.at(firsts, group, numbers)
        for g, (proc, step) in enumerate(names):
            keys.setdefault(str(proc), {})[str(step)] = (int(totals[g]) / int(counts[g]), int(firsts[g]))
    for process, steps in waiting.items():
        for name, no in steps.items():
            keys.setdefault(process, {}).setdefault(name, (float(no), no))
    return {
        process: [name for name, _ in sorted(steps.items(), key=lambda x: (x[1], x[0]))]
        for process, steps in sorted(keys.items())
    }


def _iso64(moment: np.datetime64) -> str:
    """A datetime64[us] as the contract's text, fractions of a second only when present."""
    text = str(np.datetime_as_string(moment, unit="us")).replace("T", " ")
    return text[:19] if text.endswith(".000000") else text
