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
from dash import Input, Output, State, callback, dcc, html, no_update

from cockpit import auth, drilldown, figures, service
from cockpit.extensions import cache
from cockpit.i18n import desk_date, desk_number, desk_period, lang_of, status_label, t
from pages import _desk, ids
from pages._export import export_buttons

dash.register_page(
    __name__,
    path_template="/indicator/<metric_id>",
    name="指标详情",
    title="领导驾驶舱 · 指标详情",
    order=20,
)


def _name(info: dict[str, Any], lang: str) -> str:
    return info["name_en"] if lang == "en" else info["name_zh"]


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
                item("desk_formula", info["formula_en"] if lang == "en" else info["formula"])
                + item("desk_unit", t(f"unit_{unit}", lang))
                + item("desk_direction", t(f"desk_{info['direction']}", lang))
                + item("desk_owner", info["owner_en"] if lang == "en" else info["owner"])
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
                        status_label(level, lang),
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
    """AG Grid columns: names link to the next step down; numbers sort as numbers and show
    as the desk formats them; names never sort (Unicode order of Chinese names means
    nothing), codes and values do."""
    cols: list[dict] = []
    if grain == "major":
        cols.append({"headerName": t("grain_department", lang), "field": "parent", "sortable": False})
    elif grain == "step":
        cols.append({"headerName": t("grain_process", lang), "field": "parent", "sortable": False})
    cols.append(
        {
            "headerName": t(f"grain_{grain}", lang),
            "field": "link",
            "cellRenderer": "markdown",
            "sortable": False,
            "minWidth": 160,
        }
    )
    if grain != "step":
        cols.append({"headerName": t("desk_code", lang), "field": "key", "sort": "asc", "maxWidth": 140})
    number = {"type": "rightAligned", "filter": False}
    cols.append(
        {
            "headerName": t("desk_value", lang),
            "field": "value",
            "valueFormatter": {"function": "params.data.value_text"},
            **number,
        }
    )
    counts_only = all(r["numerator"] is None for r in rows)
    if not counts_only and unit != "count":
        cols.append({"headerName": t("desk_numerator", lang), "field": "numerator", **number})
    if any(r["denominator"] is not None for r in rows):
        cols.append(
            {
                "headerName": t("desk_n" if counts_only else "desk_denominator", lang),
                "field": "denominator",
                "valueFormatter": {"function": "params.data.denominator_text"},
                **number,
            }
        )
    cols.append({"headerName": t("desk_level", lang), "field": "level_text", "sortable": False})
    return cols


def _link(grain: str, row: dict[str, Any], query: dict[str, Any], metric: str) -> str:
    """A row's name as a markdown link to the next step down (a department's or a major's
    view of this indicator), or plain text where there is none."""
    name = str(row["name"]).replace("[", "(").replace("]", ")")
    if grain == "department":
        return f"[{name}](/indicator/{metric}{_desk.context_query(query, department=row['key'], major=None)})"
    if grain == "major":
        return f"[{name}](/indicator/{metric}{_desk.context_query(query, major=row['key'])})"
    return name


def _table(info: dict[str, Any], data: dict[str, Any], lang: str, query: dict[str, Any]) -> Any:
    rows = data["rows"]
    if not rows:
        return html.P(t("desk_no_values", lang), className="notice")
    unit, grain = info["unit"], data["grain"]
    records = []
    for r in rows:
        den = r["denominator"]
        records.append(
            {
                **r,
                "link": _link(grain, r, query, info["id"]),
                "value_text": desk_number(r["value"], unit, lang),
                "denominator_text": ""
                if den is None
                else (f"{den:.3f}" if unit == "ratio" and grain == "industry" else f"{den:,.0f}"),
                "level_text": status_label(r.get("status"), lang),
            }
        )
    return _desk.grid(ids.IND_TABLE, _columns(grain, unit, rows, lang), records)


def _figure_layout(fig: go.Figure, unit: str, lang: str, dates: list[str] | None = None) -> go.Figure:
    if dates:
        axis = figures.date_axis_format(dates, lang)
        fig.update_xaxes(
            tickformat=axis["tickformat"], hoverformat=axis["hoverformat"], title_text=axis["title"]
        )
    figures.desk_layout(fig, height=320, legend_y=-0.25)
    if unit == "ratio":
        # As many decimals as the range needs: a trend within one point reads
        # 92.8% 93.0% 93.2%, never "93% 93% 93%" (issue 10).
        values = [v for trace in fig.data for v in (trace.y or ()) if isinstance(v, (int, float))]
        fig.update_yaxes(tickformat=figures.ratio_tickformat(values, pad=0.05))
    return fig


# The desk charts without the Plotly toolbar: it sat on top of the data.
DESK_GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def _trend(info: dict[str, Any], period: str, grain: str, lang: str, ctx: _desk.DeskContext) -> html.Div:
    view = ctx.major or ctx.department
    total_name = (view["name_en"] if lang == "en" else view["name_zh"]) if view else t("grain_school", lang)
    built = _trend_json(
        service.current_snapshot_id(),
        info["id"],
        info["unit"],
        period,
        grain,
        ctx.scope.key,
        ctx.major_code or "",
        lang,
        total_name,
    )
    if "notice" in built:
        body: Any = html.P(t(built["notice"], lang), className="notice")
    else:
        body = dcc.Graph(id=ids.IND_TREND, figure=built["figure"], config=DESK_GRAPH_CONFIG)
    title = t("desk_trend", lang) + ("" if period.startswith("day:") else f" · {desk_period(period, lang)}")
    return html.Div([html.H2(title), body], className="desk-panel")


@cache.memoize()
def _trend_json(
    snapshot_id: int | None,
    metric_id: str,
    unit: str,
    period: str,
    grain: str,
    scope_key: str,
    major: str,
    lang: str,
    total_name: str,
) -> dict[str, Any]:
    """The trend figure as a plain dict, built once per snapshot, scope and selection:
    building a Plotly figure with its template costs ~90 ms, too much for every load."""
    scope = service.Scope.from_key(scope_key)
    hist = drilldown.history(metric_id, period, grain, scope, lang, major=major or None)
    dates = hist["as_of"]
    has_total = any(v is not None for v in hist["series"][0]["values"])
    if len(dates) < 2 or not (has_total or len(hist["series"]) > 1):
        return {"notice": "desk_no_history" if len(dates) < 2 else "desk_no_total_trend"}
    fig = go.Figure()
    # A gap without snapshots stays a gap (no line drawn across missing weeks).
    x, ys = figures.with_gaps(dates, [s["values"] for s in hist["series"]])
    for s, y in zip(hist["series"], ys, strict=True):
        total = s["key"] == "__total__"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                connectgaps=False,
                name=total_name if total else s["name"],
                mode="lines+markers",
                visible=True if total or not has_total else "legendonly",
                line={"width": 3 if total else 1.5},
            )
        )
    return {"figure": _figure_layout(fig, unit, lang, dates=dates).to_plotly_json()}


def _series(info: dict[str, Any], kind: str, lang: str, ctx: _desk.DeskContext) -> html.Div | None:
    if kind not in ("month", "week"):
        return None
    fig = _series_json(
        service.current_snapshot_id(),
        info["id"],
        info["unit"],
        kind,
        ctx.scope.key,
        ctx.major_code or "",
        lang,
    )
    if fig is None:
        return None
    return html.Div(
        [
            html.H2(t(f"desk_series_{kind}", lang)),
            dcc.Graph(id=ids.IND_SERIES, figure=fig, config=DESK_GRAPH_CONFIG),
        ],
        className="desk-panel",
    )


@cache.memoize()
def _series_json(
    snapshot_id: int | None, metric_id: str, unit: str, kind: str, scope_key: str, major: str, lang: str
) -> dict[str, Any] | None:
    """The 12 months / 13 weeks inside the snapshot as a figure dict (cached like the trend)."""
    scope = service.Scope.from_key(scope_key)
    points = drilldown.period_series(metric_id, kind, scope, major=major or None)
    if not points:
        return None
    fig = go.Figure(
        go.Bar(
            x=[desk_period(p["period"], lang) for p in points],
            y=[p["value"] for p in points],
            marker_color=figures.DESK_COLOURS[0],
            name=service.metric_label(metric_id, lang),
        )
    )
    return _figure_layout(fig, unit, lang).to_plotly_json()


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
    try:
        ctx = _desk.desk_context(query)
    except service.OutOfScope:
        return _desk.refused(query)
    info = drilldown.metric_info(metric_id or "", ctx.scope)
    if info is None:
        return _unknown(metric_id, lang)
    state = drilldown.indicator_state(info["id"], ctx.scope)
    if state is None:
        return html.Div([html.H1(_name(info, lang)), html.P(t("desk_no_snapshot", lang))], className="desk")
    if ctx.major is not None:
        state = {**state, "grains": []}  # nothing below a major
    period, grain = pick(query, state)
    data = (
        drilldown.breakdown(info["id"], period, grain, ctx.scope, lang, major=ctx.major_code)
        if period
        else None
    )
    if data is not None and not service.is_due(info["id"], period, state["snapshot"]["as_of"]):
        # The cohort has not reached the point where this indicator is measured: say so
        # instead of showing the 0 the engine computes for it.
        data = {**data, "total": None, "rows": [], "not_due": True}
    controls = _desk.filter_bar(
        ctx,
        [
            _desk.choice(
                t("desk_period", lang),
                ids.IND_PERIOD,
                [{"label": desk_period(p, lang), "value": p} for p in state["periods"]],
                period,
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
    )
    path = f"/indicator/{info['id']}"
    body = (
        _major_cohorts(info, ctx, lang)
        if ctx.major is not None
        else (
            html.P(t("not_yet_due_text", lang), className="notice not-due")
            if data and data.get("not_due")
            else (_table(info, data, lang, query) if data else html.P(t("desk_no_values", lang)))
        )
    )
    return html.Div(
        [
            dcc.Location(id=ids.DESK_LOCATION, refresh="callback-nav"),
            _desk.breadcrumb(ctx, query, path, _name(info, lang)),
            _desk.history_note(ctx),
            html.Div(
                [
                    html.H1(_name(info, lang)),
                    html.Span(info["id"], className="desk-id"),
                    html.Span(
                        f"{t('as_of', lang)} {desk_date(state['snapshot']['as_of'], lang)}",
                        className="desk-asof",
                    ),
                    export_buttons(query, desk=True, path=f"/indicator/{metric_id}"),
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
                                t("desk_major_cohorts", lang)
                                if ctx.major is not None
                                else f"{t('desk_breakdown', lang)} · {desk_period(period, lang) if period else ''}"  # noqa: E501
                            ),
                            html.Button(t("desk_csv", lang), id=ids.IND_CSV_BUTTON, className="desk-button"),
                            dcc.Download(id=ids.IND_CSV),
                        ],
                        className="desk-panel-head",
                    ),
                    body,
                ],
                className="desk-panel",
            ),
            _trend(info, period, grain, lang, ctx) if period else None,
            _series(info, period.split(":")[0], lang, ctx) if period else None,
        ],
        className="desk desk-indicator",
    )


def _major_cohorts(info: dict[str, Any], ctx: _desk.DeskContext, lang: str) -> html.Div:
    """A major's value in every cohort the snapshot holds (its cohort figures)."""
    points = drilldown.period_series(info["id"], "cohort", ctx.scope, major=ctx.major_code)
    if not points:
        return html.P(t("desk_no_values", lang), className="notice")
    rows = [
        html.Tr(
            [
                html.Td(desk_period(p["period"], lang)),
                html.Td(desk_number(p["value"], info["unit"], lang), className="num"),
            ]
        )
        for p in reversed(points)
    ]
    head = html.Thead(
        html.Tr([html.Th(t("desk_cohort", lang)), html.Th(t("desk_value", lang), className="num")])
    )
    return html.Div(
        html.Table([head, html.Tbody(rows)], className="desk-table", id=ids.IND_MAJOR_COHORTS),
        className="desk-scroll",
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
    Input(ids.DESK_DEPARTMENT, "value"),
    Input(ids.DESK_AS_OF, "date"),
    State(ids.DESK_LOCATION, "search"),
    prevent_initial_call=True,
)
def select(
    period: str | None, grain: str | None, department: str | None, as_of: str | None, search: str | None
):
    """A selector changed: write it into the URL; Pages renders the new state (and
    checks the department against the scope there: the URL never widens it)."""
    old = dict(parse_qsl((search or "").lstrip("?")))
    changes: dict[str, str | None] = {"period": period, "grain": grain}
    if (department or "") != old.get("department", ""):
        changes.update(department=department or None, major=None)
    latest = service.snapshot_dates(auth.request_scope())[:1]
    as_of = (as_of or "")[:10] or None
    changes["as_of"] = None if as_of is None or [as_of] == latest else as_of
    new = with_query(search, **changes)
    return no_update if new == (search or "") else new


def csv_bytes(metric_id: str, query: dict[str, str]) -> tuple[bytes, str] | None:
    """The breakdown the URL shows, as CSV in UTF-8 with a BOM (Excel then
    reads the Chinese correctly), raw values beside the displayed ones."""
    import csv
    import io

    lang = lang_of(query)
    try:
        ctx = _desk.desk_context(query)
    except service.OutOfScope:
        return None
    info = drilldown.metric_info(metric_id, ctx.scope)
    state = drilldown.indicator_state(metric_id, ctx.scope) if info else None
    if info is None or state is None:
        return None
    period, grain = pick(query, state)
    data = (
        drilldown.breakdown(metric_id, period, grain, ctx.scope, lang, major=ctx.major_code)
        if period
        else None
    )
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
                status_label(r.get("status"), lang),
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
    return _desk.send_csv(csv_bytes(metric_id, dict(parse_qsl((search or "").lstrip("?")))))
