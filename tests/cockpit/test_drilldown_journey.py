"""cockpit.drilldown for the leader's journey (issue 9) on hand-made snapshots in a tmp
store: a process's steps in workflow order, the instances pending at one step, the
internship host list; each figure against the snapshot written, each scope against what
it may see (a dean: their department's rows only; a department view: that department)."""

from __future__ import annotations

from datetime import date

import pytest

from cockpit.scope import OutOfScope, Scope
from metrics.results import RefreshResult, Value

SCHOOL = Scope.whole_school()
DEAN_D1 = Scope.of_departments(["D1"])
DEAN_D2 = Scope.of_departments(["D2"])
HEAD, FIN, VICE, SEAL = "部门负责人审核", "财务处审核", "分管校领导审批", "用印审核"
AS_OF = date(2026, 11, 21)

LABELS = {
    "department": {
        "D1": {"name_zh": "机电学院", "name_en": "Mechatronics", "kind": "academic"},
        "D2": {"name_zh": "财经学院", "name_en": "Finance", "kind": "academic"},
        "A1": {"name_zh": "党政办公室", "name_en": "President's Office", "kind": "administrative"},
    },
    "major": {
        "M1": {"name_zh": "数控技术", "department": "D1"},
        "M2": {"name_zh": "会计", "department": "D2"},
    },
    "process": {
        "P1": {"name_zh": "经费报销", "sla_workdays": 5.0},
        "P2": {"name_zh": "用印申请", "sla_workdays": 2.0},
    },
}


def _p(iid, process, dept, step, no, age, step_age, sla, over):
    return {
        "instance_id": iid,
        "process": process,
        "department": dept,
        "submitted_at": f"2026-11-{10 + len(iid)} 09:00:00",
        "step": step,
        "step_no": no,
        "age_workdays": age,
        "step_age_workdays": step_age,
        "sla_workdays": sla,
        "over_sla": over,
    }


PENDING = [
    _p("A1", "P1", "D1", FIN, 2, 9.5, 3.0, 5.0, True),
    _p("A2", "P1", "D2", FIN, 2, 6.0, 1.0, 5.0, True),
    _p("A3", "P1", "D1", HEAD, 1, 1.0, 1.0, 5.0, False),
    _p("A4", "P1", "A1", FIN, 2, 0.5, 0.25, 5.0, False),
    _p("A5", "P1", "D2", None, None, 2.0, None, 5.0, False),
    _p("B1", "P2", "D1", SEAL, 1, 3.0, 3.0, 2.0, True),
]
APPROVAL_STEPS = {
    "order": {"P1": [HEAD, FIN, VICE], "P2": [SEAL]},
    "pending": [
        {"process": "P1", "step": FIN, "department": "D1", "count": 60},  # 59 more than listed
        {"process": "P1", "step": FIN, "department": "D2", "count": 1},
        {"process": "P1", "step": FIN, "department": "A1", "count": 1},
        {"process": "P1", "step": HEAD, "department": "D1", "count": 1},
        {"process": "P1", "step": None, "department": "D2", "count": 1},
        {"process": "P2", "step": SEAL, "department": "D1", "count": 1},
    ],
    "per_group": 50,
}


def _host(ent, dept, n, uninsured, underpaid, pay_known, score_sum, score_n, low):
    return {
        "enterprise": ent,
        "department": dept,
        "internships": n,
        "uninsured": uninsured,
        "underpaid": underpaid,
        "pay_known": pay_known,
        "score_sum": score_sum,
        "score_n": score_n,
        "low_score": low,
    }


HOSTS = {
    "cohort": 2027,
    "low_score_below": 75.0,
    "enterprises": {
        "E1": {"name_zh": "甲精密机械有限公司", "is_partner": True},
        "E2": {"name_zh": "乙会计师事务所", "is_partner": False},
        "E3": {"name_zh": "丙智能制造有限公司", "is_partner": False},
    },
    "rows": [
        _host("E1", "D1", 3, 1, 0, 3, 240.0, 3, 0),
        _host("E1", "D2", 2, 0, 1, 2, 140.0, 2, 1),
        _host("E2", "D2", 1, 0, 0, 0, 70.0, 1, 1),
        _host("E3", "D1", 4, 0, 0, 4, 360.0, 4, 0),  # no issue in D1
        _host("E3", "D2", 1, 1, 0, 0, 0.0, 0, 0),
    ],
}


def _result(as_of: date, new_format: bool) -> RefreshResult:
    month = f"month:{as_of:%Y-%m}"
    return RefreshResult(
        as_of=as_of,
        values=[
            Value("approval_volume", month, {"process": "P1"}, 40, 40, None),
            Value("approval_volume", month, {"process": "P2"}, 10, 10, None),
            Value("approval_backlog", f"day:{as_of}", {"process": "P1"}, 64, 64, None),
            Value("step_latency_p50", month, {"process": "P1", "step": FIN}, 2.5, None, 12),
            Value("step_latency_p50", month, {"process": "P1", "step": HEAD}, 0.5, None, 20),
        ],
        school={"name_zh": "测试学院"},
        labels=LABELS,
        pending=PENDING
        if new_format
        else [
            {k: p[k] for k in ("instance_id", "process", "department", "step", "age_workdays")}
            for p in PENDING
        ],
        series={"approval_steps": APPROVAL_STEPS, "internship_hosts": HOSTS} if new_format else {},
    )


def _app(tmp_path, new_format: bool = True, item_url: str = "https://oa.example.edu.cn/flow/{instance_id}"):
    from cockpit.app import create_app
    from cockpit.config import load_settings
    from cockpit.store import Store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store(url)
    sid = store.begin(AS_OF, "cli")
    store.complete(sid, _result(AS_OF, new_format))
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f'approvals: {{item_url: "{item_url}"}}\n', encoding="utf-8")
    env = {
        "COCKPIT_STORE_URL": url,
        "COCKPIT_SOURCE_URL": f"sqlite:///{tmp_path}/s",
        "COCKPIT_CONFIG": str(cfg),
    }
    return create_app(load_settings(env=env), schedule=False)


@pytest.fixture
def app(tmp_path):
    dash_app = _app(tmp_path)
    with dash_app.server.test_request_context():
        yield dash_app


# -- a process's steps, in workflow order ------------------------------------------------


def test_process_steps_in_workflow_order(app):
    from cockpit import drilldown

    steps = drilldown.process_steps("P1", SCHOOL)["steps"]
    # the order of the workflow, not the slowest first nor the names' code order
    assert [(s["step"], s["position"]) for s in steps] == [(HEAD, 1), (FIN, 2), (VICE, 3)]
    assert [s["value"] for s in steps] == [0.5, 2.5, None]  # 分管校领导审批: no action this month


def test_step_pending_counts_per_scope(app):
    from cockpit import drilldown

    school = drilldown.step_pending("P1", SCHOOL)
    assert school["steps"] == {
        FIN: {"pending": 62, "oldest_age": 9.5},  # exact counts, beyond the listed instances
        HEAD: {"pending": 1, "oldest_age": 1.0},
    }
    assert (school["no_step"], school["total"]) == (1, 64)
    dean = drilldown.step_pending("P1", DEAN_D1)
    assert dean["steps"] == {FIN: {"pending": 60, "oldest_age": 9.5}, HEAD: {"pending": 1, "oldest_age": 1.0}}
    assert (dean["no_step"], dean["total"]) == (0, 61)
    d2 = drilldown.step_pending("P1", DEAN_D2)
    assert d2["steps"] == {FIN: {"pending": 1, "oldest_age": 6.0}} and d2["no_step"] == 1
    office = drilldown.step_pending("P1", Scope.whole_school(["employment"]))
    assert office["total"] == 0


# -- the instances pending at one step ---------------------------------------------------


def test_pending_at_step_oldest_first_with_sla_and_links(app):
    from cockpit import drilldown

    data = drilldown.pending_at_step(SCHOOL, "P1", FIN)
    assert data["count"] == 62 and data["sla_workdays"] == 5.0 and data["process_name"] == "经费报销"
    rows = data["rows"]
    assert [r["instance_id"] for r in rows] == ["A1", "A2", "A4"]
    assert [r["department_name"] for r in rows] == ["机电学院", "财经学院", "党政办公室"]
    assert [(r["age_workdays"], r["over_sla"]) for r in rows] == [(9.5, True), (6.0, True), (0.5, False)]
    assert rows[0]["step_age_workdays"] == 3.0 and rows[0]["submitted_at"] == "2026-11-12 09:00:00"
    assert rows[0]["url"] == "https://oa.example.edu.cn/flow/A1"
    assert drilldown.pending_at_step(SCHOOL, "P1", VICE)["rows"] == []
    assert drilldown.pending_at_step(SCHOOL, "NOPE", FIN) is None


def test_pending_at_step_in_a_deans_scope(app):
    from cockpit import drilldown

    d1 = drilldown.pending_at_step(DEAN_D1, "P1", FIN)
    assert [r["instance_id"] for r in d1["rows"]] == ["A1"] and d1["count"] == 60
    d2 = drilldown.pending_at_step(DEAN_D2, "P1", FIN)
    assert [r["instance_id"] for r in d2["rows"]] == ["A2"] and d2["count"] == 1
    # the leader filtering on one department: that department's instances only
    view = SCHOOL.narrow("D2")
    assert [r["instance_id"] for r in drilldown.pending_at_step(view, "P1", FIN)["rows"]] == ["A2"]
    # a dean's filter cannot reach another department
    with pytest.raises(OutOfScope):
        DEAN_D1.narrow("D2")
    assert drilldown.pending_at_step(Scope.whole_school(["internship"]), "P1", FIN) is None


def test_no_link_without_item_url(tmp_path):
    from cockpit import drilldown

    app = _app(tmp_path, item_url="")
    with app.server.test_request_context():
        rows = drilldown.pending_at_step(SCHOOL, "P1", FIN)["rows"]
    assert rows and all(r["url"] is None for r in rows)


def test_an_older_snapshot_still_drills(tmp_path):
    """A snapshot written before issue 9 (pending without step numbers, SLA or counts; no
    series) keeps working: counts from the list, SLA from the labels, no host list."""
    from cockpit import drilldown

    app = _app(tmp_path, new_format=False)
    with app.server.test_request_context():
        steps = drilldown.process_steps("P1", SCHOOL)["steps"]
        assert [s["step"] for s in steps] == [FIN, HEAD]  # no order known: slowest first
        assert drilldown.step_pending("P1", SCHOOL)["steps"][FIN] == {"pending": 3, "oldest_age": 9.5}
        rows = drilldown.pending_at_step(SCHOOL, "P1", FIN)["rows"]
        assert [(r["instance_id"], r["sla_workdays"], r["over_sla"]) for r in rows] == [
            ("A1", 5.0, True),
            ("A2", 5.0, True),
            ("A4", 5.0, False),
        ]
        hosts = drilldown.internship_hosts(SCHOOL)
        assert hosts["rows"] is None


# -- internship hosts -------------------------------------------------------------------


def _hosts(scope):
    from cockpit import drilldown

    data = drilldown.internship_hosts(scope)
    return {
        r["enterprise"]: (r["internships"], r["uninsured"], r["underpaid"], r["avg_score"], r["low_score"])
        for r in data["rows"]
    }, [r["enterprise"] for r in data["rows"]]


def test_internship_hosts_for_the_school(app):
    from cockpit import drilldown

    data = drilldown.internship_hosts(SCHOOL)
    assert data["period"] == "cohort:2027" and data["low_score_below"] == 75.0
    figures, order = _hosts(SCHOOL)
    assert figures == {
        "E1": (5, 1, 1, 380 / 5, 1),
        "E3": (5, 1, 0, 90.0, 0),
        "E2": (1, 0, 0, 70.0, 1),
    }
    assert order == ["E1", "E3", "E2"]  # most uninsured, then underpaid, then low scores
    e1 = data["rows"][0]
    assert e1["name"] == "甲精密机械有限公司" and e1["is_partner"] is True
    assert [d["name"] for d in e1["departments"]] == ["机电学院", "财经学院"]
    assert data["totals"] == {"internships": 11, "uninsured": 2, "underpaid": 1, "low_score": 2}


def test_a_dean_sees_their_departments_internships_at_each_host(app):
    figures, _ = _hosts(DEAN_D1)
    # E1: D1's three internships only; E3's D1 row has no issue; E2 hosts no D1 intern
    assert figures == {"E1": (3, 1, 0, 80.0, 0)}
    figures, order = _hosts(DEAN_D2)
    assert figures == {"E3": (1, 1, 0, None, 0), "E1": (2, 0, 1, 70.0, 1), "E2": (1, 0, 0, 70.0, 1)}
    assert order == ["E3", "E1", "E2"]
    from cockpit import drilldown

    for row in drilldown.internship_hosts(DEAN_D1)["rows"]:
        assert [d["code"] for d in row["departments"]] == ["D1"]


def test_a_department_view_and_other_families(app):
    from cockpit import drilldown

    assert _hosts(SCHOOL.narrow("D1"))[0] == {"E1": (3, 1, 0, 80.0, 0)}
    assert drilldown.internship_hosts(Scope.whole_school(["approvals"]))["rows"] == []
    assert _hosts(Scope.whole_school(["internship"]))[1] == ["E1", "E3", "E2"]
