"""Data-quality rules (data-contract.md § Data-quality rules).

One data set with one or two planted bad rows per rule. For each rule: the
count per (rule, table), the example keys naming the bad rows, and the
figures the bad rows would have moved — computed by hand as if the row were
not there (row rules) or the one value were NULL (field rules).

Decisions taken where the spec is silent: row rules are evaluated on every raw
row independently; row_orphan includes the cascade (a reference to a row left
out by any row rule); a NULL required reference is row_not_null, not
row_orphan; field rules count only rows kept after the row rules, once per
row and rule; destination_missing is counted over kept students and kept
destination rows.

As of D = 2026-06-30 (Tuesday). School region 330100.

Kept students (all M1/M2, entry 2023, expected 2026, enrolled) — 9:
  STU_K1 M1, STU_K2 M1, STU_K3 M2, STU_K4 M2, QDUP_S M1, QMISS_S M2, QUD_S M1,
  QPU_S M2, QMR_S M1
Left-out students: QNN_S1 (major NULL: row_not_null), QCASC_S (major QORPH_M,
  itself an orphan: row_orphan cascade), QENUM_S (status 'expelled': row_enum).

Employment, cohort 2026 — kept destination rows: K1 K2 K3 K4 QMR_S (roster 5)
  K1  contract  2026-06-01 ENT_E1 C38 330100 5000   T    placed, employed
  K2  flexible  2026-06-10 NOENT  Z99 330200 4000   F    placed, employed;
      enterprise NOENT and industry Z99 unknown: ref_unknown (1 row), industry -> NULL
  K3  further_study 2026-05-01                           placed
  K4  unplaced
  QMR_S contract 2026-06-05 QNN_E C  330100 250000 T    placed, employed; salary -> NULL
      (money_range) and employer QNN_E, which exists but is left out -> ref_unknown
  left out: QDUP_S x2 (duplicate key), QUD_S (unplaced with placed_on),
            QPU_S (contract without placed_on), NOSTU (orphan), QENUM_S (orphan: cascade)
  placement 4/5; major_related K1 T, K2 F, QMR_S T = 2/3;
  industry_fit: known K1 C38, QMR_S C (M1 serves C) = 2/2 (K2's Z99 is NULL);
  province 3/3; city K1, QMR_S of 3 = 2/3; salary K1 5000 + K2 4000 = 9000/2 = 4500
destination_missing: kept students with no kept destination row:
  QDUP_S, QMISS_S, QUD_S, QPU_S (cohort 2026) and STU_OLD (cohort 2025, whose only
  row has destination 'abroad': row_enum; STU_OLD2's 2025 row is kept) = 5

Internships, cohort 2026 — kept: G1 G2 QSC_I QMR_I1 QLG_I
  G1     K1 @E1 mr T  insured T pay 3000 ref 3500 score 80   logs 10/9
  G2     K3 @E2 mr F  insured F pay 2000 ref 3000 score 90   logs 10/10
  QSC_I  K1 @E2 mr T  insured T pay -    ref -    score 150->NULL  logs 4/4
  QMR_I1 K3 @E1 mr -  insured T pay -1->NULL ref 0->NULL score - logs 2/1
  QLG_I  K3 @E2 mr F  insured T pay -    ref -    score -    logs 3/5 -> both NULL
  left out: QNN_I1 (insured NULL; also score 150 — not counted as score_range),
            QNN_I2 (enterprise NULL), QORPH_I1 (student NOSUCH; pay -5 not counted),
            QORPH_I2 (student QNN_S1, left out), QORPH_I3 (host QNN_E, left out:
            name NULL), QORPH_I4 (student QCASC_S <- major QORPH_M <- dept NODEPT),
            QDATE_I (planned end before start)
  rate: interns K1 K3 of 9 = 2/9; match G1 T, G2 F, QSC_I T, QLG_I F = 2/4;
  insured 4/5; retention K1 (contract @E1, hosted G1) of K1 K3 = 1/2;
  score 80+90 = 170/2 = 85; logs (9+10+4+1)/(10+10+4+2) = 24/26;
  underpaid: both known G1 (3000 >= 2800), G2 (2000 < 2400) -> 1 of 2;
  partner hosts: E1 (partner), E2 -> 1 of 2

Fit (A = 2025: entry years 2023..2025; demand months 2025-07..2026-06):
  supply: M1 (C 1.0) x 5 kept students = C 5; M2 (I65 1.0) x 4 = I 4; total 9
  (bad weight rows (M1, C38, 1.5) and (M2, I, NULL) left out; QENUM_S left out)
  demand: 2026-03 C38 90, 2026-04 I65 60 -> C 90, I 60, total 150
  (duplicate 2026-02 I65 rows and demand -5 / NULL rows left out)
  s = (5/9, 4/9), d = (3/5, 2/5): index 1 - ½(2/45 + 2/45) = 43/45;
  deviation C (5/9)/(3/5) - 1 = -2/27, I (4/9)/(2/5) - 1 = 1/9
  partner_enterprise_count: ENT_E1 = 1 (the partner QNN_E is left out)

Approvals (process PF sla 2):
  kept: A_OK1 D1 Mon 06-22 09:00 -> Tue 06-23 09:00 approved (1.0);
        A_OK2 D2 Wed 06-24 09:00 pending: age at end of D = 15h + 4 days = 4.625
  left out: QAO_1 (finished before submitted), QAO_2 (finished without outcome),
            QENUM_A (outcome 'cancelled'), QORPH_A (process NOPROC), QORPH_A2 (dept NODEPT),
            QORPH_A3 (process PX, whose two rows share a key and are both left out)
  volume month:2026-06 = 2; p50 = 1.0; overdue 0/1; backlog 1; oldest 4.625
  steps: (A_OK1,1) head 06-22 09:00 -> 15:00 = 0.25 kept; (A_OK1,2) acted before
  arrived and (A_OK1,3) action without acted_at: step_order; (A_OK1,4) action
  'forward': row_enum; (A_OK1,NULL): row_not_null; (NOINST,1) and (QAO_1,1):
  row_orphan -> only (PF, head) has a step p50, 0.25
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
    nonzero_quality,
    quality_of,
    school,
    student,
    ts,
)

D = d("2026-06-30")
C26 = "cohort:2026"
DAY = "day:2026-06-30"
JUN = "month:2026-06"
SCHOOL: dict = {}
HEAD, FIN, LEAD = "部门负责人审核", "财务处审核", "分管校领导审批"


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


def intern(iid, sid, host, start, planned_end="2026-06-30", **kw):
    row = {
        "internship_id": iid,
        "student_id": sid,
        "enterprise_id": host,
        "start_date": d(start),
        "planned_end_date": d(planned_end),
        "end_date": None,
        "major_related": True,
        "insured": True,
        "agreement_signed": True,
        "monthly_pay": None,
        "reference_wage": None,
        "enterprise_score": None,
        "logs_expected": 1,
        "logs_submitted": 1,
    }
    row.update(kw)
    return row


def inst(iid, proc, dept, submitted, finished=None, outcome=None):
    return {
        "instance_id": iid,
        "process_code": proc,
        "department_code": dept,
        "submitted_at": ts(submitted),
        "finished_at": ts(finished) if finished else None,
        "outcome": outcome,
    }


def step(iid, no, name, arrived, acted=None, action=None):
    return {
        "instance_id": iid,
        "step_no": no,
        "step_name": name,
        "arrived_at": ts(arrived),
        "acted_at": ts(acted) if acted else None,
        "action": action,
    }


def demand(period, code, value, region="330100"):
    return {"period": period, "region_code": region, "industry_code": code, "demand": value}


KEPT_STUDENTS = [
    ("STU_K1", "M1"),
    ("STU_K2", "M1"),
    ("STU_K3", "M2"),
    ("STU_K4", "M2"),
    ("QDUP_S", "M1"),
    ("QMISS_S", "M2"),
    ("QUD_S", "M1"),
    ("QPU_S", "M2"),
    ("QMR_S", "M1"),
]

DATA = {
    "school_profile": school("330100"),
    "department": [
        department("D1"),
        department("D2"),
        department("A1", "administrative"),
        department("QENUM_D", "faculty"),  # row_enum
    ],
    "industry": [
        industry("C"),
        industry("C38"),
        industry("I"),
        industry("I65"),
        {"industry_code": None, "name_zh": "无代码"},  # row_not_null (key NULL)
    ],
    "major": [
        major("M1", "D1"),
        major("M2", "D2"),
        major("QORPH_M", "NODEPT"),  # row_orphan
    ],
    "major_industry": [
        {"major_code": "M1", "industry_code": "C", "weight": 1.0},
        {"major_code": "M2", "industry_code": "I65", "weight": 1.0},
        {"major_code": "M1", "industry_code": "C38", "weight": 1.5},  # weight_range
        {"major_code": "M2", "industry_code": "I", "weight": None},  # weight_range
    ],
    "enterprise": [
        enterprise("ENT_E1", partner=True, since=None, industry_code="C38"),
        enterprise("ENT_E2", partner=False, industry_code="I65"),
        enterprise("ENT_E3", partner=False, industry_code="ZZ"),  # ref_unknown
        {**enterprise("QNN_E", partner=True), "name_zh": None},  # row_not_null
    ],
    "student": [student(sid, m, 2023, 2026) for sid, m in KEPT_STUDENTS]
    + [
        student("QNN_S1", None, 2023, 2026),  # row_not_null
        student("QCASC_S", "QORPH_M", 2023, 2026),  # row_orphan (cascade)
        student("QENUM_S", "M1", 2023, 2026, "expelled"),  # row_enum
        # cohort 2025 (entry 2022: outside the fit window): STU_OLD's only destination
        # row is left out (row_enum) -> destination_missing; STU_OLD2's row is kept
        student("STU_OLD", "M1", 2022, 2025, "graduated"),
        student("STU_OLD2", "M2", 2022, 2025, "graduated"),
    ],
    "graduate_destination": [
        dest("STU_K1", "contract", "2026-06-01", "ENT_E1", "C38", "330100", 5000, True),
        dest("STU_K2", "flexible", "2026-06-10", "NOENT", "Z99", "330200", 4000, False),  # ref_unknown
        dest("STU_K3", "further_study", "2026-05-01"),
        dest("STU_K4", "unplaced"),
        # money_range, and ref_unknown: its employer QNN_E exists but was left out
        dest("QMR_S", "contract", "2026-06-05", "QNN_E", "C", "330100", 250000, True),
        dest("QDUP_S", "contract", "2026-06-01", None, "C", "330100", 8000, True),  # duplicate key
        dest("QDUP_S", "unplaced"),  # duplicate key
        dest("QUD_S", "unplaced", "2026-06-01"),  # destination_unplaced_dated
        dest("QPU_S", "contract", None, None, "C", "330100", 9000, True),  # destination_placed_undated
        dest("NOSTU", "unplaced"),  # row_orphan
        dest("QENUM_S", "contract", "2026-06-01", None, "C", "330100", 7000, True),  # row_orphan (cascade)
        {**dest("STU_OLD", "abroad", "2025-07-01"), "graduation_year": 2025},  # row_enum
        {**dest("STU_OLD2", "unplaced"), "graduation_year": 2025},
    ],
    "internship": [
        intern(
            "G1",
            "STU_K1",
            "ENT_E1",
            "2026-01-10",
            "2026-06-10",
            monthly_pay=3000,
            reference_wage=3500,
            enterprise_score=80,
            logs_expected=10,
            logs_submitted=9,
        ),
        intern(
            "G2",
            "STU_K3",
            "ENT_E2",
            "2026-02-01",
            major_related=False,
            insured=False,
            monthly_pay=2000,
            reference_wage=3000,
            enterprise_score=90,
            logs_expected=10,
            logs_submitted=10,
        ),
        intern(
            "QSC_I",
            "STU_K1",
            "ENT_E2",
            "2026-03-01",
            "2026-05-01",
            enterprise_score=150,
            logs_expected=4,
            logs_submitted=4,
        ),  # score_range
        intern(
            "QMR_I1",
            "STU_K3",
            "ENT_E1",
            "2026-03-01",
            major_related=None,
            monthly_pay=-1,
            reference_wage=0,
            logs_expected=2,
            logs_submitted=1,
        ),  # money_range (one row, two fields)
        intern(
            "QLG_I",
            "STU_K3",
            "ENT_E2",
            "2026-04-01",
            major_related=False,
            logs_expected=3,
            logs_submitted=5,
        ),  # logs_range
        # row_not_null (insured NULL; its score 150 must not count as score_range)
        intern("QNN_I1", "STU_K2", "ENT_E1", "2026-02-01", insured=None, enterprise_score=150),
        intern("QNN_I2", "STU_K2", None, "2026-02-01"),  # row_not_null (NULL reference)
        intern("QORPH_I1", "NOSUCH", "ENT_E1", "2026-02-01", monthly_pay=-5, reference_wage=3000),  # orphan
        intern("QORPH_I2", "QNN_S1", "ENT_E1", "2026-02-01"),  # row_orphan (cascade)
        intern("QORPH_I3", "STU_K4", "QNN_E", "2026-02-01"),  # row_orphan (host left out)
        intern("QORPH_I4", "QCASC_S", "ENT_E1", "2026-02-01"),  # row_orphan (NODEPT->major->student)
        intern("QDATE_I", "STU_K4", "ENT_E1", "2026-03-01", "2026-02-01"),  # internship_dates
    ],
    "approval_process": [
        {"process_code": "PF", "name_zh": "经费报销", "category": "finance", "sla_workdays": 2},
        {"process_code": "QENUM_P", "name_zh": "其他", "category": "misc", "sla_workdays": 1},  # row_enum
        {"process_code": "PX", "name_zh": "用印", "category": "seal", "sla_workdays": 1},  # duplicate key
        {"process_code": "PX", "name_zh": "用印", "category": "seal", "sla_workdays": 3},  # duplicate key
    ],
    "approval_instance": [
        inst("A_OK1", "PF", "D1", "2026-06-22 09:00", "2026-06-23 09:00", "approved"),
        inst("A_OK2", "PF", "D2", "2026-06-24 09:00"),
        inst("QAO_1", "PF", "D1", "2026-06-24 10:00", "2026-06-23 10:00", "approved"),  # approval_order
        inst("QAO_2", "PF", "D1", "2026-06-24 10:00", "2026-06-24 12:00", None),  # approval_order
        inst("QENUM_A", "PF", "D1", "2026-06-25 10:00", "2026-06-25 11:00", "cancelled"),  # row_enum
        inst("QORPH_A", "NOPROC", "D1", "2026-06-25 10:00"),  # row_orphan
        inst("QORPH_A2", "PF", "NODEPT", "2026-06-25 10:00"),  # row_orphan
        inst("QORPH_A3", "PX", "D1", "2026-06-25 10:00"),  # row_orphan (its process is duplicated)
    ],
    "approval_step": [
        step("A_OK1", 1, HEAD, "2026-06-22 09:00", "2026-06-22 15:00", "approve"),
        step("A_OK1", 2, FIN, "2026-06-22 15:00", "2026-06-22 09:00", "approve"),  # step_order
        step("A_OK1", 3, LEAD, "2026-06-22 15:00", None, "approve"),  # step_order
        step("A_OK1", 4, LEAD, "2026-06-23 08:00", "2026-06-23 09:00", "forward"),  # row_enum
        step("A_OK1", None, FIN, "2026-06-22 10:00", "2026-06-22 11:00", "approve"),  # row_not_null
        step("NOINST", 1, HEAD, "2026-06-22 09:00", "2026-06-22 10:00", "approve"),  # row_orphan
        step("QAO_1", 1, HEAD, "2026-06-24 10:00", "2026-06-24 11:00", "approve"),  # row_orphan (cascade)
    ],
    "industry_demand": [
        demand("2026-03", "C38", 90),
        demand("2026-04", "I65", 60),
        demand("2026-02", "I65", 100),  # row_duplicate_key
        demand("2026-02", "I65", 200),  # row_duplicate_key
        demand("2026-01", "C", -5),  # demand_range
        demand("2026-01", "I", None),  # demand_range
    ],
}

# (rule, table) -> (rows, keys of the bad rows; a tuple for a composite key; None: no key to name)
EXPECTED_QUALITY = {
    ("row_not_null", "student"): (1, ["QNN_S1"]),
    ("row_not_null", "internship"): (2, ["QNN_I1", "QNN_I2"]),
    ("row_not_null", "industry"): (1, None),
    ("row_not_null", "enterprise"): (1, ["QNN_E"]),
    ("row_not_null", "approval_step"): (1, ["A_OK1"]),
    ("row_duplicate_key", "approval_process"): (2, ["PX"]),
    ("row_enum", "graduate_destination"): (1, ["STU_OLD"]),
    ("row_enum", "approval_step"): (1, [("A_OK1", "4")]),
    ("row_duplicate_key", "graduate_destination"): (2, ["QDUP_S"]),
    ("row_duplicate_key", "industry_demand"): (2, [("2026-02", "330100", "I65")]),
    ("row_orphan", "major"): (1, ["QORPH_M"]),
    ("row_orphan", "student"): (1, ["QCASC_S"]),
    ("row_orphan", "internship"): (4, ["QORPH_I1", "QORPH_I2", "QORPH_I3", "QORPH_I4"]),
    ("row_orphan", "graduate_destination"): (2, ["NOSTU", "QENUM_S"]),
    ("row_orphan", "approval_instance"): (3, ["QORPH_A", "QORPH_A2", "QORPH_A3"]),
    ("row_orphan", "approval_step"): (2, [("NOINST", "1"), ("QAO_1", "1")]),
    ("row_enum", "department"): (1, ["QENUM_D"]),
    ("row_enum", "student"): (1, ["QENUM_S"]),
    ("row_enum", "approval_process"): (1, ["QENUM_P"]),
    ("row_enum", "approval_instance"): (1, ["QENUM_A"]),
    ("internship_dates", "internship"): (1, ["QDATE_I"]),
    ("destination_unplaced_dated", "graduate_destination"): (1, ["QUD_S"]),
    ("destination_placed_undated", "graduate_destination"): (1, ["QPU_S"]),
    ("approval_order", "approval_instance"): (2, ["QAO_1", "QAO_2"]),
    ("step_order", "approval_step"): (2, [("A_OK1", "2"), ("A_OK1", "3")]),
    ("weight_range", "major_industry"): (2, [("M1", "C38"), ("M2", "I")]),
    ("demand_range", "industry_demand"): (2, [("2026-01", "330100", "C"), ("2026-01", "330100", "I")]),
    ("ref_unknown", "graduate_destination"): (2, ["STU_K2", "QMR_S"]),
    ("ref_unknown", "enterprise"): (1, ["ENT_E3"]),
    ("score_range", "internship"): (1, ["QSC_I"]),
    ("money_range", "internship"): (1, ["QMR_I1"]),
    ("money_range", "graduate_destination"): (1, ["QMR_S"]),
    ("logs_range", "internship"): (1, ["QLG_I"]),
}
# destination_missing: the spec does not say under which table; student or graduate_destination
MISSING_KEYS = ["QDUP_S", "QMISS_S", "QUD_S", "QPU_S", "STU_OLD"]

FIGURES = [
    # employment (row rules leave rows out; Z99 and 250000 become NULL)
    Exp("placement_rate", C26, SCHOOL, 4 / 5, 4, 5),
    Exp("major_related_rate", C26, SCHOOL, 2 / 3, 2, 3),
    Exp("industry_fit_rate", C26, SCHOOL, 1.0, 2, 2),
    Exp("province_employment_rate", C26, SCHOOL, 1.0, 3, 3),
    Exp("city_employment_rate", C26, SCHOOL, 2 / 3, 2, 3),
    Exp("avg_monthly_salary", C26, SCHOOL, 4500.0, 9000, 2),
    # internship
    Exp("internship_rate", C26, SCHOOL, 2 / 9, 2, 9),
    Exp("internship_match_rate", C26, SCHOOL, 0.5, 2, 4),
    Exp("internship_insured_rate", C26, SCHOOL, 0.8, 4, 5),
    Exp("internship_retention_rate", C26, SCHOOL, 0.5, 1, 2),
    Exp("internship_avg_score", C26, SCHOOL, 85.0, 170, 2),
    Exp("internship_log_rate", C26, SCHOOL, 24 / 26, 24, 26),
    Exp("internship_underpaid_count", C26, SCHOOL, 1, 1, 2),
    Exp("partner_enterprises_active", C26, SCHOOL, 1, 1, 2),
    # fit
    Exp("structure_fit_index", DAY, SCHOOL, 43 / 45, None, None),
    Exp("industry_deviation", DAY, {"industry": "C"}, -2 / 27, 5 / 9, 3 / 5),
    Exp("industry_deviation", DAY, {"industry": "I"}, 1 / 9, 4 / 9, 2 / 5),
    Exp("partner_enterprise_count", DAY, SCHOOL, 1, 1, None),
    # approvals
    Exp("approval_volume", JUN, SCHOOL, 2, 2, None),
    Exp("approval_volume", JUN, {"department": "D1"}, 1, 1, None),
    Exp("approval_latency_p50", JUN, SCHOOL, 1.0),
    Exp("approval_overdue_rate", JUN, SCHOOL, 0.0, 0, 1),
    Exp("approval_backlog", DAY, SCHOOL, 1, 1, None),
    Exp("approval_oldest_pending_days", DAY, SCHOOL, 4.625, None, None),
    Exp("step_latency_p50", JUN, {"process": "PF", "step": HEAD}, 0.25),
]

ABSENT = [
    # groups that only bad rows would have created
    Absent("approval_volume", JUN, {"process": "NOPROC"}),
    Absent("approval_volume", JUN, {"department": "NODEPT"}),
    Absent("approval_volume", JUN, {"process": "QENUM_P"}),
    Absent("step_latency_p50", JUN, {"process": "PF", "step": FIN}),
    Absent("step_latency_p50", JUN, {"process": "PF", "step": LEAD}),
    Absent("placement_rate", C26, {"major": "QORPH_M"}),
    Absent("internship_rate", C26, {"major": "QORPH_M"}),
]


@pytest.fixture(scope="module")
def result(compute_on):
    return compute_on(DATA, [D])[D]


def _named(examples: list[str], key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(all(p in ex for p in parts) for ex in examples)


def test_nothing_failed(result):
    assert result.failed == {}


@pytest.mark.parametrize("rule_table", list(EXPECTED_QUALITY), ids=lambda rt: f"{rt[0]}|{rt[1]}")
def test_rule_count_and_examples(result, rule_table):
    rows, bad_keys = EXPECTED_QUALITY[rule_table]
    q = quality_of(result, *rule_table)
    assert q is not None, f"{rule_table} not reported; reported: {nonzero_quality(result)}"
    assert q.rows == rows, f"{rule_table}: {q.rows} rows, expected {rows} (examples {q.examples})"
    if bad_keys is None:
        return
    assert q.examples, f"{rule_table}: no example keys"
    if len(set(q.examples)) >= len(bad_keys):  # room for all: every bad row is named
        for key in bad_keys:
            assert _named(q.examples, key), f"{rule_table}: examples {q.examples} do not name {key}"
    for ex in q.examples:
        assert any(_named([ex], key) for key in bad_keys), f"{rule_table}: example {ex!r} names no bad row"


def test_destination_missing(result):
    found = [q for q in result.quality if q.rule == "destination_missing" and q.rows]
    assert len(found) == 1, f"destination_missing: {found}"
    (q,) = found
    assert q.table in ("student", "graduate_destination")
    assert q.rows == len(MISSING_KEYS), q
    assert q.examples, "destination_missing: no example keys"
    if len(set(q.examples)) >= len(MISSING_KEYS):  # room for all: every missing student is named
        for key in MISSING_KEYS:
            assert _named(q.examples, key), f"examples {q.examples} lack {key}"
    for ex in q.examples:
        assert any(k in ex for k in MISSING_KEYS), f"example {ex!r} is not a missing student"


def test_no_other_rule_fires(result):
    """Rules with no bad rows report 0 or nothing: no false positives (e.g. the row
    that is left out is not counted again under a field rule, QNN_S1's NULL major
    is not an orphan, QNN_I1's score 150 is not a score_range row)."""
    got = {rt: n for rt, n in nonzero_quality(result).items() if rt[0] != "destination_missing"}
    want = {rt: v[0] for rt, v in EXPECTED_QUALITY.items()}
    assert got == want


@pytest.mark.parametrize("e", FIGURES, ids=Exp.id)
def test_bad_rows_do_not_move_figures(result, e):
    expect(result, e)


@pytest.mark.parametrize("a", ABSENT, ids=Absent.id)
def test_bad_rows_create_no_groups(result, a):
    expect_absent(result, a)


# --- school_profile must hold exactly one row ---------------------------------

MINIMAL = {
    "department": [department("D1")],
    "approval_process": [
        {"process_code": "PF", "name_zh": "经费报销", "category": "finance", "sla_workdays": 2}
    ],
    "approval_instance": [inst("A1", "PF", "D1", "2026-06-22 09:00")],
}


@pytest.mark.parametrize(
    "profile",
    [
        [],
        [*school("330100"), {"school_code": "4133010002", "name_zh": "另一所学院", "region_code": "330200"}],
    ],
    ids=["no_row", "two_rows"],
)
def test_school_profile_not_exactly_one_row(load_source, mode, profile):
    from engine_modes import engine_options

    from metrics.engine import SourceError, compute
    from metrics.workdays import WorkCalendar

    engine = load_source({**MINIMAL, "school_profile": profile})
    try:
        with pytest.raises(SourceError) as err:
            compute(
                engine,
                D,
                options=engine_options(mode),
                calendar=WorkCalendar(extra_holidays=[], extra_workdays=[]),
            )
        assert "school_profile" in str(err.value)
    finally:
        engine.dispose()


def test_school_profile_one_row_computes(load_source, mode):
    """The control: the same minimal source with one school_profile row computes."""
    from engine_modes import engine_options

    from metrics.engine import compute
    from metrics.workdays import WorkCalendar

    engine = load_source({**MINIMAL, "school_profile": school()})
    try:
        calendar = WorkCalendar(extra_holidays=[], extra_workdays=[])
        r = compute(engine, D, options=engine_options(mode), calendar=calendar)
    finally:
        engine.dispose()
    expect(r, Exp("approval_backlog", DAY, SCHOOL, 1, 1, None))
