"""The report's narrative in Chinese, written from the figures (never canned).

Every sentence is assembled from the values passed in: the headline tiles (value,
target, change on the previous week and on last season), the ranking of the
scope's departments or majors, internship compliance, approvals, the fit index
and the alerts. A figure that is missing is said to be missing ("暂无…"),
never replaced by a made-up number.
"""

from __future__ import annotations

from typing import Any

from cockpit.i18n import desk_period, fmt_value

_UP_DOWN = {
    "ratio": ("提升", "下降"),
    "yuan": ("增加", "减少"),
    "workdays": ("延长", "缩短"),
    "count": ("增加", "减少"),
    "index": ("上升", "下降"),
    "score": ("上升", "下降"),
}


def amount(delta: float, unit: str) -> str:
    """The size of a change without its sign: 0.8个百分点, 120元, 0.3个工作日."""
    d = abs(delta)
    if unit == "ratio":
        return f"{d * 100:.1f}个百分点"
    if unit == "yuan":
        return f"{d:,.0f}元"
    if unit == "workdays":
        return f"{d:.1f}个工作日"
    if unit == "index":
        return f"{d:.3f}"
    if unit == "score":
        return f"{d:.1f}分"
    return f"{d:,.0f}"


def _is_zero(delta: float, unit: str) -> bool:
    return amount(delta, unit).lstrip("0.,") in ("个百分点", "元", "个工作日", "分", "")


def change(delta: float | None, unit: str, against: str) -> str:
    """较上周提升0.8个百分点 / 较上周持平 / 无上周可比数据."""
    if delta is None:
        return f"暂无{against}可比数据"
    if _is_zero(delta, unit):
        return f"较{against}持平"
    up, down = _UP_DOWN.get(unit, ("上升", "下降"))
    return f"较{against}{up if delta > 0 else down}{amount(delta, unit)}"


def against_target(value: float, target: float | None, unit: str, higher_is_better: bool) -> str | None:
    if target is None:
        return None
    t = fmt_value(target, unit, "zh")
    gap = target - value if higher_is_better else value - target
    if gap <= 0 or _is_zero(gap, unit):
        return f"已达到目标{t}" if higher_is_better else f"优于目标{t}"
    return f"距目标{t}尚差{amount(gap, unit)}"


def tile_sentence(tile: dict[str, Any], lead: str = "") -> str:
    """One indicator: value, changes on the week and last season, distance to target."""
    name = tile["name"]
    if tile["value"] is None:
        return f"{lead}{name}暂无数据（{desk_period(tile['period'], 'zh')}）"
    unit = tile["unit"]
    parts = [f"{lead}{name}{fmt_value(tile['value'], unit, 'zh')}"]
    parts.append(change(tile["change_week"], unit, "上周"))
    if tile["change_season"] is not None:
        parts.append(change(tile["change_season"], unit, "去年同期"))
    tgt = against_target(tile["value"], tile["target"], unit, tile["higher_is_better"])
    if tgt:
        parts.append(tgt)
    return "，".join(parts)


def _by_metric(head: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["metric"]: r for r in head}


def write(
    head: list[dict[str, Any]],
    *,
    ranking: list[dict[str, Any]],
    grain: str,
    alerts: list[dict[str, Any]],
    internship: list[dict[str, Any]],
    backlog: list[dict[str, Any]],
    steps: list[dict[str, Any]],
    fit: dict[str, Any] | None,
    scope_name: str,
) -> list[str]:
    """The narrative's paragraphs."""
    tiles = _by_metric(head)
    out: list[str] = []

    # Employment: the placement rate leads, with its cohort.
    emp = [tiles[m] for m in ("placement_rate", "major_related_rate", "avg_monthly_salary") if m in tiles]
    if emp:
        first = emp[0]
        cohort = desk_period(first["period"], "zh")
        sentences = [tile_sentence(first, lead=f"本周{cohort}")]
        sentences += [tile_sentence(t) for t in emp[1:]]
        out.append("；".join(sentences) + "。")

    # The ranking of departments (school) or majors (department).
    unit_word = "学院" if grain == "department" else "专业"
    if ranking:
        best, worst = ranking[0], ranking[-1]
        best_v = fmt_value(best["value"], "ratio", "zh")
        text = f"各{unit_word}中，毕业去向落实率最高为{best['name_zh']}（{best_v}）"
        if len(ranking) > 1:
            text += f"，最低为{worst['name_zh']}（{fmt_value(worst['value'], 'ratio', 'zh')}）"
            spread = best["value"] - worst["value"]
            text += f"，相差{amount(spread, 'ratio')}"
        low = [r for r in ranking if r.get("level")]
        if low:
            names = "、".join(r["name_zh"] for r in low[:6]) + ("等" if len(low) > 6 else "")
            text += f"；低于预警线的{unit_word}有{len(low)}个：{names}"
        else:
            text += f"；没有{unit_word}低于预警线"
        out.append(text + "。")
    else:
        out.append(f"本期快照中{scope_name}暂无分{unit_word}的毕业去向落实率。")

    # Internships: participation and compliance.
    items = {i["metric"]: i for i in internship}
    rate = items.get("internship_rate")
    if rate and rate.get("value") is not None:
        cohort = desk_period(rate["period"], "zh")
        text = f"岗位实习方面（{cohort}），实习参与率{fmt_value(rate['value'], 'ratio', 'zh')}"
        ins = items.get("internship_insured_rate")
        if ins and ins.get("value") is not None:
            text += f"，实习保险覆盖率{fmt_value(ins['value'], 'ratio', 'zh')}"
            if ins.get("denominator"):
                uninsured = ins["denominator"] - (ins.get("numerator") or 0)
                text += f"，尚有{uninsured:,.0f}段实习未投保" if uninsured > 0 else "，已全部投保"
        under = items.get("internship_underpaid_count")
        if under and under.get("value") is not None:
            n = under["value"]
            text += f"；实习报酬低于同岗工资80%的有{n:,.0f}段" if n > 0 else "；未发现实习报酬不达标"
        tw = tiles.get("internship_rate")
        if tw and tw.get("change_week") is not None:
            text += f"；参与率{change(tw['change_week'], 'ratio', '上周')}"
        out.append(text + "。")

    # Approvals (the month so far, and the backlog at the week's end).
    p50, p90, over = (
        tiles.get(m) for m in ("approval_latency_p50", "approval_latency_p90", "approval_overdue_rate")
    )
    bits = []
    if p50 and p50["value"] is not None:
        bits.append(
            f"本月审批时长中位数{fmt_value(p50['value'], 'workdays', 'zh')}"
            f"（{change(p50['change_week'], 'workdays', '上周')}）"
        )
    if p90 and p90["value"] is not None:
        bits.append(f"P90为{fmt_value(p90['value'], 'workdays', 'zh')}")
    if over and over["value"] is not None:
        bits.append(f"超时率{fmt_value(over['value'], 'ratio', 'zh')}")
    if backlog:
        total = sum(r["value"] for r in backlog)
        top = backlog[0]
        bits.append(f"周末在办积压{total:,.0f}件，其中{top['name_zh']}最多（{top['value']:,.0f}件）")
    if steps:
        s = steps[0]
        bits.append(
            f"最慢环节为{s['name_zh']}·{s['step']}（中位数{fmt_value(s['value'], 'workdays', 'zh')}）"
        )
    if bits:
        out.append("审批方面，" + "，".join(bits) + "。")

    # Structure fit (school-wide only).
    if fit and fit.get("index") is not None:
        text = f"专业—产业结构匹配度为{fmt_value(fit['index'], 'index', 'zh')}"
        fm = tiles.get("structure_fit_index")
        if fm and fm.get("target") is not None:
            tgt = against_target(fit["index"], fm["target"], "index", True)
            text += f"，{tgt}"
        secs = fit.get("sections") or []
        if secs:
            under, over_s = secs[0], secs[-1]
            if under["deviation"] < 0:
                text += f"；人才供给最不足的行业门类为{under['name_zh']}（偏离度{under['deviation']:+.0%}）"
            if over_s["deviation"] > 0:
                text += f"，供给最多的为{over_s['name_zh']}（偏离度{over_s['deviation']:+.0%}）"
        out.append(text + "。")

    # Alerts.
    if alerts:
        crit = sum(1 for a in alerts if a["level"] == "critical")
        warn = len(alerts) - crit
        counts: dict[str, int] = {}
        for a in alerts:
            counts[a["name"]] = counts.get(a["name"], 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        text = f"本周共有预警{len(alerts)}条（严重{crit}条、一般{warn}条），主要集中在" + "、".join(
            f"{n}（{c}条）" for n, c in top
        )
        first = alerts[0]
        where = f"·{first['where']}" if first["where"] != "全校" else ""
        text += f"；最需关注的是{first['name']}{where}{first['value_text']}（阈值{first['threshold_text']}）"
        out.append(text + "。")
    else:
        out.append("本周没有触发预警的指标。")
    return out
