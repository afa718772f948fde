"""The same figures on every engine and in both modes: codes compare as exact
strings, timestamps keep their fractions of a second, money is compared
exactly as stored (issue 8, "The same figures on every engine").

MariaDB's default collation (utf8mb4_general_ci: case-insensitive, PAD SPACE)
is what the test database gets, as a school's would. As of D = 2026-03-18
(Wednesday); process PS has an SLA of 1 working day:

 instance dept submitted                finished                  latency
 i1       X02  Mon 03-16 10:00:00.25    Tue 03-17 10:00:00.75     1 d + 0.5 s  → overdue
 i2       X02  Mon 03-16 11:00:00.75    Tue 03-17 11:00:00.25     1 d − 0.5 s  → not overdue
 i3       x02  Tue 03-17 09:00          Tue 03-17 10:00           `x02` is no department: orphan

Codes: major `QC01`; student s2 names `qc01` (orphan). Industries `I_TS` and
`I_TS ` are two keys, not a duplicate; enterprises `E1` (partner) and `e1`
(not) are two hosts. Internships of s1 (cohort 2026): pay 3999.99996 against
a reference wage of 5000 is under 80%; 4000 against 5000 is not.
"""

from __future__ import annotations

import pytest
from metric_asserts import (
    Exp,
    d,
    department,
    emitted_keys,
    enterprise,
    expect,
    industry,
    major,
    quality_rows,
    school,
    student,
    ts,
)

D = d("2026-03-18")
MAR = "month:2026-03"
W12 = "week:2026-W12"
X02 = {"department": "X02"}


def instance(iid: str, dept: str, submitted: str, finished: str) -> dict:
    return {
        "instance_id": iid,
        "process_code": "PS",
        "department_code": dept,
        "submitted_at": ts(submitted),
        "finished_at": ts(finished),
        "outcome": "approved",
    }


def internship(iid: str, eid: str, pay: float | str, wage: float | str) -> dict:
    from decimal import Decimal

    return {
        "internship_id": iid,
        "student_id": "s1",
        "enterprise_id": eid,
        "start_date": d("2025-09-01"),
        "planned_end_date": d("2026-06-30"),
        "insured": True,
        "agreement_signed": True,
        "monthly_pay": Decimal(str(pay)),
        "reference_wage": Decimal(str(wage)),
        "logs_expected": 4,
        "logs_submitted": 4,
    }


DATA = {
    "school_profile": school(),
    "department": [department("X02")],
    "industry": [industry("I_TS"), industry("I_TS ")],
    "major": [major("QC01", "X02")],
    "enterprise": [enterprise("E1", partner=True), enterprise("e1")],
    "student": [student("s1", "QC01", 2023, 2026), student("s2", "qc01", 2023, 2026)],
    "internship": [internship("n1", "E1", "3999.99996", 5000), internship("n2", "e1", 4000, 5000)],
    "approval_process": [
        {"process_code": "PS", "name_zh": "用印申请", "category": "seal", "sla_workdays": 1},
    ],
    "approval_instance": [
        instance("i1", "X02", "2026-03-16 10:00:00.25", "2026-03-17 10:00:00.75"),
        instance("i2", "X02", "2026-03-16 11:00:00.75", "2026-03-17 11:00:00.25"),
        instance("i3", "x02", "2026-03-17 09:00:00", "2026-03-17 10:00:00"),
    ],
}


@pytest.fixture(scope="module")
def result(compute_on):
    return compute_on(DATA, [D])[D]


def test_a_code_in_another_case_names_nothing(result):
    assert quality_rows(result, "row_orphan", "student") == 1
    assert quality_rows(result, "row_orphan", "approval_instance") == 1
    assert set(result.labels["major"]) == {"QC01"}


def test_one_request_in_one_department_everywhere(result):
    for metric in ("approval_volume", "approval_overdue_rate", "approval_latency_p50"):
        depts = {dims for _, dims in emitted_keys(result, metric) if "department" in dims}
        assert depts == {'{"department":"X02"}'}, metric
    expect(result, Exp("approval_volume", MAR, {}, 2, 2, None))
    expect(result, Exp("approval_volume", MAR, X02, 2, 2, None))


def test_trailing_space_and_case_make_different_keys(result):
    assert quality_rows(result, "row_duplicate_key", "industry") == 0
    assert quality_rows(result, "row_duplicate_key", "enterprise") == 0
    assert set(result.labels["industry"]) == {"I_TS", "I_TS "}
    expect(result, Exp("partner_enterprises_active", "cohort:2026", {}, 1, 1, 2))


def test_fractions_of_a_second_count(result):
    """i1 is 0.5 s over its 1-day SLA (overdue), i2 0.5 s under it."""
    half = 0.5 / 86400
    expect(result, Exp("approval_overdue_rate", MAR, X02, 0.5, 1, 2))
    expect(result, Exp("approval_latency_p90", W12, {}, 1 + 0.8 * half, None, 2))


def test_money_compared_exactly_as_stored(result):
    """3999.99996 < 0.8 × 5000 = 4000: underpaid; exactly 4000 is not."""
    expect(result, Exp("internship_underpaid_count", "cohort:2026", {}, 1, 1, 2))
