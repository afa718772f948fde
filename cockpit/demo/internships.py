"""岗位实习 of the final-year students, cohort by cohort.

Cohort Y starts mostly between November of Y−1 and March of Y for about six
months; an internship still running at the anchor date has no end date, and
one not yet started does not exist. About one in twenty ends early, and most
of those students move to a second host. Partners host most interns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cockpit.demo import reference as ref
from cockpit.demo.enterprises import Enterprises, draw_general, draw_served, ring_of
from cockpit.demo.students import Students

NAT = np.datetime64("NaT", "D")
# Reference wage of an intern's post by section of the host's industry (yuan a month).
_SECTION_WAGE = {"C": 4600, "I": 5200, "F": 4200, "G": 4500, "H": 3900, "L": 4300, "J": 4800, "E": 4700}
_RING_WAGE = np.array([1.0, 1.05, 1.15])  # city, rest of province, elsewhere


@dataclass
class Internships:
    """Parallel arrays, one entry per internship."""

    ids: np.ndarray
    student: np.ndarray  # index into Students
    host: np.ndarray  # index into Enterprises
    start: np.ndarray
    planned_end: np.ndarray
    end: np.ndarray  # NaT while under way
    related: np.ndarray
    related_null: np.ndarray
    insured: np.ndarray
    signed: np.ndarray
    pay: np.ndarray
    reference_wage: np.ndarray
    score: np.ndarray  # NaN when not yet assessed
    logs_expected: np.ndarray
    logs_submitted: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def last_host(self, n_students: int) -> np.ndarray:
        """Per student, the host of their latest internship (−1 when none)."""
        out = np.full(n_students, -1, dtype=np.int64)
        order = np.argsort(self.start, kind="stable")
        out[self.student[order]] = self.host[order]  # later starts overwrite earlier ones
        return out


def _weekday_shift(days: np.ndarray) -> np.ndarray:
    """Move a Saturday or Sunday start to the Monday after."""
    dow = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return days + np.where(dow == 5, 2, np.where(dow == 6, 1, 0)).astype("timedelta64[D]")


def _starts(rng: np.random.Generator, n: int, year: int) -> np.ndarray:
    """Start dates of cohort ``year``: Oct–Dec of year−1 and Jan–Mar of year."""
    part = rng.choice(4, size=n, p=[0.05, 0.50, 0.10, 0.35])
    base = np.array(
        [f"{year - 1}-10-08", f"{year - 1}-11-01", f"{year}-01-03", f"{year}-02-20"], dtype="datetime64[D]"
    )[part]
    span = np.array([23, 60, 38, 40])[part]
    offset = np.where(
        (part == 1) & (rng.random(n) < 0.6), rng.integers(0, 15, n), (rng.random(n) * span).astype(int)
    )
    return _weekday_shift(base + offset.astype("timedelta64[D]"))


def generate_internships(
    rng: np.random.Generator, students: Students, ent: Enterprises, today: date, final_year: int
) -> Internships:
    day = np.datetime64(today, "D")
    dept_of = students.department()
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("student", "start", "planned", "end", "cohort")}
    for year in range(final_year - 5, final_year + 1):
        cohort = np.flatnonzero(
            (students.grad == year) & ~np.isin(students.status, ("withdrawn", "suspended"))
        )
        logs = np.array([ref.ACADEMIC[d].logs for d in dept_of[cohort]])
        takes = rng.random(cohort.size) < np.clip(0.955 + (logs - 0.92) * 0.5, 0.9, 0.99)
        who = cohort[takes]
        n = who.size
        start = _starts(rng, n, year)
        planned = start + rng.integers(173, 198, n).astype("timedelta64[D]")
        early = rng.random(n) < 0.05
        end = np.where(
            early,
            start + rng.integers(20, 120, n).astype("timedelta64[D]"),
            planned - rng.integers(0, 8, n).astype("timedelta64[D]"),
        )
        # most who leave early move on to a second host until the planned end
        moves = early & (rng.random(n) < 0.6)
        start2 = _weekday_shift(end[moves] + rng.integers(3, 25, moves.sum()).astype("timedelta64[D]"))
        planned2 = np.maximum(planned[moves], start2 + np.timedelta64(60, "D"))
        end2 = planned2 - rng.integers(0, 8, moves.sum()).astype("timedelta64[D]")
        cols["student"] += [who, who[moves]]
        cols["start"] += [start, start2]
        cols["planned"] += [planned, planned2]
        cols["end"] += [end, end2]
        cols["cohort"] += [np.full(n, year), np.full(moves.sum(), year)]
    student = np.concatenate(cols["student"])
    start = np.concatenate(cols["start"])
    planned = np.concatenate(cols["planned"])
    end = np.concatenate(cols["end"])
    cohort = np.concatenate(cols["cohort"])
    keep = start <= day  # an internship that has not started does not exist yet
    student, start, planned, end, cohort = student[keep], start[keep], planned[keep], end[keep], cohort[keep]
    end = np.where(end <= day, end, NAT)
    order = np.lexsort((student, start, cohort))
    student, start, planned, end, cohort = (a[order] for a in (student, start, planned, end, cohort))
    return _details(rng, students, ent, dept_of, student, start, planned, end, cohort, day, final_year)


def _details(
    rng: np.random.Generator,
    students: Students,
    ent: Enterprises,
    dept_of: np.ndarray,
    student: np.ndarray,
    start: np.ndarray,
    planned: np.ndarray,
    end: np.ndarray,
    cohort: np.ndarray,
    day: np.datetime64,
    final_year: int,
) -> Internships:
    n = student.size
    depts = [ref.ACADEMIC[d] for d in dept_of[student]]
    dept_attr = {a: np.array([getattr(d, a) for d in depts]) for a in ("match", "insured", "logs", "score")}
    majors = students.major[student]
    related = rng.random(n) < dept_attr["match"]
    industry = np.where(related, draw_served(rng, majors), draw_general(rng, n))
    host = ent.pick(rng, industry, partner_share=0.8)
    flag = related ^ (rng.random(n) < 0.03)  # a few are judged differently from the industry
    insured = rng.random(n) < dept_attr["insured"]
    signed = rng.random(n) < np.where(insured, 0.97, 0.80)
    section = np.char.asarray(ent.industry[host]).astype("U1")
    base = np.array([_SECTION_WAGE.get(s, 4300) for s in section.tolist()], dtype=float)
    wage = base * _RING_WAGE[ring_of(ent.region[host])] * 1.03 ** (cohort - final_year)
    wage = np.round(wage * rng.lognormal(0.0, 0.08, n) / 100) * 100
    underpaid = rng.random(n) < 0.065
    ratio = np.where(underpaid, rng.uniform(0.55, 0.79, n), 0.8 + 0.2 * rng.beta(2.0, 1.2, n))
    pay = np.where(underpaid, np.floor(wage * ratio / 10), np.ceil(wage * ratio / 10)) * 10
    finished = ~np.isnat(end)
    short = finished & (end < planned - np.timedelta64(30, "D"))
    score = np.where(short, rng.normal(72, 8, n), rng.normal(dept_attr["score"], 6, n))
    score = np.where(finished, np.clip(np.round(score), 60, 100), np.nan)
    upto = np.where(finished, end, day)
    weeks = (np.minimum(upto, planned) - start).astype(np.int64) // 7
    expected = np.maximum(weeks, 0)
    rate = np.clip(rng.normal(dept_attr["logs"], 0.06, n), 0.3, 1.0)
    submitted = np.floor(expected * rate).astype(np.int64)
    ids = np.char.add(
        np.char.add("SX", cohort.astype(str)), np.char.zfill(np.arange(1, n + 1).astype(str), 6)
    )
    return Internships(
        ids=ids,
        student=student,
        host=host,
        start=start,
        planned_end=planned,
        end=end,
        related=flag,
        related_null=rng.random(n) < 0.015,
        insured=insured,
        signed=signed,
        pay=pay,
        reference_wage=wage,
        score=score,
        logs_expected=expected,
        logs_submitted=submitted,
    )
