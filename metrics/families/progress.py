"""Placement progress: the headline cohort's placement rate week by week, against the
previous cohort on the same calendar days one year earlier.

Each point is exactly ``placement_rate`` as of that day (placed_on ≤ day ÷
roster), so the curve agrees with the indicator at every as-of date. It is
computed from one GROUP BY over placement dates, which is far cheaper than a
refresh per week and needs no history in the store.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from metrics.contract import PLACED
from metrics.families.common import Context
from metrics.periods import headline_cohorts


def season_days(as_of: date) -> list[date]:
    """Week ends (Sundays) from the season's start (1 September of the year before) to D, then D."""
    season_start = date(headline_cohorts(as_of)["employment"] - 1, 9, 1)
    first_sunday = season_start + timedelta(days=(6 - season_start.weekday()) % 7)
    days = []
    day = first_sunday
    while day < as_of:
        days.append(day)
        day += timedelta(weeks=1)
    days.append(as_of)
    return days


def _shift_year(day: date) -> date:
    """The same calendar day one year earlier (28 Feb for 29 Feb)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def compute(ctx: Context) -> dict:
    """{"cohort", "previous_cohort", "days", "series": [{"dims", "current", "previous"}]}."""
    cohort = headline_cohorts(ctx.as_of)["employment"]
    days = season_days(ctx.as_of)
    last_days = [_shift_year(d) for d in days]
    g = ctx.clean.kept("graduate_destination")
    s = ctx.clean.kept("student")
    base = g.join(s, s.c.student_id == g.c.student_id)
    roster: dict[tuple[int, str], int] = defaultdict(int)
    query = (
        select(g.c.graduation_year, s.c.major_code, func.count())
        .select_from(base)
        .where(g.c.graduation_year.in_((cohort, cohort - 1)))
        .group_by(g.c.graduation_year, s.c.major_code)
    )
    for year, major, n in ctx.conn.execute(query):
        roster[(int(year), "")] += n
        roster[(int(year), ctx.major_department[major])] += n
    placed: dict[tuple[int, str], list[tuple[date, int]]] = defaultdict(list)
    query = (
        select(g.c.graduation_year, s.c.major_code, g.c.placed_on, func.count())
        .select_from(base)
        .where(g.c.graduation_year.in_((cohort, cohort - 1)), g.c.destination.in_(PLACED))
        .group_by(g.c.graduation_year, s.c.major_code, g.c.placed_on)
    )
    for year, major, placed_on, n in ctx.conn.execute(query):
        placed[(int(year), "")].append((placed_on, n))
        placed[(int(year), ctx.major_department[major])].append((placed_on, n))
    series = []
    for key in sorted({k[1] for k in roster}):
        dims = {"department": key} if key else {}
        series.append(
            {
                "dims": dims,
                "current": _curve(placed[(cohort, key)], roster.get((cohort, key), 0), days),
                "previous": _curve(placed[(cohort - 1, key)], roster.get((cohort - 1, key), 0), last_days),
            }
        )
    return {
        "cohort": cohort,
        "previous_cohort": cohort - 1,
        "days": [d.isoformat() for d in days],
        "previous_days": [d.isoformat() for d in last_days],
        "series": series,
    }


def _curve(events: list[tuple[date, int]], roster: int, days: list[date]) -> list[float | None]:
    """Placement rate as of each day: Σ placed with placed_on ≤ day ÷ roster (None without roster)."""
    if not roster:
        return [None] * len(days)
    events = sorted(events)
    out = []
    total = 0
    i = 0
    for day in days:
        while i < len(events) and events[i][0] <= day:
            total += events[i][1]
            i += 1
        out.append(total / roster)
    return out
