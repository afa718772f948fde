"""Planted bad rows: a handful for every data-quality rule of the contract.

Real platforms hold bad rows, and the cockpit must count each rule's catch
without letting it move a figure; the demo therefore carries a few of each.
They look like any other row — a leader who meets one (a pending approval on
a list, an example key on the data-status page) sees an ordinary id: keys are
in the generator's own formats (``S2022900001``, ``SX2026990001``,
``SP2026101290001``, a well-formed 统一社会信用代码, ``XZ09``), taken from serial
ranges the generator does not reach (``plant`` refuses to run if one would
collide, which ``--scale`` beyond about 50 would cause). docs/demo.md lists every
case.

Each row breaks exactly one rule under the counting of
docs/metrics-decisions.md: left-out students sit in an untracked cohort,
destination rows that are left out belong to withdrawn students (so they do not
also count as ``destination_missing``), planted approval instances that are
left out have no steps (except the one whose step is the intended orphan
cascade).

``planted_keys(today)`` maps each case's label (``ORPH-S1``: the orphan
student, ``M01``: a missing destination, …; docs/demo.md) to its key;
``planted_rows(today)`` lists every planted row as (table, key) per rule, keys
written as the data-status page shows them (composite keys joined with ``|``);
``planted_ids(today)`` gives, per table, the key values of every planted row
(the supporting good rows too), so tests can tell planted rows from generated
ones; ``PLANTED`` is the expected count per rule (the same for every anchor date).
"""

from __future__ import annotations

from datetime import date, timedelta

from cockpit.demo import reference as ref
from cockpit.demo.enterprises import credit_code
from cockpit.demo.frame import TableData
from cockpit.demo.students import school_year

_MI = (ref.major_code(0), ref.major_code(12), ref.major_code(24))  # majors given a bad extra mapping

# Case labels by the table their key belongs to, in serial order.
_GRADUATES = (*(f"S{i:02d}" for i in range(1, 9)), "M01", "M02", "M03", *(f"W{i:02d}" for i in range(1, 6)))
_YOUNG = ("NN-S1", "ORPH-S1", "ENUM-S1")
_INTERNSHIPS = (
    "NN-I1", "DATE-I1", "DATE-I2", "SCORE-I1", "SCORE-I2", "MONEY-I1", "MONEY-I2",
    "LOGS-I1", "LOGS-I2", "LOGS-I3", "ORPH-I1", "ORPH-I2",
)  # fmt: skip
_INSTANCES = (
    "NN-A1", "ORPH-A1", "ENUM-A1", "ORD-A1", "ORD-A2", "ORD-A3", "DUP-A1", "STEP-A1", "STEP-A2", "STEP-A3",
)  # fmt: skip
# Serial ranges above anything the generator numbers at the scales it is run at
# (per unit of scale: about 4,200 students an intake, 18,800 internships, at most
# 180 approvals a day), so internships run out first, near scale 50 — where
# ``plant`` refuses to run rather than collide.
_STUDENT_SERIAL = 900_001
_INTERNSHIP_SERIAL = 990_001
_INSTANCE_SERIAL = 90_001


def _months(today: date) -> tuple[str, str]:
    """The anchor's month and the one before, as industry_demand periods."""
    this_month = today.replace(day=1)
    return f"{(this_month - timedelta(days=1)):%Y-%m}", f"{this_month:%Y-%m}"


def _approval_day(today: date) -> date:
    """The working day the planted approvals were filed: about 40 days back."""
    day = today - timedelta(days=40)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def planted_keys(today: date) -> dict[str, str]:
    """The key of every planted case by its label (docs/demo.md), for an anchor date.

    The graduates (``S01``…``W05``) are the latest past cohort, which has a
    roster, so missing rows show; the left-out students (``NN-S1``…) belong to
    an intake without a roster yet; ``GHOST`` is a student id no table holds.
    """
    year = school_year(today)  # graduation year of the latest past cohort
    keys: dict[str, str] = {}
    for i, label in enumerate(_GRADUATES):
        keys[label] = f"S{year - 3}{_STUDENT_SERIAL + i:06d}"
    for i, label in enumerate(_YOUNG):
        keys[label] = f"S{year - 1}{_STUDENT_SERIAL + i:06d}"
    keys["GHOST"] = f"S{year - 3}{_STUDENT_SERIAL + 98:06d}"
    for i, label in enumerate(_INTERNSHIPS):
        keys[label] = f"SX{year}{_INTERNSHIP_SERIAL + i:06d}"
    day = _approval_day(today)
    for i, label in enumerate(_INSTANCES):
        keys[label] = f"SP{day:%Y%m%d}{_INSTANCE_SERIAL + i:05d}"
    keys.update(
        {
            "DUP-D1": "XZ09",  # two rows share this code
            "ENUM-D1": "JX12",  # kind outside the code list
            "NO-MAJOR": "1201",  # a major code the major table lacks (no department 12)
            "NO-PROCESS": "OA12",  # a process code approval_process lacks
            "REF-E1": credit_code("320411", "MA1Q7K3R"),  # industry code C99 does not exist
            "NO-ENTERPRISE": credit_code("320412", "MA2N5C8W"),  # an employer the enterprise table lacks
        }
    )
    return keys


def planted_rows(today: date) -> dict[str, tuple[tuple[str, str], ...]]:
    """Every planted row as (table, key), by the rule it breaks."""
    last_month, this_month = _months(today)
    city = ref.CITY_CODE
    k = planted_keys(today)
    return {
        "row_not_null": (
            ("student", k["NN-S1"]),
            ("internship", k["NN-I1"]),
            ("approval_instance", k["NN-A1"]),
        ),
        "row_duplicate_key": (
            ("department", k["DUP-D1"]),
            ("department", k["DUP-D1"]),
            ("approval_step", f"{k['DUP-A1']}|1"),
            ("approval_step", f"{k['DUP-A1']}|1"),
        ),
        "row_orphan": (
            ("student", k["ORPH-S1"]),  # its major does not exist
            ("internship", k["ORPH-I1"]),  # its student does not exist
            ("internship", k["ORPH-I2"]),  # cascade: its student is ORPH-S1
            ("approval_instance", k["ORPH-A1"]),  # its process does not exist
            ("approval_step", f"{k['ORPH-A1']}|1"),  # cascade: its instance is ORPH-A1
        ),
        "row_enum": (
            ("department", k["ENUM-D1"]),
            ("student", k["ENUM-S1"]),
            ("approval_instance", k["ENUM-A1"]),
        ),
        "internship_dates": (("internship", k["DATE-I1"]), ("internship", k["DATE-I2"])),
        "destination_unplaced_dated": tuple(("graduate_destination", k[f"W0{i}"]) for i in (1, 2, 3)),
        "destination_placed_undated": tuple(("graduate_destination", k[f"W0{i}"]) for i in (4, 5)),
        "approval_order": tuple(("approval_instance", k[f"ORD-A{i}"]) for i in (1, 2, 3)),
        "step_order": (
            ("approval_step", f"{k['STEP-A1']}|2"),
            ("approval_step", f"{k['STEP-A2']}|1"),
            ("approval_step", f"{k['STEP-A3']}|2"),
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
            ("enterprise", k["REF-E1"]),
            ("graduate_destination", k["S03"]),
            ("graduate_destination", k["S04"]),
        ),
        "score_range": (("internship", k["SCORE-I1"]), ("internship", k["SCORE-I2"])),
        "money_range": (
            ("internship", k["MONEY-I1"]),
            ("internship", k["MONEY-I2"]),
            ("graduate_destination", k["S01"]),
            ("graduate_destination", k["S02"]),
        ),
        "logs_range": tuple(("internship", k[f"LOGS-I{i}"]) for i in (1, 2, 3)),
        "destination_missing": tuple(("graduate_destination", k[f"M0{i}"]) for i in (1, 2, 3)),
    }


PLANTED: dict[str, int] = {rule: len(rows) for rule, rows in planted_rows(date(2026, 1, 1)).items()}


def planted_ids(today: date) -> dict[str, frozenset[str]]:
    """Per table, the (first) key value of every planted row, good supporting rows
    included: the students behind the destination cases, their destination rows,
    every planted internship, approval instance (and its steps), department and
    enterprise."""
    k = planted_keys(today)
    students = frozenset(k[label] for label in (*_GRADUATES, *_YOUNG))
    instances = frozenset(k[label] for label in _INSTANCES)
    return {
        "student": students,
        "graduate_destination": frozenset(k[label] for label in _GRADUATES if not label.startswith("M")),
        "internship": frozenset(k[label] for label in _INTERNSHIPS),
        "approval_instance": instances,
        "approval_step": instances,
        "department": frozenset((k["DUP-D1"], k["ENUM-D1"])),
        "enterprise": frozenset((k["REF-E1"],)),
    }


def plant(
    tables: dict[str, TableData], today: date, final_year: int, enterprise: tuple[str, str, str]
) -> None:
    """Append the planted rows. ``enterprise`` is a real (id, industry, region)
    used as host and employer, so the planted rows break nothing else."""
    if final_year != school_year(today) + 1:
        raise ValueError(f"final_year {final_year} does not follow from the anchor date {today}")
    _refuse_collisions(tables, today)
    k = planted_keys(today)
    year = final_year - 1  # the latest past cohort: has a roster, so missing rows show
    ent_id, ent_industry, ent_region = enterprise
    _students(tables["student"], k, year, final_year)
    _destinations(tables["graduate_destination"], k, year, ent_id, ent_industry, ent_region)
    _internships(tables["internship"], k, year, ent_id)
    _reference_rows(tables, k, today)
    _approvals(tables["approval_instance"], tables["approval_step"], k, today)


def _refuse_collisions(tables: dict[str, TableData], today: date) -> None:
    """A planted key that equals a generated one would make a good row bad (or a
    bad row count twice): stop instead. Also checks the ids meant to be unknown."""
    k = planted_keys(today)
    checks = {
        ("student", "student_id"): planted_ids(today)["student"] | {k["GHOST"]},
        ("internship", "internship_id"): planted_ids(today)["internship"],
        ("approval_instance", "instance_id"): planted_ids(today)["approval_instance"],
        ("department", "department_code"): planted_ids(today)["department"],
        ("enterprise", "enterprise_id"): {k["REF-E1"], k["NO-ENTERPRISE"]},
        ("major", "major_code"): {k["NO-MAJOR"]},
        ("approval_process", "process_code"): {k["NO-PROCESS"]},
    }
    for (table, column), keys in checks.items():
        clash = keys.intersection(tables[table].columns[column])
        if clash:
            raise ValueError(
                f"planted {table} keys {sorted(clash)} collide with generated ones (scale too large)"
            )


def _students(t: TableData, k: dict[str, str], year: int, final_year: int) -> None:
    majors = [ref.major_code(i) for i in range(len(ref.MAJORS)) if ref.MAJORS[i].active]
    good = {"entry_year": year - 3, "expected_graduation_year": year, "status": "graduated"}
    for i in range(1, 9):
        t.append(student_id=k[f"S{i:02d}"], major_code=majors[i * 5 % len(majors)], **good)
    for i in range(1, 4):
        t.append(student_id=k[f"M{i:02d}"], major_code=majors[i * 7 % len(majors)], **good)
    for i in range(1, 6):
        t.append(
            student_id=k[f"W{i:02d}"],
            major_code=majors[i * 3 % len(majors)],
            **{**good, "status": "withdrawn"},
        )
    # left-out students live in an intake without a roster yet
    young = {"entry_year": final_year - 2, "expected_graduation_year": final_year + 1, "status": "enrolled"}
    t.append(student_id=k["NN-S1"], major_code=None, **young)
    t.append(student_id=k["ORPH-S1"], major_code=k["NO-MAJOR"], **young)
    t.append(student_id=k["ENUM-S1"], major_code=majors[0], **{**young, "status": "graduating"})


def _destinations(
    t: TableData, k: dict[str, str], year: int, ent_id: str, industry: str, region: str
) -> None:
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
    t.append(student_id=k["S01"], **{**job, "monthly_salary": 0.0})
    t.append(student_id=k["S02"], **{**job, "monthly_salary": 250000.0})
    t.append(student_id=k["S03"], **{**job, "enterprise_id": k["NO-ENTERPRISE"]})
    t.append(student_id=k["S04"], **{**job, "enterprise_id": None, "industry_code": "Z99"})
    for i in range(5, 9):
        t.append(student_id=k[f"S{i:02d}"], **job)
    idle = {"graduation_year": year, "placed_on": f"{year}-07-01"}
    t.append(student_id=k["W01"], destination="unplaced", **idle)
    t.append(student_id=k["W02"], destination="unplaced", **idle)
    t.append(student_id=k["W03"], destination="not_seeking", **idle)
    t.append(student_id=k["W04"], **{**job, "placed_on": None})
    t.append(student_id=k["W05"], **{**job, "placed_on": None})


def _internships(t: TableData, k: dict[str, str], year: int, ent_id: str) -> None:
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
        "NN-I1": ("S01", {"insured": None}),
        "DATE-I1": ("S02", {"planned_end_date": before, "end_date": None}),
        "DATE-I2": ("S03", {"end_date": before}),
        "SCORE-I1": ("S04", {"enterprise_score": 105.0}),
        "SCORE-I2": ("S05", {"enterprise_score": -3.0}),
        "MONEY-I1": ("S06", {"monthly_pay": -100.0}),
        "MONEY-I2": ("S07", {"reference_wage": 0.0}),
        "LOGS-I1": ("S08", {"logs_expected": 26, "logs_submitted": 30}),
        "LOGS-I2": ("S01", {"logs_expected": -1, "logs_submitted": 0}),
        "LOGS-I3": ("S02", {"logs_expected": 20, "logs_submitted": -2}),
        "ORPH-I1": ("GHOST", {}),
        "ORPH-I2": ("ORPH-S1", {}),
    }
    for label, (student, change) in rows.items():
        t.append(internship_id=k[label], student_id=k[student], **{**good, **change})


def _reference_rows(tables: dict[str, TableData], k: dict[str, str], today: date) -> None:
    dept = tables["department"]
    for _ in range(2):  # one office loaded twice by an ETL job
        dept.append(department_code=k["DUP-D1"], name_zh="图书馆", name_en="Library", kind="administrative")
    dept.append(
        department_code=k["ENUM-D1"], name_zh="继续教育学院", name_en="School of Continuing Education",
        kind="faculty",
    )  # fmt: skip
    mi = tables["major_industry"]
    mi.append(major_code=_MI[0], industry_code="M74", weight=None)
    mi.append(major_code=_MI[1], industry_code="L72", weight=0.0)
    mi.append(major_code=_MI[2], industry_code="F51", weight=1.5)
    tables["enterprise"].append(
        enterprise_id=k["REF-E1"], name_zh="常州嘉源精密机械有限公司", industry_code="C99",
        region_code="320411", is_partner=False,
    )  # fmt: skip
    last_month, this_month = _months(today)
    demand = tables["industry_demand"]
    demand.append(period=last_month, region_code=ref.CITY_CODE, industry_code="B", demand=-5)
    demand.append(period=this_month, region_code=ref.CITY_CODE, industry_code="B", demand=None)


def _approvals(inst: TableData, steps: TableData, k: dict[str, str], today: date) -> None:
    day = _approval_day(today)

    def at(days: int, hhmm: str) -> str:
        return f"{day + timedelta(days=days)} {hhmm}:00"

    good = {"process_code": "OA01", "department_code": "XZ02", "submitted_at": at(0, "09:12")}
    done = {**good, "finished_at": at(1, "10:05"), "outcome": "approved"}
    inst.append(instance_id=k["NN-A1"], **{**good, "submitted_at": None})
    inst.append(instance_id=k["ORPH-A1"], **{**done, "process_code": k["NO-PROCESS"]})
    inst.append(instance_id=k["ENUM-A1"], **{**done, "outcome": "cancelled"})
    inst.append(instance_id=k["ORD-A1"], **{**done, "finished_at": at(-1, "16:00")})
    inst.append(instance_id=k["ORD-A2"], **{**done, "outcome": None})
    inst.append(instance_id=k["ORD-A3"], **good, outcome="approved")
    for label in ("DUP-A1", "STEP-A1", "STEP-A2"):
        inst.append(instance_id=k[label], **done)
    inst.append(instance_id=k["STEP-A3"], **good)

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
    steps.append(instance_id=k["ORPH-A1"], **first)
    steps.append(instance_id=k["DUP-A1"], **first)
    steps.append(instance_id=k["DUP-A1"], **first)
    steps.append(instance_id=k["DUP-A1"], **second)
    steps.append(instance_id=k["STEP-A1"], **first)
    steps.append(instance_id=k["STEP-A1"], **{**second, "acted_at": at(0, "10:00")})
    steps.append(instance_id=k["STEP-A2"], **{**first, "action": None})
    steps.append(instance_id=k["STEP-A2"], **second)
    steps.append(instance_id=k["STEP-A3"], **first)
    steps.append(instance_id=k["STEP-A3"], **{**second, "acted_at": None})
