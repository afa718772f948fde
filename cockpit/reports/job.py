"""The weekly report batch, the archive and the exports (docs/reports.md).

``generate()`` makes the reports of one ISO week from the snapshot of its
Sunday: the school's (with one section per department) and every academic
department's, or one department's, as PDF (A4) and PNG (the wall screen at its
canvas size and a summary card), with ONE headless Chromium for the batch.
Files written into the archive are recorded in the store (table ``report``).
``scheduled_reports()`` is the Monday job; ``list_archive()``,
``resolve_archive_path()`` and ``export_view()`` serve the /reports page and the
screens' export buttons.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.config import REPORT_FORMATS, Settings
from cockpit.store import Store

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).with_name("templates")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")
NAME_RE = re.compile(
    r"^(?:school|dept-(?P<dept>[A-Za-z0-9._-]+))_(?P<week>\d{4}-W\d{2})"
    r"(?:_(?P<what>screen|card))?\.(?P<ext>pdf|png)$"
)
CARD_ALERTS = 6  # alerts listed on the summary card


class ReportError(Exception):
    """A report that cannot be made, one line (no snapshot, no Chromium, no CJK font ...)."""


# -- weeks -------------------------------------------------------------------------------


def week_label(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def parse_week(text: str) -> tuple[str, date, date]:
    """'2026-W46' -> (label, Monday, Sunday); ValueError with a one-line message."""
    m = WEEK_RE.match(str(text).strip())
    if not m:
        raise ValueError(f"{text!r} is not an ISO week (YYYY-Www, e.g. 2026-W46)")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{text!r}: {year} has no ISO week {week}") from None
    return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)


def last_full_week(today: date) -> str:
    """The ISO week that ended on the last Sunday before ``today`` (today itself when it is
    a Sunday does not count: its week is not over)."""
    return week_label(today - timedelta(days=today.weekday() + 1))


# -- the archive -------------------------------------------------------------------------


def archive_dir(settings: Settings) -> Path:
    """The archive folder (config reports.archive), created when missing."""
    path = _reports(settings).archive
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def _reports(settings: Settings):
    if settings.reports is None:
        raise ReportError("these settings have no reports: section (build them with load_settings)")
    return settings.reports


def file_name(department: str | None, week: str, fmt: str) -> str:
    """school_2026-W46.pdf, dept-JX01_2026-W46_screen.png, ..._card.png."""
    scope = f"dept-{department}" if department else "school"
    return {
        "pdf": f"{scope}_{week}.pdf",
        "png": f"{scope}_{week}_screen.png",
        "card": f"{scope}_{week}_card.png",
    }[fmt]


def describe_archive_file(path: Path, root: Path) -> dict[str, Any] | None:
    """A report file's kind, department, week and format from its name; None for any other file."""
    return _describe(path, root)


def _describe(path: Path, root: Path) -> dict[str, Any] | None:
    m = NAME_RE.match(path.name)
    if not m:
        return None
    st = path.stat()
    fmt = "pdf" if m.group("ext") == "pdf" else ("card" if m.group("what") == "card" else "png")
    return {
        "name": path.name,
        "path": path.relative_to(root).as_posix(),
        "kind": "department" if m.group("dept") else "school",
        "department": m.group("dept"),
        "week": m.group("week"),
        "format": fmt,
        "size": st.st_size,
        "created": datetime.fromtimestamp(st.st_mtime, UTC),
    }


def list_archive(settings: Settings) -> list[dict[str, Any]]:
    """Every report file in the archive: newest week first, then the school before departments.
    Each: name, path (relative to the archive, POSIX), kind (school|department), department,
    week, format (pdf|png|card), size (bytes), created (aware UTC datetime)."""
    root = archive_dir(settings)
    out = []
    for p in root.rglob("*"):
        if p.is_file() and not p.is_symlink():
            d = _describe(p, root)
            if d is not None:
                out.append(d)
    order = {"pdf": 0, "png": 1, "card": 2}
    out.sort(key=lambda d: (d["week"], d["kind"] == "school", d["department"] or "", -order[d["format"]]))
    out.reverse()
    return out


def resolve_archive_path(settings: Settings, relative: str) -> Path | None:
    """The archive file ``relative`` names, or None when it is not a report file inside the
    archive (absolute paths, '..', symlinks leading out, other files)."""
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if relative.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return None
    rel = Path(*parts)
    root = archive_dir(settings)
    try:
        full = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not full.is_relative_to(root) or not full.is_file() or not NAME_RE.match(full.name):
        return None
    return full


# -- the app pinned to one snapshot ------------------------------------------------------


class PinnedStore(Store):
    """The store as seen by a report: the 'current' snapshot is the week's end snapshot."""

    def __init__(self, base: Store, snapshot_id: int) -> None:
        super().__init__(base.url, engine=base.engine, create=False)
        self.pinned_id = snapshot_id

    def current_id(self) -> int | None:
        return self.pinned_id


def _dash_context_ready() -> None:
    """Let this thread build a Dash app.

    Dash sets its callback-context variable only in the thread that imports it;
    a report built on a web request's thread (export) or the scheduler's thread
    (the Monday job) would fail in ``register_page`` with a LookupError.
    """
    from dash._callback_context import context_value

    try:
        context_value.get()
    except LookupError:
        context_value.set({})


def report_identity():
    """Who the Monday batch reads as: the whole school (each department's report then
    narrows to that department, like its screen)."""
    from cockpit.auth.identity import Identity

    return Identity(name="weekly-report", roles=frozenset({"leader"}), kind="render", source="render")


def pinned_app(settings: Settings, snapshot_id: int | None, identity=None):
    """The Dash app (no schedule) whose service layer reads ``snapshot_id`` as current
    (None: the real current snapshot), as ``identity`` (default: the report batch's).
    It accepts only the renderer's random token (cockpit.auth.web.render_cookies),
    so the copy serves nobody else. The screens' poll is slowed down so that no
    stale-data banner or redraw happens while a screenshot is taken."""
    from cockpit.app import create_app

    _dash_context_ready()
    quiet = dataclasses.replace(settings, screen=dataclasses.replace(settings.screen, poll_seconds=86_400))
    # The private copy listens on loopback whatever the deployment's address.
    quiet = dataclasses.replace(quiet, server=dataclasses.replace(quiet.server, host="127.0.0.1"))
    app = create_app(quiet, schedule=False, render=identity or report_identity())
    if snapshot_id is not None:
        ctx = app.server.extensions["cockpit"]
        ctx.store = PinnedStore(ctx.store, snapshot_id)
    return app


@contextlib.contextmanager
def serve(app, renderer=None) -> Iterator[str]:
    """Serve a Dash app's Flask server on a free loopback port in a thread; yields its URL.
    With ``renderer``, its browser gets the private app's cookies first."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log lines on stderr
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="report-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        if renderer is not None:
            from cockpit.auth.web import render_cookies

            renderer.set_cookies(url, render_cookies(app.server))
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# -- checks ---------------------------------------------------------------------------------


def _check_tools(settings: Settings) -> None:
    from cockpit.reports.render import RenderError, check_chromium, check_cjk_font

    r = _reports(settings)
    try:
        check_chromium(r.chromium, r.chromedriver)
        check_cjk_font()
    except RenderError as e:
        raise ReportError(str(e)) from None


def _department_codes(snapshot) -> dict[str, str]:
    labels = (snapshot.labels or {}).get("department", {})
    return {
        code: lab.get("name_zh", code)
        for code, lab in labels.items()
        if lab.get("kind", "academic") == "academic"
    }


# -- rendering a set of reports -------------------------------------------------------------


def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _template_vars(rep) -> dict[str, Any]:
    from cockpit.reports.data import date_text

    iso = rep.week_end.isocalendar()
    return {
        "week_label": f"{iso.year}年第{iso.week}周",
        "week_start_text": date_text(rep.week_start),
        "week_end_text": date_text(rep.week_end),
        "as_of_text": date_text(rep.as_of),
        "previous_text": date_text(rep.previous_as_of) if rep.previous_as_of else "—（无）",
        "season_text": date_text(rep.season_as_of) if rep.season_as_of else "—（无）",
    }


class _View:
    """A Report with the cover's texts, for the templates."""

    def __init__(self, rep) -> None:
        self._rep = rep
        self.__dict__.update(_template_vars(rep))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rep, name)


def _render_reports(
    settings: Settings,
    reports: list,
    out_dir: Path,
    formats: tuple[str, ...],
    renderer,
    base_url: str | None,
    progress: Callable[[str], None],
    stamp: str = "",
) -> list[tuple[Any, str, Path]]:
    """Write each report's files; returns (report, format, path) for each file."""
    env = _environment()
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    written: list[tuple[Any, str, Path]] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cockpit-report-") as tmp:
        tmpdir = Path(tmp)
        # The charts (kaleido, its own Chromium) are drawn in a thread while the page
        # browser takes the screenshots; the PDFs need both.
        charts = _unique_charts(reports) if "pdf" in formats else []
        drawn: dict[str, Any] = {}

        def draw() -> None:
            try:
                drawn["svgs"] = renderer.svgs([(c.fig, c.width, c.height) for c in charts])
            except BaseException as e:
                drawn["error"] = e

        drawer = threading.Thread(target=draw, name="report-charts", daemon=True)
        if charts:
            progress(f"drawing {len(charts)} charts")
            drawer.start()
        try:
            if "png" in formats:
                written += _pngs(settings, reports, out_dir, renderer, base_url, progress, stamp, tmpdir, env)
        finally:
            if charts:
                drawer.join()
        if "error" in drawn:
            raise drawn["error"]
        if "pdf" in formats:
            for c, svg in zip(charts, drawn["svgs"], strict=True):
                c.svg = svg
            page = env.get_template("report.html")
            for rep in reports:
                html = tmpdir / f"{_scope(rep)}.html"
                html.write_text(page.render(r=_View(rep), css=css), encoding="utf-8")
                path = out_dir / _name(rep, "pdf", stamp)
                renderer.pdf(html, path, footer=f"{rep.title} · 快照 #{rep.snapshot_id}")
                written.append((rep, "pdf", path))
                progress(f"{path.name}")
    return written


def _pngs(settings, reports, out_dir, renderer, base_url, progress, stamp, tmpdir, env) -> list:
    """The summary cards, then the wall screens (when a server is given)."""
    r = _reports(settings)
    written = []
    html = tmpdir / "cards.html"
    html.write_text(
        env.get_template("card.html").render(
            cards=[{"r": _View(rep), "tiles": rep.main.headline[:9]} for rep in reports],
            width=r.card_width,
            alert_limit=CARD_ALERTS,
        ),
        encoding="utf-8",
    )
    shots = [(f"#card-{i}", out_dir / _name(rep, "card", stamp)) for i, rep in enumerate(reports)]
    renderer.screenshot_elements(html, r.card_width, shots)
    for rep, (_css, path) in zip(reports, shots, strict=True):
        written.append((rep, "card", path))
    progress(f"{len(shots)} summary card(s)")
    if base_url is not None:
        for rep in reports:
            path = out_dir / _name(rep, "png", stamp)
            code = rep.department["code"] if rep.department else None
            url = base_url + (f"/department/{code}" if code else "/") + "?kiosk=1"
            renderer.screenshot_screen(url, settings.screen.width, settings.screen.height, path)
            written.append((rep, "png", path))
            progress(f"{path.name}")
    return written


def _warm_screens(app, codes: list[str | None]) -> threading.Thread:
    """Build the wall screens' layouts (figures cached per snapshot) on a thread, while
    the browser prints and draws: each screenshot then finds its figures ready instead
    of waiting ~0.3 s for the server to build them."""
    import dash

    pages = {p.get("path_template") or p["path"]: p for p in dash.page_registry.values()}

    def warm() -> None:
        for code in codes:
            path = f"/department/{code}" if code else "/"
            page = pages.get("/department/<code>" if code else "/")
            if page is None:
                return
            try:
                with app.server.test_request_context(path + "?kiosk=1"):
                    from flask import g

                    g.identity = app.server.extensions["cockpit"].render[1]
                    page["layout"](**({"code": code} if code else {}), kiosk="1")
            except Exception:  # only a head start: the screenshot builds it anyway
                log.debug("warming %s failed", path, exc_info=True)

    thread = threading.Thread(target=warm, name="report-warm", daemon=True)
    thread.start()
    return thread


def _unique_charts(reports: list) -> list:
    """Every chart of the reports once (a department's charts serve its own report and its
    section of the school's)."""
    seen: set[int] = set()
    out = []
    for rep in reports:
        for c in rep.charts():
            if id(c) not in seen:
                seen.add(id(c))
                out.append(c)
    return out


def _scope(rep) -> str:
    return f"dept-{rep.department['code']}" if rep.department else "school"


def _name(rep, fmt: str, stamp: str = "") -> str:
    name = file_name(rep.department["code"] if rep.department else None, rep.week, fmt)
    if stamp:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem}_{stamp}{dot}{ext}"
    return name


def _progress_noop(_msg: str) -> None:
    pass


# -- the batch ----------------------------------------------------------------------------------


def generate(
    settings: Settings,
    *,
    week: str | None = None,
    department: str | None = None,
    formats: tuple[str, ...] | list[str] | None = None,
    out: Path | str | None = None,
    trigger: str = "cli",
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Make the reports of one ISO week (default: the last full week) from the snapshot of
    its Sunday: the school's and every department's, or only ``department``'s, in
    ``formats`` (pdf, png; default config reports.formats), into ``out`` (default: the
    archive's week folder). Returns one dict per file: path (absolute), name, kind,
    department, week, format, size, snapshot_id. Raises ReportError (one line)."""
    r = _reports(settings)
    progress = progress or _progress_noop
    t0 = time.monotonic()
    if week is None:
        week = last_full_week(today or settings.today())
    try:
        week, monday, sunday = parse_week(week)
    except ValueError as e:
        raise ReportError(str(e)) from None
    fmts = tuple(formats) if formats else r.formats
    bad = [f for f in fmts if f not in REPORT_FORMATS]
    if bad:
        raise ReportError(f"unknown format {bad[0]!r} (known: {', '.join(REPORT_FORMATS)})")

    store = Store(settings.store_url)
    snap = store.for_as_of(sunday)
    if snap is None:
        raise ReportError(
            f"no snapshot for week {week} (as of Sunday {sunday}); "
            f"run `python -m cockpit refresh --as-of {sunday}` or `python -m cockpit backfill`"
        )
    depts = _department_codes(snap)
    if department is not None and department not in depts:
        known = ", ".join(sorted(depts)) or "none"
        raise ReportError(f"unknown department {department!r} in the snapshot of {sunday} (known: {known})")
    _check_tools(settings)

    archive = archive_dir(settings)
    out_dir = Path(out).resolve() if out is not None else archive / week
    from cockpit.reports import data
    from cockpit.reports.render import Renderer, RenderError

    app = pinned_app(settings, snap.id)
    with app.server.app_context():
        codes = [department] if department else [None, *depts]
        cache: dict[str, Any] = {}
        reports = [data.build(week, monday, sunday, code, cache) for code in codes]
    progress(f"{len(reports)} report(s) of {week} from snapshot {snap.id} ({time.monotonic() - t0:.1f} s)")

    try:
        with Renderer(r.chromium, r.chromedriver) as renderer:
            if "png" in fmts:
                with serve(app, renderer) as url:
                    _warm_screens(
                        app, [rep.department["code"] if rep.department else None for rep in reports]
                    )
                    files = _render_reports(settings, reports, out_dir, fmts, renderer, url, progress)
            else:
                files = _render_reports(settings, reports, out_dir, fmts, renderer, None, progress)
            stats = dict(renderer.stats)
    except RenderError as e:
        raise ReportError(str(e)) from None

    record = out_dir.is_relative_to(archive)
    results = []
    for rep, fmt, path in files:
        code = rep.department["code"] if rep.department else None
        item = {
            "path": path,
            "name": path.name,
            "kind": rep.kind,
            "department": code,
            "week": week,
            "format": fmt,
            "size": path.stat().st_size,
            "snapshot_id": rep.snapshot_id,
        }
        if record:
            item["id"] = store.record_report(
                week=week,
                kind=rep.kind,
                department=code,
                format=fmt,
                path=path.relative_to(archive).as_posix(),
                size=item["size"],
                snapshot_id=rep.snapshot_id,
                trigger=trigger,
            )
        results.append(item)
    store.dispose()
    elapsed = time.monotonic() - t0
    progress(
        f"{len(results)} file(s) in {elapsed:.1f} s "
        f"(charts {stats['svg_s']:.1f} s, pdf {stats['pdf_s']:.1f} s, png {stats['png_s']:.1f} s)"
    )
    return results


def scheduled_reports(settings: Settings) -> list[dict[str, Any]] | None:
    """The Monday job: every report of the last full week into the archive, recorded in the
    store, e-mailed when SMTP is configured. Failures are logged, never raised."""
    from cockpit.refresh import one_line

    try:
        files = generate(settings, trigger="schedule")
    except ReportError as e:
        log.warning("scheduled reports: %s", e)
        return None
    except Exception as e:  # keep the scheduler alive whatever happens
        log.error("scheduled reports failed: %s", one_line(e))
        return None
    log.info("scheduled reports: %d file(s) of %s", len(files), files[0]["week"] if files else "-")
    if _reports(settings).smtp.enabled:
        try:
            from cockpit.reports.mail import send_reports

            send_reports(settings, files)
        except Exception as e:
            log.error("report e-mail failed: %s", one_line(e))
    return files


# -- exports (the screens' buttons) ----------------------------------------------------------------


def export_view(
    settings: Settings,
    department: str | None,
    fmt: str,
    *,
    base_url: str | None = None,
    identity=None,
) -> Path:
    """The current snapshot's view of the school (department None) or a department as a file
    in config reports.export_dir: "png" = the screen at its canvas size, "pdf" = that view's
    A4 report. ``base_url``: screenshot that running server instead of serving a private
    copy of the app. ``identity``: whose grant the view is rendered with (the web
    export passes the requester's; the caller has checked the view is in scope).
    Raises ReportError (one line)."""
    if fmt not in ("png", "pdf"):
        raise ReportError(f"export format must be png or pdf, got {fmt!r}")
    r = _reports(settings)
    store = Store(settings.store_url)
    snap = store.current()
    store.dispose()
    if snap is None:
        raise ReportError("no snapshot yet; run `python -m cockpit refresh`")
    depts = _department_codes(snap)
    if department is not None and department not in depts:
        raise ReportError(f"unknown department {department!r}")
    _check_tools(settings)
    out_dir = r.export_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(settings.refresh.tz).strftime("%Y%m%d-%H%M%S")
    as_of = snap.as_of
    week = week_label(as_of)
    monday = as_of - timedelta(days=as_of.weekday())
    from cockpit.reports import data
    from cockpit.reports.render import Renderer, RenderError

    app = pinned_app(settings, None, identity)
    try:
        with Renderer(r.chromium, r.chromedriver) as renderer:
            if fmt == "pdf":
                with app.server.app_context():
                    rep = data.build(week, monday, as_of, department)
                files = _render_reports(
                    settings, [rep], out_dir, ("pdf",), renderer, None, _progress_noop, stamp
                )
                return files[0][2]
            scope = f"dept-{department}" if department else "school"
            path = out_dir / f"{scope}_{as_of.isoformat()}_{stamp}_screen.png"
            page = (f"/department/{department}" if department else "/") + "?kiosk=1"
            if base_url:
                renderer.screenshot_screen(
                    base_url.rstrip("/") + page, settings.screen.width, settings.screen.height, path
                )
            else:
                with serve(app, renderer) as url:
                    renderer.screenshot_screen(
                        url + page, settings.screen.width, settings.screen.height, path
                    )
            return path
    except RenderError as e:
        raise ReportError(str(e)) from None
