"""Employment indicators (metrics.md § Employment), per cohort, grains school,
department and major, hand-computed on a small clean data set.

As of D = 2026-09-15. School region 330100: province prefix "33", city "3301".

Departments: D1 (majors M1, M2), D2 (major M3).
major_industry: M1 -> "C" (a section: every C.. code fits);
                M2 -> "C38" 0.5 + "I65" 0.5 (so a bare "C" does NOT fit M2);
                M3 -> "I" 1.0.

Cohort 2026 (graduate_destination.graduation_year = 2026), D = 2026-09-15:

 id   major dest           placed_on   industry region  salary mr    placed? employed?
 s01  M1    contract       2026-06-10  C38      330106  5000   T     yes     yes
 s02  M1    flexible       2026-07-01  C        330281  4000   F     yes     yes
 s03  M1    further_study  2026-06-20  -        -       -      -     yes     no
 s04  M1    unplaced       NULL        -        -       -      -     no      no
 s05  M1    contract       2026-10-01  C38      330100  9000   T     no (after D)
 s06  M2    self_employed  2026-05-01  C        440300  NULL   NULL  yes     yes
 s07  M2    military       2026-09-15  -        -       -      -     yes (= D) no
 s08  M2    not_seeking    NULL        -        -       -      -     no      no
 s09  M2    contract       2026-08-01  I65      NULL    6000   T     yes     yes
 s10  M3    contract       2026-06-01  NULL     330100  3000   F     yes     yes
 s11  M3    unplaced       NULL        -        -       -      -     no      no

Cohort 2025: s20 M1 contract 2025-07-01 C39 330100 4200 T; s21 M3 unplaced.
"""

from __future__ import annotations

import pytest
from metric_asserts import (
    Absent,
    Exp,
    d,
    department,
    emitted_keys,
    expect,
    expect_absent,
    industry,
    keys,
    major,
    school,
    student,
)

D = d("2026-09-15")
C26 = "cohort:2026"
C25 = "cohort:2025"
SCHOOL: dict = {}
D1 = {"department": "D1"}
D2 = {"department": "D2"}
M1 = {"major": "M1"}
M2 = {"major": "M2"}
M3 = {"major": "M3"}


def dest(sid, year, destination, placed_on=None, ind=None, region=None, salary=None, mr=None):
    return {
        "student_id": sid,
        "graduation_year": year,
        "destination": destination,
        "placed_on": d(placed_on) if placed_on else None,
        "enterprise_id": None,
        "industry_code": ind,
        "work_region_code": region,
        "monthly_salary": salary,
        "major_related": mr,
    }


MAJOR_OF = {
    **dict.fromkeys(["s01", "s02", "s03", "s04", "s05", "s20"], "M1"),
    **dict.fromkeys(["s06", "s07", "s08", "s09"], "M2"),
    **dict.fromkeys(["s10", "s11", "s21"], "M3"),
}

DATA = {
    "school_profile": school("330100"),
    "department": [department("D1"), department("D2"), department("A1", "administrative")],
    "industry": [industry(c) for c in ("C", "C38", "C39", "I", "I65")],
    "major": [major("M1", "D1"), major("M2", "D1"), major("M3", "D2")],
    "major_industry": [
        {"major_code": "M1", "industry_code": "C", "weight": 1.0},
        {"major_code": "M2", "industry_code": "C38", "weight": 0.5},
        {"major_code": "M2", "industry_code": "I65", "weight": 0.5},
        {"major_code": "M3", "industry_code": "I", "weight": 1.0},
    ],
    "student": [
        student(
            sid,
            m,
            2022 if sid in ("s20", "s21") else 2023,
            2025 if sid in ("s20", "s21") else 2026,
            "graduated",
        )
        for sid, m in MAJOR_OF.items()
    ],
    "graduate_destination": [
        dest("s01", 2026, "contract", "2026-06-10", "C38", "330106", 5000, True),
        dest("s02", 2026, "flexible", "2026-07-01", "C", "330281", 4000, False),
        dest("s03", 2026, "further_study", "2026-06-20"),
        dest("s04", 2026, "unplaced"),
        dest("s05", 2026, "contract", "2026-10-01", "C38", "330100", 9000, True),
        dest("s06", 2026, "self_employed", "2026-05-01", "C", "440300", None, None),
        dest("s07", 2026, "military", "2026-09-15"),
        dest("s08", 2026, "not_seeking"),
        dest("s09", 2026, "contract", "2026-08-01", "I65", None, 6000, True),
        dest("s10", 2026, "contract", "2026-06-01", None, "330100", 3000, False),
        dest("s11", 2026, "unplaced"),
        dest("s20", 2025, "contract", "2025-07-01", "C39", "330100", 4200, True),
        dest("s21", 2025, "unplaced"),
    ],
}

EXPECTED = [
    # ---- placement_rate = placed by D / roster -------------------------------
    # school 2026: roster s01..s11 = 11; placed s01 s02 s03 s06 s07 s09 s10 = 7
    # (s05 placed 2026-10-01 > D; s04 s11 unplaced and s08 not_seeking stay in the roster)
    Exp("placement_rate", C26, SCHOOL, 7 / 11, 7, 11),
    # D1 = M1+M2: roster s01..s09 = 9; placed s01 s02 s03 s06 s07 s09 = 6
    Exp("placement_rate", C26, D1, 6 / 9, 6, 9),
    # D2 = M3: roster s10 s11; placed s10
    Exp("placement_rate", C26, D2, 1 / 2, 1, 2),
    # M1: roster s01..s05 = 5; placed s01 s02 s03 = 3
    Exp("placement_rate", C26, M1, 3 / 5, 3, 5),
    # M2: roster s06..s09 = 4; placed s06 s07 (placed_on = D counts) s09 = 3
    Exp("placement_rate", C26, M2, 3 / 4, 3, 4),
    Exp("placement_rate", C26, M3, 1 / 2, 1, 2),
    # cohort 2025: roster s20 s21; placed s20
    Exp("placement_rate", C25, SCHOOL, 1 / 2, 1, 2),
    Exp("placement_rate", C25, D1, 1.0, 1, 1),
    Exp("placement_rate", C25, D2, 0.0, 0, 1),  # denominator 1 -> emitted as 0
    Exp("placement_rate", C25, M1, 1.0, 1, 1),
    Exp("placement_rate", C25, M3, 0.0, 0, 1),
    # ---- major_related_rate: employed by D = s01 s02 s06 s09 s10 ---------------
    # mr known: s01 T, s02 F, s09 T, s10 F (s06 NULL) -> 2/4
    Exp("major_related_rate", C26, SCHOOL, 0.5, 2, 4),
    Exp("major_related_rate", C26, D1, 2 / 3, 2, 3),  # s01 T, s02 F, s09 T
    Exp("major_related_rate", C26, D2, 0.0, 0, 1),  # s10 F
    Exp("major_related_rate", C26, M1, 0.5, 1, 2),  # s01 T, s02 F
    Exp("major_related_rate", C26, M2, 1.0, 1, 1),  # s09 T (s06 NULL)
    Exp("major_related_rate", C26, M3, 0.0, 0, 1),
    Exp("major_related_rate", C25, SCHOOL, 1.0, 1, 1),  # s20 T
    Exp("major_related_rate", C25, M1, 1.0, 1, 1),
    # ---- industry_fit_rate: prefix match against the major's codes -------------
    # known industry: s01 C38 (M1 serves "C": fits), s02 C (fits "C"),
    # s06 C (M2 serves C38/I65: "C" does not start with "C38" -> no), s09 I65 (fits)
    # s10 NULL industry -> not in the denominator
    Exp("industry_fit_rate", C26, SCHOOL, 3 / 4, 3, 4),
    Exp("industry_fit_rate", C26, D1, 3 / 4, 3, 4),
    Exp("industry_fit_rate", C26, M1, 1.0, 2, 2),
    Exp("industry_fit_rate", C26, M2, 0.5, 1, 2),
    Exp("industry_fit_rate", C25, SCHOOL, 1.0, 1, 1),  # s20 C39 fits M1's "C"
    # ---- province_employment_rate: region starts with "33" ---------------------
    # known region: s01 330106 yes, s02 330281 yes, s06 440300 no, s10 330100 yes (s09 NULL)
    Exp("province_employment_rate", C26, SCHOOL, 3 / 4, 3, 4),
    Exp("province_employment_rate", C26, D1, 2 / 3, 2, 3),  # s01 s02 / s01 s02 s06
    Exp("province_employment_rate", C26, D2, 1.0, 1, 1),  # s10
    Exp("province_employment_rate", C26, M1, 1.0, 2, 2),
    Exp("province_employment_rate", C26, M2, 0.0, 0, 1),  # s06 only (s09 NULL)
    Exp("province_employment_rate", C26, M3, 1.0, 1, 1),
    Exp("province_employment_rate", C25, SCHOOL, 1.0, 1, 1),
    # ---- city_employment_rate: region starts with "3301" ----------------------
    # s01 330106 yes, s02 330281 no (3302), s06 no, s10 330100 yes
    Exp("city_employment_rate", C26, SCHOOL, 2 / 4, 2, 4),
    Exp("city_employment_rate", C26, D1, 1 / 3, 1, 3),
    Exp("city_employment_rate", C26, D2, 1.0, 1, 1),
    Exp("city_employment_rate", C26, M1, 0.5, 1, 2),
    Exp("city_employment_rate", C26, M2, 0.0, 0, 1),
    Exp("city_employment_rate", C26, M3, 1.0, 1, 1),
    Exp("city_employment_rate", C25, SCHOOL, 1.0, 1, 1),
    # ---- avg_monthly_salary: numerator = sum, denominator = count --------------
    # employed with salary: s01 5000, s02 4000, s09 6000, s10 3000 (s06 NULL; s05 after D)
    Exp("avg_monthly_salary", C26, SCHOOL, 4500.0, 18000, 4),
    Exp("avg_monthly_salary", C26, D1, 5000.0, 15000, 3),
    Exp("avg_monthly_salary", C26, D2, 3000.0, 3000, 1),
    Exp("avg_monthly_salary", C26, M1, 4500.0, 9000, 2),
    Exp("avg_monthly_salary", C26, M2, 6000.0, 6000, 1),
    Exp("avg_monthly_salary", C26, M3, 3000.0, 3000, 1),
    Exp("avg_monthly_salary", C25, SCHOOL, 4200.0, 4200, 1),
    Exp("avg_monthly_salary", C25, D1, 4200.0, 4200, 1),
]

ABSENT = [
    # D2/M3 2026: the only employed graduate (s10) has no industry -> denominator 0
    Absent("industry_fit_rate", C26, D2),
    Absent("industry_fit_rate", C26, M3),
    # cohort 2025 in D2/M3: nobody employed
    Absent("major_related_rate", C25, D2),
    Absent("avg_monthly_salary", C25, M3),
    Absent("city_employment_rate", C25, D2),
    # M2 has no cohort-2025 graduate at all
    Absent("placement_rate", C25, M2),
    # the administrative office A1 has no majors
    Absent("placement_rate", C26, {"department": "A1"}),
    # a cohort with no graduate_destination rows
    Absent("placement_rate", "cohort:2027", SCHOOL),
]


@pytest.fixture(scope="module")
def result(compute_on):
    return compute_on(DATA, [D])[D]


def test_nothing_failed_and_no_quality_findings(result):
    assert result.failed == {}
    assert [q for q in result.quality if q.rows] == []


@pytest.mark.parametrize("e", EXPECTED, ids=Exp.id)
def test_value(result, e):
    expect(result, e)


@pytest.mark.parametrize("a", ABSENT, ids=Absent.id)
def test_not_emitted(result, a):
    expect_absent(result, a)


def test_placement_rate_groups_exactly(result):
    """Every graduation_year gets values; no group without roster rows is emitted."""
    assert emitted_keys(result, "placement_rate") == keys(
        (C26, SCHOOL),
        (C26, D1),
        (C26, D2),
        (C26, M1),
        (C26, M2),
        (C26, M3),
        (C25, SCHOOL),
        (C25, D1),
        (C25, D2),
        (C25, M1),
        (C25, M3),
    )


def test_industry_fit_groups_exactly(result):
    assert emitted_keys(result, "industry_fit_rate") == keys(
        (C26, SCHOOL), (C26, D1), (C26, M1), (C26, M2), (C25, SCHOOL), (C25, D1), (C25, M1)
    )


# --- codes are strings (leading zeros matter); no join fan-out; roster ignores status
#
# Departments "01" and "1"; majors "0101" (dept "01") and "101" (dept "1").
# major_industry: "0101" -> C 0.5 + C38 0.5 (a C38 job matches BOTH codes: count it once);
#                 "101" -> C38 1.0 (a bare "C" job does not match)
# Cohort 2026, D = 2026-09-15:
#  z1 "0101" contract 2026-07-01 C38 330100 5000 T
#  z2 "101"  contract 2026-07-01 C   330100 200000 T  (200000 is still a valid salary)
#  z3 "0101" unplaced — the student is WITHDRAWN, but the roster is the
#            graduate_destination rows, whatever the student's status
EDGE = {
    "school_profile": school("330100"),
    "department": [department("01"), department("1")],
    "industry": [industry("C"), industry("C38")],
    "major": [major("0101", "01"), major("101", "1")],
    "major_industry": [
        {"major_code": "0101", "industry_code": "C", "weight": 0.5},
        {"major_code": "0101", "industry_code": "C38", "weight": 0.5},
        {"major_code": "101", "industry_code": "C38", "weight": 1.0},
    ],
    "student": [
        student("z1", "0101", 2023, 2026, "graduated"),
        student("z2", "101", 2023, 2026, "graduated"),
        student("z3", "0101", 2023, 2026, "withdrawn"),
    ],
    "graduate_destination": [
        dest("z1", 2026, "contract", "2026-07-01", "C38", "330100", 5000, True),
        dest("z2", 2026, "contract", "2026-07-01", "C", "330100", 200000, True),
        dest("z3", 2026, "unplaced"),
    ],
}

EXPECTED_EDGE = [
    Exp("placement_rate", C26, SCHOOL, 2 / 3, 2, 3),  # z1 z2 of z1 z2 z3
    Exp("placement_rate", C26, {"major": "0101"}, 1 / 2, 1, 2),  # z1 of z1 z3
    Exp("placement_rate", C26, {"major": "101"}, 1.0, 1, 1),
    Exp("placement_rate", C26, {"department": "01"}, 1 / 2, 1, 2),
    Exp("placement_rate", C26, {"department": "1"}, 1.0, 1, 1),
    # z1 counts once although C38 starts with both "C" and "C38"; z2 "C" does not fit "C38"
    Exp("industry_fit_rate", C26, SCHOOL, 1 / 2, 1, 2),
    Exp("industry_fit_rate", C26, {"major": "0101"}, 1.0, 1, 1),
    Exp("industry_fit_rate", C26, {"major": "101"}, 0.0, 0, 1),
    Exp("major_related_rate", C26, SCHOOL, 1.0, 2, 2),
    Exp("avg_monthly_salary", C26, SCHOOL, 102500.0, 205000, 2),  # (5000 + 200000) / 2
    Exp("avg_monthly_salary", C26, {"department": "01"}, 5000.0, 5000, 1),
]


@pytest.fixture(scope="module")
def result_edge(compute_on):
    return compute_on(EDGE, [D])[D]


def test_edge_clean(result_edge):
    assert result_edge.failed == {}
    assert [q for q in result_edge.quality if q.rows] == []


@pytest.mark.parametrize("e", EXPECTED_EDGE, ids=Exp.id)
def test_value_edge(result_edge, e):
    expect(result_edge, e)


def test_edge_groups_are_string_codes(result_edge):
    assert emitted_keys(result_edge, "placement_rate") == keys(
        (C26, SCHOOL),
        (C26, {"major": "0101"}),
        (C26, {"major": "101"}),
        (C26, {"department": "01"}),
        (C26, {"department": "1"}),
    )
