"""The command line: JSON-line output, one-line errors with a non-zero exit
and never a traceback."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from cockpit import ROOT
from cockpit.cli import main
from cockpit.store import Store
from metrics.contract import METADATA
from metrics.results import QualityCount, RefreshResult, Value

SCHOOL = {"school_code": "4133010001", "name_zh": "示范职业技术学院", "region_code": "330100"}


@pytest.fixture
def env(tmp_path, monkeypatch) -> dict[str, str]:
    cfg = tmp_path / "cockpit.yaml"
    cfg.write_text(
        f'store_url: "sqlite:///{tmp_path}/store.sqlite"\ndemo: {{path: "{tmp_path}/demo.sqlite"}}\n',
        encoding="utf-8",
    )
    e = {"COCKPIT_CONFIG": str(cfg)}
    for k in ("COCKPIT_SOURCE_URL", "COCKPIT_STORE_URL", "COCKPIT_DEBUG", "PORT"):
        monkeypatch.delenv(k, raising=False)
    for k, v in e.items():
        monkeypatch.setenv(k, v)
    return e


def run(
    args: list[str], env: dict[str, str], extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    full.update(env)
    full.update(extra or {})
    return subprocess.run(
        [sys.executable, "-m", "cockpit", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(p: subprocess.CompletedProcess, needle: str) -> None:
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert needle in lines[0], lines[0]


def publish(tmp_path: Path, as_of: date) -> int:
    store = Store(f"sqlite:///{tmp_path}/store.sqlite")
    sid = store.begin(as_of, "cli")
    store.complete(
        sid,
        RefreshResult(
            as_of=as_of,
            values=[
                Value("placement_rate", "cohort:2026", {}, 0.9, 180.0, 200.0),
                Value(
                    "step_latency_p50",
                    "month:2026-03",
                    {"process": "P01", "step": "分管校领导审批"},
                    1.5,
                    None,
                    None,
                ),
                Value("approval_backlog", f"day:{as_of}", {"department": "D01"}, 4.0, 4.0, None),
            ],
            quality=[QualityCount("row_orphan", "internship", 3, ["I1"])],
        ),
    )
    return sid


def test_bad_date_is_one_line(env):
    p = run(["values", "--as-of", "2026-13-01"], env)
    assert_one_line_error(p, "'2026-13-01' is not a date (YYYY-MM-DD)")
    assert p.returncode == 2


def test_unknown_command_is_one_line(env):
    assert_one_line_error(run(["frobnicate"], env), "invalid choice")


def test_unreachable_store_is_one_line(env):
    p = run(["values"], env, {"COCKPIT_STORE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"})
    assert_one_line_error(p, "snapshot store postgresql+psycopg://postgres@127.0.0.1:1/nowhere")


def test_unreachable_source_is_one_line(env):
    p = run(["check-source"], env, {"COCKPIT_SOURCE_URL": "mysql+pymysql://root:pw@127.0.0.1:1/nowhere"})
    assert_one_line_error(p, "error: source mysql+pymysql://root:***@127.0.0.1:1/nowhere: OperationalError")
    assert "pw" not in p.stderr


def test_missing_demo_source_is_one_line(env):
    p = run(["refresh", "--as-of", "2026-03-08"], env)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines()[-1].startswith("error: source database file")


def test_bad_config_is_one_line(env, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('refresh: {cron: "every day"}\n', encoding="utf-8")
    assert_one_line_error(run(["values"], env, {"COCKPIT_CONFIG": str(bad)}), "refresh.cron")


def test_no_snapshot_is_one_line(env):
    assert_one_line_error(run(["values"], env), "no snapshot in the store yet")
    assert_one_line_error(
        run(["values", "--as-of", "2026-03-01"], env), "no successful snapshot as of 2026-03-01"
    )


def test_values_json_lines(env, tmp_path, capsys):
    publish(tmp_path, date(2026, 3, 1))
    newer = publish(tmp_path, date(2026, 3, 8))
    assert newer
    assert main(["values"]) == 0
    out = capsys.readouterr().out
    assert "分管校领导审批" in out  # ensure_ascii=False
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 3
    for r in rows:
        assert list(r) == ["metric", "period", "dims", "value", "numerator", "denominator"]
        assert isinstance(r["dims"], dict)
    assert {"metric": "approval_backlog", "period": "day:2026-03-08", "dims": {"department": "D01"},
            "value": 4.0, "numerator": 4.0, "denominator": None} in rows  # fmt: skip
    assert main(["values", "--as-of", "2026-03-01", "--metric", "placement_rate"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        {"metric": "placement_rate", "period": "cohort:2026", "dims": {}, "value": 0.9, "numerator": 180.0,
         "denominator": 200.0}
    ]  # fmt: skip


def test_values_unknown_metric(env, tmp_path, capsys):
    publish(tmp_path, date(2026, 3, 8))
    assert main(["values", "--metric", "placement_rat"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "error: unknown metric 'placement_rat'; `python -m cockpit metrics` lists them"


def test_quality_json_lines(env, tmp_path, capsys):
    publish(tmp_path, date(2026, 3, 8))
    assert main(["quality"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [{"rule": "row_orphan", "table": "internship", "rows": 3}]


def test_metrics_catalog(env, capsys):
    from metrics.catalog import load_catalog

    ids = list(load_catalog().metrics)
    assert main(["metrics", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ids
    assert rows[0]["name_zh"] and rows[0]["definition_zh"]
    assert main(["metrics"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == len(ids) + 1 and "毕业去向落实率" in "\n".join(table)


def test_check_source(env, tmp_path, capsys):
    url = f"sqlite:///{tmp_path}/src.sqlite"
    engine = create_engine(url)
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(METADATA.tables["school_profile"].insert(), [SCHOOL])
    assert main(["check-source", "--url", url]) == 0
    assert capsys.readouterr().out.startswith("ok: sqlite:///")
    METADATA.tables["approval_step"].drop(engine)
    engine.dispose()
    # a web server's request lines (werkzeug sets its logger to INFO when it first logs;
    # another test's server may share this process) are not part of a command's output
    logging.getLogger("werkzeug").setLevel(logging.INFO)
    assert main(["check-source", "--url", url]) == 1
    logging.getLogger("werkzeug").info("GET /api/snapshot HTTP/1.1 200")
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: approval_step: table or view is missing",
        f"error: source sqlite:///{tmp_path}/src.sqlite cannot be used: 1 problem (listed above)",
    ]


def test_refresh_and_backfill_through_the_cli(env, tmp_path, monkeypatch, capsys):
    import cockpit.refresh as refresh

    engine = create_engine(f"sqlite:///{tmp_path}/demo.sqlite")
    METADATA.create_all(engine)
    engine.dispose()
    monkeypatch.setattr(
        refresh,
        "_compute",
        lambda s, src, d: RefreshResult(
            as_of=d, values=[Value("placement_rate", "cohort:2026", {}, 0.5, 1.0, 2.0)]
        ),
    )
    monkeypatch.setattr(refresh, "source_latest_date", lambda e: date(2026, 3, 11))
    assert main(["refresh", "--as-of", "2026-03-10"]) == 0
    assert "refresh: snapshot 1 ok" in capsys.readouterr().err
    assert main(["backfill", "--weeks", "2"]) == 0
    err = capsys.readouterr().err
    assert "backfill: 1/2 as of 2026-03-01" in err and "backfill: 2 new snapshot(s)" in err
    assert main(["status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("*     1  2026-03-10  ok")
