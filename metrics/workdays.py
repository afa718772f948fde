"""Working days by the official Chinese calendar, 调休 included.

Approval latencies are measured in working days: the part of [start, end) that
falls on working days, 24 h of a working day counting 1. Inside the years the
``chinesecalendar`` package knows, its official calendar decides (a make-up
Saturday counts, a weekday holiday does not). Outside them, as metrics.md says,
Monday–Friday minus the holidays listed in configuration, plus any make-up
working days listed there.

The computation is vectorised: for a day range it builds W(day) = working days
before that day, so a latency is W(end) − W(start) with the fractions of the two
end days added; millions of intervals cost a few numpy operations.

One calendar is shared by the families a refresh runs side by side (issue 8),
so the day table is an immutable value replaced whole under a lock: a reader
holds one table for a whole computation and never sees the base of one table
with the counts of another.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
import numpy as np

_DAY = np.timedelta64(1, "D")
_US_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class _DayTable:
    """Working-day flags for the days from ``base`` on, and W(day) = working days before each."""

    base: np.datetime64
    flags: np.ndarray
    before: np.ndarray

    def covers(self, first: np.datetime64, last: np.datetime64) -> bool:
        return bool(first >= self.base and last < self.base + len(self.flags) * _DAY)

    @property
    def last(self) -> np.datetime64:
        return self.base + (len(self.flags) - 1) * _DAY


class WorkCalendar:
    """Answers "is this a working day?" and measures intervals in working days."""

    def __init__(self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._official_years: dict[int, bool] = {}
        self._table: _DayTable | None = None
        self._extend = threading.Lock()

    def official(self, year: int) -> bool:
        """True when the official calendar of ``year`` is known to the package."""
        if year not in self._official_years:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                known = True
            except NotImplementedError:
                known = False
            self._official_years[year] = known
        return self._official_years[year]

    def is_workday(self, day: date) -> bool:
        if self.official(day.year):
            return chinese_calendar.is_workday(day)
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        return day.weekday() < 5

    def _cover(self, first: np.datetime64, last: np.datetime64) -> _DayTable:
        """A day table covering [first, last] (whole days), the shared one extended if needed."""
        table = self._table
        if table is not None and table.covers(first, last):
            return table
        with self._extend:
            table = self._table
            if table is not None and table.covers(first, last):
                return table
            lo = first if table is None else min(first, table.base)
            hi = last if table is None else max(last, table.last)
            # A margin so that neighbouring calls rarely extend the table again.
            table = self._build(lo - 31 * _DAY, hi + 31 * _DAY)
            self._table = table
            return table

    def _build(self, lo: np.datetime64, hi: np.datetime64) -> _DayTable:
        start = lo.astype("datetime64[D]").astype(date)
        n = int((hi - lo) / _DAY) + 1
        flags = np.fromiter(
            (self.is_workday(start + timedelta(days=i)) for i in range(n)), dtype=bool, count=n
        )
        before = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
        return _DayTable(lo.astype("datetime64[D]"), flags, before)

    def position(self, moments: np.ndarray) -> np.ndarray:
        """W(t) in integer microseconds: working time from the table's base to each moment.

        Integers keep latencies exact: three working weeks is 15.0, not
        15.000000000000004, which matters when it is compared with an SLA; and
        microseconds keep the fractions of a second a TIMESTAMP may hold
        (half a second past the SLA is past it). Positions are only comparable
        within one call: another thread may move the table's base in between.
        """
        moments = np.asarray(moments, dtype="datetime64[us]")
        if moments.size == 0:
            return np.zeros(0, dtype=np.int64)
        days = moments.astype("datetime64[D]")
        return self._position(self._cover(days.min(), days.max()), moments)

    @staticmethod
    def _position(table: _DayTable, moments: np.ndarray) -> np.ndarray:
        days = moments.astype("datetime64[D]")
        idx = ((days - table.base) / _DAY).astype(np.int64)
        micros = (moments - days).astype("timedelta64[us]").astype(np.int64)
        return table.before[idx] * _US_PER_DAY + np.where(table.flags[idx], micros, 0)

    def durations(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Working days in [start, end) for each pair, both sides measured on one day table."""
        starts = np.asarray(starts, dtype="datetime64[us]")
        ends = np.asarray(ends, dtype="datetime64[us]")
        if starts.size == 0:
            return np.zeros(0)
        both = np.concatenate((starts, ends)).astype("datetime64[D]")
        table = self._cover(both.min(), both.max())
        return (self._position(table, ends) - self._position(table, starts)) / _US_PER_DAY

    def workdays_between(self, start: datetime, end: datetime) -> float:
        """Working days in [start, end) for one interval."""
        result = self.durations(
            np.array([start], dtype="datetime64[us]"), np.array([end], dtype="datetime64[us]")
        )
        return float(result[0])
