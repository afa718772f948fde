"""/admin: users, wall devices and the audit log (管理). Admins only.

The page rule of cockpit.auth keeps everyone else out of the page, and every
callback here checks again (``_admin()``): a callback is a URL of its own that
a crafted POST can reach without the page. Changes go through
cockpit.auth.accounts like the CLI and each is an audit line; the state-changing
callbacks are protected by the session's CSRF token like every Dash callback.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from cockpit import auth
from cockpit.i18n import lang_of, t
from cockpit.scope import FAMILIES, OutOfScope
from pages import ids

dash.register_page(__name__, path="/admin", name="管理", title="领导驾驶舱 · 管理", order=60)

ROLES = ("leader", "department", "office", "admin")
AUDIT_ROWS = 200  # the page shows the newest lines; the CSV has them all


def _admin():
    """The admin's identity, or OutOfScope (a 403) for anyone else."""
    ident = auth.current_identity()
    if ident is None or not ident.is_admin:
        raise OutOfScope("admins only")
    return ident


def _accounts():
    from flask import current_app

    return current_app.extensions["cockpit"].accounts


def _lang(search: str | None) -> str:
    return "en" if "lang=en" in (search or "") else "zh"


def _grant_text(values: list[str] | None, key: str, lang: str) -> str:
    if values is None:
        return t("admin_all", lang)
    return ", ".join(t(f"{key}_{v}", lang) if key else v for v in values) if key else ", ".join(values)


def users_table(lang: str) -> html.Table:
    head = ["admin_name", "admin_roles", "admin_departments", "admin_families", "admin_local", "admin_state"]
    rows = []
    for u in _accounts().users():
        rows.append(
            html.Tr(
                [
                    html.Td(u["name"]),
                    html.Td(", ".join(t(f"role_{r}", lang) for r in u["roles"])),
                    html.Td(_grant_text(u["departments"], "", lang)),
                    html.Td(
                        t("admin_all", lang)
                        if u["families"] is None
                        else ", ".join(t(f"family_{f}", lang) for f in u["families"])
                    ),
                    html.Td("✓" if u["local_password"] else "—"),
                    html.Td(t("admin_disabled", lang) if u["disabled"] else "—"),
                ],
                **{"data-user": u["name"]},
            )
        )
    return html.Table(
        [html.Thead(html.Tr([html.Th(t(k, lang)) for k in head])), html.Tbody(rows)],
        className="desk-table",
    )


def walls_table(lang: str) -> html.Table:
    rows = []
    for w in _accounts().walls():
        state = (
            "admin_revoked"
            if w["revoked_at"]
            else ("admin_enrolled" if w["enrolled_at"] else "admin_pending")
        )
        rows.append(
            html.Tr(
                [
                    html.Td(w["name"]),
                    html.Td(" ".join(w["paths"])),
                    html.Td(str(w["rotate"] or "—")),
                    html.Td(t(state, lang)),
                ],
                **{"data-wall": w["name"]},
            )
        )
    head = ["admin_wall_name", "admin_wall_paths", "admin_wall_rotate", "admin_state"]
    return html.Table(
        [html.Thead(html.Tr([html.Th(t(k, lang)) for k in head])), html.Tbody(rows)],
        className="desk-table",
    )


AUDIT_KEYS = ("at", "actor", "action", "target", "outcome", "ip", "detail")


def _audit_rows(limit: int | None) -> list[list[str]]:
    from flask import current_app

    tz = current_app.extensions["cockpit"].settings.refresh.tz
    out = []
    for line in _accounts().audit_lines(limit=limit):
        at = line["at"].astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        out.append([at, *(line[k] for k in AUDIT_KEYS[1:])])
    return out


def audit_table(lang: str) -> html.Table:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"admin_{k}", lang)) for k in AUDIT_KEYS])),
            html.Tbody([html.Tr([html.Td(v) for v in row]) for row in _audit_rows(AUDIT_ROWS)]),
        ],
        className="desk-table",
    )


def _field(label: str, control: Any) -> html.Label:
    return html.Label([html.Span(label), control], className="desk-control")


def layout(**query: str) -> html.Div:
    _admin()
    lang = lang_of(query)
    role_opts = [{"label": t(f"role_{r}", lang), "value": r} for r in ROLES]
    fam_opts = [{"label": t(f"family_{f}", lang), "value": f} for f in FAMILIES]
    user_form = html.Div(
        [
            _field(t("admin_name", lang), dcc.Input(id=ids.ADMIN_USER_NAME, type="text", maxLength=64)),
            _field(
                t("admin_roles", lang), dcc.Checklist(id=ids.ADMIN_USER_ROLE, options=role_opts, inline=True)
            ),
            _field(t("admin_departments", lang), dcc.Input(id=ids.ADMIN_USER_DEPTS, type="text")),
            _field(
                t("admin_families", lang),
                dcc.Checklist(id=ids.ADMIN_USER_FAMILIES, options=fam_opts, inline=True),
            ),
            _field(t("admin_password", lang), dcc.Input(id=ids.ADMIN_USER_PASSWORD, type="password")),
            html.Button(t("admin_save", lang), id=ids.ADMIN_USER_SAVE, className="desk-button"),
            html.Button(t("admin_remove", lang), id=ids.ADMIN_USER_REMOVE, className="desk-button"),
            html.Div(id=ids.ADMIN_USER_RESULT, className="notice", role="status"),
        ],
        id=ids.ADMIN_USER_FORM,
        className="desk-controls",
    )
    wall_form = html.Div(
        [
            _field(t("admin_wall_name", lang), dcc.Input(id=ids.ADMIN_WALL_NAME, type="text", maxLength=64)),
            _field(t("admin_wall_paths", lang), dcc.Input(id=ids.ADMIN_WALL_PATHS, type="text", value="/")),
            _field(t("admin_wall_rotate", lang), dcc.Input(id=ids.ADMIN_WALL_ROTATE, type="number", min=5)),
            html.Button(t("admin_wall_add", lang), id=ids.ADMIN_WALL_ADD, className="desk-button"),
            html.Button(t("admin_wall_revoke", lang), id=ids.ADMIN_WALL_REVOKE, className="desk-button"),
            html.Div(id=ids.ADMIN_WALL_RESULT, className="notice", role="status"),
        ],
        className="desk-controls",
    )
    return html.Div(
        [
            html.Div([html.H1(t("admin_title", lang))], className="desk-head"),
            html.Section(
                [
                    html.H2(t("admin_users", lang)),
                    user_form,
                    html.Div(users_table(lang), id=ids.ADMIN_USERS, className="desk-scroll"),
                ],
                className="desk-panel",
            ),
            html.Section(
                [
                    html.H2(t("admin_walls", lang)),
                    wall_form,
                    html.Div(walls_table(lang), id=ids.ADMIN_WALLS, className="desk-scroll"),
                ],
                className="desk-panel",
            ),
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(t("admin_audit", lang)),
                            html.Button(
                                t("admin_csv", lang), id=ids.ADMIN_AUDIT_CSV_BUTTON, className="desk-button"
                            ),
                        ],
                        className="desk-panel-head",
                    ),
                    dcc.Download(id=ids.ADMIN_AUDIT_CSV),
                    html.Div(audit_table(lang), id=ids.ADMIN_AUDIT, className="desk-scroll"),
                ],
                className="desk-panel",
            ),
        ],
        className="desk admin",
    )


@callback(
    Output(ids.ADMIN_USER_RESULT, "children"),
    Output(ids.ADMIN_USERS, "children"),
    Input(ids.ADMIN_USER_SAVE, "n_clicks"),
    Input(ids.ADMIN_USER_REMOVE, "n_clicks"),
    State(ids.ADMIN_USER_NAME, "value"),
    State(ids.ADMIN_USER_ROLE, "value"),
    State(ids.ADMIN_USER_DEPTS, "value"),
    State(ids.ADMIN_USER_FAMILIES, "value"),
    State(ids.ADMIN_USER_PASSWORD, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def change_user(_save, _remove, name, roles, depts, families, password, search):
    """Add or change (save) or remove a user; the table is read again afterwards."""
    from cockpit.auth.accounts import AccountError
    from cockpit.auth.identity import GrantError

    _admin()
    lang = _lang(search)
    name = (name or "").strip()
    acc = _accounts()
    removing = dash.ctx.triggered_id == ids.ADMIN_USER_REMOVE
    codes = [c.strip() for c in (depts or "").split(",") if c.strip()] or None
    try:
        if removing:
            acc.remove_user(name)
            auth.audit("user_remove", target=name)
        elif name in {u["name"] for u in acc.users()}:
            acc.set_user(
                name,
                roles=roles or [],
                departments=codes,
                families=families or None,
                password=password or None,
                clear_departments=codes is None,
                clear_families=not families,
            )
            auth.audit(
                "user_set", target=name, detail=f"roles={roles} departments={codes} families={families}"
            )
        else:
            acc.add_user(name, roles or [], codes, families or None, password=password or None)
            auth.audit(
                "user_add", target=name, detail=f"roles={roles} departments={codes} families={families}"
            )
    except (AccountError, GrantError) as e:
        return str(e), no_update
    return t("admin_done", lang).format(what=name), users_table(lang)


@callback(
    Output(ids.ADMIN_WALL_RESULT, "children"),
    Output(ids.ADMIN_WALLS, "children"),
    Input(ids.ADMIN_WALL_ADD, "n_clicks"),
    Input(ids.ADMIN_WALL_REVOKE, "n_clicks"),
    State(ids.ADMIN_WALL_NAME, "value"),
    State(ids.ADMIN_WALL_PATHS, "value"),
    State(ids.ADMIN_WALL_ROTATE, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def change_wall(_add, _revoke, name, paths, rotate, search):
    """Create a wall (shows its one-time link) or revoke one."""
    from urllib.parse import urlencode

    from flask import request

    from cockpit.auth.accounts import AccountError

    ident = _admin()
    lang = _lang(search)
    name = (name or "").strip()
    acc = _accounts()
    try:
        if dash.ctx.triggered_id == ids.ADMIN_WALL_REVOKE:
            acc.revoke_wall(name)
            auth.audit("wall_revoke", target=name)
            return t("admin_done", lang).format(what=name), walls_table(lang)
        plist = [p for p in (paths or "").split() if p]
        seconds = int(rotate) if rotate else None
        token = acc.add_wall(name, plist, seconds, by=ident.name)
        auth.audit("wall_add", target=name, detail=" ".join(plist))
    except (AccountError, ValueError) as e:
        return str(e), no_update
    query = {"kiosk": "1", **({"rotate": str(seconds)} if seconds else {}), "wall_token": token}
    url = request.host_url.rstrip("/") + plist[0] + "?" + urlencode(query)
    return [t("admin_wall_url", lang), html.Br(), html.Code(url, className="wall-url")], walls_table(lang)


@callback(
    Output(ids.ADMIN_AUDIT_CSV, "data"),
    Input(ids.ADMIN_AUDIT_CSV_BUTTON, "n_clicks"),
    prevent_initial_call=True,
)
def audit_csv(_clicks):
    """The whole audit log as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    _admin()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(AUDIT_KEYS)
    w.writerows(_audit_rows(None))
    auth.audit("download", target="audit.csv")
    return dcc.send_bytes(out.getvalue().encode("utf-8-sig"), "audit.csv", type="text/csv")
