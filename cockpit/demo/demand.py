"""Regional demand for talent: monthly job openings by industry, 36 months.

Shaped on a manufacturing city (制造业 first, then trade, services and IT)
with the post-Spring-Festival hiring peak (金三银四) and a winter lull, and
industry trends (construction and real estate shrinking, electrical equipment
and software growing). Its mix differs from the school's supply on purpose:
the structure fit index lands around 0.7. The anchor's month holds the month
to date only. A few rows of a neighbouring city test that the cockpit keeps
to the school's own region.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import numpy as np

from cockpit.demo import reference as ref

MONTHS = 36
_SEASON = np.array([0.85, 0.72, 1.28, 1.15, 1.05, 1.0, 0.95, 0.95, 1.06, 0.93, 1.0, 0.86])  # Jan … Dec
_TREND = {"E": -0.08, "K": -0.12, "C38": 0.08, "C36": 0.05, "C39": 0.04, "I65": 0.06, "I64": 0.04, "Q": 0.05}


@dataclass
class Demand:
    period: list[str]
    region: list[str]
    industry: list[str]
    demand: list[int]


def _months_ending(today: date, count: int) -> list[tuple[int, int]]:
    out = []
    for back in range(count - 1, -1, -1):
        y, m0 = divmod(today.year * 12 + today.month - 1 - back, 12)
        out.append((y, m0 + 1))
    return out


def generate_demand(rng: np.random.Generator, today: date) -> Demand:
    codes = list(ref.DEMAND_PROFILE)
    level = np.array([ref.DEMAND_PROFILE[c] for c in codes], dtype=float)
    trend = np.array([_TREND.get(c, _TREND.get(c[0], 0.02)) for c in codes])
    out = Demand([], [], [], [])
    months = _months_ending(today, MONTHS)
    for i, (y, m) in enumerate(months):
        years_back = (MONTHS - 1 - i) / 12
        value = level * (1 + trend) ** (-years_back) * _SEASON[m - 1] * rng.lognormal(0, 0.07, len(codes))
        if (y, m) == (today.year, today.month):  # the month so far
            value *= today.day / calendar.monthrange(y, m)[1]
        period = f"{y:04d}-{m:02d}"
        out.period += [period] * len(codes)
        out.region += [ref.CITY_CODE] * len(codes)
        out.industry += codes
        out.demand += np.round(value).astype(int).tolist()
    for y, m in months[-3:]:  # a neighbouring city's feed, to be ignored
        for code in ("C38", "C39", "I65", "F52"):
            out.period.append(f"{y:04d}-{m:02d}")
            out.region.append(ref.OTHER_REGION_CODE)
            out.industry.append(code)
            out.demand.append(int(ref.DEMAND_PROFILE[code] * rng.uniform(0.6, 0.9)))
    return out
