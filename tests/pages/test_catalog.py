"""/catalog in Chromium: one card per indicator with the configured thresholds."""

from __future__ import annotations

import pytest

from metrics.catalog import load_catalog

pytestmark = pytest.mark.browser


def test_every_indicator_with_thresholds(browser, demo_store):
    browser.visit("/catalog")
    browser.wait_for("#catalog-list .catalog-card")
    browser.wait_all_figures_drawn()
    cards = browser.find_all(".catalog-card")
    assert [c.get_attribute("data-metric") for c in cards] == list(load_catalog().metrics)
    placement = browser.find(".catalog-card[data-metric='placement_rate']").text
    for text in ("毕业去向落实率", "已落实人数 ÷ 花名册人数", "95.0%", "90.0%", "85.0%", "招生就业处"):
        assert text in placement
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.screenshot("desk-catalog")
    browser.visit("/catalog?lang=en")
    browser.wait_for(".catalog-card", text="Graduate placement rate")
    assert browser.console_errors() == []
    # English is a complete switch: formulas and owners too, no Chinese left on any card
    placement = browser.find(".catalog-card[data-metric='placement_rate']").text
    for text in ("graduates placed ÷ graduates on the roster", "Admissions and Career Services Office"):
        assert text in placement
    chinese = [c.get_attribute("data-metric") for c in browser.find_all(".catalog-card") if _has_cjk(c.text)]
    assert chinese == []


def _has_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)
