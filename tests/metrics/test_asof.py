"""As-of semantics: the same data computed at two as-of dates gives different,
hand-computed values in every family.

DA = 2026-07-31 (Fri, ISO 2026-W31; end of DA = 2026-08-01 00:00:00)
DB = 2026-09-01 (Tue, ISO 2026-W36)

Employment, cohort 2026 (major M1 -> "C", department D1):
  x1 contract      placed 2026-07-01 @ENT_A C38 330100 5000 T
  x2 contract      placed 2026-08-15 @ENT_A C38 330200 7000 F
  x3 unplaced
  x4 further_study placed 2026-08-20
  DA: placed x1 = 1/4; employed x1: mr 1/1, fit 1/1, province 1/1, city 1/1, salary 5000/1
  DB: placed x1 x2 x4 = 3/4; employed x1 x2: mr 1/2, fit 2/2, province 2/2,
      city 1/2 (x2 works in 3302), salary 12000/2 = 6000

Internship, cohort 2026 (x1..x4, enrolled):
  t1 x1 @ENT_A (partner) start 2026-03-01 mr T insured T score 80 logs 4/4 pay 3000 ref 3000
  t2 x2 @ENT_A          start 2026-08-01 mr F insured F score 60 logs 2/1 pay 2000 ref 3000
  t3 x3 @ENT_B (no)     start 2026-08-10 mr T insured T score -  logs 2/2 pay -    ref -
  DA: t1 only. rate 1/4; match 1/1; insured 1/1; retention x1 (@ENT_A by 07-01) 1/1;
      score 80/1; logs 4/4; underpaid 3000 >= 2400 -> 0 of 1; partner hosts 1 of 1
  DB: t1 t2 t3. rate 3/4; match 2/3; insured 2/3; retention x1, x2 (@ENT_A placed
      08-15, hosted t2) of x1 x2 x3 = 2/3; score 140/2 = 70; logs 7/8;
      underpaid t2 (2000 < 2400) 1 of 2; partner hosts ENT_A of ENT_A ENT_B = 1 of 2

Fit (M1 -> C 1.0, M2 -> I65 1.0; region 330100):
  students x1..x4 M1 entry 2023; y1 M2 entry 2026
  DA (July: A = 2025, entries 2023..2025): supply C 4 -> s_C = 1
     demand months 2025-08..2026-07: 2025-08 C 100 + 2026-01 C 100 -> d_C = 1
     index 1.0; deviation C 1/1 - 1 = 0 (num 1, den 1)
  DB (September: A = 2026, entries 2024..2026): supply I 1 (y1) -> s_I = 1
     demand months 2025-09..2026-08: 2026-01 C 100 + 2026-08 I65 100 -> d_C = d_I = 1/2
     index 1 - ½(1/2 + 1/2) = 1/2; deviation C 0/(1/2) - 1 = -1, I 1/(1/2) - 1 = 1
  partner_enterprise_count: ENT_A since 2020-01-01, ENT_C since 2026-08-10 -> DA 1, DB 2

Approvals (PF sla 2, D1):
  q1 Thu 2026-07-30 09:00 -> Mon 2026-08-03 09:00 approved
     DA: pending, age 15h + Fri = 1.625;  DB: latency 15h + Fri + 9h = 2.0 (Aug, W32)
  q2 Fri 2026-07-31 23:59:59 pending: DA age 1 s; DB age 1 s + 21 Aug weekdays + Sep 1
     = 22 + 1/86400
  q3 Sat 2026-08-01 00:00:00 pending: not yet submitted at end of DA; DB age 22.0
  q4 Mon 2025-08-04 10:00 -> 12:00 approved: month 2025-08 is in DA's window
     (2025-08..2026-07) but not DB's (2025-09..2026-08)
"""

from __future__ import annotations

import pytest
from metric_asserts import (
    Absent,
    Exp,
    d,
    department,
    enterprise,
    expect,
    expect_absent,
    industry,
    major,
    school,
    student,
    ts,
)

DA = d("2026-07-31")
DB = d("2026-09-01")
C26 = "cohort:2026"
DAY_A = "day:2026-07-31"
DAY_B = "day:2026-09-01"
SCHOOL: dict = {}
D1 = {"department": "D1"}


def dest(sid, destination, placed_on=None, ent=None, ind=None, region=None, salary=None, mr=None):
    return {
        "student_id": sid,
        "graduation_year": 2026,
        "destination": destination,
        "placed_on": d(placed_on) if placed_on else None,
        "enterprise_id": ent,
        "industry_code": ind,
        "work_region_code": region,
        "monthly_salary": salary,
        "major_related": mr,
    }


def intern(iid, sid, host, start, mr, insured, score, exp, sub, pay, ref):
    return {
        "internship_id": iid,
        "student_id": sid,
        "enterprise_id": host,
        "start_date": d(start),
        "planned_end_date": d("2026-12-31"),
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


def inst(iid, submitted, finished=None, outcome=None):
    return {
        "instance_id": iid,
        "process_code": "PF",
        "department_code": "D1",
        "submitted_at": ts(submitted),
        "finished_at": ts(finished) if finished else None,
        "outcome": outcome,
    }


DATA = {
    "school_profile": school("330100"),
    "department": [department("D1"), department("D2")],
    "industry": [industry(c) for c in ("C", "C38", "I", "I65")],
    "major": [major("M1", "D1"), major("M2", "D2")],
    "major_industry": [
        {"major_code": "M1", "industry_code": "C", "weight": 1.0},
        {"major_code": "M2", "industry_code": "I65", "weight": 1.0},
    ],
    "enterprise": [
        enterprise("ENT_A", partner=True, since=d("2020-01-01"), industry_code="C38"),
        enterprise("ENT_B", partner=False),
        enterprise("ENT_C", partner=True, since=d("2026-08-10")),
    ],
    "student": [
        student("x1", "M1", 2023, 2026),
        student("x2", "M1", 2023, 2026),
        student("x3", "M1", 2023, 2026),
        student("x4", "M1", 2023, 2026),
        student("y1", "M2", 2026, 2029),
    ],
    "graduate_destination": [
        dest("x1", "contract", "2026-07-01", "ENT_A", "C38", "330100", 5000, True),
        dest("x2", "contract", "2026-08-15", "ENT_A", "C38", "330200", 7000, False),
        dest("x3", "unplaced"),
        dest("x4", "further_study", "2026-08-20"),
    ],
    "internship": [
        intern("t1", "x1", "ENT_A", "2026-03-01", True, True, 80, 4, 4, 3000, 3000),
        intern("t2", "x2", "ENT_A", "2026-08-01", False, False, 60, 2, 1, 2000, 3000),
        intern("t3", "x3", "ENT_B", "2026-08-10", True, True, None, 2, 2, None, None),
    ],
    "industry_demand": [
        {"period": "2025-08", "region_code": "330100", "industry_code": "C", "demand": 100},
        {"period": "2026-01", "region_code": "330100", "industry_code": "C", "demand": 100},
        {"period": "2026-08", "region_code": "330100", "industry_code": "I65", "demand": 100},
    ],
    "approval_process": [
        {"process_code": "PF", "name_zh": "经费报销", "category": "finance", "sla_workdays": 2}
    ],
    "approval_instance": [
        inst("q1", "2026-07-30 09:00", "2026-08-03 09:00", "approved"),
        inst("q2", "2026-07-31 23:59:59"),
        inst("q3", "2026-08-01 00:00:00"),
        inst("q4", "2025-08-04 10:00", "2025-08-04 12:00", "approved"),
    ],
}

AT_A = [
    Exp("placement_rate", C26, SCHOOL, 1 / 4, 1, 4),
    Exp("placement_rate", C26, D1, 1 / 4, 1, 4),
    Exp("major_related_rate", C26, SCHOOL, 1.0, 1, 1),
    Exp("industry_fit_rate", C26, SCHOOL, 1.0, 1, 1),
    Exp("province_employment_rate", C26, SCHOOL, 1.0, 1, 1),
    Exp("city_employment_rate", C26, SCHOOL, 1.0, 1, 1),
    Exp("avg_monthly_salary", C26, SCHOOL, 5000.0, 5000, 1),
    Exp("internship_rate", C26, SCHOOL, 1 / 4, 1, 4),
    Exp("internship_match_rate", C26, SCHOOL, 1.0, 1, 1),
    Exp("internship_insured_rate", C26, SCHOOL, 1.0, 1, 1),
    Exp("internship_retention_rate", C26, SCHOOL, 1.0, 1, 1),
    Exp("internship_avg_score", C26, SCHOOL, 80.0, 80, 1),
    Exp("internship_log_rate", C26, SCHOOL, 1.0, 4, 4),
    Exp("internship_underpaid_count", C26, SCHOOL, 0, 0, 1),
    Exp("partner_enterprises_active", C26, SCHOOL, 1, 1, 1),
    Exp("structure_fit_index", DAY_A, SCHOOL, 1.0, None, None),
    Exp("industry_deviation", DAY_A, {"industry": "C"}, 0.0, 1, 1),
    Exp("partner_enterprise_count", DAY_A, SCHOOL, 1, 1, None),
    Exp("approval_volume", "month:2026-07", SCHOOL, 2, 2, None),  # q1 q2
    Exp("approval_volume", "week:2026-W31", SCHOOL, 2, 2, None),  # q3 is at end of DA: not yet
    Exp("approval_volume", "month:2025-08", SCHOOL, 1, 1, None),  # q4: first month of DA's window
    Exp("approval_latency_p50", "month:2025-08", SCHOOL, 1 / 12),
    Exp("approval_backlog", DAY_A, SCHOOL, 2, 2, None),  # q1 q2
    Exp("approval_oldest_pending_days", DAY_A, SCHOOL, 1.625, None, None),  # q1
]

NOT_AT_A = [
    Absent("approval_volume", "month:2026-08", SCHOOL),
    Absent("approval_latency_p50", "month:2026-08", SCHOOL),
    Absent("approval_latency_p50", "month:2026-07", SCHOOL),  # q1 not finished by DA
    Absent("industry_deviation", DAY_A, {"industry": "I"}),
]

AT_B = [
    Exp("placement_rate", C26, SCHOOL, 3 / 4, 3, 4),
    Exp("placement_rate", C26, D1, 3 / 4, 3, 4),
    Exp("major_related_rate", C26, SCHOOL, 1 / 2, 1, 2),
    Exp("industry_fit_rate", C26, SCHOOL, 1.0, 2, 2),
    Exp("province_employment_rate", C26, SCHOOL, 1.0, 2, 2),
    Exp("city_employment_rate", C26, SCHOOL, 1 / 2, 1, 2),
    Exp("avg_monthly_salary", C26, SCHOOL, 6000.0, 12000, 2),
    Exp("internship_rate", C26, SCHOOL, 3 / 4, 3, 4),
    Exp("internship_match_rate", C26, SCHOOL, 2 / 3, 2, 3),
    Exp("internship_insured_rate", C26, SCHOOL, 2 / 3, 2, 3),
    Exp("internship_retention_rate", C26, SCHOOL, 2 / 3, 2, 3),
    Exp("internship_avg_score", C26, SCHOOL, 70.0, 140, 2),
    Exp("internship_log_rate", C26, SCHOOL, 7 / 8, 7, 8),
    Exp("internship_underpaid_count", C26, SCHOOL, 1, 1, 2),
    Exp("partner_enterprises_active", C26, SCHOOL, 1, 1, 2),
    Exp("structure_fit_index", DAY_B, SCHOOL, 0.5, None, None),
    Exp("industry_deviation", DAY_B, {"industry": "C"}, -1.0, 0, 0.5),
    Exp("industry_deviation", DAY_B, {"industry": "I"}, 1.0, 1, 0.5),
    Exp("partner_enterprise_count", DAY_B, SCHOOL, 2, 2, None),
    Exp("approval_volume", "month:2026-07", SCHOOL, 2, 2, None),
    Exp("approval_volume", "month:2026-08", SCHOOL, 1, 1, None),  # q3
    Exp("approval_volume", "week:2026-W31", SCHOOL, 3, 3, None),  # q1 q2 q3 (Sat 08-01)
    Exp("approval_latency_p50", "month:2026-08", SCHOOL, 2.0),  # q1
    Exp("approval_latency_p90", "month:2026-08", SCHOOL, 2.0),
    Exp("approval_overdue_rate", "month:2026-08", SCHOOL, 0.0, 0, 1),  # 2.0 = sla
    Exp("approval_latency_p50", "week:2026-W32", SCHOOL, 2.0),
    Exp("approval_backlog", DAY_B, SCHOOL, 2, 2, None),  # q2 q3
    Exp("approval_oldest_pending_days", DAY_B, SCHOOL, 22 + 1 / 86400, None, None),  # q2
]

NOT_AT_B = [
    Absent("approval_volume", "month:2025-08", SCHOOL),  # left DB's 12-month window
    Absent("approval_latency_p50", "month:2025-08", SCHOOL),
    Absent("approval_backlog", DAY_A, SCHOOL),  # only day:D is emitted
]


@pytest.fixture(scope="module")
def results(compute_on):
    return compute_on(DATA, [DA, DB])


def test_nothing_failed(results):
    for r in results.values():
        assert r.failed == {}
        assert [q for q in r.quality if q.rows] == []


@pytest.mark.parametrize("e", AT_A, ids=Exp.id)
def test_at_2026_07_31(results, e):
    expect(results[DA], e)


@pytest.mark.parametrize("a", NOT_AT_A, ids=Absent.id)
def test_not_at_2026_07_31(results, a):
    expect_absent(results[DA], a)


@pytest.mark.parametrize("e", AT_B, ids=Exp.id)
def test_at_2026_09_01(results, e):
    expect(results[DB], e)


@pytest.mark.parametrize("a", NOT_AT_B, ids=Absent.id)
def test_not_at_2026_09_01(results, a):
    expect_absent(results[DB], a)


def test_result_records_as_of(results):
    assert results[DA].as_of == DA
    assert results[DB].as_of == DB
