"""run_refresh and backfill: a refresh that dies leaves the previous snapshot
current and intact; the real engine end to end on a tiny source; the home
page shows the current snapshot through the service layer."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

import cockpit.refresh as refresh
from cockpit.config import load_settings
from cockpit.refresh import RefreshError, backfill, run_refresh, week_ends
from cockpit.scope import Scope
from cockpit.store import Store
from metrics.contract import METADATA
from metrics.results import RefreshResult, Value


def make_settings(tmp_path: Path, extra: str = ""):
    cfg = tmp_path / "cockpit.yaml"
    cfg.write_text(
        f'store_url: "sqlite:///{tmp_path}/store.sqlite"\ndemo: {{path: "{tmp_path}/demo.sqlite"}}\n{extra}',
        encoding="utf-8",
    )
    return load_settings({"COCKPIT_CONFIG": str(cfg)}, root=tmp_path)


def make_source(path: Path, data: dict[str, list[dict]]) -> None:
    engine = create_engine(f"sqlite:///{path}")
    METADATA.create_all(engine)
    with engine.begin() as conn:
        for name, rows in data.items():
            cols = [c.name for c in METADATA.tables[name].columns]
            conn.execute(METADATA.tables[name].insert(), [{c: r.get(c) for c in cols} for r in rows])
    engine.dispose()


SCHOOL = {"school_code": "4133010001", "name_zh": "示范职业技术学院", "region_code": "330100"}


@pytest.fixture
def settings(tmp_path):
    s = make_settings(tmp_path)
    make_source(s.demo.path, {"school_profile": [SCHOOL]})
    return s


def fake(rate: float):
    def compute(settings, source, as_of):
        return RefreshResult(
            as_of=as_of,
            values=[
                Value("placement_rate", "cohort:2026", {}, rate, rate * 200, 200.0),
                Value("placement_rate", "cohort:2026", {"department": "D01"}, 0.5, 50.0, 100.0),
            ],
            school=dict(SCHOOL),
        )

    return compute


def test_refresh_publishes_a_snapshot(settings, monkeypatch):
    monkeypatch.setattr(refresh, "_compute", fake(0.9))
    sid = run_refresh(settings, date(2026, 3, 8))
    store = Store(settings.store_url)
    snap = store.current()
    assert snap.id == sid and snap.status == "ok" and snap.trigger == "cli"
    assert [v.value for v in store.values(sid, metric="placement_rate")] == [0.9, 0.5]


def test_refresh_failing_leaves_previous_snapshot_current(settings, monkeypatch):
    monkeypatch.setattr(refresh, "_compute", fake(0.9))
    good = run_refresh(settings, date(2026, 3, 1))
    store = Store(settings.store_url)
    before = store.values(good)

    def boom(settings, source, as_of):
        raise RuntimeError("lost the connection half-way\nwith a second line")

    monkeypatch.setattr(refresh, "_compute", boom)
    with pytest.raises(RefreshError) as exc:
        run_refresh(settings, date(2026, 3, 8), trigger="schedule")
    assert str(exc.value) == "RuntimeError: lost the connection half-way"
    failed = store.get(exc.value.snapshot_id)
    assert failed.status == "failed" and failed.error == "RuntimeError: lost the connection half-way"
    assert store.count_values(failed.id) == 0
    assert store.current_id() == good
    assert store.values(good) == before


def test_refresh_with_store_failing_mid_write(settings, monkeypatch):
    monkeypatch.setattr(refresh, "_compute", fake(0.9))
    good = run_refresh(settings, date(2026, 3, 1))

    def bad(settings, source, as_of):
        r = fake(0.1)(settings, source, as_of)
        r.values.append(Value(None, "cohort:2026", {}, 1.0, 1.0, 1.0))  # type: ignore[arg-type]
        return r

    monkeypatch.setattr(refresh, "_compute", bad)
    with pytest.raises(RefreshError) as exc:
        run_refresh(settings, date(2026, 3, 8))
    assert str(exc.value).startswith("store ")
    store = Store(settings.store_url)
    assert store.get(exc.value.snapshot_id).status == "failed"
    assert store.count_values(exc.value.snapshot_id) == 0
    assert store.current_id() == good


def test_engine_returning_another_date_is_refused(settings, monkeypatch):
    monkeypatch.setattr(refresh, "_compute", lambda s, src, d: RefreshResult(as_of=date(2020, 1, 1)))
    with pytest.raises(RefreshError, match="computed as of 2020-01-01"):
        run_refresh(settings, date(2026, 3, 8))


def test_missing_source_file_is_one_line(tmp_path):
    s = make_settings(tmp_path)
    with pytest.raises(RefreshError) as exc:
        run_refresh(s, date(2026, 3, 8))
    assert "does not exist" in str(exc.value) and "python -m cockpit demo" in str(exc.value)
    assert Store(s.store_url).get(exc.value.snapshot_id).status == "failed"


def test_real_engine_on_a_tiny_source(tmp_path):
    s = make_settings(tmp_path)
    make_source(
        s.demo.path,
        {
            "school_profile": [SCHOOL],
            "department": [{"department_code": "D01", "name_zh": "智能制造学院", "kind": "academic"}],
            "major": [
                {
                    "major_code": "M01",
                    "catalog_code": "460301",
                    "name_zh": "机电一体化技术",
                    "department_code": "D01",
                    "active": True,
                }
            ],
            "student": [
                {
                    "student_id": f"S{i}",
                    "major_code": "M01",
                    "entry_year": 2023,
                    "expected_graduation_year": 2026,
                    "status": "enrolled",
                }
                for i in range(4)
            ],
            "graduate_destination": [
                {
                    "student_id": "S0",
                    "graduation_year": 2026,
                    "destination": "contract",
                    "placed_on": date(2026, 2, 1),
                },
                {"student_id": "S1", "graduation_year": 2026, "destination": "unplaced"},
                {
                    "student_id": "S2",
                    "graduation_year": 2026,
                    "destination": "further_study",
                    "placed_on": date(2026, 3, 1),
                },
                {
                    "student_id": "S3",
                    "graduation_year": 2026,
                    "destination": "flexible",
                    "placed_on": date(2026, 5, 1),
                },
            ],
        },
    )
    sid = run_refresh(s, date(2026, 3, 8))
    store = Store(s.store_url)
    assert store.get(sid).status in ("ok", "partial")
    school = {v.period: v for v in store.values(sid, metric="placement_rate") if v.dims == {}}
    assert (school["cohort:2026"].value, school["cohort:2026"].numerator) == (0.5, 2.0)
    assert store.get(sid).school["name_zh"] == "示范职业技术学院"


def test_unusable_source_fails_cleanly_with_the_engine(tmp_path, monkeypatch):
    s = make_settings(tmp_path)
    make_source(s.demo.path, {"school_profile": [SCHOOL, {**SCHOOL, "school_code": "2"}]})
    monkeypatch.setattr(refresh, "_compute", fake(0.9))
    good = run_refresh(s, date(2026, 3, 1))
    monkeypatch.undo()
    with pytest.raises(RefreshError) as exc:
        run_refresh(s, date(2026, 3, 8))
    assert "school_profile" in str(exc.value) and "\n" not in str(exc.value)
    assert Store(s.store_url).current_id() == good


def test_week_ends_are_past_sundays_up_to_the_source_dates():
    assert week_ends(3, date(2026, 3, 11), date(2026, 3, 20)) == [
        date(2026, 2, 22),
        date(2026, 3, 1),
        date(2026, 3, 8),
    ]
    # a Sunday anchor that is past counts; today itself never does
    assert week_ends(1, date(2026, 3, 8), date(2026, 3, 9)) == [date(2026, 3, 8)]
    assert week_ends(1, date(2026, 3, 8), date(2026, 3, 8)) == [date(2026, 3, 1)]
    assert week_ends(0, date(2026, 3, 8), date(2026, 3, 9)) == []


def test_backfill_skips_week_ends_already_stored(settings, monkeypatch):
    monkeypatch.setattr(refresh, "_compute", fake(0.8))
    monkeypatch.setattr(refresh, "source_latest_date", lambda engine: date(2026, 3, 11))
    run_refresh(settings, date(2026, 3, 1))  # already there
    seen = []
    ids = backfill(settings, 3, progress=lambda done, total, d: seen.append((done, total, d)))
    store = Store(settings.store_url)
    assert len(ids) == 2
    assert sorted(store.get(i).as_of for i in ids) == [date(2026, 2, 22), date(2026, 3, 8)]
    assert all(store.get(i).trigger == "backfill" for i in ids)
    assert seen[0] == (0, 2, date(2026, 2, 22)) and seen[-1][0] == 2
    assert backfill(settings, 3) == []  # nothing left to do


def test_healthz_names_the_current_snapshot(settings, monkeypatch):
    from cockpit.app import create_app

    monkeypatch.setattr(refresh, "_compute", fake(0.912))
    sid = run_refresh(settings, date(2026, 3, 8))
    app = create_app(settings, schedule=False)
    health = app.server.test_client().get("/healthz").get_json()
    assert health == {"ok": True, "snapshot_id": sid, "as_of": "2026-03-08", "status": "ok"}


def test_freshness_is_stale_when_the_last_refresh_failed_or_is_old(settings, monkeypatch):
    from datetime import timedelta

    from sqlalchemy import update

    from cockpit import service
    from cockpit.app import create_app
    from cockpit.store import snapshot, utcnow

    monkeypatch.setattr(refresh, "_compute", fake(0.9))
    sid = run_refresh(settings, date(2026, 3, 8))
    app = create_app(settings, schedule=False)
    with app.server.app_context():
        assert service.freshness(Scope.whole_school())["stale"] is False  # just refreshed
    store = Store(settings.store_url)
    with store.engine.begin() as conn:  # last success 3 hours ago: two half-hourly runs missed
        conn.execute(
            update(snapshot).where(snapshot.c.id == sid).values(finished_at=utcnow() - timedelta(hours=3))
        )
    monkeypatch.setattr(
        refresh, "_compute", lambda s, src, d: (_ for _ in ()).throw(RuntimeError("源库连接中断"))
    )
    with pytest.raises(RefreshError):
        run_refresh(settings, date(2026, 3, 8))
    with app.server.app_context():
        f = service.freshness(Scope.whole_school())
    assert f["stale"] is True
    assert f["snapshot_id"] == sid
    assert f["last_attempt"]["status"] == "failed"
    assert "RuntimeError: 源库连接中断" in f["last_attempt"]["error"]
    # the live wall's clock runs: no clock_at
    with app.server.app_context():
        assert service.screen_settings()["clock_at"] is None

    # A weekly report's render of that very snapshot shows it on purpose: no stale or
    # failed banner (cockpit.render_server.PinnedStore), and its wall clock stands at the
    # moment the snapshot was taken, not at the hour the report is made.
    from cockpit.render_server import PinnedStore

    ctx = app.server.extensions["cockpit"]
    live = ctx.store
    ctx.store = PinnedStore(live, sid)
    try:
        with app.server.app_context():
            pinned = service.freshness(Scope.whole_school())
            clock_at = service.screen_settings()["clock_at"]
    finally:
        ctx.store = live
    assert pinned["stale"] is False and pinned["snapshot_id"] == sid
    assert pinned["last_attempt"]["id"] == sid and pinned["last_attempt"]["status"] == "ok"
    taken = store.get(sid).finished_at
    assert datetime.fromisoformat(clock_at) == taken


def test_school_screen_without_any_snapshot_says_so(tmp_path):
    from cockpit.app import create_app

    app = create_app(make_settings(tmp_path), schedule=False)
    from pages import school

    with app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert app.server.preprocess_request() is None  # signed in (the demo's loopback rule)
        page = json.dumps(
            school.layout().to_plotly_json(), ensure_ascii=False, default=lambda o: o.to_plotly_json()
        )
    assert "还没有可用的指标快照" in page


def test_last_season_week_ends_start_one_week_before_the_same_day_last_season():
    from cockpit.refresh import last_season_ends

    # latest week end Sunday 2026-11-15; 52 weeks earlier is Sunday 2025-11-16
    assert last_season_ends(3, date(2026, 11, 15)) == [
        date(2025, 11, 9),
        date(2025, 11, 16),
        date(2025, 11, 23),
    ]
    assert last_season_ends(0, date(2026, 11, 15)) == []
