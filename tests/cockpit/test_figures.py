"""Figure builders: the traces hold exactly the values they are given."""

from __future__ import annotations

import pytest

from cockpit import figures
from cockpit.i18n import fmt_change, fmt_date, fmt_value


def test_progress_traces():
    data = {
        "cohort": 2026,
        "previous_cohort": 2025,
        "days": ["2026-11-15", "2026-11-21"],
        "previous_days": ["2025-11-15", "2025-11-21"],
        "current": [0.8, 0.9],
        "previous": [0.7, 0.75],
    }
    fig = figures.progress_figure(data)
    cur, prev = fig.data  # last season drawn last: above this season, never hidden
    assert list(cur.y) == [0.8, 0.9] and list(prev.y) == [0.7, 0.75]
    assert cur.name == "2026届" and prev.name == "2025届"
    assert prev.line.dash == "dash" and prev.line.color != cur.line.color
    assert figures.progress_figure(data, lang="en").data[0].name == "Class of 2026"


def test_ranking_bars_start_at_zero():
    rows = [
        {"code": "D1", "name_zh": "甲", "value": 0.98, "level": None},
        {"code": "D2", "name_zh": "乙", "value": 0.826},
    ]
    fig = figures.ranking_figure(rows, "ratio", 0.95)
    assert list(fig.layout.xaxis.range) == [0.0, 1.0]


def test_ranking_best_on_top_with_codes():
    rows = [
        {"code": "D1", "name_zh": "机电学院", "value": 0.95, "level": None},
        {"code": "D2", "name_zh": "商学院", "value": 0.70, "level": "critical"},
    ]
    bar = figures.ranking_figure(rows, "ratio", 0.95).data[0]
    assert list(bar.x) == [0.70, 0.95]  # plotly draws the first category at the bottom
    assert list(bar.customdata) == ["D2", "D1"]
    assert list(bar.text) == ["70.0%", "95.0%"]
    assert bar.marker.color[0] == figures.THEMES["wall"]["critical"]


def test_deviation_and_process_bars():
    data = {
        "index": 0.75,
        "sections": [
            {"code": "F", "name_zh": "批发和零售业", "deviation": -0.25, "supply": 0.15, "demand": 0.2},
            {"code": "C", "name_zh": "制造业", "deviation": 0.5, "supply": 0.3, "demand": 0.2},
        ],
    }
    bar = figures.deviation_figure(data).data[0]
    assert list(bar.x) == [-0.25, 0.5]
    assert [c[1:] for c in bar.customdata] == [[0.15, 0.2], [0.3, 0.2]]
    rows = [{"process": "P1", "step": "校长审批", "name_zh": "报销", "value": 2.5}]
    b = figures.process_bars_figure(rows, "workdays").data[0]
    assert list(b.x) == [2.5] and list(b.y) == ["报销 · 校长审批"]
    # the bar says the number, the axis its unit, the hover both
    assert list(b.text) == ["2.5"] and list(b.customdata) == ["2.5个工作日"]
    fig = figures.process_bars_figure(rows, "workdays")
    assert fig.layout.xaxis.title.text == figures.unit_title("workdays", "zh")
    long = [{"process": "P2", "step": "分管校领导审批", "name_en": "School-Enterprise Cooperation Agreement",
             "name_zh": "校企合作协议", "value": 1.9}]  # fmt: skip
    (label,) = figures.process_bars_figure(long, "workdays", "en").data[0].y
    assert label == "School-Enterprise<br>Cooperation Agreement ·<br>分管校领导审批"  # whole, never cut


def test_latency_with_sla_and_internship():
    weeks = {"weeks": ["2026-W46", "2026-W47"], "p50": [1.5, 1.2], "p90": [6.0, 4.0], "sla": 5.0}
    fig = figures.latency_figure(weeks)
    assert [list(tr.y) for tr in fig.data] == [[6.0, 4.0], [1.5, 1.2], [5.0, 5.0]]
    items = [
        {"metric": "internship_rate", "name": "参与率", "unit": "ratio", "value": 0.4, "target": 1.0},
        {
            "metric": "internship_insured_rate",
            "name": "保险",
            "unit": "ratio",
            "value": 0.98,
            "target": 1.0,
            "gap": True,
        },
    ]
    bar = figures.internship_figure(items).data[0]
    assert list(bar.x) == [0.98, 0.4]
    assert bar.marker.color[0] == figures.THEMES["wall"]["critical"]


def test_destinations_and_empty():
    data = {
        "industry_fit_rate": [{"code": "D1", "name_zh": "机电学院", "value": 0.6}],
        "province_employment_rate": [{"code": "D1", "name_zh": "机电学院", "value": 0.8}],
        "city_employment_rate": [],
    }
    fig = figures.destinations_figure(data)
    assert [list(tr.x) for tr in fig.data] == [[0.6], [0.8]]
    empty = figures.ranking_figure([], lang="zh")
    assert empty.data == () and empty.layout.annotations[0].text == "暂无数据"


def test_print_theme_and_bad_theme():
    fig = figures.progress_figure(None, theme="print")
    assert fig.layout.paper_bgcolor == "#ffffff"
    with pytest.raises(ValueError):
        figures.empty_figure("x", theme="neon")


def test_chinese_formats():
    assert fmt_value(0.926, "ratio") == "92.6%"
    assert fmt_value(4827, "yuan") == "4,827元"
    assert fmt_value(1.26, "workdays") == "1.3个工作日"
    assert fmt_value(None, "ratio") == "—"
    assert fmt_change(0.012, "ratio") == "+1.2个百分点"
    assert fmt_change(None, "ratio") == "—"
    assert fmt_date("2026-11-21") == "2026年11月21日"
    assert fmt_date("2026-11-21", "en") == "21 Nov 2026"
