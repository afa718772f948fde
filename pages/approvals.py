"""/approvals: approvals drill-down (审批效能) — process list → one process's
steps → the oldest pending instances.

/approvals lists every process with D's month volume, P50, P90 and overdue
rate and the backlog and oldest pending age at end of D; ?process=OA01 drills
into that process: its steps' median latency this month and over the 12
months of the snapshot, and its oldest pending instances. Plain links carry
the drill (dcc.Link), so the URL is the state and the back button walks back.
Figures come from cockpit.drilldown only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from cockpit import drilldown, figures, service
from cockpit.i18n import desk_date, desk_number, desk_period, lang_of, t
from pages import ids
from pages._export import export_buttons

dash.register_page(__name__, path="/approvals", name="审批效能", title="领导驾驶舱 · 审批效能", order=30)

LEVEL_KEYS = {"critical": "desk_critical", "warning": "desk_warning"}


def _scope() -> service.Scope:
    """The request's scope, from the signed-in session (cockpit.auth)."""
    from cockpit import auth

    return auth.request_scope()


def _href(lang: str, **params: str) -> str:
    if lang == "en":
        params["lang"] = "en"
    return "/approvals" + ("?" + urlencode(params) if params else "")


def _num(value: float | None, unit: str, lang: str, level: str | None = None) -> html.Td:
    cls = "num" + (f" level-{level}" if level else "")
    title = t(LEVEL_KEYS[level], lang) if level else None
    return html.Td(desk_number(value, unit, lang), className=cls, title=title)


def _head(labels: list[tuple[str, bool]], lang: str) -> html.Thead:
    return html.Thead(html.Tr([html.Th(t(k, lang), className="num" if num else None) for k, num in labels]))


def _process_table(data: dict[str, Any], lang: str) -> html.Div:
    rows = []
    for p in data["processes"]:
        rows.append(
            html.Tr(
                [
                    html.Td(dcc.Link(p["name"], href=_href(lang, process=p["process"]))),
                    html.Td(p["process"]),
                    _num(p.get("sla"), "workdays", lang),
                    _num(p.get("approval_volume"), "count", lang),
                    _num(
                        p.get("approval_latency_p50"), "workdays", lang, p.get("approval_latency_p50__level")
                    ),
                    _num(
                        p.get("approval_latency_p90"), "workdays", lang, p.get("approval_latency_p90__level")
                    ),
                    _num(
                        p.get("approval_overdue_rate"), "ratio", lang, p.get("approval_overdue_rate__level")
                    ),
                    _num(p.get("approval_backlog"), "count", lang, p.get("approval_backlog__level")),
                    _num(
                        p.get("approval_oldest_pending_days"),
                        "workdays",
                        lang,
                        p.get("approval_oldest_pending_days__level"),
                    ),
                ],
                **{"data-process": p["process"]},
            )
        )
    head = _head(
        [
            ("grain_process", False),
            ("desk_code", False),
            ("appr_sla", True),
            ("appr_volume", True),
            ("appr_p50", True),
            ("appr_p90", True),
            ("appr_overdue", True),
            ("appr_backlog", True),
            ("appr_oldest", True),
        ],
        lang,
    )
    title = f"{t('appr_processes', lang)} · {desk_period(data['month'], lang)}"
    return html.Div(
        [
            html.H2(title),
            html.Div(html.Table([head, html.Tbody(rows)], className="desk-table"), className="desk-scroll"),
        ],
        id=ids.APPR_PROCESSES,
        className="desk-panel",
    )


def _pending_table(rows: list[dict[str, Any]], lang: str, with_process: bool) -> html.Div:
    head = [("appr_instance", False)]
    if with_process:
        head.append(("grain_process", False))
    head += [("grain_department", False), ("appr_waiting_step", False), ("appr_submitted", False)]
    head.append(("appr_age", True))
    body = []
    for r in rows:
        cells = [html.Td(html.Code(r["instance_id"]))]
        if with_process:
            cells.append(html.Td(dcc.Link(r["process_name"], href=_href(lang, process=r["process"]))))
        cells += [
            html.Td(r["department_name"]),
            html.Td(r["step"] or "—"),
            html.Td(r["submitted_at"] or "—"),
            _num(r["age_workdays"], "workdays", lang),
        ]
        body.append(html.Tr(cells))
    return html.Div(
        [
            html.H2(t("appr_pending", lang)),
            html.Div(
                html.Table([_head(head, lang), html.Tbody(body)], className="desk-table"),
                className="desk-scroll",
            )
            if rows
            else html.P("—"),
        ],
        id=ids.APPR_PENDING,
        className="desk-panel",
    )


def _month_tick(period: str, i: int, lang: str) -> str:
    """Short month ticks (12月, 2026年1月) so twelve fit unrotated at 1366 wide."""
    y, m = period.split(":", 1)[1].split("-")
    if lang == "en":
        return f"{y}-{m}"
    return f"{y}年{int(m)}月" if i == 0 or m == "01" else f"{int(m)}月"


def _steps(process: str, name: str, lang: str) -> list:
    data = drilldown.process_steps(process, _scope()) or {"steps": [], "months": [], "month": ""}
    head = _head([("grain_step", False), ("appr_steps", True), ("desk_n", True), ("desk_level", False)], lang)
    body = [
        html.Tr(
            [
                html.Td(s["step"]),
                _num(s["value"], "workdays", lang, s["level"]),
                _num(s["n"], "count", lang),
                html.Td(
                    t(LEVEL_KEYS.get(s["level"], "desk_level_ok"), lang),
                    className=f"level-{s['level']}" if s["level"] else None,
                ),
            ]
        )
        for s in data["steps"]
    ]
    fig = go.Figure()
    for s in data["steps"]:
        fig.add_trace(
            go.Scatter(
                x=[_month_tick(m, i, lang) for i, m in enumerate(data["months"])],
                y=[s["series"].get(m) for m in data["months"]],
                name=s["step"],
                mode="lines+markers",
            )
        )
    figures.desk_layout(fig, height=340, legend_y=-0.18, yaxis_title=t("unit_workdays", lang))
    month = desk_period(data["month"], lang) if data["month"] else ""
    return [
        dbc.Row(
            [
                dbc.Col(
                    html.Div(
                        [
                            html.H2(f"{t('appr_steps', lang)} · {month}"),
                            html.Div(
                                html.Table([head, html.Tbody(body)], className="desk-table"),
                                className="desk-scroll",
                            ),
                        ],
                        id=ids.APPR_STEPS,
                        className="desk-panel h-100",
                    ),
                    lg=6,
                ),
                dbc.Col(
                    html.Div(
                        [
                            html.H2(t("appr_step_trend", lang)),
                            dcc.Graph(id=ids.APPR_STEP_TREND, figure=fig, config={"displaylogo": False}),
                        ],
                        className="desk-panel h-100",
                    ),
                    lg=6,
                ),
            ],
            className="desk-grid-2 g-3",
        )
    ]


def layout(process: str | None = None, **query: str) -> html.Div:
    lang = lang_of(query)
    data = drilldown.approvals_processes(_scope(), lang)
    if data is None:
        return html.Div(
            [html.H1(t("appr_title", lang)), html.P(t("desk_no_snapshot", lang))], className="desk"
        )
    as_of = data["day"].split(":", 1)[1]
    head = html.Div(
        [
            html.H1(t("appr_title", lang)),
            html.Span(f"{t('as_of', lang)} {desk_date(as_of, lang)}", className="desk-asof"),
            export_buttons(query, desk=True),
        ],
        className="desk-head",
    )
    if not process:
        children: list = [head]
        if data["processes"]:
            children.append(_process_table(data, lang))
        else:
            children.append(html.P(t("desk_scope_note", lang), className="notice"))
        children.append(
            _pending_table(drilldown.oldest_pending(_scope(), lang=lang), lang, with_process=True)
        )
        return html.Div(children, className="desk desk-approvals")
    match = next((p for p in data["processes"] if p["process"] == process), None)
    back = dcc.Link("← " + t("appr_back", lang), href=_href(lang), className="desk-back")
    if match is None:
        return html.Div(
            [head, back, html.P(t("appr_unknown_process", lang) + process, className="notice failed")],
            className="desk desk-approvals",
            role="alert",
        )
    summary = _process_table({**data, "processes": [match]}, lang)
    pending = drilldown.oldest_pending(_scope(), process=process, lang=lang)
    return html.Div(
        [
            head,
            back,
            html.H2(f"{match['name']}（{process}）" if lang == "zh" else f"{match['name']} ({process})"),
            summary,
            *_steps(process, match["name"], lang),
            _pending_table(pending, lang, with_process=False),
        ],
        className="desk desk-approvals",
    )
