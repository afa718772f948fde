"""The snapshot store on SQLite, PostgreSQL and MariaDB: a snapshot is visible
only when complete, current()/for_as_of() semantics, abandoned refreshes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import IntegrityError

from cockpit.store import Store, StoreError, metadata, snapshot, utcnow
from metrics.results import Alert, QualityCount, RefreshResult, Value

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MARIADB_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4"


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def store_url(request, tmp_path_factory) -> Iterator[str]:
    kind = request.param
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.sqlite'}"
        return
    name = f"cockpit_store_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN if kind == "postgresql" else MARIADB_ADMIN, isolation_level="AUTOCOMMIT")
    q = '"' if kind == "postgresql" else "`"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {q}{name}{q}"))
    try:
        if kind == "postgresql":
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        else:
            yield f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if kind == "postgresql" else ""
            conn.execute(text(f"DROP DATABASE IF EXISTS {q}{name}{q}{force}"))
        admin.dispose()


@pytest.fixture
def store(store_url) -> Iterator[Store]:
    s = Store(store_url)
    metadata.drop_all(s.engine)
    metadata.create_all(s.engine)
    try:
        yield s
    finally:
        s.dispose()


def result(as_of: date, rate: float = 0.9, failed: dict | None = None) -> RefreshResult:
    return RefreshResult(
        as_of=as_of,
        values=[
            Value("placement_rate", "cohort:2026", {}, rate, rate * 100, 100.0),
            Value("placement_rate", "cohort:2026", {"department": "D01"}, 0.5, 10.0, 20.0),
            Value("approval_backlog", f"day:{as_of}", {}, 7.0, 7.0, None),
            Value(
                "step_latency_p50",
                "month:2026-03",
                {"process": "P1", "step": "分管校领导审批"},
                1.25,
                None,
                None,
            ),
            Value("major_related_rate", "cohort:2026", {"major": "510203"}, None, None, None),
        ],
        quality=[QualityCount("row_orphan", "internship", 3, ["I1", "I2", "I3"])],
        source_counts={"student": 1000},
        failed=failed or {},
        alerts=[Alert("placement_rate", "cohort:2026", {}, "warning", rate, 0.95)],
        school={"school_code": "4133010001", "name_zh": "示范职业技术学院", "region_code": "330100"},
        labels={"department": {"D01": {"name_zh": "智能制造学院", "name_en": None, "kind": "academic"}}},
        pending=[
            {"instance_id": "A1", "process": "P1", "department": "D01", "step": "审核", "age_workdays": 3.5}
        ],
    )


def publish(store: Store, as_of: date, **kw) -> int:
    sid = store.begin(as_of, "cli")
    store.complete(sid, result(as_of, **kw))
    return sid


def test_round_trip(store):
    sid = store.begin(date(2026, 3, 1), "cli")
    assert store.get(sid).status == "running"
    assert store.complete(sid, result(date(2026, 3, 1))) == "ok"
    snap = store.current()
    assert snap.id == sid and snap.status == "ok" and snap.as_of == date(2026, 3, 1)
    assert snap.school["name_zh"] == "示范职业技术学院"
    assert snap.labels["department"]["D01"]["name_zh"] == "智能制造学院"
    assert snap.pending[0]["age_workdays"] == 3.5
    assert snap.source_counts == {"student": 1000}
    assert snap.duration_s is not None and snap.duration_s >= 0
    vals = {(v.metric, v.period, tuple(sorted(v.dims.items()))): v for v in store.values(sid)}
    assert len(vals) == 5
    v = vals[("placement_rate", "cohort:2026", ())]
    assert (v.value, v.numerator, v.denominator) == (0.9, 90.0, 100.0)
    step = vals[("step_latency_p50", "month:2026-03", (("process", "P1"), ("step", "分管校领导审批")))]
    assert step.value == 1.25 and step.numerator is None
    assert vals[("major_related_rate", "cohort:2026", (("major", "510203"),))].value is None
    assert [v.metric for v in store.values(sid, metric="placement_rate")] == ["placement_rate"] * 2
    assert len(store.values(sid, metric=["placement_rate", "approval_backlog"], periods=["cohort:2026"])) == 2
    assert store.quality(sid) == [QualityCount("row_orphan", "internship", 3, ["I1", "I2", "I3"])]
    assert store.alerts(sid) == [Alert("placement_rate", "cohort:2026", {}, "warning", 0.9, 0.95)]


def test_values_by_grain(store):
    sid = publish(store, date(2026, 3, 1))

    def dims(grains):
        return [v.dims for v in store.values(sid, grains=grains)]

    assert dims(["school"]) == [{}, {}]
    assert dims(["department"]) == [{"department": "D01"}]
    assert dims(["school", "department"]) == [{}, {}, {"department": "D01"}]
    assert dims(["major"]) == [{"major": "510203"}]
    assert dims(["step"]) == [{"process": "P1", "step": "分管校领导审批"}]
    assert dims(["process"]) == []
    with pytest.raises(ValueError):
        store.values(sid, grains=["campus"])


def test_values_are_precise_doubles(store):
    sid = store.begin(date(2026, 3, 1), "cli")
    store.complete(
        sid, RefreshResult(as_of=date(2026, 3, 1), values=[Value("m", "day:2026-03-01", {}, 1 / 3, 1.0, 3.0)])
    )
    assert store.values(sid)[0].value == 1 / 3


def test_partial_snapshot_says_which_metrics_failed(store):
    sid = store.begin(date(2026, 3, 1), "schedule")
    assert store.complete(sid, result(date(2026, 3, 1), failed={"structure_fit_index": "boom"})) == "partial"
    snap = store.current()
    assert snap.id == sid and snap.status == "partial"
    assert snap.failed_metrics == {"structure_fit_index": "boom"}
    assert len(store.values(sid)) == 5


def test_current_is_latest_as_of_then_latest_finished(store):
    assert store.current() is None and store.current_id() is None
    newer = publish(store, date(2026, 3, 8))
    older = publish(store, date(2026, 3, 1))  # a backfill finishing later
    assert store.current_id() == newer
    again = publish(store, date(2026, 3, 8), rate=0.7)  # same as-of, finished later
    assert store.current_id() == again
    assert store.for_as_of(date(2026, 3, 1)).id == older
    assert store.for_as_of(date(2026, 3, 8)).id == again
    assert store.for_as_of(date(2026, 3, 15)) is None
    assert store.successful_as_of_dates() == {date(2026, 3, 1), date(2026, 3, 8)}


def test_running_and_failed_snapshots_are_never_current(store):
    good = publish(store, date(2026, 3, 1))
    running = store.begin(date(2026, 3, 9), "schedule")
    assert store.current_id() == good
    store.fail(running, "SourceError: school_profile holds 2 rows\nsecond line")
    snap = store.get(running)
    assert snap.status == "failed"
    assert snap.error == "SourceError: school_profile holds 2 rows second line"
    assert store.current_id() == good
    assert store.for_as_of(date(2026, 3, 9)) is None
    assert [s.id for s in store.list()] == [running, good]
    assert store.list()[0].labels is None  # list() stays light


def test_complete_failing_midway_leaves_previous_snapshot_intact(store):
    good = publish(store, date(2026, 3, 1))
    before = store.values(good)
    sid = store.begin(date(2026, 3, 8), "cli")
    broken = result(date(2026, 3, 8), rate=0.1)
    # values insert fine, then a quality row breaks a NOT NULL constraint
    broken.quality = [QualityCount(None, "internship", 1)]  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        store.complete(sid, broken)
    assert store.count_values(sid) == 0
    assert store.alerts(sid) == [] and store.quality(sid) == []
    assert store.get(sid).status == "running"
    assert store.current_id() == good
    store.fail(sid, "IntegrityError: quality_count.rule")
    assert store.get(sid).status == "failed"
    assert store.current_id() == good
    assert store.values(good) == before


def test_killed_refresh_is_abandoned_and_cannot_complete_later(store):
    good = publish(store, date(2026, 3, 1))
    killed = store.begin(date(2026, 3, 8), "schedule")
    fresh = store.begin(date(2026, 3, 8), "schedule")
    with store.engine.begin() as conn:  # the killed one started 2 hours ago
        conn.execute(
            update(snapshot).where(snapshot.c.id == killed).values(started_at=utcnow() - timedelta(hours=2))
        )
    assert store.abandon_stale(timedelta(minutes=60)) == [killed]
    assert store.get(killed).status == "abandoned"
    assert store.get(fresh).status == "running"
    assert store.current_id() == good
    with pytest.raises(StoreError, match="not running"):
        store.complete(killed, result(date(2026, 3, 8)))
    assert store.count_values(killed) == 0
    assert store.current_id() == good


def test_bad_trigger_rejected(store):
    with pytest.raises(ValueError):
        store.begin(date(2026, 3, 1), "manual")


def test_scheduler_state(store):
    from datetime import UTC, datetime

    assert store.next_run() is None
    when = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    store.set_next_run("refresh", when, "host:1")
    store.set_next_run("refresh", when + timedelta(minutes=30), "host:1")
    assert store.next_run() == when + timedelta(minutes=30)


def test_status_values_in_table(store):
    publish(store, date(2026, 3, 1))
    with store.engine.connect() as conn:
        assert conn.execute(select(snapshot.c.status, snapshot.c.trigger)).all() == [("ok", "cli")]


def test_a_newer_snapshot_of_the_same_day_supersedes_the_older_one(store):
    from cockpit.store import SUPERSEDED

    first = publish(store, date(2026, 3, 1))
    second = publish(store, date(2026, 3, 1))
    assert store.current_id() == second
    assert store.get(first).status == SUPERSEDED
    assert store.values(first) == []  # its values are gone, its header row stays
    assert store.values(second) != []
    other_day = publish(store, date(2026, 3, 2))
    assert store.get(second).status != SUPERSEDED  # another day's snapshot leaves it alone
    assert store.current_id() == other_day
