"""Approval indicators (metrics.md § Approvals), grains school, department
(the applicant's) and process; step_latency_p50 by (process, step) only.

As of D = 2026-03-18 (Wednesday, ISO 2026-W12). End of D = 2026-03-19 00:00:00.
Windows: months 2025-04 .. 2026-03; ISO weeks 2025-W52 .. 2026-W12 (2025 has 52
weeks). March 2026 has no holiday; Spring Festival 2026: 02-15 .. 02-23 off,
Sat 02-14 and Sat 02-28 make-up working days (checked with chinese_calendar).

Processes: PF finance sla 2; PS seal sla 1. Departments: D1 academic, A1 administrative.

Instances ("lat" = working days submitted -> finished):
 id  proc dept submitted            finished              outcome    lat
 a01 PF   D1   Fri 03-06 16:00      Mon 03-09 10:00       approved   8h+10h = 0.75
 a02 PF   D1   Mon 03-09 09:00      Thu 03-12 09:00       rejected   3.0   (> 2: overdue)
 a03 PF   A1   Mon 03-09 08:00      Wed 03-11 08:00       approved   2.0   (= sla: NOT overdue)
 a04 PS   A1   Tue 03-10 10:00      Tue 03-10 16:00       approved   0.25
 a05 PS   D1   Fri 03-13 12:00      Mon 03-16 18:00       approved   12h+18h = 1.25 (> 1: overdue)
 a06 PS   D1   Mon 03-16 09:00      NULL                  NULL       pending; age 15h+1+1 = 2.625
 a07 PF   A1   Wed 03-18 10:00      Wed 03-18 11:00       withdrawn  (volume only)
 a08 PF   D1   Tue 03-17 09:00      Thu 03-19 10:00       approved   after D: pending at D, age 15h+1 = 1.625
 a09 PF   D1   Thu 03-19 09:00      NULL                  NULL       submitted after D: ignored
 a10 PF   D1   Fri 2026-02-13 15:00 Wed 2026-02-25 11:00  approved   9h + Sat 02-14 (make-up) 1
                                                                     + 02-15..23 off + Tue 24 1 + 11h
                                                                     = 68/24 = 2.8333 (> 2: overdue;
                                                                     it would be 1.8333 without the
                                                                     make-up Saturday)
 a11 PS   A1   Tue 2025-04-01 10:00 Wed 2025-04-02 10:00  approved   1.0
 a12 PS   A1   Mon 2025-03-31 10:00 Tue 2025-04-01 16:00  approved   14h+16h = 1.25 (overdue)
 a13 PF   D1   Mon 2025-12-22 10:00 Mon 2025-12-22 12:00  approved   1/12  (2025-W52)
 a14 PF   A1   Fri 2025-12-19 10:00 Fri 2025-12-19 11:00  approved   1/24  (2025-W51: outside weeks)
 a15 PF   D1   Mon 2025-03-03 10:00 Tue 2025-03-04 10:00  approved   1.0   (2025-03: outside months)
 a16 PS   D1   Wed 03-18 23:59:59   Thu 03-19 08:00       approved   pending at D, age 1 s
 a17 PF   A1   Wed 03-18 20:00      Thu 03-19 00:00:00    rejected   finished AT end of D:
                                                                     pending at D, age 4h = 1/6
 a18 PS   A1   Wed 03-18 09:00      Fri 03-20 10:00       withdrawn  withdrawn after D: pending at D,
                                                                     age 15h = 0.625
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
    keys,
    school,
    ts,
)

D = d("2026-03-18")
SCHOOL: dict = {}
D1 = {"department": "D1"}
A1 = {"department": "A1"}
PF = {"process": "PF"}
PS = {"process": "PS"}
DAY = "day:2026-03-18"
MAR, FEB, DEC, APR = "month:2026-03", "month:2026-02", "month:2025-12", "month:2025-04"
W52, W07, W09, W10, W11, W12 = (
    "week:2025-W52",
    "week:2026-W07",
    "week:2026-W09",
    "week:2026-W10",
    "week:2026-W11",
    "week:2026-W12",
)
HEAD, FIN, SEAL = "部门负责人审核", "财务处审核", "用印审核"


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


def process(code, category, sla):
    return {"process_code": code, "name_zh": f"流程{code}", "category": category, "sla_workdays": sla}


DATA = {
    "school_profile": school(),
    "department": [department("D1"), department("A1", "administrative")],
    "approval_process": [process("PF", "finance", 2), process("PS", "seal", 1)],
    "approval_instance": [
        inst("a01", "PF", "D1", "2026-03-06 16:00", "2026-03-09 10:00", "approved"),
        inst("a02", "PF", "D1", "2026-03-09 09:00", "2026-03-12 09:00", "rejected"),
        inst("a03", "PF", "A1", "2026-03-09 08:00", "2026-03-11 08:00", "approved"),
        inst("a04", "PS", "A1", "2026-03-10 10:00", "2026-03-10 16:00", "approved"),
        inst("a05", "PS", "D1", "2026-03-13 12:00", "2026-03-16 18:00", "approved"),
        inst("a06", "PS", "D1", "2026-03-16 09:00"),
        inst("a07", "PF", "A1", "2026-03-18 10:00", "2026-03-18 11:00", "withdrawn"),
        inst("a08", "PF", "D1", "2026-03-17 09:00", "2026-03-19 10:00", "approved"),
        inst("a09", "PF", "D1", "2026-03-19 09:00"),
        inst("a10", "PF", "D1", "2026-02-13 15:00", "2026-02-25 11:00", "approved"),
        inst("a11", "PS", "A1", "2025-04-01 10:00", "2025-04-02 10:00", "approved"),
        inst("a12", "PS", "A1", "2025-03-31 10:00", "2025-04-01 16:00", "approved"),
        inst("a13", "PF", "D1", "2025-12-22 10:00", "2025-12-22 12:00", "approved"),
        inst("a14", "PF", "A1", "2025-12-19 10:00", "2025-12-19 11:00", "approved"),
        inst("a15", "PF", "D1", "2025-03-03 10:00", "2025-03-04 10:00", "approved"),
        inst("a16", "PS", "D1", "2026-03-18 23:59:59", "2026-03-19 08:00", "approved"),
        inst("a17", "PF", "A1", "2026-03-18 20:00", "2026-03-19 00:00:00", "rejected"),
        inst("a18", "PS", "A1", "2026-03-18 09:00", "2026-03-20 10:00", "withdrawn"),
    ],
    "approval_step": [
        # step latency in working days, acted in which month:
        step("a01", 1, HEAD, "2026-03-06 16:00", "2026-03-09 08:00", "approve"),  # 8h+8h = 2/3, Mar
        step("a01", 2, FIN, "2026-03-09 08:00", "2026-03-09 10:00", "approve"),  # 1/12, Mar
        step("a02", 1, HEAD, "2026-03-09 09:00", "2026-03-10 09:00", "return"),  # 1.0, Mar (return counts)
        step("a02", 2, FIN, "2026-03-10 09:00", "2026-03-12 09:00", "reject"),  # 2.0, Mar
        step("a03", 1, HEAD, "2026-03-09 08:00", "2026-03-09 20:00", "approve"),  # 0.5, Mar
        step("a03", 2, FIN, "2026-03-09 20:00", "2026-03-11 08:00", "approve"),  # 4h+24h+8h = 1.5, Mar
        step("a04", 1, HEAD, "2026-03-10 10:00", "2026-03-10 12:00", "approve"),  # PS's own head step: 1/12
        step("a05", 1, SEAL, "2026-03-13 12:00", "2026-03-16 18:00", "approve"),  # 1.25, Mar
        step("a06", 1, SEAL, "2026-03-16 09:00"),  # waiting: not acted
        step("a08", 1, HEAD, "2026-03-17 09:00", "2026-03-18 09:00", "approve"),  # 1.0, Mar
        step("a08", 2, FIN, "2026-03-18 09:00", "2026-03-19 10:00", "approve"),  # acted after D: out
        step("a10", 1, HEAD, "2026-02-13 15:00", "2026-02-24 15:00", "approve"),  # 9h+1+15h = 2.0, Feb
        step("a10", 2, FIN, "2026-02-24 15:00", "2026-02-25 11:00", "approve"),  # 9h+11h = 5/6, Feb
        step("a12", 1, SEAL, "2025-03-31 10:00", "2025-04-01 16:00", "approve"),  # 1.25, 2025-04
        step("a15", 1, HEAD, "2025-03-03 10:00", "2025-03-04 10:00", "approve"),  # 2025-03: outside
    ],
}

SF = 68 / 24  # a10's latency across Spring Festival 2026

EXPECTED = [
    # ---- approval_volume: submitted in the period, before end of D; withdrawn included
    # month 2026-03: a01..a08 a16 a17 a18 = 11 (a09 after D)
    Exp("approval_volume", MAR, SCHOOL, 11, 11, None),
    Exp("approval_volume", MAR, D1, 6, 6, None),  # a01 a02 a05 a06 a08 a16
    Exp("approval_volume", MAR, A1, 5, 5, None),  # a03 a04 a07 a17 a18
    Exp("approval_volume", MAR, PF, 6, 6, None),  # a01 a02 a03 a07 a08 a17
    Exp("approval_volume", MAR, PS, 5, 5, None),  # a04 a05 a06 a16 a18
    Exp("approval_volume", FEB, SCHOOL, 1, 1, None),  # a10
    Exp("approval_volume", FEB, D1, 1, 1, None),
    Exp("approval_volume", DEC, SCHOOL, 2, 2, None),  # a13 a14
    Exp("approval_volume", DEC, PF, 2, 2, None),
    Exp("approval_volume", DEC, A1, 1, 1, None),  # a14
    Exp("approval_volume", APR, SCHOOL, 1, 1, None),  # a11 (a12 was submitted in March 2025)
    Exp("approval_volume", APR, PS, 1, 1, None),
    Exp("approval_volume", W52, SCHOOL, 1, 1, None),  # a13
    Exp("approval_volume", W07, SCHOOL, 1, 1, None),  # a10 (Fri 02-13)
    Exp("approval_volume", W10, SCHOOL, 1, 1, None),  # a01
    Exp("approval_volume", W11, SCHOOL, 4, 4, None),  # a02 a03 a04 a05
    Exp("approval_volume", W11, D1, 2, 2, None),  # a02 a05
    Exp("approval_volume", W11, PS, 2, 2, None),  # a04 a05
    Exp("approval_volume", W12, SCHOOL, 6, 6, None),  # a06 a07 a08 a16 a17 a18
    Exp("approval_volume", W12, D1, 3, 3, None),  # a06 a08 a16
    Exp("approval_volume", W12, A1, 3, 3, None),  # a07 a17 a18
    Exp("approval_volume", W12, PF, 3, 3, None),  # a07 a08 a17
    # ---- approval_latency_p50 / p90 (linear interpolation) -------------------
    # Mar school: [0.25, 0.75, 1.25, 2.0, 3.0] -> p50 1.25; p90 at 3.6 -> 2.0 + 0.6*1.0 = 2.6
    Exp("approval_latency_p50", MAR, SCHOOL, 1.25),
    Exp("approval_latency_p90", MAR, SCHOOL, 2.6),
    # Mar D1: [0.75, 1.25, 3.0] -> p50 1.25; p90 at 1.8 -> 1.25 + 0.8*1.75 = 2.65
    Exp("approval_latency_p50", MAR, D1, 1.25),
    Exp("approval_latency_p90", MAR, D1, 2.65),
    # Mar A1: [0.25, 2.0] -> p50 1.125; p90 0.25 + 0.9*1.75 = 1.825
    Exp("approval_latency_p50", MAR, A1, 1.125),
    Exp("approval_latency_p90", MAR, A1, 1.825),
    # Mar PF: [0.75, 2.0, 3.0] -> p50 2.0; p90 2.0 + 0.8*1.0 = 2.8
    Exp("approval_latency_p50", MAR, PF, 2.0),
    Exp("approval_latency_p90", MAR, PF, 2.8),
    # Mar PS: [0.25, 1.25] -> p50 0.75; p90 0.25 + 0.9*1.0 = 1.15
    Exp("approval_latency_p50", MAR, PS, 0.75),
    Exp("approval_latency_p90", MAR, PS, 1.15),
    # Feb: a10 alone
    Exp("approval_latency_p50", FEB, SCHOOL, SF),
    Exp("approval_latency_p90", FEB, SCHOOL, SF),
    Exp("approval_latency_p50", FEB, PF, SF),
    # Dec 2025: [1/24, 1/12] -> p50 1/16; p90 1/24 + 0.9/24 = 1.9/24
    Exp("approval_latency_p50", DEC, SCHOOL, 1 / 16),
    Exp("approval_latency_p90", DEC, SCHOOL, 1.9 / 24),
    Exp("approval_latency_p50", DEC, D1, 1 / 12),  # a13
    Exp("approval_latency_p50", DEC, A1, 1 / 24),  # a14
    # Apr 2025: finished a11 1.0 and a12 1.25 (submitted in March, finished in April)
    Exp("approval_latency_p50", APR, SCHOOL, 1.125),
    Exp("approval_latency_p90", APR, SCHOOL, 1.225),
    Exp("approval_latency_p50", APR, A1, 1.125),
    Exp("approval_latency_p50", APR, PS, 1.125),
    # weeks (by finished_at): W11 a01 a02 a03 a04 -> [0.25, 0.75, 2.0, 3.0]
    # p50 (0.75+2.0)/2 = 1.375; p90 at 2.7 -> 2.0 + 0.7*1.0 = 2.7
    Exp("approval_latency_p50", W11, SCHOOL, 1.375),
    Exp("approval_latency_p90", W11, SCHOOL, 2.7),
    Exp("approval_latency_p50", W11, D1, 1.875),  # [0.75, 3.0]
    Exp("approval_latency_p90", W11, D1, 2.775),  # 0.75 + 0.9*2.25
    Exp("approval_latency_p50", W11, PF, 2.0),  # [0.75, 2.0, 3.0]
    Exp("approval_latency_p90", W11, PF, 2.8),
    Exp("approval_latency_p50", W11, PS, 0.25),  # a04
    Exp("approval_latency_p50", W12, SCHOOL, 1.25),  # a05 (finished Mon 03-16)
    Exp("approval_latency_p90", W12, SCHOOL, 1.25),
    Exp("approval_latency_p50", W09, SCHOOL, SF),  # a10 finished Wed 02-25
    Exp("approval_latency_p50", W52, SCHOOL, 1 / 12),  # a13
    # ---- approval_overdue_rate: latency > sla (strictly) / finished -----------
    Exp("approval_overdue_rate", MAR, SCHOOL, 2 / 5, 2, 5),  # a02 (3>2), a05 (1.25>1); a03 = 2 is not
    Exp("approval_overdue_rate", MAR, D1, 2 / 3, 2, 3),  # a02 a05 of a01 a02 a05
    Exp("approval_overdue_rate", MAR, A1, 0.0, 0, 2),  # a03 (=sla) a04
    Exp("approval_overdue_rate", MAR, PF, 1 / 3, 1, 3),  # a02 of a01 a02 a03
    Exp("approval_overdue_rate", MAR, PS, 1 / 2, 1, 2),  # a05 of a04 a05
    Exp("approval_overdue_rate", FEB, SCHOOL, 1.0, 1, 1),  # a10 2.83 > 2 (needs the make-up Saturday)
    Exp("approval_overdue_rate", DEC, SCHOOL, 0.0, 0, 2),
    Exp("approval_overdue_rate", APR, SCHOOL, 1 / 2, 1, 2),  # a12 1.25 > 1; a11 1.0 = 1 not
    Exp("approval_overdue_rate", W11, SCHOOL, 1 / 4, 1, 4),
    Exp("approval_overdue_rate", W11, D1, 1 / 2, 1, 2),
    Exp("approval_overdue_rate", W11, A1, 0.0, 0, 2),
    Exp("approval_overdue_rate", W12, SCHOOL, 1.0, 1, 1),
    Exp("approval_overdue_rate", W09, SCHOOL, 1.0, 1, 1),
    Exp("approval_overdue_rate", W52, SCHOOL, 0.0, 0, 1),
    # ---- approval_backlog at end of D: a06 a08 a16 a17 a18 (a09 submitted after D)
    Exp("approval_backlog", DAY, SCHOOL, 5, 5, None),
    Exp("approval_backlog", DAY, D1, 3, 3, None),  # a06 a08 a16
    Exp("approval_backlog", DAY, A1, 2, 2, None),  # a17 (finished exactly at end of D), a18
    Exp("approval_backlog", DAY, PF, 2, 2, None),  # a08 a17
    Exp("approval_backlog", DAY, PS, 3, 3, None),  # a06 a16 a18 (withdrawn only after D)
    # ---- approval_oldest_pending_days: max working-day age at end of D ------
    Exp("approval_oldest_pending_days", DAY, SCHOOL, 2.625, None, None),  # a06
    Exp("approval_oldest_pending_days", DAY, D1, 2.625, None, None),
    Exp("approval_oldest_pending_days", DAY, A1, 0.625, None, None),  # a18 15h (a17 only 4h)
    Exp("approval_oldest_pending_days", DAY, PF, 1.625, None, None),  # a08
    Exp("approval_oldest_pending_days", DAY, PS, 2.625, None, None),
    # ---- step_latency_p50 by month, dims {process, step} --------------------
    # Mar (PF, head): a01 2/3, a02 1.0, a03 0.5, a08 1.0 -> [0.5, 2/3, 1, 1] -> 5/6
    Exp("step_latency_p50", MAR, {"process": "PF", "step": HEAD}, 5 / 6),
    # Mar (PF, finance): a01 1/12, a02 2.0, a03 1.5 -> 1.5 (a08's step 2 acted after D)
    Exp("step_latency_p50", MAR, {"process": "PF", "step": FIN}, 1.5),
    Exp("step_latency_p50", MAR, {"process": "PS", "step": SEAL}, 1.25),  # a05 (a06 waiting)
    # the same step name in another process is another group (merged it would give 2/3)
    Exp("step_latency_p50", MAR, {"process": "PS", "step": HEAD}, 1 / 12),  # a04
    Exp("step_latency_p50", FEB, {"process": "PF", "step": HEAD}, 2.0),
    Exp("step_latency_p50", FEB, {"process": "PF", "step": FIN}, 5 / 6),
    Exp("step_latency_p50", APR, {"process": "PS", "step": SEAL}, 1.25),  # a12 acted 2025-04-01
]

ABSENT = [
    # outside the 12-month / 13-week windows
    Absent("approval_volume", "month:2025-03", SCHOOL),
    Absent("approval_latency_p50", "month:2025-03", SCHOOL),
    Absent("approval_volume", "week:2025-W51", SCHOOL),
    Absent("approval_latency_p50", "week:2025-W51", SCHOOL),
    Absent("step_latency_p50", "month:2025-03", {"process": "PF", "step": HEAD}),
    # a period past D is cut at end of D: nothing in April 2026 / W13
    Absent("approval_volume", "month:2026-04", SCHOOL),
    Absent("approval_volume", "week:2026-W13", SCHOOL),
    # no finished instance in W10 (a01 finished in W11) -> no latency / overdue
    Absent("approval_latency_p50", W10, SCHOOL),
    Absent("approval_overdue_rate", W10, SCHOOL),
    # no submission in 2026-01 -> no volume
    Absent("approval_volume", "month:2026-01", SCHOOL),
    # groups with no rows
    Absent("approval_volume", FEB, A1),
    Absent("approval_latency_p50", FEB, PS),
    # step_latency_p50: month only, dims {process, step} only
    Absent("step_latency_p50", MAR, SCHOOL),
    Absent("step_latency_p50", MAR, PF),
    Absent("step_latency_p50", MAR, D1),
    Absent("step_latency_p50", W11, {"process": "PF", "step": HEAD}),
    Absent("step_latency_p50", W12, {"process": "PF", "step": HEAD}),
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


def test_volume_periods_exactly(result):
    got = {p for p, dk in emitted_keys(result, "approval_volume") if dk == "{}"}
    assert got == {MAR, FEB, DEC, APR, W52, W07, W10, W11, W12}


def test_latency_periods_exactly(result):
    for metric in ("approval_latency_p50", "approval_latency_p90", "approval_overdue_rate"):
        got = {p for p, dk in emitted_keys(result, metric) if dk == "{}"}
        assert got == {MAR, FEB, DEC, APR, W52, W09, W11, W12}, metric


def test_backlog_groups_exactly(result):
    for metric in ("approval_backlog", "approval_oldest_pending_days"):
        assert emitted_keys(result, metric) == keys(
            (DAY, SCHOOL), (DAY, D1), (DAY, A1), (DAY, PF), (DAY, PS)
        ), metric


def test_step_latency_groups_exactly(result):
    assert emitted_keys(result, "step_latency_p50") == keys(
        (MAR, {"process": "PF", "step": HEAD}),
        (MAR, {"process": "PF", "step": FIN}),
        (MAR, {"process": "PS", "step": SEAL}),
        (MAR, {"process": "PS", "step": HEAD}),
        (FEB, {"process": "PF", "step": HEAD}),
        (FEB, {"process": "PF", "step": FIN}),
        (APR, {"process": "PS", "step": SEAL}),
    )


# --- a year outside the official calendar: Mon-Fri minus extra_holidays plus extra_workdays
#
# D = 2031-01-08 (Wed). 2031-01-01 is a Wednesday; ISO 2031-W01 starts Mon 2030-12-30.
# extra_holidays = [2031-01-01, 2031-01-08]; extra_workdays = [Sat 2031-01-04]. PF sla 1.5.
#  b01 Tue 2030-12-31 12:00 -> Thu 2031-01-02 12:00 approved: 0.5 + 0 (holiday) + 0.5 = 1.0
#      (Mon-Fri without the holiday would be 2.0)
#  b02 Fri 2031-01-03 12:00 -> Mon 2031-01-06 12:00 approved: 0.5 + 1 (Sat workday) + 0.5 = 2.0
#      (without the make-up Saturday 1.0)
#  b03 Tue 2031-01-07 12:00 pending: age at end of D = 0.5 + 0 (01-08 is a holiday) = 0.5

D31 = d("2031-01-08")
DATA_2031 = {
    "school_profile": school(),
    "department": [department("D1")],
    "approval_process": [process("PF", "finance", 1.5)],
    "approval_instance": [
        inst("b01", "PF", "D1", "2030-12-31 12:00", "2031-01-02 12:00", "approved"),
        inst("b02", "PF", "D1", "2031-01-03 12:00", "2031-01-06 12:00", "approved"),
        inst("b03", "PF", "D1", "2031-01-07 12:00"),
    ],
}

EXPECTED_2031 = [
    # month 2031-01: [1.0, 2.0] -> p50 1.5, p90 1.9; overdue b02 (2.0 > 1.5) -> 1/2
    Exp("approval_latency_p50", "month:2031-01", SCHOOL, 1.5),
    Exp("approval_latency_p90", "month:2031-01", SCHOOL, 1.9),
    Exp("approval_overdue_rate", "month:2031-01", SCHOOL, 0.5, 1, 2),
    Exp("approval_volume", "month:2031-01", SCHOOL, 2, 2, None),  # b02 b03
    Exp("approval_volume", "month:2030-12", SCHOOL, 1, 1, None),  # b01
    Exp("approval_volume", "week:2031-W01", SCHOOL, 2, 2, None),  # b01 (12-31) b02 (01-03)
    Exp("approval_volume", "week:2031-W02", SCHOOL, 1, 1, None),  # b03
    Exp("approval_latency_p50", "week:2031-W01", SCHOOL, 1.0),  # b01 finished Thu 01-02
    Exp("approval_overdue_rate", "week:2031-W01", SCHOOL, 0.0, 0, 1),
    Exp("approval_latency_p50", "week:2031-W02", SCHOOL, 2.0),  # b02 finished Mon 01-06
    Exp("approval_overdue_rate", "week:2031-W02", SCHOOL, 1.0, 1, 1),
    Exp("approval_backlog", "day:2031-01-08", SCHOOL, 1, 1, None),
    Exp("approval_oldest_pending_days", "day:2031-01-08", SCHOOL, 0.5, None, None),
]


@pytest.fixture(scope="module")
def result_2031(compute_on):
    from metrics.workdays import WorkCalendar

    cal = WorkCalendar(extra_holidays=[d("2031-01-01"), d("2031-01-08")], extra_workdays=[d("2031-01-04")])
    return compute_on(DATA_2031, [D31], calendar=cal)[D31]


@pytest.mark.parametrize("e", EXPECTED_2031, ids=Exp.id)
def test_value_outside_official_calendar(result_2031, e):
    expect(result_2031, e)


# --- ISO weeks across a 53-week ISO year ----------------------------------------
#
# D = 2021-01-06 (Wed, ISO 2021-W01). ISO 2020 has 53 weeks; Fri 2021-01-01 belongs to
# ISO week 2020-W53 but to month 2021-01. Weeks window: 2020-W42 .. 2021-W01 (13 weeks:
# W42..W53 is 12, plus 2021-W01). Months window: 2020-02 .. 2021-01.
# Official calendar: 2021-01-01 holiday; 2020-10-01..08 National Day holidays.
#  c1 Thu 2020-12-31 10:00 -> Mon 2021-01-04 10:00 approved: 14h + 0 (Fri holiday) + 10h = 1.0
#  c2 Fri 2021-01-01 09:00 pending: age at end of D = 0 (holiday) + Mon + Tue + Wed = 3.0
#  c3 Mon 2020-10-05 10:00 -> 11:00 approved: a holiday -> latency 0.0 (ISO 2020-W41: outside)
#  c4 Mon 2020-10-12 10:00 -> 11:00 approved: 1/24 (ISO 2020-W42: first week of the window)

D21 = d("2021-01-06")
DATA_2021 = {
    "school_profile": school(),
    "department": [department("D1")],
    "approval_process": [process("PF", "finance", 2)],
    "approval_instance": [
        inst("c1", "PF", "D1", "2020-12-31 10:00", "2021-01-04 10:00", "approved"),
        inst("c2", "PF", "D1", "2021-01-01 09:00"),
        inst("c3", "PF", "D1", "2020-10-05 10:00", "2020-10-05 11:00", "approved"),
        inst("c4", "PF", "D1", "2020-10-12 10:00", "2020-10-12 11:00", "approved"),
    ],
}

EXPECTED_2021 = [
    Exp("approval_volume", "week:2020-W53", SCHOOL, 2, 2, None),  # c1 c2
    Exp("approval_volume", "week:2020-W42", SCHOOL, 1, 1, None),  # c4
    Exp("approval_volume", "month:2020-12", SCHOOL, 1, 1, None),  # c1
    Exp("approval_volume", "month:2021-01", SCHOOL, 1, 1, None),  # c2
    Exp("approval_volume", "month:2020-10", SCHOOL, 2, 2, None),  # c3 c4
    Exp("approval_latency_p50", "week:2021-W01", SCHOOL, 1.0),  # c1 finished Mon 01-04
    Exp("approval_latency_p50", "month:2021-01", SCHOOL, 1.0),
    Exp("approval_latency_p50", "week:2020-W42", SCHOOL, 1 / 24),  # c4
    # month 2020-10: [0.0, 1/24] -> p50 1/48, p90 0.9/24
    Exp("approval_latency_p50", "month:2020-10", SCHOOL, 1 / 48),
    Exp("approval_latency_p90", "month:2020-10", SCHOOL, 0.9 / 24),
    Exp("approval_overdue_rate", "month:2020-10", SCHOOL, 0.0, 0, 2),
    Exp("approval_backlog", "day:2021-01-06", SCHOOL, 1, 1, None),
    Exp("approval_oldest_pending_days", "day:2021-01-06", SCHOOL, 3.0, None, None),
]

ABSENT_2021 = [
    Absent("approval_volume", "week:2020-W41", SCHOOL),  # c3: outside the 13 weeks
    Absent("approval_volume", "week:2021-W53", SCHOOL),  # the ISO year of 2021-01-01 is 2020
    Absent("approval_volume", "week:2021-W01", SCHOOL),  # nothing submitted Jan 4..6
    Absent("approval_latency_p50", "week:2020-W53", SCHOOL),  # nothing finished in W53
]


@pytest.fixture(scope="module")
def result_2021(compute_on):
    return compute_on(DATA_2021, [D21])[D21]


@pytest.mark.parametrize("e", EXPECTED_2021, ids=Exp.id)
def test_value_iso_53_weeks(result_2021, e):
    expect(result_2021, e)


@pytest.mark.parametrize("a", ABSENT_2021, ids=Absent.id)
def test_not_emitted_iso_53_weeks(result_2021, a):
    expect_absent(result_2021, a)


def test_week_periods_iso_53_weeks(result_2021):
    got = {p for p, dk in emitted_keys(result_2021, "approval_volume", "week:") if dk == "{}"}
    assert got == {"week:2020-W53", "week:2020-W42"}


# --- a latency exactly equal to the SLA is not overdue ---------------------------
#
# D = 2026-03-31. Process PS sla 15. March 2026 has no holiday, so each instance below
# takes exactly three weeks = 15 working days (same weekday and clock time, 21 days
# later). "latency > sla_workdays" is strict: none is overdue. (A latency computed
# as a difference of large floating positions can come out as 15.000000000000004.)
#  e1 Mon 03-02 08:00 -> Mon 03-23 08:00     e2 Tue 03-03 10:00 -> Tue 03-24 10:00
#  e3 Wed 03-04 16:00 -> Wed 03-25 16:00     e4 Thu 03-05 17:00 -> Thu 03-26 17:00
#  e5 Fri 03-06 08:00 -> Fri 03-27 08:00
# => month 2026-03: overdue 0 of 5; p50 = p90 = 15

D_SLA = d("2026-03-31")
DATA_SLA = {
    "school_profile": school(),
    "department": [department("D1")],
    "approval_process": [process("PS", "seal", 15)],
    "approval_instance": [
        inst("e1", "PS", "D1", "2026-03-02 08:00", "2026-03-23 08:00", "approved"),
        inst("e2", "PS", "D1", "2026-03-03 10:00", "2026-03-24 10:00", "approved"),
        inst("e3", "PS", "D1", "2026-03-04 16:00", "2026-03-25 16:00", "approved"),
        inst("e4", "PS", "D1", "2026-03-05 17:00", "2026-03-26 17:00", "approved"),
        inst("e5", "PS", "D1", "2026-03-06 08:00", "2026-03-27 08:00", "approved"),
    ],
}

EXPECTED_SLA = [
    Exp("approval_overdue_rate", "month:2026-03", SCHOOL, 0.0, 0, 5),
    Exp("approval_overdue_rate", "month:2026-03", PS, 0.0, 0, 5),
    Exp("approval_latency_p50", "month:2026-03", SCHOOL, 15.0),
    Exp("approval_latency_p90", "month:2026-03", SCHOOL, 15.0),
]


@pytest.fixture(scope="module")
def result_sla(compute_on):
    return compute_on(DATA_SLA, [D_SLA])[D_SLA]


@pytest.mark.parametrize("e", EXPECTED_SLA, ids=Exp.id)
def test_latency_equal_to_sla_is_not_overdue(result_sla, e):
    expect(result_sla, e)


# --- the pending drill: instances pending at end of D by waiting step -------------
#
# D = 2026-03-18 (Wed; March 2026 has no holiday). End of D = 03-19 00:00.
# Processes PX sla 1, PY sla 3. Steps of PX, in workflow order: A 部门负责人审核,
# B 财务处审核, C 分管校领导审批 (their names' code-point order is C < B < A, the
# reverse: the order must come from step_no, not from the names).
#  id  proc dept submitted        steps (no name arrived -> acted)             waiting at D
#  x1  PX   D1   Mon 03-16 09:00  1A 09:00->10:00, 2B 10:00 -> -               B (2)
#  x2  PX   D1   Tue 03-17 09:00  1A 09:00->12:00, 2C 12:00 -> -  (B skipped)  C (2)
#  x3  PX   D2   Wed 03-18 08:00  1A 08:00 -> -                                A (1)
#  x4  PX   D1   Mon 03-16 08:00  1A, 2B (return), 3B, 4C, finished 12:00     not pending
#  x5  PX   D1   Wed 03-18 09:00  1A 09:00 -> -                                A (1)
#  x6  PX   D1   Wed 03-18 10:00  1A 10:00 -> -                                A (1)
#  x7  PX   D1   Wed 03-18 11:00  1A 11:00 -> -                                A (1)
#  x8  PX   D2   Wed 03-18 09:00  1A 09:00->10:00, 2B and 3C 10:00 -> - (parallel): C (3), the highest
#  y1  PY   D2   Fri 03-13 12:00  1A 12:00 -> Mon 03-16 12:00, not finished    none (all acted)
#  y2  PY   D2   Thu 03-19 09:00  submitted after D                           not pending
#  y3  PY   D1   Tue 03-17 09:00  1A 09:00 -> Thu 03-19 10:00, finished then   A (1): acted after D
# Step order of PX: mean step_no over steps arrived in the 12 months: A 1; B (2+2+3+2)/4
# = 2.25; C (2+4+3)/3 = 3 -> A, B, C (the smallest step_no alone ties B and C at 2). PY: A.
# Ages at end of D (working days) from submitted / from arrival at the waiting step:
#  y1 12h+3 = 3.5 (> 3: over SLA), no step;  x1 2.625 / 14h+2 = 62/24 (over);
#  x2 1.625 / 12h+1 = 1.5 (over);  y3 1.625 / 1.625 (not over: sla 3);  x3 16/24 / 16/24;
#  x5 15/24 / 15/24;  x8 15/24 / 14/24;  x6 14/24 / 14/24;  x7 13/24 / 13/24.
# Oldest first, ties by id: y1, x1, x2, y3 (same minute as x2), x3, x5, x8 (same as x5), x6, x7.
# With at most 2 per (process, step, department), (PX, A, D1) keeps x5, x6 of x5 x6 x7 and
# counts 3.
HEAD_X, FIN_X, VICE_X = "部门负责人审核", "财务处审核", "分管校领导审批"
DP = d("2026-03-18")
DATA_PENDING = {
    "school_profile": school(),
    "department": [department("D1"), department("D2")],
    "approval_process": [process("PX", "finance", 1), process("PY", "other", 3)],
    "approval_instance": [
        inst("x1", "PX", "D1", "2026-03-16 09:00"),
        inst("x2", "PX", "D1", "2026-03-17 09:00"),
        inst("x3", "PX", "D2", "2026-03-18 08:00"),
        inst("x4", "PX", "D1", "2026-03-16 08:00", "2026-03-16 12:00", "approved"),
        inst("x5", "PX", "D1", "2026-03-18 09:00"),
        inst("x6", "PX", "D1", "2026-03-18 10:00"),
        inst("x7", "PX", "D1", "2026-03-18 11:00"),
        inst("x8", "PX", "D2", "2026-03-18 09:00"),
        inst("y1", "PY", "D2", "2026-03-13 12:00"),
        inst("y2", "PY", "D2", "2026-03-19 09:00"),
        inst("y3", "PY", "D1", "2026-03-17 09:00", "2026-03-19 10:00", "approved"),
    ],
    "approval_step": [
        step("x1", 1, HEAD_X, "2026-03-16 09:00", "2026-03-16 10:00", "approve"),
        step("x1", 2, FIN_X, "2026-03-16 10:00"),
        step("x2", 1, HEAD_X, "2026-03-17 09:00", "2026-03-17 12:00", "approve"),
        step("x2", 2, VICE_X, "2026-03-17 12:00"),
        step("x3", 1, HEAD_X, "2026-03-18 08:00"),
        step("x4", 1, HEAD_X, "2026-03-16 08:00", "2026-03-16 09:00", "approve"),
        step("x4", 2, FIN_X, "2026-03-16 09:00", "2026-03-16 10:00", "return"),
        step("x4", 3, FIN_X, "2026-03-16 10:00", "2026-03-16 11:00", "approve"),
        step("x4", 4, VICE_X, "2026-03-16 11:00", "2026-03-16 12:00", "approve"),
        step("x5", 1, HEAD_X, "2026-03-18 09:00"),
        step("x6", 1, HEAD_X, "2026-03-18 10:00"),
        step("x7", 1, HEAD_X, "2026-03-18 11:00"),
        step("x8", 1, HEAD_X, "2026-03-18 09:00", "2026-03-18 10:00", "approve"),
        step("x8", 2, FIN_X, "2026-03-18 10:00"),
        step("x8", 3, VICE_X, "2026-03-18 10:00"),
        step("y1", 1, HEAD_X, "2026-03-13 12:00", "2026-03-16 12:00", "approve"),
        step("y3", 1, HEAD_X, "2026-03-17 09:00", "2026-03-19 10:00", "approve"),
    ],
}
# id: (process, department, submitted, step, step_no, age, step age, sla, over)
EXPECTED_PENDING = {
    "y1": ("PY", "D2", "2026-03-13 12:00:00", None, None, 3.5, None, 3.0, True),
    "x1": ("PX", "D1", "2026-03-16 09:00:00", FIN_X, 2, 2.625, 62 / 24, 1.0, True),
    "x2": ("PX", "D1", "2026-03-17 09:00:00", VICE_X, 2, 1.625, 1.5, 1.0, True),
    "y3": ("PY", "D1", "2026-03-17 09:00:00", HEAD_X, 1, 1.625, 1.625, 3.0, False),
    "x3": ("PX", "D2", "2026-03-18 08:00:00", HEAD_X, 1, 16 / 24, 16 / 24, 1.0, False),
    "x5": ("PX", "D1", "2026-03-18 09:00:00", HEAD_X, 1, 15 / 24, 15 / 24, 1.0, False),
    "x8": ("PX", "D2", "2026-03-18 09:00:00", VICE_X, 3, 15 / 24, 14 / 24, 1.0, False),
    "x6": ("PX", "D1", "2026-03-18 10:00:00", HEAD_X, 1, 14 / 24, 14 / 24, 1.0, False),
}
PENDING_KEYS = (
    "process",
    "department",
    "submitted_at",
    "step",
    "step_no",
    "age_workdays",
    "step_age_workdays",
    "sla_workdays",
    "over_sla",
)


@pytest.fixture(scope="module")
def result_pending(compute_on):
    from metrics.families import approvals

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(approvals, "PENDING_PER_GROUP", 2)
        return compute_on(DATA_PENDING, [DP])[DP]


def test_pending_instances_oldest_first_with_steps_and_ages(result_pending):
    assert result_pending.failed == {}
    assert [q for q in result_pending.quality if q.rows] == []
    got = [p["instance_id"] for p in result_pending.pending]
    assert got == list(EXPECTED_PENDING)  # x7 is the third of (PX, A, D1): not kept
    for p in result_pending.pending:
        expected = EXPECTED_PENDING[p["instance_id"]]
        assert tuple(p[k] for k in PENDING_KEYS) == pytest.approx(expected, abs=1e-6), p["instance_id"]


def test_pending_counts_per_step_and_department(result_pending):
    steps = result_pending.series["approval_steps"]
    assert steps["per_group"] == 2
    counts = {(g["process"], g["step"], g["department"]): g["count"] for g in steps["pending"]}
    assert counts == {
        ("PX", HEAD_X, "D1"): 3,  # x5 x6 x7
        ("PX", HEAD_X, "D2"): 1,  # x3
        ("PX", FIN_X, "D1"): 1,  # x1
        ("PX", VICE_X, "D1"): 1,  # x2
        ("PX", VICE_X, "D2"): 1,  # x8
        ("PY", None, "D2"): 1,  # y1: every step acted, not closed
        ("PY", HEAD_X, "D1"): 1,  # y3
    }
    # the counts add up to the backlog
    backlog = {
        v.dims.get("process"): v.value
        for v in result_pending.values
        if v.metric == "approval_backlog" and set(v.dims) == {"process"}
    }
    for proc in ("PX", "PY"):
        assert sum(n for (p, _s, _d), n in counts.items() if p == proc) == backlog[proc]


def test_step_order_is_the_workflow_order(result_pending):
    order = result_pending.series["approval_steps"]["order"]
    assert order == {"PX": [HEAD_X, FIN_X, VICE_X], "PY": [HEAD_X]}
