"""The parts both big screens share: the canvas, header, KPI tiles, panels and ticker.

Not a page (the leading underscore keeps Dash from registering it) and it
registers no callback: pages/school.py and pages/department.py build their
layouts from here, and the one redraw callback (in pages/school.py) calls
``render`` again when a new snapshot lands. Reads only cockpit.service.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from cockpit import figures, service
from cockpit.extensions import cache
from cockpit.files import report_allowed
from cockpit.i18n import change_is_zero, fmt_change, fmt_date, fmt_time, fmt_value, t
from pages import ids
from pages._export import export_buttons

# Panels of each screen, in grid order (the CSS grid places them).
SCHOOL_PANELS = (
    ("progress", "panel_progress"),
    ("ranking", "panel_ranking"),
    ("destinations", "panel_destinations"),
    ("fit", "panel_fit"),
    ("internship", "panel_internship"),
    ("latency", "panel_latency"),
    ("backlog", "panel_backlog"),
    ("steps", "panel_steps"),
)
DEPARTMENT_PANELS = (
    ("progress", "panel_progress"),
    ("majors", "panel_majors"),
    ("destinations", "panel_destinations"),
    ("internship", "panel_internship"),
    ("insured", "panel_dept_internship"),
    ("latency", "panel_latency"),
)
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


def query_string(query: dict[str, Any]) -> str:
    """The page's query (?kiosk=1&lang=en...) to carry over to links, "" when empty."""
    kept = {k: v for k, v in query.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


def screen_scope(code: str | None) -> service.Scope:
    """The request's scope narrowed to the screen's department ("" or None: the school).
    Raises service.OutOfScope for a department outside the signed-in grant."""
    from cockpit import auth

    return auth.request_scope().narrow(code or None)


# -- pieces that change with the snapshot -------------------------------------------


def _change(delta: float | None, tile: dict[str, Any], label: str, lang: str) -> html.Span:
    cls = "change"
    if delta is not None and not change_is_zero(delta, tile["unit"]):
        better = (delta > 0) == tile["higher_is_better"]
        cls += " better" if better else " worse"
    return html.Span([f"{label} ", html.B(fmt_change(delta, tile["unit"], lang))], className=cls, **_fit(14))


def _fit(smallest: int, wrapped: int | None = None) -> dict[str, str]:
    """Marks an element for assets/wall.js to shrink into its box, down to ``smallest``
    px on the canvas (and then, with ``wrapped``, onto two lines down to that size):
    names and labels fit instead of being cut or running into their neighbours."""
    return {"data-fit": f"{smallest},{wrapped}" if wrapped else str(smallest)}


def _value_parts(text: str) -> list:
    """The number and a smaller unit ("4,827" + "元"), so long units fit a tile."""
    m = re.match(r"^([−+\-\d,.%]+)(.*)$", text)
    if not m or not m.group(2):
        return [text]
    return [m.group(1), html.Span(m.group(2), className="tile-unit", **_fit(14))]


def tile_children(tile: dict[str, Any], lang: str) -> list:
    target = tile["target"]
    return [
        html.Div(service.metric_label(tile["metric"], lang), className="tile-name", **_fit(14)),
        html.Div(
            _value_parts(fmt_value(tile["value"], tile["unit"], lang)),
            className="tile-value",
            **{"data-metric": tile["metric"]},
            **_fit(40),
        ),
        html.Div(
            f"{t('target', lang)} {fmt_value(target, tile['unit'], lang)}"
            if target is not None
            else "\u00a0",
            className="tile-target",
            **_fit(14),
        ),
        html.Div(
            [
                _change(tile["change_week"], tile, t("vs_week", lang), lang),
                _change(tile["change_season"], tile, t("vs_season", lang), lang),
            ],
            className="tile-changes",
        ),
    ]


def tile_class(tile: dict[str, Any]) -> str:
    """The tile's colour: red/amber past an alert threshold, grey below target (never the
    green of a met target), green when the target is met."""
    status = tile.get("status")
    return (
        "wall-tile"
        + (f" level-{tile['level']}" if tile["level"] else "")
        + (f" status-{status}" if status else "")
    )


def as_of_line(scope: service.Scope, lang: str) -> str:
    head = service.wall_header(scope) or {}
    return (
        f"{t('as_of', lang)} {fmt_date(head.get('as_of'), lang)} · "
        f"{t('updated_at', lang)} {fmt_time(head.get('updated_at'))}"
    )


def ticker_children(scope: service.Scope, lang: str) -> list:
    alerts = service.ticker_items(scope)
    if not alerts:
        return [html.Span(t("no_alerts", lang), className="ticker-item")]
    items = []
    for a in alerts:
        where = a["where_en" if lang == "en" else "where_zh"]
        items.append(
            html.Span(
                [
                    html.B(t(f"level_{a['level']}", lang), className="ticker-level"),
                    f"{service.metric_label(a['metric'], lang)}{' · ' + where if where else ''} ",
                    html.B(fmt_value(a["value"], a["unit"], lang)),
                    t("threshold_note", lang).format(value=fmt_value(a["threshold"], a["unit"], lang)),
                ],
                className=f"ticker-item level-{a['level']}",
            )
        )
    # Twice in a row, so the CSS animation (-50 %) loops without a jump; one pass of at
    # most screen.ticker_max items stays well under two minutes.
    duration = max(40, 8 * len(alerts))
    return [html.Div(items + items, className="ticker-track", style={"animationDuration": f"{duration}s"})]


def internship_note(scope: service.Scope, lang: str) -> list:
    """The underpaid count and the uninsured internships: red when they are not zero."""
    items = {i["metric"]: i for i in service.internship_panel(scope)}
    out = []
    under = items.get("internship_underpaid_count")
    if under:
        out.append(
            html.Span(
                [t("underpaid", lang) + " ", html.B(fmt_value(under["value"], "count", lang))],
                className="note gap" if under["gap"] else "note",
            )
        )
    ins = items.get("internship_insured_rate")
    if ins and ins["denominator"]:
        uninsured = ins["denominator"] - (ins["numerator"] or 0)
        label = t("uninsured", lang)
        out.append(
            html.Span(
                [label + " ", html.B(fmt_value(uninsured, "count", lang))],
                className="note gap" if ins["gap"] else "note",
            )
        )
    return out


def fit_note(scope: service.Scope, lang: str) -> list:
    fit = service.industry_fit(scope) or {}
    return [
        html.Span(t("fit_index", lang) + " "),
        html.B(fmt_value(fit.get("index"), "index", lang), className=f"level-{fit.get('level') or 'ok'}"),
    ]


def render_figures(scope: service.Scope, lang: str) -> dict[str, Any]:
    """Every figure of a screen (the school's when the scope views no department), by
    panel name, as plain dicts built once per snapshot AND scope (a dean's school
    screen is not a leader's): building and validating eight Plotly figures costs
    ~250 ms, too much for every load of a wall."""
    return _figures_json(service.current_snapshot_id(), scope.key, lang)


@cache.memoize()
def _figures_json(snapshot_id: int | None, scope_key: str, lang: str) -> dict[str, Any]:
    scope = service.Scope.from_key(scope_key)
    return {name: fig.to_plotly_json() for name, fig in _build_figures(scope, lang).items()}


def _build_figures(scope: service.Scope, lang: str) -> dict[str, Any]:
    code = scope.view or ""
    grain = "major" if code else "department"
    internship = [
        {**i, "name": service.metric_label(i["metric"], lang)} for i in service.internship_panel(scope)
    ]
    target = service.metric_target("placement_rate")
    figs = {
        "progress": figures.progress_figure(service.placement_progress(scope), lang),
        "destinations": figures.destinations_figure(service.destinations(grain, scope), lang),
        "internship": figures.internship_figure(internship, lang),
        "latency": figures.latency_figure(service.approval_weeks(scope), lang),
    }
    ranked = figures.ranking_figure(service.ranking("placement_rate", grain, scope), "ratio", target, lang)
    if code:
        figs["majors"] = ranked
        figs["insured"] = figures.ranking_figure(
            service.ranking("internship_insured_rate", "major", scope), "ratio", 1.0, lang
        )
    else:
        figs["ranking"] = ranked
        # As many sections at each end as the panel has room for two-line names.
        top = {"48:9": 5, "4:3": 2}.get(service.screen_settings()["band"], 3)
        figs["fit"] = figures.deviation_figure(service.industry_fit(scope), lang, top=top)
        # The largest few: room for a process and its step on up to three lines (English
        # process names are long, steps have no English name); /approvals lists them all.
        rows = 4 if lang == "en" else 5
        figs["backlog"] = figures.process_bars_figure(service.backlog_by_process(scope)[:rows], "count", lang)
        figs["steps"] = figures.process_bars_figure(service.slowest_steps(scope)[:rows], "workdays", lang)
    return figs


def render_texts(scope: service.Scope, lang: str) -> dict[str, Any]:
    """Every text part of a screen that changes with the snapshot, by part name."""
    texts = {
        "asof": as_of_line(scope, lang),
        "ticker": ticker_children(scope, lang),
        "internship-note": internship_note(scope, lang),
    }
    if scope.view is None:
        texts["fit-note"] = fit_note(scope, lang)
    return texts


# -- the layout ---------------------------------------------------------------------


def _panel(name: str, title_key: str, lang: str, fig, extra: list | None = None) -> html.Section:
    head = [html.H2(t(title_key, lang), **_fit(16))]
    if extra is not None:
        head.append(html.Div(extra, id=ids.wall_text(f"{name}-note"), className="panel-note", **_fit(14)))
    return html.Section(
        [
            html.Div(head, className="panel-head"),
            dcc.Graph(id=ids.panel(name), figure=fig, config=GRAPH_CONFIG, className="panel-graph"),
        ],
        className=f"wall-panel panel-{name}",
    )


def screen(scope: service.Scope, title: str, query: dict[str, Any]) -> html.Div:
    """A whole wall screen: the school's when the scope views no department, else
    that department's.

    Built once per (snapshot, scope, query) and cached: a wall reloads the same
    screen again and again (rotation, reconnects), and the layout only changes
    when a new snapshot lands. The scope is part of the key, so one viewer's
    screen is never served to another's."""
    key = tuple(sorted((str(k), str(v)) for k, v in query.items()))
    return _screen(service.current_snapshot_id(), scope.key, title, key)


@cache.memoize()
def _screen(snapshot_id: int | None, scope_key: str, title: str, query_key: tuple) -> html.Div:
    return _build_screen(service.Scope.from_key(scope_key), title, dict(query_key))


def _build_screen(scope: service.Scope, title: str, query: dict[str, Any]) -> html.Div:
    code = scope.view or ""
    lang = "en" if query.get("lang") == "en" else "zh"
    cfg = service.screen_settings()
    head = service.wall_header(scope) or {}
    figs = render_figures(scope, lang)
    texts = render_texts(scope, lang)
    panels = DEPARTMENT_PANELS if code else SCHOOL_PANELS
    notes = {"internship": texts["internship-note"], "fit": texts.get("fit-note")}
    tiles = service.wall_tiles(scope)
    viewport = html.Div(
        html.Div(
            [
                dcc.Store(id=ids.wall_scope("department" if code else "school"), data=code),
                html.Header(
                    [
                        html.Div(
                            [
                                html.Div(head.get("school", ""), className="wall-school", **_fit(16)),
                                html.H1(title, className="wall-title", **_fit(28, 18)),
                            ],
                            className="wall-brand",
                        ),
                        html.Div(texts["asof"], id=ids.wall_text("asof"), className="wall-asof", **_fit(16)),
                        html.Div(
                            [
                                export_buttons(
                                    query,
                                    code,
                                    pdf=report_allowed(scope, "department" if code else "school", code),
                                ),
                                html.Div(
                                    id=ids.CLOCK,
                                    className="wall-clock",
                                    **{"data-lang": lang, "data-tz": cfg["timezone"]},
                                    **({"data-at": cfg["clock_at"]} if cfg.get("clock_at") else {}),
                                    **_fit(18),
                                ),
                            ],
                            className="wall-header-end",
                        ),
                    ],
                    className="wall-header",
                ),
                html.Div(
                    [
                        dcc.Link(
                            tile_children(tile, lang),
                            id=ids.tile(tile["metric"]),
                            href=f"/indicator/{tile['metric']}"
                            + query_string(
                                {**query, "department": code or None, "kiosk": None, "rotate": None}
                            ),
                            className=tile_class(tile),
                        )
                        for tile in tiles
                    ],
                    className="wall-tiles",
                ),
                html.Div(
                    [_panel(name, key, lang, figs[name], notes.get(name)) for name, key in panels],
                    className="wall-grid" + (" department" if code else ""),
                ),
                html.Div(
                    [
                        html.Div(t("alerts", lang), className="ticker-label"),
                        html.Div(texts["ticker"], id=ids.wall_text("ticker"), className="ticker-window"),
                    ],
                    className="wall-ticker",
                ),
            ],
            id=ids.CANVAS,
            className=f"wall-canvas lang-{lang} band-{cfg['band'].replace(':', 'x')}",
            style={"width": f"{cfg['width']}px", "height": f"{cfg['height']}px"},
            # data-scope: which screen this is (the report batch waits for it after navigating)
            **{"data-width": cfg["width"], "data-height": cfg["height"], "data-scope": code or "school"},
        ),
        className="wall-viewport",
    )
    if str(query.get("kiosk") or "") == "1":
        return viewport  # a wall device: nobody holds it in a hand
    return html.Div([phone_home_link(lang), viewport])


def phone_home_link(lang: str) -> html.Div:
    """The way to the phone home (/m) that a wall screen offers on a narrow viewport:
    shown by CSS only below 600 px (assets/wall.css), never in the kiosk view."""
    return html.Div(
        dcc.Link(t("phone_home_link", lang), href="/m" + ("?lang=en" if lang == "en" else "")),
        id=ids.WALL_PHONE_HOME,
        className="wall-phone-home",
    )


def message(text: str, query: dict[str, Any], lang: str) -> html.Div:
    """A clear one-line page instead of a crash (no snapshot yet, unknown department)."""
    return html.Div(
        [html.P(text), dcc.Link(t("back_to_school", lang), href="/" + query_string(query))],
        className="wall-message",
    )
