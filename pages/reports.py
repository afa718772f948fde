"""/reports: the weekly-report archive (周报归档).

Every report the weekly job made (``python -m cockpit report`` or the
schedule), grouped by ISO week, newest week first: the school's report, then
each department's, with their PDF and PNG files (size) and when they were
generated. The files download through /reports/files/<path> (cockpit/files.py,
which only ever serves files inside the archive folder): the A4 PDF report, the
screen PNG and the summary card. An empty archive says
when the weekly job fills it. Read from cockpit.files.archive_entries.

Admins also get a panel to make a week's reports now (this week's is labelled
partial): the button starts the run (cockpit.files.start_report_run) and an
interval polls its progress lines until it is done.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from cockpit import files, service
from cockpit.i18n import lang_of, t
from pages import ids

dash.register_page(__name__, path="/reports", name="周报归档", title="领导驾驶舱 · 周报归档", order=40)

FORMAT_ORDER = ("pdf", "png", "card")  # the A4 report, the screen, the summary card


def _size(n: Any, lang: str) -> str:
    """1.2 MB, 356 KB, 880 B."""
    if not isinstance(n, int | float):
        return "—"
    for unit, step in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= step:
            v = n / step
            return f"{v:.1f} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{int(n)} B"


def _week_label(week: str, lang: str) -> str:
    year, _, num = week.partition("-W")
    if not num.isdigit():
        return week
    return t("reports_week", lang).format(year=year, week=int(num))


def _report_name(kind: str, department: str | None, lang: str) -> str:
    if kind != "department" or not department:
        return t("reports_school", lang)
    from cockpit import auth

    dept = service.department(department, auth.request_scope())
    name = (dept["name_en"] if lang == "en" else dept["name_zh"]) if dept else department
    return t("reports_department", lang).format(name=name)


def group_reports(entries: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """[(week, [report])], newest week first; a report gathers the files of one
    (kind, department) in that week: {"kind", "department", "files": {fmt: entry},
    "created"}; the school's report first, then departments by code."""
    weeks: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for e in entries:
        kind = "department" if e.get("kind") == "department" else "school"
        key = (kind, e.get("department") or "" if kind == "department" else "")
        rep = weeks.setdefault(e["week"], {}).setdefault(
            key, {"kind": kind, "department": key[1] or None, "files": {}, "created": ""}
        )
        rep["files"][e["format"]] = e
        rep["created"] = max(rep["created"], e.get("created") or "")
    out = []
    for week in sorted(weeks, reverse=True):
        reps = weeks[week]
        out.append((week, [reps[k] for k in sorted(reps, key=lambda k: (k[0] != "school", k[1]))]))
    return out


def _format_label(fmt: str, lang: str) -> str:
    try:
        return t(f"reports_format_{fmt}", lang)
    except KeyError:
        return fmt.upper()


def _file_link(entry: dict[str, Any], lang: str) -> html.A:
    return html.A(
        [
            html.Span(_format_label(entry["format"], lang), className="report-format"),
            html.Span(_size(entry.get("size"), lang), className="report-size"),
        ],
        href=entry["url"],
        download=entry.get("name") or "",
        className="report-file",
        title=entry.get("name") or entry["path"],
        **{"data-format": entry["format"], "data-path": entry["path"]},
    )


def _week_section(week: str, reports: list[dict[str, Any]], lang: str) -> html.Section:
    head = html.Thead(
        html.Tr([html.Th(t(k, lang)) for k in ("reports_report", "reports_files", "reports_created")])
    )
    rows = []
    for rep in reports:
        fmts = sorted(rep["files"], key=lambda f: (FORMAT_ORDER.index(f) if f in FORMAT_ORDER else 9, f))
        rows.append(
            html.Tr(
                [
                    html.Td(_report_name(rep["kind"], rep["department"], lang), className="report-name"),
                    html.Td([_file_link(rep["files"][f], lang) for f in fmts], className="report-files"),
                    html.Td(rep["created"] or "—", className="report-created"),
                ],
                className=f"report-row report-{rep['kind']}",
                **{"data-kind": rep["kind"], "data-department": rep["department"] or ""},
            )
        )
    return html.Section(
        [
            html.Div(
                [
                    html.H2(_week_label(week, lang)),
                    html.Span(week, className="desk-id"),
                    html.Span(t("reports_count", lang).format(n=len(reports)), className="desk-asof"),
                ],
                className="desk-head",
            ),
            html.Div(html.Table([head, html.Tbody(rows)], className="desk-table"), className="desk-scroll"),
        ],
        className="desk-panel report-week",
        **{"data-week": week},
    )


def _generate_panel(lang: str) -> html.Div | None:
    """The admins' panel: a week, a button, the run's progress."""
    from cockpit import auth

    ident = auth.current_identity()
    if ident is None or not ident.is_admin:
        return None
    weeks = files.report_weeks()
    options = [
        {"label": _week_label(w, lang) + (f" · {t('reports_partial', lang)}" if i == 0 else ""), "value": w}
        for i, w in enumerate(weeks)
    ]
    return html.Div(
        [
            html.H2(t("reports_generate", lang)),
            html.Div(
                [
                    dcc.Dropdown(id=ids.REPORTS_WEEK, options=options, value=weeks[1], clearable=False),
                    html.Button(
                        t("reports_generate_button", lang), id=ids.REPORTS_START, className="btn btn-primary"
                    ),
                ],
                className="reports-generate-controls",
            ),
            dcc.Store(id=ids.REPORTS_RUN),
            dcc.Interval(id=ids.REPORTS_POLL, interval=1000, disabled=True),
            html.Div(
                id=ids.REPORTS_PROGRESS,
                className="reports-progress",
                role="status",
                **{"aria-live": "polite"},
            ),
        ],
        id=ids.REPORTS_GENERATE,
        className="desk-panel reports-generate",
        **{"data-lang": lang},
    )


@callback(
    Output(ids.REPORTS_RUN, "data"),
    Output(ids.REPORTS_POLL, "disabled"),
    Output(ids.REPORTS_PROGRESS, "children"),
    Input(ids.REPORTS_START, "n_clicks"),
    State(ids.REPORTS_WEEK, "value"),
    State(ids.REPORTS_GENERATE, "data-lang"),
    prevent_initial_call=True,
)
def start_run(n_clicks: int | None, week: str, lang: str):
    """The button: start the run (admins only; files.start_report_run checks)."""
    lang = "en" if lang == "en" else "zh"
    try:
        run = files.start_report_run(week)
    except (PermissionError, ValueError, RuntimeError) as e:
        return no_update, True, html.P(f"{t('reports_generate_failed', lang)}: {e}", className="is-error")
    return run, False, html.P(t("reports_generate_started", lang).format(week=week))


@callback(
    Output(ids.REPORTS_PROGRESS, "children", allow_duplicate=True),
    Output(ids.REPORTS_POLL, "disabled", allow_duplicate=True),
    Input(ids.REPORTS_POLL, "n_intervals"),
    State(ids.REPORTS_RUN, "data"),
    State(ids.REPORTS_GENERATE, "data-lang"),
    prevent_initial_call=True,
)
def poll_run(_n: int, run: str | None, lang: str):
    """The run's progress lines; when it is done, its outcome and the poll stops."""
    lang = "en" if lang == "en" else "zh"
    state = files.report_run(run) if run else None
    if state is None:
        return no_update, True
    lines = [html.Li(line) for line in state.get("lines", [])[-12:]]
    if not state.get("done"):
        head = html.P([html.Span(className="reports-spinner"), t("reports_generate_running", lang)])
        return [head, html.Ul(lines)], False
    if state.get("ok"):
        head = html.P(
            [
                t("reports_generate_done", lang).format(n=state.get("files", 0), week=state["week"]),
                " ",
                dcc.Link(
                    t("reports_generate_reload", lang),
                    href="/reports" + ("?lang=en" if lang == "en" else ""),
                    refresh=True,
                ),
            ],
            className="is-done",
        )
    else:
        head = html.P(f"{t('reports_generate_failed', lang)}: {state.get('error')}", className="is-error")
    return [head, html.Ul(lines)], True


def layout(**query: str) -> html.Div:
    lang = lang_of(query)
    from cockpit import auth

    grouped = group_reports(files.archive_entries(auth.request_scope()))
    if grouped:
        body: Any = html.Div(
            [_week_section(week, reports, lang) for week, reports in grouped],
            id=ids.REPORTS_ARCHIVE,
            className="reports-archive",
        )
    else:
        body = html.Div(
            html.P(t("reports_empty", lang)),
            id=ids.REPORTS_EMPTY,
            className="desk-panel reports-empty",
        )
    return html.Div(
        [
            html.Div(
                [
                    html.H1(t("reports_title", lang)),
                    html.Span(t("reports_intro", lang), className="desk-asof"),
                ],
                className="desk-head",
            ),
            _generate_panel(lang),
            body,
        ],
        className="desk desk-reports",
    )
