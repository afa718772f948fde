"""The leader's journey in Chromium: a department's tile opens the indicator in that
department, its majors, one major's view; /departments; a past snapshot. Every figure
checked against the store."""

from __future__ import annotations

import pytest

from cockpit.i18n import desk_number


def academic_departments(demo_store) -> list[dict]:
    labels = demo_store.store.get(demo_store.snapshot_id).labels["department"]
    return [{"code": c, **lab} for c, lab in labels.items() if lab.get("kind") == "academic"]


pytestmark = pytest.mark.browser


def _value(demo_store, dims: dict, period: str = "cohort:2026", snapshot_id: int | None = None) -> float:
    sid = snapshot_id or demo_store.snapshot_id
    rows = [
        v for v in demo_store.store.values(sid, metric="placement_rate", periods=[period]) if v.dims == dims
    ]
    assert len(rows) == 1, (dims, rows)
    return rows[0].value


def _grid(browser) -> dict[str, str]:
    out = {}
    for row in browser.find_all(".ag-center-cols-container .ag-row"):
        key = row.find_element("css selector", ".ag-cell[col-id='key']").text
        out[key] = row.find_element("css selector", ".ag-cell[col-id='value']").text
    return out


def test_department_tile_to_indicator_to_major(browser, demo_store):
    dept = academic_departments(demo_store)[2]
    code = dept["code"]
    browser.visit(f"/department/{code}")
    browser.wait_all_figures_drawn()
    browser.click("a.wall-tile[id*='placement_rate']")
    browser.wait_until(
        lambda d: f"department={code}" in browser.current_path, message="department in the URL"
    )
    browser.wait_for("#indicator-total")
    browser.wait_all_figures_drawn()
    assert browser.current_path.startswith("/indicator/placement_rate")
    assert browser.find("#indicator-total").text == desk_number(
        _value(demo_store, {"department": code}), "ratio"
    )
    crumbs = browser.find("#desk-crumbs").text
    assert "全校" in crumbs and dept["name_zh"] in crumbs
    # Its majors: only this department's, each equal to the store.
    browser.click("#indicator-grain input[value='major']")
    browser.wait_until(lambda d: "grain=major" in browser.current_path, message="grain=major")
    browser.wait_for(".ag-cell[col-id='parent']")
    browser.wait_all_figures_drawn()
    snap = demo_store.store.get(demo_store.snapshot_id)
    majors = {m for m, lab in snap.labels["major"].items() if lab["department"] == code}
    grid = _grid(browser)
    assert set(grid) <= majors and grid
    for m, text in grid.items():
        assert text == desk_number(_value(demo_store, {"major": m}), "ratio")
    # One major's view: its value and its cohorts.
    first = sorted(grid)[0]
    browser.click(f".ag-row .ag-cell[col-id='link'] a[href*='major={first}']")
    browser.wait_until(lambda d: f"major={first}" in browser.current_path, message="major in the URL")
    browser.wait_for("#indicator-major-cohorts")
    assert browser.find("#indicator-total").text == desk_number(_value(demo_store, {"major": first}), "ratio")
    assert snap.labels["major"][first]["name_zh"] in browser.find("#desk-crumbs").text
    browser.screenshot("journey-major-view")
    assert browser.console_errors() == []


def test_departments_page_lists_every_department_with_its_figures(browser, demo_store):
    browser.visit("/departments")
    browser.wait_for("#departments-grid .ag-row")
    depts = academic_departments(demo_store)
    rows = browser.find_all("#departments-grid .ag-center-cols-container .ag-row")
    assert len(rows) == len(depts)
    codes = {c.text for c in browser.find_all("#departments-grid .ag-cell[col-id='code']")}
    assert codes == {d["code"] for d in depts}
    values = [c.text for c in browser.find_all("#departments-grid .ag-cell[col-id='placement_rate__text']")]
    expected = sorted(desk_number(_value(demo_store, {"department": d["code"]}), "ratio") for d in depts)
    assert sorted(values) == expected
    browser.screenshot("journey-departments")
    assert browser.console_errors() == []


def test_past_snapshot_is_labelled_and_shows_its_figures(browser, demo_store):
    past = demo_store.as_of_dates[-2]  # the last week end before today
    snap = demo_store.store.for_as_of(past)
    browser.visit(f"/indicator/placement_rate?as_of={past.isoformat()}")
    browser.wait_for("#desk-history")
    browser.wait_all_figures_drawn()
    assert browser.find("#indicator-total").text == desk_number(
        _value(demo_store, {}, snapshot_id=snap.id), "ratio"
    )
    assert f"{past.month}月{past.day}日" in browser.find("#desk-history").text
    assert browser.console_errors() == []


def test_filter_changes_write_the_url(cockpit_app, demo_store):
    """The department filter drops the major (it belonged to the old department); the
    newest snapshot date means "today" and leaves the URL; an older one stays."""
    from pages import indicator

    latest = max(demo_store.as_of_dates).isoformat()
    past = demo_store.as_of_dates[-2].isoformat()
    with cockpit_app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert cockpit_app.server.preprocess_request() is None
        old = "?grain=major&department=JX01&major=0101"
        assert indicator.select("cohort:2026", "major", "JX02", latest, old) == (
            "?grain=major&department=JX02&period=cohort:2026"
        )
        assert indicator.select("cohort:2026", "major", "JX01", past, old) == (
            f"?grain=major&department=JX01&major=0101&period=cohort:2026&as_of={past}"
        )
        assert indicator.select("cohort:2026", "major", "", latest, old) == "?grain=major&period=cohort:2026"


def test_a_cohort_not_yet_due_is_said_so(browser, demo_store):
    browser.visit("/indicator/placement_rate?period=cohort:2027")
    browser.wait_for(".notice.not-due")
    assert "未到统计期" in browser.find(".notice.not-due").text
    assert browser.find("#indicator-total").text == "—"  # no 0.0 %
    assert browser.console_errors() == []
