"""The demo generator: deterministic, anchored at ``today``, realistic in
shape, and carrying exactly the planted bad rows it documents."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from cockpit.demo import PLANTED, generate, planted_ids, planted_keys, planted_rows
from cockpit.demo import planted as planted_module
from cockpit.demo.enterprises import credit_code
from metrics.contract import TABLES
from metrics.gbt4754 import SECTION_EN
from metrics.quality import CleanSource

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 21)  # a Saturday in the 2027 cohort's tracking season
SCALE = 0.05
KEYS = planted_keys(TODAY)
IDS = planted_ids(TODAY)


def generated(column: str, table: str) -> str:
    """SQL: ``column`` is not the key of a planted row of ``table``."""
    return f"{column} NOT IN ({', '.join(repr(k) for k in sorted(IDS[table]))})"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, object]:
    """Three small demos: seed 2026 twice (the first file generated over an
    older demo, to prove the tables are re-created), and seed 7."""
    root = tmp_path_factory.mktemp("demo")
    out: dict[str, object] = {}
    stages: list[tuple[str, float]] = []
    generate(f"sqlite:///{root / 'a.sqlite'}", scale=SCALE, seed=99, today=date(2025, 3, 1))
    out["counts"] = generate(
        f"sqlite:///{root / 'a.sqlite'}",
        scale=SCALE,
        seed=2026,
        today=TODAY,
        progress=lambda s, f: stages.append((s, f)),
    )
    generate(f"sqlite:///{root / 'b.sqlite'}", scale=SCALE, seed=2026, today=TODAY)
    generate(f"sqlite:///{root / 'c.sqlite'}", scale=SCALE, seed=7, today=TODAY)
    out.update(a=root / "a.sqlite", b=root / "b.sqlite", c=root / "c.sqlite", stages=stages)
    return out


@pytest.fixture(scope="module")
def q(built) -> Iterator[Callable[[str], list[tuple]]]:
    db = sqlite3.connect(built["a"])
    yield lambda sql: db.execute(sql).fetchall()
    db.close()


def _digest(path: Path) -> str:
    db = sqlite3.connect(path)
    h = hashlib.sha256()
    for spec in TABLES:
        order = ", ".join(str(i + 1) for i in range(len(spec.columns)))
        for row in db.execute(f"SELECT * FROM {spec.name} ORDER BY {order}"):
            h.update(repr(row).encode())
    db.close()
    return h.hexdigest()


def test_same_seed_same_tables_other_seed_different(built):
    assert _digest(built["a"]) == _digest(built["b"])
    assert _digest(built["a"]) != _digest(built["c"])


def test_writes_to_every_backend(backend_url):
    """SQLite, PostgreSQL (COPY) and MariaDB (TEXT index prefixes) all load,
    twice over (the second run drops the first's tables), and the cockpit's
    quality rules find the planted rows there too (not timed on MariaDB, whose
    row-by-row evaluation of the rules' subqueries takes about a minute even
    on this small demo)."""
    generate(backend_url, scale=0.01, seed=1, today=TODAY)
    counts = generate(backend_url, scale=0.02, seed=2026, today=TODAY)
    engine = create_engine(backend_url)
    try:
        with engine.connect() as conn:
            for name, n in counts.items():
                assert conn.exec_driver_sql(f"SELECT COUNT(*) FROM {name}").scalar_one() == n, name
            found = [] if engine.dialect.name == "mysql" else CleanSource().count(conn)
    finally:
        engine.dispose()
    by_rule: dict[str, int] = {}
    for c in found:
        by_rule[c.rule] = by_rule.get(c.rule, 0) + c.rows
    assert not found or {r: n for r, n in by_rule.items() if n} == PLANTED


def test_counts_returned_match_the_tables(built, q):
    counts = built["counts"]
    assert set(counts) == {t.name for t in TABLES}
    for name, n in counts.items():
        assert q(f"SELECT COUNT(*) FROM {name}") == [(n,)], name


def test_row_counts_in_range(built):
    c = built["counts"]
    assert c["school_profile"] == 1
    assert 40 <= c["major"] <= 60
    assert 0.05 * 25_000 < c["student"] < 0.05 * 36_000
    assert 0.05 * 2_000 < c["enterprise"] < 0.05 * 3_500
    assert 0.05 * 70_000 < c["approval_instance"] < 0.05 * 80_000
    assert 2 * c["approval_instance"] < c["approval_step"] < 3.5 * c["approval_instance"]
    assert 0.05 * 17_000 < c["internship"] < 0.05 * 21_000
    assert 0.05 * 19_000 < c["graduate_destination"] < 0.05 * 24_000
    assert 36 * 30 < c["industry_demand"] < 36 * 50


def test_scale_multiplies_people_and_approvals_not_the_school(tmp_path, built):
    c = generate(f"sqlite:///{tmp_path / 'x2.sqlite'}", scale=2 * SCALE, seed=2026, today=TODAY)
    small = built["counts"]
    for name in ("student", "enterprise", "approval_instance"):
        assert 1.8 < c[name] / small[name] < 2.2, name
    for name in ("department", "major", "major_industry", "approval_process", "industry_demand"):
        assert c[name] == small[name], name


def test_progress_reported_up_to_done(built):
    fractions = [f for _, f in built["stages"]]
    assert fractions == sorted(fractions)
    assert built["stages"][-1] == ("done", 1.0)
    assert len(built["stages"]) > 10


def test_nothing_after_today(q):
    end = f"{TODAY} 23:59:59"
    day = TODAY.isoformat()
    assert q("SELECT MAX(placed_on) FROM graduate_destination")[0][0] <= day
    assert q("SELECT MAX(start_date), MAX(end_date) FROM internship")[0] <= (day, day)
    assert q("SELECT MAX(partner_since) FROM enterprise")[0][0] <= day
    assert q("SELECT MAX(submitted_at), MAX(finished_at) FROM approval_instance")[0] <= (end, end)
    assert q("SELECT MAX(arrived_at), MAX(acted_at) FROM approval_step")[0] <= (end, end)
    assert q("SELECT MAX(period) FROM industry_demand")[0][0] == "2026-11"


def test_text_formats_are_the_contracts(q):
    where = generated("instance_id", "approval_instance")
    (stamp,) = q(f"SELECT submitted_at FROM approval_instance WHERE {where} LIMIT 1")[0]
    assert len(stamp) == 19 and stamp[10] == " "
    (day,) = q("SELECT start_date FROM internship LIMIT 1")[0]
    assert len(day) == 10 and day[4] == "-"
    assert q("SELECT DISTINCT typeof(insured) FROM internship WHERE insured IS NOT NULL") == [("integer",)]


def test_school_and_departments(q):
    (school,) = q("SELECT school_code, name_zh, region_code FROM school_profile")
    assert school[2] == "320400" and "职业技术学院" in school[1]
    real = generated("department_code", "department")
    kinds = dict(q(f"SELECT kind, COUNT(*) FROM department WHERE {real} GROUP BY kind"))
    assert 10 <= kinds["academic"] <= 14 and 6 <= kinds["administrative"] <= 8
    assert q("SELECT COUNT(*) FROM department WHERE kind = 'academic' AND name_en IS NULL") == [(0,)]
    # every major belongs to an academic department; a few no longer enrol
    assert q(
        "SELECT COUNT(*) FROM major JOIN department USING (department_code) WHERE kind <> 'academic'"
    ) == [(0,)]
    assert 1 <= q("SELECT COUNT(*) FROM major WHERE active = 0")[0][0] <= 5
    assert q("SELECT COUNT(*) FROM major WHERE length(catalog_code) <> 6") == [(0,)]


def test_industries_cover_sections_and_every_code_used(q):
    assert q("SELECT COUNT(*) FROM industry WHERE length(industry_code) = 1") == [(20,)]
    used = q(
        "SELECT industry_code FROM major_industry UNION SELECT industry_code FROM enterprise"
        " UNION SELECT industry_code FROM graduate_destination"
        " UNION SELECT industry_code FROM industry_demand"
        " EXCEPT SELECT industry_code FROM industry"
    )
    assert sorted(r[0] for r in used if r[0] is not None) == ["C99", "Z99"]  # the planted ref_unknown codes


def test_english_names_of_processes_and_industries(q):
    """Contract v1.1's optional name_en: the demo fills it for every process and
    industry (GB/T 4754's official English names for the sections)."""
    assert q("SELECT COUNT(*) FROM approval_process WHERE name_en IS NULL OR name_en = ''") == [(0,)]
    oa01 = q("SELECT name_en FROM approval_process WHERE process_code = 'OA01'")
    assert oa01 == [("Expense Reimbursement",)]
    assert q("SELECT COUNT(*) FROM industry WHERE name_en IS NULL OR name_en = ''") == [(0,)]
    sections = dict(q("SELECT industry_code, name_en FROM industry WHERE length(industry_code) = 1"))
    assert sections == SECTION_EN
    assert q("SELECT name_en FROM industry WHERE industry_code = 'C38'") == [
        ("Manufacture of Electrical Machinery and Apparatus",)
    ]


def test_weights_sum_to_one_except_planted(q):
    planted = {key.split("|")[0] for _, key in planted_rows(TODAY)["weight_range"]}
    good = "weight > 0 AND weight <= 1"
    sums = q(f"SELECT major_code, SUM(weight) FROM major_industry WHERE {good} GROUP BY 1")
    assert len(sums) >= 40
    assert all(abs(total - 1) < 1e-9 for _, total in sums)
    bad = q(f"SELECT DISTINCT major_code FROM major_industry WHERE NOT ({good}) OR weight IS NULL")
    assert {r[0] for r in bad} == planted


def test_every_planted_rule_is_present_in_sql(q):
    def count(table: str, where: str) -> int:
        return q(f"SELECT COUNT(*) FROM {table} WHERE {where}")[0][0]

    def dup(table: str, key: str) -> int:
        return q(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} GROUP BY {key} HAVING COUNT(*) > 1)")[0][0]

    statuses = "'enrolled', 'graduated', 'suspended', 'withdrawn'"
    idle = "('unplaced', 'not_seeking')"
    assert count("student", "major_code IS NULL") == 1
    assert dup("department", "department_code") == 1
    assert dup("approval_step", "instance_id, step_no") == 1
    assert count("internship", "student_id NOT IN (SELECT student_id FROM student)") == 1
    assert count("internship", f"student_id = '{KEYS['ORPH-S1']}'") == 1  # the cascade
    assert count("student", f"status NOT IN ({statuses})") == 1
    assert count("internship", "planned_end_date < start_date OR end_date < start_date") == 2
    assert count("graduate_destination", f"destination IN {idle} AND placed_on IS NOT NULL") == 3
    assert count("graduate_destination", f"destination NOT IN {idle} AND placed_on IS NULL") == 2
    order = "finished_at < submitted_at OR (finished_at IS NULL) <> (outcome IS NULL)"
    assert count("approval_instance", order) == 3
    assert count("approval_step", "acted_at < arrived_at OR (acted_at IS NULL) <> (action IS NULL)") == 3
    assert count("industry_demand", "demand IS NULL OR demand < 0") == 2
    assert count("internship", "enterprise_score NOT BETWEEN 0 AND 100") == 2
    assert count("internship", "monthly_pay < 0 OR reference_wage <= 0") == 2
    assert count("graduate_destination", "monthly_salary <= 0 OR monthly_salary > 200000") == 2
    logs = "logs_submitted < 0 OR logs_expected < 0 OR logs_submitted > logs_expected"
    assert count("internship", logs) == 3
    missing = q(
        "SELECT student_id FROM student WHERE status <> 'withdrawn' AND expected_graduation_year IN "
        "(SELECT graduation_year FROM graduate_destination) AND student_id NOT IN "
        "(SELECT student_id FROM graduate_destination)"
    )
    assert sorted(r[0] for r in missing) == [KEYS["M01"], KEYS["M02"], KEYS["M03"]]


def test_cockpit_quality_rules_count_exactly_the_planted_rows(built):
    engine = create_engine(f"sqlite:///{built['a']}")
    with engine.connect() as conn:
        found = CleanSource().count(conn)
    engine.dispose()
    by_rule: dict[str, int] = {}
    by_table: dict[tuple[str, str], int] = {}
    for c in found:
        by_rule[c.rule] = by_rule.get(c.rule, 0) + c.rows
        by_table[(c.rule, c.table)] = by_table.get((c.rule, c.table), 0) + c.rows
    assert {r: n for r, n in by_rule.items() if n} == PLANTED
    expected: dict[tuple[str, str], int] = {}
    for rule, rows in planted_rows(TODAY).items():
        for table, _ in rows:
            expected[(rule, table)] = expected.get((rule, table), 0) + 1
    assert {k: n for k, n in by_table.items() if n} == expected
    examples = {(c.rule, c.table): c.examples for c in found if c.rows}
    for rule, rows in planted_rows(TODAY).items():
        for table, key in rows:
            assert key in examples[(rule, table)], (rule, table, key)


def test_cohorts_and_statuses(q):
    # intakes 2019 … 2026: three enrolled (2024–2026), five graduated cohorts
    real = generated("student_id", "student")
    years = dict(q(f"SELECT entry_year, COUNT(*) FROM student WHERE {real} GROUP BY 1"))
    assert sorted(years) == list(range(2019, 2027))
    assert q("SELECT COUNT(*) FROM student WHERE expected_graduation_year <> entry_year + 3") == [(0,)]
    statuses = dict(q(f"SELECT status, COUNT(*) FROM student WHERE entry_year >= 2024 AND {real} GROUP BY 1"))
    enrolled = sum(statuses.values())
    assert 0.005 < statuses["withdrawn"] / enrolled < 0.04
    assert statuses["suspended"] > 0 and statuses["enrolled"] / enrolled > 0.9
    graduated = q(f"SELECT DISTINCT status FROM student WHERE entry_year < 2024 AND {real}")
    assert sorted(r[0] for r in graduated) == ["graduated", "withdrawn"]
    # the 2027 roster exists (season opened Nov 1 2026); 2028 has none yet
    rosters = dict(q("SELECT graduation_year, COUNT(*) FROM graduate_destination GROUP BY 1"))
    assert sorted(rosters) == [2022, 2023, 2024, 2025, 2026, 2027]


def test_employment_story(q):
    employed = "destination IN ('contract', 'flexible', 'self_employed')"
    for year in range(2022, 2027):
        roster, placed, jobs, related, salary = q(
            "SELECT COUNT(*), SUM(destination NOT IN ('unplaced', 'not_seeking')),"
            f" SUM({employed}), AVG(CASE WHEN {employed} THEN major_related END),"
            " AVG(CASE WHEN monthly_salary BETWEEN 1 AND 200000 THEN monthly_salary END)"
            f" FROM graduate_destination WHERE graduation_year = {year}"
            f" AND {generated('student_id', 'graduate_destination')}"
        )[0]
        assert 0.85 < placed / roster < 0.98, year
        assert 0.5 < related < 0.8, year
        assert 3900 < salary < 5400, year
        assert jobs / roster > 0.6
    placed_dates = q(
        "SELECT substr(placed_on, 1, 7), COUNT(*) FROM graduate_destination WHERE graduation_year = 2025 "
        "AND placed_on IS NOT NULL GROUP BY 1"
    )
    months = dict(placed_dates)
    assert min(months) >= "2024-11" and max(months) <= "2025-12"
    spring_summer = sum(n for m, n in months.items() if "2025-03" <= m <= "2025-08")
    assert spring_summer / sum(months.values()) > 0.6
    # the current cohort: only what was confirmed by today
    first = q("SELECT MIN(placed_on) FROM graduate_destination WHERE graduation_year = 2027")[0][0]
    assert "2026-11-01" <= first <= TODAY.isoformat()


def test_internship_story(q):
    real = generated("internship_id", "internship")
    share = q(
        "SELECT AVG(insured), AVG(monthly_pay < 0.8 * reference_wage), AVG(e.is_partner) FROM internship i "
        f"JOIN enterprise e USING (enterprise_id) WHERE {real}"
    )[0]
    assert 0.9 < share[0] < 1.0  # mostly, not always, insured
    assert 0.02 < share[1] < 0.12  # some underpaid
    assert share[2] > 0.6  # partners host most internships
    running = f"SELECT COUNT(*) FROM internship WHERE end_date IS NULL AND {real}"
    assert q(running + " AND start_date < '2026-10-01'") == [(0,)]  # earlier cohorts are done
    assert q(running) != [(0,)]  # the 2027 cohort's are under way


def test_approval_story(q):
    outcomes = dict(q("SELECT COALESCE(outcome, 'pending'), COUNT(*) FROM approval_instance GROUP BY 1"))
    total = sum(outcomes.values())
    assert outcomes["approved"] / total > 0.85
    assert outcomes["rejected"] > 0 and outcomes["withdrawn"] > 0 and outcomes["pending"] > 0
    oldest = q("SELECT MIN(submitted_at) FROM approval_instance WHERE finished_at IS NULL")[0][0]
    assert oldest < "2026-10-01"  # a few stuck for weeks
    assert q("SELECT COUNT(DISTINCT department_code) FROM approval_instance") == [(19,)]
    later = q(
        "SELECT COUNT(*) FROM approval_instance i JOIN approval_step s USING (instance_id) "
        f"WHERE i.finished_at < s.acted_at AND i.{generated('instance_id', 'approval_instance')}"
    )
    assert later == [(0,)]
    steps = dict(
        q("SELECT n, COUNT(*) FROM (SELECT COUNT(*) n FROM approval_step GROUP BY instance_id) GROUP BY n")
    )
    assert max(steps) <= 6 and steps[2] > steps.get(1, 0)


# The generator's own key formats, per table (the first key column).
FORMATS = {
    "student": r"S20\d{8}",
    "graduate_destination": r"S20\d{8}",
    "internship": r"SX20\d{8}",
    "approval_instance": r"SP20\d{11}",
    "approval_step": r"SP20\d{11}",
    "department": r"(JX|XZ)\d{2}",
    "enterprise": r"91\d{6}[0-9A-HJ-NPQRTUWXY]{10}",
}
KEY_COLUMNS = {
    "student": "student_id",
    "graduate_destination": "student_id",
    "internship": "internship_id",
    "approval_instance": "instance_id",
    "approval_step": "instance_id",
    "department": "department_code",
    "enterprise": "enterprise_id",
}


def test_planted_keys_look_like_generated_ones(q):
    """Issue 10: a planted row met on any screen (a pending approval, an example
    key on /status) shows an id of the same shape as every other row's."""
    for table, keys in IDS.items():
        assert keys, table
        for key in keys:
            assert re.fullmatch(FORMATS[table], key), (table, key)
        column = KEY_COLUMNS[table]
        shapes = {bool(re.fullmatch(FORMATS[table], k)) for (k,) in q(f"SELECT {column} FROM {table}")}
        assert shapes == {True}, table  # the generated keys have that shape too
    # well-formed 统一社会信用代码, check characters included
    for key in (KEYS["REF-E1"], KEYS["NO-ENTERPRISE"]):
        assert credit_code(key[2:8], key[8:16]) == key
    assert q("SELECT major_code FROM student WHERE major_code NOT IN (SELECT major_code FROM major)") == [
        (KEYS["NO-MAJOR"],)
    ]
    assert re.fullmatch(r"\d{4}", KEYS["NO-MAJOR"]) and re.fullmatch(r"OA\d{2}", KEYS["NO-PROCESS"])


def test_no_test_looking_text_anywhere(q):
    """No BAD-… marker in any text column of any table."""
    for spec in TABLES:
        for col in spec.columns:
            if col.type == "TEXT":
                hits = q(f"SELECT COUNT(*) FROM {spec.name} WHERE {col.name} GLOB '*BAD*'")
                assert hits == [(0,)], (spec.name, col.name)


def test_planted_keys_are_their_own_rows(q):
    """Each planted key names exactly the planted rows (no generated row shares it)."""
    steps = {KEYS[label]: n for label, n in (("DUP-A1", 3), ("STEP-A1", 2), ("STEP-A2", 2), ("STEP-A3", 2))}
    steps[KEYS["ORPH-A1"]] = 1
    expected = {
        "student": dict.fromkeys(IDS["student"], 1),
        "graduate_destination": dict.fromkeys(IDS["graduate_destination"], 1),
        "internship": dict.fromkeys(IDS["internship"], 1),
        "approval_instance": dict.fromkeys(IDS["approval_instance"], 1),
        "approval_step": steps,
        "department": {KEYS["DUP-D1"]: 2, KEYS["ENUM-D1"]: 1},
        "enterprise": {KEYS["REF-E1"]: 1},
    }
    for table, counts in expected.items():
        column = KEY_COLUMNS[table]
        keys = ", ".join(repr(k) for k in sorted(IDS[table]))
        found = dict(q(f"SELECT {column}, COUNT(*) FROM {table} WHERE {column} IN ({keys}) GROUP BY 1"))
        assert found == counts, table
    assert q(f"SELECT COUNT(*) FROM student WHERE student_id = '{KEYS['GHOST']}'") == [(0,)]
    assert q(f"SELECT COUNT(*) FROM enterprise WHERE enterprise_id = '{KEYS['NO-ENTERPRISE']}'") == [(0,)]
    assert q(f"SELECT COUNT(*) FROM approval_process WHERE process_code = '{KEYS['NO-PROCESS']}'") == [(0,)]


def test_a_planted_key_that_would_collide_stops_the_generator(tmp_path, monkeypatch):
    monkeypatch.setattr(planted_module, "_STUDENT_SERIAL", 1)  # S…000001 is generated in every intake
    with pytest.raises(ValueError, match=r"planted student keys .* collide with generated ones"):
        generate(f"sqlite:///{tmp_path / 'x.sqlite'}", scale=0.01, seed=1, today=TODAY)


def test_docs_list_every_planted_case():
    """docs/demo.md names every rule and every planted key (at the anchor date it documents)."""
    text = (ROOT / "docs" / "demo.md").read_text(encoding="utf-8").replace("\\|", "|")  # table cells escape |
    assert TODAY.isoformat() in text
    for rule, rows in planted_rows(TODAY).items():
        assert f"`{rule}`" in text, rule
        for _table, key in rows:
            assert f"`{key}`" in text, (rule, key)
    for label, key in KEYS.items():
        assert f"`{key}`" in text, label
