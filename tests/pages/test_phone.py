"""On the phone (390×844, how leaders open links in 钉钉/企业微信, and 360×780): every
desk page and the phone home /m fit the screen — nothing wider than the viewport,
nothing scrolling sideways (a wide table scrolls inside its own card), no text
under 12 px — the navigation folds into a menu its toggler opens, /m shows the
wall's KPI figures of the scope and opens an indicator from a card, and a wall
screen offers the phone home. Screenshots: artifacts/screens/phone-*.png."""

from __future__ import annotations

import pytest

from cockpit.i18n import fmt_value
from tests.pages.wall_helpers import TILE_PERIODS, expected_tile_text

pytestmark = pytest.mark.browser

PHONES = ((390, 844), (360, 780))
PAGES = ("/m", "/indicator/placement_rate", "/approvals", "/catalog", "/status", "/reports")

# What overflows a phone screen, after the page is drawn: the document's own width,
# every visible element's right edge (clipped by any ancestor that scrolls or clips
# sideways: a table scrolling inside its card is fine), every visible text under 12 px.
LAYOUT_JS = """
var vw = window.innerWidth;
var doc = document.documentElement;
var out = {vw: vw, scrollWidth: Math.max(doc.scrollWidth, document.body.scrollWidth), wide: [], small: []};
function label(el) {
  var s = el.tagName.toLowerCase();
  if (el.id) { s += '#' + el.id; }
  var c = el.getAttribute('class');
  if (c) { s += '.' + c.trim().split(/\\s+/).slice(0, 3).join('.'); }
  return s;
}
function visible(el) {
  var cs = getComputedStyle(el);
  if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) { return false; }
  var r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
}
function clipRight(el, right) {
  for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    var ox = getComputedStyle(p).overflowX;
    if (ox !== 'visible') { right = Math.min(right, p.getBoundingClientRect().right); }
  }
  return right;
}
document.querySelectorAll('body *').forEach(function (el) {
  if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') { return; }
  if (!visible(el)) { return; }
  var r = el.getBoundingClientRect();
  var right = clipRight(el, r.right);
  if (right > vw + 1 && r.left < vw) { out.wide.push(label(el) + ' right=' + Math.round(right)); }
});
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (var n = walker.nextNode(); n; n = walker.nextNode()) {
  if (!n.textContent.trim()) { continue; }
  var el = n.parentElement;
  if (!el || !visible(el)) { continue; }
  var size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 12) { out.small.push(label(el) + ' ' + size + 'px: ' + n.textContent.trim().slice(0, 30)); }
}
return out;
"""


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "") or "school"


def full_page_screenshot(browser, name: str, part: int = 1600) -> None:
    """The whole page, not only the first screen, in parts of ``part`` px
    (``<name>-full-0.png``, ...; Chromium's DevTools protocol)."""
    import base64

    from tests.pages.conftest import ARTIFACTS

    height = browser.js("return document.documentElement.scrollHeight")
    width = browser.js("return window.innerWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for i, y in enumerate(range(0, height, part)):
        clip = {"x": 0, "y": y, "width": width, "height": min(part, height - y), "scale": 1}
        shot = browser.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip}
        )
        (ARTIFACTS / f"{name}-full-{i}.png").write_bytes(base64.b64decode(shot["data"]))


def _fits(browser, path: str, w: int, h: int) -> None:
    out = browser.js(LAYOUT_JS)
    assert out["vw"] == w, out["vw"]
    assert out["scrollWidth"] <= w, f"{path} at {w}×{h} scrolls sideways: {out['scrollWidth']} px"
    assert out["wide"] == [], f"{path} at {w}×{h}: wider than the screen: {out['wide'][:10]}"
    assert out["small"] == [], f"{path} at {w}×{h}: text under 12 px: {out['small'][:10]}"


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("path", PAGES)
def test_page_fits_the_phone(browser, path, size):
    w, h = size
    browser.set_window(w, h)
    browser.visit(path)
    browser.wait_for(".desk, .phone")
    browser.wait_all_figures_drawn(timeout=30)
    _fits(browser, path, w, h)
    assert browser.console_errors() == []
    browser.screenshot(f"phone-{_name(path)}-{w}x{h}")
    full_page_screenshot(browser, f"phone-{_name(path)}-{w}x{h}")


@pytest.mark.parametrize("size", PHONES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_navigation_folds_into_a_menu(browser, size):
    browser.set_window(*size)
    browser.visit("/approvals")
    browser.wait_all_figures_drawn(timeout=30)
    toggler = browser.wait_for("#nav-toggler")
    assert toggler.is_displayed()
    links = browser.find_all("#nav-menu .nav-link")
    assert links and not any(link.is_displayed() for link in links)  # folded
    nav_height = browser.find(".topbar").size["height"]
    assert nav_height < 80, nav_height  # one line: the brand and the toggler
    toggler.click()
    browser.wait_until(lambda d: all(link.is_displayed() for link in links), message="the menu opens")
    browser.wait_all_figures_drawn(timeout=30)
    texts = [link.text for link in links]
    assert "今日校情" in texts and "指标字典" in texts
    assert browser.find(".demo-badge").is_displayed()  # the user box is in the menu too
    _fits(browser, "/approvals (menu open)", *size)
    browser.screenshot(f"phone-menu-open-{size[0]}x{size[1]}")
    # A link opens its page, and the menu folds again.
    next(link for link in links if link.text == "指标字典").click()
    browser.wait_until(lambda d: browser.current_path.startswith("/catalog"), message="the catalog")
    browser.wait_until(
        lambda d: not any(e.is_displayed() for e in browser.find_all("#nav-menu .nav-link")),
        message="the menu folds after navigating",
    )
    assert browser.console_errors() == []


def test_desktop_navigation_is_one_row(browser):
    browser.visit("/catalog")
    browser.wait_for(".catalog-card")
    assert not browser.find("#nav-toggler").is_displayed()
    links = browser.find_all("#nav-menu .nav-link")
    assert len(links) >= 6 and all(link.is_displayed() for link in links)
    assert len({link.location["y"] for link in links}) == 1  # one row


def _expected_week_change(demo_store, metric: str) -> str:
    """The tile's change on the week as /m must show it, from the stored snapshots."""
    from datetime import timedelta

    from cockpit.i18n import fmt_change
    from cockpit.service import WEEK_BACK
    from metrics.periods import headline_cohorts

    unit, kind = TILE_PERIODS[metric]
    store = demo_store.store
    # The latest snapshot at least a week (service.WEEK_BACK days) before today's.
    week_end = max(d for d in demo_store.as_of_dates if d <= demo_store.today - timedelta(days=WEEK_BACK))

    def value(as_of) -> float | None:
        cohorts = headline_cohorts(as_of)
        period = {
            "employment": f"cohort:{cohorts['employment']}",
            "internship": f"cohort:{cohorts['internship']}",
            "month": f"month:{as_of:%Y-%m}",
            "day": f"day:{as_of.isoformat()}",
        }[kind]
        sid = next(s.id for s in store.list(limit=100, status=("ok", "partial")) if s.as_of == as_of)
        rows = [v for v in store.values(sid, metric=metric, periods=[period]) if v.dims == {}]
        return rows[0].value if rows else None

    now, then = value(demo_store.today), value(week_end)
    return fmt_change(None if now is None or then is None else now - then, unit)


def test_phone_home_shows_the_scope_figures(browser, demo_store, cockpit_app):
    browser.set_window(390, 844)
    browser.visit("/m")
    browser.wait_for("#phone-cards .phone-card")
    browser.wait_all_figures_drawn(timeout=30)
    assert browser.find(".phone-head h1").text == "今日校情"
    school = demo_store.store.get(demo_store.snapshot_id).school["name_zh"]
    assert browser.find(".phone-school").text == school
    assert "数据截至 2026年11月21日" in browser.find(".phone-asof").text
    assert not browser.find_all(".js-plotly-plot, .dash-graph")  # light: no figure on /m
    for metric in TILE_PERIODS:
        card = browser.find(f"#phone-cards [data-metric='{metric}']")
        assert card.find_element("css selector", ".phone-value").text == expected_tile_text(
            demo_store, metric, {}
        ), metric
        change = card.find_element("css selector", ".phone-change b").text
        assert change == _expected_week_change(demo_store, metric), metric
    # Every card and the alert count are the service's, for the signed-in scope (the demo: a leader).
    server = cockpit_app.server
    with server.test_request_context("/m", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        from cockpit import auth, service

        server.preprocess_request()  # cockpit.auth's hook: the identity of this request
        scope = auth.request_scope()
        tiles = service.wall_tiles(scope)
        alerts = len(service.wall_alerts(scope))
    cards = browser.find_all("#phone-cards [data-metric]")
    assert [c.get_attribute("data-metric") for c in cards] == [tl["metric"] for tl in tiles]
    for card, tile in zip(cards, tiles, strict=True):
        value = card.find_element("css selector", ".phone-value").text
        assert value == fmt_value(tile["value"], tile["unit"]), tile["metric"]
        level = card.find_element("css selector", ".phone-level").get_attribute("class")
        assert f"level-{tile['status'] or 'ok'}" in level, tile["metric"]
        change = card.find_element("css selector", ".phone-change").get_attribute("class")
        if tile["change_week"] in (None, 0):
            assert "neutral" in change, tile["metric"]
    assert browser.find("#phone-alerts").get_attribute("data-count") == str(alerts)
    assert browser.find(".phone-alerts-count").text == str(alerts)
    assert browser.console_errors() == []


def test_a_card_opens_its_indicator_keeping_the_language(browser):
    browser.set_window(390, 844)
    browser.visit("/m?lang=en")
    browser.wait_for("#phone-cards .phone-card")
    assert browser.find(".phone-head h1").text == "Today"
    card = browser.find("#phone-cards [data-metric='placement_rate']")
    assert "Graduate placement rate" in card.text
    card.click()
    browser.wait_until(
        lambda d: browser.current_path.startswith("/indicator/placement_rate"), message="opened"
    )
    assert browser.current_path == "/indicator/placement_rate?lang=en"
    browser.wait_for(".desk-head h1", text="Graduate placement rate")
    browser.wait_all_figures_drawn(timeout=30)
    _fits(browser, "/indicator/placement_rate?lang=en", 390, 844)
    assert browser.console_errors() == []
    browser.screenshot("phone-indicator-from-card-en-390x844")


@pytest.mark.parametrize("path", ["/", "/department/JX01"])
def test_wall_on_a_phone_offers_the_phone_home(browser, path):
    browser.set_window(390, 844)
    browser.visit(path)
    browser.wait_all_figures_drawn(timeout=30)
    link = browser.find("#wall-phone-home a")
    assert link.is_displayed() and link.text == "手机版：今日校情 →"
    browser.screenshot(f"phone-wall-{_name(path)}-390x844")
    link.click()
    browser.wait_until(lambda d: browser.current_path == "/m", message="the phone home")
    browser.wait_for("#phone-cards .phone-card")
    assert browser.console_errors() == []


def test_wall_link_hidden_on_a_wide_screen_and_absent_in_kiosk(browser):
    browser.visit("/")
    browser.wait_all_figures_drawn(timeout=30)
    assert not browser.find("#wall-phone-home").is_displayed()  # 1920 wide: the wall itself
    browser.set_window(390, 844)
    browser.visit("/?kiosk=1")
    browser.wait_all_figures_drawn(timeout=30)
    assert browser.find_all("#wall-phone-home") == []  # a wall device: no phone link
