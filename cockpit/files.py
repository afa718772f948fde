"""Files the web app hands out: the weekly-report archive and exports of a screen.

Two Flask routes, registered by ``create_app`` (``register(server)``):

``GET /reports/files/<path>``
    One file of the report archive (``cockpit.reports.job.archive_dir``), as a
    download with its content type. Only regular files inside the archive
    folder are served: the path is resolved (symlinks followed) and anything
    that lands outside the folder — ``../`` in any spelling (``%2e%2e``
    arrives decoded), an absolute path, a symlink pointing out — or that is
    not a regular file is a 404, indistinguishable from a missing file.

``GET /export/view.<fmt>?path=<page?query>``
    Exactly that view of the app — path, filters, language — as a PNG or a
    one-page PDF, rendered by a warm headless browser of this process
    (``cockpit.reports.browser``) against this running app with a short-lived
    render token carrying the requester's own identity (never a wider one).
    Sent as an attachment named after the page's title and as-of date
    ("毕业去向落实率_2026-11-27.pdf", with an ASCII ``filename=`` fallback).
    ``?department=CODE`` (no path) still means that department's screen.
    Something that is not a page of the app, another format, or a department
    outside the requester's grant is refused before any rendering.

Also the archive listing the /reports page shows (``archive_entries``), so the
page never reads the file system itself.

Every one of these goes through the request's scope (cockpit.auth): a report
file is listed and served only to a scope that may read all of it — the
school's report to a whole-school grant of every family, a department's to a
grant that includes that department — and anything else is a 404, the same
answer as a missing file, so names cannot be probed. An export renders the
view with the requester's own grant.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from flask import Flask, Response, current_app, request, send_file
from werkzeug.routing import BaseConverter

from cockpit.scope import Scope

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("png", "pdf")
FILES_PREFIX = "/reports/files/"
EXPORT_PREFIX = "/export/view."
# Content types of what the archive holds; anything else falls back to mimetypes.
CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png"}


def _settings():
    return current_app.extensions["cockpit"].settings


# -- paths -------------------------------------------------------------------------


def resolve_inside(root: Path, relative: str) -> Path | None:
    """``relative`` resolved under ``root`` when it names a regular file inside
    ``root`` (after following symlinks), else None. Refuses empty paths, NUL
    bytes, backslashes, absolute paths and any ``..`` part outright, then
    checks the resolved path again, so a symlink pointing out is refused too."""
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    rel = PurePosixPath(relative)
    if rel.is_absolute() or any(part in ("..", "") for part in rel.parts) or relative.startswith("/"):
        return None
    try:
        base = root.resolve(strict=True)
        target = (base / rel).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a symlink loop, a name too long
        return None
    if not target.is_relative_to(base) or target == base or not target.is_file():
        return None
    return target


def file_url(relative: str) -> str:
    """The URL of an archive file (its path relative to the archive)."""
    return FILES_PREFIX + quote(relative.replace("\\", "/"), safe="/")


def export_url(fmt: str, view: str = "/") -> str:
    """The URL of an export of ``view`` (a page of the app with its query string)."""
    return EXPORT_PREFIX + fmt + "?" + urlencode({"path": view})


def content_type(path: Path) -> str:
    return (
        CONTENT_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )


# -- the archive, for the /reports page ----------------------------------------------


_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})$")


def _week(value: Any) -> str:
    """An ISO week as "2026-W47" (from "2026-W47", "week:2026-W47" or a date)."""
    if isinstance(value, date):
        year, week, _ = value.isocalendar()
        return f"{year}-W{week:02d}"
    text = str(value or "")
    m = _WEEK.search(text.removeprefix("week:"))
    return f"{m.group(1)}-W{int(m.group(2)):02d}" if m else text


def _created(value: Any, tz) -> str:
    """When a report was made, in the school's time zone: "2026-11-22 08:05"."""
    when: datetime | None = None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, int | float):
        when = datetime.fromtimestamp(value, UTC)
    elif value:
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if when is None:
        return ""
    if when.tzinfo is not None:
        when = when.astimezone(tz)
    return when.strftime("%Y-%m-%d %H:%M")


def report_allowed(scope: Scope, kind: str, department: str | None) -> bool:
    """Whether the scope may read a whole report: the school's holds every department
    and family; a department's holds that department's figures of every family."""
    if scope.families is not None:
        return False
    if kind == "department":
        return scope.allows_department(department)
    return scope.departments is None and scope.view is None


def archive_entries(scope: Scope) -> list[dict[str, Any]]:
    """Every file of the report archive (``job.list_archive``) the scope may read, as
    the /reports page shows it: the engine's fields with ``week`` as "2026-W47",
    ``created`` as local "YYYY-MM-DD HH:MM", ``format`` lower case and the ``url``."""
    from cockpit.reports import job

    settings = _settings()
    tz = settings.refresh.tz
    out = []
    for entry in job.list_archive(settings):
        if not report_allowed(scope, entry.get("kind") or "school", entry.get("department")):
            continue
        rel = str(entry["path"]).replace("\\", "/")
        out.append(
            {
                **entry,
                "path": rel,
                "week": _week(entry.get("week")),
                "created": _created(entry.get("created"), tz),
                "format": str(entry.get("format") or Path(rel).suffix.lstrip(".")).lower(),
                "department": entry.get("department") or None,
                "url": file_url(rel),
            }
        )
    return out


# -- admins: make a week's reports from /reports, with progress ----------------------------

RUNS_DIR = ".runs"  # inside the archive: one JSON file per run (any worker reads it)
_RUN_ID = re.compile(r"^[0-9a-f]{16}$")


def _runs_dir() -> Path:
    from cockpit.reports import job

    path = Path(job.archive_dir(_settings())) / RUNS_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_weeks(today: date | None = None, n: int = 8) -> list[str]:
    """The weeks an admin may make: this week (partial) and the ``n - 1`` before it."""
    from datetime import timedelta

    from cockpit.reports.job import week_label

    today = today or _settings().today()
    return [week_label(today - timedelta(weeks=k)) for k in range(n)]


def start_report_run(week: str) -> str:
    """Start making ``week``'s reports (every department, config formats) on a thread of
    this process, for an admin; returns the run's id. Progress goes to a small JSON file
    in the archive, so a poll answered by another worker reads it too. PermissionError
    for anyone else; ValueError for a bad week; RuntimeError when a run is under way."""
    import json
    import secrets
    import threading

    from cockpit import auth
    from cockpit.reports import job

    ident = auth.current_identity()
    if ident is None or not ident.is_admin:
        raise PermissionError("only an admin makes reports")
    week = job.parse_week(week)[0]
    runs = _runs_dir()
    for f in runs.glob("*.json"):
        state = _read_run(f)
        if state and not state.get("done") and datetime.now(UTC).timestamp() - f.stat().st_mtime < 900:
            raise RuntimeError(f"a run is under way ({state.get('week')})")
    run = secrets.token_hex(8)
    path = runs / f"{run}.json"
    settings = _settings()
    state: dict[str, Any] = {"week": week, "by": ident.name, "lines": [], "done": False, "ok": None}

    def save() -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def work() -> None:
        try:
            files = job.generate(
                settings, week=week, trigger="web", progress=lambda m: (state["lines"].append(m), save())
            )
            state["ok"], state["files"] = True, len(files)
        except Exception as e:  # job.ReportError is one line; anything else too
            log.exception("report run %s failed", run)
            state["ok"], state["error"] = False, (str(e).splitlines() or [type(e).__name__])[0]
        state["done"] = True
        save()

    save()
    auth.audit("report_run", target=week)
    threading.Thread(target=work, name=f"report-run-{run}", daemon=True).start()
    return run


def _read_run(path: Path) -> dict[str, Any] | None:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def report_run(run: str) -> dict[str, Any] | None:
    """A run's state (week, lines, done, ok, files | error), or None when unknown."""
    if not isinstance(run, str) or not _RUN_ID.match(run):
        return None
    return _read_run(_runs_dir() / f"{run}.json")


# -- routes ------------------------------------------------------------------------------


def _not_found(message: str) -> Response:
    return Response(message + "\n", status=404, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def serve_archive_file(relative: str) -> Response:
    from cockpit import auth
    from cockpit.reports import job

    root = Path(job.archive_dir(_settings()))
    path = resolve_inside(root, relative)
    described = job.describe_archive_file(path, root) if path is not None else None
    scope = auth.request_scope()
    if (
        path is None
        or described is None
        or not report_allowed(scope, described["kind"], described["department"])
    ):
        if path is not None:
            auth.audit("download", target=relative[:200], outcome="refused")
        return _not_found("没有这个文件 / no such file")
    auth.audit("download", target=relative[:200])
    return send_file(
        path,
        mimetype=content_type(path),
        as_attachment=True,
        download_name=path.name,
        max_age=0,
    )


# -- exports: exactly the requester's view, rendered by the running app ----------------

# Paths an export may show: pages of the app, never its API, files or sign-in.
_NOT_A_VIEW = ("/export/", "/reports/files/", "/_dash", "/assets/", "/login", "/logout", "/auth/", "/healthz")
_DEPARTMENT_PATH = re.compile(r"^/department/([^/]+)$")
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\s·]+')


def view_target(args) -> tuple[str, str] | None:
    """The (path, query string) an export request names, or None when it names no view
    of this app. ``?path=/indicator/x?lang=en`` (what the button sends: the page as the
    browser shows it); the older ``?department=CODE`` means that department's screen."""
    raw = args.get("path")
    if raw is None:
        code = (args.get("department") or "").strip()
        return (f"/department/{quote(code, safe='')}" if code else "/"), ""
    parts = urlsplit(raw)
    path = parts.path or "/"
    if (
        parts.scheme
        or parts.netloc
        or not path.startswith("/")
        or path.startswith("//")
        or "\\" in raw
        or "\x00" in raw
        or any(seg in ("..", ".") for seg in path.split("/"))
        or path.startswith(_NOT_A_VIEW)
        or len(raw) > 2000
    ):
        return None
    return path, parts.query


def _view_department(path: str, query: str) -> str | None:
    m = _DEPARTMENT_PATH.match(path)
    if m:
        return unquote(m.group(1))
    for key, value in parse_qsl(query):
        if key == "department" and value:
            return value
    return None


def _safe_name(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text).strip("._")[:80]


def export_names(title: str, path: str, as_of: str, fmt: str) -> tuple[str, str]:
    """(file name, ASCII fallback): "毕业去向落实率_2026-11-27.pdf" and
    "cockpit_indicator_employment_rate_2026-11-27.pdf" (the page's own title in the
    view's language; the fallback names the page by its path)."""
    name = f"{_safe_name(title) or 'cockpit'}_{as_of}.{fmt}"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", unquote(path)).strip("_") or "school"
    ascii_name = name if name.isascii() else f"cockpit_{slug[:60]}_{as_of}.{fmt}"
    return name, ascii_name


def content_disposition(name: str, ascii_name: str) -> str:
    """attachment; filename="<ASCII>"; filename*=UTF-8''<RFC 5987> (every browser
    takes the UTF-8 one; the ASCII one is for the rest)."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _as_of(query: str, head: dict[str, Any]) -> str:
    for key, value in parse_qsl(query):
        if key == "as_of" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return value
    return str(head["as_of"])


def _render_base() -> str:
    """Where the export browser reaches this app: reports.render_url, else the address
    this request came in on as the server saw it (loopback in a dev run)."""
    configured = _settings().reports.render_url
    if configured:
        return configured
    env = request.environ
    host = env.get("SERVER_NAME") or "127.0.0.1"
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"{request.scheme}://{host}:{env.get('SERVER_PORT') or '80'}"


def _refused(fmt: str, target: str, message: str, status: int = 404) -> Response:
    from cockpit import auth

    auth.audit("export", target=f"{fmt}:{target}"[:200], outcome="refused")
    return Response(
        message + "\n", status=status, mimetype="text/plain", headers={"Cache-Control": "no-store"}
    )


def export_view(fmt: str) -> Response:
    """GET /export/view.<fmt>?path=<the page as shown>: that view, rendered by a warm
    headless browser against this running app with the requester's own grant."""
    from cockpit import auth, service
    from cockpit.auth.web import render_token_cookies
    from cockpit.reports import browser

    if fmt not in EXPORT_FORMATS:
        return _not_found(f"只能导出 PNG 或 PDF / export formats: {', '.join(EXPORT_FORMATS)}")
    ident = auth.current_identity()
    grant = auth.request_scope()
    target = view_target(request.args)
    if target is None:
        return _refused(fmt, str(request.args.get("path")), "不是本系统的页面 / not a page of this app")
    path, query = target
    if ident is None or ident.kind not in ("user", "demo") or not ident.may_open(path):
        return _refused(fmt, path, "无权导出该页面 / this page is outside your scope", 403)
    head = service.wall_header(grant)
    if head is None:
        return _not_found("还没有可用的指标快照 / no snapshot yet")
    code = _view_department(path, query)
    try:
        scope = grant.narrow(code) if code else grant
    except service.OutOfScope:
        scope = None
    if scope is None or (code and service.department(code, scope) is None):
        return _refused(fmt, path, f"没有找到学院“{code}” / no academic department {code!r}")
    auth.audit("export", target=f"{fmt}:{path}"[:200])
    settings = _settings()
    url = _render_base() + path + ("?" + query if query else "")
    try:
        cookies = render_token_cookies(ident)
        pool = browser.pool_for(current_app, settings)
        with pool.browser() as renderer:
            view = browser.render_view(
                renderer,
                url,
                cookies,
                fmt,
                wall=path == "/" or bool(_DEPARTMENT_PATH.match(path)),
                screen=(settings.screen.width, settings.screen.height),
            )
    except Exception as e:  # no Chromium, a hung page, a crash: one line
        log.exception("export of %s (%s) failed", path, fmt)
        first = (str(e).splitlines() or [type(e).__name__])[0]
        return Response(f"导出失败 / export failed: {first}\n", status=503, mimetype="text/plain")
    log.info("export %s %s in %.2f s", fmt, path, view.seconds)
    name, ascii_name = export_names(view.title, path, _as_of(query, head), fmt)
    return Response(
        view.data,
        mimetype=CONTENT_TYPES["." + fmt],
        headers={
            "Content-Disposition": content_disposition(name, ascii_name),
            "Cache-Control": "no-store",
            "X-Export-Seconds": f"{view.seconds:.2f}",
        },
    )


class _AnyPath(BaseConverter):
    """Everything after the prefix, empty and leading slashes included, so that
    "/reports/files//etc/passwd" reaches the check (and is a 404) instead of
    falling through to Dash's page route or being redirected by slash merging."""

    regex = ".*"
    part_isolating = False


def register(server: Flask) -> None:
    """Add the archive and export routes to the app's Flask server."""
    server.url_map.converters.setdefault("cockpit_anypath", _AnyPath)
    server.add_url_rule(
        FILES_PREFIX + "<cockpit_anypath:relative>",
        "report_file",
        serve_archive_file,
        methods=["GET"],
        merge_slashes=False,
    )
    server.add_url_rule(
        EXPORT_PREFIX + "<cockpit_anypath:fmt>",
        "export_view",
        export_view,
        methods=["GET"],
        merge_slashes=False,
    )
