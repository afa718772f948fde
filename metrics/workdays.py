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
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import chinese_calendar
import numpy as np

_DAY = np.timedelta64(1, "D")
_US_PER_DAY = 86_400_000_000


class WorkCalendar:
    """Answers "is this a working day?" and measures intervals in working days."""

    def __init__(self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._official_years: dict[int, bool] = {}
        self._base: np.datetime64 | None = None
        self._flags = np.zeros(0, dtype=bool)
        self._before = np.zeros(1, dtype=np.int64)

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

    def _cover(self, first: np.datetime64, last: np.datetime64) -> None:
        """Make the day table cover [first, last] (whole days), extending it as needed."""
        if self._base is not None and first >= self._base and last < self._base + len(self._flags) * _DAY:
            return
        lo = first if self._base is None else min(first, self._base)
        hi = last if self._base is None else max(last, self._base + (len(self._flags) - 1) * _DAY)
        # A margin so that neighbouring calls rarely extend the table again.
        lo = lo - 31 * _DAY
        hi = hi + 31 * _DAY
        start = lo.astype("datetime64[D]").astype(date)
        n = int((hi - lo) / _DAY) + 1
        flags = np.fromiter(
            (self.is_workday(start + timedelta(days=i)) for i in range(n)), dtype=bool, count=n
        )
        self._base = lo
        self._flags = flags
        self._before = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))

    def position(self, moments: np.ndarray) -> np.ndarray:
        """W(t) in integer microseconds: working time from the table's base to each moment.

        Integers keep latencies exact: three working weeks is 15.0, not
        15.000000000000004, which matters when it is compared with an SLA; and
        microseconds keep the fractions of a second a TIMESTAMP may hold
        (half a second past the SLA is past it).
        """
        moments = np.asarray(moments, dtype="datetime64[us]")
        if moments.size == 0:
            return np.zeros(0, dtype=np.int64)
        days = moments.astype("datetime64[D]")
        self._cover(days.min(), days.max())
        idx = ((days - self._base) / _DAY).astype(np.int64)
        micros = (moments - days).astype("timedelta64[us]").astype(np.int64)
        return self._before[idx] * _US_PER_DAY + np.where(self._flags[idx], micros, 0)

    def durations(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Working days in [start, end) for each pair; the day table is shared by both sides."""
        starts = np.asarray(starts, dtype="datetime64[us]")
        ends = np.asarray(ends, dtype="datetime64[us]")
        if starts.size == 0:
            return np.zeros(0)
        both = np.concatenate((starts, ends)).astype("datetime64[D]")
        self._cover(both.min(), both.max())
        return (self.position(ends) - self.position(starts)) / _US_PER_DAY

    def workdays_between(self, start: datetime, end: datetime) -> float:
        """Working days in [start, end) for one interval."""
        result = self.durations(
            np.array([start], dtype="datetime64[us]"), np.array([end], dtype="datetime64[us]")
        )
        return float(result[0])
