"""/internships: the internship office's list (实习单位问题清单) — the host enterprises of
the current internship cohort with an uninsured or underpaid internship or a low
enterprise score, with their counts.

One AG Grid, sortable by code and counts (enterprise and department names never sort:
the Unicode order of Chinese names means nothing), CSV export of what the URL shows.
?department=CODE (the filter bar, pages/_desk.py) counts that department's
internships only, always inside the signed-in scope (a code outside it is refused); a
dean sees their department's internships at each host. Figures come from
cockpit.drilldown only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from cockpit import auth, drilldown, service
from cockpit.i18n import desk_date, desk_number, desk_period, lang_of, t
from pages import _desk, ids
from pages._export import export_buttons

dash.register_page(
    __name__, path="/internships", name="实习单位", title="领导驾驶舱 · 实习单位问题清单", order=32
)

COUNTS = ("internships", "uninsured", "underpaid", "pay_known", "low_score")


def _intro(data: dict[str, Any], lang: str) -> str:
    cohort = desk_period(data["period"], lang) if data.get("period") else ""
    low = data.get("low_score_below")
    if low is None:
        return t("hosts_intro_no_low", lang).format(cohort=cohort)
    return t("hosts_intro", lang).format(cohort=cohort, low=f"{low:g}")


def _records(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    sep = "、" if lang == "zh" else ", "
    return [
        {
            **{k: r[k] for k in ("enterprise", "name", *COUNTS, "avg_score", "score_n")},
            "partner": t("yes", lang) if r["is_partner"] else "",
            "avg_score_text": desk_number(r["avg_score"], "score", lang),
            "departments": sep.join(d["name"] for d in r["departments"]),
        }
        for r in rows
    ]


def _columns(data: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    number = {"type": "rightAligned", "filter": False}
    cols: list[dict[str, Any]] = [
        {"headerName": t("hosts_enterprise", lang), "field": "name", "sortable": False, "minWidth": 240},
        {"headerName": t("hosts_code", lang), "field": "enterprise", "minWidth": 200},
        {"headerName": t("hosts_partner", lang), "field": "partner", "minWidth": 70, "maxWidth": 90},
        {"headerName": t("hosts_internships", lang), "field": "internships", **number},
        {
            "headerName": t("hosts_uninsured", lang),
            "field": "uninsured",
            "cellClassRules": {"level-critical": "params.value > 0"},
            **number,
        },
        {
            "headerName": t("hosts_underpaid", lang),
            "field": "underpaid",
            "cellClassRules": {"level-warning": "params.value > 0"},
            **number,
        },
        {
            "headerName": t("hosts_avg_score", lang),
            "field": "avg_score",
            "valueFormatter": {"function": "params.data.avg_score_text"},
            **number,
        },
    ]
    if data.get("low_score_below") is not None:
        cols.append(
            {
                "headerName": t("hosts_low_score", lang),
                "field": "low_score",
                "cellClassRules": {"level-warning": "params.value > 0"},
                **number,
            }
        )
    cols.append(
        {
            "headerName": t("hosts_departments", lang),
            "field": "departments",
            "sortable": False,
            "minWidth": 160,
        }
    )
    return cols


def _grid(data: dict[str, Any], lang: str) -> Any:
    rows = data["rows"]
    return _desk.grid(
        ids.HOSTS_GRID,
        _columns(data, lang),
        _records(rows, lang),
        min_width=84,
        wrap_headers=True,
        scroll_after=40,
    )


def _body(data: dict[str, Any], ctx: _desk.DeskContext) -> list:
    lang = ctx.lang
    if data["rows"] is None:
        return [html.P(t("hosts_not_computed", lang), className="notice")]
    if not service.allows_metric("internship_insured_rate", ctx.scope):
        return [html.P(t("hosts_family_note", lang), className="notice")]
    totals = data.get("totals") or {}
    summary = [
        t("hosts_count", lang).format(n=len(data["rows"])),
        f"{t('hosts_uninsured', lang)} {desk_number(totals.get('uninsured'), 'count', lang)}",
        f"{t('hosts_underpaid', lang)} {desk_number(totals.get('underpaid'), 'count', lang)}",
    ]
    if data.get("low_score_below") is not None:
        summary.append(f"{t('hosts_low_score', lang)} {desk_number(totals.get('low_score'), 'count', lang)}")
    head = html.Div(
        [
            html.H2(_intro(data, lang), className="hosts-intro"),
            html.Button(t("desk_csv", lang), id=ids.HOSTS_CSV_BUTTON, className="desk-button"),
            dcc.Download(id=ids.HOSTS_CSV),
        ],
        className="desk-panel-head",
    )
    body = (
        _grid(data, lang)
        if data["rows"]
        else html.P(t("hosts_none", lang), className="notice", id="hosts-none")
    )
    return [
        html.Div(
            [head, html.P(" · ".join(summary), className="desk-summary", id="hosts-summary"), body],
            id=ids.HOSTS_PANEL,
            className="desk-panel",
        )
    ]


def layout(**query: str) -> html.Div:
    lang = lang_of(query)
    try:
        ctx = _desk.desk_context(query)
    except service.OutOfScope:
        return _desk.refused(query)
    data = drilldown.internship_hosts(ctx.scope, lang)
    if data is None:
        return html.Div(
            [html.H1(t("hosts_title", lang)), html.P(t("desk_no_snapshot", lang))], className="desk"
        )
    as_of = data.get("as_of")
    return html.Div(
        [
            dcc.Location(id=ids.HOSTS_LOCATION, refresh="callback-nav"),
            _desk.breadcrumb(ctx, query, "/internships", t("hosts_title", lang)),
            _desk.history_note(ctx),
            html.Div(
                [
                    html.H1(t("hosts_title", lang)),
                    html.Span(f"{t('as_of', lang)} {desk_date(as_of, lang)}", className="desk-asof")
                    if as_of
                    else None,
                    export_buttons(query, desk=True, path="/internships"),
                ],
                className="desk-head",
            ),
            _desk.filter_bar(ctx),
            *_body(data, ctx),
        ],
        className="desk desk-internships",
    )


@callback(
    Output(ids.HOSTS_LOCATION, "search"),
    Input(ids.DESK_DEPARTMENT, "value"),
    Input(ids.DESK_AS_OF, "date"),
    State(ids.HOSTS_LOCATION, "search"),
    prevent_initial_call=True,
)
def select(department: str | None, as_of: str | None, search: str | None):
    """The filter bar changed: write it into the URL; Pages renders the new state and
    checks the department against the scope there (the URL never widens it)."""
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
    """The host list the URL shows, as CSV in UTF-8 with a BOM; None outside the scope."""
    import csv
    import io

    lang = lang_of(query)
    try:
        ctx = _desk.desk_context(query)
    except service.OutOfScope:
        return None
    data = drilldown.internship_hosts(ctx.scope, lang)
    if not data or not data["rows"]:
        return None
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            t("hosts_enterprise", lang),
            t("hosts_code", lang),
            t("hosts_partner", lang),
            t("hosts_internships", lang),
            t("hosts_uninsured", lang),
            t("hosts_underpaid", lang),
            t("hosts_pay_known", lang),
            t("hosts_avg_score", lang),
            t("hosts_low_score", lang),
            t("hosts_departments", lang),
            t("desk_period", lang),
        ]
    )
    for r in data["rows"]:
        w.writerow(
            [
                r["name"],
                r["enterprise"],
                t("yes", lang) if r["is_partner"] else "",
                r["internships"],
                r["uninsured"],
                r["underpaid"],
                r["pay_known"],
                "" if r["avg_score"] is None else repr(r["avg_score"]),
                "" if r["low_score"] is None else r["low_score"],
                " ".join(d["code"] for d in r["departments"]),
                data["period"],
            ]
        )
    dept = f"_{ctx.department['code']}" if ctx.department else ""
    name = f"internship_hosts_{str(data['period']).replace(':', '-')}{dept}.csv"
    return out.getvalue().encode("utf-8-sig"), name


@callback(
    Output(ids.HOSTS_CSV, "data"),
    Input(ids.HOSTS_CSV_BUTTON, "n_clicks"),
    State(ids.HOSTS_LOCATION, "search"),
    prevent_initial_call=True,
)
def download(_clicks: int | None, search: str | None):
    """CSV of what the URL shows, read again from the service (not from the grid)."""
    return _desk.send_csv(csv_bytes(dict(parse_qsl((search or "").lstrip("?")))))
