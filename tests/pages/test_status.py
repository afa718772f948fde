"""/status in Chromium: snapshots, data quality, source counts, and a visible
note naming the error when the last refresh failed."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from cockpit.store import snapshot

pytestmark = pytest.mark.browser


def test_status_lists_snapshots_and_quality(browser, demo_store):
    browser.visit("/status")
    browser.wait_for("#status-snapshots tbody tr")
    browser.wait_all_figures_drawn()
    rows = browser.find_all("#status-snapshots tbody tr")
    assert len(rows) == min(20, len(demo_store.store.list(limit=100)))
    quality = [q for q in demo_store.store.quality(demo_store.snapshot_id) if q.rows]
    text = browser.find("#status-quality").text
    for q in quality:
        assert q.rule in text
        for key in q.examples:
            assert key in text
    assert "student" in browser.find("#status-sources").text
    assert not browser.find_all("#status-failed")
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.screenshot("desk-status")


def test_failed_refresh_is_shown(browser, demo_store):
    store = demo_store.store
    sid = store.begin(demo_store.today, "schedule")
    store.fail(sid, "OperationalError: the data platform is unreachable")
    try:
        browser.visit("/status")
        note = browser.wait_for("#status-failed", text="unreachable")
        assert "最近一次刷新失败" in note.text
        assert browser.find("#status-snapshots tbody tr[data-status='failed']")
        assert browser.console_errors() == []
        browser.set_window(1366, 768)
        browser.screenshot("desk-status-failed")
    finally:
        with store.engine.begin() as conn:
            conn.execute(delete(snapshot).where(snapshot.c.id == sid))
