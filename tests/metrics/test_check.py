"""check-source on every backend: a complete source passes; missing tables,
missing columns, incompatible types and a bad school_profile are named."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, text

from metrics.check import check_source, type_family
from metrics.contract import METADATA, SPECS

SCHOOL = {"school_code": "4133010001", "name_zh": "示范职业技术学院", "region_code": "330100"}


def test_complete_source_is_usable(load_source):
    engine = load_source({"school_profile": [SCHOOL]})
    try:
        report = check_source(engine)
    finally:
        engine.dispose()
    assert report.problems == []
    assert report.usable
    assert report.row_counts["school_profile"] == 1
    assert set(report.row_counts) == set(METADATA.tables)


def test_missing_table_column_and_wrong_type(load_source, backend_url):
    engine = load_source({"school_profile": [SCHOOL, {**SCHOOL, "school_code": "2"}]})
    try:
        with engine.begin() as conn:
            for name in ("approval_step", "industry_demand", "approval_instance"):
                conn.execute(text(f"DROP TABLE {name}"))
        md = MetaData()
        Table(  # submitted_at as a number, finished_at missing
            "approval_instance",
            md,
            Column("instance_id", Text),
            Column("process_code", Text),
            Column("department_code", Text),
            Column("submitted_at", Integer),
            Column("outcome", Text),
        )
        md.create_all(engine)
        report = check_source(engine)
    finally:
        engine.dispose()
        e = create_engine(backend_url)
        METADATA.drop_all(e)
        md.drop_all(e)
        e.dispose()
    msgs = [str(p) for p in report.problems]
    assert "error: approval_step: table or view is missing" in msgs
    assert "error: industry_demand: table or view is missing" in msgs
    assert "error: approval_instance.finished_at: column is missing (expected TIMESTAMP)" in msgs
    wrong = [
        m for m in msgs if m.startswith("error: approval_instance.submitted_at: expected TIMESTAMP, found")
    ]
    assert len(wrong) == 1 and wrong[0].endswith("(int)")
    assert "error: school_profile: holds 2 rows; exactly one is required, nothing can be computed" in msgs
    assert len(report.errors) == 5
    assert not report.usable


def test_type_families():
    from sqlalchemy import Boolean, Date, DateTime, Float, Numeric, String

    assert type_family(Boolean()) == "bool"
    assert type_family(Integer()) == "int"
    assert type_family(Float()) == "num"
    assert type_family(Numeric(18, 4)) == "num"
    assert type_family(Numeric(10, 0)) == "num0"
    assert type_family(DateTime()) == "timestamp"
    assert type_family(Date()) == "date"
    assert type_family(String(20)) == "text"


def test_sqlite_text_dates_are_accepted(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/s.sqlite")
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE internship"))
        conn.execute(
            text(
                "CREATE TABLE internship (internship_id TEXT, student_id TEXT, enterprise_id TEXT,"
                " start_date TEXT, planned_end_date TEXT, end_date TEXT, major_related INTEGER,"
                " insured INTEGER, agreement_signed INTEGER, monthly_pay REAL, reference_wage REAL,"
                " enterprise_score REAL, logs_expected INTEGER, logs_submitted INTEGER)"
            )
        )
        conn.execute(METADATA.tables["school_profile"].insert(), [SCHOOL])
        conn.execute(
            text("CREATE VIEW v_school AS SELECT school_code || '' AS school_code FROM school_profile")
        )
    try:
        report = check_source(engine)
    finally:
        engine.dispose()
    assert report.problems == []


def test_pushdown_readiness_names_unindexed_keys_with_advice(load_source):
    """check-source for pushdown mode: a key without index is a warning with the
    CREATE INDEX to run; an indexed key is not. Extract mode does not ask."""
    engine = load_source({"school_profile": [SCHOOL]})
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE INDEX ix_dept ON department (department_code(64))"))
    except Exception:  # not MySQL: no prefix length
        with engine.begin() as conn:
            conn.execute(text("CREATE INDEX ix_dept ON department (department_code)"))
    try:
        report = check_source(engine, mode="pushdown")
        plain = check_source(engine)
    finally:
        engine.dispose()
    assert report.usable
    assert report.indexed["department"] is True
    assert report.indexed["student"] is False
    msgs = [str(p) for p in report.warnings]
    assert any(
        m.startswith("warning: student: key (student_id) is not indexed")
        and "CREATE INDEX ix_student_key ON student (student_id)" in m
        for m in msgs
    ), msgs
    assert not any(m.startswith("warning: department: key") for m in msgs)
    assert set(report.analyzed) == {name for name, spec in SPECS.items() if spec.key}
    assert plain.problems == [] and plain.indexed == {}
