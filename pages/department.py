"""部门业务大屏 (path "/department/<code>"): one academic department on the wall canvas.

Same canvas, style and tile rules as the school screen, every service call
narrowed from the signed-in scope to the department (an outside code reads as
unknown). Its redraw on a new snapshot is the shared callback in pages/school.py.
An unknown code is a clear message, not a crash.
"""

from __future__ import annotations

import dash

from cockpit import service
from cockpit.i18n import t
from pages import _wall

dash.register_page(
    __name__,
    path_template="/department/<code>",
    name="部门业务大屏",
    title="领导驾驶舱 · 部门业务大屏",
    order=1,
)


def layout(code: str | None = None, **query):
    lang = "en" if query.get("lang") == "en" else "zh"
    try:
        scope = _wall.screen_scope(code) if code else None
    except service.OutOfScope:
        scope = None
    if scope is None:
        # Outside the signed-in scope: the same answer as an unknown code, so that
        # codes of other departments cannot be probed.
        return _wall.message(t("unknown_department", lang).format(code=code or ""), query, lang)
    if service.wall_header(scope) is None:
        return _wall.message(t("no_snapshot", lang), query, lang)
    dept = service.department(code or "", scope)
    if dept is None:
        return _wall.message(t("unknown_department", lang).format(code=code or ""), query, lang)
    name = dept["name_en"] if lang == "en" else dept["name_zh"]
    return _wall.screen(scope, f"{name} · {t('department_title', lang)}", query)
