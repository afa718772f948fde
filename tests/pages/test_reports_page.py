"""/reports (周报归档) and the screens' export buttons in Chromium.

The archive is a tmp folder put into the running app's settings
(``reports.archive``) for the test, filled with files named the way the
report engine names them (docs/reports.md)."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.pages.wall_helpers import academic_departments

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% weekly report fixture\n" + b"0" * 2048 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 4096


@pytest.fixture
def use_reports(cockpit_app):
    """Change the live app's reports: settings (archive, export_dir) for one test."""
    ctx = cockpit_app.server.extensions["cockpit"]
    original = ctx.settings

    def use(**changes: Path) -> None:
        ctx.settings = dataclasses.replace(
            ctx.settings, reports=dataclasses.replace(ctx.settings.reports, **changes)
        )

    try:
        yield use
    finally:
        ctx.settings = original


@pytest.fixture
def use_archive(use_reports):
    """Point the live app's reports.archive at a folder for one test."""

    def use(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        use_reports(archive=folder)
        return folder

    return use


def _write(path: Path, data: bytes, when: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when.timestamp(), when.timestamp()))


@pytest.fixture
def archive(tmp_path, use_archive, demo_store) -> dict:
    """Two weeks: W46 (school + two departments, every format) and W47 (school PDF only)."""
    root = use_archive(tmp_path / "archive")
    depts = academic_departments(demo_store)[:2]
    w46 = datetime(2026, 11, 16, 7, 31, tzinfo=UTC)  # Monday 15:31 in Shanghai
    for stem in ["school", *(f"dept-{d}" for d in depts)]:
        _write(root / "2026-W46" / f"{stem}_2026-W46.pdf", PDF, w46)
        _write(root / "2026-W46" / f"{stem}_2026-W46_screen.png", PNG, w46)
        _write(root / "2026-W46" / f"{stem}_2026-W46_card.png", PNG[:1500], w46)
    _write(root / "2026-W47" / "school_2026-W47.pdf", PDF, datetime(2026, 11, 23, 0, 5, tzinfo=UTC))
    return {"root": root, "departments": depts}


def test_reports_lists_the_archive_newest_first(browser, archive, demo_store):
    browser.visit("/reports")
    browser.wait_for("#reports-archive .report-week")
    browser.wait_all_figures_drawn()
    weeks = [s.get_attribute("data-week") for s in browser.find_all(".report-week")]
    assert weeks == ["2026-W47", "2026-W46"]
    assert "2026年第47周" in browser.find(".report-week[data-week='2026-W47'] h2").text
    w46 = browser.find(".report-week[data-week='2026-W46']")
    rows = w46.find_elements("css selector", "tr.report-row")
    assert [r.get_attribute("data-kind") for r in rows] == ["school", "department", "department"]
    assert [r.get_attribute("data-department") for r in rows[1:]] == sorted(archive["departments"])
    assert rows[0].find_element("css selector", ".report-name").text == "全校周报"
    labels = demo_store.store.get(demo_store.snapshot_id).labels["department"]
    code = sorted(archive["departments"])[0]
    assert labels[code]["name_zh"] in rows[1].text
    links = rows[0].find_elements("css selector", "a.report-file")
    assert [a.get_attribute("data-format") for a in links] == ["pdf", "png", "card"]
    assert links[0].get_attribute("href").endswith("/reports/files/2026-W46/school_2026-W46.pdf")
    assert "PDF报告" in links[0].text and f"{len(PDF) / 1024:.1f} KB" in links[0].text
    assert "2026-11-16 15:31" in rows[0].text  # the file's time, in the school's time zone
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.screenshot("reports-archive")


def test_report_link_downloads_the_file(browser, archive, tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        browser.visit("/reports")
        browser.click(".report-week[data-week='2026-W46'] tr.report-school a[data-format='pdf']")
        target = downloads / "school_2026-W46.pdf"
        browser.wait_until(
            lambda d: target.is_file() and target.read_bytes() == PDF, 15, f"{target} downloaded"
        )
        assert browser.current_path == "/reports"  # a download, not a navigation
        assert browser.console_errors() == []
    finally:
        browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "default"})


def test_empty_archive_names_the_command(browser, tmp_path, use_archive):
    use_archive(tmp_path / "empty")
    browser.visit("/reports")
    note = browser.wait_for("#reports-empty")
    assert "python -m cockpit report" in note.text and "还没有周报" in note.text
    assert not browser.find_all(".report-week")
    assert browser.console_errors() == []


def test_reports_in_english(browser, archive):
    browser.visit("/reports?lang=en")
    browser.wait_for(".report-week")
    assert browser.find("h1").text == "Weekly report archive"
    assert "Week 47, 2026" in browser.find(".report-week[data-week='2026-W47'] h2").text
    assert "School report" in browser.find("#reports-archive").text
    assert "周报" in browser.find(".topbar").text or "Weekly reports" in browser.find(".topbar").text
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.screenshot("reports-archive-en")


# -- export buttons --------------------------------------------------------------------


def _export_hrefs(browser) -> dict[str, str]:
    links = browser.find_all("#export-buttons a.export-button")
    return {a.get_attribute("data-format"): a.get_attribute("href") for a in links}


def test_school_screen_has_export_buttons(browser, live_server):
    browser.visit("/")
    browser.wait_all_figures_drawn(timeout=30)
    assert _export_hrefs(browser) == {
        "png": live_server.url + "/export/view.png",
        "pdf": live_server.url + "/export/view.pdf",
    }
    assert browser.find("#export-buttons").text.split() == ["导出图片", "导出PDF"]
    assert browser.console_errors() == []
    browser.screenshot("school-export-buttons")


def test_kiosk_view_has_no_export_buttons(browser):
    browser.visit("/?kiosk=1")
    browser.wait_all_figures_drawn(timeout=30)
    assert browser.find_all(".wall-clock")
    assert not browser.find_all("#export-buttons")
    assert not browser.find_all(".export-button")


def test_department_screen_exports_itself(browser, live_server, demo_store):
    code = academic_departments(demo_store)[0]
    browser.visit(f"/department/{code}")
    browser.wait_all_figures_drawn(timeout=30)
    assert _export_hrefs(browser)["png"] == f"{live_server.url}/export/view.png?department={code}"
    assert browser.console_errors() == []


@pytest.mark.parametrize("path", ["/indicator/placement_rate", "/approvals"])
def test_desk_pages_export_the_school_screen(browser, live_server, path):
    browser.visit(path)
    browser.wait_for("#export-buttons")
    browser.wait_all_figures_drawn(timeout=30)
    assert _export_hrefs(browser)["pdf"] == live_server.url + "/export/view.pdf"
    assert "导出校情大屏PDF" in browser.find("#export-buttons").text
    assert browser.console_errors() == []
    browser.visit(path + "?kiosk=1")
    browser.wait_all_figures_drawn(timeout=30)
    assert not browser.find_all("#export-buttons")


def test_export_refuses_bad_requests(live_server):
    status, body = live_server.get("/export/view.png?department=NO-SUCH")
    assert status == 404 and body.decode().count("\n") == 1
    assert "NO-SUCH" in body.decode()
    status, _ = live_server.get("/export/view.gif")
    assert status == 404
