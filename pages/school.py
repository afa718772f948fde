"""校情综合大屏 (path "/"): the whole school on a fixed 1920×1080 canvas for an LED wall.

The layout renders the current snapshot at once; afterwards the figures are
redrawn only when the shell's light poll sees a new snapshot id
(ids.SNAPSHOT). That redraw callback, and the click from a department bar to
its screen, serve both wall screens (pages/department.py too): this module is
always loaded, and pattern-matching ids make a hidden screen match nothing.
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from cockpit import service
from cockpit.i18n import t
from pages import _wall, ids

dash.register_page(__name__, path="/", name="校情大屏", title="领导驾驶舱 · 校情综合大屏", order=0)


def layout(**query):
    lang = "en" if query.get("lang") == "en" else "zh"
    scope = _wall.screen_scope(None)
    if service.wall_header(scope) is None:
        return _wall.message(t("no_snapshot", lang), query, lang)
    return _wall.screen(scope, t("school_title", lang), query)


@callback(
    Output({"type": "kpi-tile", "metric": ALL}, "children"),
    Output({"type": "kpi-tile", "metric": ALL}, "className"),
    Output({"type": "wall-figure", "panel": ALL}, "figure"),
    Output({"type": "wall-text", "part": ALL}, "children"),
    Input(ids.SNAPSHOT, "data"),
    State({"type": ids.SCOPE_TYPE, "screen": ALL}, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def redraw(_snapshot_id, scopes, search):
    """A new snapshot landed: new tiles, figures and texts, in place (no page reload)."""
    if not scopes:
        raise PreventUpdate
    try:  # the store names the screen's department; the session decides if it may be seen
        scope = _wall.screen_scope(scopes[0] or None)
    except service.OutOfScope:
        raise PreventUpdate from None
    if service.wall_header(scope) is None:
        raise PreventUpdate
    lang = "en" if "lang=en" in (search or "") else "zh"
    tiles = {tl["metric"]: tl for tl in service.wall_tiles(scope)}
    figs = _wall.render_figures(scope, lang)
    texts = _wall.render_texts(scope, lang)
    tile_ids = [o["id"]["metric"] for o in ctx.outputs_list[0]]
    return (
        [_wall.tile_children(tiles[m], lang) if m in tiles else no_update for m in tile_ids],
        [_wall.tile_class(tiles[m]) if m in tiles else no_update for m in tile_ids],
        [figs.get(o["id"]["panel"], no_update) for o in ctx.outputs_list[2]],
        [texts.get(o["id"]["part"], no_update) for o in ctx.outputs_list[3]],
    )


@callback(
    Output(ids.URL, "pathname", allow_duplicate=True),
    Input(ids.panel("ranking"), "clickData"),
    prevent_initial_call=True,
)
def open_department(click):
    """A click on a department's bar opens that department's screen (the query string stays)."""
    points = (click or {}).get("points") or []
    if not points or not points[0].get("customdata"):
        raise PreventUpdate
    return f"/department/{points[0]['customdata']}"


@callback(
    Output(ids.URL, "href", allow_duplicate=True),
    Input(ids.panel("majors"), "clickData"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def open_major(click, search):
    """A click on a major's bar (a department screen) opens that major's view of the
    placement rate; the desk page checks the major against the scope again."""
    from urllib.parse import parse_qsl

    from cockpit import auth, drilldown

    points = (click or {}).get("points") or []
    code = points[0].get("customdata") if points else None
    major = drilldown.major_of(code, auth.request_scope()) if code else None
    if major is None:
        raise PreventUpdate
    lang = dict(parse_qsl((search or "").lstrip("?"))).get("lang")
    query = f"?department={major['department']}&major={major['code']}" + ("&lang=en" if lang == "en" else "")
    return "/indicator/placement_rate" + query
