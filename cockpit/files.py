"""Files the web app hands out: the weekly-report archive and exports of a screen.

Two Flask routes, registered by ``create_app`` (``register(server)``):

``GET /reports/files/<path>``
    One file of the report archive (``cockpit.reports.job.archive_dir``), as a
    download with its content type. Only regular files inside the archive
    folder are served: the path is resolved (symlinks followed) and anything
    that lands outside the folder — ``../`` in any spelling (``%2e%2e``
    arrives decoded), an absolute path, a symlink pointing out — or that is
    not a regular file is a 404, indistinguishable from a missing file.

``GET /export/view.<fmt>?department=CODE``
    The current snapshot's school screen (or that academic department's
    screen) as PNG or PDF (``cockpit.reports.job.export_view``), sent as an
    attachment named like ``校情大屏_2026-11-21.png``. Another format or an
    unknown department code is a 404 with a one-line message.

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
import threading
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

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


def export_url(fmt: str, department: str | None = None) -> str:
    """The URL of an export of the current snapshot's school or department screen."""
    return EXPORT_PREFIX + fmt + (f"?department={quote(department)}" if department else "")


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


def _off_request(work, timeout: float = 180.0):
    """Run ``work`` on a thread outside the request context and return its result
    (or raise its exception)."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = work()
        except Exception as exc:  # handed back to the request thread
            out["error"] = exc

    thread = threading.Thread(target=run, name="export", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"export took longer than {timeout:.0f} s")
    if "error" in out:
        raise out["error"]
    return out["value"]


def export_name(department: dict[str, str] | None, as_of: str, fmt: str) -> str:
    """校情大屏_2026-11-21.png, or 机电工程学院_部门大屏_2026-11-21.pdf."""
    what = "校情大屏" if department is None else f"{department['name_zh']}_部门大屏"
    return f"{what}_{as_of}.{fmt}"


def export_view(fmt: str) -> Response:
    from cockpit import auth, service
    from cockpit.reports import job

    if fmt not in EXPORT_FORMATS:
        return _not_found(f"只能导出 PNG 或 PDF / export formats: {', '.join(EXPORT_FORMATS)}")
    grant = auth.request_scope()
    head = service.wall_header(grant)
    if head is None:
        return _not_found("还没有可用的指标快照 / no snapshot yet")
    code = (request.args.get("department") or "").strip()
    try:
        scope = grant.narrow(code or None)
    except service.OutOfScope:
        scope = None
    dept = service.department(code, scope) if code and scope is not None else None
    if scope is None or (code and dept is None):
        auth.audit("export", target=f"{fmt}:{code}", outcome="refused")
        return _not_found(f"没有找到学院“{code}” / no academic department {code!r}")
    if fmt == "pdf" and not report_allowed(scope, "department" if code else "school", code or None):
        auth.audit("export", target=f"{fmt}:{code or 'school'}", outcome="refused")
        return Response(
            "无权导出该报告 / this report is outside your scope\n", status=403, mimetype="text/plain"
        )
    auth.audit("export", target=f"{fmt}:{code or 'school'}")
    ident = auth.current_identity()
    try:
        # No base_url: the engine serves a private copy of the app for the
        # screenshot, so a single-worker server never waits on itself. That copy
        # is a Dash app, which cannot be built inside a request (Dash refuses
        # register_page there), hence a thread of its own.
        settings = _settings()
        path = Path(
            _off_request(
                lambda: job.export_view(settings, dept["code"] if dept else None, fmt, identity=ident)
            )
        )
    except Exception as e:  # job.ReportError (no Chromium, no CJK font...) or a crash: one line
        log.exception("export of %s (%s) failed", code or "school", fmt)
        first = (str(e).splitlines() or [type(e).__name__])[0]
        return Response(f"导出失败 / export failed: {first}\n", status=503, mimetype="text/plain")
    return send_file(
        path,
        mimetype=CONTENT_TYPES["." + fmt],
        as_attachment=True,
        download_name=export_name(dept, head["as_of"], fmt),
        max_age=0,
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
