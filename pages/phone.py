"""/m: 今日校情 — the phone home (how leaders open links in 钉钉 / 企业微信).

The KPI cards of the signed-in scope — value, target, status, change on the week —
and the number of alerts of that scope, each card a link to its indicator page
(the language kept). Light on purpose: no Plotly figure, no callback of its own, a
few kilobytes of layout; the figures are the wall's tiles (service.wall_tiles) so
the phone and the wall never disagree.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from cockpit import service
from cockpit.i18n import fmt_change, fmt_date, fmt_time, fmt_value, lang_of, status_label, t
from pages import ids

dash.register_page(__name__, path="/m", name="今日校情", title="领导驾驶舱 · 今日校情", order=5)


def _scope() -> service.Scope:
    """The request's scope, from the signed-in session (cockpit.auth)."""
    from cockpit import auth

    return auth.request_scope()


def change_class(delta: float | None, higher_is_better: bool) -> str:
    """better / worse for the leader, neutral when nothing changed or nothing to compare."""
    if delta is None or delta == 0:
        return "neutral"
    return "better" if (delta > 0) == higher_is_better else "worse"


def _card(tile: dict[str, Any], lang: str) -> dcc.Link:
    """One KPI card, a link to its indicator page (the language kept)."""
    unit = tile["unit"]
    level = tile.get("status")
    delta = tile["change_week"]
    target = tile["target"]
    href = f"/indicator/{tile['metric']}" + ("?lang=en" if lang == "en" else "")
    card = dbc.Card(
        [
            html.Div(service.metric_label(tile["metric"], lang), className="phone-name"),
            html.Div(
                [
                    html.Span(fmt_value(tile["value"], unit, lang), className="phone-value"),
                    html.Span(
                        status_label(level, lang),
                        className=f"phone-level level-{level or 'ok'}",
                    ),
                ],
                className="phone-figure",
            ),
            html.Div(
                f"{t('target', lang)} {fmt_value(target, unit, lang)}" if target is not None else "\u00a0",
                className="phone-target",
            ),
            html.Div(
                [f"{t('vs_week', lang)} ", html.B(fmt_change(delta, unit, lang))],
                className="phone-change " + change_class(delta, tile["higher_is_better"]),
            ),
        ],
        className=f"phone-card level-{level or 'ok'}",
    )
    # dcc.Link (the app's own navigation, no page reload) takes no data-* attribute:
    # the metric sits on a wrapper inside it.
    return dcc.Link(
        html.Div(card, className="phone-card-wrap", **{"data-metric": tile["metric"]}),
        href=href,
        className="phone-card-link",
    )


def layout(**query: str) -> html.Div:
    lang = lang_of(query)
    scope = _scope()
    head = service.wall_header(scope)
    if head is None:
        return html.Div(
            [html.H1(t("phone_title", lang)), html.P(t("no_snapshot", lang), className="notice")],
            className="phone",
        )
    tiles = service.wall_tiles(scope)
    alerts = len(service.wall_alerts(scope))
    return html.Div(
        [
            html.Header(
                [
                    html.Div(head["school"], className="phone-school"),
                    html.H1(t("phone_title", lang)),
                    html.Div(
                        f"{t('as_of', lang)} {fmt_date(head['as_of'], lang)} · "
                        f"{t('updated_at', lang)} {fmt_time(head['updated_at'])}",
                        className="phone-asof",
                    ),
                ],
                className="phone-head",
            ),
            # The count opens the full list (/alerts) of the same scope.
            dcc.Link(
                html.Div(
                    [
                        html.Span(t("alerts", lang), className="phone-alerts-label"),
                        html.B(str(alerts), className="phone-alerts-count"),
                        html.Span(t("phone_alerts_unit", lang), className="phone-alerts-unit"),
                    ],
                    id=ids.PHONE_ALERTS,
                    className="phone-alerts" + (" has-alerts" if alerts else ""),
                    **{"data-count": alerts},
                ),
                href="/alerts" + ("?lang=en" if lang == "en" else ""),
                className="phone-alerts-link",
            ),
            dbc.Row(
                [dbc.Col(_card(tile, lang), xs=6, md=4, lg=3) for tile in tiles],
                id=ids.PHONE_CARDS,
                className="phone-cards g-2",
            ),
        ],
        className="phone",
    )
