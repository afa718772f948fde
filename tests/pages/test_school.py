"""校情综合大屏 in Chromium: draws without console errors, shows the snapshot's
figures, and a click on a department's bar opens that department's screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder

from tests.pages.wall_helpers import TILE_PERIODS, academic_departments, expected_tile_text, tile_text

pytestmark = pytest.mark.browser


def test_school_screen_shows_the_snapshot(browser, demo_store):
    browser.visit("/")
    figures = browser.wait_all_figures_drawn(timeout=30)
    assert figures == 8
    for metric in TILE_PERIODS:
        assert tile_text(browser, metric) == expected_tile_text(demo_store, metric, {}), metric
    school = demo_store.store.get(demo_store.snapshot_id).school["name_zh"]
    assert browser.find(".wall-school").text == school
    assert "数据截至 2026年11月21日" in browser.find(".wall-asof").text
    browser.wait_until(lambda d: browser.find(".wall-clock").text)  # the live clock shows
    assert browser.find_all(".ticker-item")
    assert browser.console_errors() == []
    browser.screenshot("school-1920x1080")
    browser.set_window(1366, 768)
    browser.wait_until(lambda d: browser.js("return window.innerWidth") == 1366)
    browser.screenshot("school-1366x768")


def test_english_labels(browser):
    browser.visit("/?lang=en&kiosk=1")
    browser.wait_all_figures_drawn(timeout=30)
    assert browser.find(".wall-title").text == "School overview"
    assert "Graduate placement rate" in browser.find(".wall-tiles").text
    assert not browser.find(".topbar").is_displayed()
    # the ticker in English: "(threshold …)", never the Chinese full-width brackets
    ticker = browser.js("return document.querySelector('.ticker-track').textContent;")
    assert "(threshold " in ticker and "（" not in ticker and "）" not in ticker
    assert browser.console_errors() == []
    browser.screenshot("school-en-kiosk")


def test_click_a_department_bar_opens_its_screen(browser, demo_store):
    browser.visit("/?kiosk=1")
    browser.wait_all_figures_drawn(timeout=30)
    bars = browser.find_all(".panel-ranking .bars .point path")
    assert len(bars) == len(academic_departments(demo_store))
    # The best department is drawn last (on top). A bar's box starts at 0, left of
    # the visible axis range, so click near its right end, inside the plot.
    x, y, w, h = browser.js(
        "var ps = document.querySelectorAll('.panel-ranking .bars .point path');"
        "var b = ps[ps.length - 1].getBoundingClientRect(); return [b.x, b.y, b.width, b.height];"
    )
    actions = ActionBuilder(browser.driver)
    actions.pointer_action.move_to_location(int(x + w - 8), int(y + h / 2))
    actions.pointer_action.click()
    actions.perform()
    browser.wait_until(lambda d: browser.current_path.startswith("/department/"), 10, "the department screen")
    code = browser.current_path.split("/department/", 1)[1].split("?", 1)[0]
    assert code in academic_departments(demo_store)
    assert browser.current_path.endswith("?kiosk=1")  # the query string stays
    browser.wait_all_figures_drawn(timeout=30)
    assert browser.console_errors() == []
