"""/alerts (预警): every alert of the current snapshot within the signed-in scope, with
filters (level, indicator, department) kept in the URL and a CSV of what is shown. The
wall's ticker shows at most screen.ticker_max grouped items; this page has them all."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qsl

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from cockpit import auth, service
from cockpit.i18n import desk_period, fmt_value, lang_of, t
from pages import _desk, ids
from pages._export import export_buttons

dash.register_page(__name__, path="/alerts", name="预警", title="领导驾驶舱 · 预警", order=8)

LEVELS = ("critical", "warning")
SCROLL_AFTER = 40  # rows drawn in full before the grid scrolls inside its card


def _filtered(query: dict[str, Any]) -> tuple[_desk.DeskContext, list[dict[str, Any]]]:
    """The context of the URL and its alerts (level and indicator filters applied)."""
    ctx = _desk.desk_context(query)
    rows = service.wall_alerts(ctx.scope)
    if query.get("level") in LEVELS:
        rows = [a for a in rows if a["level"] == query["level"]]
    if query.get("metric"):
        rows = [a for a in rows if a["metric"] == query["metric"]]
    return ctx, rows


def _records(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [
        {
            "level": t(f"level_{a['level']}", lang),
            "level_rank": LEVELS.index(a["level"]) if a["level"] in LEVELS else 9,
            "indicator": service.metric_label(a["metric"], lang),
            "metric": a["metric"],
            "where": a["where_en" if lang == "en" else "where_zh"] or t("crumb_school", lang),
            "value": a["value"],
            "value_text": fmt_value(a["value"], a["unit"], lang),
            "threshold_text": fmt_value(a["threshold"], a["unit"], lang),
            "period": desk_period(a["period"], lang),
            "period_code": a["period"],
        }
        for a in rows
    ]


def _columns(lang: str) -> list[dict[str, Any]]:
    return [
        {
            "headerName": t("alerts_level", lang),
            "field": "level_rank",
            "sort": "asc",
            "maxWidth": 110,
            "valueFormatter": {"function": "params.data.level"},
        },
        {
            "headerName": t("alerts_indicator", lang),
            "field": "metric",
            "minWidth": 150,
            "valueFormatter": {"function": "params.data.indicator"},
        },
        {"headerName": t("alerts_where", lang), "field": "where", "sortable": False, "minWidth": 200},
        {
            "headerName": t("desk_value", lang),
            "field": "value",
            "type": "rightAligned",
            "valueFormatter": {"function": "params.data.value_text"},
        },
        {
            "headerName": t("threshold", lang),
            "field": "threshold_text",
            "sortable": False,
            "type": "rightAligned",
        },
        {"headerName": t("desk_period", lang), "field": "period", "sortable": False, "maxWidth": 160},
    ]


def layout(**query: str) -> html.Div:
    lang = lang_of(query)
    try:
        ctx, rows = _filtered(query)
    except service.OutOfScope:
        return _desk.refused(query)
    metrics = sorted({a["metric"] for a in service.wall_alerts(ctx.scope)})
    everything = [{"label": t("alerts_all", lang), "value": ""}]
    extra = [
        _desk.choice(
            t("alerts_level", lang),
            ids.ALERTS_LEVEL,
            everything + [{"label": t(f"level_{lv}", lang), "value": lv} for lv in LEVELS],
            query.get("level") or "",
        ),
        _desk.choice(
            t("alerts_indicator", lang),
            ids.ALERTS_METRIC,
            everything + [{"label": service.metric_label(m, lang), "value": m} for m in metrics],
            query.get("metric") or "",
        ),
    ]
    grid = (
        # A long list scrolls inside its card (as on /approvals): the page, and an export
        # of it, stay one screen high; the CSV holds every row.
        _desk.grid(ids.ALERTS_GRID, _columns(lang), _records(rows, lang), scroll_after=SCROLL_AFTER)
        if rows
        else html.P(t("no_alerts", lang), className="notice")
    )
    return html.Div(
        [
            dcc.Location(id=ids.ALERTS_LOCATION, refresh="callback-nav"),
            _desk.breadcrumb(ctx, query, "/alerts", t("alerts_title", lang)),
            html.Div(
                [
                    html.H1(t("alerts_title", lang)),
                    html.Span(t("alerts_count", lang).format(n=len(rows)), className="desk-asof"),
                    export_buttons(query, desk=True, path="/alerts"),
                ],
                className="desk-head",
            ),
            _desk.filter_bar(ctx, extra),
            html.Div(
                [
                    html.Div(
                        [
                            html.H2(t("alerts_title", lang)),
                            html.Button(
                                t("desk_csv", lang), id=ids.ALERTS_CSV_BUTTON, className="desk-button"
                            ),
                            dcc.Download(id=ids.ALERTS_CSV),
                        ],
                        className="desk-panel-head",
                    ),
                    grid,
                ],
                className="desk-panel",
            ),
        ],
        className="desk desk-alerts",
    )


@callback(
    Output(ids.ALERTS_LOCATION, "search"),
    Input(ids.ALERTS_LEVEL, "value"),
    Input(ids.ALERTS_METRIC, "value"),
    Input(ids.DESK_DEPARTMENT, "value"),
    State(ids.ALERTS_LOCATION, "search"),
    prevent_initial_call=True,
)
def select(level: str | None, metric: str | None, department: str | None, search: str | None):
    """A filter changed: into the URL (the layout checks the department against the scope)."""
    from pages.indicator import with_query

    new = with_query(search, level=level or None, metric=metric or None, department=department or None)
    return no_update if new == (search or "") else new


@callback(
    Output(ids.ALERTS_CSV, "data"),
    Input(ids.ALERTS_CSV_BUTTON, "n_clicks"),
    State(ids.ALERTS_LOCATION, "search"),
    prevent_initial_call=True,
)
def download(_clicks: int | None, search: str | None):
    """The alerts the URL shows, as CSV (UTF-8 with BOM), read again from the service."""
    query = dict(parse_qsl((search or "").lstrip("?")))
    lang = lang_of(query)
    try:
        _ctx, rows = _filtered(query)
    except service.OutOfScope:
        return no_update
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            t(k, lang)
            for k in (
                "alerts_level",
                "alerts_indicator",
                "alerts_where",
                "desk_value",
                "threshold",
                "desk_period",
            )
        ]
        + ["metric"]
    )
    for r in _records(rows, lang):
        w.writerow(
            [
                r["level"],
                r["indicator"],
                r["where"],
                r["value_text"],
                r["threshold_text"],
                r["period"],
                r["metric"],
            ]
        )
    auth.audit("download", target="alerts.csv")
    return dcc.send_bytes(out.getvalue().encode("utf-8-sig"), "alerts.csv", type="text/csv")
