"""毕业去向: one row per graduate-to-be, for the five past cohorts and the
final-year cohort once its tracking season has opened (November 1 of Y−1).

Each graduate's eventual destination and its date are drawn first; a date
after the anchor is then stored as "not yet placed" (unplaced, no date, no
employer), exactly as a tracking system would show it on that day. Placement
by December 31 lands near the national 90–94% for 高职, with real differences
between departments; salaries, 专业对口 and regions follow the same logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cockpit.demo import reference as ref
from cockpit.demo.enterprises import Enterprises, draw_general, draw_served, pick_region, ring_of
from cockpit.demo.internships import Internships
from cockpit.demo.students import Students

NAT = np.datetime64("NaT", "D")
# Placement shift of a cohort by years before the final-year cohort (a weak 2022-like year, …).
_COHORT_SHIFT = np.array([-0.015, -0.008, 0.0, 0.003, 0.0, 0.0])  # years −5 … 0
SALARY_LATEST = 4550.0  # yuan, contract jobs of the latest past cohort in the city, before effects
SALARY_GROWTH = 0.025
_RING_SALARY = np.array([1.0, 1.04, 1.15])


@dataclass
class Destinations:
    """Parallel arrays, one entry per roster row."""

    student: np.ndarray
    year: np.ndarray
    kind: np.ndarray
    placed_on: np.ndarray  # NaT when not placed
    employer: np.ndarray  # −1 when unknown
    industry: np.ndarray  # '' when unknown
    region: np.ndarray  # '' when unknown
    salary: np.ndarray  # NaN when unknown
    related: np.ndarray
    related_null: np.ndarray

    def __len__(self) -> int:
        return len(self.student)


def tracked_years(today: date, final_year: int) -> list[int]:
    """Cohorts with a roster: the five past ones, and the final-year one in season."""
    years = list(range(final_year - 5, final_year))
    if today >= date(final_year - 1, 11, 1):
        years.append(final_year)
    return years


def _days(rng: np.random.Generator, first: np.ndarray, span: np.ndarray | int) -> np.ndarray:
    return first + (rng.random(first.size) * span).astype(np.int64).astype("timedelta64[D]")


def _anchor(years: np.ndarray, month: int, day: int, offset_years: int = 0) -> np.ndarray:
    """The date month/day of each year (+ offset_years), vectorised."""
    first = (years + offset_years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    return first.astype("datetime64[D]") + (day - 1)


def generate_destinations(
    rng: np.random.Generator,
    students: Students,
    ent: Enterprises,
    interns: Internships,
    today: date,
    final_year: int,
) -> Destinations:
    years = tracked_years(today, final_year)
    roster = np.flatnonzero(np.isin(students.grad, years) & (students.status != "withdrawn"))
    n = roster.size
    year = students.grad[roster]
    major = students.major[roster]
    dept = [ref.ACADEMIC[d] for d in students.department()[roster]]
    attr = {
        a: np.array([getattr(d, a) for d in dept], dtype=float)
        for a in ("placement", "trend", "further", "flexible", "salary", "fit", "retention")
    }
    major_shift = rng.normal(0.0, 0.012, len(ref.MAJORS))[major]
    p_place = (
        attr["placement"]
        - attr["trend"] * (final_year - 1 - year)
        + _COHORT_SHIFT[year - final_year + 5]
        + major_shift
    )
    p_place = np.where(students.status[roster] == "suspended", 0.3 * p_place, p_place)
    placed = rng.random(n) < np.clip(p_place, 0.0, 0.995)
    kind = _kinds(rng, placed, attr["further"], attr["flexible"])
    host = interns.last_host(len(students))[roster]
    retained = (
        (kind == "contract") & (host >= 0) & (rng.random(n) < np.minimum(0.9, attr["retention"] * 1.35))
    )
    placed_on = _placement_dates(rng, kind, retained, year)

    employed = np.isin(kind, ("contract", "flexible", "self_employed"))
    fits = rng.random(n) < np.clip(attr["fit"] + rng.normal(0, 0.03, len(ref.MAJORS))[major], 0, 1)
    fits &= ~((kind == "self_employed") & (rng.random(n) < 0.4))
    industry = np.where(fits, draw_served(rng, major), draw_general(rng, n))
    with_employer = ((kind == "contract") & (rng.random(n) < 0.95)) | (
        (kind == "flexible") & (rng.random(n) < 0.35)
    )
    employer = np.full(n, -1, dtype=np.int64)
    hire = with_employer & ~retained
    employer[hire] = ent.pick(rng, industry[hire], partner_share=0.25)
    employer[retained] = host[retained]
    industry = np.where(employer >= 0, ent.industry[np.maximum(employer, 0)], industry)
    served = np.array([{c for c, _ in m.industries} for m in ref.MAJORS], dtype=object)[major]
    fits = np.array([ind in s for ind, s in zip(industry.tolist(), served, strict=True)])
    industry = np.where(employed & ~((kind == "flexible") & (rng.random(n) < 0.08)), industry, "")

    region = pick_region(rng, n, (0.55, 0.27, 0.18))
    own_region = (employer >= 0) & (rng.random(n) < 0.9)
    region = np.where(own_region, ent.region[np.maximum(employer, 0)], region)
    region = np.where(employed, region, "")

    base = SALARY_LATEST * (1 + SALARY_GROWTH) ** (year - (final_year - 1))
    kind_factor = np.where(kind == "flexible", 0.85, np.where(kind == "self_employed", 1.1, 1.0))
    salary = base * attr["salary"] * _RING_SALARY[ring_of(region)] * kind_factor * rng.lognormal(0, 0.22, n)
    salary = np.round(np.maximum(salary, 2500.0) / 10) * 10  # not below the local minimum wage
    no_salary = rng.random(n) < np.where(
        kind == "flexible", 0.2, np.where(kind == "self_employed", 0.45, 0.03)
    )
    salary = np.where(employed & ~no_salary, salary, np.nan)
    related = rng.random(n) < np.where(fits, 0.86, 0.26)
    related_null = ~employed | (rng.random(n) < 0.03)

    # as of the anchor: a destination confirmed later is not known yet
    later = ~np.isnat(placed_on) & (placed_on > np.datetime64(today, "D"))
    kind = np.where(later, "unplaced", kind)
    if today < date(final_year, 6, 1):  # nobody has declared 暂不就业 this early in the season
        kind = np.where((year == final_year) & (kind == "not_seeking"), "unplaced", kind)
    unknown = ~np.isin(kind, ("contract", "flexible", "self_employed"))
    return Destinations(
        student=roster,
        year=year,
        kind=kind,
        placed_on=np.where(np.isin(kind, ("unplaced", "not_seeking")), NAT, placed_on),
        employer=np.where(unknown, -1, employer),
        industry=np.where(unknown, "", industry),
        region=np.where(unknown, "", region),
        salary=np.where(unknown, np.nan, salary),
        related=related,
        related_null=related_null | unknown,
    )


def _kinds(
    rng: np.random.Generator, placed: np.ndarray, further: np.ndarray, flexible: np.ndarray
) -> np.ndarray:
    """Destination of each graduate: the placed by department mix, the rest
    mostly still looking (待就业) and some not seeking (暂不就业)."""
    n = placed.size
    u = rng.random(n)
    edges = np.cumsum(np.column_stack((further, np.full(n, 0.018), np.full(n, 0.015), flexible)), axis=1)
    kinds = np.array(["further_study", "military", "self_employed", "flexible", "contract"])
    chosen = kinds[(u[:, None] >= edges).sum(axis=1)]
    idle = np.where(rng.random(n) < 0.3, "not_seeking", "unplaced")
    return np.where(placed, chosen, idle).astype("U13")


def _placement_dates(
    rng: np.random.Generator, kind: np.ndarray, retained: np.ndarray, year: np.ndarray
) -> np.ndarray:
    """When each destination is confirmed: contracts mostly March–August of Y
    (some from November of Y−1, a tail to December), 专升本 in summer, the
    army's spring and autumn call-ups; interns kept by their host at the end
    of the internship."""
    n = kind.size
    out = np.full(n, NAT)
    part = rng.choice(4, size=n, p=[0.12, 0.58, 0.20, 0.10])
    contract = np.select(
        [part == 0, part == 1, part == 2],
        [
            _days(rng, _anchor(year, 11, 1, -1), 120),
            _anchor(year, 3, 1) + rng.triangular(0, 90, 122, n).astype(np.int64).astype("timedelta64[D]"),
            _days(rng, _anchor(year, 7, 1), 62),
        ],
        _anchor(year, 9, 1) + (121 * rng.beta(1.0, 2.5, n)).astype(np.int64).astype("timedelta64[D]"),
    )
    out = np.where(kind == "contract", contract, out)
    out = np.where(retained, _days(rng, _anchor(year, 4, 15), 100), out)
    out = np.where(kind == "flexible", _days(rng, _anchor(year, 4, 1), 214), out)
    out = np.where(kind == "self_employed", _days(rng, _anchor(year, 5, 1), 229), out)
    out = np.where(kind == "further_study", _days(rng, _anchor(year, 6, 10), 82), out)
    spring = rng.random(n) < 0.25
    army = np.where(spring, _days(rng, _anchor(year, 3, 1), 31), _days(rng, _anchor(year, 9, 1), 30))
    return np.where(kind == "military", army, out)
