"""Internship indicators (metrics.md § Internship), per cohort, grains school,
department, major (partner_enterprises_active: school and department only).

As of D = 2026-03-10.

Departments: D1 (majors M1, M2), D2 (major M3).
Enterprises: E1 partner, E2 not partner, E3 partner, E4 partner, E5 partner.

Cohort 2026 (expected_graduation_year 2026):
  i01 M1 enrolled, i02 M1 enrolled, i03 M1 enrolled, i04 M2 enrolled,
  i05 M2 WITHDRAWN (out of the cohort), i06 M3 enrolled, i07 M3 suspended (in).
  -> cohort students: i01 i02 i03 i04 i06 i07 = 6 (D1: 4, D2: 2, M1: 3, M2: 1, M3: 2)
Cohort 2027: j01 M1, j02 M3, no internships at all.

Internships:
 id  student host start       mr    insured pay   ref   score logs exp/sub  counted?
 n01 i01     E1   2025-11-01  T     T       3000  4000  90    10/8          yes (3000 < 3200: underpaid)
 n02 i01     E2   2026-01-05  F     F       3200  4000  NULL  6/6           yes (3200 = 0.8*4000: not under)
 n03 i02     E3   2026-02-01  NULL  T       5000  NULL  70    4/2           yes
 n04 i03     E4   2026-04-01  T     F       100   4000  10    5/5           no: start_date > D
 n05 i04     E1   2025-12-01  T     T       NULL  3000  80    8/8           yes
 n06 i05     E5   2025-12-01  F     F       1000  4000  20    5/1           no: student withdrawn
 n07 i06     E2   2026-03-10  F     T       2000  3000  NULL  1/0           yes (start = D; 2000 < 2400)
Counted: n01 n02 n03 n05 n07. Interns: i01 i02 i04 i06.

Destinations (for retention: employed by D by a host of one of their internships):
  i01 contract  @E2 placed 2026-03-01 -> retained (E2 hosted n02)
  i02 contract  @E1 placed 2026-02-20 -> not retained (E1 never hosted i02)
  i03 contract  @E4 placed 2026-01-10 -> not an intern at D (n04 starts after D)
  i04 contract  @E1 placed 2026-03-20 -> not retained: employed only after D
  i06 further_study @E2 placed 2026-03-01 -> not retained: not "employed"
  i07 unplaced
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

D = d("2026-03-10")
C26 = "cohort:2026"
C27 = "cohort:2027"
SCHOOL: dict = {}
D1 = {"department": "D1"}
D2 = {"department": "D2"}
M1 = {"major": "M1"}
M2 = {"major": "M2"}
M3 = {"major": "M3"}


def internship(iid, sid, host, start, mr, insured, pay, ref, score, exp, sub):
    s = d(start)
    return {
        "internship_id": iid,
        "student_id": sid,
        "enterprise_id": host,
        "start_date": s,
        "planned_end_date": d("2026-06-30"),
        "end_date": None,
        "major_related": mr,
        "insured": insured,
        "agreement_signed": True,
        "monthly_pay": pay,
        "reference_wage": ref,
        "enterprise_score": score,
        "logs_expected": exp,
        "logs_submitted": sub,
    }


def dest(sid, destination, host=None, placed_on=None):
    return {
        "student_id": sid,
        "graduation_year": 2026,
        "destination": destination,
        "placed_on": d(placed_on) if placed_on else None,
        "enterprise_id": host,
        "industry_code": None,
        "work_region_code": None,
        "monthly_salary": None,
        "major_related": None,
    }


DATA = {
    "school_profile": school(),
    "department": [department("D1"), department("D2")],
    "industry": [industry("C"), industry("C38")],
    "major": [major("M1", "D1"), major("M2", "D1"), major("M3", "D2")],
    "enterprise": [
        enterprise("E1", partner=True, since=d("2020-01-01"), industry_code="C38"),
        enterprise("E2", partner=False),
        enterprise("E3", partner=True, since=None),
        enterprise("E4", partner=True, since=d("2021-05-01")),
        enterprise("E5", partner=True, since=d("2021-05-01")),
    ],
    "student": [
        student("i01", "M1", 2023, 2026),
        student("i02", "M1", 2023, 2026),
        student("i03", "M1", 2023, 2026),
        student("i04", "M2", 2023, 2026),
        student("i05", "M2", 2023, 2026, "withdrawn"),
        student("i06", "M3", 2023, 2026),
        student("i07", "M3", 2023, 2026, "suspended"),
        student("j01", "M1", 2024, 2027),
        student("j02", "M3", 2024, 2027),
    ],
    "internship": [
        internship("n01", "i01", "E1", "2025-11-01", True, True, 3000, 4000, 90, 10, 8),
        internship("n02", "i01", "E2", "2026-01-05", False, False, 3200, 4000, None, 6, 6),
        internship("n03", "i02", "E3", "2026-02-01", None, True, 5000, None, 70, 4, 2),
        internship("n04", "i03", "E4", "2026-04-01", True, False, 100, 4000, 10, 5, 5),
        internship("n05", "i04", "E1", "2025-12-01", True, True, None, 3000, 80, 8, 8),
        internship("n06", "i05", "E5", "2025-12-01", False, False, 1000, 4000, 20, 5, 1),
        internship("n07", "i06", "E2", "2026-03-10", False, True, 2000, 3000, None, 1, 0),
    ],
    "graduate_destination": [
        dest("i01", "contract", "E2", "2026-03-01"),
        dest("i02", "contract", "E1", "2026-02-20"),
        dest("i03", "contract", "E4", "2026-01-10"),
        dest("i04", "contract", "E1", "2026-03-20"),
        dest("i06", "further_study", "E2", "2026-03-01"),
        dest("i07", "unplaced"),
    ],
}

EXPECTED = [
    # ---- internship_rate = interns / cohort students -------------------------
    Exp("internship_rate", C26, SCHOOL, 4 / 6, 4, 6),  # i01 i02 i04 i06 / 6
    Exp("internship_rate", C26, D1, 3 / 4, 3, 4),  # i01 i02 i04 / i01 i02 i03 i04
    Exp("internship_rate", C26, D2, 1 / 2, 1, 2),  # i06 / i06 i07
    Exp("internship_rate", C26, M1, 2 / 3, 2, 3),  # i01 i02 / i01 i02 i03
    Exp("internship_rate", C26, M2, 1.0, 1, 1),  # i04 / i04 (i05 withdrawn)
    Exp("internship_rate", C26, M3, 1 / 2, 1, 2),
    # cohort 2027 has students but no internships: rate 0 is emitted
    Exp("internship_rate", C27, SCHOOL, 0.0, 0, 2),
    Exp("internship_rate", C27, D1, 0.0, 0, 1),
    Exp("internship_rate", C27, D2, 0.0, 0, 1),
    Exp("internship_rate", C27, M1, 0.0, 0, 1),
    Exp("internship_rate", C27, M3, 0.0, 0, 1),
    # ---- internship_match_rate: mr T / mr not NULL over counted internships ---
    # n01 T, n02 F, n05 T, n07 F (n03 NULL) -> 2/4
    Exp("internship_match_rate", C26, SCHOOL, 0.5, 2, 4),
    Exp("internship_match_rate", C26, D1, 2 / 3, 2, 3),  # n01 T n02 F n05 T
    Exp("internship_match_rate", C26, D2, 0.0, 0, 1),  # n07 F
    Exp("internship_match_rate", C26, M1, 0.5, 1, 2),  # n01 T n02 F
    Exp("internship_match_rate", C26, M2, 1.0, 1, 1),  # n05 T
    Exp("internship_match_rate", C26, M3, 0.0, 0, 1),
    # ---- internship_insured_rate: insured / internships ----------------------
    # n01 T, n02 F, n03 T, n05 T, n07 T -> 4/5 (n04 F and n06 F are not counted)
    Exp("internship_insured_rate", C26, SCHOOL, 0.8, 4, 5),
    Exp("internship_insured_rate", C26, D1, 3 / 4, 3, 4),  # n01 n02 n03 n05
    Exp("internship_insured_rate", C26, D2, 1.0, 1, 1),
    Exp("internship_insured_rate", C26, M1, 2 / 3, 2, 3),  # n01 n02 n03
    Exp("internship_insured_rate", C26, M2, 1.0, 1, 1),
    Exp("internship_insured_rate", C26, M3, 1.0, 1, 1),
    # ---- internship_retention_rate: retained interns / interns ---------------
    # only i01 (contract @E2, placed 2026-03-01, E2 hosted n02)
    Exp("internship_retention_rate", C26, SCHOOL, 1 / 4, 1, 4),
    Exp("internship_retention_rate", C26, D1, 1 / 3, 1, 3),
    Exp("internship_retention_rate", C26, D2, 0.0, 0, 1),
    Exp("internship_retention_rate", C26, M1, 1 / 2, 1, 2),
    Exp("internship_retention_rate", C26, M2, 0.0, 0, 1),  # i04 placed 2026-03-20 > D
    Exp("internship_retention_rate", C26, M3, 0.0, 0, 1),  # i06 further_study
    # ---- internship_avg_score: sum / count of scores -------------------------
    # n01 90, n03 70, n05 80 -> 240 / 3 (n04's 10 and n06's 20 not counted)
    Exp("internship_avg_score", C26, SCHOOL, 80.0, 240, 3),
    Exp("internship_avg_score", C26, D1, 80.0, 240, 3),
    Exp("internship_avg_score", C26, M1, 80.0, 160, 2),  # n01 90, n03 70
    Exp("internship_avg_score", C26, M2, 80.0, 80, 1),
    # ---- internship_log_rate: sum submitted / sum expected -------------------
    # n01 8/10, n02 6/6, n03 2/4, n05 8/8, n07 0/1 -> 24 / 29
    Exp("internship_log_rate", C26, SCHOOL, 24 / 29, 24, 29),
    Exp("internship_log_rate", C26, D1, 24 / 28, 24, 28),
    Exp("internship_log_rate", C26, D2, 0.0, 0, 1),
    Exp("internship_log_rate", C26, M1, 16 / 20, 16, 20),  # n01 n02 n03
    Exp("internship_log_rate", C26, M2, 1.0, 8, 8),
    Exp("internship_log_rate", C26, M3, 0.0, 0, 1),
    # ---- internship_underpaid_count: pay < 0.8 * ref, over internships with both
    # both known: n01 (3000<3200 yes), n02 (3200<3200 no), n07 (2000<2400 yes) -> 2 of 3
    Exp("internship_underpaid_count", C26, SCHOOL, 2, 2, 3),
    Exp("internship_underpaid_count", C26, D1, 1, 1, 2),  # n01 yes, n02 no
    Exp("internship_underpaid_count", C26, D2, 1, 1, 1),  # n07
    Exp("internship_underpaid_count", C26, M1, 1, 1, 2),
    Exp("internship_underpaid_count", C26, M3, 1, 1, 1),
    # ---- partner_enterprises_active: partner hosts / distinct hosts ----------
    # hosts of counted internships: E1 (n01 n05), E2 (n02 n07), E3 (n03) -> 3;
    # partners among them E1 E3 -> 2 (E4: start after D; E5: withdrawn student)
    Exp("partner_enterprises_active", C26, SCHOOL, 2, 2, 3),
    Exp("partner_enterprises_active", C26, D1, 2, 2, 3),  # hosts E1 E2 E3
    Exp("partner_enterprises_active", C26, D2, 0, 0, 1),  # host E2 only, not a partner
]

ABSENT = [
    # no score among D2/M3 internships (n07 NULL)
    Absent("internship_avg_score", C26, D2),
    Absent("internship_avg_score", C26, M3),
    # M2: n05 has no pay -> no internship with both values
    Absent("internship_underpaid_count", C26, M2),
    # partner_enterprises_active has no major grain
    Absent("partner_enterprises_active", C26, M1),
    Absent("partner_enterprises_active", C26, M2),
    Absent("partner_enterprises_active", C26, M3),
    # cohort 2027: no internships -> only internship_rate is defined
    Absent("internship_match_rate", C27, SCHOOL),
    Absent("internship_insured_rate", C27, SCHOOL),
    Absent("internship_retention_rate", C27, SCHOOL),
    Absent("internship_avg_score", C27, SCHOOL),
    Absent("internship_log_rate", C27, SCHOOL),
    Absent("internship_underpaid_count", C27, SCHOOL),
    Absent("partner_enterprises_active", C27, SCHOOL),
    Absent("partner_enterprises_active", C27, D1),
    # M2 has no cohort-2027 student
    Absent("internship_rate", C27, M2),
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


def test_internship_rate_groups_exactly(result):
    """Every expected_graduation_year of the students gets a rate, even without internships."""
    assert emitted_keys(result, "internship_rate") == keys(
        (C26, SCHOOL),
        (C26, D1),
        (C26, D2),
        (C26, M1),
        (C26, M2),
        (C26, M3),
        (C27, SCHOOL),
        (C27, D1),
        (C27, D2),
        (C27, M1),
        (C27, M3),
    )


def test_partner_enterprises_active_groups_exactly(result):
    assert emitted_keys(result, "partner_enterprises_active") == keys((C26, SCHOOL), (C26, D1), (C26, D2))


# --- no join fan-out, and a zero denominator --------------------------------
#
# D = 2026-03-10. Major M1 (D1). E1, E2 partners; E3 not.
# Cohort 2026: u1 u2 u3 (M1, enrolled)
#  v1 u1 @E1 start 2025-10-01 mr T insured T score 80 logs 2/2 pay 3000 ref 3000
#  v2 u1 @E1 start 2026-01-01 mr F insured T score 90 logs 2/1 pay 3000 ref 3000
#  v3 u2 @E1 start 2026-02-01 mr T insured F score 70 logs 2/2
#  v4 u2 @E2 start 2026-02-15 mr T insured T score -  logs 0/0
#  destinations: u1 contract @E1 2026-03-01; u2 flexible @E2 2026-03-05; u3 unplaced
#  rate: u1 u2 of 3 = 2/3 (u1 has two internships: one intern)
#  retention: u1 (E1 hosted v1 AND v2: counted once), u2 (E2 hosted v4) -> 2/2
#  partner hosts: E1 (3 internships: once), E2 -> 2 of 2
#  insured 3/4; match 3/4; score 240/3 = 80; logs (2+1+2+0)/(2+2+2+0) = 5/6;
#  underpaid: v1, v2 both known, 3000 >= 2400 -> 0 of 2 (value 0 is emitted)
# Cohort 2027: u9 (M1) with v9 @E3 start 2026-01-01 mr NULL insured T no score,
#  no pay, logs 0/0, no destination row:
#  rate 1/1; insured 1/1; retention 0/1; partner hosts 0 of 1;
#  log rate NOT emitted (sum expected 0); match, score, underpaid NOT emitted
# Cohort 2028: w1 (M1) with four internships @E3 (boundaries, all valid values):
#  wa pay 2400.24 ref 3000.30: 0.8 x 3000.30 = 2400.24 exactly -> NOT underpaid
#     (a float product gives 2400.2400000000002 and would wrongly count it)
#  wb pay 2666.68 ref 3333.35: exactly 0.8 x ref -> NOT underpaid
#  wc pay 2400.23 ref 3000.30: below -> underpaid
#  wd pay 0       ref 1000:    pay 0 is valid (only < 0 breaks money_range) -> underpaid
#  scores: wa 100, wb 0 (both valid) -> mean 50
#  => underpaid 2 of 4; avg score 100/2
# Cohort 2030: w9, withdrawn -> no cohort student -> no internship_rate at all
FANOUT = {
    "school_profile": school(),
    "department": [department("D1")],
    "industry": [industry("C")],
    "major": [major("M1", "D1")],
    "enterprise": [
        enterprise("E1", partner=True, since=d("2020-01-01")),
        enterprise("E2", partner=True, since=None),
        enterprise("E3", partner=False),
    ],
    "student": [
        student("u1", "M1", 2023, 2026),
        student("u2", "M1", 2023, 2026),
        student("u3", "M1", 2023, 2026),
        student("u9", "M1", 2024, 2027),
        student("w1", "M1", 2025, 2028),
        student("w9", "M1", 2027, 2030, "withdrawn"),  # a cohort of withdrawn students only
    ],
    "internship": [
        internship("v1", "u1", "E1", "2025-10-01", True, True, 3000, 3000, 80, 2, 2),
        internship("v2", "u1", "E1", "2026-01-01", False, True, 3000, 3000, 90, 2, 1),
        internship("v3", "u2", "E1", "2026-02-01", True, False, None, None, 70, 2, 2),
        internship("v4", "u2", "E2", "2026-02-15", True, True, None, None, None, 0, 0),
        internship("v9", "u9", "E3", "2026-01-01", None, True, None, None, None, 0, 0),
        internship("wa", "w1", "E3", "2026-01-01", None, True, 2400.24, 3000.30, 100, 1, 1),
        internship("wb", "w1", "E3", "2026-01-01", None, True, 2666.68, 3333.35, 0, 1, 1),
        internship("wc", "w1", "E3", "2026-01-01", None, True, 2400.23, 3000.30, None, 1, 1),
        internship("wd", "w1", "E3", "2026-01-01", None, True, 0, 1000, None, 1, 1),
    ],
    "graduate_destination": [
        dest("u1", "contract", "E1", "2026-03-01"),
        dest("u2", "flexible", "E2", "2026-03-05"),
        dest("u3", "unplaced"),
    ],
}

EXPECTED_FANOUT = [
    Exp("internship_rate", C26, SCHOOL, 2 / 3, 2, 3),
    Exp("internship_retention_rate", C26, SCHOOL, 1.0, 2, 2),
    Exp("partner_enterprises_active", C26, SCHOOL, 2, 2, 2),
    Exp("internship_insured_rate", C26, SCHOOL, 3 / 4, 3, 4),
    Exp("internship_match_rate", C26, SCHOOL, 3 / 4, 3, 4),
    Exp("internship_avg_score", C26, SCHOOL, 80.0, 240, 3),
    Exp("internship_log_rate", C26, SCHOOL, 5 / 6, 5, 6),
    Exp("internship_underpaid_count", C26, SCHOOL, 0, 0, 2),
    Exp("internship_rate", C27, SCHOOL, 1.0, 1, 1),
    Exp("internship_insured_rate", C27, SCHOOL, 1.0, 1, 1),
    Exp("internship_retention_rate", C27, SCHOOL, 0.0, 0, 1),
    Exp("partner_enterprises_active", C27, SCHOOL, 0, 0, 1),
    Exp("internship_underpaid_count", "cohort:2028", SCHOOL, 2, 2, 4),
    Exp("internship_avg_score", "cohort:2028", SCHOOL, 50.0, 100, 2),
    Exp("internship_rate", "cohort:2028", SCHOOL, 1.0, 1, 1),
]

ABSENT_FANOUT = [
    # cohort 2030 holds only a withdrawn student: 0 cohort students -> no rate
    Absent("internship_rate", "cohort:2030", SCHOOL),
    Absent("internship_log_rate", C27, SCHOOL),
    Absent("internship_match_rate", C27, SCHOOL),
    Absent("internship_avg_score", C27, SCHOOL),
    Absent("internship_underpaid_count", C27, SCHOOL),
]


@pytest.fixture(scope="module")
def result_fanout(compute_on):
    return compute_on(FANOUT, [D])[D]


def test_fanout_clean(result_fanout):
    assert result_fanout.failed == {}
    assert [q for q in result_fanout.quality if q.rows] == []


@pytest.mark.parametrize("e", EXPECTED_FANOUT, ids=Exp.id)
def test_value_fanout(result_fanout, e):
    expect(result_fanout, e)


@pytest.mark.parametrize("a", ABSENT_FANOUT, ids=Absent.id)
def test_not_emitted_fanout(result_fanout, a):
    expect_absent(result_fanout, a)


# --- per host enterprise (series "internship_hosts": the 实习管理 office's list) ----
#
# D = 2026-10-10: the current internship cohort is 2027 (final school year from
# September). Thresholds: internship_avg_score warning 75 -> a score below 75 is low.
# Departments D1 (M1), D2 (M2). Enterprises H1 (partner) .. H5.
# Students: s1 s2 M1/2027, s3 s6 M2/2027, s4 M2/2027 WITHDRAWN, s5 M1/2026.
#  id  student host start       insured pay      ref   score
#  h01 s1 D1   H1   2026-07-01  T       3000     3000  90     clean
#  h02 s3 D2   H1   2026-07-01  T       3000     3000  80     clean -> H1 has no issue: left out
#  h03 s1 D1   H2   2026-07-01  F       NULL     NULL  75     uninsured; 75 is NOT below 75
#  h04 s3 D2   H2   2026-07-01  T       3999.99  5000  74.5   underpaid (19999.95 < 20000); low
#  h05 s6 D2   H2   2026-08-01  T       4000     5000  NULL   exactly 80%: not underpaid
#  h06 s2 D1   H3   2026-09-01  T       NULL     NULL  60     low
#  h07 s2 D1   H3   2026-10-11  F       ...                   starts after D: not counted
#  h08 s4 D2   H4   2026-07-01  F       ...                   withdrawn student: not counted
#  h09 s5 D1   H5   2026-07-01  F       ...                   cohort 2026: not counted
#  h10 s6 D2   H3   2026-09-01  T       NULL     NULL  150    score_range: the score is NULL
# Rows (enterprise, department): internships, uninsured, underpaid, pay_known, score_sum,
# score_n, low_score:
#  H2 D1: 1, 1, 0, 0, 75, 1, 0
#  H2 D2: 2, 0, 1, 2, 74.5, 1, 1
#  H3 D1: 1, 0, 0, 0, 60, 1, 1
#  H3 D2: 1, 0, 0, 0, 0, 0, 0   (no issue itself, kept: H3 is on the list)
# Without a configured threshold, low_score is None and H3 (low scores only) is left out.
HD = d("2026-10-10")
HOSTS_DATA = {
    "school_profile": school(),
    "department": [department("D1"), department("D2")],
    "industry": [industry("C")],
    "major": [major("M1", "D1"), major("M2", "D2")],
    "enterprise": [
        enterprise("H1", partner=True, since=d("2020-01-01")),
        enterprise("H2"),
        enterprise("H3", partner=True, since=d("2022-01-01")),
        enterprise("H4"),
        enterprise("H5"),
    ],
    "student": [
        student("s1", "M1", 2024, 2027),
        student("s2", "M1", 2024, 2027),
        student("s3", "M2", 2024, 2027),
        student("s4", "M2", 2024, 2027, "withdrawn"),
        student("s5", "M1", 2023, 2026),
        student("s6", "M2", 2024, 2027),
    ],
    "internship": [
        internship("h01", "s1", "H1", "2026-07-01", True, True, 3000, 3000, 90, 1, 1),
        internship("h02", "s3", "H1", "2026-07-01", True, True, 3000, 3000, 80, 1, 1),
        internship("h03", "s1", "H2", "2026-07-01", True, False, None, None, 75, 1, 1),
        internship("h04", "s3", "H2", "2026-07-01", True, True, 3999.99, 5000, 74.5, 1, 1),
        internship("h05", "s6", "H2", "2026-08-01", True, True, 4000, 5000, None, 1, 1),
        internship("h06", "s2", "H3", "2026-09-01", True, True, None, None, 60, 1, 1),
        internship("h07", "s2", "H3", "2026-10-11", True, False, 100, 5000, 10, 1, 1),
        internship("h08", "s4", "H4", "2026-07-01", True, False, 100, 5000, 10, 1, 1),
        internship("h09", "s5", "H5", "2026-07-01", True, False, 100, 5000, 10, 1, 1),
        internship("h10", "s6", "H3", "2026-09-01", True, True, None, None, 150, 1, 1),
    ],
}
for _row in HOSTS_DATA["internship"]:
    _row["planned_end_date"] = d("2027-03-31")
HOST_KEYS = ("internships", "uninsured", "underpaid", "pay_known", "score_sum", "score_n", "low_score")
EXPECTED_HOSTS = {
    ("H2", "D1"): (1, 1, 0, 0, 75, 1, 0),
    ("H2", "D2"): (2, 0, 1, 2, 74.5, 1, 1),
    ("H3", "D1"): (1, 0, 0, 0, 60, 1, 1),
    ("H3", "D2"): (1, 0, 0, 0, 0, 0, 0),
}


def _host_rows(series: dict) -> dict:
    return {(r["enterprise"], r["department"]): tuple(r[k] for k in HOST_KEYS) for r in series["rows"]}


@pytest.fixture(scope="module")
def hosts_result(compute_on):
    return compute_on(HOSTS_DATA, [HD], thresholds={"internship_avg_score": {"warning": 75}})[HD]


def test_hosts_per_enterprise_and_department(hosts_result):
    assert hosts_result.failed == {}
    series = hosts_result.series["internship_hosts"]
    assert series["cohort"] == 2027 and series["low_score_below"] == 75
    rows = _host_rows(series)
    assert rows.keys() == EXPECTED_HOSTS.keys()
    for key, expected in EXPECTED_HOSTS.items():
        assert rows[key] == pytest.approx(expected), key
    assert series["enterprises"] == {
        "H2": {"name_zh": "企业H2", "is_partner": False},
        "H3": {"name_zh": "企业H3", "is_partner": True},
    }
    # the score of 150 was nulled by the field rule, not counted
    assert {(q.rule, q.rows) for q in hosts_result.quality if q.rows} == {("score_range", 1)}


def test_hosts_agree_with_the_indicators(hosts_result):
    """The host rows add up to the cohort's indicators over the listed hosts."""
    by = {(v.metric, tuple(v.dims.items())): v for v in hosts_result.values if v.period == "cohort:2027"}
    rows = hosts_result.series["internship_hosts"]["rows"]
    d2 = [r for r in rows if r["department"] == "D2"]
    underpaid = by[("internship_underpaid_count", (("department", "D2"),))]
    assert sum(r["underpaid"] for r in d2) == underpaid.numerator  # h04; H1's h02 is not underpaid
    insured = by[("internship_insured_rate", ())]
    # every uninsured internship of the cohort is on the list (h03 is the only one)
    assert sum(r["uninsured"] for r in rows) == insured.denominator - insured.numerator == 1


def test_hosts_without_a_threshold(compute_on):
    series = compute_on(HOSTS_DATA, [HD])[HD].series["internship_hosts"]
    assert series["low_score_below"] is None
    rows = _host_rows(series)
    assert rows.keys() == {("H2", "D1"), ("H2", "D2")}  # H3 had low scores only
    assert rows[("H2", "D2")] == pytest.approx((2, 0, 1, 2, 74.5, 1, None))
