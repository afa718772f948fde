"""OA approvals: three years of requests up to the anchor, step by step.

Requests are filed on working days in office hours, fewer in the Spring
Festival and summer vacations, more at year end. Each step takes a lognormal
number of working days by role (部门负责人 fast, 分管校领导 and 校长 slow with
long tails) and is acted on in office hours mostly, so measured latencies are
mostly within SLA with a minority overdue, more in the heavy processes
(采购, 合同, 校企合作). Steps not acted on by the end of the anchor day are
waiting (NULL), which gives the backlog; a few requests have been stuck for
months at a leader's desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cockpit.demo import reference as ref
from cockpit.demo.workdays import DAY, WorkClock, is_workday

HOUR = 3600
ROLES = tuple(ref.ROLE_DELAY)
_ADMIN_OVERRIDE = {"OA05": "XZ08", "OA08": "XZ01", "OA09": "XZ05", "OA11": "XZ03"}  # the owning office


@dataclass
class Approvals:
    """Instances and their steps, as parallel arrays (−1 / '' for NULL)."""

    ids: np.ndarray
    process: np.ndarray  # index into reference.PROCESSES
    department: np.ndarray  # department code
    submitted: np.ndarray  # epoch seconds
    finished: np.ndarray
    outcome: np.ndarray
    step_instance: np.ndarray  # index into the instances
    step_no: np.ndarray
    step_name: np.ndarray
    arrived: np.ndarray
    acted: np.ndarray
    action: np.ndarray


def _window(today: date) -> tuple[date, int]:
    """First day and length of the three years ending with the anchor day."""
    try:
        first = today.replace(year=today.year - ref.APPROVAL_YEARS) + timedelta(days=1)
    except ValueError:  # 29 February
        first = today.replace(year=today.year - ref.APPROVAL_YEARS, day=28) + timedelta(days=1)
    return first, (today - first).days + 1


def _day_weights(first: date, days: int, today: date) -> np.ndarray:
    """Relative filing volume of each day: working days, vacations, year end."""
    out = np.empty(days)
    for i in range(days):
        d = first + timedelta(days=i)
        w = 1.0 if is_workday(d) else 0.05
        if (d.month == 1 and d.day >= 18) or (d.month == 2 and d.day <= 22):
            w *= 0.35  # winter vacation around the Spring Festival
        elif (d.month == 7 and d.day >= 12) or (d.month == 8 and d.day <= 28):
            w *= 0.3  # summer vacation
        w *= {12: 1.25, 3: 1.1, 6: 1.1, 9: 1.1}.get(d.month, 1.0)
        out[i] = w * 1.05 ** (-(today - d).days / 365)  # OA use keeps growing
    return out


def _in_vacation(seconds: np.ndarray, clock: WorkClock) -> np.ndarray:
    days = (seconds // DAY).astype("datetime64[D]")
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    winter = ((month == 1) & (dom >= 18)) | ((month == 2) & (dom <= 22))
    summer = ((month == 7) & (dom >= 12)) | ((month == 8) & (dom <= 28))
    return winter | summer


def generate_approvals(rng: np.random.Generator, scale: float, today: date) -> Approvals:
    first, days = _window(today)
    clock = WorkClock(first - timedelta(days=7), days + 7 + 2500)
    n = max(50, round(ref.APPROVALS_PER_YEAR * scale * ref.APPROVAL_YEARS))
    weights = _day_weights(first, days, today)
    day = rng.choice(days, size=n, p=weights / weights.sum())
    day_start = clock.epoch + (day + 7) * DAY
    workday = clock.work[day + 7]
    part = rng.random(n)
    tod = np.where(
        part < 0.45,
        rng.normal(10 * HOUR, 1.1 * HOUR, n),
        np.where(part < 0.9, rng.normal(15 * HOUR, 1.2 * HOUR, n), rng.uniform(7 * HOUR, 23 * HOUR, n)),
    )
    tod = np.where(workday, np.clip(tod, 6.5 * HOUR, 23.5 * HOUR), rng.uniform(8 * HOUR, 22 * HOUR, n))
    submitted = np.sort(day_start + tod.astype(np.int64))
    shares = np.array([p.share for p in ref.PROCESSES])
    process = rng.choice(len(ref.PROCESSES), size=n, p=shares / shares.sum())
    department = _departments(rng, process)
    ids = _instance_ids(submitted)

    plan = rng.choice(3, size=n, p=[0.90, 0.05, 0.05])  # approved, rejected, withdrawn
    steps = _routes(rng, process, plan)
    stuck = _stuck(rng, submitted, process, plan, steps, today)
    arrived, acted = _timeline(rng, clock, submitted, process, steps, stuck)

    cutoff = clock.epoch + (today - clock.first).days * DAY + DAY  # end of the anchor day
    exists = arrived < cutoff
    waiting = exists & (acted >= cutoff)
    s_inst = steps["instance"][exists]
    last = acted[np.r_[np.flatnonzero(np.diff(steps["instance"])), steps["instance"].size - 1]]
    pending = np.zeros(n, dtype=bool)
    pending[steps["instance"][waiting]] = True
    withdraw_wait = clock.from_work(clock.to_work(last) + (rng.uniform(0.05, 2.0, n) * DAY).astype(np.int64))
    finished = np.where(plan == 2, withdraw_wait, last + rng.integers(0, 90, n))
    finished = np.where(plan == 2, finished, np.minimum(finished, np.maximum(last, cutoff - 1)))
    pending |= finished >= cutoff
    outcome = np.array(["approved", "rejected", "withdrawn"])[plan]
    return Approvals(
        ids=ids,
        process=process,
        department=department,
        submitted=submitted,
        finished=np.where(pending, -1, finished),
        outcome=np.where(pending, "", outcome),
        step_instance=s_inst,
        step_no=steps["pos"][exists] + 1,
        step_name=steps["name"][exists],
        arrived=arrived[exists],
        acted=np.where(waiting, -1, acted)[exists],
        action=np.where(waiting, "", steps["action"])[exists],
    )


def _departments(rng: np.random.Generator, process: np.ndarray) -> np.ndarray:
    """The applicant's department: a 二级学院 (by its number of majors) or an office."""
    academic = np.array([d.code for d in ref.ACADEMIC])
    size = np.array([sum(m.department == d.code for m in ref.MAJORS) for d in ref.ACADEMIC], dtype=float)
    offices = np.array([c for c, _, _, _ in ref.ADMINISTRATIVE])
    office_w = np.array([w for _, _, _, w in ref.ADMINISTRATIVE])
    n = process.size
    out = np.empty(n, dtype="U4")
    for i, p in enumerate(ref.PROCESSES):
        rows = np.flatnonzero(process == i)
        from_school = rng.random(rows.size) < p.academic
        w = office_w.copy()
        if p.code in _ADMIN_OVERRIDE:
            w[list(offices).index(_ADMIN_OVERRIDE[p.code])] += office_w.sum() * 2
        out[rows[from_school]] = rng.choice(academic, size=from_school.sum(), p=size / size.sum())
        out[rows[~from_school]] = rng.choice(offices, size=(~from_school).sum(), p=w / w.sum())
    return out


def _instance_ids(submitted: np.ndarray) -> np.ndarray:
    """SP + filing date + serial of the day, e.g. SP2026112100042."""
    day = submitted // DAY
    first_of_day = np.r_[0, np.flatnonzero(np.diff(day)) + 1]
    serial = np.arange(day.size) - np.repeat(first_of_day, np.diff(np.r_[first_of_day, day.size])) + 1
    dates = np.datetime_as_string(day.astype("datetime64[D]"), unit="D").astype("U10")
    compact = np.char.replace(dates, "-", "")
    return np.char.add(np.char.add("SP", compact), np.char.zfill(serial.astype(str), 5))


def _routes(rng: np.random.Generator, process: np.ndarray, plan: np.ndarray) -> dict[str, np.ndarray]:
    """The steps of every instance, flattened in order: which slots of its
    process it passes, a step sent back once and repeated (approved ones), and
    the step where a rejected or withdrawn request ends."""
    slots = max(len(p.steps) for p in ref.PROCESSES)
    prob = np.zeros((len(ref.PROCESSES), slots))
    names = np.full((len(ref.PROCESSES), slots), "", dtype=object)
    roles = np.zeros((len(ref.PROCESSES), slots), dtype=np.int64)
    for i, p in enumerate(ref.PROCESSES):
        for s, (name, role, pr) in enumerate(p.steps):
            prob[i, s], names[i, s], roles[i, s] = pr, name, ROLES.index(role)
    n = process.size
    count = (rng.random((n, slots)) < prob[process]).astype(np.int64)
    # approved requests sometimes have a later step sent back and repeated
    redo = (plan == 0) & (rng.random(n) < 0.04) & (count.sum(axis=1) < slots)
    later = count.copy()
    later[:, 0] = 0
    has_later = later.sum(axis=1) > 0
    redo &= has_later
    pick = np.argmax(later * rng.random((n, slots)), axis=1)
    count[np.flatnonzero(redo), pick[redo]] += 1
    instance = np.repeat(np.repeat(np.arange(n), slots), count.ravel())
    slot = np.repeat(np.tile(np.arange(slots), n), count.ravel())
    length = count.sum(axis=1)
    starts = np.r_[0, np.cumsum(length)[:-1]]
    pos = np.arange(instance.size) - starts[instance]
    repeat_first = np.r_[slot[1:] == slot[:-1], False] & np.r_[instance[1:] == instance[:-1], False]
    repeat_second = np.r_[False, repeat_first[:-1]]
    action = np.where(repeat_first, "return", "approve").astype("U7")
    # rejected / withdrawn requests end at a step after the first, chosen at random
    end_pos = 1 + (rng.random(n) * (length - 1)).astype(np.int64)
    ends = plan[instance] != 0
    keep = ~ends | (pos <= end_pos[instance])
    final = ends & (pos == end_pos[instance])
    action = np.where(final & (plan[instance] == 1), "reject", np.where(final, "return", action))
    proc = process[instance]
    return {
        "instance": instance[keep],
        "pos": pos[keep],
        "name": names[proc, slot][keep].astype(str),
        "role": roles[proc, slot][keep],
        "action": action[keep],
        "resubmitted": repeat_second[keep],
    }


def _stuck(
    rng: np.random.Generator,
    submitted: np.ndarray,
    process: np.ndarray,
    plan: np.ndarray,
    steps: dict[str, np.ndarray],
    today: date,
) -> np.ndarray:
    """A few requests filed one to seven months ago stuck at a leader's step."""
    now = int(np.datetime64(today, "s").astype(np.int64))
    leader_step = np.isin(steps["role"], (ROLES.index("vice"), ROLES.index("president")))
    candidates = np.unique(steps["instance"][leader_step])
    age = now - submitted[candidates]
    candidates = candidates[(age > 25 * DAY) & (age < 210 * DAY) & (plan[candidates] == 0)]
    k = min(candidates.size, 6)
    chosen = rng.choice(candidates, size=k, replace=False) if k else candidates
    stuck = np.zeros(steps["instance"].size, dtype=bool)
    stuck[np.isin(steps["instance"], chosen) & leader_step] = True
    return stuck


def _timeline(
    rng: np.random.Generator,
    clock: WorkClock,
    submitted: np.ndarray,
    process: np.ndarray,
    steps: dict[str, np.ndarray],
    stuck: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """arrived_at and acted_at of every step: each step arrives when the one
    before it is acted on (after the applicant's rework for a repeated step)."""
    m = steps["instance"].size
    median = np.array([ref.ROLE_DELAY[r][0] for r in ROLES])[steps["role"]]
    sigma = np.array([ref.ROLE_DELAY[r][1] for r in ROLES])[steps["role"]]
    slowness = np.array([p.slowness for p in ref.PROCESSES])[process[steps["instance"]]]
    urgency = rng.lognormal(0.0, 0.35, submitted.size)[steps["instance"]]
    delay = median * slowness * urgency * rng.lognormal(0.0, 1.0, m) ** sigma
    delay = np.where(stuck, 5000.0, delay)
    rework = np.where(steps["resubmitted"], rng.uniform(0.2, 2.0, m), 0.0)
    arrived = np.empty(m, dtype=np.int64)
    acted = np.empty(m, dtype=np.int64)
    now = submitted.copy()
    for pos in range(int(steps["pos"].max()) + 1 if m else 0):
        sel = np.flatnonzero(steps["pos"] == pos)
        inst = steps["instance"][sel]
        arrive = now[inst]
        back = clock.from_work(clock.to_work(arrive) + (rework[sel] * DAY).astype(np.int64))
        arrive = np.where(rework[sel] > 0, _office_hours(rng, clock, back), arrive)
        d = delay[sel] * np.where(_in_vacation(arrive, clock), 1.6, 1.0)
        act = clock.from_work(clock.to_work(arrive) + (d * DAY).astype(np.int64))
        act = np.maximum(_office_hours(rng, clock, act), arrive + rng.integers(60, 900, sel.size))
        arrived[sel], acted[sel] = arrive, act
        now[inst] = act
    return arrived, acted


def _office_hours(rng: np.random.Generator, clock: WorkClock, moments: np.ndarray) -> np.ndarray:
    """Most actions happen in office hours: a moment late in the evening moves
    to the next working morning, one in the small hours to that morning; some
    evening ones stay (leaders approving on their phones before 23:00)."""
    tod = (moments - clock.epoch) % DAY
    midnight = moments - tod
    u = rng.random(moments.size)
    morning = rng.integers(8 * HOUR, int(10.5 * HOUR), moments.size)
    late = (tod > 18.5 * HOUR) & ((u < 0.75) | (tod > 23 * HOUR))
    early = tod < 7 * HOUR
    out = np.where(late, clock.next_workday_start(moments) + morning, moments)
    return np.where(early, midnight + morning, out)
