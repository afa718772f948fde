"""/indicator/<id> in Chromium: the table equals the store, the URL holds
the period and grain (selectors, direct links, the back button), CSV download,
an unknown id, English labels. Explicit waits only."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from cockpit.i18n import desk_number

pytestmark = pytest.mark.browser

CELL = ".ag-center-cols-container .ag-cell[col-id='{}']"  # the breakdown's AG Grid


def _store_rows(demo_store, metric: str, period: str, grain: str) -> dict[str, float]:
    sid = demo_store.snapshot_id
    return {
        v.dims[grain]: v.value
        for v in demo_store.store.values(sid, metric=metric, periods=[period], grains=[grain])
    }


def _table(browser) -> dict[str, str]:
    """code -> displayed value, row by row (AG Grid's DOM order is not its visual order)."""
    out = {}
    for row in browser.find_all(".ag-center-cols-container .ag-row"):
        key = row.find_element("css selector", ".ag-cell[col-id='key']").text
        out[key] = row.find_element("css selector", ".ag-cell[col-id='value']").text
    return out


def test_table_equals_the_snapshot(browser, demo_store):
    browser.visit("/indicator/placement_rate")
    browser.wait_for(CELL.format("value"))
    browser.wait_all_figures_drawn()
    expected = _store_rows(demo_store, "placement_rate", "cohort:2026", "department")
    assert expected, "the demo store has no department rows"
    assert _table(browser) == {k: desk_number(v, "ratio") for k, v in expected.items()}
    assert "毕业去向落实率" in browser.find("h1").text
    assert "2026年11月21日" in browser.find(".desk-asof").text
    school = demo_store.store.values(demo_store.snapshot_id, "placement_rate", ["cohort:2026"], ["school"])
    assert browser.find("#indicator-total").text == desk_number(school[0].value, "ratio")
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.wait_all_figures_drawn()
    browser.screenshot("desk-indicator-placement_rate")


def test_selector_writes_url_and_back_button_restores(browser, demo_store):
    browser.visit("/indicator/placement_rate")
    browser.wait_for(CELL.format("value"))
    browser.wait_all_figures_drawn()
    browser.click("#indicator-grain input[value='major']")
    browser.wait_until(lambda d: "grain=major" in browser.current_path, message="grain=major in the URL")
    browser.wait_for(CELL.format("parent"))
    browser.wait_all_figures_drawn()
    majors = _store_rows(demo_store, "placement_rate", "cohort:2026", "major")
    assert _table(browser) == {k: desk_number(v, "ratio") for k, v in majors.items()}
    browser.driver.back()
    browser.wait_until(lambda d: "grain=major" not in browser.current_path, message="back to no grain")
    browser.wait_until(lambda d: not browser.find_all(CELL.format("parent")), message="department rows again")
    assert browser.console_errors() == []


def test_url_state_loads_directly(browser, demo_store):
    browser.visit("/indicator/placement_rate?period=cohort:2025&grain=major")
    browser.wait_for(CELL.format("parent"))
    browser.wait_all_figures_drawn()
    majors = _store_rows(demo_store, "placement_rate", "cohort:2025", "major")
    assert _table(browser) == {k: desk_number(v, "ratio") for k, v in majors.items()}
    assert "2025届" in browser.find("#indicator-period").text
    assert browser.console_errors() == []


def test_csv_download_utf8_bom(browser, demo_store, tmp_path: Path):
    browser.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.visit("/indicator/placement_rate?grain=department")
    browser.wait_for(CELL.format("value"))
    browser.wait_all_figures_drawn()
    browser.click("#indicator-csv-button")
    name = "placement_rate_cohort-2026_department.csv"
    browser.wait_until(
        lambda d: (tmp_path / name).exists() and not list(tmp_path.glob("*.crdownload")),
        timeout=15,
        message=f"{name} downloaded",
    )
    raw = (tmp_path / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["院系", "代码", "数值"]
    expected = _store_rows(demo_store, "placement_rate", "cohort:2026", "department")
    got = {r[1]: float(r[2]) for r in rows[1:]}
    assert got == pytest.approx(expected)


def test_unknown_id_says_so(browser):
    browser.visit("/indicator/no_such_thing")
    el = browser.wait_for("h1", text="没有这个指标")
    assert "no_such_thing" in el.text
    assert browser.console_errors() == []


@pytest.mark.parametrize("metric", ["approval_latency_p50", "step_latency_p50", "structure_fit_index"])
def test_other_grains_and_english(browser, metric):
    browser.visit(f"/indicator/{metric}?lang=en")
    browser.wait_for(".desk-head h1")
    browser.wait_all_figures_drawn()
    from metrics.catalog import load_catalog

    assert browser.find("h1").text == load_catalog()[metric].name_en
    assert browser.console_errors() == []
    browser.set_window(1366, 768)
    browser.wait_all_figures_drawn()
    browser.screenshot(f"desk-indicator-{metric}-en")
