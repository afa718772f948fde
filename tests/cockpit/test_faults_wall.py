"""Faults a wall survives without a person (issue 11), in headless Chromium against
`python -m cockpit serve` in a child process: the source gone (the refresh fails
cleanly, the stale banner within one poll, gone again after the next good refresh) and
the web server killed with SIGKILL and started again on the same port (the wall says
it lost the connection, then reconnects and shows the current snapshot)."""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta

import pytest

from cockpit.i18n import t
from cockpit.readiness import ready_js
from tests.support.demo import TODAY
from tests.support.faults import CockpitServer, cli, cockpit_env, wait_for

READY = ready_js(require_figures=True)
BANNER_JS = """
var b = document.getElementById('stale-banner');
var a = document.querySelector('.wall-asof');
return {shown: !!b && b.classList.contains('show'), text: b ? b.textContent : null,
        asof: a ? a.textContent : null};
"""


@pytest.fixture
def wall(demo_store, tmp_path):
    """A copy of the demo source, a store with one snapshot, the server, and Chromium on "/"."""
    from tests.pages.conftest import start_chromium

    source = tmp_path / "source.sqlite"
    shutil.copy(demo_store.dir / "source.sqlite", source)
    env = cockpit_env(tmp_path, f"sqlite:///{source}", f"sqlite:///{tmp_path / 'store.sqlite'}")
    done = cli(env, "refresh", "--as-of", TODAY.isoformat())
    assert done.returncode == 0, done.stderr
    server = CockpitServer(env, tmp_path / "serve.log").start()
    driver = start_chromium(str(tmp_path / "chromium"))
    try:
        driver.get(server.url + "/")
        wait_for(lambda: driver.execute_script(READY), 60, "the school screen drawn")
        yield env, server, driver, source
    finally:
        driver.quit()
        server.stop()


def _banner(driver) -> dict:
    return driver.execute_script(BANNER_JS)


def test_source_down_refresh_fails_cleanly_banner_then_recovery(wall):
    env, server, driver, source = wall
    assert not _banner(driver)["shown"]
    before = server.json("/healthz")["snapshot_id"]

    source.rename(source.with_suffix(".gone"))
    failed = cli(env, "refresh", "--as-of", TODAY.isoformat())
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "does not exist" in lines[-1]
    assert "Traceback" not in failed.stderr
    assert server.json("/healthz")["snapshot_id"] == before  # the previous one stays current
    state = wait_for(lambda: (b := _banner(driver))["shown"] and b, 30, "the stale banner")
    assert t("refresh_failed", "zh") in state["text"]
    assert driver.execute_script(READY)  # the figures are still there under the banner

    source.with_suffix(".gone").rename(source)  # the source is back: the next refresh heals
    assert cli(env, "refresh", "--as-of", TODAY.isoformat()).returncode == 0
    wait_for(lambda: not _banner(driver)["shown"], 30, "the banner to go")
    assert server.json("/healthz")["snapshot_id"] != before


def test_web_server_killed_wall_reconnects_and_shows_current_snapshot(wall):
    env, server, driver, _ = wall
    assert "2026年11月21日" in _banner(driver)["asof"]

    server.kill9()
    state = wait_for(lambda: (b := _banner(driver))["shown"] and b, 30, "the connection-lost banner")
    assert state["text"] == t("offline", "zh")

    later = TODAY + timedelta(days=1)  # a new snapshot while the server is down
    assert cli(env, "refresh", "--as-of", later.isoformat()).returncode == 0
    server.start()  # the same port; nobody touches the browser
    wait_for(
        lambda: "2026年11月22日" in (_banner(driver)["asof"] or "") and driver.execute_script(READY),
        60,
        "the wall to show the new snapshot",
    )
    assert not _banner(driver)["shown"]
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "/_dash" in e["message"]]
    assert not [e for e in severe if "500" in e["message"]]


def test_redis_down_pages_served_without_cache_then_cached_again(demo_store, tmp_path):
    from tests.pages.conftest import start_chromium
    from tests.support.faults import RedisServer

    redis = RedisServer(tmp_path / "redis.log").start()
    env = cockpit_env(
        tmp_path, demo_store.source_url, f"sqlite:///{tmp_path / 'store.sqlite'}", COCKPIT_REDIS_URL=redis.url
    )
    assert cli(env, "refresh", "--as-of", TODAY.isoformat()).returncode == 0
    server = CockpitServer(env, tmp_path / "serve.log").start()
    driver = start_chromium(str(tmp_path / "chromium"))

    def school_drawn() -> None:
        driver.get(server.url + "/")
        wait_for(lambda: driver.execute_script(READY), 60, "the school screen drawn")
        assert "2026年11月21日" in _banner(driver)["asof"]

    try:
        school_drawn()
        assert redis.keys() > 0  # the service layer caches in Redis

        redis.stop()
        school_drawn()  # served all the same, from the store
        school_drawn()
        log = server.log_text()
        assert log.count("Redis unreachable") == 1, log[-3000:]
        assert "Traceback" not in log

        redis.start()  # the same port, empty
        assert redis.keys() == 0
        wait_for(lambda: (school_drawn(), redis.keys() > 0)[1], 60, "caching in Redis again")
        assert "Redis is back" in server.log_text()
    finally:
        driver.quit()
        server.stop()
        redis.stop()


def test_store_briefly_down_clear_banner_no_traceback_recovery(demo_store, tmp_path):
    from sqlalchemy import create_engine, text

    from tests.conftest import PG_ADMIN_URL
    from tests.pages.conftest import start_chromium
    from tests.support.faults import TcpProxy

    name = f"faults_store_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    proxy = TcpProxy("127.0.0.1", 5432)
    env = cockpit_env(
        tmp_path, demo_store.source_url, f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/{name}"
    )
    server = driver = None
    try:
        assert cli(env, "refresh", "--as-of", TODAY.isoformat()).returncode == 0
        server = CockpitServer(env, tmp_path / "serve.log").start()
        sid = server.json("/healthz")["snapshot_id"]
        driver = start_chromium(str(tmp_path / "chromium"))
        driver.get(server.url + "/")
        wait_for(lambda: driver.execute_script(READY), 60, "the school screen drawn")
        assert not _banner(driver)["shown"]

        proxy.cut()  # the store is gone
        state = wait_for(lambda: (b := _banner(driver))["shown"] and b, 30, "the banner")
        assert state["text"] == t("offline", "zh")
        status, body = server.get("/healthz")
        assert status == 503 and b"snapshot store is unreachable" in body
        assert driver.execute_script(READY)  # the last figures stay on the wall

        proxy.restore()
        wait_for(lambda: not _banner(driver)["shown"], 60, "the banner to go")
        wait_for(lambda: driver.execute_script(READY), 60, "the school screen drawn again")
        assert server.json("/healthz")["snapshot_id"] == sid
        log = server.log_text()
        assert "Traceback" not in log, log[-3000:]
        assert log.count("snapshot store unreachable") == 1
        assert "snapshot store answering again" in log
    finally:
        if driver is not None:
            driver.quit()
        if server is not None:
            server.stop()
        proxy.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
