"""/departments (各学院): every department in the signed-in scope with its key figures and
status, sortable by code or by any figure, each linking to its screen and to its view of
each indicator. Reads cockpit.service.department_overview (scoped, cached)."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from cockpit import auth, service
from cockpit.i18n import desk_date, desk_number, lang_of, status_label, t
from pages import _desk, ids
from pages._export import export_buttons

dash.register_page(__name__, path="/departments", name="各学院", title="领导驾驶舱 · 各学院", order=5)


def _columns(metrics: list[str], lang: str) -> list[dict[str, Any]]:
    cols: list[dict[str, Any]] = [
        {
            "headerName": t("dept_code", lang),
            "field": "code",
            "sort": "asc",
            "maxWidth": 110,
            "pinned": "left",
        },
        {
            "headerName": t("dept_name", lang),
            "field": "screen",
            "cellRenderer": "markdown",
            "sortable": False,
            "minWidth": 170,
        },
    ]
    for m in metrics:
        # The cell shows the value as a link; sorting compares the numbers behind it.
        value = f"(nodeA.data['{m}__value'] ?? -Infinity) - (nodeB.data['{m}__value'] ?? -Infinity)"
        cols.append(
            {
                "headerName": service.metric_label(m, lang),
                "field": f"{m}__text",
                "cellRenderer": "markdown",
                "comparator": {"function": value},
                "type": "rightAligned",
                "cellClassRules": {
                    "level-critical": {"function": f"params.data['{m}__level'] === 'critical'"},
                    "level-warning": {"function": f"params.data['{m}__level'] === 'warning'"},
                },
                "minWidth": 120,
            }
        )
    cols.append(
        {"headerName": t("dept_alerts", lang), "field": "alerts", "type": "rightAligned", "maxWidth": 110}
    )
    cols.append({"headerName": t("dept_status", lang), "field": "status", "sortable": False, "maxWidth": 110})
    return cols


def _rows(depts: list[dict[str, Any]], query: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    rows = []
    for d in depts:
        name = (d["name_en"] if lang == "en" else d["name_zh"]).replace("[", "(").replace("]", ")")
        ctx = _desk.context_query(query, department=d["code"], major=None)
        keep = _desk.context_query(query, department=None, major=None)
        row: dict[str, Any] = {
            "code": d["code"],
            "screen": f"[{name}](/department/{d['code']}{keep})",
            "alerts": d["alerts"],
            "status": status_label(d["level"], lang),
        }
        for m, cell in d["figures"].items():
            text = desk_number(cell["value"], cell["unit"], lang)
            row[f"{m}__value"] = cell["value"]
            row[f"{m}__level"] = cell["level"]
            # The markdown cell links the value to the department's view of the indicator.
            row[f"{m}__text"] = f"[{text}](/indicator/{m}{ctx})" if cell["value"] is not None else text
        rows.append(row)
    return rows


def layout(**query: str) -> html.Div:
    lang = lang_of(query)
    scope = auth.request_scope()
    depts = service.department_overview(scope)
    head = service.wall_header(scope) or {}
    metrics = list(depts[0]["figures"]) if depts else []
    body: Any
    if not depts:
        body = html.P(t("desk_no_values", lang), className="notice")
    else:
        body = _desk.grid(ids.DEPT_GRID, _columns(metrics, lang), _rows(depts, query, lang))
    return html.Div(
        [
            html.Div(
                [
                    html.H1(t("dept_title", lang)),
                    html.Span(
                        f"{t('as_of', lang)} {desk_date(head.get('as_of'), lang)}", className="desk-asof"
                    ),
                    export_buttons(query, desk=True, path="/departments"),
                ],
                className="desk-head",
            ),
            html.P(t("dept_intro", lang), className="desk-def"),
            html.Div(body, className="desk-panel"),
        ],
        className="desk desk-departments",
    )
