"""/indicator/<metric_id>: one indicator in depth (指标详情).

Its 口径 and thresholds from the catalog, its value over the snapshots in the
store, the 12 months / 13 weeks inside the current snapshot for month and week
indicators, and a sortable breakdown by grain with CSV download.

The URL holds the state (?period=cohort:2026&grain=major&lang=en): the
selectors only rewrite the query string through a callback-nav dcc.Location,
and Dash Pages renders the layout again from it. So a link can be sent, the
back button walks through the selections, and the layout is the one place
that reads the state.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dash_table, dcc, html, no_update
from dash.dash_table.Format import Format, Group, Scheme, Symbol

from cockpit import drilldown, figures, service
from cockpit.i18n import desk_date, desk_number, desk_period, lang_of, t
from pages import ids
from pages._export import export_buttons

dash.register_page(
    __name__,
    path_template="/indicator/<metric_id>",
    name="指标详情",
    title="领导驾驶舱 · 指标详情",
    order=20,
)

LEVEL_KEYS = {"critical": "desk_critical", "warning": "desk_warning", None: "desk_level_ok"}


def _scope() -> service.Scope:
    """The request's scope, from the signed-in session (cockpit.auth)."""
    from cockpit import auth

    return auth.request_scope()


def _name(info: dict[str, Any], lang: str) -> str:
    return info["name_en"] if lang == "en" else info["name_zh"]


def value_format(unit: str, lang: str) -> Format:
    """DataTable number format matching cockpit.i18n.desk_number, so the table
    sorts on numbers and still reads 92.6%, 4,827元, 1.3个工作日."""
    if unit == "ratio":
        return Format(precision=1, scheme=Scheme.percentage)
    if unit == "yuan":
        suffix = "元" if lang == "zh" else " yuan"
        return Format(
            precision=0, scheme=Scheme.fixed, group=Group.yes, symbol=Symbol.yes, symbol_suffix=suffix
        )
    if unit == "workdays":
        suffix = "个工作日" if lang == "zh" else " wd"
        return Format(precision=1, scheme=Scheme.fixed, symbol=Symbol.yes, symbol_suffix=suffix)
    if unit == "score":
        return Format(precision=1, scheme=Scheme.fixed)
    if unit == "index":
        return Format(precision=3, scheme=Scheme.fixed)
    return Format(precision=0, scheme=Scheme.fixed, group=Group.yes)


def _threshold_text(value: float | None, unit: str, lang: str) -> str:
    return t("desk_none", lang) if value is None else desk_number(value, unit, lang)


def _definition(info: dict[str, Any], lang: str) -> html.Div:
    def item(label: str, value: Any) -> list:
        return [html.Dt(t(label, lang)), html.Dd(value)]

    unit = info["unit"]
    sep = "、" if lang == "zh" else ", "
    grains = sep.join(t(f"grain_{g}", lang) for g in info["grains"])
    periods = sep.join(t(f"period_{p}", lang) for p in info["periods"])
    return html.Div(
        [
            html.H2(t("desk_definition", lang)),
            html.P(info["definition_en"] if lang == "en" else info["definition_zh"], className="desk-def"),
            html.Dl(
                item("desk_formula", info["formula"])
                + item("desk_unit", t(f"unit_{unit}", lang))
                + item("desk_direction", t(f"desk_{info['direction']}", lang))
                + item("desk_owner", info["owner"])
                + item("desk_sources", ", ".join(info["sources"]))
                + item("desk_grains", grains)
                + item("desk_periods", periods),
                className="desk-dl",
            ),
        ],
        className="desk-panel h-100",
    )


def _thresholds(info: dict[str, Any], total: dict | None, lang: str) -> html.Div:
    unit = info["unit"]
    level = total["level"] if total else None
    value = total["value"] if total else None
    return html.Div(
        [
            html.H2(t("desk_thresholds", lang)),
            html.Div(
                [
                    html.Div(desk_number(value, unit, lang), className="desk-big", id="indicator-total"),
                    html.Span(
                        t(LEVEL_KEYS.get(level, "desk_level_ok"), lang),
                        className=f"desk-badge level-{level or 'ok'}",
                    )
                    if value is not None
                    else None,
                ],
                className="desk-total",
            ),
            html.Dl(
                [
                    html.Dt(t("desk_target", lang)),
                    html.Dd(_threshold_text(info["target"], unit, lang)),
                    html.Dt(t("desk_warning", lang)),
                    html.Dd(_threshold_text(info["warning"], unit, lang)),
                    html.Dt(t("desk_critical", lang)),
                    html.Dd(_threshold_text(info["critical"], unit, lang)),
                    html.Dt(t("desk_direction", lang)),
                    html.Dd(t(f"desk_{info['direction']}", lang)),
                ],
                className="desk-dl",
            ),
        ],
        className="desk-panel h-100",
    )


def _columns(grain: str, unit: str, rows: list[dict], lang: str) -> list[dict]:
    cols: list[dict] = []
    if grain == "major":
        cols.append({"name": t("grain_department", lang), "id": "parent"})
    elif grain == "step":
        cols.append({"name": t("grain_process", lang), "id": "parent"})
    cols += [
        {"name": t(f"grain_{grain}", lang), "id": "name"},
        *([] if grain == "step" else [{"name": t("desk_code", lang), "id": "key"}]),
        {"name": t("desk_value", lang), "id": "value", "type": "numeric", "format": value_format(unit, lang)},
    ]
    plain = Format(precision=0, scheme=Scheme.fixed, group=Group.yes)
    counts_only = all(r["numerator"] is None for r in rows)
    if not counts_only and unit != "count":
        cols.append(
            {"name": t("desk_numerator", lang), "id": "numerator", "type": "numeric", "format": plain}
        )
    if any(r["denominator"] is not None for r in rows):
        label = "desk_n" if counts_only else "desk_denominator"
        fmt = Format(precision=3, scheme=Scheme.fixed) if unit == "ratio" and grain == "industry" else plain
        cols.append({"name": t(label, lang), "id": "denominator", "type": "numeric", "format": fmt})
    cols.append({"name": t("desk_level", lang), "id": "level_text"})
    return cols


def _table(info: dict[str, Any], data: dict[str, Any], lang: str) -> html.Div:
    rows = data["rows"]
    if not rows:
        return html.P(t("desk_no_values", lang), className="notice")
    records = [{**r, "level_text": t(LEVEL_KEYS.get(r["level"], "desk_level_ok"), lang)} for r in rows]
    return dash_table.DataTable(
        id=ids.IND_TABLE,
        columns=_columns(data["grain"], info["unit"], rows, lang),
        data=records,
        sort_action="native",
        page_action="none",
        style_table={"overflowX": "auto"},
        style_cell={
            "fontFamily": figures.FONT,
            "fontSize": "14px",
            "padding": "6px 10px",
            "textAlign": "left",
        },
        style_cell_conditional=[
            {"if": {"column_type": "numeric"}, "textAlign": "right"},
        ],
        style_header={"fontWeight": "600", "backgroundColor": "#eef2f7"},
        style_data_conditional=[
            {"if": {"filter_query": '{level} = "critical"', "column_id": "level_text"}, "color": "#c53030"},
            {"if": {"filter_query": '{level} = "warning"', "column_id": "level_text"}, "color": "#b7791f"},
        ],
        css=[{"selector": ".dash-spreadsheet-menu", "rule": "display: none"}],
    )


def _figure_layout(fig: go.Figure, unit: str, lang: str, dates: bool = False) -> go.Figure:
    if dates:
        zh = lang == "zh"
        fig.update_xaxes(
            tickformat="%-m月%-d日" if zh else "%b %-d", hoverformat="%Y年%-m月%-d日" if zh else "%Y-%m-%d"
        )
    figures.desk_layout(fig, height=320, legend_y=-0.2)
    if unit == "ratio":
        fig.update_yaxes(tickformat=".0%")
    return fig


def _trend(info: dict[str, Any], period: str, grain: str, lang: str) -> html.Div:
    hist = drilldown.history(info["id"], period, grain, _scope(), lang)
    dates = hist["as_of"]
    has_total = any(v is not None for v in hist["series"][0]["values"])
    drawable = has_total or len(hist["series"]) > 1
    if len(dates) < 2 or not drawable:
        key = "desk_no_history" if len(dates) < 2 else "desk_no_total_trend"
        body: Any = html.P(t(key, lang), className="notice")
    else:
        fig = go.Figure()
        for s in hist["series"]:
            total = s["key"] == "__total__"
            fig.add_trace(
                go.Scatter(
                    x=dates,
                    y=s["values"],
                    name=t("grain_school", lang) if total else s["name"],
                    mode="lines+markers",
                    visible=True if total or not has_total else "legendonly",
                    line={"width": 3 if total else 1.5},
                )
            )
        body = dcc.Graph(
            id=ids.IND_TREND,
            figure=_figure_layout(fig, info["unit"], lang, dates=True),
            config={"displaylogo": False},
        )
    title = t("desk_trend", lang) + ("" if period.startswith("day:") else f" · {desk_period(period, lang)}")
    return html.Div([html.H2(title), body], className="desk-panel")


def _series(info: dict[str, Any], kind: str, lang: str) -> html.Div | None:
    if kind not in ("month", "week"):
        return None
    points = drilldown.period_series(info["id"], kind, _scope())
    if not points:
        return None
    fig = go.Figure(
        go.Bar(
            x=[desk_period(p["period"], lang) for p in points],
            y=[p["value"] for p in points],
            marker_color="#0b4f8a",
            name=_name(info, lang),
        )
    )
    return html.Div(
        [
            html.H2(t(f"desk_series_{kind}", lang)),
            dcc.Graph(
                id=ids.IND_SERIES,
                figure=_figure_layout(fig, info["unit"], lang),
                config={"displaylogo": False},
            ),
        ],
        className="desk-panel",
    )


def _unknown(metric_id: str | None, lang: str) -> html.Div:
    return html.Div(
        [
            html.H1(t("desk_unknown_metric", lang) + str(metric_id or "")),
            dcc.Link(t("desk_to_catalog", lang), href="/catalog" + ("?lang=en" if lang == "en" else "")),
        ],
        className="desk desk-missing",
        role="alert",
    )


def pick(query: dict[str, str], state: dict[str, Any]) -> tuple[str | None, str]:
    """The period and grain the URL asks for, or the defaults when absent or unknown."""
    period = query.get("period")
    if period not in state["periods"]:
        period = state["default_period"]
    grain = query.get("grain")
    if grain not in state["grains"]:
        grain = state["default_grain"]
    return period, grain


def layout(metric_id: str | None = None, **query: str) -> html.Div:
    lang = lang_of(query)
    info = drilldown.metric_info(metric_id or "", _scope())
    if info is None:
        return _unknown(metric_id, lang)
    state = drilldown.indicator_state(info["id"], _scope())
    if state is None:
        return html.Div([html.H1(_name(info, lang)), html.P(t("desk_no_snapshot", lang))], className="desk")
    period, grain = pick(query, state)
    data = drilldown.breakdown(info["id"], period, grain, _scope(), lang) if period else None
    controls = html.Div(
        [
            html.Label(
                [
                    html.Span(t("desk_period", lang)),
                    dcc.Dropdown(
                        id=ids.IND_PERIOD,
                        options=[{"label": desk_period(p, lang), "value": p} for p in state["periods"]],
                        value=period,
                        clearable=False,
                        className="desk-dropdown",
                    ),
                ],
                className="desk-control",
            ),
            html.Div(
                [
                    html.Span(t("desk_grains", lang)),
                    dcc.RadioItems(
                        id=ids.IND_GRAIN,
                        options=[{"label": t(f"grain_{g}", lang), "value": g} for g in state["grains"]],
                        value=grain,
                        inline=True,
                        className="desk-radio",
                    ),
                ],
                className="desk-control",
                # School-only indicators: no grain to choose, but the input stays for the callback.
                style={} if state["grains"] else {"display": "none"},
            ),
        ],
        className="desk-controls",
    )
    return html.Div(
        [
            dcc.Location(id=ids.DESK_LOCATION, refresh="callback-nav"),
            html.Div(
                [
                    html.H1(_name(info, lang)),
                    html.Span(info["id"], className="desk-id"),
                    html.Span(
                        f"{t('as_of', lang)} {desk_date(state['snapshot']['as_of'], lang)}",
                        className="desk-asof",
                    ),
                    export_buttons(query, desk=True),
                ],
                className="desk-head",
            ),
            controls,
            dbc.Row(
                [
                    dbc.Col(_thresholds(info, data["total"] if data else None, lang), lg=4),
                    dbc.Col(_definition(info, lang), lg=8),
                ],
                className="desk-grid g-3",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.H2(
                                f"{t('desk_breakdown', lang)} · {desk_period(period, lang) if period else ''}"
                            ),
                            html.Button(t("desk_csv", lang), id=ids.IND_CSV_BUTTON, className="desk-button"),
                            dcc.Download(id=ids.IND_CSV),
                        ],
                        className="desk-panel-head",
                    ),
                    _table(info, data, lang) if data else html.P(t("desk_no_values", lang)),
                ],
                className="desk-panel",
            ),
            _trend(info, period, grain, lang) if period else None,
            _series(info, period.split(":")[0], lang) if period else None,
        ],
        className="desk desk-indicator",
    )


def with_query(search: str | None, **changes: str | None) -> str:
    """The query string with some keys set (None drops a key), others kept."""
    params = dict(parse_qsl((search or "").lstrip("?")))
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = v
    return "?" + urlencode(params, safe=":") if params else ""


@callback(
    Output(ids.DESK_LOCATION, "search"),
    Input(ids.IND_PERIOD, "value"),
    Input(ids.IND_GRAIN, "value"),
    State(ids.DESK_LOCATION, "search"),
    prevent_initial_call=True,
)
def select(period: str | None, grain: str | None, search: str | None):
    """A selector changed: write it into the URL; Pages renders the new state."""
    new = with_query(search, period=period, grain=grain)
    return no_update if new == (search or "") else new


def csv_bytes(metric_id: str, query: dict[str, str]) -> tuple[bytes, str] | None:
    """The breakdown the URL shows, as CSV in UTF-8 with a BOM (Excel then
    reads the Chinese correctly), raw values beside the displayed ones."""
    import csv
    import io

    lang = lang_of(query)
    info = drilldown.metric_info(metric_id, _scope())
    state = drilldown.indicator_state(metric_id, _scope()) if info else None
    if info is None or state is None:
        return None
    period, grain = pick(query, state)
    data = drilldown.breakdown(metric_id, period, grain, _scope(), lang) if period else None
    if data is None:
        return None
    out = io.StringIO()
    w = csv.writer(out)
    parent = {"major": "grain_department", "step": "grain_process"}.get(grain)
    w.writerow(
        ([t(parent, lang)] if parent else [])
        + [
            t(f"grain_{grain}", lang),
            t("desk_code", lang),
            t("desk_value", lang),
            t("desk_display", lang),
            t("desk_numerator", lang),
            t("desk_denominator", lang),
            t("desk_level", lang),
            t("desk_period", lang),
        ]
    )
    for r in data["rows"]:
        w.writerow(
            ([r.get("parent", "")] if parent else [])
            + [
                r["name"],
                r["key"],
                "" if r["value"] is None else repr(r["value"]),
                desk_number(r["value"], info["unit"], lang),
                "" if r["numerator"] is None else f"{r['numerator']:g}",
                "" if r["denominator"] is None else f"{r['denominator']:g}",
                t(LEVEL_KEYS.get(r["level"], "desk_level_ok"), lang),
                period,
            ]
        )
    name = f"{metric_id}_{period.replace(':', '-')}_{grain}.csv"
    return out.getvalue().encode("utf-8-sig"), name


@callback(
    Output(ids.IND_CSV, "data"),
    Input(ids.IND_CSV_BUTTON, "n_clicks"),
    State(ids.DESK_LOCATION, "pathname"),
    State(ids.DESK_LOCATION, "search"),
    prevent_initial_call=True,
)
def download(_clicks: int | None, pathname: str | None, search: str | None):
    """CSV of what the URL shows, read again from the service (not from the table)."""
    metric_id = (pathname or "").rstrip("/").rsplit("/", 1)[-1]
    made = csv_bytes(metric_id, dict(parse_qsl((search or "").lstrip("?"))))
    if made is None:
        return no_update
    content, filename = made
    return dcc.send_bytes(content, filename, type="text/csv")
