"""What every desk page shares: the department / major / past-snapshot context of the
URL, always inside the signed-in scope, its breadcrumb and its filter bar.

Not a page (the leading underscore). ``desk_context(query)`` reads
``?department=CODE``, ``?major=CODE`` and ``?as_of=YYYY-MM-DD``: the department
narrows the request's scope (cockpit.auth) — a code outside the grant raises
OutOfScope, which the page shows as a refusal — the major must belong to that
view, and the as-of date pins the request to that day's snapshot. Links built
with ``context_query`` keep the context, so a leader who opened a department
stays in it from page to page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import dash_ag_grid as dag
from dash import dcc, html, no_update

from cockpit import auth, drilldown, service
from cockpit.i18n import desk_date, t
from pages import ids

CONTEXT_KEYS = ("department", "major", "as_of", "lang")


@dataclass(frozen=True)
class DeskContext:
    """The narrowed scope and what the URL selected."""

    scope: service.Scope
    department: dict[str, str] | None
    major: dict[str, Any] | None
    as_of: str | None  # the pinned past date, None for the current snapshot
    lang: str

    @property
    def major_code(self) -> str | None:
        return self.major["code"] if self.major else None


def desk_context(query: dict[str, Any]) -> DeskContext:
    """The page's context from its query; raises service.OutOfScope for a department or
    major outside the signed-in scope (unknown ones read the same)."""
    lang = "en" if query.get("lang") == "en" else "zh"
    as_of = service.pin_as_of(query.get("as_of")) if query.get("as_of") else None
    grant = auth.request_scope()
    code = str(query.get("department") or "").strip() or None
    scope = grant.narrow(code)
    dept = service.department(code, scope) if code else None
    if code and dept is None:
        raise service.OutOfScope(f"no department {code!r} in this scope")
    major = drilldown.major_of(str(query.get("major") or "").strip() or None, scope)
    if query.get("major") and major is None:
        raise service.OutOfScope("no such major in this scope")
    if major is not None and code is None:
        # A major opened without its department: its department is the view.
        scope = grant.narrow(major["department"])
        dept = service.department(major["department"], scope)
    return DeskContext(scope=scope, department=dept, major=major, as_of=as_of, lang=lang)


def context_query(query: dict[str, Any], **changes: Any) -> str:
    """The context keys of ``query`` (department, major, as_of, lang) with ``changes``
    (None drops a key), as "?..." or ""."""
    kept = {k: query.get(k) for k in CONTEXT_KEYS if query.get(k)}
    for k, v in changes.items():
        if v is None:
            kept.pop(k, None)
        else:
            kept[k] = v
    return "?" + urlencode(kept, safe=":") if kept else ""


def _name(entry: dict[str, Any], lang: str) -> str:
    return entry["name_en"] if lang == "en" else entry["name_zh"]


def breadcrumb(ctx: DeskContext, query: dict[str, Any], path: str, item: str) -> html.Nav:
    """全校 › 学院 › 专业 › item, each step a link that keeps the other context."""
    lang = ctx.lang
    steps: list[Any] = [
        dcc.Link(t("crumb_school", lang), href=path + context_query(query, department=None, major=None))
    ]
    if ctx.department is not None:
        steps.append(
            dcc.Link(
                _name(ctx.department, lang),
                href=path + context_query(query, department=ctx.department["code"], major=None),
            )
        )
    if ctx.major is not None:
        steps.append(
            dcc.Link(
                _name(ctx.major, lang),
                href=path + context_query(query, department=ctx.major["department"], major=ctx.major["code"]),
            )
        )
    steps.append(html.Span(item, className="crumb-current"))
    parts: list[Any] = []
    for i, step in enumerate(steps):
        if i:
            parts.append(html.Span("›", className="crumb-sep", **{"aria-hidden": "true"}))
        parts.append(step)
    return html.Nav(parts, id=ids.DESK_CRUMBS, className="desk-crumbs", **{"aria-label": "breadcrumb"})


def history_note(ctx: DeskContext) -> html.Div | None:
    """The label that says the page shows a past snapshot, with the way back to today."""
    if ctx.as_of is None:
        return None
    return html.Div(
        [
            html.B(t("desk_history", ctx.lang)),
            " " + t("desk_history_text", ctx.lang).format(date=desk_date(ctx.as_of, ctx.lang)) + " ",
        ],
        id=ids.DESK_HISTORY,
        className="notice history",
        role="status",
    )


def choice(label: str, control_id: str, options: list[dict[str, Any]], value: Any) -> html.Label:
    """A labelled dropdown of the filter bar (no clearing: every filter has an "all" or a default)."""
    return html.Label(
        [
            html.Span(label),
            dcc.Dropdown(
                id=control_id, options=options, value=value, clearable=False, className="desk-dropdown"
            ),
        ],
        className="desk-control",
    )


def filter_bar(ctx: DeskContext, extra: list | None = None) -> html.Div:
    """The department filter (departments of the signed-in grant) and the snapshot date."""
    lang = ctx.lang
    grant = auth.request_scope()
    options = [{"label": t("crumb_school", lang), "value": ""}] + [
        {"label": f"{_name(d, lang)}", "value": d["code"]} for d in service.academic_departments(grant)
    ]
    dept = ctx.department["code"] if ctx.department else ""
    dates = service.snapshot_dates(grant)
    current = ctx.as_of or (dates[0] if dates else None)
    picker = (
        dcc.DatePickerSingle(
            id=ids.DESK_AS_OF,
            date=current,
            min_date_allowed=dates[-1] if dates else None,
            max_date_allowed=dates[0] if dates else None,
            disabled_days=_missing_days(dates),
            display_format="YYYY-MM-DD",
            first_day_of_week=1,
            clearable=False,
            className="desk-date",
        )
        if dates
        else dcc.DatePickerSingle(id=ids.DESK_AS_OF, disabled=True)
    )
    return html.Div(
        [
            choice(t("desk_department", lang), ids.DESK_DEPARTMENT, options, dept),
            html.Label([html.Span(t("desk_snapshot", lang)), picker], className="desk-control"),
            *(extra or []),
        ],
        className="desk-controls",
    )


def _missing_days(dates: list[str]) -> list[str]:
    """Days between the first and last snapshot without one: the picker disables them."""
    from datetime import date, timedelta

    if len(dates) < 2:
        return []
    have = set(dates)
    first, last = date.fromisoformat(dates[-1]), date.fromisoformat(dates[0])
    out, day = [], first
    while day <= last:
        if day.isoformat() not in have:
            out.append(day.isoformat())
        day += timedelta(days=1)
    return out


def refused(query: dict[str, Any]) -> html.Div:
    """What a desk page shows for a department or major outside the scope (or unknown)."""
    lang = "en" if query.get("lang") == "en" else "zh"
    return html.Div(
        [html.H1(t("desk_out_of_scope", lang)), dcc.Link(t("back_to_school", lang), href="/")],
        className="desk desk-missing",
        role="alert",
    )


# -- shared desk widgets ------------------------------------------------------------------


def grid(
    grid_id: str,
    columns: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    *,
    scroll_after: int | None = None,
    min_width: int = 90,
    wrap_headers: bool = False,
    **options: Any,
) -> dag.AgGrid:
    """The desk pages' AG Grid: resizable, sortable columns that fill the card, every
    column and row rendered (readers, Ctrl-F and tests see them all); with
    ``scroll_after`` a longer list scrolls inside a 70 %-high card instead. ``options``
    are extra dashGridOptions (rowClassRules ...)."""
    tall = scroll_after is not None and len(rows) > scroll_after
    default = {"resizable": True, "sortable": True, "flex": 1, "minWidth": min_width}
    if wrap_headers:
        default.update(wrapHeaderText=True, autoHeaderHeight=True)
    return dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        rowData=rows,
        defaultColDef=default,
        columnSize="responsiveSizeToFit",
        dashGridOptions={
            "domLayout": "normal" if tall else "autoHeight",
            "animateRows": False,
            "suppressColumnVirtualisation": True,
            **options,
        },
        className="ag-theme-alpine desk-grid-table",
        style={"width": "100%", "height": "70vh"} if tall else {"width": "100%"},
    )


def send_csv(made: tuple[bytes, str] | None) -> Any:
    """A dcc.Download answer for (content, file name), or no update when there is none."""
    if made is None:
        return no_update
    content, filename = made
    return dcc.send_bytes(content, filename, type="text/csv")
