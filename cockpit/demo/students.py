"""Students: eight intakes, three enrolled and five graduated.

A school year starts in September, so the intake year A of the anchor date is
its year from September on and the year before until then. Intakes A−2 … A are
enrolled (3-year programmes); intakes A−7 … A−3 are the five past cohorts.
Inactive majors stopped enrolling with intake A−1, so they still have students
in their last years and graduates, as a real closing major does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cockpit.demo import reference as ref


def school_year(today: date) -> int:
    """The intake year A: the calendar year in which the current school year began."""
    return today.year if today.month >= 9 else today.year - 1


@dataclass
class Students:
    """One entry per student; ``major`` indexes reference.MAJORS."""

    ids: np.ndarray
    major: np.ndarray
    entry: np.ndarray
    grad: np.ndarray
    status: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def department(self) -> np.ndarray:
        """Index into reference.ACADEMIC of each student's department."""
        dept_index = {d.code: i for i, d in enumerate(ref.ACADEMIC)}
        per_major = np.array([dept_index[m.department] for m in ref.MAJORS])
        return per_major[self.major]


def generate_students(rng: np.random.Generator, scale: float, today: date) -> Students:
    a = school_year(today)
    sizes = np.array([m.size for m in ref.MAJORS], dtype=float)
    active = np.array([m.active for m in ref.MAJORS])
    # each major's own popularity trend: computing and new-energy grow, others fade
    trend = rng.uniform(-0.04, 0.07, len(ref.MAJORS))
    ids, majors, entries, grads, statuses = [], [], [], [], []
    for entry in range(a - 7, a + 1):
        years_back = entry - (a - 1)
        total = round(ref.INTAKE_PER_YEAR * scale * (1 + ref.INTAKE_GROWTH) ** years_back)
        weight = sizes * (1 + trend) ** years_back * rng.lognormal(0.0, 0.08, len(sizes))
        weight[~active & (entry >= a - 1)] = 0.0
        counts = rng.multinomial(total, weight / weight.sum())
        major = np.repeat(np.arange(len(ref.MAJORS)), counts)
        n = len(major)
        serial = rng.permutation(n) + 1
        ids.append(np.char.add(f"S{entry}", np.char.zfill(serial.astype(str), 6)))
        majors.append(major)
        entries.append(np.full(n, entry))
        grads.append(np.full(n, entry + 3))
        statuses.append(_statuses(rng, n, a - entry, today, entry + 3))
    return Students(
        ids=np.concatenate(ids),
        major=np.concatenate(majors),
        entry=np.concatenate(entries),
        grad=np.concatenate(grads),
        status=np.concatenate(statuses),
    )


def _statuses(rng: np.random.Generator, n: int, years_in: int, today: date, grad_year: int) -> np.ndarray:
    """Current status of an intake ``years_in`` years after entry."""
    u = rng.random(n)
    if years_in >= 3:
        return np.where(u < ref.WITHDRAWN_GRADUATED, "withdrawn", "graduated").astype("U9")
    withdrawn = ref.WITHDRAWN_BY_YEARS_IN[years_in]
    suspended = ref.SUSPENDED_BY_YEARS_IN[years_in]
    # the final-year intake has graduated once July of its graduation year has come
    done = "graduated" if today >= date(grad_year, 7, 1) else "enrolled"
    out = np.full(n, done, dtype="U9")
    out[u < withdrawn + suspended] = "suspended"
    out[u < withdrawn] = "withdrawn"
    return out
