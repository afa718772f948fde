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
    """Change the live app's reports: settings (archive) for one test."""
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


def test_empty_archive_says_when_reports_come(browser, tmp_path, use_archive):
    use_archive(tmp_path / "empty")
    browser.visit("/reports")
    note = browser.wait_for("#reports-empty")
    assert "还没有周报" in note.text and "每周一" in note.text
    assert "python -m" not in note.text  # a leader is never told to run a command
    assert not browser.find_all(".report-week")
    assert browser.console_errors() == []


def test_admin_makes_a_week_and_sees_its_progress(browser, tmp_path, use_archive):
    """The admin's panel: the week under way is offered (labelled), a start shows
    progress and, for a week without its snapshot, the one-line reason."""
    use_archive(tmp_path / "runs")
    browser.visit("/reports")
    panel = browser.wait_for("#reports-generate")
    assert "生成周报" in panel.text and "年第" in browser.find("#reports-week").text
    browser.click("#reports-start")
    failed = browser.wait_for("#reports-progress .is-error", timeout=120)
    assert failed.text.startswith("生成失败: no snapshot for week")
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
    links = browser.find_all("#export-buttons a.export-button[data-format]")
    return {a.get_attribute("data-format"): a.get_attribute("href") for a in links}


def _export_url(live_server, fmt: str, view: str) -> str:
    from urllib.parse import urlencode

    return f"{live_server.url}/export/view.{fmt}?" + urlencode({"path": view})


def test_school_screen_has_export_buttons(browser, live_server):
    browser.visit("/")
    browser.wait_all_figures_drawn(timeout=30)
    assert _export_hrefs(browser) == {
        "png": _export_url(live_server, "png", "/"),
        "pdf": _export_url(live_server, "pdf", "/"),
    }
    assert browser.find("#export-buttons").text.split() == ["导出图片", "导出PDF", "周报"]
    weekly = browser.find("#export-buttons a.export-weekly")
    assert weekly.get_attribute("href") == live_server.url + "/reports"
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
    browser.visit(f"/department/{code}?lang=en")
    browser.wait_all_figures_drawn(timeout=30)
    assert _export_hrefs(browser)["png"] == _export_url(live_server, "png", f"/department/{code}?lang=en")
    assert browser.console_errors() == []


@pytest.mark.parametrize(
    "path", ["/indicator/placement_rate", "/approvals", "/departments", "/internships", "/alerts"]
)
def test_desk_pages_export_themselves(browser, live_server, path):
    browser.visit(path + "?lang=en")
    browser.wait_for("#export-buttons")
    browser.wait_all_figures_drawn(timeout=30)
    assert _export_hrefs(browser)["pdf"] == _export_url(live_server, "pdf", path + "?lang=en")
    assert browser.find("#export-buttons").text.split("\n")[:2] == ["Export PNG", "Export PDF"]
    assert browser.console_errors() == []
    browser.visit(path + "?kiosk=1")
    browser.wait_all_figures_drawn(timeout=30)
    assert not browser.find_all("#export-buttons")


def test_export_button_downloads_this_view_under_its_name(browser, tmp_path):
    """A click fetches the export of the page as it is now and saves it under the
    server's name (the page's own title, in the view's language)."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        browser.visit("/alerts?lang=en")
        browser.wait_for("#export-buttons")
        browser.wait_all_figures_drawn(timeout=30)
        browser.click("#export-buttons a[data-format='pdf']")
        target = downloads / "Alerts_2026-11-21.pdf"
        browser.wait_until(
            lambda d: target.is_file() and target.read_bytes().startswith(b"%PDF"), 120, f"{target}"
        )
        browser.wait_until(
            lambda d: browser.find("#export-buttons a[data-format='pdf']").text == "Export PDF", 10, "reset"
        )
        assert browser.current_path == "/alerts?lang=en"  # a download, not a navigation
    finally:
        browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "default"})


def test_export_failure_is_shown_beside_the_button(browser, cockpit_app):
    """No browser to render with: the button says so in one line, then is usable again."""
    from cockpit.reports import browser as pool_module

    ext = cockpit_app.server.extensions
    saved = ext.get(pool_module.EXTENSION)
    ext[pool_module.EXTENSION] = pool_module.ExportBrowsers("/nonexistent/chromium", "/usr/bin/chromedriver")
    try:
        browser.visit("/alerts")
        browser.wait_for("#export-buttons")
        browser.wait_all_figures_drawn(timeout=30)
        browser.click("#export-buttons a[data-format='png']")
        status = browser.wait_for("#export-buttons .export-status.is-error", timeout=60)
        assert status.text.startswith("导出失败 / export failed: Chromium not found")
        assert browser.find("#export-buttons a[data-format='png']").text == "导出图片"
    finally:
        if saved is None:
            ext.pop(pool_module.EXTENSION, None)
        else:
            ext[pool_module.EXTENSION] = saved


def test_export_refuses_bad_requests(live_server):
    status, body = live_server.get("/export/view.png?department=NO-SUCH")
    assert status == 404 and body.decode().count("\n") == 1
    assert "NO-SUCH" in body.decode()
    status, _ = live_server.get("/export/view.gif")
    assert status == 404
    status, _ = live_server.get("/export/view.png?path=https%3A%2F%2Fexample.org%2F")
    assert status == 404
