"""Settings: config/default.yaml, deep-merged with the file named by
COCKPIT_CONFIG, then the environment (COCKPIT_SOURCE_URL, COCKPIT_STORE_URL,
COCKPIT_REDIS_URL, PORT).

``load_settings()`` does the work; importing this module does none. Every
problem is a ``ConfigError`` with a one-line message naming the key.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from cockpit import ROOT

log = logging.getLogger(__name__)

DEFAULT_FILE = ROOT / "config" / "default.yaml"
THRESHOLD_LEVELS = ("target", "warning", "critical")
CACHE_TYPES = ("SimpleCache", "NullCache", "RedisCache", "FileSystemCache")
KNOWN_SECTIONS = (
    "source_url",
    "store_url",
    "demo",
    "refresh",
    "engine",
    "calendar",
    "thresholds",
    "server",
    "cache",
    "screen",
    "approvals",
    "reports",
    "auth",
)
AUTH_MODES = ("none", "local", "header", "cas", "oidc")
ROLES = ("leader", "department", "office", "admin")
FAMILIES = ("employment", "internship", "fit", "approvals")
REPORT_FORMATS = ("pdf", "png")
ENGINE_MODES = ("extract", "pushdown")


def _defaults() -> dict[str, Any]:
    """The shipped config/default.yaml: every default and the list of known keys.

    Defaults live in that one file, never in code (schedules and thresholds
    included), so a newcomer finds every setting in one place.
    """
    return yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


class ConfigError(Exception):
    """A configuration problem, one line."""


@dataclass(frozen=True)
class DemoSettings:
    path: Path
    scale: int
    seed: int


@dataclass(frozen=True)
class RefreshSettings:
    cron: str
    timezone: str
    in_app: bool
    backfill_weeks: int
    backfill_last_season_weeks: int
    max_duration_minutes: float
    misfire_grace_seconds: int
    lease_seconds: float = 60.0

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class EngineSettings:
    """Where the indicators are computed and how gently the source is read (config ``engine:``)."""

    mode: str  # extract | pushdown
    statement_timeout_seconds: float
    max_connections: int
    chunk_rows: int
    memory_limit_mb: int
    threads: int


@dataclass(frozen=True)
class CalendarSettings:
    extra_holidays: tuple[date, ...]
    extra_workdays: tuple[date, ...]


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int


@dataclass(frozen=True)
class ScreenSettings:
    """The wall canvas and its poll: one design size, scaled to any display."""

    width: int
    height: int
    poll_seconds: int
    reload_after_failures: int
    rotate: tuple[str, ...]
    ticker_max: int = 12
    layout: str = "auto"  # "auto" (by width/height) or one of SCREEN_BANDS

    @property
    def band(self) -> str:
        """The layout band the wall screens use (screen_band)."""
        return screen_band(self.width, self.height, self.layout)


# The wall layouts by aspect ratio (assets/wall.css .band-*), widest last. "auto" picks
# the band whose ratio is nearest the canvas's (on a log scale): 16:9 = 1.78, a 4:3 or
# 5:4 wall gets "4:3", 2560x1080 "21:9", 3840x1080 "32:9", 5760x1080 "48:9".
SCREEN_BANDS = {"4:3": 4 / 3, "16:9": 16 / 9, "21:9": 21 / 9, "32:9": 32 / 9, "48:9": 48 / 9}


def screen_band(width: int, height: int, layout: str = "auto") -> str:
    """The layout band of a width x height canvas: ``layout`` itself unless "auto"."""
    import math

    if layout != "auto":
        return layout
    ratio = width / height
    return min(SCREEN_BANDS, key=lambda b: abs(math.log(ratio / SCREEN_BANDS[b])))


@dataclass(frozen=True)
class ApprovalSettings:
    """The approvals drill-down: ``item_url``, the OA link template ("" = no link)."""

    item_url: str = ""

    def link(self, instance_id: str) -> str | None:
        """The OA URL of one instance (its id URL-encoded into the template), None unset."""
        from urllib.parse import quote

        if not self.item_url:
            return None
        return self.item_url.replace("{instance_id}", quote(str(instance_id), safe=""))


@dataclass(frozen=True)
class SmtpSettings:
    """E-mail delivery of the weekly reports; ``enabled`` when host and recipients are set.
    The password comes only from COCKPIT_SMTP_PASSWORD."""

    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    starttls: bool
    user: str
    password: str = field(repr=False, default="")
    timeout_seconds: int = 30
    # department code -> that department's report recipients
    departments: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    @property
    def enabled(self) -> bool:
        return bool(self.host and (self.to or self.departments))


@dataclass(frozen=True)
class ReportSettings:
    """The weekly reports (周报): schedule, archive, formats, browser paths, SMTP."""

    cron: str
    in_app: bool
    archive: Path
    formats: tuple[str, ...]
    chromium: str
    chromedriver: str
    card_width: int
    smtp: SmtpSettings
    # The export buttons' warm browser pool (cockpit/reports/browser.py): how many
    # exports render at once, how long one may take, and the running app's address
    # the browser loads (empty: the address the export request came in on).
    export_concurrency: int = 1
    export_timeout_seconds: int = 30
    render_url: str = ""


@dataclass(frozen=True)
class AttributeMapping:
    """How released SSO attributes become a role and a scope (header, cas, oidc)."""

    role_attribute: str
    roles: dict[str, str] = field(hash=False)  # attribute value -> role
    department_attribute: str = "department"
    family_attribute: str = "family"


@dataclass(frozen=True)
class AuthSettings:
    """Access control (config auth:). The secret key is not here: it comes from
    COCKPIT_SECRET_KEY (or the demo's data/secret_key) when the app is built."""

    mode: str
    session_hours: float
    idle_minutes: float
    wall_days: int
    cookie_secure: str  # auto | true | false
    frame_ancestors: tuple[str, ...]
    login_rate_limit: str
    audit_keep_days: int
    header_user: str
    trusted_proxies: tuple[str, ...]
    header_attributes: dict[str, str] = field(hash=False)
    cas: dict[str, Any] = field(hash=False)
    oidc: dict[str, Any] = field(hash=False)
    mapping: AttributeMapping = field(hash=False)
    oidc_client_secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class Settings:
    root: Path
    source_url: str  # resolved: the demo SQLite file when none is configured
    source_is_demo: bool
    store_url: str
    demo: DemoSettings
    refresh: RefreshSettings
    engine: EngineSettings
    calendar: CalendarSettings
    server: ServerSettings
    screen: ScreenSettings
    # metric id -> {"target"|"warning"|"critical": number}
    thresholds: dict[str, dict[str, float]] = field(hash=False)
    # Flask-Caching configuration (CACHE_TYPE ...)
    cache: dict[str, Any] = field(hash=False)
    # The whole merged configuration, for sections later parts of the app read.
    raw: dict[str, Any] = field(hash=False, repr=False)
    # Weekly reports (config reports:); None only for Settings built by hand.
    reports: ReportSettings | None = field(default=None, hash=False)
    # Access control (config auth:); None only for Settings built by hand.
    auth: AuthSettings | None = field(default=None, hash=False)
    # The approvals drill-down (config approvals:).
    approvals: ApprovalSettings = field(default_factory=ApprovalSettings, hash=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def today(self) -> date:
        """Today in the refresh time zone."""
        from datetime import datetime

        return datetime.now(self.refresh.tz).date()


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged into a copy of ``base``: mappings merge key by key,
    anything else (lists included) replaces."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _read_yaml(path: Path, what: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist") from None
    except OSError as e:
        raise ConfigError(f"{what} {path} cannot be read: {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{what} {path}{where}: invalid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{what} {path}: expected a mapping of keys at the top level")
    return data


# crontab counts days of week from 0 = Sunday; APScheduler 3.x from 0 = Monday.
# Numeric days are translated to names so a standard crontab line means what it says.
_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _crontab_dow(field_text: str) -> str:
    def name(m: re.Match[str]) -> str:
        n = int(m.group(0))
        if n > 7:
            raise ValueError(f"day of week {n} out of range 0-7")
        return _DOW_NAMES[n]

    # digits not preceded by '/' (a step) are day numbers
    return re.sub(r"(?<![/\d])\d+", name, field_text)


def parse_cron(expr: str, timezone: str):
    """An APScheduler CronTrigger from a 5-field crontab line; ValueError if invalid."""
    from apscheduler.triggers.cron import CronTrigger

    fields = str(expr).split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month day_of_week), got {len(fields)}")
    minute, hour, day, month, dow = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=_crontab_dow(dow), timezone=timezone
    )


def _resolve_sqlite(url: URL, root: Path) -> URL:
    db = url.database
    if url.get_backend_name() == "sqlite" and db and db != ":memory:" and not db.startswith("file:"):
        p = Path(db)
        if not p.is_absolute():
            url = url.set(database=str((root / p).resolve()))
    return url


def _parse_url(value: Any, key: str, root: Path, from_env: bool) -> URL:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}: expected a SQLAlchemy URL, got {value!r}")
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise ConfigError(f"{key}: cannot parse {value!r} as a SQLAlchemy URL") from None
    if url.password and not from_env:
        raise ConfigError(
            f"{key} in a config file holds a password; secrets come only from the environment "
            f"(COCKPIT_{key.upper()})"
        )
    return _resolve_sqlite(url, root)


def _screen_layout(value: Any) -> str:
    """screen.layout: "auto" or a band name of SCREEN_BANDS."""
    allowed = ("auto", *SCREEN_BANDS)
    if not isinstance(value, str) or value not in allowed:
        raise ConfigError(f"screen.layout: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _as_int(v: Any, key: str, minimum: int | None = None) -> int:
    if isinstance(v, bool) or not isinstance(v, int | str):
        raise ConfigError(f"{key}: expected an integer, got {v!r}")
    try:
        n = int(v)
    except ValueError:
        raise ConfigError(f"{key}: expected an integer, got {v!r}") from None
    if minimum is not None and n < minimum:
        raise ConfigError(f"{key}: must be at least {minimum}, got {n}")
    return n


def _as_number(v: Any, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ConfigError(f"{key}: expected a number, got {v!r}")
    return float(v)


def _as_bool(v: Any, key: str) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false", "yes", "no", "1", "0", "on", "off"):
        return v.lower() in ("true", "yes", "1", "on")
    raise ConfigError(f"{key}: expected true or false, got {v!r}")


def _as_dates(v: Any, key: str) -> tuple[date, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise ConfigError(f"{key}: expected a list of dates (YYYY-MM-DD), got {v!r}")
    out = []
    for item in v:
        if isinstance(item, date):
            out.append(item)
            continue
        try:
            out.append(date.fromisoformat(str(item)))
        except ValueError:
            raise ConfigError(f"{key}: {item!r} is not a date (YYYY-MM-DD)") from None
    return tuple(sorted(set(out)))


def _section(merged: dict[str, Any], name: str) -> dict[str, Any]:
    value = merged.get(name)
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name}: expected a mapping, got {value!r}")
    defaults = _defaults()[name]
    unknown = sorted(set(value) - set(defaults))
    if unknown:
        raise ConfigError(f"{name}: unknown key {unknown[0]!r} (known: {', '.join(sorted(defaults))})")
    return {**defaults, **value}


def known_metric_ids() -> set[str] | None:
    """Ids of the metric catalog, or None while the catalog is not available."""
    try:
        from metrics.catalog import load_catalog
    except ImportError:
        return None
    return set(load_catalog().metrics)


def _thresholds(v: Any, known: set[str] | None) -> dict[str, dict[str, float]]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise ConfigError(f"thresholds: expected a mapping of metric id to levels, got {v!r}")
    out: dict[str, dict[str, float]] = {}
    for metric, levels in v.items():
        if known is not None and metric not in known:
            raise ConfigError(f"thresholds: unknown metric {metric!r} (see `python -m cockpit metrics`)")
        if levels is None:
            levels = {}
        if not isinstance(levels, Mapping):
            raise ConfigError(f"thresholds.{metric}: expected a mapping of {'/'.join(THRESHOLD_LEVELS)}")
        clean: dict[str, float] = {}
        for level, number in levels.items():
            if level not in THRESHOLD_LEVELS:
                raise ConfigError(
                    f"thresholds.{metric}: unknown level {level!r} (known: {', '.join(THRESHOLD_LEVELS)})"
                )
            if number is None:
                continue
            clean[level] = _as_number(number, f"thresholds.{metric}.{level}")
        out[str(metric)] = clean
    return out


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _cache(section: dict[str, Any], env: Mapping[str, str], root: Path) -> dict[str, Any]:
    ctype = section["type"]
    redis_url = env.get("COCKPIT_REDIS_URL", "").strip()
    if redis_url and ctype == "SimpleCache":
        ctype = "RedisCache"
    if ctype not in CACHE_TYPES:
        raise ConfigError(f"cache.type: {ctype!r} is not one of {', '.join(CACHE_TYPES)}")
    conf: dict[str, Any] = {
        "CACHE_TYPE": ctype,
        "CACHE_DEFAULT_TIMEOUT": _as_int(section["timeout"], "cache.timeout", 0),
    }
    if ctype in ("SimpleCache", "FileSystemCache"):
        conf["CACHE_THRESHOLD"] = _as_int(section["threshold"], "cache.threshold", 1)
    if ctype == "RedisCache":
        if not redis_url:
            raise ConfigError("cache.type RedisCache needs the environment variable COCKPIT_REDIS_URL")
        if not _has_module("redis"):
            raise ConfigError("cache.type RedisCache needs the Python package redis, which is not installed")
        conf["CACHE_REDIS_URL"] = redis_url
        # RedisCache that bypasses itself while Redis is down (cockpit/cache.py)
        conf["CACHE_TYPE"] = "cockpit.cache.ResilientRedisCache"
        conf["CACHE_KEY_PREFIX"] = "cockpit:"
    elif ctype == "FileSystemCache":
        p = Path(str(section["dir"]))
        conf["CACHE_DIR"] = str(p if p.is_absolute() else root / p)
    return conf


def _engine(e: dict[str, Any]) -> EngineSettings:
    mode = str(e["mode"]).strip()
    if mode not in ENGINE_MODES:
        raise ConfigError(f"engine.mode: {mode!r} is not one of {', '.join(ENGINE_MODES)}")
    timeout = _as_number(e["statement_timeout_seconds"], "engine.statement_timeout_seconds")
    if timeout <= 0:
        raise ConfigError("engine.statement_timeout_seconds: must be positive")
    return EngineSettings(
        mode=mode,
        statement_timeout_seconds=timeout,
        max_connections=_as_int(e["max_connections"], "engine.max_connections", 1),
        chunk_rows=_as_int(e["chunk_rows"], "engine.chunk_rows", 100),
        memory_limit_mb=_as_int(e["memory_limit_mb"], "engine.memory_limit_mb", 64),
        threads=_as_int(e["threads"], "engine.threads", 1),
    )


def _reports(merged: dict[str, Any], env: Mapping[str, str], root: Path, timezone: str) -> ReportSettings:
    r = _section(merged, "reports")
    cron = str(r["cron"]).strip()
    try:
        parse_cron(cron, timezone)
    except ValueError as e:
        raise ConfigError(f"reports.cron {cron!r}: {e}") from None
    formats = r["formats"]
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    if not isinstance(formats, list) or not formats:
        raise ConfigError(f"reports.formats: expected a list of {', '.join(REPORT_FORMATS)}, got {formats!r}")
    for f in formats:
        if f not in REPORT_FORMATS:
            raise ConfigError(f"reports.formats: {f!r} is not one of {', '.join(REPORT_FORMATS)}")

    def path(key: str) -> Path:
        p = Path(str(r[key]))
        return p if p.is_absolute() else (root / p).resolve()

    smtp_defaults = _defaults()["reports"]["smtp"]
    m = r["smtp"] if r["smtp"] is not None else {}
    if not isinstance(m, Mapping):
        raise ConfigError(f"reports.smtp: expected a mapping, got {m!r}")
    if "password" in m:
        raise ConfigError(
            "reports.smtp.password: secrets come only from the environment (COCKPIT_SMTP_PASSWORD)"
        )
    unknown = sorted(set(m) - set(smtp_defaults))
    if unknown:
        raise ConfigError(
            f"reports.smtp: unknown key {unknown[0]!r} (known: {', '.join(sorted(smtp_defaults))})"
        )
    m = {**smtp_defaults, **m}
    to = m["to"]
    if isinstance(to, str):
        to = [a.strip() for a in to.split(",") if a.strip()]
    if not isinstance(to, list) or not all(isinstance(a, str) and "@" in a for a in to):
        raise ConfigError(f"reports.smtp.to: expected a list of e-mail addresses, got {m['to']!r}")
    departments = m["departments"] or {}
    if not isinstance(departments, Mapping):
        raise ConfigError(f"reports.smtp.departments: expected code -> addresses, got {departments!r}")
    dept_to: dict[str, tuple[str, ...]] = {}
    for code, addrs in departments.items():
        if isinstance(addrs, str):
            addrs = [a.strip() for a in addrs.split(",") if a.strip()]
        if not isinstance(addrs, list) or not all(isinstance(a, str) and "@" in a for a in addrs):
            raise ConfigError(f"reports.smtp.departments.{code}: expected a list of e-mail addresses")
        dept_to[str(code)] = tuple(addrs)
    port = _as_int(m["port"], "reports.smtp.port", 1)
    if port > 65535:
        raise ConfigError(f"reports.smtp.port {port} is out of range 1-65535")
    smtp = SmtpSettings(
        host=str(m["host"] or "").strip(),
        port=port,
        sender=str(m["from"] or "").strip(),
        to=tuple(to),
        starttls=_as_bool(m["starttls"], "reports.smtp.starttls"),
        user=str(m["user"] or "").strip(),
        password=env.get("COCKPIT_SMTP_PASSWORD", ""),
        timeout_seconds=_as_int(m["timeout_seconds"], "reports.smtp.timeout_seconds", 1),
        departments=dept_to,
    )
    if smtp.enabled and not smtp.sender:
        raise ConfigError("reports.smtp.from: set the sender address when reports.smtp.host is set")
    return ReportSettings(
        cron=cron,
        in_app=_as_bool(r["in_app"], "reports.in_app"),
        archive=path("archive"),
        formats=tuple(dict.fromkeys(formats)),
        chromium=env.get("COCKPIT_CHROMIUM", "").strip() or str(r["chromium"]),
        chromedriver=env.get("COCKPIT_CHROMEDRIVER", "").strip() or str(r["chromedriver"]),
        card_width=_as_int(r["card_width"], "reports.card_width", 320),
        smtp=smtp,
        export_concurrency=_as_int(r["export_concurrency"], "reports.export_concurrency", 1),
        export_timeout_seconds=_as_int(r["export_timeout_seconds"], "reports.export_timeout_seconds", 5),
        render_url=_render_url(str(r["render_url"] or "").strip()),
    )


def _render_url(url: str) -> str:
    """reports.render_url: empty, or an http(s) URL without query (the app as the server sees it)."""
    if url and not re.match(r"^https?://[^/?#\s]+/?$", url):
        raise ConfigError(f"reports.render_url {url!r}: expected http(s)://host:port or empty")
    return url.rstrip("/")


def _approvals(section: dict[str, Any]) -> ApprovalSettings:
    """approvals.item_url: empty, or an http(s) URL template whose only field is {instance_id}."""
    import string
    from urllib.parse import urlsplit

    key = "approvals.item_url"
    url = section["item_url"]
    if url is None:
        url = ""
    if not isinstance(url, str):
        raise ConfigError(f"{key}: expected a URL template text, got {url!r}")
    url = url.strip()
    if not url:
        return ApprovalSettings("")
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(url) if f is not None]
    except ValueError as e:
        raise ConfigError(f"{key}: {url!r} is not a valid template ({e})") from None
    if fields != ["instance_id"]:
        raise ConfigError(f"{key}: {url!r} must hold {{instance_id}} exactly once and no other field")
    parts = urlsplit(url.replace("{instance_id}", "X"))
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{key}: {url!r} is not an http(s) URL")
    if any(c.isspace() or c in "<>\"'" for c in url):
        raise ConfigError(f"{key}: {url!r} holds a space or a character not allowed in a URL")
    return ApprovalSettings(url)


def _sub(section: dict[str, Any], name: str, prefix: str) -> dict[str, Any]:
    """A nested mapping of a section, merged over its defaults, unknown keys refused."""
    defaults = _defaults()[prefix.split(".")[0]][name]
    value = section.get(name) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{prefix}.{name}: expected a mapping, got {value!r}")
    unknown = sorted(set(value) - set(defaults))
    if unknown:
        raise ConfigError(
            f"{prefix}.{name}: unknown key {unknown[0]!r} (known: {', '.join(sorted(defaults))})"
        )
    return {**defaults, **value}


def _str_list(v: Any, key: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ConfigError(f"{key}: expected a list of strings, got {v!r}")
    return tuple(v)


def _auth(merged: dict[str, Any], env: Mapping[str, str]) -> AuthSettings:
    import ipaddress

    a = _section(merged, "auth")
    mode = str(a["mode"]).strip()
    if mode not in AUTH_MODES:
        raise ConfigError(f"auth.mode: {mode!r} is not one of {', '.join(AUTH_MODES)}")
    header = _sub(a, "header", "auth")
    proxies = _str_list(header["trusted_proxies"], "auth.header.trusted_proxies")
    for p in proxies:
        try:
            ipaddress.ip_network(p, strict=False)
        except ValueError:
            raise ConfigError(f"auth.header.trusted_proxies: {p!r} is not an address or network") from None
    attrs = header["attributes"] or {}
    if not isinstance(attrs, Mapping):
        raise ConfigError("auth.header.attributes: expected attribute -> header name")
    m = _sub(a, "mapping", "auth")
    roles = m["roles"] or {}
    if not isinstance(roles, Mapping):
        raise ConfigError("auth.mapping.roles: expected attribute value -> role")
    for value, role in roles.items():
        if role not in ROLES:
            raise ConfigError(
                f"auth.mapping.roles.{value}: unknown role {role!r} (known: {', '.join(ROLES)})"
            )
    cas = _sub(a, "cas", "auth")
    oidc = _sub(a, "oidc", "auth")
    if mode == "cas" and not (cas["server_url"] and cas["service_url"]):
        raise ConfigError("auth.cas: mode cas needs server_url and service_url")
    if mode == "cas" and int(cas["version"]) not in (2, 3):
        raise ConfigError(f"auth.cas.version: {cas['version']!r} is not 2 or 3")
    if mode == "oidc" and not (oidc["metadata_url"] and oidc["client_id"]):
        raise ConfigError("auth.oidc: mode oidc needs metadata_url and client_id")
    secure = str(a["cookie_secure"]).strip().lower()
    if secure not in ("auto", "true", "false"):
        raise ConfigError(f"auth.cookie_secure: {a['cookie_secure']!r} is not auto, true or false")
    session_hours = _as_number(a["session_hours"], "auth.session_hours")
    idle = _as_number(a["idle_minutes"], "auth.idle_minutes")
    if session_hours <= 0 or idle <= 0:
        raise ConfigError("auth.session_hours and auth.idle_minutes must be positive")
    return AuthSettings(
        mode=mode,
        session_hours=session_hours,
        idle_minutes=idle,
        wall_days=_as_int(a["wall_days"], "auth.wall_days", 1),
        cookie_secure=secure,
        frame_ancestors=_str_list(a["frame_ancestors"], "auth.frame_ancestors"),
        login_rate_limit=str(a["login_rate_limit"]),
        audit_keep_days=_as_int(a["audit_keep_days"], "auth.audit_keep_days", 1),
        header_user=str(header["user"]).strip(),
        trusted_proxies=proxies,
        header_attributes={str(k): str(v) for k, v in attrs.items()},
        cas=dict(cas),
        oidc=dict(oidc),
        mapping=AttributeMapping(
            role_attribute=str(m["role_attribute"]),
            roles={str(k): str(v) for k, v in roles.items()},
            department_attribute=str(m["department_attribute"]),
            family_attribute=str(m["family_attribute"]),
        ),
        oidc_client_secret=env.get("COCKPIT_OIDC_CLIENT_SECRET", ""),
    )


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    root: Path | None = None,
    default_file: Path | None = None,
    validate_metrics: bool = True,
) -> Settings:
    """Read, merge and validate the configuration."""
    env = os.environ if env is None else env
    root = (root or ROOT).resolve()
    merged = _read_yaml(default_file or DEFAULT_FILE, "default config")
    override = env.get("COCKPIT_CONFIG", "").strip()
    if override:
        merged = deep_merge(merged, _read_yaml(Path(override), "COCKPIT_CONFIG file"))

    for key in sorted(set(merged) - set(KNOWN_SECTIONS)):
        log.warning("config: unknown key %r ignored by the core settings", key)

    demo_s = _section(merged, "demo")
    demo_path = Path(str(demo_s["path"]))
    demo = DemoSettings(
        path=demo_path if demo_path.is_absolute() else (root / demo_path).resolve(),
        scale=_as_int(demo_s["scale"], "demo.scale", 1),
        seed=_as_int(demo_s["seed"], "demo.seed"),
    )

    source_env = env.get("COCKPIT_SOURCE_URL", "").strip()
    source_cfg = merged.get("source_url") or ""
    if source_env:
        source_url = _parse_url(source_env, "source_url", root, from_env=True)
    elif source_cfg:
        source_url = _parse_url(source_cfg, "source_url", root, from_env=False)
    else:
        source_url = None
    source_is_demo = source_url is None
    if source_url is None:
        source_url = make_url(f"sqlite:///{demo.path}")

    store_env = env.get("COCKPIT_STORE_URL", "").strip()
    store_url = _parse_url(
        store_env or merged.get("store_url") or "sqlite:///data/store.sqlite",
        "store_url",
        root,
        from_env=bool(store_env),
    )

    r = _section(merged, "refresh")
    timezone = str(r["timezone"])
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"refresh.timezone: unknown time zone {timezone!r}") from None
    cron = str(r["cron"]).strip()
    try:
        parse_cron(cron, timezone)
    except ValueError as e:
        raise ConfigError(f"refresh.cron {cron!r}: {e}") from None
    refresh = RefreshSettings(
        cron=cron,
        timezone=timezone,
        in_app=_as_bool(r["in_app"], "refresh.in_app"),
        backfill_weeks=_as_int(r["backfill_weeks"], "refresh.backfill_weeks", 0),
        backfill_last_season_weeks=_as_int(
            r["backfill_last_season_weeks"], "refresh.backfill_last_season_weeks", 0
        ),
        max_duration_minutes=_as_number(r["max_duration_minutes"], "refresh.max_duration_minutes"),
        misfire_grace_seconds=_as_int(r["misfire_grace_seconds"], "refresh.misfire_grace_seconds", 1),
        lease_seconds=_as_number(r["lease_seconds"], "refresh.lease_seconds"),
    )
    if refresh.lease_seconds < 3:
        raise ConfigError("refresh.lease_seconds: at least 3 seconds")
    if refresh.max_duration_minutes <= 0:
        raise ConfigError("refresh.max_duration_minutes: must be positive")

    engine = _engine(_section(merged, "engine"))

    c = _section(merged, "calendar")
    calendar = CalendarSettings(
        extra_holidays=_as_dates(c["extra_holidays"], "calendar.extra_holidays"),
        extra_workdays=_as_dates(c["extra_workdays"], "calendar.extra_workdays"),
    )
    both = set(calendar.extra_holidays) & set(calendar.extra_workdays)
    if both:
        raise ConfigError(f"calendar: {min(both)} is listed both as a holiday and as a working day")

    s = _section(merged, "server")
    port = env.get("PORT", "").strip() or s["port"]
    server = ServerSettings(
        host=str(s["host"]), port=_as_int(port, "PORT" if env.get("PORT", "").strip() else "server.port", 1)
    )
    if server.port > 65535:
        raise ConfigError(f"port {server.port} is out of range 1-65535")

    sc = _section(merged, "screen")
    rotate = sc["rotate"]
    if not isinstance(rotate, list) or not rotate or not all(isinstance(p, str) for p in rotate):
        raise ConfigError(f'screen.rotate: expected a list of paths or "departments", got {rotate!r}')
    bad = [p for p in rotate if p != "departments" and not p.startswith("/")]
    if bad:
        raise ConfigError(f'screen.rotate: {bad[0]!r} is neither a path (/...) nor "departments"')
    screen = ScreenSettings(
        width=_as_int(sc["width"], "screen.width", 320),
        height=_as_int(sc["height"], "screen.height", 240),
        poll_seconds=_as_int(sc["poll_seconds"], "screen.poll_seconds", 1),
        reload_after_failures=_as_int(sc["reload_after_failures"], "screen.reload_after_failures", 1),
        rotate=tuple(rotate),
        ticker_max=_as_int(sc["ticker_max"], "screen.ticker_max", 1),
        layout=_screen_layout(sc.get("layout", "auto")),
    )

    thresholds = _thresholds(merged.get("thresholds"), known_metric_ids() if validate_metrics else None)

    return Settings(
        root=root,
        source_url=source_url.render_as_string(hide_password=False),
        source_is_demo=source_is_demo,
        store_url=store_url.render_as_string(hide_password=False),
        demo=demo,
        refresh=refresh,
        engine=engine,
        calendar=calendar,
        server=server,
        screen=screen,
        thresholds=thresholds,
        cache=_cache(_section(merged, "cache"), env, root),
        raw=merged,
        reports=_reports(merged, env, root, timezone),
        auth=_auth(merged, env),
        approvals=_approvals(_section(merged, "approvals")),
    )


def safe_url(url: str) -> str:
    """The URL with its password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable URL>"
