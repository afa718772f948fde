"""Major-industry fit (metrics.md § Major–industry fit), period day:D, school only.

Computed at two as-of dates on the same data:
  D1 = 2026-03-10: month 3 < 9 -> A = 2025 -> entry years {2023, 2024, 2025};
                   demand months 2025-04 .. 2026-03
  D2 = 2026-09-01: month 9 >= 9 -> A = 2026 -> entry years {2024, 2025, 2026};
                   demand months 2025-10 .. 2026-09
School region 330100 (demand of other regions, even 330200, does not count).

major_industry (sections): M1 -> C38 1.0 (C); M2 -> C38 0.5 (C) + I65 0.5 (I); M3 -> E 1.0 (E)

Students (status not withdrawn counts):
  f01 M1 2023   f02 M1 2024   f03 M1 2025 suspended   f04 M1 2025 WITHDRAWN
  f05 M2 2024   f06 M2 2025   f07 M3 2025   f08 M3 2026   f09 M3 2022 graduated

Supply at D1: f01 f02 f03 -> C 3; f05 f06 -> C 1, I 1; f07 -> E 1
  => C 4, I 1, E 1, total 6: s_C = 2/3, s_I = 1/6, s_E = 1/6
Supply at D2: f02 f03 -> C 2; f05 f06 -> C 1, I 1; f07 f08 -> E 2
  => C 3, I 1, E 2, total 6: s_C = 1/2, s_I = 1/6, s_E = 1/3

Demand rows (period, region, code, demand):
  2026-03 330100 C38 100     2025-04 330100 C   50     2025-03 330100 C 1000
  2026-04 330100 I65 1000    2025-10 330100 I65 100    2025-10 330200 C38 500
  2025-11 330100 P   50      2025-12 330100 I   0      2026-01 330100 E   0
Demand at D1 (2025-04..2026-03): C 100+50 = 150, I 100+0 = 100, P 50, E 0; total 300
  => d_C = 1/2, d_I = 1/3, d_P = 1/6, d_E = 0
Demand at D2 (2025-10..2026-09): C 100, I 1000+100+0 = 1100, P 50, E 0; total 1250
  => d_C = 2/25, d_I = 22/25, d_P = 1/25, d_E = 0

structure_fit_index over the union {C, I, E, P}:
  D1: |2/3-1/2| + |1/6-1/3| + |1/6-0| + |0-1/6| = 4/6 -> 1 - 1/3 = 2/3
      (intersection only would give 5/6; demand sections only 3/4)
  D2: 63/150 + 107/150 + 50/150 + 6/150 = 226/150 -> 1 - 113/150 = 37/150
industry_deviation (d_i > 0 only: C, I, P; never E):
  D1: C (2/3)/(1/2)-1 = 1/3; I (1/6)/(1/3)-1 = -1/2; P 0/(1/6)-1 = -1
  D2: C (1/2)/(2/25)-1 = 21/4; I (1/6)/(22/25)-1 = -107/132; P -1

Enterprises for partner_enterprise_count (is_partner and partner_since NULL or <= D):
  P1 partner since NULL, P2 partner since 2026-03-10, P3 partner since 2026-03-11,
  P4 NOT partner since 2020-01-01, P5 partner since 2026-09-02
  D1: P1 P2 = 2;   D2: P1 P2 P3 = 3
"""

from __future__ import annotations

import pytest
from metric_asserts import (
    Absent,
    Exp,
    d,
    department,
    emitted_keys,
    enterprise,
    expect,
    expect_absent,
    industry,
    keys,
    major,
    school,
    student,
)

D1 = d("2026-03-10")
D2 = d("2026-09-01")
P1 = "day:2026-03-10"
P2 = "day:2026-09-01"
SCHOOL: dict = {}


def demand(period, region, code, value):
    return {"period": period, "region_code": region, "industry_code": code, "demand": value}


DATA = {
    "school_profile": school("330100"),
    "department": [department("D1"), department("D2")],
    "industry": [industry(c) for c in ("C", "C38", "E", "I", "I65", "P")],
    "major": [major("M1", "D1"), major("M2", "D1"), major("M3", "D2")],
    "major_industry": [
        {"major_code": "M1", "industry_code": "C38", "weight": 1.0},
        {"major_code": "M2", "industry_code": "C38", "weight": 0.5},
        {"major_code": "M2", "industry_code": "I65", "weight": 0.5},
        {"major_code": "M3", "industry_code": "E", "weight": 1.0},
    ],
    "enterprise": [
        enterprise("P1", partner=True, since=None),
        enterprise("P2", partner=True, since=d("2026-03-10")),
        enterprise("P3", partner=True, since=d("2026-03-11")),
        enterprise("P4", partner=False, since=d("2020-01-01")),
        enterprise("P5", partner=True, since=d("2026-09-02")),
    ],
    "student": [
        student("f01", "M1", 2023, 2026),
        student("f02", "M1", 2024, 2027),
        student("f03", "M1", 2025, 2028, "suspended"),
        student("f04", "M1", 2025, 2028, "withdrawn"),
        student("f05", "M2", 2024, 2027),
        student("f06", "M2", 2025, 2028),
        student("f07", "M3", 2025, 2028),
        student("f08", "M3", 2026, 2029),
        student("f09", "M3", 2022, 2025, "graduated"),
    ],
    "industry_demand": [
        demand("2026-03", "330100", "C38", 100),
        demand("2025-04", "330100", "C", 50),
        demand("2025-03", "330100", "C", 1000),
        demand("2026-04", "330100", "I65", 1000),
        demand("2025-10", "330100", "I65", 100),
        demand("2025-10", "330200", "C38", 500),
        demand("2025-11", "330100", "P", 50),
        demand("2025-12", "330100", "I", 0),
        demand("2026-01", "330100", "E", 0),
    ],
}

EXPECTED_D1 = [
    Exp("structure_fit_index", P1, SCHOOL, 2 / 3, None, None),
    Exp("industry_deviation", P1, {"industry": "C"}, 1 / 3, 2 / 3, 1 / 2),
    Exp("industry_deviation", P1, {"industry": "I"}, -1 / 2, 1 / 6, 1 / 3),
    Exp("industry_deviation", P1, {"industry": "P"}, -1.0, 0, 1 / 6),
    Exp("partner_enterprise_count", P1, SCHOOL, 2, 2, None),
]

EXPECTED_D2 = [
    Exp("structure_fit_index", P2, SCHOOL, 37 / 150, None, None),
    Exp("industry_deviation", P2, {"industry": "C"}, 21 / 4, 1 / 2, 2 / 25),
    Exp("industry_deviation", P2, {"industry": "I"}, -107 / 132, 1 / 6, 22 / 25),
    Exp("industry_deviation", P2, {"industry": "P"}, -1.0, 0, 1 / 25),
    Exp("partner_enterprise_count", P2, SCHOOL, 3, 3, None),
]

ABSENT = [
    # E: supply but no demand (d_E = 0) -> no deviation
    Absent("industry_deviation", P1, {"industry": "E"}),
    Absent("industry_deviation", P2, {"industry": "E"}),
    # the division code is never a dimension, only the section
    Absent("industry_deviation", P1, {"industry": "C38"}),
    # school grain only
    Absent("structure_fit_index", P1, {"department": "D1"}),
    Absent("partner_enterprise_count", P1, {"department": "D1"}),
]


@pytest.fixture(scope="module")
def results(compute_on):
    return compute_on(DATA, [D1, D2])


def test_nothing_failed_and_no_quality_findings(results):
    for r in results.values():
        assert r.failed == {}
        assert [q for q in r.quality if q.rows] == []


@pytest.mark.parametrize("e", EXPECTED_D1, ids=Exp.id)
def test_value_d1(results, e):
    expect(results[D1], e)


@pytest.mark.parametrize("e", EXPECTED_D2, ids=Exp.id)
def test_value_d2(results, e):
    expect(results[D2], e)


@pytest.mark.parametrize("a", ABSENT, ids=Absent.id)
def test_not_emitted(results, a):
    expect_absent(results[D1], a)


def test_deviation_sections_exactly(results):
    for D, P in ((D1, P1), (D2, P2)):
        assert emitted_keys(results[D], "industry_deviation") == keys(
            (P, {"industry": "C"}), (P, {"industry": "I"}), (P, {"industry": "P"})
        )


def test_fit_values_only_for_day_d(results):
    for D, P in ((D1, P1), (D2, P2)):
        for metric in ("structure_fit_index", "partner_enterprise_count"):
            assert emitted_keys(results[D], metric) == keys((P, SCHOOL))
