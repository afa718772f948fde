"""``codes_fold``: the proof that a MySQL-family server's collation folds none of
the data's codes (then pushdown compares natively and may use indexes).

One clean data set, then one variant per kind of witness the proof looks for.
MariaDB's default collation (utf8mb4_general_ci: case-insensitive, PAD SPACE)
folds each variant, so the proof must find it there. SQLite and PostgreSQL
compare bytes, so the same queries find nothing on them — which shows each
witness query tests folding, not merely unusual data.
"""

from __future__ import annotations

import copy

import pytest
from metric_asserts import department, industry, major, school, student, ts

from metrics.quality import codes_fold


def step(iid: str, no: int, name: str) -> dict:
    return {
        "instance_id": iid,
        "step_no": no,
        "step_name": name,
        "arrived_at": ts("2026-03-16 09:00:00"),
        "acted_at": ts("2026-03-16 10:00:00"),
        "action": "approve",
    }


CLEAN = {
    "school_profile": school(),
    "department": [department("X02")],
    "industry": [industry("I_TS")],
    "major": [major("QC01", "X02")],
    "student": [student("s1", "QC01", 2023, 2026)],
    "approval_process": [
        {"process_code": "PS", "name_zh": "用印申请", "category": "seal", "sla_workdays": 1},
    ],
    "approval_instance": [
        {
            "instance_id": "i1",
            "process_code": "PS",
            "department_code": "X02",
            "submitted_at": ts("2026-03-16 08:00:00"),
            "finished_at": ts("2026-03-16 10:00:00"),
            "outcome": "approved",
        }
    ],
    "approval_step": [step("i1", 1, "部门审核")],
}


def _variant(table: str, rows: list[dict]) -> dict:
    data = copy.deepcopy(CLEAN)
    data[table] = data[table] + rows
    return data


def _replace(table: str, rows: list[dict]) -> dict:
    data = copy.deepcopy(CLEAN)
    data[table] = rows
    return data


VARIANTS = {
    # a coded value in its list only case-insensitively
    "enum": _replace("student", [student("s1", "QC01", 2023, 2026, status="Enrolled")]),
    # a reference matching its parent's key only case-insensitively
    "reference": _variant("student", [student("s2", "qc01", 2023, 2026)]),
    # two keys equal only with trailing spaces padded
    "key": _variant("industry", [industry("I_TS ")]),
    # a key that is also a reference: two orphans equal only case-insensitively
    "orphan key": _variant("approval_step", [step("q9", 1, "部门审核"), step("Q9", 1, "部门审核")]),
    # a grouped text column (steps by name) with two spellings of one name
    "grouped": _variant("approval_step", [step("i1", 2, "Dean"), step("i1", 3, "dean")]),
}


def _folds(load_source, data: dict) -> bool:
    engine = load_source(data)
    try:
        with engine.connect() as conn:
            return codes_fold(conn)
    finally:
        engine.dispose()


def test_clean_codes_need_no_exact_reading(load_source):
    assert _folds(load_source, CLEAN) is False


@pytest.mark.parametrize("kind", sorted(VARIANTS))
def test_each_kind_of_folding_is_found(load_source, backend_url, kind):
    folds_here = backend_url.startswith("mysql")
    assert _folds(load_source, VARIANTS[kind]) is folds_here
