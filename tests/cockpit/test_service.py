"""The wall's service functions on hand-made snapshots in a tmp store.

Three snapshots: the current one (2026-11-21), a week earlier (2026-11-14)
and the same day last season (2025-11-22), so tile changes are known exactly.
"""

from __future__ import annotations

from datetime import date

import pytest

from cockpit.service import Scope
from metrics.results import Alert, RefreshResult, Value

SCHOOL = Scope.whole_school()

LABELS = {
    "department": {
        "D1": {"name_zh": "机电学院", "name_en": "Mechatronics", "kind": "academic"},
        "D2": {"name_zh": "商学院", "name_en": "Business", "kind": "academic"},
        "A9": {"name_zh": "财务处", "name_en": "Finance office", "kind": "admin"},
    },
    "major": {
        "M1": {"name_zh": "数控技术", "department": "D1"},
        "M2": {"name_zh": "机电一体化", "department": "D1"},
        "M3": {"name_zh": "会计", "department": "D2"},
    },
    "process": {
        "P1": {"name_zh": "报销", "sla_workdays": 5.0},
        "P2": {"name_zh": "采购", "sla_workdays": 7.0},
        "P3": {"name_zh": "用印", "sla_workdays": 2.0},
    },
    "industry": {"C": {"name_zh": "制造业"}, "F": {"name_zh": "批发和零售业"}},
}


def _v(metric, period, dims, value, num=None, den=None):
    return Value(metric, period, dims, value, num, den)


def _result(as_of: date, placement: float, cohort: int) -> RefreshResult:
    c = f"cohort:{cohort}"
    day = f"day:{as_of.isoformat()}"
    values = [
        _v("placement_rate", c, {}, placement, placement * 100, 100),
        _v("placement_rate", c, {"department": "D1"}, 0.95, 57, 60),
        _v("placement_rate", c, {"department": "D2"}, 0.70, 28, 40),
        _v("placement_rate", c, {"major": "M1"}, 0.90, 27, 30),
        _v("placement_rate", c, {"major": "M2"}, 1.0, 30, 30),
        _v("placement_rate", c, {"major": "M3"}, 0.70, 28, 40),
        _v("avg_monthly_salary", c, {}, 4827.0, 4827.0 * 50, 50),
        _v("internship_insured_rate", f"cohort:{cohort + 1}", {}, 0.98, 98, 100),
        _v("internship_underpaid_count", f"cohort:{cohort + 1}", {}, 3, 3, 90),
        _v("structure_fit_index", day, {}, 0.75),
        _v("industry_deviation", day, {"industry": "C"}, 0.5, 0.3, 0.2),
        _v("industry_deviation", day, {"industry": "F"}, -0.25, 0.15, 0.2),
        _v("approval_latency_p50", "week:2026-W46", {}, 1.5, None, 10),
        _v("approval_latency_p90", "week:2026-W46", {}, 6.0, None, 10),
        _v("approval_latency_p50", "week:2026-W47", {}, 1.2, None, 12),
        _v("approval_latency_p90", "week:2026-W47", {}, 4.0, None, 12),
        _v("approval_backlog", day, {}, 30, 30, None),
        _v("approval_backlog", day, {"process": "P1"}, 20, 20, None),
        _v("approval_backlog", day, {"process": "P2"}, 10, 10, None),
        _v("step_latency_p50", f"month:{as_of:%Y-%m}", {"process": "P1", "step": "校长审批"}, 2.5, None, 5),
        _v("step_latency_p50", f"month:{as_of:%Y-%m}", {"process": "P2", "step": "处长审批"}, 0.5, None, 5),
    ]
    alerts = [
        Alert("placement_rate", c, {"department": "D2"}, "critical", 0.70, 0.85),
        Alert("internship_insured_rate", f"cohort:{cohort + 1}", {}, "critical", 0.98, 1.0),
    ]
    return RefreshResult(
        as_of=as_of,
        values=values,
        alerts=alerts,
        school={"school_code": "1", "name_zh": "测试职业技术学院", "region_code": "320400"},
        labels=LABELS,
        series={
            "placement_progress": {
                "cohort": cohort,
                "previous_cohort": cohort - 1,
                "days": ["2026-11-15", as_of.isoformat()],
                "previous_days": ["2025-11-15", "2025-11-21"],
                "series": [
                    {"dims": {}, "current": [0.8, placement], "previous": [0.7, 0.75]},
                    {"dims": {"department": "D1"}, "current": [0.9, 0.95], "previous": [0.8, 0.85]},
                ],
            }
        },
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from cockpit.app import create_app
    from cockpit.config import load_settings
    from cockpit.store import Store

    d = tmp_path_factory.mktemp("service")
    url = f"sqlite:///{d / 'store.sqlite'}"
    source = f"sqlite:///{d / 'src.sqlite'}"
    settings = load_settings(env={"COCKPIT_STORE_URL": url, "COCKPIT_SOURCE_URL": source})
    store = Store(url)
    for as_of, placement, cohort in (
        (date(2025, 11, 22), 0.80, 2025),
        (date(2026, 11, 14), 0.86, 2026),
        (date(2026, 11, 21), 0.88, 2026),
    ):
        sid = store.begin(as_of)
        store.complete(sid, _result(as_of, placement, cohort))
    return create_app(settings, schedule=False)


@pytest.fixture
def service(app):
    from cockpit import service

    with app.server.app_context():
        yield service


def _tile(tiles, metric):
    return next(t for t in tiles if t["metric"] == metric)


def test_tiles_value_target_level_and_changes(service):
    tiles = service.wall_tiles(SCHOOL)
    pr = _tile(tiles, "placement_rate")
    assert pr["period"] == "cohort:2026"
    assert pr["value"] == pytest.approx(0.88)
    assert pr["target"] == 0.95
    assert pr["level"] == "warning"  # below 0.90, not below 0.85
    assert pr["change_week"] == pytest.approx(0.02)  # 0.88 - 0.86
    assert pr["change_season"] == pytest.approx(0.08)  # against the 2025 cohort last season
    assert pr["week_as_of"] == "2026-11-14" and pr["season_as_of"] == "2025-11-22"
    salary = _tile(tiles, "avg_monthly_salary")
    assert salary["value"] == 4827.0 and salary["change_week"] == 0


def test_missing_values_stay_missing(service):
    tiles = service.wall_tiles(SCHOOL)
    assert _tile(tiles, "major_related_rate")["value"] is None
    assert _tile(tiles, "major_related_rate")["change_week"] is None


def test_department_scope_reads_department_values(service):
    tiles = service.wall_tiles(Scope.department_only("D1"))
    assert _tile(tiles, "placement_rate")["value"] == pytest.approx(0.95)
    assert "structure_fit_index" not in {t["metric"] for t in tiles}  # school only: no tile


def test_ranking_academic_departments_best_first(service):
    rows = service.ranking("placement_rate", "department", SCHOOL)
    assert [r["code"] for r in rows] == ["D1", "D2"]
    assert rows[1]["level"] == "critical"
    majors = service.ranking("placement_rate", "major", Scope.department_only("D1"))
    assert [(r["code"], r["value"]) for r in majors] == [("M2", 1.0), ("M1", 0.90)]


def test_departments_and_rotation(service):
    assert [d["code"] for d in service.academic_departments(SCHOOL)] == ["D1", "D2"]
    assert service.department("A9", SCHOOL) is None
    assert service.rotation_paths(SCHOOL) == ["/", "/department/D1", "/department/D2"]


def test_progress_by_scope(service):
    school = service.placement_progress(SCHOOL)
    assert school["current"] == [0.8, 0.88] and school["previous_cohort"] == 2025
    assert service.placement_progress(Scope.department_only("D1"))["current"] == [0.9, 0.95]
    assert service.placement_progress(Scope.department_only("D2")) is None


def test_industry_fit_and_deviation(service):
    fit = service.industry_fit(SCHOOL)
    assert fit["index"] == 0.75
    assert [(s["code"], s["deviation"], s["supply"], s["demand"]) for s in fit["sections"]] == [
        ("F", -0.25, 0.15, 0.2),
        ("C", 0.5, 0.3, 0.2),
    ]
    assert fit["sections"][1]["name_zh"] == "制造业"
    assert service.industry_fit(Scope.department_only("D1")) is None


def test_internship_panel_marks_compliance_gaps(service):
    items = {i["metric"]: i for i in service.internship_panel(SCHOOL)}
    assert items["internship_insured_rate"]["gap"] is True
    assert items["internship_underpaid_count"]["value"] == 3 and items["internship_underpaid_count"]["gap"]
    assert items["internship_rate"]["value"] is None


def test_approvals(service):
    weeks = service.approval_weeks(SCHOOL)
    assert weeks["weeks"] == ["2026-W46", "2026-W47"]
    assert weeks["p50"] == [1.5, 1.2] and weeks["p90"] == [6.0, 4.0]
    assert weeks["sla"] == 5.0  # median of 2, 5, 7
    backlog = service.backlog_by_process(SCHOOL)
    assert [(r["process"], r["value"]) for r in backlog] == [("P1", 20), ("P2", 10)]
    steps = service.slowest_steps(SCHOOL, top=1)
    assert [(s["process"], s["step"], s["value"]) for s in steps] == [("P1", "校长审批", 2.5)]
    assert service.backlog_by_process(Scope.department_only("D1")) == []


def test_alerts_named_and_scoped(service):
    alerts = service.wall_alerts(SCHOOL)
    assert [a["metric"] for a in alerts] == ["internship_insured_rate", "placement_rate"]
    assert alerts[1]["where_zh"] == "商学院"
    assert [a["metric"] for a in service.wall_alerts(Scope.department_only("D2"))] == ["placement_rate"]
    assert service.wall_alerts(Scope.department_only("D1")) == []


def test_header_and_screen_settings(service):
    head = service.wall_header(SCHOOL)
    assert head["school"] == "测试职业技术学院" and head["as_of"] == "2026-11-21"
    assert service.screen_settings()["width"] == 1920


@pytest.mark.parametrize(
    ("metric", "value", "status"),
    [
        ("placement_rate", 0.96, "met"),  # target 0.95
        ("placement_rate", 0.95, "met"),  # exactly on target
        ("placement_rate", 0.927, "below"),  # under target, above the 0.90 warning: not green
        ("placement_rate", 0.88, "warning"),
        ("placement_rate", 0.80, "critical"),
        ("approval_overdue_rate", 0.04, "met"),  # lower is better, target 0.05
        ("approval_overdue_rate", 0.07, "below"),
        ("approval_backlog", 12, None),  # no target, no threshold: no status
        ("placement_rate", None, None),
    ],
)
def test_status_against_target_and_thresholds(service, metric, value, status):
    assert service.status_of(metric, value) == status


def test_tiles_carry_the_status(service):
    pr = _tile(service.wall_tiles(SCHOOL), "placement_rate")
    assert pr["status"] == "warning"


@pytest.mark.parametrize(
    ("delta", "unit", "text", "zero"),
    [
        (-0.00001, "ratio", "0.0个百分点", True),  # never "−0.0"
        (0.0004, "ratio", "0.0个百分点", True),
        (-0.0006, "ratio", "-0.1个百分点", False),
        (0.0, "count", "0", True),
        (-0.2, "count", "0", True),
        (3.0, "count", "+3", False),
    ],
)
def test_a_zero_change_is_neutral(delta, unit, text, zero):
    from cockpit.i18n import change_is_zero, fmt_change

    assert fmt_change(delta, unit) == text
    assert change_is_zero(delta, unit) is zero


def test_ticker_groups_alerts_and_holds_at_most_ticker_max(app):
    """Several departments under one indicator's threshold become one item naming the worst
    and the count; critical items first; never more than screen.ticker_max."""
    import dataclasses

    from cockpit import service

    ctx = app.server.extensions["cockpit"]
    alerts = [
        {
            "metric": "placement_rate",
            "period": "cohort:2026",
            "dims": {"department": d},
            "where_zh": n,
            "where_en": n,
            "level": "warning",
            "value": v,
            "threshold": 0.9,
            "unit": "ratio",
        }
        for d, n, v in (("D1", "甲学院", 0.88), ("D2", "乙学院", 0.86), ("D3", "丙学院", 0.89))
    ] + [
        {
            "metric": "internship_insured_rate",
            "period": "cohort:2027",
            "dims": {},
            "where_zh": "",
            "where_en": "",
            "level": "critical",
            "value": 0.97,
            "threshold": 1.0,
            "unit": "ratio",
        }
    ]
    with app.server.app_context():
        orig = service.wall_alerts
        service.wall_alerts = lambda scope: alerts
        try:
            items = service.ticker_items(SCHOOL)
            assert [i["metric"] for i in items] == ["internship_insured_rate", "placement_rate"]
            grouped = items[1]
            assert grouped["count"] == 3 and grouped["value"] == 0.86
            assert grouped["where_zh"] == "乙学院等3个学院"
            small = dataclasses.replace(
                ctx.settings, screen=dataclasses.replace(ctx.settings.screen, ticker_max=1)
            )
            ctx.settings, saved = small, ctx.settings
            try:
                assert len(service.ticker_items(SCHOOL)) == 1
            finally:
                ctx.settings = saved
        finally:
            service.wall_alerts = orig


def test_a_new_current_snapshot_empties_the_in_process_cache(tmp_path):
    """Entries read from a superseded snapshot are dropped when a request first sees the
    new one (SimpleCache in the web process), not kept until the cache's threshold."""
    from cockpit import service as svc
    from cockpit.app import create_app
    from cockpit.config import load_settings
    from cockpit.extensions import cache
    from cockpit.store import Store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    settings = load_settings(
        env={"COCKPIT_STORE_URL": url, "COCKPIT_SOURCE_URL": f"sqlite:///{tmp_path / 'src.sqlite'}"}
    )
    assert dict(settings.cache)["CACHE_TYPE"] == "SimpleCache"
    store = Store(url)
    first = store.begin(date(2026, 11, 14))
    store.complete(first, _result(date(2026, 11, 14), 0.86, 2026))
    server = create_app(settings, schedule=False).server
    with server.test_request_context("/"):
        assert svc.current_snapshot_id() == first
        before = svc.wall_tiles(SCHOOL)
        cache.set("read-from-the-first-snapshot", 1)
    with server.test_request_context("/"):
        assert svc.current_snapshot_id() == first
        assert cache.get("read-from-the-first-snapshot") == 1, "the same snapshot keeps its entries"
    second = store.begin(date(2026, 11, 21))
    store.complete(second, _result(date(2026, 11, 21), 0.88, 2026))
    with server.test_request_context("/"):
        assert svc.current_snapshot_id() == second
        assert cache.get("read-from-the-first-snapshot") is None
        after = svc.wall_tiles(SCHOOL)
    assert _tile(before, "placement_rate")["value"] == pytest.approx(0.86)
    assert _tile(after, "placement_rate")["value"] == pytest.approx(0.88)
