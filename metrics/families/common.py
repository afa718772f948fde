"""What every family needs: the computation context and additive roll-ups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, case

from metrics.quality import CleanSource
from metrics.results import Value
from metrics.workdays import WorkCalendar

Dims = dict[str, str]
Sums = dict[str, float]


@dataclass(frozen=True)
class Context:
    """One refresh's view of the source: kept rows, the as-of date, the calendar."""

    conn: Connection
    clean: CleanSource
    as_of: date
    calendar: WorkCalendar
    school: dict[str, str]
    major_department: dict[str, str]


def flag(condition) -> object:
    """SUM(flag(cond)) counts the rows where cond is true (NULL counts as false)."""
    return case((condition, 1), else_=0)


def rollup_by_major(
    rows: Iterable[tuple[str, str, Sums]],
    major_department: dict[str, str],
    grains: tuple[str, ...] = ("school", "department", "major"),
) -> dict[tuple[str, str], tuple[Dims, Sums]]:
    """Add up per-(period, major) sums to the school, department and major grains.

    Valid for additive quantities only (counts and sums): every student belongs
    to exactly one major, and every kept major to one department.
    """
    out: dict[tuple[str, str], tuple[Dims, Sums]] = {}

    def add(period: str, dims: Dims, sums: Sums) -> None:
        key = (period, repr(sorted(dims.items())))
        if key not in out:
            out[key] = (dims, defaultdict(float))
        target = out[key][1]
        for name, v in sums.items():
            target[name] += float(v or 0)

    for period, major, sums in rows:
        if "school" in grains:
            add(period, {}, sums)
        if "department" in grains:
            add(period, {"department": major_department[major]}, sums)
        if "major" in grains:
            add(period, {"major": major}, sums)
    return out


def rate(metric: str, period: str, dims: Dims, num: float, den: float) -> Value | None:
    """A rate value, or None when the denominator is 0 (undefined)."""
    if not den:
        return None
    return Value(metric, period, dims, num / den, num, den)


def count(metric: str, period: str, dims: Dims, num: float, den: float | None = None) -> Value | None:
    """A count value, not emitted when the group has no qualifying rows."""
    if den is not None and not den:
        return None
    if den is None and not num:
        return None
    return Value(metric, period, dims, num, num, den)


def emit(values: list[Value], *candidates: Value | None) -> None:
    values.extend(v for v in candidates if v is not None)


MetricFn = Callable[[str, Dims, Sums], Value | None]
