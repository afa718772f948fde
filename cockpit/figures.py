"""Plotly figure builders for the big screens and the weekly report.

Pure functions: plain data (what cockpit.service returns) in, ``go.Figure``
out — no Dash, no store, no request — so the PDF report renders the very same
charts. ``theme="wall"`` is the dark LED-wall look with large type (readable
from 10 m); ``theme="print"`` is black on white with smaller type.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from cockpit.i18n import fmt_value, t

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
# Print (PDF reports): a CJK font with TrueType outlines first, so that Chromium
# embeds it as a named CID font; Debian's Noto CJK has CFF outlines, which
# Chromium's PDF writer embeds only as anonymous Type 3 glyphs.
PRINT_FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'

THEMES: dict[str, dict[str, Any]] = {
    "wall": {
        "font": FONT,
        "ink": "#dce6f5",
        "muted": "#8ea3c2",
        "grid": "rgba(142,163,194,0.18)",
        "bg": "rgba(0,0,0,0)",
        "size": 17,
        # The smallest text a chart may draw (bar labels are shrunk to fit their bars
        # down to this size, never below): 14 px on the 1920-wide canvas is legible
        # from across the room (issue 10).
        "min_text": 14,
        "accent": "#35c2ff",
        "second": "#8ea3c2",
        "compare": "#d8b4fe",  # a comparison series (last season): no status colour
        "ok": "#2fbf8f",
        "warning": "#f6c343",
        "critical": "#ff5b5b",
    },
    "print": {
        "font": PRINT_FONT,
        "ink": "#1f2933",
        "muted": "#616e7c",
        "grid": "rgba(0,0,0,0.12)",
        "bg": "#ffffff",
        "size": 11,
        "min_text": 8,
        "accent": "#0b4f8a",
        "second": "#9aa5b1",
        "compare": "#7b61ff",
        "ok": "#2f855a",
        "warning": "#b7791f",
        "critical": "#c53030",
    },
}


def _theme(theme: str) -> dict[str, Any]:
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
    return THEMES[theme]


def _name(row: dict[str, Any], lang: str, width: int = 24, lines: int = 1) -> str:
    """A category label that fits a panel: English department names lose "School of ",
    and anything wider than ``width`` (a CJK character counts two) wraps onto up to
    ``lines`` lines; only what still does not fit ends in "…"."""
    name = row.get("name_en" if lang == "en" else "name_zh") or row.get("name_zh") or row.get("code", "")
    if lang == "en":
        name = name.removeprefix("School of ")
    return _wrap(name, width, lines) if lines > 1 else _short(name, width)


def _label(row: dict[str, Any], lang: str, rows: int) -> str:
    """A department's or major's name on a category axis, never cut (issue 10:
    "Intelligent Manufacturin…"): on lines of 24 when the chart has room for two-line
    names (``rows`` ≤ 6), else on one line of up to 40 (the axis margin grows to fit
    it), only a longer name wrapping."""
    return _name(row, lang, 24, 2) if rows <= 6 else _name(row, lang, 40, 3)


def _short(text: str, width: int) -> str:
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0x2E80 else 1
        if used > width:
            return text[:i].rstrip() + "…"
    return text


def _level_colour(level: str | None, th: dict[str, Any]) -> str:
    return th[level] if level in ("warning", "critical") else th["accent"]


def ratio_tickformat(values: list[float | None], pad: float = 0.0) -> str:
    """A percent tick format with as many decimals as the range needs: a range of one
    point (92.6 %–93.4 %) gets "93.0% 93.2% 93.4%", never "93% 93% 93%". ``pad``: the part
    of the range the axis adds around the data (Plotly's autorange adds ~5 %)."""
    xs = [v for v in values if v is not None]
    span = (max(xs) - min(xs)) * (1 + 2 * pad) if xs else 1.0
    if span >= 0.05:
        return ".0%"
    return ".1%" if span >= 0.005 else ".2%"


def signed(fmt: str) -> str:
    """The same format with a sign: "+.0%" for deviations."""
    return "+" + fmt


def unit_title(unit: str, lang: str) -> str:
    """The value axis's title: the unit the chart is in (%, 工作日, 件), so that every
    wall chart says its unit (issue 10)."""
    return t(f"axis_{unit}", lang)


def _bar_text(theme: str) -> dict[str, Any]:
    """Bar labels shrink to fit their bars, but never below the theme's smallest text."""
    th = _theme(theme)
    return {"uniformtext": {"minsize": th["min_text"], "mode": "show"}}


def _wrap(text: str, width: int, lines: int = 2) -> str:
    """A category label on up to ``lines`` lines of ``width`` (a CJK character counts two),
    breaking English at spaces: a long department name wraps instead of being cut; only
    what does not fit the lines ends in "…"."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines:
        if _cells(rest) <= width:
            out.append(rest)
            rest = ""
            break
        cut = _fit_count(rest, width)
        space = rest.rfind(" ", 0, cut + 1)
        if space > 0 and not _is_cjk(rest[cut - 1]):
            cut = space
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out[-1] = _short(out[-1] + " " + rest, width)
    return "<br>".join(out)


def _is_cjk(ch: str) -> bool:
    return ord(ch) > 0x2E80


def _cells(text: str) -> int:
    return sum(2 if _is_cjk(ch) else 1 for ch in text)


def _fit_count(text: str, width: int) -> int:
    used = 0
    for i, ch in enumerate(text):
        used += 2 if _is_cjk(ch) else 1
        if used > width:
            return max(i, 1)
    return len(text)


def _base(theme: str, **layout: Any) -> go.Figure:
    """An empty figure in the theme: transparent on the wall, axes and fonts set.

    The layout is given whole to the constructor: Plotly validates it once, where
    ``update_layout`` / ``update_xaxes`` / ``update_yaxes`` each walk the figure again
    (a third of the Monday batch's figure time went there)."""
    th = _theme(theme)
    axis = {
        "gridcolor": th["grid"],
        "zerolinecolor": th["grid"],
        "linecolor": th["grid"],
        "automargin": True,
        # The unit titles: smaller than the data, muted, never below the smallest text.
        "title": {"font": {"size": max(th["min_text"], th["size"] - 2), "color": th["muted"]}, "standoff": 4},
    }
    base: dict[str, Any] = {
        # No Plotly template: every style is set here, and the default template
        # would add ~6 KB of JSON to every figure of every screen load.
        "template": "none",
        "font": {"family": th["font"], "size": th["size"], "color": th["ink"]},
        "paper_bgcolor": th["bg"],
        "plot_bgcolor": th["bg"],
        "margin": {"l": 10, "r": 20, "t": 10, "b": 10},
        "showlegend": False,
        "hoverlabel": {"font": {"family": th["font"]}},
        "xaxis": axis,
        "yaxis": axis,
    }
    fig = go.Figure(layout=base)
    if layout:
        fig.update_layout(**layout)
    return fig


def empty_figure(message: str, theme: str = "wall") -> go.Figure:
    """A blank chart that says why (no data in this snapshot) instead of a zero."""
    th = _theme(theme)
    fig = _base(theme)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"color": th["muted"]}
    )
    return fig


def progress_figure(data: dict[str, Any] | None, lang: str = "zh", theme: str = "wall") -> go.Figure:
    """This season's placement rate week by week (solid) against last season on the same
    calendar days (dashed), on this season's dates."""
    if not data or not data.get("days"):
        return empty_figure(t("no_data", lang), theme)
    th = _theme(theme)
    fig = _base(theme, legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}, showlegend=True)
    fig.add_trace(
        go.Scatter(
            x=data["days"],
            y=data["current"],
            name=t("this_cohort", lang).format(cohort=data["cohort"]),
            mode="lines+markers",
            line={"color": th["accent"], "width": 4},
            marker={"size": 6},
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    # Last season on top, dashed and in its own colour, so it is never hidden under this season.
    fig.add_trace(
        go.Scatter(
            x=data["days"],
            y=data["previous"],
            name=t("this_cohort", lang).format(cohort=data["previous_cohort"]),
            mode="lines",
            line={"color": th["compare"], "width": 3, "dash": "dash"},
            customdata=data["previous_days"],
            hovertemplate="%{customdata}: %{y:.1%}<extra></extra>",
        )
    )
    last = next((v for v in reversed(data["current"]) if v is not None), None)
    if last is not None:
        fig.add_annotation(
            x=data["days"][-1],
            y=last,
            text=f"<b>{fmt_value(last, 'ratio', lang)}</b>",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font={"color": th["accent"], "size": th["size"] + 6},
        )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(tickformat="%-m/%-d" if lang != "en" else "%b %-d")
    fig.update_layout(margin={"l": 10, "r": 20, "t": 40, "b": 10})
    return fig


def ranking_figure(
    rows: list[dict[str, Any]],
    unit: str = "ratio",
    target: float | None = None,
    lang: str = "zh",
    theme: str = "wall",
) -> go.Figure:
    """Horizontal bars, best on top, coloured by threshold level; customdata holds each
    row's code so a click can open that department."""
    if not rows:
        return empty_figure(t("no_data", lang), theme)
    th = _theme(theme)
    rows = list(reversed(rows))  # plotly draws the first category at the bottom
    fig = _base(theme)
    fig.add_trace(
        go.Bar(
            x=[r["value"] for r in rows],
            y=[_label(r, lang, len(rows)) for r in rows],
            orientation="h",
            marker={"color": [_level_colour(r.get("level"), th) for r in rows]},
            text=[fmt_value(r["value"], unit, lang) for r in rows],
            textposition="auto",
            insidetextanchor="end",
            textfont={"size": th["size"] - 1},
            insidetextfont={"color": "#06122b" if theme == "wall" else "#ffffff"},
            customdata=[r["code"] for r in rows],
            hovertemplate="%{y}: %{text}<extra></extra>",
            cliponaxis=False,
        )
    )
    if target is not None:
        fig.add_vline(x=target, line={"color": th["ok"], "width": 2, "dash": "dot"})
    if unit == "ratio":
        # Bars start at zero: 82.6% must look like 82.6% of 98%, not a fifth of it.
        fig.update_xaxes(tickformat=".0%", range=[0.0, 1.0])
    else:
        fig.update_xaxes(rangemode="tozero")
    if unit != "ratio":  # the % ticks say a ratio's unit; other units get an axis title
        fig.update_xaxes(title_text=unit_title(unit, lang))
    fig.update_yaxes(
        tickfont={"size": th["min_text"] if len(rows) > 10 else th["size"] - (2 if len(rows) > 8 else 0)}
    )
    fig.update_layout(bargap=0.25, **_bar_text(theme))
    return fig


def destinations_figure(
    data: dict[str, list[dict[str, Any]]], lang: str = "zh", theme: str = "wall"
) -> go.Figure:
    """Industry-fit, in-province and in-city employment rates per department (or major),
    one row each with a dot per rate: where graduates go, from the rates the snapshot holds."""
    metrics = [m for m in data if data[m]]
    if not metrics:
        return empty_figure(t("no_data", lang), theme)
    th = _theme(theme)
    order = [r["code"] for r in data[metrics[0]]]
    names = {r["code"]: _label(r, lang, len(order)) for m in metrics for r in data[m]}
    colours = [th["accent"], th["ok"], th["warning"]]
    short = {
        "industry_fit_rate": ("产业对口", "Industry fit"),
        "province_employment_rate": ("省内", "In province"),
        "city_employment_rate": ("市内", "In city"),
    }
    fig = _base(
        theme,
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    ys = [names[c] for c in reversed(order)]
    for i, m in enumerate(metrics):
        by = {r["code"]: r["value"] for r in data[m]}
        label = short.get(m, (m, m))[1 if lang == "en" else 0]
        fig.add_trace(
            go.Scatter(
                y=ys,
                x=[by.get(c) for c in reversed(order)],
                mode="markers",
                name=label,
                marker={"color": colours[i % len(colours)], "size": 15, "line": {"width": 0}},
                hovertemplate=label + " %{y}: %{x:.1%}<extra></extra>",
            )
        )
    fig.update_yaxes(
        tickmode="array",
        tickvals=ys,
        ticktext=ys,
        showgrid=True,
        range=[-0.6, len(ys) - 0.4],
        tickfont={"size": th["min_text"] if len(ys) > 8 and theme == "wall" else th["size"]},
    )
    fig.update_xaxes(tickformat=".0%", range=[0, 1.04])
    # The key as one line of coloured dots above the chart, right-aligned so that it may
    # reach over the names: Plotly's legend wraps to the plot area beside the long names
    # (three rows in English), which the eleven rows need.
    names = [short.get(m, (m, m))[1 if lang == "en" else 0] for m in metrics]
    key = "  ".join(
        f"<span style='color:{colours[i % len(colours)]}'>●</span> {name}" for i, name in enumerate(names)
    )
    fig.add_annotation(
        text=key,
        xref="paper",
        yref="paper",
        x=1,
        y=1,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": th["min_text"] if theme == "wall" else th["size"]},
    )
    fig.update_layout(showlegend=False, margin={"l": 10, "r": 20, "t": 28, "b": 10})
    return fig


def deviation_figure(
    data: dict[str, Any] | None, lang: str = "zh", theme: str = "wall", top: int = 5
) -> go.Figure:
    """Supply vs regional demand by industry section: s_i ÷ d_i − 1 as diverging bars
    (oversupplied right, undersupplied left), the ``top`` sections at each end; hover
    shows both shares."""
    if not data or not data.get("sections"):
        return empty_figure(t("no_data", lang), theme)
    th = _theme(theme)
    secs = data["sections"]  # sorted by deviation, most undersupplied first
    if len(secs) > 2 * top:
        secs = secs[:top] + secs[-top:]
    fig = _base(theme)
    fig.add_trace(
        go.Bar(
            x=[s["deviation"] for s in secs],
            y=[_name(s, lang, 22, 2) for s in secs],
            orientation="h",
            marker={"color": [th["warning"] if s["deviation"] > 0 else th["accent"] for s in secs]},
            text=[fmt_deviation(s["deviation"]) for s in secs],
            # Inside the bar, never outside it: on the left an outside label ran into
            # the section names.
            textposition="inside",
            insidetextfont={"color": "#06122b" if theme == "wall" else "#ffffff"},
            textfont={"size": th["size"] - 2},
            customdata=[[_name(s, lang, 80), s["supply"], s["demand"]] for s in secs],
            insidetextanchor="middle",
            hovertemplate="%{customdata[0]}: %{x:+.0%}<br>" + t("deviation_hover", lang) + "<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.add_vline(x=0, line={"color": th["muted"], "width": 1})
    devs = [s["deviation"] for s in secs]
    fig.update_xaxes(tickformat=signed(ratio_tickformat([*devs, 0.0], pad=0.1)), zeroline=False, nticks=4)
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(tickfont={"size": th["min_text"] if theme == "wall" else th["size"]})
    # What the numbers are: the graduates' share in the section against the region's
    # demand share, minus one (issue 10: "the industry-deviation labels are unexplained"),
    # one line above the bars, right-aligned so that it may reach over the names.
    fig.add_annotation(
        text=t("deviation_axis", lang),
        xref="paper",
        yref="paper",
        x=1,
        y=1,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        font={"size": th["min_text"] if theme == "wall" else th["size"], "color": th["muted"]},
    )
    fig.update_layout(bargap=0.2, margin={"l": 10, "r": 20, "t": 28, "b": 10}, **_bar_text(theme))
    return fig


def fmt_deviation(deviation: float) -> str:
    """A deviation as a signed percent, with a decimal when the whole number would read 0 %."""
    return f"{deviation:+.0%}" if abs(deviation) >= 0.005 or deviation == 0 else f"{deviation:+.1%}"


def internship_figure(items: list[dict[str, Any]], lang: str = "zh", theme: str = "wall") -> go.Figure:
    """The cohort's internship rates as bars against their targets; a compliance gap
    (insurance below 100 %) is drawn red. Counts (underpaid) are left to the caller."""
    rates = [i for i in items if i["unit"] == "ratio"]
    if not rates or all(i["value"] is None for i in rates):
        return empty_figure(t("no_data", lang), theme)
    th = _theme(theme)
    rates = list(reversed(rates))
    fig = _base(theme)
    fig.add_trace(
        go.Bar(
            x=[i["value"] or 0 for i in rates],  # no value: an empty bar labelled "—"
            y=[i["name"] for i in rates],
            orientation="h",
            marker={
                "color": [
                    th["critical"] if i.get("gap") else _level_colour(i.get("level"), th) for i in rates
                ]
            },
            text=[
                fmt_value(i["value"], "ratio", lang) if i.get("due", True) else t("not_yet_due", lang)
                for i in rates
            ],
            # A short bar (0 % retention early in the season) has no room inside:
            # its label goes outside so that 0.0% still reads as a figure.
            textposition=["inside" if (i["value"] or 0) >= 0.2 else "outside" for i in rates],
            insidetextanchor="end",
            textfont={"size": th["size"] + 4},
            insidetextfont={"color": "#06122b" if theme == "wall" else "#ffffff"},
            hovertemplate="%{y}: %{text}<extra></extra>",
            cliponaxis=False,
        )
    )
    for k, i in enumerate(rates):  # the target: a short green tick across the bar
        if i.get("target") is not None:
            fig.add_shape(
                type="line",
                x0=i["target"],
                x1=i["target"],
                y0=k - 0.42,
                y1=k + 0.42,
                line={"color": th["ok"], "width": 4},
            )
    fig.update_xaxes(tickformat=".0%", range=[0, 1.02])
    fig.update_layout(bargap=0.3, uniformtext={"minsize": th["size"], "mode": "show"})
    return fig


def latency_figure(data: dict[str, Any] | None, lang: str = "zh", theme: str = "wall") -> go.Figure:
    """Approval latency P50 and P90 by ISO week, with the SLA as a horizontal reference line."""
    if not data or not data.get("weeks"):
        return empty_figure(t("no_data", lang), theme)
    th = _theme(theme)
    weeks = [w.split("-", 1)[1] for w in data["weeks"]]  # "W47"
    fig = _base(theme, showlegend=True, legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"})
    fig.add_trace(
        go.Scatter(
            x=weeks,
            y=data["p90"],
            name="P90",
            mode="lines+markers",
            line={"color": th["warning"], "width": 3},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=weeks, y=data["p50"], name="P50", mode="lines+markers", line={"color": th["accent"], "width": 4}
        )
    )
    if data.get("sla") is not None:  # a trace, not an annotation: its label sits in the legend
        fig.add_trace(
            go.Scatter(
                x=[weeks[0], weeks[-1]],
                y=[data["sla"], data["sla"]],
                name=t("sla_line", lang).format(sla=fmt_value(data["sla"], "workdays", lang)),
                mode="lines",
                line={"color": th["critical"], "width": 2, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    fig.update_yaxes(rangemode="tozero", title_text=unit_title("workdays", lang))
    fig.update_xaxes(tickangle=0, nticks=7)
    fig.update_layout(margin={"l": 10, "r": 20, "t": 40, "b": 10})
    return fig


def process_bars_figure(
    rows: list[dict[str, Any]], unit: str, lang: str = "zh", theme: str = "wall"
) -> go.Figure:
    """Horizontal bars by process (backlog) or process · step (slowest steps), largest on top."""
    if not rows:
        return empty_figure(t("no_data", lang), theme)
    th = _theme(theme)
    rows = list(reversed(rows))
    labels = [_step_label(r, lang) for r in rows]
    fig = _base(theme)
    fig.add_trace(
        go.Bar(
            x=[r["value"] for r in rows],
            y=labels,
            orientation="h",
            marker={"color": [_level_colour(r.get("level"), th) for r in rows]},
            # the number only: the axis title says the unit, and the names keep the width
            text=[f"{r['value']:,.1f}" if unit == "workdays" else f"{r['value']:,.0f}" for r in rows],
            textposition="outside",
            customdata=[fmt_value(r["value"], unit, lang) for r in rows],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_xaxes(rangemode="tozero", title_text=unit_title(unit, lang))
    fig.update_layout(bargap=0.25, margin={"l": 10, "r": 50, "t": 10, "b": 10}, **_bar_text(theme))
    return fig


def _step_label(row: dict[str, Any], lang: str) -> str:
    """A process (on two lines of 24 cells when longer) or "process · step" on one line
    while it fits 24 cells, else the step on a second line (English process names are
    long and steps have no English name): never cut."""
    process = _name(row, lang, 40)
    if not row.get("step"):
        return _wrap(process, 24, 2)
    lines = _wrap(f"{process} ·", 24, 2).split("<br>")
    last = f"{lines[-1]} {row['step']}"
    return "<br>".join([*lines[:-1], last] if _cells(last) <= 24 else [*lines, row["step"]])


# The cockpit's own colours for desk charts: the brand blue first, then colours that stay
# apart from it and from the warning/critical amber and red.
DESK_COLOURS = ("#0b4f8a", "#2a9d8f", "#7b61ff", "#e76f51", "#6c757d", "#00a6d6", "#8d6e63", "#c2185b")


def desk_layout(fig: go.Figure, *, height: int, legend_y: float, **layout: Any) -> go.Figure:
    """The desk pages' chart style (light, laptop-sized), shared by /indicator and /approvals.
    The top margin keeps the data clear of anything drawn above the plot."""
    fig.update_layout(
        template="plotly_white",
        colorway=list(DESK_COLOURS),
        font={"family": FONT, "size": 13},
        margin={"l": 60, "r": 20, "t": 24, "b": 40},
        height=height,
        legend={"orientation": "h", "y": legend_y},
        hovermode="x unified",
        **layout,
    )
    return fig


def with_gaps(
    dates: list[str], series: list[list[float | None]], max_days: int = 8
) -> tuple[list[str], list]:
    """Dates and series with an empty point wherever two snapshots are more than
    ``max_days`` apart, so a line is broken there instead of drawn across the missing
    weeks (Plotly does not connect across None)."""
    from datetime import date, timedelta

    if not dates:
        return dates, series
    out_dates = [dates[0]]
    out = [[s[0]] for s in series]
    for i in range(1, len(dates)):
        prev, cur = date.fromisoformat(dates[i - 1]), date.fromisoformat(dates[i])
        if (cur - prev).days > max_days:
            out_dates.append((prev + timedelta(days=1)).isoformat())
            for o in out:
                o.append(None)
        out_dates.append(dates[i])
        for o, s in zip(out, series, strict=True):
            o.append(s[i])
    return out_dates, out


def date_axis_format(dates: list[str], lang: str) -> dict[str, str]:
    """Tick and hover formats for a date axis: the year on every tick when the dates span
    more than one calendar year (12月/1月 would be ambiguous), else month and day, with
    the year in the axis title."""
    zh = lang == "zh"
    years = {d[:4] for d in dates}
    if len(years) > 1:
        tick = "%Y年%-m月%-d日" if zh else "%Y-%m-%d"
        title = ""
    else:
        tick = "%-m月%-d日" if zh else "%b %-d"
        title = (f"{next(iter(years))}年" if zh else next(iter(years))) if years else ""
    return {"tickformat": tick, "hoverformat": "%Y年%-m月%-d日" if zh else "%Y-%m-%d", "title": title}
