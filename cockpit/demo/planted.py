"""Planted bad rows: a handful for every data-quality rule of the contract.

Real platforms hold bad rows, and the cockpit must count each rule's catch
without letting it move a figure; the demo therefore carries a few of each,
with keys starting ``BAD`` so they are easy to find. Each row breaks exactly
one rule under the counting of docs/metrics-decisions.md: left-out students
sit in an untracked cohort, destination rows that are left out belong to
withdrawn students (so they do not also count as ``destination_missing``),
planted approval instances that are left out have no steps (except the one
whose step is the intended orphan cascade).

``planted_rows(today)`` lists every planted row as (table, key) per rule, keys
written as the data-status page shows them (composite keys joined with ``|``);
``PLANTED`` is the expected count per rule (the same for every anchor date).
"""

from __future__ import annotations

from datetime import date, timedelta

from cockpit.demo import reference as ref
from cockpit.demo.frame import TableData

_MI = (ref.major_code(0), ref.major_code(12), ref.major_code(24))  # majors given a bad extra mapping


def _months(today: date) -> tuple[str, str]:
    """The anchor's month and the one before, as industry_demand periods."""
    this_month = today.replace(day=1)
    return f"{(this_month - timedelta(days=1)):%Y-%m}", f"{this_month:%Y-%m}"


def planted_rows(today: date) -> dict[str, tuple[tuple[str, str], ...]]:
    """Every planted row as (table, key), by the rule it breaks."""
    last_month, this_month = _months(today)
    city = ref.CITY_CODE
    return {
        "row_not_null": (
            ("student", "BAD-NN-S1"),
            ("internship", "BAD-NN-I1"),
            ("approval_instance", "BAD-NN-A1"),
        ),
        "row_duplicate_key": (
            ("department", "BAD-DUP-D1"),
            ("department", "BAD-DUP-D1"),
            ("approval_step", "BAD-DUP-A1|1"),
            ("approval_step", "BAD-DUP-A1|1"),
        ),
        "row_orphan": (
            ("student", "BAD-ORPH-S1"),  # its major does not exist
            ("internship", "BAD-ORPH-I1"),  # its student does not exist
            ("internship", "BAD-ORPH-I2"),  # cascade: its student is BAD-ORPH-S1
            ("approval_instance", "BAD-ORPH-A1"),  # its process does not exist
            ("approval_step", "BAD-ORPH-A1|1"),  # cascade: its instance is BAD-ORPH-A1
        ),
        "row_enum": (
            ("department", "BAD-ENUM-D1"),
            ("student", "BAD-ENUM-S1"),
            ("approval_instance", "BAD-ENUM-A1"),
        ),
        "internship_dates": (("internship", "BAD-DATE-I1"), ("internship", "BAD-DATE-I2")),
        "destination_unplaced_dated": (
            ("graduate_destination", "BAD-W01"),
            ("graduate_destination", "BAD-W02"),
            ("graduate_destination", "BAD-W03"),
        ),
        "destination_placed_undated": (
            ("graduate_destination", "BAD-W04"),
            ("graduate_destination", "BAD-W05"),
        ),
        "approval_order": (
            ("approval_instance", "BAD-ORD-A1"),
            ("approval_instance", "BAD-ORD-A2"),
            ("approval_instance", "BAD-ORD-A3"),
        ),
        "step_order": (
            ("approval_step", "BAD-STEP-A1|2"),
            ("approval_step", "BAD-STEP-A2|1"),
            ("approval_step", "BAD-STEP-A3|2"),
        ),
        "weight_range": (
            ("major_industry", f"{_MI[0]}|M74"),
            ("major_industry", f"{_MI[1]}|L72"),
            ("major_industry", f"{_MI[2]}|F51"),
        ),
        "demand_range": (
            ("industry_demand", f"{last_month}|{city}|B"),
            ("industry_demand", f"{this_month}|{city}|B"),
        ),
        "ref_unknown": (
            ("enterprise", "BAD-REF-E1"),
            ("graduate_destination", "BAD-S03"),
            ("graduate_destination", "BAD-S04"),
        ),
        "score_range": (("internship", "BAD-SCORE-I1"), ("internship", "BAD-SCORE-I2")),
        "money_range": (
            ("internship", "BAD-MONEY-I1"),
            ("internship", "BAD-MONEY-I2"),
            ("graduate_destination", "BAD-S01"),
            ("graduate_destination", "BAD-S02"),
        ),
        "logs_range": (
            ("internship", "BAD-LOGS-I1"),
            ("internship", "BAD-LOGS-I2"),
            ("internship", "BAD-LOGS-I3"),
        ),
        "destination_missing": (
            ("graduate_destination", "BAD-M01"),
            ("graduate_destination", "BAD-M02"),
            ("graduate_destination", "BAD-M03"),
        ),
    }


PLANTED: dict[str, int] = {rule: len(rows) for rule, rows in planted_rows(date(2026, 1, 1)).items()}


def plant(
    tables: dict[str, TableData], today: date, final_year: int, enterprise: tuple[str, str, str]
) -> None:
    """Append the planted rows. ``enterprise`` is a real (id, industry, region)
    used as host and employer, so the planted rows break nothing else."""
    year = final_year - 1  # the latest past cohort: has a roster, so missing rows show
    ent_id, ent_industry, ent_region = enterprise
    _students(tables["student"], year, final_year)
    _destinations(tables["graduate_destination"], year, ent_id, ent_industry, ent_region)
    _internships(tables["internship"], year, ent_id)
    _reference_rows(tables, today)
    _approvals(tables["approval_instance"], tables["approval_step"], today)


def _students(t: TableData, year: int, final_year: int) -> None:
    majors = [ref.major_code(i) for i in range(len(ref.MAJORS)) if ref.MAJORS[i].active]
    good = {"entry_year": year - 3, "expected_graduation_year": year, "status": "graduated"}
    for i in range(1, 9):
        t.append(student_id=f"BAD-S{i:02d}", major_code=majors[i * 5 % len(majors)], **good)
    for i in range(1, 4):
        t.append(student_id=f"BAD-M{i:02d}", major_code=majors[i * 7 % len(majors)], **good)
    for i in range(1, 6):
        t.append(
            student_id=f"BAD-W{i:02d}",
            major_code=majors[i * 3 % len(majors)],
            **{**good, "status": "withdrawn"},
        )
    # left-out students live in an intake without a roster yet
    young = {"entry_year": final_year - 2, "expected_graduation_year": final_year + 1, "status": "enrolled"}
    t.append(student_id="BAD-NN-S1", major_code=None, **young)
    t.append(student_id="BAD-ORPH-S1", major_code="BAD-M99", **young)
    t.append(student_id="BAD-ENUM-S1", major_code=majors[0], **{**young, "status": "graduating"})


def _destinations(t: TableData, year: int, ent_id: str, industry: str, region: str) -> None:
    job = {
        "graduation_year": year,
        "destination": "contract",
        "placed_on": f"{year}-05-20",
        "enterprise_id": ent_id,
        "industry_code": industry,
        "work_region_code": region,
        "monthly_salary": 4800.0,
        "major_related": True,
    }
    t.append(student_id="BAD-S01", **{**job, "monthly_salary": 0.0})
    t.append(student_id="BAD-S02", **{**job, "monthly_salary": 250000.0})
    t.append(student_id="BAD-S03", **{**job, "enterprise_id": "BAD-NO-SUCH-ENTERPRISE"})
    t.append(student_id="BAD-S04", **{**job, "enterprise_id": None, "industry_code": "Z99"})
    for i in range(5, 9):
        t.append(student_id=f"BAD-S{i:02d}", **job)
    idle = {"graduation_year": year, "placed_on": f"{year}-07-01"}
    t.append(student_id="BAD-W01", destination="unplaced", **idle)
    t.append(student_id="BAD-W02", destination="unplaced", **idle)
    t.append(student_id="BAD-W03", destination="not_seeking", **idle)
    t.append(student_id="BAD-W04", **{**job, "placed_on": None})
    t.append(student_id="BAD-W05", **{**job, "placed_on": None})


def _internships(t: TableData, year: int, ent_id: str) -> None:
    start = date(year - 1, 11, 10)
    good = {
        "enterprise_id": ent_id,
        "start_date": start.isoformat(),
        "planned_end_date": (start + timedelta(days=182)).isoformat(),
        "end_date": (start + timedelta(days=180)).isoformat(),
        "major_related": True,
        "insured": True,
        "agreement_signed": True,
        "monthly_pay": 4000.0,
        "reference_wage": 4500.0,
        "enterprise_score": 85.0,
        "logs_expected": 26,
        "logs_submitted": 25,
    }
    before = (start - timedelta(days=10)).isoformat()
    rows = {
        "BAD-NN-I1": ("BAD-S01", {"insured": None}),
        "BAD-DATE-I1": ("BAD-S02", {"planned_end_date": before, "end_date": None}),
        "BAD-DATE-I2": ("BAD-S03", {"end_date": before}),
        "BAD-SCORE-I1": ("BAD-S04", {"enterprise_score": 105.0}),
        "BAD-SCORE-I2": ("BAD-S05", {"enterprise_score": -3.0}),
        "BAD-MONEY-I1": ("BAD-S06", {"monthly_pay": -100.0}),
        "BAD-MONEY-I2": ("BAD-S07", {"reference_wage": 0.0}),
        "BAD-LOGS-I1": ("BAD-S08", {"logs_expected": 26, "logs_submitted": 30}),
        "BAD-LOGS-I2": ("BAD-S01", {"logs_expected": -1, "logs_submitted": 0}),
        "BAD-LOGS-I3": ("BAD-S02", {"logs_expected": 20, "logs_submitted": -2}),
        "BAD-ORPH-I1": ("BAD-GHOST-1", {}),
        "BAD-ORPH-I2": ("BAD-ORPH-S1", {}),
    }
    for key, (student, change) in rows.items():
        t.append(internship_id=key, student_id=student, **{**good, **change})


def _reference_rows(tables: dict[str, TableData], today: date) -> None:
    dept = tables["department"]
    for _ in range(2):
        dept.append(department_code="BAD-DUP-D1", name_zh="重复编码的部门", kind="administrative")
    dept.append(department_code="BAD-ENUM-D1", name_zh="类型未知的部门", kind="faculty")
    mi = tables["major_industry"]
    mi.append(major_code=_MI[0], industry_code="M74", weight=None)
    mi.append(major_code=_MI[1], industry_code="L72", weight=0.0)
    mi.append(major_code=_MI[2], industry_code="F51", weight=1.5)
    tables["enterprise"].append(
        enterprise_id="BAD-REF-E1", name_zh="常州行业代码错误测试有限公司", industry_code="C99",
        region_code="320411", is_partner=False,
    )  # fmt: skip
    last_month, this_month = _months(today)
    demand = tables["industry_demand"]
    demand.append(period=last_month, region_code=ref.CITY_CODE, industry_code="B", demand=-5)
    demand.append(period=this_month, region_code=ref.CITY_CODE, industry_code="B", demand=None)


def _approvals(inst: TableData, steps: TableData, today: date) -> None:
    day = today - timedelta(days=40)
    while day.weekday() >= 5:
        day -= timedelta(days=1)

    def at(days: int, hhmm: str) -> str:
        return f"{day + timedelta(days=days)} {hhmm}:00"

    good = {"process_code": "OA01", "department_code": "XZ02", "submitted_at": at(0, "09:12")}
    done = {**good, "finished_at": at(1, "10:05"), "outcome": "approved"}
    inst.append(instance_id="BAD-NN-A1", **{**good, "submitted_at": None})
    inst.append(instance_id="BAD-ORPH-A1", **{**done, "process_code": "BAD-P99"})
    inst.append(instance_id="BAD-ENUM-A1", **{**done, "outcome": "cancelled"})
    inst.append(instance_id="BAD-ORD-A1", **{**done, "finished_at": at(-1, "16:00")})
    inst.append(instance_id="BAD-ORD-A2", **{**done, "outcome": None})
    inst.append(instance_id="BAD-ORD-A3", **good, outcome="approved")
    for key in ("BAD-DUP-A1", "BAD-STEP-A1", "BAD-STEP-A2"):
        inst.append(instance_id=key, **done)
    inst.append(instance_id="BAD-STEP-A3", **good)

    first = {
        "step_no": 1,
        "step_name": "部门负责人审核",
        "arrived_at": at(0, "09:12"),
        "acted_at": at(0, "11:30"),
        "action": "approve",
    }
    second = {
        **first,
        "step_no": 2,
        "step_name": "财务处审核",
        "arrived_at": at(0, "11:30"),
        "acted_at": at(1, "10:05"),
    }
    steps.append(instance_id="BAD-ORPH-A1", **first)
    steps.append(instance_id="BAD-DUP-A1", **first)
    steps.append(instance_id="BAD-DUP-A1", **first)
    steps.append(instance_id="BAD-DUP-A1", **second)
    steps.append(instance_id="BAD-STEP-A1", **first)
    steps.append(instance_id="BAD-STEP-A1", **{**second, "acted_at": at(0, "10:00")})
    steps.append(instance_id="BAD-STEP-A2", **{**first, "action": None})
    steps.append(instance_id="BAD-STEP-A2", **second)
    steps.append(instance_id="BAD-STEP-A3", **first)
    steps.append(instance_id="BAD-STEP-A3", **{**second, "acted_at": None})
