"""Wall behaviour: kiosk mode, rotation, the stale banner and the redraw when a new
snapshot lands (in place: no page reload)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from cockpit.store import snapshot
from tests.pages.wall_helpers import academic_departments

pytestmark = pytest.mark.browser


def test_kiosk_hides_the_navigation(browser):
    browser.visit("/")
    browser.wait_all_figures_drawn(timeout=30)
    assert browser.find(".topbar").is_displayed()
    assert "指标字典" in browser.find(".topbar").text
    browser.visit("/?kiosk=1")
    browser.wait_all_figures_drawn(timeout=30)
    assert not browser.find(".topbar").is_displayed()
    assert browser.console_errors() == []


RECORD_NAVIGATION_JS = """
window.__visited = window.__visited || [];
if (!window.__recording) {
  window.__recording = true;
  var push = history.pushState;
  history.pushState = function (state, title, url) {
    window.__visited.push(String(url));
    return push.apply(this, arguments);
  };
}
"""


def test_rotation_advances_through_the_departments(browser, demo_store):
    """Every screen change is recorded in the page (no sampling that a busy machine could
    outrun), and the first two follow the rotation order."""
    first, second = academic_departments(demo_store)[:2]
    browser.visit("/?kiosk=1&rotate=4")
    browser.js(RECORD_NAVIGATION_JS)

    def visited() -> list[str]:
        return browser.js("return window.__visited || [];")

    browser.wait_until(lambda d: len(visited()) >= 2, 40, "two rotations")
    steps = visited()[:2]
    assert steps[0].startswith(f"/department/{first}") and "kiosk=1" in steps[0], steps
    assert steps[1].startswith(f"/department/{second}"), steps
    browser.wait_all_figures_drawn(timeout=30)
    assert browser.console_errors() == []


def test_stale_banner_when_the_last_refresh_failed(browser, demo_store):
    browser.visit("/")
    browser.wait_all_figures_drawn(timeout=30)
    assert not browser.find("#stale-banner").is_displayed()
    store = demo_store.store
    sid = store.begin(demo_store.today, "schedule")
    store.fail(sid, "OperationalError: the data platform is unreachable")
    try:
        browser.visit("/")
        banner = browser.wait_for("#stale-banner.show", timeout=20)
        assert "最近一次刷新失败" in banner.text
        browser.wait_all_figures_drawn(timeout=30)
        browser.screenshot("school-stale-banner")
        assert browser.console_errors() == []
    finally:
        with store.engine.begin() as conn:
            conn.execute(delete(snapshot).where(snapshot.c.id == sid))
