"""/approvals: approvals drill-down (审批效能) — process list → one process's steps in
workflow order → the instances pending at one step.

/approvals lists every process with D's month volume, P50, P90 and overdue rate and
the backlog and oldest pending age at end of D, and the oldest pending instances;
?process=OA01 drills into that process: its steps in workflow order (contract
``step_no``) with how many instances wait at each, their median latency this month
and over the 12 months of the snapshot; ?process=OA01&step=财务处审核 lists the
instances waiting at that step (AG Grid, CSV): applicant department, submitted at,
working-day age against the process's SLA (past it highlighted), each id linking to
the school's OA system when config ``approvals.item_url`` is set.

?department=CODE (the filter bar, pages/_desk.py) narrows the pending instances and
counts to that applicant department, always inside the signed-in scope; a code
outside it is refused. Step latencies are school-level figures and stay as the
grant sees them. Plain links carry the drill (dcc.Link), so the URL is the state and
the back button walks back. Figures come from cockpit.drilldown only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html, no_update

from cockpit import auth, drilldown, figures, service
from cockpit.i18n import desk_date, desk_number, desk_period, lang_of, t
from pages import _desk, ids
from pages._export import export_buttons

dash.register_page(__name__, path="/approvals", name="审批效能", title="领导驾驶舱 · 审批效能", order=30)

LEVEL_KEYS = {"critical": "desk_critical", "warning": "desk_warning"}


def _grant() -> service.Scope:
    """The request's grant from the signed-in session (cockpit.auth): the school-level
    process and step figures. The department filter narrows the pending instances only."""
    return auth.request_scope()


def _href(query: dict[str, Any], process: str | None = None, step: str | None = None) -> str:
    """/approvals keeping the desk context (department, as_of, lang) of ``query``."""
    return "/approvals" + _desk.context_query(query, major=None, process=process, step=step)


def _num(value: float | None, unit: str, lang: str, level: str | None = None) -> html.Td:
    cls = "num" + (f" level-{level}" if level else "")
    title = t(LEVEL_KEYS[level], lang) if level else None
    return html.Td(desk_number(value, unit, lang), className=cls, title=title)


def _head(labels: list[tuple[str, bool]], lang: str) -> html.Thead:
    return html.Thead(html.Tr([html.Th(t(k, lang), className="num" if num else None) for k, num in labels]))


def _process_table(data: dict[str, Any], lang: str, query: dict[str, Any]) -> html.Div:
    rows = []
    for p in data["processes"]:
        rows.append(
            html.Tr(
                [
                    html.Td(dcc.Link(p["name"], href=_href(query, process=p["process"]))),
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


def _pending_table(
    rows: list[dict[str, Any]], lang: str, with_process: bool, query: dict[str, Any]
) -> html.Div:
    head = [("appr_instance", False)]
    if with_process:
        head.append(("grain_process", False))
    head += [("grain_department", False), ("appr_waiting_step", False), ("appr_submitted", False)]
    head.append(("appr_age", True))
    body = []
    for r in rows:
        cells = [html.Td(html.Code(r["instance_id"]))]
        if with_process:
            cells.append(html.Td(dcc.Link(r["process_name"], href=_href(query, process=r["process"]))))
        step = r["step"]
        cells += [
            html.Td(r["department_name"]),
            html.Td(dcc.Link(step, href=_href(query, process=r["process"], step=step)) if step else "—"),
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


def _steps_table(
    process: str, data: dict[str, Any], pending: dict[str, Any], lang: str, query: dict, current: str | None
) -> html.Div:
    """The process's steps in workflow order: pending in the scope (a link to them), P50."""
    head = _head(
        [
            ("appr_step_no", True),
            ("grain_step", False),
            ("appr_step_pending", True),
            ("appr_step_oldest", True),
            ("appr_steps", True),
            ("desk_n", True),
            ("desk_level", False),
        ],
        lang,
    )
    names = [s["step"] for s in data["steps"]]
    steps = list(data["steps"]) + [
        {"step": name, "position": None, "value": None, "n": None, "level": None}
        for name in sorted(set(pending["steps"]) - set(names))
    ]
    body = []
    for s in steps:
        waiting = pending["steps"].get(s["step"], {})
        body.append(
            html.Tr(
                [
                    html.Td(s["position"] or "—", className="num"),
                    html.Td(dcc.Link(s["step"], href=_href(query, process=process, step=s["step"]))),
                    _num(waiting.get("pending", 0), "count", lang),
                    _num(waiting.get("oldest_age"), "workdays", lang),
                    _num(s["value"], "workdays", lang, s["level"]),
                    _num(s["n"], "count", lang),
                    html.Td(
                        t(LEVEL_KEYS.get(s["level"], "desk_level_ok"), lang),
                        className=f"level-{s['level']}" if s["level"] else None,
                    ),
                ],
                className="current" if s["step"] == current else None,
                **{"data-step": s["step"]},
            )
        )
    note = (
        html.P(t("appr_no_step", lang).format(n=pending["no_step"]), className="notice")
        if pending["no_step"]
        else None
    )
    month = desk_period(data["month"], lang) if data["month"] else ""
    return html.Div(
        [
            html.H2(f"{t('appr_workflow', lang)} · {month}"),
            html.Div(html.Table([head, html.Tbody(body)], className="desk-table"), className="desk-scroll"),
            note,
        ],
        id=ids.APPR_STEPS,
        className="desk-panel",
    )


def _step_trend(data: dict[str, Any], lang: str) -> html.Div:
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
    return html.Div(
        [
            html.H2(t("appr_step_trend", lang)),
            dcc.Graph(id=ids.APPR_STEP_TREND, figure=fig, config={"displaylogo": False}),
        ],
        className="desk-panel",
    )


def _md(text: str) -> str:
    """Text safe inside a markdown link label."""
    return "".join("\\" + c if c in "\\[]()*_`<>#!|" else c for c in str(text))


def _grid_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        url = r.get("url")
        link = f"[{_md(r['instance_id'])}]({url.replace('(', '%28').replace(')', '%29')})" if url else None
        out.append(
            {
                "instance_id": r["instance_id"],
                "instance": link or _md(r["instance_id"]),
                "department": r["department"],
                "department_name": r["department_name"],
                "submitted_at": r["submitted_at"],
                "age_workdays": r["age_workdays"],
                "age_text": desk_number(r["age_workdays"], "workdays", lang),
                "step_age_workdays": r["step_age_workdays"],
                "step_age_text": desk_number(r["step_age_workdays"], "workdays", lang),
                "sla_workdays": r["sla_workdays"],
                "sla_text": desk_number(r["sla_workdays"], "workdays", lang),
                "over_sla": r["over_sla"],
                "over_text": t("appr_over_yes", lang) if r["over_sla"] else "",
            }
        )
    return out


def _pending_grid(data: dict[str, Any], lang: str) -> Any:
    """The instances at one step: ids (links to the OA), department, ages against the SLA.
    Sorted by age (oldest first); codes and values sort, names never do."""
    if not data["rows"]:
        return html.P(t("appr_none_at_step", lang), className="notice")
    number = {"type": "rightAligned", "filter": False}
    over = {"over-sla": "params.data.over_sla"}
    cols = [
        {
            "headerName": t("appr_instance", lang),
            "field": "instance",
            "cellRenderer": "markdown",
            "cellRendererParams": {"linkTarget": "_blank"},
            "minWidth": 170,
        },
        {"headerName": t("appr_department", lang), "field": "department_name", "sortable": False},
        {"headerName": t("desk_code", lang), "field": "department", "maxWidth": 110},
        {"headerName": t("appr_submitted", lang), "field": "submitted_at", "minWidth": 170},
        {
            "headerName": t("appr_age", lang),
            "field": "age_workdays",
            "valueFormatter": {"function": "params.data.age_text"},
            "sort": "desc",
            "cellClassRules": over,
            **number,
        },
        {
            "headerName": t("appr_step_age", lang),
            "field": "step_age_workdays",
            "valueFormatter": {"function": "params.data.step_age_text"},
            **number,
        },
        {
            "headerName": t("appr_sla", lang),
            "field": "sla_workdays",
            "valueFormatter": {"function": "params.data.sla_text"},
            **number,
        },
        {
            "headerName": t("appr_over_sla", lang),
            "field": "over_text",
            "cellClassRules": over,
            "maxWidth": 110,
        },
    ]
    return _desk.grid(
        ids.APPR_PENDING_GRID,
        cols,
        _grid_rows(data["rows"], lang),
        wrap_headers=True,
        scroll_after=40,
        rowClassRules=over,
    )


def _at_step(process: str, step: str, ctx: _desk.DeskContext) -> html.Div:
    lang = ctx.lang
    data = drilldown.pending_at_step(ctx.scope, process, step, lang) or {"rows": [], "count": 0}
    shown = len(data["rows"])
    count = data["count"]
    summary = (
        t("appr_at_step_count", lang).format(n=count)
        if shown >= count
        else t("appr_at_step_listed", lang).format(n=count, shown=shown)
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H2(f"{t('appr_at_step', lang)} · {step}"),
                    html.Button(t("desk_csv", lang), id=ids.APPR_CSV_BUTTON, className="desk-button"),
                    dcc.Download(id=ids.APPR_CSV),
                ],
                className="desk-panel-head",
            ),
            html.P(summary, className="desk-summary", id="approvals-step-count"),
            _pending_grid(data, lang),
        ],
        id=ids.APPR_STEP_PENDING,
        className="desk-panel",
    )


def _no_snapshot(lang: str) -> html.Div:
    return html.Div([html.H1(t("appr_title", lang)), html.P(t("desk_no_snapshot", lang))], className="desk")


def layout(process: str | None = None, step: str | None = None, **query: str) -> html.Div:
    lang = lang_of(query)
    try:
        ctx = _desk.desk_context(query)
    except service.OutOfScope:
        return _desk.refused(query)
    query = {**query, "process": process, "step": step}
    grant = _grant()
    data = drilldown.approvals_processes(grant if grant.view is None else ctx.scope, lang)
    if data is None:
        return _no_snapshot(lang)
    as_of = data["day"].split(":", 1)[1]
    match = next((p for p in data["processes"] if p["process"] == process), None) if process else None
    item = t("appr_title", lang)
    if match is not None:
        item = match["name"] + (f" › {step}" if step else "")
    head = [
        dcc.Location(id=ids.APPR_LOCATION, refresh="callback-nav"),
        _desk.breadcrumb(ctx, query, "/approvals", item),
        _desk.history_note(ctx),
        html.Div(
            [
                html.H1(t("appr_title", lang)),
                html.Span(f"{t('as_of', lang)} {desk_date(as_of, lang)}", className="desk-asof"),
                export_buttons({**query, "process": process, "step": step}, desk=True, path="/approvals"),
            ],
            className="desk-head",
        ),
        _desk.filter_bar(ctx),
    ]
    if ctx.department is not None:
        head.append(html.P(t("appr_filter_note", lang), className="notice"))
    if not process:
        children: list = list(head)
        if data["processes"]:
            children.append(_process_table(data, lang, query))
        else:
            children.append(html.P(t("desk_scope_note", lang), className="notice"))
        pending = drilldown.oldest_pending(ctx.scope, lang=lang)
        children.append(_pending_table(pending, lang, with_process=True, query=query))
        return html.Div(children, className="desk desk-approvals")
    back = dcc.Link("← " + t("appr_back", lang), href=_href(query), className="desk-back")
    if match is None:
        return html.Div(
            [*head, back, html.P(t("appr_unknown_process", lang) + process, className="notice failed")],
            className="desk desk-approvals",
            role="alert",
        )
    steps = drilldown.process_steps(process, grant if grant.view is None else ctx.scope) or {
        "steps": [],
        "months": [],
        "month": "",
    }
    waiting = drilldown.step_pending(process, ctx.scope)
    title = f"{match['name']}（{process}）" if lang == "zh" else f"{match['name']} ({process})"
    summary = _process_table({**data, "processes": [match]}, lang, query)
    steps_panel = _steps_table(process, steps, waiting, lang, query, step)
    if step:
        known = {s["step"] for s in steps["steps"]} | set(waiting["steps"])
        back = dcc.Link(
            "← " + t("appr_back_process", lang), href=_href(query, process=process), className="desk-back"
        )
        body: list = (
            [_at_step(process, step, ctx), steps_panel]
            if step in known
            else [html.P(t("appr_unknown_step", lang) + step, className="notice failed"), steps_panel]
        )
        return html.Div([*head, back, html.H2(title), *body], className="desk desk-approvals")
    pending = drilldown.oldest_pending(ctx.scope, process=process, lang=lang)
    return html.Div(
        [
            *head,
            back,
            html.H2(title),
            summary,
            steps_panel,
            _step_trend(steps, lang),
            _pending_table(pending, lang, with_process=False, query=query),
        ],
        className="desk desk-approvals",
    )


# -- callbacks -------------------------------------------------------------------------


@callback(
    Output(ids.APPR_LOCATION, "search"),
    Input(ids.DESK_DEPARTMENT, "value"),
    Input(ids.DESK_AS_OF, "date"),
    State(ids.APPR_LOCATION, "search"),
    prevent_initial_call=True,
)
def select(department: str | None, as_of: str | None, search: str | None):
    """The filter bar changed: write it into the URL (process and step kept); Pages renders
    the new state and checks the department against the scope there."""
    from pages.indicator import with_query

    old = dict(parse_qsl((search or "").lstrip("?")))
    changes: dict[str, str | None] = {}
    if (department or "") != old.get("department", ""):
        changes.update(department=department or None, major=None)
    latest = service.snapshot_dates(auth.request_scope())[:1]
    day = (as_of or "")[:10] or None
    changes["as_of"] = None if day is None or [day] == latest else day
    new = with_query(search, **changes)
    return no_update if new == (search or "") else new


def csv_bytes(query: dict[str, str]) -> tuple[bytes, str] | None:
    """The instances the URL's step shows, as CSV in UTF-8 with a BOM (Excel reads the
    Chinese), raw values beside the displayed ones; None outside the scope."""
    import csv
    import io

    lang = lang_of(query)
    process, step = query.get("process"), query.get("step")
    if not process or not step:
        return None
    try:
        ctx = _desk.desk_context(query)
    except service.OutOfScope:
        return None
    data = drilldown.pending_at_step(ctx.scope, process, step, lang)
    if data is None:
        return None
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            t("appr_instance", lang),
            t("grain_process", lang),
            t("grain_step", lang),
            t("appr_department", lang),
            t("desk_code", lang),
            t("appr_submitted", lang),
            t("appr_age", lang),
            t("appr_step_age", lang),
            t("appr_sla", lang),
            t("appr_over_sla", lang),
            "URL",
        ]
    )
    for r in data["rows"]:
        w.writerow(
            [
                r["instance_id"],
                process,
                step,
                r["department_name"],
                r["department"],
                r["submitted_at"],
                "" if r["age_workdays"] is None else repr(r["age_workdays"]),
                "" if r["step_age_workdays"] is None else repr(r["step_age_workdays"]),
                "" if r["sla_workdays"] is None else repr(r["sla_workdays"]),
                t("appr_over_yes", lang) if r["over_sla"] else "",
                r.get("url") or "",
            ]
        )
    safe = "".join(c if c.isalnum() else "_" for c in f"{process}_{data['step']}")
    name = f"pending_{safe}.csv"
    return out.getvalue().encode("utf-8-sig"), name


@callback(
    Output(ids.APPR_CSV, "data"),
    Input(ids.APPR_CSV_BUTTON, "n_clicks"),
    State(ids.APPR_LOCATION, "search"),
    prevent_initial_call=True,
)
def download(_clicks: int | None, search: str | None):
    """CSV of the step the URL shows, read again from the service (not from the grid)."""
    return _desk.send_csv(csv_bytes(dict(parse_qsl((search or "").lstrip("?")))))
