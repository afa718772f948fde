"""cockpit.drilldown on hand-made RefreshResults in a tmp store: every figure
the desk pages show is checked against the values written."""

from __future__ import annotations

from datetime import date

import pytest

from cockpit.scope import Scope
from metrics.results import QualityCount, RefreshResult, Value

SCHOOL = Scope.whole_school()

LABELS = {
    "department": {
        "D1": {"name_zh": "机电学院", "name_en": "Mechatronics", "kind": "academic"},
        "D2": {"name_zh": "财经学院", "name_en": "Finance", "kind": "academic"},
    },
    "major": {
        "M1": {"name_zh": "数控技术", "department": "D1"},
        "M2": {"name_zh": "会计", "department": "D2"},
    },
    "process": {"P1": {"name_zh": "经费报销", "sla_workdays": 5.0}},
}


def _result(as_of: date, placed_d1: float) -> RefreshResult:
    c = "cohort:2026"
    month = f"month:{as_of:%Y-%m}"
    return RefreshResult(
        as_of=as_of,
        values=[
            Value("placement_rate", c, {}, (placed_d1 + 80) / 200, placed_d1 + 80, 200),
            Value("placement_rate", c, {"department": "D1"}, placed_d1 / 100, placed_d1, 100),
            Value("placement_rate", c, {"department": "D2"}, 0.8, 80, 100),
            Value("placement_rate", c, {"major": "M1"}, placed_d1 / 100, placed_d1, 100),
            Value("placement_rate", c, {"major": "M2"}, 0.8, 80, 100),
            Value("approval_volume", month, {"process": "P1"}, 40, 40, None),
            Value("approval_latency_p50", month, {"process": "P1"}, 3.5, None, 30),
            Value("approval_overdue_rate", month, {"process": "P1"}, 0.25, 5, 20),
            Value("approval_backlog", f"day:{as_of}", {"process": "P1"}, 7, 7, None),
            Value("step_latency_p50", month, {"process": "P1", "step": "财务审核"}, 2.5, None, 12),
            Value("step_latency_p50", "month:2026-10", {"process": "P1", "step": "财务审核"}, 1.5, None, 9),
        ],
        quality=[
            QualityCount("row_orphan", "student", 2, ["S1", "S2"]),
            QualityCount("row_enum", "major", 0),
        ],
        source_counts={"student": 200},
        school={"name_zh": "测试学院"},
        labels=LABELS,
        pending=[
            {
                "instance_id": "A1",
                "process": "P1",
                "department": "D1",
                "step": "财务审核",
                "age_workdays": 3.0,
            },
            {
                "instance_id": "A2",
                "process": "P1",
                "department": "D2",
                "step": "校长审批",
                "age_workdays": 9.5,
            },
        ],
    )


@pytest.fixture
def app(tmp_path):
    from cockpit.app import create_app
    from cockpit.config import load_settings
    from cockpit.store import Store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store(url)
    for as_of, placed in ((date(2026, 11, 15), 70), (date(2026, 11, 21), 84)):
        sid = store.begin(as_of, "cli")
        store.complete(sid, _result(as_of, placed))
    failed = store.begin(date(2026, 11, 21), "schedule")
    store.fail(failed, "source unreachable")
    settings = load_settings(env={"COCKPIT_STORE_URL": url, "COCKPIT_SOURCE_URL": f"sqlite:///{tmp_path}/s"})
    dash_app = create_app(settings, schedule=False)
    with dash_app.server.test_request_context():
        yield dash_app


def test_metric_info_has_configured_thresholds(app):
    from cockpit import drilldown

    info = drilldown.metric_info("placement_rate", SCHOOL)
    assert (info["target"], info["warning"], info["critical"]) == (0.95, 0.90, 0.85)
    assert info["name_zh"] == "毕业去向落实率" and info["unit"] == "ratio"
    assert drilldown.metric_info("no_such_metric", SCHOOL) is None
    from metrics.catalog import load_catalog

    assert [m["id"] for m in drilldown.catalog_entries(SCHOOL)] == list(load_catalog().metrics)


def test_breakdown_values_and_levels(app):
    from cockpit import drilldown

    state = drilldown.indicator_state("placement_rate", SCHOOL)
    assert state["periods"] == ["cohort:2026"] and state["default_period"] == "cohort:2026"
    assert state["grains"] == ["department", "major"]
    b = drilldown.breakdown("placement_rate", "cohort:2026", "department", SCHOOL)
    assert b["total"]["value"] == pytest.approx(164 / 200)
    assert b["total"]["level"] == "critical"  # 0.82 < 0.85
    rows = {r["key"]: r for r in b["rows"]}
    assert rows["D1"]["value"] == pytest.approx(0.84) and rows["D1"]["level"] == "critical"
    assert rows["D1"]["name"] == "机电学院" and rows["D2"]["numerator"] == 80
    majors = drilldown.breakdown("placement_rate", "cohort:2026", "major", SCHOOL, lang="en")
    assert {r["key"]: r["parent"] for r in majors["rows"]} == {"M1": "Mechatronics", "M2": "Finance"}


def test_restricted_scope_sees_its_departments_only(app):
    from cockpit import drilldown
    from cockpit.service import Scope

    scope = Scope.department_only("D2")
    b = drilldown.breakdown("placement_rate", "cohort:2026", "major", scope)
    assert [r["key"] for r in b["rows"]] == ["M2"]
    assert drilldown.breakdown("placement_rate", "cohort:2026", "department", scope)["total"]["value"] == 0.8
    assert drilldown.approvals_processes(scope)["processes"] == []
    assert [p["instance_id"] for p in drilldown.oldest_pending(scope)] == ["A2"]


def test_history_over_snapshots(app):
    from cockpit import drilldown

    h = drilldown.history("placement_rate", "cohort:2026", "department", SCHOOL)
    assert h["as_of"] == ["2026-11-15", "2026-11-21"]
    total, d1, d2 = h["series"]
    assert total["values"] == pytest.approx([150 / 200, 164 / 200])
    assert d1["key"] == "D1" and d1["values"] == pytest.approx([0.70, 0.84])
    assert d2["values"] == pytest.approx([0.8, 0.8])


def test_approvals_process_steps_pending(app):
    from cockpit import drilldown

    data = drilldown.approvals_processes(SCHOOL)
    assert data["month"] == "month:2026-11"
    (p1,) = data["processes"]
    assert p1["approval_volume"] == 40 and p1["approval_latency_p50"] == 3.5
    assert p1["approval_latency_p50__level"] == "warning"  # above 3
    assert p1["approval_overdue_rate__level"] == "critical"  # above 0.20
    assert p1["approval_backlog"] == 7 and p1["sla"] == 5.0
    steps = drilldown.process_steps("P1", SCHOOL)
    (step,) = steps["steps"]
    assert (step["value"], step["n"], step["level"]) == (2.5, 12, "warning")
    assert step["series"] == {"month:2026-10": 1.5, "month:2026-11": 2.5}
    pending = drilldown.oldest_pending(SCHOOL, process="P1")
    assert [p["instance_id"] for p in pending] == ["A2", "A1"]
    assert pending[0]["department_name"] == "财经学院" and pending[0]["age_workdays"] == 9.5


def test_data_status(app):
    from cockpit import drilldown

    s = drilldown.data_status(SCHOOL)
    assert s["last_failed"]["error"] == "source unreachable"
    assert [x["status"] for x in s["snapshots"]] == ["failed", "ok", "ok"]
    assert s["current"]["as_of"] == "2026-11-21"
    assert {(q["rule"], q["rows"]) for q in s["quality"]} == {("row_orphan", 2), ("row_enum", 0)}
    assert s["source_counts"] == {"student": 200}
