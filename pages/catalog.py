"""/catalog: the indicator catalog (指标字典) — every indicator's 口径,
formula, source tables, grains, periods, direction, unit, owner, and the
configured target and thresholds, grouped by family. Each card links to the
indicator's page. Read from cockpit.drilldown.catalog_entries (the catalog
with config's thresholds), no snapshot needed.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from cockpit import drilldown
from cockpit.i18n import desk_number, lang_of, t
from pages import ids

dash.register_page(__name__, path="/catalog", name="指标字典", title="领导驾驶舱 · 指标字典", order=40)


def _card(m: dict[str, Any], lang: str) -> html.Div:
    sep = "、" if lang == "zh" else ", "
    unit = m["unit"]

    def th(v: float | None) -> str:
        return t("desk_none", lang) if v is None else desk_number(v, unit, lang)

    fields = [
        ("desk_formula", m["formula_en"] if lang == "en" else m["formula"]),
        ("desk_sources", ", ".join(m["sources"])),
        ("desk_grains", sep.join(t(f"grain_{g}", lang) for g in m["grains"])),
        ("desk_periods", sep.join(t(f"period_{p}", lang) for p in m["periods"])),
        ("desk_direction", t(f"desk_{m['direction']}", lang)),
        ("desk_unit", t(f"unit_{unit}", lang)),
        ("desk_owner", m["owner_en"] if lang == "en" else m["owner"]),
        ("desk_target", th(m["target"])),
        ("desk_warning", th(m["warning"])),
        ("desk_critical", th(m["critical"])),
    ]
    dl: list = []
    for key, value in fields:
        dl += [html.Dt(t(key, lang)), html.Dd(value)]
    href = f"/indicator/{m['id']}" + ("?lang=en" if lang == "en" else "")
    return html.Div(
        [
            html.H3(dcc.Link(m["name_en"] if lang == "en" else m["name_zh"], href=href)),
            html.Span(m["id"], className="desk-id"),
            html.P(m["definition_en"] if lang == "en" else m["definition_zh"], className="desk-def"),
            html.Dl(dl, className="desk-dl"),
        ],
        className="desk-panel catalog-card h-100",
        **{"data-metric": m["id"]},
    )


def layout(**query: str) -> html.Div:
    lang = lang_of(query)
    from cockpit import auth

    entries = drilldown.catalog_entries(auth.request_scope())
    families: dict[str, list[dict[str, Any]]] = {}
    for m in entries:
        families.setdefault(m["family"], []).append(m)
    sections = [
        html.Section(
            [
                html.H2(t(f"family_{family}", lang)),
                dbc.Row([dbc.Col(_card(m, lang), lg=6) for m in items], className="catalog-family g-3"),
            ]
        )
        for family, items in families.items()
    ]
    return html.Div(
        [
            html.Div(
                [html.H1(t("catalog_title", lang)), html.Span(str(len(entries)), className="desk-id")],
                className="desk-head",
            ),
            html.P(t("catalog_intro", lang)),
            html.Div(sections, id=ids.CATALOG_LIST, className="desk"),
        ],
        className="desk desk-catalog",
    )
