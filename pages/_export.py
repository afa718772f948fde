"""The export buttons: 导出图片 / 导出PDF of exactly this page, and the 周报 link.

Not a page (the leading underscore). Each button is a link to
``/export/view.<fmt>?path=<this page with its query string>`` (cockpit/files.py):
the server renders that very view — filters, language, scope — in a warm
headless browser and sends a PNG or a one-page PDF. ``assets/export.js`` makes
the click a fetch with visible progress (the button says it is preparing the
file, then the browser saves it under the server's file name; a failure shows
the server's one-line reason) and reads the page's CURRENT address at click
time, so filters changed since the page loaded are exported too. Without
JavaScript the link still downloads (no progress). The 周报 (weekly report) is
a separate link to the archive (/reports), shown to those who may read it.
Never shown in the kiosk view (?kiosk=1): a wall has nobody to click.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from cockpit.files import EXPORT_FORMATS, export_url
from cockpit.i18n import t
from pages import ids


def _view(path: str, query: dict[str, Any]) -> str:
    """The page's address as the browser shows it (for the link without JavaScript)."""
    items = {k: v for k, v in query.items() if v not in (None, "") and not isinstance(v, list | dict)}
    return path + ("?" + urlencode(items) if items else "")


def export_buttons(
    query: dict[str, Any],
    department: str | None = None,
    *,
    desk: bool = False,
    pdf: bool = True,
    path: str | None = None,
) -> html.Div | None:
    """The PNG/PDF buttons of this page (``path``; default the school screen, or
    ``department``'s screen) and, when ``pdf`` (the viewer may read this view's
    weekly report), the 周报 link to the archive. ``desk``: the light desk style.
    None in the kiosk view."""
    if str(query.get("kiosk") or "") == "1":
        return None
    lang = "en" if query.get("lang") == "en" else "zh"
    page = path or (f"/department/{department}" if department else "/")
    view = _view(page, query)
    items: list[Any] = [
        html.A(
            t("export_" + fmt, lang),
            href=export_url(fmt, view),
            download="",
            className="export-button",
            title=t("export_title", lang),
            **{
                "data-format": fmt,
                "data-busy": t("export_busy", lang),
                "data-failed": t("export_failed", lang),
            },
        )
        for fmt in EXPORT_FORMATS
    ]
    if pdf:
        items.append(
            dcc.Link(
                t("export_weekly", lang),
                href="/reports" + ("?lang=en" if lang == "en" else ""),
                className="export-button export-weekly",
                title=t("export_weekly_title", lang),
            )
        )
    items.append(html.Span(className="export-status", role="status", **{"aria-live": "polite"}))
    return html.Div(
        items,
        id=ids.EXPORT_BUTTONS,
        className="export-buttons desk-export" if desk else "export-buttons wall-export",
        **{"data-department": department or ""},
    )
