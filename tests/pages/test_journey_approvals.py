"""The leader's journey in Chromium (issue 9): process → its steps in workflow order →
the instances pending at one step (AG Grid, OA links, CSV), and the internship host
list; every figure shown equals the snapshot's. Explicit waits only."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import pytest

from cockpit.i18n import desk_number

pytestmark = pytest.mark.browser

STEP_GRID = "#approvals-pending-grid .ag-center-cols-container .ag-row"
HOST_GRID = "#internship-hosts-grid .ag-center-cols-container .ag-row"


def _snapshot(demo_store):
    return demo_store.store.get(demo_store.snapshot_id)


def _busiest_step(snap) -> tuple[str, str]:
    """The (process, step) with the most instances past the SLA, then the most pending."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for g in snap.series["approval_steps"]["pending"]:
        if g["step"] is not None:
            counts[(g["process"], g["step"])] += g["count"]
    over: dict[tuple[str, str], int] = defaultdict(int)
    for p in snap.pending:
        over[(p["process"], p["step"])] += bool(p["over_sla"])
    return max(counts, key=lambda k: (over[k], counts[k], k))


def _cells(browser, grid: str, key: str, cols: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """key column text -> the texts of ``cols``, row by row (DOM order is not visual order)."""
    out = {}
    for row in browser.find_all(grid):
        k = row.find_element("css selector", f".ag-cell[col-id='{key}']").text
        out[k] = tuple(row.find_element("css selector", f".ag-cell[col-id='{c}']").text for c in cols)
    return out


def test_process_steps_in_workflow_order_then_pending_at_a_step(browser, demo_store):
    snap = _snapshot(demo_store)
    process, step = _busiest_step(snap)
    order = snap.series["approval_steps"]["order"][process]
    browser.visit("/approvals")
    browser.wait_for("#approvals-processes tr[data-process]")
    browser.wait_all_figures_drawn()
    browser.click(f"#approvals-processes tr[data-process='{process}'] a")
    browser.wait_until(lambda d: f"process={process}" in browser.current_path, message="?process= in the URL")
    browser.wait_for("#approvals-steps tbody tr")
    browser.wait_all_figures_drawn()
    shown = [tr.get_attribute("data-step") for tr in browser.find_all("#approvals-steps tbody tr")]
    assert shown[: len(order)] == order  # the workflow order of the contract's step_no
    pending: dict[str, int] = defaultdict(int)
    for g in snap.series["approval_steps"]["pending"]:
        if g["process"] == process and g["step"] is not None:
            pending[g["step"]] += g["count"]
    for tr in browser.find_all("#approvals-steps tbody tr"):
        cells = tr.find_elements("css selector", "td")
        assert cells[2].text == desk_number(pending.get(tr.get_attribute("data-step"), 0), "count")
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.wait_all_figures_drawn()
    browser.screenshot("journey-approvals-process-steps")

    browser.click(f"#approvals-steps tr[data-step='{step}'] a")
    browser.wait_until(lambda d: "step=" in browser.current_path, message="?step= in the URL")
    browser.wait_for(STEP_GRID)
    browser.wait_all_figures_drawn()
    expected = {p["instance_id"]: p for p in snap.pending if p["process"] == process and p["step"] == step}
    got = _cells(browser, STEP_GRID, "instance", ("department", "age_workdays", "sla_workdays", "over_text"))
    assert set(got) == set(expected) and got
    for iid, (dept, age, sla, over) in got.items():
        p = expected[iid]
        assert dept == p["department"]
        assert age == desk_number(p["age_workdays"], "workdays")
        assert sla == desk_number(p["sla_workdays"], "workdays")
        assert (over == "超时") is p["over_sla"]
    overdue = [r for r in browser.find_all(STEP_GRID) if "over-sla" in (r.get_attribute("class") or "")]
    assert len(overdue) == sum(p["over_sla"] for p in expected.values())
    # oldest first: the first visual row is the oldest instance
    first = browser.find(f"{STEP_GRID}[row-index='0'] .ag-cell[col-id='instance']").text
    assert first == max(expected.values(), key=lambda p: (p["age_workdays"], p["instance_id"]))["instance_id"]
    assert str(len(expected)) in browser.find("#approvals-step-count").text
    assert not browser.find_all(f"{STEP_GRID} .ag-cell[col-id='instance'] a")  # item_url unset: no link
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.wait_all_figures_drawn()
    browser.screenshot("journey-approvals-step-pending")


def test_department_filter_narrows_the_pending_at_a_step(browser, demo_store):
    snap = _snapshot(demo_store)
    process, step = _busiest_step(snap)
    at_step = [p for p in snap.pending if p["process"] == process and p["step"] == step]
    department = sorted({p["department"] for p in at_step})[0]
    browser.visit(f"/approvals?process={process}&step={quote(step)}&department={department}")
    browser.wait_for(STEP_GRID)
    browser.wait_all_figures_drawn()
    got = _cells(browser, STEP_GRID, "instance", ("department",))
    assert set(got) == {p["instance_id"] for p in at_step if p["department"] == department}
    assert {v[0] for v in got.values()} == {department}
    assert browser.console_errors() == []


def test_pending_csv_download(browser, demo_store, tmp_path: Path):
    snap = _snapshot(demo_store)
    process, step = _busiest_step(snap)
    browser.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.visit(f"/approvals?process={process}&step={quote(step)}")
    browser.wait_for(STEP_GRID)
    browser.wait_all_figures_drawn()
    browser.click("#approvals-csv-button")
    browser.wait_until(
        lambda d: list(tmp_path.glob("pending_*.csv")) and not list(tmp_path.glob("*.crdownload")),
        timeout=15,
        message="the CSV downloaded",
    )
    raw = next(tmp_path.glob("pending_*.csv")).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "审批单号"
    expected = {
        p["instance_id"]: p["age_workdays"]
        for p in snap.pending
        if (p["process"], p["step"]) == (process, step)
    }
    assert {r[0]: float(r[6]) for r in rows[1:]} == pytest.approx(expected)


def _hosts_expected(snap) -> dict[str, tuple[int, int, int, int | None]]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in snap.series["internship_hosts"]["rows"]:
        s = sums[r["enterprise"]]
        s[0] += r["internships"]
        s[1] += r["uninsured"]
        s[2] += r["underpaid"]
        s[3] += r["low_score"] or 0
    return {k: tuple(v) for k, v in sums.items() if v[1] or v[2] or v[3]}


def test_internship_host_list_equals_the_snapshot(browser, demo_store, tmp_path: Path):
    snap = _snapshot(demo_store)
    expected = _hosts_expected(snap)
    assert expected, "the demo snapshot lists no host to act on"
    browser.visit("/internships")
    browser.wait_for(HOST_GRID)
    browser.wait_all_figures_drawn()
    got = _cells(browser, HOST_GRID, "enterprise", ("internships", "uninsured", "underpaid", "low_score"))
    assert got == {k: tuple(desk_number(x, "count") for x in v) for k, v in expected.items()}
    names = snap.series["internship_hosts"]["enterprises"]
    row = browser.find(f"{HOST_GRID}[row-index='0']")
    code = row.find_element("css selector", ".ag-cell[col-id='enterprise']").text
    assert row.find_element("css selector", ".ag-cell[col-id='name']").text == names[code]["name_zh"]
    assert "2027届" in browser.find("#internship-hosts h2").text
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.wait_all_figures_drawn()
    browser.screenshot("journey-internship-hosts")

    # sortable by counts: click the 未投保 header, then the first row has the most
    browser.click("#internship-hosts-grid .ag-header-cell[col-id='uninsured'] .ag-header-cell-label")
    browser.click("#internship-hosts-grid .ag-header-cell[col-id='uninsured'] .ag-header-cell-label")
    most = max(v[1] for v in expected.values())
    browser.wait_until(
        lambda d: browser.find(f"{HOST_GRID}[row-index='0'] .ag-cell[col-id='uninsured']").text == str(most),
        message="sorted by uninsured, most first",
    )
    # names never sort
    assert not browser.find_all(
        "#internship-hosts-grid .ag-header-cell[col-id='name'].ag-header-cell-sortable"
    )

    browser.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.click("#internship-hosts-csv-button")
    name = "internship_hosts_cohort-2027.csv"
    browser.wait_until(
        lambda d: (tmp_path / name).exists() and not list(tmp_path.glob("*.crdownload")),
        timeout=15,
        message=f"{name} downloaded",
    )
    rows = list(csv.reader(io.StringIO((tmp_path / name).read_bytes().decode("utf-8-sig"))))
    assert {r[1]: (int(r[3]), int(r[4]), int(r[5]), int(r[8] or 0)) for r in rows[1:]} == expected


def test_internship_hosts_of_one_department(browser, demo_store):
    snap = _snapshot(demo_store)
    rows = snap.series["internship_hosts"]["rows"]
    department = max({r["department"] for r in rows}, key=lambda d: sum(r["department"] == d for r in rows))
    mine = [
        r
        for r in rows
        if r["department"] == department and (r["uninsured"] or r["underpaid"] or r["low_score"])
    ]
    browser.visit(f"/internships?department={department}")
    browser.wait_for(HOST_GRID)
    browser.wait_all_figures_drawn()
    got = _cells(browser, HOST_GRID, "enterprise", ("internships", "uninsured"))
    assert got == {r["enterprise"]: (str(r["internships"]), str(r["uninsured"])) for r in mine}
    assert snap.labels["department"][department]["name_zh"] in browser.find("#desk-crumbs").text
    assert browser.console_errors() == []
