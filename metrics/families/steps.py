"""Step latency: median working days from arrival to action, by process and step, per month."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from metrics.families.common import Context
from metrics.families.stats import assign_periods, fetch_columns, group_codes, moment, segments, to_datetime64
from metrics.periods import end_of, months_ending
from metrics.results import Value

METRICS = ("step_latency_p50",)


def compute(ctx: Context) -> list[Value]:
    months = months_ending(ctx.as_of)
    a = ctx.clean.kept("approval_instance")
    s = ctx.clean.kept("approval_step")
    dialect = ctx.conn.dialect.name
    query = (
        select(
            a.c.process_code, s.c.step_name, moment(s.c.arrived_at, dialect), moment(s.c.acted_at, dialect)
        )
        .select_from(s.join(a, a.c.instance_id == s.c.instance_id))
        .where(s.c.acted_at >= months[0].start, s.c.acted_at < end_of(ctx.as_of))
    )
    process, step, arrived, acted = fetch_columns(ctx.conn, query, 4)
    if not len(process):
        return []
    acted64 = to_datetime64(acted)
    latency = ctx.calendar.durations(to_datetime64(arrived), acted64)
    group, keys = group_codes(process, step)
    idx = assign_periods(acted64, [m.start for m in months], [m.end for m in months])
    values = []
    for pi, gi, rows in segments(idx, group):
        proc, name = keys[gi]
        dims = {"process": str(proc), "step": str(name)}
        values.append(
            Value(
                "step_latency_p50",
                months[pi].label,
                dims,
                float(np.percentile(latency[rows], 50)),
                None,
                float(rows.size),
            )
        )
    return values
