"""Placement progress series (metrics/families/progress.py).

As of D = 2026-03-10 (Tue). Headline employment cohort 2026, previous 2025.
Season days: Sundays from 2025-09-07 to 2026-03-08, then D itself.
Previous-season days are the same calendar days one year earlier.

Department D1, major M1; department D2, major M2.
Cohort 2026 (roster 4): c1 M1 placed 2025-10-01; c2 M1 placed 2026-03-09;
  c3 M2 placed 2026-03-11 (after D: not yet placed); c4 M2 unplaced.
  At 2025-09-07: 0/4. At 2025-10-05: 1/4. At 2026-03-08: 1/4. At D: 2/4 = placement_rate.
  D1 (roster 2): 1/2 from 2025-10-05, 2/2 at D. D2 (roster 2): 0/2 throughout.
Cohort 2025 (roster 2, both M1): p1 placed 2024-09-10, p2 placed 2025-03-10.
  Previous days run 2024-09-07 … 2025-03-10: 0/2 on 2024-09-07, 1/2 from 2024-09-14,
  2/2 on 2025-03-10 (the last previous day, same calendar day as D).
"""

from __future__ import annotations

import pytest
from metric_asserts import d, department, major, school, student


def _dest(sid: str, year: int, placed: str | None) -> dict:
    return {
        "student_id": sid,
        "graduation_year": year,
        "destination": "contract" if placed else "unplaced",
        "placed_on": d(placed) if placed else None,
    }


DATA = {
    "school_profile": school(),
    "department": [department("D1"), department("D2")],
    "industry": [],
    "major": [major("M1", "D1"), major("M2", "D2")],
    "student": [
        student("c1", "M1", 2023, 2026),
        student("c2", "M1", 2023, 2026),
        student("c3", "M2", 2023, 2026),
        student("c4", "M2", 2023, 2026),
        student("p1", "M1", 2022, 2025, "graduated"),
        student("p2", "M1", 2022, 2025, "graduated"),
    ],
    "graduate_destination": [
        _dest("c1", 2026, "2025-10-01"),
        _dest("c2", 2026, "2026-03-09"),
        _dest("c3", 2026, "2026-03-11"),
        _dest("c4", 2026, None),
        _dest("p1", 2025, "2024-09-10"),
        _dest("p2", 2025, "2025-03-10"),
    ],
}
D = d("2026-03-10")


@pytest.fixture(scope="module")
def series(compute_on):
    return compute_on(DATA, [D])[D].series["placement_progress"]


def _by_dims(series, dims):
    return next(s for s in series["series"] if s["dims"] == dims)


def test_days_run_from_season_start_to_as_of(series):
    assert series["cohort"] == 2026 and series["previous_cohort"] == 2025
    assert series["days"][0] == "2025-09-07"
    assert series["days"][-2:] == ["2026-03-08", "2026-03-10"]
    assert series["previous_days"][0] == "2024-09-07"
    assert series["previous_days"][-1] == "2025-03-10"
    assert len(series["days"]) == len(series["previous_days"]) == 28  # 27 Sundays + D


def test_school_curve_matches_placement_rate_as_of_each_day(series):
    school_curve = _by_dims(series, {})
    days = series["days"]
    current = dict(zip(days, school_curve["current"], strict=True))
    assert current["2025-09-07"] == 0
    assert current["2025-10-05"] == pytest.approx(1 / 4)
    assert current["2026-03-08"] == pytest.approx(1 / 4)
    assert current["2026-03-10"] == pytest.approx(2 / 4)  # c3 placed after D does not count
    previous = dict(zip(series["previous_days"], school_curve["previous"], strict=True))
    assert previous["2024-09-07"] == 0
    assert previous["2024-09-14"] == pytest.approx(1 / 2)
    assert previous["2025-03-10"] == pytest.approx(1.0)


def test_department_curves(series):
    d1 = _by_dims(series, {"department": "D1"})
    d2 = _by_dims(series, {"department": "D2"})
    assert d1["current"][-1] == pytest.approx(1.0)
    assert d1["current"][4] == pytest.approx(1 / 2)  # 2025-10-05
    assert all(v == 0 for v in d2["current"])
    assert all(v is None for v in d2["previous"])  # D2 had no 2025 roster
