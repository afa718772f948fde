"""Settings: default file, COCKPIT_CONFIG merge, environment overrides, validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cockpit import ROOT
from cockpit.config import ConfigError, deep_merge, load_settings, parse_cron


def _cfg(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "override.yaml"
    path.write_text(text, encoding="utf-8")
    return {"COCKPIT_CONFIG": str(path)}


def test_defaults_point_at_the_demo_and_a_local_store(tmp_path):
    s = load_settings({}, root=tmp_path)
    assert s.source_is_demo
    assert s.source_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'demo.sqlite'}"
    assert s.store_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'store.sqlite'}"
    assert s.refresh.cron == "*/30 * * * *"
    assert s.refresh.timezone == "Asia/Shanghai"
    assert s.refresh.in_app is True
    assert s.refresh.backfill_weeks == 26
    assert s.server.host == "127.0.0.1" and s.server.port == 8050
    assert s.thresholds["placement_rate"] == {"target": 0.95, "warning": 0.90, "critical": 0.85}
    assert s.cache["CACHE_TYPE"] == "SimpleCache"
    # a process that sees a new snapshot every half hour for months keeps a bounded cache
    assert s.cache["CACHE_THRESHOLD"] == 300


def test_cache_threshold_is_validated(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("cache:\n  threshold: 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cache\.threshold"):
        load_settings({"COCKPIT_CONFIG": str(cfg)}, root=tmp_path)


def test_project_root_is_the_default_root():
    s = load_settings({})
    assert s.root == ROOT
    assert s.demo.path == ROOT / "data" / "demo.sqlite"


def test_override_file_deep_merges(tmp_path):
    env = _cfg(
        tmp_path,
        """
refresh:
  cron: "0 7 * * *"
thresholds:
  placement_rate: {warning: 0.88}
calendar:
  extra_holidays: [2031-10-01, "2031-10-02"]
""",
    )
    s = load_settings(env, root=tmp_path)
    assert s.refresh.cron == "0 7 * * *"
    assert s.refresh.timezone == "Asia/Shanghai"  # untouched sibling key
    assert s.thresholds["placement_rate"] == {"target": 0.95, "warning": 0.88, "critical": 0.85}
    assert s.thresholds["approval_overdue_rate"]["critical"] == 0.20
    assert s.calendar.extra_holidays == (date(2031, 10, 1), date(2031, 10, 2))


def test_environment_overrides_the_files(tmp_path):
    env = {
        **_cfg(tmp_path, 'store_url: "sqlite:///elsewhere/store.sqlite"\n'),
        "COCKPIT_SOURCE_URL": "postgresql+psycopg://reader:s3cret@db.example/platform",
        "COCKPIT_STORE_URL": "sqlite:///var/cockpit.sqlite",
        "PORT": "9123",
    }
    s = load_settings(env, root=tmp_path)
    assert not s.source_is_demo
    assert s.source_url == "postgresql+psycopg://reader:s3cret@db.example/platform"
    assert s.store_url == f"sqlite:///{tmp_path.resolve() / 'var' / 'cockpit.sqlite'}"
    assert s.server.port == 9123


def test_config_file_store_url_relative_to_root(tmp_path):
    s = load_settings(_cfg(tmp_path, 'store_url: "sqlite:///elsewhere/store.sqlite"\n'), root=tmp_path)
    assert s.store_url == f"sqlite:///{tmp_path.resolve() / 'elsewhere' / 'store.sqlite'}"


def test_absolute_sqlite_path_kept(tmp_path):
    s = load_settings({"COCKPIT_STORE_URL": f"sqlite:///{tmp_path}/abs.sqlite"}, root=ROOT)
    assert s.store_url == f"sqlite:///{tmp_path}/abs.sqlite"


def test_deep_merge_replaces_lists_and_merges_maps():
    assert deep_merge({"a": {"x": 1, "y": [1]}, "b": 1}, {"a": {"y": [2]}}) == {
        "a": {"x": 1, "y": [2]},
        "b": 1,
    }


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('refresh: {cron: "*/30 * * *"}\n', "refresh.cron"),
        ('refresh: {cron: "61 * * * *"}\n', "refresh.cron"),
        ("refresh: {timezone: Mars/Olympus}\n", "refresh.timezone"),
        ("refresh: {crn: x}\n", "unknown key 'crn'"),
        ("thresholds: {placement_rat: {target: 0.9}}\n", "unknown metric 'placement_rat'"),
        ("thresholds: {placement_rate: {alarm: 0.9}}\n", "unknown level 'alarm'"),
        ("thresholds: {placement_rate: {target: high}}\n", "thresholds.placement_rate.target"),
        ('store_url: "postgresql://u:pw@h/db"\n', "password"),
        ("demo: {scale: 0}\n", "demo.scale"),
        ("calendar: {extra_holidays: [notadate]}\n", "calendar.extra_holidays"),
        ("refresh: [1, 2\n", "invalid YAML"),
        ("cache: {type: Memcached}\n", "cache.type"),
    ],
)
def test_invalid_config_is_one_clear_line(tmp_path, text, needle):
    with pytest.raises(ConfigError) as exc:
        load_settings(_cfg(tmp_path, text), root=tmp_path)
    msg = str(exc.value)
    assert needle in msg
    assert "\n" not in msg


def test_missing_override_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"COCKPIT_CONFIG": str(tmp_path / "nope.yaml")}, root=tmp_path)


def test_bad_port(tmp_path):
    with pytest.raises(ConfigError, match="PORT"):
        load_settings({"PORT": "http"}, root=tmp_path)


def test_redis_cache_from_environment(tmp_path, monkeypatch):
    import cockpit.config as config

    monkeypatch.setattr(config, "_has_module", lambda name: False)
    with pytest.raises(ConfigError, match="needs the Python package redis"):
        load_settings({"COCKPIT_REDIS_URL": "redis://127.0.0.1:6379/3"}, root=tmp_path)
    monkeypatch.setattr(config, "_has_module", lambda name: name == "redis")
    s = load_settings({"COCKPIT_REDIS_URL": "redis://127.0.0.1:6379/3"}, root=tmp_path)
    assert s.cache["CACHE_TYPE"] == "cockpit.cache.ResilientRedisCache"  # RedisCache, never fatal
    assert s.cache["CACHE_REDIS_URL"] == "redis://127.0.0.1:6379/3"


def test_crontab_days_of_week_count_from_sunday():
    # crontab: 0 = Sunday, 1-5 = Monday-Friday (APScheduler 3 alone would read 0 as Monday)
    trig = parse_cron("0 8 * * 1-5", "Asia/Shanghai")
    assert "day_of_week='mon-fri'" in str(trig)
    assert "day_of_week='sun'" in str(parse_cron("0 8 * * 0", "Asia/Shanghai"))
    assert "day_of_week='*/2'" in str(parse_cron("0 8 * * */2", "Asia/Shanghai"))


def test_settings_are_frozen(tmp_path):
    s = load_settings({}, root=tmp_path)
    with pytest.raises(AttributeError):
        s.store_url = "x"  # type: ignore[misc]


def test_approvals_item_url_default_is_no_link(tmp_path):
    s = load_settings({}, root=tmp_path)
    assert s.approvals.item_url == "" and s.approvals.link("SP1") is None


def test_approvals_item_url_template(tmp_path):
    env = _cfg(tmp_path, 'approvals: {item_url: "https://oa.example.edu.cn/flow/{instance_id}?v=1"}\n')
    s = load_settings(env, root=tmp_path)
    assert s.approvals.link("SP2026/01 x") == "https://oa.example.edu.cn/flow/SP2026%2F01%20x?v=1"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)//{instance_id}",
        "ftp://oa.example.edu.cn/{instance_id}",
        "//oa.example.edu.cn/{instance_id}",
        "https://oa.example.edu.cn/flow",  # no {instance_id}
        "https://oa.example.edu.cn/{instance_id}/{other}",
        "https://oa.example.edu.cn/{0}",
        "https://oa.example.edu.cn/{instance_id",
        'https://oa.example.edu.cn/"><script>/{instance_id}',
    ],
)
def test_approvals_item_url_refused(tmp_path, url):
    env = _cfg(tmp_path, f"approvals:\n  item_url: '{url}'\n")
    with pytest.raises(ConfigError, match=r"approvals\.item_url"):
        load_settings(env, root=tmp_path)


@pytest.mark.parametrize(
    "width, height, band",
    [
        (1920, 1080, "16:9"),
        (1600, 1200, "4:3"),
        (1280, 1024, "4:3"),
        (2560, 1080, "21:9"),
        (3840, 1080, "32:9"),
        (5760, 1080, "48:9"),
    ],
)
def test_the_wall_layout_band_follows_the_screen_shape(tmp_path, width, height, band):
    s = load_settings(_cfg(tmp_path, f"screen:\n  width: {width}\n  height: {height}\n"), root=tmp_path)
    assert s.screen.layout == "auto" and s.screen.band == band


def test_the_wall_layout_band_may_be_named_and_is_validated(tmp_path):
    s = load_settings(
        _cfg(tmp_path, 'screen:\n  width: 1920\n  height: 1080\n  layout: "4:3"\n'), root=tmp_path
    )
    assert s.screen.band == "4:3"
    with pytest.raises(ConfigError, match=r"screen\.layout"):
        load_settings(_cfg(tmp_path, 'screen:\n  layout: "wide"\n'), root=tmp_path)
