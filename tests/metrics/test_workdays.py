"""WorkCalendar.workdays_between(start, end): the part of [start, end) on working
days, in days (24 h of a working day = 1) — metrics.md § Working days.

Official calendar (checked with chinese_calendar 1.11.0, which knows 2004..2026):
  Spring Festival 2026: Sun 02-15 .. Mon 02-23 off; Sat 02-14 and Sat 02-28 are
  make-up working days; Sun 2026-01-04 is a make-up working day (New Year).
  March 2026 has no holiday. 2026-12-31 (Thu) is a working day.
Outside the known years (2027, 2031): Monday to Friday minus extra_holidays,
plus extra_workdays. 2031-01-01 is a Wednesday; 2027-01-01 is a Friday.
"""

from __future__ import annotations

import sys
import threading
from datetime import date, datetime

import numpy as np
import pytest
from metric_asserts import ts

from metrics.workdays import WorkCalendar


def plain() -> WorkCalendar:
    return WorkCalendar(extra_holidays=[], extra_workdays=[])


CASES = [
    # (start, end, working days, why)
    ("2026-03-06 16:00", "2026-03-09 10:00", 0.75, "Fri 16:00 -> Mon 10:00: 8h + 10h"),
    ("2026-03-10 09:00", "2026-03-10 15:00", 0.25, "6h within one working day"),
    ("2026-03-10 09:00", "2026-03-10 09:00", 0.0, "empty interval"),
    ("2026-03-07 10:00", "2026-03-08 22:00", 0.0, "a weekend only"),
    ("2026-03-09 00:00", "2026-03-16 00:00", 5.0, "one full week Mon..Sun"),
    ("2026-03-18 23:59:59", "2026-03-19 00:00:00", 1 / 86400, "one second"),
    ("2026-02-13 15:00", "2026-02-25 11:00", 68 / 24, "Fri 9h + Sat 02-14 (make-up) + Tue 02-24 + Wed 11h"),
    ("2026-02-14 00:00", "2026-02-15 00:00", 1.0, "make-up Saturday 02-14"),
    ("2026-02-28 00:00", "2026-03-01 00:00", 1.0, "make-up Saturday 02-28"),
    ("2026-02-16 00:00", "2026-02-17 00:00", 0.0, "Monday in the holiday"),
    ("2026-02-15 00:00", "2026-02-24 00:00", 0.0, "the whole Spring Festival break"),
    ("2026-02-23 12:00", "2026-02-24 12:00", 0.5, "last holiday (Mon) -> first working day (Tue)"),
    ("2026-01-04 00:00", "2026-01-05 00:00", 1.0, "make-up Sunday 2026-01-04"),
    ("2026-01-01 00:00", "2026-01-04 00:00", 0.0, "New Year 2026 holiday Thu..Sat"),
]


@pytest.mark.parametrize("start,end,want,why", CASES, ids=[c[3] for c in CASES])
def test_official_calendar(start, end, want, why):
    assert plain().workdays_between(ts(start), ts(end)) == pytest.approx(want, abs=1e-9), why


def test_returns_float_for_datetimes():
    got = plain().workdays_between(datetime(2026, 3, 9, 9), datetime(2026, 3, 9, 21))
    assert isinstance(got, float)
    assert got == pytest.approx(0.5)


# --- outside the official calendar's years -----------------------------------


def test_2031_plain_monday_to_friday():
    # Wed 2031-01-01 .. Wed 2031-01-08: Wed Thu Fri Mon Tue = 5
    assert plain().workdays_between(ts("2031-01-01 00:00"), ts("2031-01-08 00:00")) == pytest.approx(5.0)
    # a weekend: Sat 01-04 .. Mon 01-06
    assert plain().workdays_between(ts("2031-01-04 00:00"), ts("2031-01-06 00:00")) == pytest.approx(0.0)


def test_2031_extra_holidays():
    cal = WorkCalendar(extra_holidays=[date(2031, 1, 1)], extra_workdays=[])
    # the Wednesday holiday is removed: Thu Fri Mon Tue = 4
    assert cal.workdays_between(ts("2031-01-01 00:00"), ts("2031-01-08 00:00")) == pytest.approx(4.0)
    # Tue 12:00 -> Thu 12:00 across the holiday: 0.5 + 0 + 0.5
    assert cal.workdays_between(ts("2030-12-31 12:00"), ts("2031-01-02 12:00")) == pytest.approx(1.0)


def test_2031_extra_workdays():
    cal = WorkCalendar(extra_holidays=[date(2031, 1, 1)], extra_workdays=[date(2031, 1, 4)])
    # 4 weekdays + the make-up Saturday 01-04 = 5
    assert cal.workdays_between(ts("2031-01-01 00:00"), ts("2031-01-08 00:00")) == pytest.approx(5.0)
    # Fri 12:00 -> Mon 12:00: 0.5 + 1 (Sat) + 0 (Sun) + 0.5
    assert cal.workdays_between(ts("2031-01-03 12:00"), ts("2031-01-06 12:00")) == pytest.approx(2.0)
    # Sunday 01-05 stays off
    assert cal.workdays_between(ts("2031-01-05 00:00"), ts("2031-01-06 00:00")) == pytest.approx(0.0)


def test_interval_from_known_into_unknown_year():
    # Thu 2026-12-31 12:00 (official: working day) -> Mon 2027-01-04 12:00 (2027 unknown)
    # plain: 0.5 + Fri 2027-01-01 1 + Mon 0.5 = 2.0
    assert plain().workdays_between(ts("2026-12-31 12:00"), ts("2027-01-04 12:00")) == pytest.approx(2.0)
    # with 2027-01-01 configured as a holiday: 0.5 + 0 + 0.5 = 1.0
    cal = WorkCalendar(extra_holidays=[date(2027, 1, 1)], extra_workdays=[])
    assert cal.workdays_between(ts("2026-12-31 12:00"), ts("2027-01-04 12:00")) == pytest.approx(1.0)


def _moment(text: str) -> np.ndarray:
    return np.array([text], dtype="datetime64[us]")


def test_shared_by_threads_that_extend_it():
    """Families run side by side share one calendar (issue 8): a thread that widens
    the day table must never make another thread read one table's base with another
    table's counts (CI once saw an IndexError in approvals this way)."""
    # Four months apart: farther than the table's 31-day margins, so each call may widen it.
    months = [f"{y}-{m:02d}" for y in (2026, 2027) for m in (1, 5, 9)]
    spans = [(_moment(f"{m}-06T16:00"), _moment(f"{m}-09T10:00")) for m in months]
    want = [plain().durations(s, e)[0] for s, e in spans]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(30):
            cal = plain()
            got: list[float | BaseException] = [0.0] * len(spans)
            start = threading.Barrier(len(spans))

            def measure(i: int, cal: WorkCalendar = cal, got: list = got, start=start) -> None:
                start.wait()
                try:
                    # Each thread's span lies in its own months, so nearly every call widens the table.
                    got[i] = cal.durations(*spans[i])[0]
                except BaseException as exc:
                    got[i] = exc

            threads = [threading.Thread(target=measure, args=(i,)) for i in range(len(spans))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert got == want
    finally:
        sys.setswitchinterval(old)
