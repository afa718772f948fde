"""/status: data status (数据状态) — what the figures rest on.

A visible note when the last refresh failed (the screens keep showing the
previous snapshot), the current snapshot and the next scheduled run, recent
snapshots (start, duration, status, trigger, error), data-quality counts per
rule with example keys, source row counts, and the indicators a partial
snapshot could not compute. Read from cockpit.drilldown.data_status.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from cockpit import drilldown, service
from cockpit.i18n import desk_date, desk_number, lang_of, t
from pages import ids

dash.register_page(__name__, path="/status", name="数据状态", title="领导驾驶舱 · 数据状态", order=50)


def _scope() -> service.Scope:
    """The data status is read as the whole school (leaders and admins only: the
    page rule in cockpit.auth lets nobody else open it)."""
    from cockpit import auth

    return auth.status_scope()


def _head(keys: list[tuple[str, bool]], lang: str) -> html.Thead:
    return html.Thead(html.Tr([html.Th(t(k, lang), className="num" if num else None) for k, num in keys]))


def _label(prefix: str, value: str, lang: str) -> str:
    try:
        return t(f"{prefix}_{value}", lang)
    except KeyError:
        return value


def _duration(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.1f} 秒" if lang == "zh" else f"{seconds:.1f} s"


def _failed_note(data: dict[str, Any], lang: str) -> html.Div | None:
    last = data["last_failed"]
    if last is None:
        return None
    text = f"{t('status_last_failed', lang)}（{last['started_at']}）：{last['error']}"
    if lang == "en":
        text = f"{t('status_last_failed', lang)} ({last['started_at']}): {last['error']}"
    return html.Div(
        [html.Div(text), html.Div(t("status_showing_previous", lang))],
        id=ids.STATUS_FAILED,
        className="notice failed",
        role="alert",
    )


def _snapshots(rows: list[dict[str, Any]], lang: str) -> html.Div:
    head = _head(
        [
            ("status_id", True),
            ("desk_as_of", False),
            ("status_started", False),
            ("status_duration", True),
            ("status_status", False),
            ("status_trigger", False),
            ("status_error", False),
        ],
        lang,
    )
    body = [
        html.Tr(
            [
                html.Td(str(s["id"]) + (" *" if s["current"] else ""), className="num"),
                html.Td(desk_date(s["as_of"], lang)),
                html.Td(s["started_at"] or "—"),
                html.Td(_duration(s["duration_s"], lang), className="num"),
                html.Td(_label("status", s["status"], lang), className=f"status-{s['status']}"),
                html.Td(_label("trigger", s["trigger"], lang)),
                html.Td(s["error"] or "", className="err"),
            ],
            className="current" if s["current"] else None,
            **{"data-status": s["status"]},
        )
        for s in rows
    ]
    return html.Div(
        [
            html.H2(t("status_snapshots", lang)),
            html.Div(html.Table([head, html.Tbody(body)], className="desk-table"), className="desk-scroll"),
        ],
        id=ids.STATUS_SNAPSHOTS,
        className="desk-panel",
    )


def _quality(all_rows: list[dict[str, Any]], lang: str) -> html.Div:
    rows = sorted((q for q in all_rows if q["rows"]), key=lambda q: (-q["rows"], q["rule"], q["table"]))
    clean = len(all_rows) - len(rows)
    if not rows:
        content: Any = html.P(t("status_no_quality", lang))
    else:
        head = _head(
            [
                ("status_rule", False),
                ("status_table", False),
                ("status_rows", True),
                ("status_examples", False),
            ],
            lang,
        )
        body = [
            html.Tr(
                [
                    html.Td(html.Code(q["rule"])),
                    html.Td(q["table"]),
                    html.Td(desk_number(q["rows"], "count", lang), className="num"),
                    html.Td([html.Code(k) for k in q["examples"]], className="examples"),
                ]
            )
            for q in rows
        ]
        content = html.Div(
            html.Table([head, html.Tbody(body)], className="desk-table"), className="desk-scroll"
        )
    note = html.P(t("status_clean_checks", lang).format(n=clean), className="desk-id") if clean else None
    return html.Div(
        [html.H2(t("status_quality", lang)), content, note],
        id=ids.STATUS_QUALITY,
        className="desk-panel h-100",
    )


def _sources(counts: dict[str, int], extract: dict[str, dict], lang: str) -> html.Div:
    """Rows per source table; in extract mode also what the refresh moved (MB, seconds)."""
    cols = [("status_table", False), ("status_rows", True)]
    if extract:
        cols += [("status_extract_mb", True), ("status_extract_s", True)]
    head = _head(cols, lang)
    body = []
    for name, n in counts.items():
        cells = [html.Td(html.Code(name)), html.Td(desk_number(n, "count", lang), className="num")]
        if extract:
            e = extract.get(name, {})
            cells += [
                html.Td(f"{e.get('bytes', 0) / 2**20:.1f}", className="num"),
                html.Td(f"{e.get('seconds', 0):.2f}", className="num"),
            ]
        body.append(html.Tr(cells))
    return html.Div(
        [
            html.H2(t("status_sources", lang)),
            html.Div(html.Table([head, html.Tbody(body)], className="desk-table"), className="desk-scroll"),
        ],
        id=ids.STATUS_SOURCES,
        className="desk-panel h-100",
    )


def _task_text(name: str, task: dict[str, Any], lang: str) -> str:
    """One background task's state in words: "历史回填 12/32 周", "2026-W47 已生成"."""
    state, detail = task["state"], task["detail"]
    if state == "failed":
        return t("status_task_failed", lang).format(detail=detail)
    if name == "backfill":
        if state == "done":
            return t("status_backfill_done", lang).format(total=task["total"] or 0)
        if not task["total"]:
            return t("status_backfill_starting", lang)
        return t("status_backfill_progress", lang).format(done=task["done"] or 0, total=task["total"])
    key = "status_reports_done" if state == "done" else "status_reports_running"
    return t(key, lang).format(week=detail)


def _background(tasks: dict[str, dict[str, Any]], lang: str) -> list:
    """The history that fills in after the first screen (cockpit/history.py)."""
    items: list = []
    for name, label in (("backfill", "status_backfill"), ("reports", "status_first_reports")):
        if name in tasks:
            items += [
                html.Dt(t(label, lang)),
                html.Dd(_task_text(name, tasks[name], lang), id=f"status-task-{name}"),
            ]
    return items


def _summary(data: dict[str, Any], lang: str) -> html.Div:
    cur = data["current"]
    items: list = [html.Dt(t("status_current", lang))]
    if cur:
        items.append(
            html.Dd(
                f"#{cur['id']} · {t('as_of', lang)} {desk_date(cur['as_of'], lang)} · "
                f"{_label('status', cur['status'], lang)}"
            )
        )
    else:
        items.append(html.Dd(t("desk_no_snapshot", lang)))
    items += [
        html.Dt(t("status_next_run", lang)),
        html.Dd(data["next_run"] or t("status_no_schedule", lang), id="status-next-run"),
    ]
    items += _background(data.get("background") or {}, lang)
    if data["failed_metrics"]:
        items += [
            html.Dt(t("desk_failed_metrics", lang)),
            html.Dd(
                html.Ul(
                    [html.Li([html.Code(m), " ", err]) for m, err in sorted(data["failed_metrics"].items())]
                ),
                id=ids.STATUS_FAILED + "-metrics",
            ),
        ]
    return html.Div(html.Dl(items, className="desk-dl"), className="desk-panel")


def layout(**query: str) -> html.Div:
    lang = lang_of(query)
    data = drilldown.data_status(_scope())
    return html.Div(
        [
            html.Div(html.H1(t("status_title", lang)), className="desk-head"),
            _failed_note(data, lang),
            _summary(data, lang),
            _snapshots(data["snapshots"], lang),
            dbc.Row(
                [
                    dbc.Col(_quality(data["quality"], lang), lg=8),
                    dbc.Col(_sources(data["source_counts"], data.get("extract", {}), lang), lg=4),
                ],
                className="desk-grid status-grid g-3",
            ),
        ],
        className="desk desk-status",
    )
