"""部门业务大屏 in Chromium: each academic department's figures, scoped to it, and a
clear message for an unknown department."""

from __future__ import annotations

import pytest

from tests.pages.wall_helpers import academic_departments, expected_tile_text, tile_text

pytestmark = pytest.mark.browser


def test_department_screens_show_their_figures(browser, demo_store):
    codes = academic_departments(demo_store)
    assert codes
    labels = demo_store.store.get(demo_store.snapshot_id).labels
    for i, code in enumerate(codes[:3]):
        browser.visit(f"/department/{code}")
        assert browser.wait_all_figures_drawn(timeout=30) == 6
        assert labels["department"][code]["name_zh"] in browser.find(".wall-title").text
        for metric in ("placement_rate", "internship_insured_rate", "approval_backlog"):
            expected = expected_tile_text(demo_store, metric, {"department": code})
            assert tile_text(browser, metric) == expected, (code, metric)
        majors = [m["name_zh"] for m in labels["major"].values() if m["department"] == code]
        ranking = browser.find(".panel-majors").text
        assert any(name in ranking for name in majors)
        assert browser.console_errors() == []
        if i == 0:
            browser.screenshot("department-1920x1080")
            browser.set_window(1366, 768)
            browser.wait_until(lambda d: browser.js("return window.innerWidth") == 1366)
            browser.screenshot("department-1366x768")
            browser.set_window(1920, 1080)


def test_unknown_department_is_a_message(browser):
    browser.visit("/department/NOPE")
    browser.wait_for(".wall-message", text="NOPE")
    assert "没有找到学院" in browser.find(".wall-message").text
    assert browser.console_errors() == []
