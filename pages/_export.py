"""The export buttons: PNG and PDF of a wall screen for the current snapshot.

Not a page (the leading underscore). Plain links to ``/export/view.<fmt>``
(cockpit/files.py), so the browser downloads the file the server renders; no
callback. The wall screens export themselves (the school, or the page's
department); the desk pages (indicator, approvals) export the school screen and
say so. Never shown in the kiosk view (?kiosk=1): a wall has nobody to click.
"""

from __future__ import annotations

from typing import Any

from dash import html

from cockpit.files import EXPORT_FORMATS, export_url
from cockpit.i18n import t
from pages import ids


def export_buttons(
    query: dict[str, Any], department: str | None = None, *, desk: bool = False, pdf: bool = True
) -> html.Div | None:
    """The PNG/PDF links for the school screen (``department`` None or "") or one
    department's; None in the kiosk view. ``desk``: the light desk style and
    labels naming the school screen. ``pdf`` False: the viewer may not read the
    report of this view (a dean on the school screen), so no PDF link."""
    if str(query.get("kiosk") or "") == "1":
        return None
    lang = "en" if query.get("lang") == "en" else "zh"
    prefix = "export_school_" if desk else "export_"
    links = [
        html.A(
            t(prefix + fmt, lang),
            href=export_url(fmt, department or None),
            download="",
            className="export-button",
            title=t("export_school_title" if desk else "export_title", lang),
            **{"data-format": fmt},
        )
        for fmt in EXPORT_FORMATS
        if pdf or fmt != "pdf"
    ]
    return html.Div(
        links,
        id=ids.EXPORT_BUTTONS,
        className="export-buttons desk-export" if desk else "export-buttons wall-export",
        **{"data-department": department or ""},
    )
