"""Periods of metrics.md: the 12 months and 13 ISO weeks ending with D's, and labels.

A period is a half-open interval of wall-clock time [start, end); one that runs
past the as-of date is cut at the end of D (D+1 00:00:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MONTHS = 12
WEEKS = 13


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime  # exclusive, already cut at end of D


def end_of(day: date) -> datetime:
    """End of D: D+1 00:00:00, exclusive."""
    return datetime.combine(day + timedelta(days=1), time())


def _month_start(year: int, month: int) -> date:
    """First day of a month given by a possibly out-of-range month number."""
    years, month0 = divmod(year * 12 + month - 1, 12)
    return date(years, month0 + 1, 1)


def months_ending(as_of: date, count: int = MONTHS) -> list[Period]:
    """The ``count`` calendar months ending with D's month, oldest first."""
    cut = end_of(as_of)
    out = []
    for back in range(count - 1, -1, -1):
        first = _month_start(as_of.year, as_of.month - back)
        nxt = _month_start(first.year, first.month + 1)
        end = min(datetime.combine(nxt, time()), cut)
        out.append(Period(f"month:{first:%Y-%m}", datetime.combine(first, time()), end))
    return out


def week_label(day: date) -> str:
    iso = day.isocalendar()
    return f"week:{iso.year}-W{iso.week:02d}"


def weeks_ending(as_of: date, count: int = WEEKS) -> list[Period]:
    """The ``count`` ISO weeks ending with D's week, oldest first."""
    cut = end_of(as_of)
    monday = as_of - timedelta(days=as_of.weekday())
    out = []
    for back in range(count - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        end = min(datetime.combine(start + timedelta(days=7), time()), cut)
        out.append(Period(week_label(start), datetime.combine(start, time()), end))
    return out


def day_label(day: date) -> str:
    return f"day:{day.isoformat()}"


def cohort_label(year: int) -> str:
    return f"cohort:{year}"


def supply_year(as_of: date) -> int:
    """A of metrics.md: D's year from September on, else the year before."""
    return as_of.year if as_of.month >= 9 else as_of.year - 1


def month_labels_ending(as_of: date, count: int = MONTHS) -> list[str]:
    """'YYYY-MM' texts of the months ending with D's month (industry_demand.period)."""
    return [p.label.removeprefix("month:") for p in months_ending(as_of, count)]


def headline_cohorts(as_of: date) -> dict[str, int]:
    """The cohort each family headlines at D (docs/metrics-decisions.md).

    Employment: the cohort graduating in D's year, whose tracking season runs
    to 12-31 of that year. Internship: the cohort in its final school year at D
    (a school year starts in September).
    """
    return {
        "employment": as_of.year,
        "internship": as_of.year + 1 if as_of.month >= 9 else as_of.year,
    }


# Employment figures of a cohort describe graduates: before its graduation year they are
# not yet measurable. Retention needs the interns' employment after graduation (July).
_DUE_FROM_MONTH = {"internship_retention_rate": 7}
_EMPLOYMENT_FAMILY = "employment"


def is_due(metric: str, family: str, period: str, as_of: date) -> bool:
    """Whether an indicator can be measured yet for a period at D: False for a cohort
    whose figures only exist after it graduates (docs/metrics-decisions.md). Screens show
    "未到统计期" / "not yet due" instead of the 0 the engine computes for it."""
    if not period.startswith("cohort:"):
        return True
    year = int(period.removeprefix("cohort:"))
    if metric in _DUE_FROM_MONTH:
        return (as_of.year, as_of.month) >= (year, _DUE_FROM_MONTH[metric])
    if family == _EMPLOYMENT_FAMILY:
        return as_of.year >= year
    return True
