"""Contract v1.1: the optional ``name_en`` of approval_process and industry.

On every backend and in both engine modes the refresh reads the English names
where the source has the column, and works unchanged where it does not (a v1.0
platform): same values, same data-quality counts, names falling back to the
GB/T 4754 section names for industries. check-source notes the absence without
an error.
"""

from __future__ import annotations

import re

import pytest
from engine_modes import engine_options
from metric_asserts import d, department, school, ts
from sqlalchemy import Engine, create_engine, event, select, text

from metrics.check import absent_optional, check_source
from metrics.contract import METADATA, SPECS
from metrics.engine import compute
from metrics.quality import CleanSource
from metrics.workdays import WorkCalendar

D = d("2026-03-18")
PROCESSES = [
    {"process_code": "PF", "name_zh": "经费报销", "name_en": "Expense Reimbursement",
     "category": "finance", "sla_workdays": 2},
    {"process_code": "PS", "name_zh": "用印申请", "name_en": None, "category": "seal", "sla_workdays": 1},
    {"process_code": "PB", "name_zh": "采购申请", "name_en": "   ", "category": "finance", "sla_workdays": 5},
]  # fmt: skip
INDUSTRIES = [
    {"industry_code": "C", "name_zh": "制造业", "name_en": None},  # a section: GB/T 4754's English name
    {"industry_code": "C38", "name_zh": "电气机械和器材制造业", "name_en": "Electrical Machinery"},
    {"industry_code": "C39", "name_zh": "计算机、通信和其他电子设备制造业", "name_en": None},
    {"industry_code": "I", "name_zh": "信息传输、软件和信息技术服务业", "name_en": "Information Technology"},
]


def _instance(iid: str, proc: str, submitted: str, finished: str | None = None) -> dict:
    return {
        "instance_id": iid,
        "process_code": proc,
        "department_code": "D1",
        "submitted_at": ts(submitted),
        "finished_at": ts(finished) if finished else None,
        "outcome": "approved" if finished else None,
    }


DATA = {
    "school_profile": school(),
    "department": [department("D1")],
    "approval_process": PROCESSES,
    "industry": INDUSTRIES,
    "approval_instance": [
        _instance("a1", "PF", "2026-03-09 09:00", "2026-03-10 09:00"),
        _instance("a2", "PF", "2026-03-10 09:00", "2026-03-13 09:00"),
        _instance("a3", "PS", "2026-03-11 09:00", "2026-03-11 15:00"),
        _instance("a4", "PB", "2026-03-16 09:00"),
        _instance("a5", "PX", "2026-03-16 09:00", "2026-03-16 10:00"),  # an orphan: unknown process
    ],
}


def _load(backend_url: str, drop: tuple[str, ...]) -> Engine:
    """The data set at ``backend_url``, with the ``name_en`` column dropped from the
    ``drop`` tables (the way a v1.0 platform has them)."""
    engine = create_engine(backend_url)
    METADATA.drop_all(engine)
    METADATA.create_all(engine)
    with engine.begin() as conn:
        for spec in SPECS.values():
            rows = DATA.get(spec.name) or []
            if rows:
                names = [c.name for c in spec.columns]
                conn.execute(
                    METADATA.tables[spec.name].insert(), [{n: r.get(n) for n in names} for r in rows]
                )
        for table in drop:
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN name_en"))
    return engine


def _compute(backend_url: str, mode: str, drop: tuple[str, ...]):
    engine = _load(backend_url, drop)
    try:
        return compute(
            engine,
            D,
            options=engine_options(mode),
            calendar=WorkCalendar(extra_holidays=[], extra_workdays=[]),
        )
    finally:
        engine.dispose()


def _values(result) -> dict:
    return {
        (v.metric, v.period, tuple(sorted(v.dims.items()))): (v.value, v.numerator) for v in result.values
    }


def _quality(result) -> dict:
    return {(q.rule, q.table): (q.rows, q.examples) for q in result.quality if q.rows}


def test_english_names_are_read_where_the_source_has_them(backend_url, mode):
    result = _compute(backend_url, mode, ())
    process = {code: info["name_en"] for code, info in result.labels["process"].items()}
    assert process == {"PF": "Expense Reimbursement", "PS": None, "PB": None}  # blank is no name
    industry = {code: info["name_en"] for code, info in result.labels["industry"].items()}
    assert industry == {
        "C": "Manufacturing",  # no name_en: the section's official English name
        "C38": "Electrical Machinery",
        "C39": None,  # a division without name_en: the screens show name_zh
        "I": "Information Technology",  # the source's own name wins over GB/T 4754's
    }
    assert result.labels["process"]["PF"]["name_zh"] == "经费报销"
    assert _quality(result) == {("row_orphan", "approval_instance"): (1, ["a5"])}


@pytest.mark.parametrize("drop", [("approval_process", "industry"), ("approval_process",)])
def test_without_the_column_everything_else_is_unchanged(backend_url, mode, drop):
    full = _compute(backend_url, mode, ())
    lacking = _compute(backend_url, mode, drop)
    assert lacking.failed == {} and full.failed == {}
    assert _values(lacking) == _values(full) and _values(full)
    assert _quality(lacking) == _quality(full)
    assert lacking.source_counts == full.source_counts
    assert {code: info["name_en"] for code, info in lacking.labels["process"].items()} == {
        "PF": None,
        "PS": None,
        "PB": None,
    }
    industry = {code: info["name_en"] for code, info in lacking.labels["industry"].items()}
    if "industry" in drop:
        assert industry == {"C": "Manufacturing", "C38": None, "C39": None, "I": SECTION_I}
    else:
        assert industry == {code: info["name_en"] for code, info in full.labels["industry"].items()}
    for grain in ("process", "industry"):  # everything but name_en is the same
        assert _but_name_en(lacking.labels[grain]) == _but_name_en(full.labels[grain])


def _but_name_en(labels: dict[str, dict]) -> dict[str, dict]:
    return {code: {k: v for k, v in info.items() if k != "name_en"} for code, info in labels.items()}


SECTION_I = "Information Transmission, Software and Information Technology Services"


def test_absence_is_found_in_the_catalog_and_read_as_null_in_pushdown(backend_url):
    """Pushdown reads NULL in place of the absent column, exact-code mode included
    (MySQL-family sources read text through a binary collation)."""
    engine = _load(backend_url, ("industry",))
    try:
        with engine.connect() as conn:
            absent = absent_optional(conn)
            assert absent == {"industry": frozenset({"name_en"})}
            for exact in (False, True):
                clean = CleanSource(exact=exact, absent=absent)
                kept = clean.kept("industry")
                rows = conn.execute(select(kept.c.industry_code, kept.c.name_en)).all()
                assert sorted(rows) == [("C", None), ("C38", None), ("C39", None), ("I", None)]
                kept = clean.kept("approval_process")
                names = dict(conn.execute(select(kept.c.process_code, kept.c.name_en)).all())
                assert names == {"PF": "Expense Reimbursement", "PS": None, "PB": "   "}
    finally:
        engine.dispose()


def test_the_extract_asks_only_for_the_columns_that_exist(backend_url):
    engine = _load(backend_url, ("approval_process",))
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(" ".join(a[2].split())))
    try:
        compute(
            engine,
            D,
            options=engine_options("extract"),
            calendar=WorkCalendar(extra_holidays=[], extra_workdays=[]),
        )
    finally:
        engine.dispose()
    reads = [s for s in seen if re.search(r"FROM [`\"]?approval_process[`\"]?(\)|$)", s)]
    assert len(reads) == 1 and "name_zh" in reads[0] and "name_en" not in reads[0], reads
    reads = [s for s in seen if re.search(r"FROM [`\"]?industry[`\"]?(\)|$)", s)]
    assert len(reads) == 1 and "name_en" in reads[0], reads


def test_check_source_notes_an_absent_optional_column(backend_url):
    engine = _load(backend_url, ("approval_process", "industry"))
    try:
        report = check_source(engine)
    finally:
        engine.dispose()
    assert report.usable and report.errors == [] and report.warnings == []
    assert sorted(str(p) for p in report.notes) == [
        "note: approval_process.name_en: optional column (contract v1.1) is absent: read as NULL, "
        "English pages show the other names",
        "note: industry.name_en: optional column (contract v1.1) is absent: read as NULL, "
        "English pages show the other names",
    ]
    assert report.problems == report.notes


def test_check_source_with_the_column_has_nothing_to_say(backend_url):
    engine = _load(backend_url, ())
    try:
        report = check_source(engine)
    finally:
        engine.dispose()
    assert report.problems == []


def test_the_contract_marks_only_these_columns_optional():
    optional = {(spec.name, c) for spec in SPECS.values() for c in spec.optional}
    assert optional == {("approval_process", "name_en"), ("industry", "name_en")}
    spec = SPECS["industry"].without(frozenset({"name_en"}))
    assert [c.name for c in spec.columns] == ["industry_code", "name_zh"]
    assert SPECS["industry"].without(frozenset()) is SPECS["industry"]
