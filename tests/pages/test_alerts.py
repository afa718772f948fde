"""/alerts in Chromium: every alert of the snapshot, filters in the URL, CSV."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _stored_alerts(demo_store, level: str | None = None) -> int:
    alerts = demo_store.store.alerts(demo_store.snapshot_id)
    return sum(1 for a in alerts if level is None or a.level == level)


# Rows the grid holds (a list longer than the card scrolls, and AG Grid then draws only
# the rows in sight): its own count, not the DOM's.
GRID_ROWS = "return dash_ag_grid.getApi('alerts-grid').getDisplayedRowCount();"


def test_every_alert_and_the_level_filter(browser, demo_store):
    browser.visit("/alerts")
    browser.wait_for("#alerts-grid .ag-row")
    browser.wait_all_figures_drawn()
    total = _stored_alerts(demo_store)
    assert total > 40, "the demo has enough alerts for the grid to scroll"
    assert f"共 {total} 条" in browser.find(".desk-asof").text
    assert browser.js(GRID_ROWS) == total
    height = browser.js("return document.documentElement.scrollHeight;")
    assert height < 2 * browser.js("return window.innerHeight;"), "the page stays about a screen high"
    browser.visit("/alerts?level=critical")
    browser.wait_for("#alerts-grid .ag-row")
    browser.wait_all_figures_drawn()
    critical = _stored_alerts(demo_store, "critical")
    levels = {c.text for c in browser.find_all("#alerts-grid .ag-cell[col-id='level_rank']")}
    assert levels == {"严重"}
    assert browser.js(GRID_ROWS) == critical
    browser.screenshot("desk-alerts-critical")
    assert browser.console_errors() == []
