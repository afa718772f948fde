"""A source that dies in the middle of the extract: the refresh fails with one
line naming the source, and the previous snapshot stays current and intact
(issue 8). Run on every backend, the connection killed the way a DBA or a
network would: PostgreSQL pg_terminate_backend, MariaDB KILL, SQLite an
interrupted statement."""

from __future__ import annotations

from datetime import date

import pytest
from engine_modes import MARIADB_ADMIN_URL, PG_ADMIN_URL
from sqlalchemy import create_engine, event, text

import cockpit.refresh as refresh
from cockpit.config import load_settings
from cockpit.refresh import RefreshError, run_refresh
from cockpit.store import Store

D = date(2026, 3, 18)
DATA = {
    "school_profile": [{"school_code": "4133010001", "name_zh": "示范职业技术学院", "region_code": "330100"}],
    "department": [{"department_code": "D1", "name_zh": "部门", "kind": "academic"}],
    "approval_process": [{"process_code": "PS", "name_zh": "用印", "category": "seal", "sla_workdays": 1}],
    "approval_instance": [
        {
            "instance_id": "i1",
            "process_code": "PS",
            "department_code": "D1",
            "submitted_at": date(2026, 3, 16),
        }
    ],
}


def _kill(backend_url: str, dbapi_conn) -> None:
    """Kill the source connection from outside, as a DBA would."""
    if backend_url.startswith("postgresql"):
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        pid = dbapi_conn.info.backend_pid
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
    elif backend_url.startswith("mysql"):
        admin = create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"KILL {int(dbapi_conn.thread_id())}"))
        admin.dispose()
    else:
        dbapi_conn.set_progress_handler(lambda: 1, 1)  # every statement from now on is interrupted


@pytest.fixture
def settings(tmp_path, backend_url, load_source):
    load_source(DATA).dispose()
    cfg = tmp_path / "cockpit.yaml"
    cfg.write_text(f'store_url: "sqlite:///{tmp_path}/store.sqlite"\nengine: {{mode: extract}}\n')
    return load_settings({"COCKPIT_CONFIG": str(cfg), "COCKPIT_SOURCE_URL": backend_url}, root=tmp_path)


def test_source_dying_mid_extract_leaves_previous_snapshot_current(settings, backend_url, monkeypatch):
    store = Store(settings.store_url)
    first = run_refresh(settings, D, store=store)
    before = store.values(first)
    assert store.get(first).source_counts["approval_instance"] == 1
    stats = store.extract_stats(first)
    assert set(stats) == set(DATA) | {"industry", "major", "major_industry", "enterprise", "student"} | {
        "internship",
        "graduate_destination",
        "approval_step",
        "industry_demand",
    }
    assert stats["approval_instance"]["rows"] == 1 and stats["approval_instance"]["bytes"] > 0

    real = refresh.source_engine

    def dying(s):
        engine = real(s)

        @event.listens_for(engine, "before_cursor_execute")
        def _die(conn, _cursor, statement, *_args):
            if "approval_instance" in statement:
                _kill(backend_url, conn.connection.dbapi_connection)

        return engine

    monkeypatch.setattr(refresh, "source_engine", dying)
    with pytest.raises(RefreshError) as err:
        run_refresh(settings, D, store=store)
    assert "cannot read the source" in str(err.value)
    assert "\n" not in str(err.value)
    failed = store.get(err.value.snapshot_id)
    assert failed.status == "failed"
    assert store.current_id() == first
    assert store.values(first) == before
    store.dispose()
