"""/approvals in Chromium: process list equals the snapshot, the drill to one
process (URL ?process=) shows its steps (in workflow order: tests/pages/test_journey.py)
and oldest pending instances."""

from __future__ import annotations

import pytest

from cockpit.i18n import desk_number

pytestmark = pytest.mark.browser


def test_process_list_and_drill(browser, demo_store):
    sid = demo_store.snapshot_id
    month = "month:2026-11"
    volumes = {
        v.dims["process"]: v.value
        for v in demo_store.store.values(sid, "approval_volume", [month], ["process"])
    }
    browser.visit("/approvals")
    browser.wait_for("#approvals-processes tr[data-process]")
    browser.wait_all_figures_drawn()
    for code, volume in volumes.items():
        row = browser.find(f"#approvals-processes tr[data-process='{code}']")
        assert row.find_elements("css selector", "td")[3].text == desk_number(volume, "count")
    assert browser.find_all("#approvals-pending tbody tr")
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.screenshot("desk-approvals")

    code = max(volumes, key=volumes.get)
    browser.click(f"#approvals-processes tr[data-process='{code}'] a")
    browser.wait_until(lambda d: f"process={code}" in browser.current_path, message="?process= in the URL")
    browser.wait_for("#approvals-steps tbody tr")
    browser.wait_all_figures_drawn()
    steps = {
        v.dims["step"]: v.value
        for v in demo_store.store.values(sid, "step_latency_p50", [month], ["step"])
        if v.dims["process"] == code
    }
    # the steps table: 顺序, 环节, 在办件数, 最久等待, 环节时长中位数, …; steps without an
    # action this month show "—"
    shown = {
        tr.get_attribute("data-step"): tr.find_elements("css selector", "td")[4].text
        for tr in browser.find_all("#approvals-steps tbody tr")
    }
    assert {s: v for s, v in shown.items() if v != "—"} == {
        s: desk_number(v, "workdays") for s, v in steps.items()
    }
    snap = demo_store.store.get(sid)
    ids = [
        p["instance_id"]
        for p in sorted(snap.pending, key=lambda p: -p["age_workdays"])
        if p["process"] == code
    ]
    shown_ids = [
        tr.find_element("css selector", "code").text for tr in browser.find_all("#approvals-pending tbody tr")
    ]
    assert shown_ids == ids[: len(shown_ids)] and shown_ids
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.wait_all_figures_drawn()
    browser.screenshot("desk-approvals-process")


def test_process_names_in_english(browser, demo_store):
    """?lang=en: every process reads in English (contract v1.1 approval_process.name_en,
    which the demo fills), in the process list and in the pending list."""
    snap = demo_store.store.get(demo_store.snapshot_id)
    names = {code: info["name_en"] for code, info in snap.labels["process"].items()}
    assert names["OA01"] == "Expense Reimbursement" and all(names.values())
    browser.visit("/approvals?lang=en")
    browser.wait_for("#approvals-processes tr[data-process]")
    browser.wait_all_figures_drawn()
    shown = {
        tr.get_attribute("data-process"): tr.find_elements("css selector", "td")[0].text
        for tr in browser.find_all("#approvals-processes tr[data-process]")
    }
    assert shown == names
    rows = browser.find_all("#approvals-pending tbody tr")
    shown_pending = {tr.find_elements("css selector", "td")[1].text for tr in rows}
    assert shown_pending and shown_pending <= set(names.values())
    assert browser.console_errors() == []
    browser.screenshot("desk-approvals-en")
