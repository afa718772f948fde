"""The wall's charts as figure JSON (issue 10): every chart says its unit, tick formats
have the decimals their range needs, the industry deviation is explained, no text is
set under the wall's smallest size, and long names are wrapped, never cut."""

from __future__ import annotations

import re

import pytest

from cockpit import figures
from cockpit.scope import Scope

UNIT_WORDS = {
    "zh": ("%", "工作日", "件数", "元"),
    "en": ("%", "working days", "workdays", "items", "yuan"),
}


@pytest.fixture(scope="module")
def wall_figures(demo_store):
    """Every figure of the school screen and of a department screen, zh and en, as the
    wall draws them (plain dicts, from the demo store)."""
    from cockpit.app import create_app
    from pages import _wall

    app = create_app(demo_store.settings, schedule=False)
    out = {}
    with app.server.app_context():
        for lang in ("zh", "en"):
            for name, fig in _wall._build_figures(Scope.whole_school(), lang).items():
                out[("school", name, lang)] = fig.to_plotly_json()
            view = Scope.whole_school().narrow("JX02")
            for name, fig in _wall._build_figures(view, lang).items():
                out[("JX02", name, lang)] = fig.to_plotly_json()
    return out


def _says_unit(fig: dict, lang: str) -> list[str]:
    """Where the figure states its unit: a % tick format, an axis title, a bar label."""
    found = []
    layout = fig["layout"]
    for key, axis in layout.items():
        if not key.startswith(("xaxis", "yaxis")):
            continue
        if "%" in (axis.get("tickformat") or ""):
            found.append(f"{key}.tickformat")
        title = ((axis.get("title") or {}).get("text")) or ""
        if any(w in title for w in UNIT_WORDS[lang]):
            found.append(f"{key}.title {title}")
    for trace in fig["data"]:
        texts = trace.get("text")
        if isinstance(texts, (list, tuple)) and any(
            isinstance(x, str) and any(w in x for w in UNIT_WORDS[lang]) for x in texts
        ):
            found.append(f"{trace.get('type')}.text")
    return found


def test_every_wall_chart_says_its_unit(wall_figures):
    assert len(wall_figures) == 2 * (8 + 6)
    missing = [key for key, fig in wall_figures.items() if not _says_unit(fig, key[2])]
    assert missing == []


def test_counts_and_workdays_have_an_axis_title(wall_figures):
    """The bars of pending approvals are bare numbers: the axis says they are items."""
    for lang, word in (("zh", "件数"), ("en", "items")):
        assert wall_figures[("school", "backlog", lang)]["layout"]["xaxis"]["title"]["text"] == word
    for lang, word in (("zh", "工作日"), ("en", "working days")):
        assert wall_figures[("school", "latency", lang)]["layout"]["yaxis"]["title"]["text"] == word
        assert wall_figures[("school", "steps", lang)]["layout"]["xaxis"]["title"]["text"] == word


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_industry_deviation_is_explained(wall_figures, lang):
    fig = wall_figures[("school", "fit", lang)]
    notes = [a["text"] for a in fig["layout"].get("annotations", [])]
    expected = {
        "zh": "偏离度 = 毕业生占比 ÷ 区域需求占比 − 1",
        "en": "deviation = graduates' share ÷ regional demand share − 1",
    }[lang]
    assert expected in notes
    bar = fig["data"][0]
    assert all(re.fullmatch(r"[+-]\d+(\.\d)?%", x) for x in bar["text"]), bar["text"]
    assert ("毕业生占比" if lang == "zh" else "graduates' share") in bar["hovertemplate"]


def test_no_wall_text_under_the_smallest_size(wall_figures):
    """Fonts set in the figures (base, ticks, bar labels, annotations) are ≥ 14 px, and
    every bar chart keeps its shrunk-to-fit labels at ≥ 14 px (uniformtext)."""
    smallest = figures.THEMES["wall"]["min_text"]
    assert smallest >= 14

    def sizes(node, path=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "size" and "font" in path.rsplit(".", 1)[-1] and isinstance(v, (int, float)):
                    yield path, v
                yield from sizes(v, f"{path}.{k}")
        elif isinstance(node, list):
            for v in node:
                yield from sizes(v, path)

    for key, fig in wall_figures.items():
        small = [(p, v) for p, v in sizes(fig) if v < smallest]
        assert small == [], (key, small)
        if any(tr.get("type") == "bar" for tr in fig["data"]):
            assert fig["layout"]["uniformtext"]["minsize"] >= smallest, key
            assert fig["layout"]["uniformtext"]["mode"] == "show", key


def test_long_names_are_never_cut_on_the_ranking(wall_figures):
    """English department names are whole (issue 10: "Intelligent Manufacturin…")."""
    names = wall_figures[("school", "ranking", "en")]["data"][0]["y"]
    assert "Intelligent Manufacturing" in names
    assert not any("…" in n for n in names), names


def test_wrap_breaks_english_at_spaces_and_keeps_every_word():
    assert (
        figures._wrap("Electrical Engineering and Automation", 24)
        == "Electrical Engineering<br>and Automation"
    )
    assert figures._wrap("智能制造与工业互联网技术学院", 16) == "智能制造与工业互<br>联网技术学院"
    assert figures._wrap("short", 24) == "short"
    assert figures._wrap("a " * 40, 10).endswith("…")


def _ticks(lo: float, hi: float, fmt: str, n: int = 5) -> list[str]:
    """The labels a ratio axis over [lo, hi] shows with a d3 format like ".1%"."""
    decimals = int(fmt.strip("+.%"))
    return [f"{(lo + (hi - lo) * i / (n - 1)) * 100:.{decimals}f}%" for i in range(n)]


@pytest.mark.parametrize(
    "values, expected",
    [([0.926, 0.934], ".1%"), ([0.5, 0.9], ".0%"), ([0.9301, 0.9304], ".2%"), ([0.2], ".2%")],
)
def test_ratio_ticks_have_the_decimals_their_range_needs(values, expected):
    fmt = figures.ratio_tickformat(values)
    assert fmt == expected
    if len(values) > 1 and max(values) - min(values) >= 0.002:
        labels = _ticks(min(values), max(values), fmt)
        assert len(set(labels)) == len(labels), labels  # never "93% 93% 93%"
