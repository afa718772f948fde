"""Labels in 中文 (default) and English (?lang=en), and Chinese number/date formats.

Indicator names come from the catalog (name_zh / name_en); everything else a
screen says is a key here. Sections: SHELL, WALL, DESK — add keys to the
section of the page that uses them.
"""

from __future__ import annotations

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # -- SHELL ---------------------------------------------------------------
    "app_title": ("领导驾驶舱", "Leadership cockpit"),
    "as_of": ("数据截至", "Data as of"),
    "updated_at": ("更新于", "Updated"),
    "stale": (
        "数据可能已过时：最近一次成功刷新早于计划的两次刷新时间，请检查刷新任务和数据源。",
        "Data may be stale: the last successful refresh is older than two refresh intervals.",
    ),
    # -- WALL ----------------------------------------------------------------
    # -- DESK ----------------------------------------------------------------
}


def lang_of(query: dict | None) -> str:
    """The language a page speaks: ?lang=en switches to English, anything else is 中文."""
    return "en" if (query or {}).get("lang") == "en" else "zh"


def t(key: str, lang: str = "zh") -> str:
    """The label for a key; an unknown key is a bug, so it raises."""
    zh, en = LABELS[key]
    return en if lang == "en" else zh
