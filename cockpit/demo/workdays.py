"""Working time for the approval simulation, in whole seconds.

The cockpit measures approval latency in working days (24 h of a working day
count 1) by the official calendar with 调休. The simulation works in the same
coordinate: an approval step "takes" a number of working days, and this module
maps a timestamp to working seconds elapsed and back, vectorised, so that the
generated latencies and the ones the cockpit measures agree.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import numpy as np

DAY = 86400


def is_workday(day: date) -> bool:
    """Official calendar where the package knows the year, else Monday to Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def is_holiday(day: date) -> bool:
    """A statutory holiday (春节, 国庆 …) rather than an ordinary weekend."""
    try:
        return bool(chinese_calendar.is_holiday(day)) and day.weekday() < 5
    except NotImplementedError:
        return False


class WorkClock:
    """Days from ``first`` for ``days`` days: which are working days, and the
    conversion between epoch seconds (naive local time) and working seconds."""

    def __init__(self, first: date, days: int) -> None:
        self.first = first
        self.epoch = int(np.datetime64(first, "s").astype(np.int64))
        self.work = np.array([is_workday(first + timedelta(days=i)) for i in range(days)], dtype=bool)
        # working days before each day; the k-th working day starts at k * DAY working seconds
        self.before = np.concatenate(([0], np.cumsum(self.work)))[:-1].astype(np.int64)
        self.work_days = np.flatnonzero(self.work).astype(np.int64)

    def day_index(self, seconds: np.ndarray) -> np.ndarray:
        return (seconds - self.epoch) // DAY

    def to_work(self, seconds: np.ndarray) -> np.ndarray:
        """Working seconds before each moment (a moment on a rest day counts as
        the start of the next working day)."""
        d = np.clip(self.day_index(seconds), 0, len(self.work) - 1)
        tod = seconds - self.epoch - d * DAY
        return self.before[d] * DAY + np.where(self.work[d], tod, 0)

    def from_work(self, work_seconds: np.ndarray) -> np.ndarray:
        """The moment at which ``work_seconds`` of working time have elapsed."""
        k = np.clip(work_seconds // DAY, 0, len(self.work_days) - 1)
        tod = work_seconds - k * DAY
        return self.epoch + self.work_days[k] * DAY + tod

    def next_workday_start(self, seconds: np.ndarray) -> np.ndarray:
        """Midnight of the first working day after the day of each moment."""
        d = np.clip(self.day_index(seconds), 0, len(self.work) - 1)
        k = np.clip(self.before[d] + self.work[d], 0, len(self.work_days) - 1)
        return self.epoch + self.work_days[k] * DAY
