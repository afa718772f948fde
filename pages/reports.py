"""/reports: the weekly-report archive (周报归档).

Every report the weekly job made (``python -m cockpit report`` or the
schedule), grouped by ISO week, newest week first: the school's report, then
each department's, with their PDF and PNG files (size) and when they were
generated. The files download through /reports/files/<path> (cockpit/files.py,
which only ever serves files inside the archive folder): the A4 PDF report, the
screen PNG and the summary card. An empty archive says
which command fills it. Read from cockpit.files.archive_entries.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import html

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
            html.P(
                [
                    t("reports_empty", lang).split("python -m cockpit report")[0],
                    html.Code("python -m cockpit report"),
                    t("reports_empty", lang).split("python -m cockpit report")[1],
                ]
            ),
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
            body,
        ],
        className="desk desk-reports",
    )
