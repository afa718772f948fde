"""metrics.periods.is_due: when a cohort's indicator is measurable (docs/metrics-decisions.md)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.periods import is_due


@pytest.mark.parametrize(
    ("metric", "family", "period", "as_of", "due"),
    [
        ("placement_rate", "employment", "cohort:2026", date(2026, 11, 21), True),
        ("placement_rate", "employment", "cohort:2027", date(2026, 11, 21), False),  # not graduated
        ("placement_rate", "employment", "cohort:2027", date(2027, 1, 1), True),
        ("internship_retention_rate", "internship", "cohort:2027", date(2026, 11, 21), False),
        ("internship_retention_rate", "internship", "cohort:2027", date(2027, 6, 30), False),
        ("internship_retention_rate", "internship", "cohort:2027", date(2027, 7, 1), True),
        ("internship_rate", "internship", "cohort:2027", date(2026, 11, 21), True),
        ("approval_volume", "approvals", "month:2026-11", date(2026, 11, 21), True),
    ],
)
def test_is_due(metric, family, period, as_of, due):
    assert is_due(metric, family, period, as_of) is due
