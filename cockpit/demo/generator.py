"""``generate``: build the demo data platform of an invented 高职院校 in 常州.

All randomness flows from one ``numpy.random.default_rng(seed)``, split into
one child stream per part (students, enterprises, …), so the same (scale,
seed, today) always gives the same tables, and a change in one part does not
reshuffle the others. ``today`` is the anchor: nothing is dated after it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from cockpit.demo import reference as ref
from cockpit.demo.approvals import Approvals, generate_approvals
from cockpit.demo.demand import Demand, generate_demand
from cockpit.demo.destinations import Destinations, generate_destinations
from cockpit.demo.enterprises import Enterprises, generate_enterprises
from cockpit.demo.frame import TableData, date_text, nullable, timestamp_text
from cockpit.demo.internships import Internships, generate_internships
from cockpit.demo.planted import plant
from cockpit.demo.students import Students, generate_students, school_year
from cockpit.demo.writer import write
from metrics.gbt4754 import SECTION_EN

Progress = Callable[[str, float], None]


def _quiet(stage: str, fraction: float) -> None:
    """The default progress callback: say nothing."""


def generate(
    url: str,
    *,
    scale: float = 1,
    seed: int = 2026,
    today: date | None = None,
    progress: Progress | None = None,
    indexes: bool = True,
) -> dict[str, int]:
    """(Re)create the contract's 13 tables at ``url`` and fill them with a
    school's worth of demo data; returns the row count of every table.

    ``scale`` multiplies students, enterprises and approvals (not departments
    or majors); ``today`` (default: the current date) is the anchor date.
    ``progress(stage, fraction)`` is called as the work advances.
    ``indexes=False`` leaves the tables bare — no index, no ANALYZE — the way
    an ETL job or a view layer leaves a school's platform (benchmarks).
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    today = today or date.today()
    report = progress or _quiet
    final_year = school_year(today) + 1  # graduation year of the final-year students
    streams = np.random.default_rng(seed).spawn(6)

    report("students", 0.0)
    students = generate_students(streams[0], scale, today)
    report("enterprises", 0.08)
    ent = generate_enterprises(streams[1], scale, today)
    report("internships", 0.12)
    interns = generate_internships(streams[2], students, ent, today, final_year)
    report("destinations", 0.2)
    dest = generate_destinations(streams[3], students, ent, interns, today, final_year)
    report("approvals", 0.28)
    approvals = generate_approvals(streams[4], scale, today)
    report("demand", 0.45)
    demand = generate_demand(streams[5], today)

    report("tables", 0.47)
    tables = _reference_tables(ent, demand)
    tables["enterprise"] = _enterprise_table(ent)
    tables["student"] = _student_table(students)
    tables["internship"] = _internship_table(interns, students, ent)
    tables["graduate_destination"] = _destination_table(dest, students, ent)
    tables.update(_approval_tables(approvals))
    tables["industry_demand"] = TableData(
        "industry_demand",
        {"period": demand.period, "region_code": demand.region, "industry_code": demand.industry,
         "demand": demand.demand},
    )  # fmt: skip
    local_partners = np.flatnonzero(ent.partner & np.char.startswith(ent.region, ref.CITY_CODE[:4]))
    host = int(local_partners[0]) if local_partners.size else 0
    plant(tables, today, final_year, (str(ent.ids[host]), str(ent.industry[host]), str(ent.region[host])))

    counts = write(url, tables, report, 0.6, 1.0, indexes=indexes)
    report("done", 1.0)
    return counts


def _reference_tables(ent: Enterprises, demand: Demand) -> dict[str, TableData]:
    """The small tables: the school, departments, industries, majors, processes."""
    depts = list(ref.ACADEMIC)
    used = sorted({c for c in ent.industry.tolist() + demand.industry if len(c) == 3})
    industries = list(ref.SECTIONS.items()) + [(c, ref.DIVISIONS[c]) for c in used]
    industry_en = {**SECTION_EN, **ref.DIVISIONS_EN}  # contract v1.1: the optional English names
    mi = [(ref.major_code(i), code, w) for i, m in enumerate(ref.MAJORS) for code, w in m.industries]
    return {
        "school_profile": TableData(
            "school_profile",
            {"school_code": [ref.SCHOOL_CODE], "name_zh": [ref.SCHOOL_NAME], "region_code": [ref.CITY_CODE]},
        ),
        "department": TableData(
            "department",
            {
                "department_code": [d.code for d in depts] + [a[0] for a in ref.ADMINISTRATIVE],
                "name_zh": [d.name_zh for d in depts] + [a[1] for a in ref.ADMINISTRATIVE],
                "name_en": [d.name_en for d in depts] + [a[2] for a in ref.ADMINISTRATIVE],
                "kind": ["academic"] * len(depts) + ["administrative"] * len(ref.ADMINISTRATIVE),
            },
        ),
        "industry": TableData(
            "industry",
            {
                "industry_code": [c for c, _ in industries],
                "name_zh": [n for _, n in industries],
                "name_en": [industry_en[c] for c, _ in industries],
            },
        ),
        "major": TableData(
            "major",
            {
                "major_code": [ref.major_code(i) for i in range(len(ref.MAJORS))],
                "catalog_code": [m.catalog_code for m in ref.MAJORS],
                "name_zh": [m.name_zh for m in ref.MAJORS],
                "department_code": [m.department for m in ref.MAJORS],
                "active": [m.active for m in ref.MAJORS],
            },
        ),
        "major_industry": TableData(
            "major_industry",
            {
                "major_code": [r[0] for r in mi],
                "industry_code": [r[1] for r in mi],
                "weight": [r[2] for r in mi],
            },
        ),
        "approval_process": TableData(
            "approval_process",
            {
                "process_code": [p.code for p in ref.PROCESSES],
                "name_zh": [p.name_zh for p in ref.PROCESSES],
                "category": [p.category for p in ref.PROCESSES],
                "name_en": [p.name_en for p in ref.PROCESSES],
                "sla_workdays": [float(p.sla) for p in ref.PROCESSES],
            },
        ),
    }


def _enterprise_table(ent: Enterprises) -> TableData:
    return TableData(
        "enterprise",
        {
            "enterprise_id": ent.ids.tolist(),
            "name_zh": ent.names.tolist(),
            "industry_code": ent.industry.tolist(),
            "region_code": ent.region.tolist(),
            "is_partner": ent.partner.tolist(),
            "partner_since": date_text(ent.partner_since, np.isnat(ent.partner_since)),
        },
    )


def _student_table(s: Students) -> TableData:
    codes = np.array([ref.major_code(i) for i in range(len(ref.MAJORS))])
    return TableData(
        "student",
        {
            "student_id": s.ids.tolist(),
            "major_code": codes[s.major].tolist(),
            "entry_year": s.entry.tolist(),
            "expected_graduation_year": s.grad.tolist(),
            "status": s.status.tolist(),
        },
    )


def _internship_table(i: Internships, s: Students, ent: Enterprises) -> TableData:
    return TableData(
        "internship",
        {
            "internship_id": i.ids.tolist(),
            "student_id": s.ids[i.student].tolist(),
            "enterprise_id": ent.ids[i.host].tolist(),
            "start_date": date_text(i.start),
            "planned_end_date": date_text(i.planned_end),
            "end_date": date_text(i.end, np.isnat(i.end)),
            "major_related": nullable(i.related, i.related_null),
            "insured": i.insured.tolist(),
            "agreement_signed": i.signed.tolist(),
            "monthly_pay": i.pay.tolist(),
            "reference_wage": i.reference_wage.tolist(),
            "enterprise_score": nullable(i.score, np.isnan(i.score)),
            "logs_expected": i.logs_expected.tolist(),
            "logs_submitted": i.logs_submitted.tolist(),
        },
    )


def _destination_table(d: Destinations, s: Students, ent: Enterprises) -> TableData:
    return TableData(
        "graduate_destination",
        {
            "student_id": s.ids[d.student].tolist(),
            "graduation_year": d.year.tolist(),
            "destination": d.kind.tolist(),
            "placed_on": date_text(d.placed_on, np.isnat(d.placed_on)),
            "enterprise_id": nullable(ent.ids[np.maximum(d.employer, 0)], d.employer < 0),
            "industry_code": nullable(d.industry, d.industry == ""),
            "work_region_code": nullable(d.region, d.region == ""),
            "monthly_salary": nullable(d.salary, np.isnan(d.salary)),
            "major_related": nullable(d.related, d.related_null),
        },
    )


def _approval_tables(a: Approvals) -> dict[str, TableData]:
    codes = np.array([p.code for p in ref.PROCESSES])
    return {
        "approval_instance": TableData(
            "approval_instance",
            {
                "instance_id": a.ids.tolist(),
                "process_code": codes[a.process].tolist(),
                "department_code": a.department.tolist(),
                "submitted_at": timestamp_text(a.submitted),
                "finished_at": timestamp_text(a.finished, a.finished < 0),
                "outcome": nullable(a.outcome, a.outcome == ""),
            },
        ),
        "approval_step": TableData(
            "approval_step",
            {
                "instance_id": a.ids[a.step_instance].tolist(),
                "step_no": a.step_no.tolist(),
                "step_name": a.step_name.tolist(),
                "arrived_at": timestamp_text(a.arrived),
                "acted_at": timestamp_text(a.acted, a.acted < 0),
                "action": nullable(a.action, a.action == ""),
            },
        ),
    }
