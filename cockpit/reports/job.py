"""The weekly report batch and the archive (docs/reports.md).

``generate()`` makes the reports of one ISO week from the snapshot of its
Sunday (or, for the week under way, its latest snapshot, labelled partial): the
school's (with one section per department) and every academic department's, or
one department's, as PDF (A4) and PNG (the wall screen at its canvas size and a
summary card), with two headless Chromiums for the batch: one for the cards and
PDFs, one that shoots the wall screens from the start (``WallShots``); the first also
draws the PDFs' charts (plotly.js in a local page, cockpit.reports.render).
Every file is written into the archive and recorded in the store (table
``report``). The figures are read through a bare service context; the wall
screens are screenshotted from the app run as a subprocess (``ScreenServer``):
this module never builds the web app. ``scheduled_reports()`` is the Monday
job; ``list_archive()`` and ``resolve_archive_path()`` serve the /reports page.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tempfile
import threading
import time
from collections.abc import Callable
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
# The batch's browser helps with the wall screens only while this many are left: its first
# screen loads the whole app (about three screens' worth of time on two cores).
JOIN_MIN_SCREENS = 5


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


# -- the service layer and the screens, pinned to one snapshot ----------------------------


@dataclasses.dataclass
class _ReportContext:
    """What the service layer reads from ``current_app.extensions["cockpit"]``."""

    settings: Settings
    store: Store
    catalog: Any

    def next_run_time(self) -> None:
        return None


def service_context(settings: Settings, snapshot_id: int):
    """A bare Flask app (no Dash, no pages, no routes) whose service layer reads
    ``snapshot_id`` as the current snapshot: the report's figures come from the
    very functions the screens use, without building the web app."""
    from flask import Flask

    from cockpit.extensions import cache
    from cockpit.render_server import PinnedStore
    from metrics.catalog import load_catalog

    server = Flask("cockpit-report")
    cache.init_app(server, config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 0})
    store = PinnedStore(Store(settings.store_url), snapshot_id)
    server.extensions["cockpit"] = _ReportContext(settings, store, load_catalog(settings.thresholds))
    return server


def report_identity():
    """Who the batch's browser reads the screens as: the whole school (each department's
    screen then narrows to that department, as for anyone)."""
    from cockpit.auth.identity import Identity

    return Identity(name="weekly-report", roles=frozenset({"leader"}), source="render", display="周报")


class ScreenServer:
    """The app pinned to one snapshot in a subprocess on a free loopback port
    (``python -m cockpit.render_server``): the batch's browser screenshots it with a
    render token of ``report_identity()``. Started early (it imports Dash while the
    figures are read and the charts drawn), stopped — by its own pid — at the end."""

    def __init__(self, settings: Settings, snapshot_id: int) -> None:
        import pickle
        import subprocess
        import sys

        from cockpit.auth.web import secret_key

        self.secret = secret_key(settings)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cockpit.render_server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=str(Path(__file__).resolve().parents[2]),
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(pickle.dumps((settings, snapshot_id)))
        self.proc.stdin.close()
        self._url: str | None = None

    @property
    def url(self) -> str:
        """The server's URL once it listens (blocks until then); ReportError if it died."""
        if self._url is None:
            assert self.proc.stdout is not None
            line = self.proc.stdout.readline().decode().strip()
            if not line.isdigit():
                self.stop()
                raise ReportError(f"the screen server did not start (exit {self.proc.returncode})")
            self._url = f"http://127.0.0.1:{line}"
        return self._url

    def cookies(self) -> dict[str, str]:
        """A fresh render token (short-lived) for the next screenshot."""
        from cockpit.auth.web import render_token_cookies

        return render_token_cookies(report_identity(), self.secret)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


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
    pdfs: PdfJobs,
    progress: Callable[[str], None],
) -> list[tuple[Any, str, Path]]:
    """Write each report's summary card, then its PDF, with ``renderer``'s browser (the
    wall screens' browser prints a share of the PDFs once its screens are done: ``pdfs``);
    returns (report, format, path) per file."""
    env = _environment()
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    written: list[tuple[Any, str, Path]] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cockpit-report-") as tmp:
        tmpdir = Path(tmp)
        if "png" in formats:
            written += _cards(settings, reports, out_dir, renderer, progress, tmpdir, env)
        if "pdf" in formats:  # the charts are drawn already (ChartDrawer, in _build)
            page = env.get_template("report.html")
            jobs = []
            for rep in reports:
                html = tmpdir / f"{_scope(rep)}.html"
                html.write_text(page.render(r=_View(rep), css=css), encoding="utf-8")
                jobs.append(_PdfJob(rep, html, out_dir / _name(rep, "pdf")))
            pdfs.add(jobs)
        pdfs.close()
        pdfs.print_with(renderer, progress)
        written += pdfs.wait()  # the other browser's share too, before the HTML goes
    return written


@dataclasses.dataclass(frozen=True)
class _PdfJob:
    report: Any
    html: Path
    out: Path

    @property
    def footer(self) -> str:
        return f"{self.report.title} · 快照 #{self.report.snapshot_id}"


class PdfJobs:
    """The batch's PDFs as a queue that both browsers print from: the batch's browser once
    its cards are done, the wall screens' browser once its screens are (its page holds no
    app any more, so a PDF costs it what it costs the other; a screen would cost the batch's
    browser a whole load of the app first)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._todo: list[_PdfJob] = []
        self._jobs: list[_PdfJob] = []
        self._open = True
        self._busy = 0
        self.error: BaseException | None = None

    def add(self, jobs: list[_PdfJob]) -> None:
        with self._cond:
            self._jobs += jobs
            self._todo += jobs
            self._cond.notify_all()

    def close(self) -> None:
        """No more jobs will come: a browser waiting for one stops waiting."""
        with self._cond:
            self._open = False
            self._cond.notify_all()

    def _take(self) -> _PdfJob | None:
        with self._cond:
            while not self._todo and self._open:
                self._cond.wait()
            if not self._todo or self.error is not None:
                return None
            self._busy += 1
            return self._todo.pop(0)

    def print_with(self, renderer, progress: Callable[[str], None]) -> None:
        """Print jobs with ``renderer`` until none is left (waiting while more may come)."""
        while (job := self._take()) is not None:
            try:
                renderer.pdf(job.html, job.out, footer=job.footer)
            except BaseException as e:
                with self._cond:
                    self.error = self.error or e
                raise
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()
            progress(job.out.name)

    def wait(self) -> list[tuple[Any, str, Path]]:
        """Every job printed (by either browser): (report, "pdf", path) in the reports' order."""
        with self._cond:
            while (self._todo and self.error is None) or self._busy:
                self._cond.wait()
            if self.error is not None:
                raise self.error
            return [(job.report, "pdf", job.out) for job in self._jobs]


def _cards(settings, reports, out_dir, renderer, progress, tmpdir, env) -> list:
    """The summary cards, one page screenshotted element by element."""
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
    shots = [(f"#card-{i}", out_dir / _name(rep, "card")) for i, rep in enumerate(reports)]
    renderer.screenshot_elements(html, r.card_width, shots)
    for rep, (_css, path) in zip(reports, shots, strict=True):
        written.append((rep, "card", path))
    progress(f"{len(shots)} summary card(s)")
    return written


class WallShots:
    """The wall screens of a batch, shot by a browser of their own on a thread that starts
    with the batch (``start``): they need nothing of the report's data, so they are taken
    while the figures are read, the charts drawn and the PDFs printed; that browser then
    prints a share of the PDFs (``PdfJobs``). Motion is off (prefers-reduced-motion) so
    that no tile is caught mid-flip and no ticker mid-scroll."""

    def __init__(
        self,
        settings: Settings,
        screens: ScreenServer,
        codes: list[str | None],
        week: str,
        out_dir: Path,
        progress: Callable[[str], None],
        pdfs: PdfJobs,
    ) -> None:
        from cockpit.reports.render import Renderer

        r = _reports(settings)
        self.pdfs = pdfs
        self.renderer = Renderer(r.chromium, r.chromedriver)
        self.paths: dict[str | None, Path] = {c: out_dir / file_name(c, week, "png") for c in codes}
        self.error: BaseException | None = None
        self._args = (settings, screens, progress)
        self._lock = threading.Lock()
        self._todo = list(self.paths.items())
        self._thread = threading.Thread(target=self._run, name="report-walls", daemon=True)

    def start(self) -> WallShots:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.shoot(self.renderer)
            self.pdfs.print_with(self.renderer, self._args[2])
        except BaseException as e:  # raised in the batch's thread by files()
            self.error = e

    def shoot(self, renderer) -> None:
        """Shoot the screens nobody has taken yet with ``renderer``: the wall thread's own
        browser, and the batch's once its cards and PDFs are done — then only while
        ``JOIN_MIN_SCREENS`` are left, as its first screen costs a whole load of the app."""
        settings, screens, progress = self._args
        joining = renderer is not self.renderer
        if joining:
            with self._lock:
                if len(self._todo) < JOIN_MIN_SCREENS:
                    return
        renderer.reduce_motion()
        while True:
            with self._lock:
                if not self._todo:
                    return
                code, path = self._todo.pop(0)
            url = screens.url + (f"/department/{code}" if code else "/") + "?kiosk=1"
            renderer.clear_cookies()
            renderer.set_cookies(screens.url, screens.cookies())
            size = (settings.screen.width, settings.screen.height)
            renderer.screenshot_screen(url, *size, path, scope=code or "school")
            progress(path.name)

    def files(self, reports: list) -> list[tuple[Any, str, Path]]:
        """Wait for the screens; (report, "png", path) in the reports' order."""
        self._join()
        if self.error is not None:
            raise self.error
        code = {id(rep): rep.department["code"] if rep.department else None for rep in reports}
        return [(rep, "png", self.paths[code[id(rep)]]) for rep in reports]

    def close(self) -> None:
        """Stop the browser once the thread is done."""
        self._join()
        self.renderer.close()

    def _join(self) -> None:
        if self._thread.ident is not None:  # started
            self._thread.join()


def _scope(rep) -> str:
    return f"dept-{rep.department['code']}" if rep.department else "school"


def _name(rep, fmt: str) -> str:
    return file_name(rep.department["code"] if rep.department else None, rep.week, fmt)


def _progress_noop(_msg: str) -> None:
    pass


# -- the batch ----------------------------------------------------------------------------------


def week_snapshot(store: Store, week: str, monday: date, sunday: date, today: date):
    """(snapshot, partial) of a week: its Sunday's; for a week not over yet (today on or
    before its Sunday), the latest snapshot of the week so far, marked partial.
    ReportError when there is none."""
    snap = store.for_as_of(sunday)
    if snap is not None:
        return snap, False
    if today <= sunday:
        days = sorted(d for d in store.successful_as_of_dates() if monday <= d <= sunday)
        if days:
            return store.for_as_of(days[-1]), True
    raise ReportError(
        f"no snapshot for week {week} (as of Sunday {sunday}); "
        f"run `python -m cockpit refresh --as-of {sunday}` or `python -m cockpit backfill`"
    )


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
    its Sunday — or, for the week under way, from its latest snapshot, labelled partial —
    for the school and every department, or only ``department``, in ``formats`` (pdf,
    png; default config reports.formats). Every file goes into the archive's week folder
    and is recorded in the store; ``out`` gets a copy of each. Returns one dict per file:
    path (absolute; the copy in ``out`` when given), name, kind, department, week,
    format, size, snapshot_id, partial. Raises ReportError (one line)."""
    r = _reports(settings)
    progress = progress or _progress_noop
    t0 = time.monotonic()
    today = today or settings.today()
    if week is None:
        week = last_full_week(today)
    try:
        week, monday, sunday = parse_week(week)
    except ValueError as e:
        raise ReportError(str(e)) from None
    fmts = tuple(formats) if formats else r.formats
    bad = [f for f in fmts if f not in REPORT_FORMATS]
    if bad:
        raise ReportError(f"unknown format {bad[0]!r} (known: {', '.join(REPORT_FORMATS)})")

    store = Store(settings.store_url)
    try:
        snap, partial = week_snapshot(store, week, monday, sunday, today)
        depts = _department_codes(snap)
        if department is not None and department not in depts:
            known = ", ".join(sorted(depts)) or "none"
            raise ReportError(
                f"unknown department {department!r} in the snapshot of {snap.as_of} (known: {known})"
            )
        _check_tools(settings)
        archive = archive_dir(settings)
        out_dir = archive / week
        # The screens' server imports Dash in its own process while the figures are read.
        screens = ScreenServer(settings, snap.id) if "png" in fmts else None
        try:
            files, stats = _build_and_render(
                settings,
                snap,
                (week, monday, sunday),
                department,
                depts,
                partial,
                fmts,
                out_dir,
                screens,
                progress,
            )
        finally:
            if screens is not None:
                screens.stop()
        results = _record(store, files, archive, week, trigger, partial, out)
    finally:
        store.dispose()
    elapsed = time.monotonic() - t0
    progress(
        f"{len(results)} file(s) in {elapsed:.1f} s "
        f"(charts {stats['svg_s']:.1f} s, pdf {stats['pdf_s']:.1f} s, png {stats['png_s']:.1f} s)"
    )
    return results


def _build_and_render(settings, snap, days, department, depts, partial, fmts, out_dir, screens, progress):
    """Read every report's figures (the service layer pinned to ``snap``) and write the
    cards and PDFs with one browser, while a second (``WallShots``) shoots the wall
    screens from ``screens``; returns ([(report, format, path)], renderer stats)."""
    from cockpit.reports.render import Renderer, RenderError

    week = days[0]
    codes = [department] if department else [None, *depts]
    progress = _serialised(progress)
    pdfs = PdfJobs()
    walls = None
    if screens is not None:
        walls = WallShots(settings, screens, codes, week, out_dir, progress, pdfs).start()
    try:
        r = _reports(settings)
        with Renderer(r.chromium, r.chromedriver) as renderer:
            reports = _build(
                settings, snap, days, codes, partial, renderer if "pdf" in fmts else None, progress
            )
            files = _render_reports(settings, reports, out_dir, fmts, renderer, pdfs, progress)
            if walls is not None:
                walls.shoot(renderer)
            stats = dict(renderer.stats)
        if walls is not None:  # the cards, the screens, the PDFs: the order of the archive
            shots = walls.files(reports)
            stats["png_s"] += walls.renderer.stats["png_s"]
            stats["pdf_s"] += walls.renderer.stats["pdf_s"]
            files = [f for f in files if f[1] == "card"] + shots + [f for f in files if f[1] != "card"]
        return files, stats
    except RenderError as e:
        raise ReportError(str(e)) from None
    finally:
        pdfs.close()  # a browser waiting for PDFs that will not come stops waiting
        if walls is not None:
            walls.close()


def _build(settings, snap, days, codes, partial, renderer, progress) -> list:
    """Every report's figures, read through the service layer pinned to ``snap``; with a
    ``renderer``, its browser starts, loads plotly.js and draws each report's charts
    meanwhile (``ChartDrawer``), so the PDFs can be printed as soon as the figures are read."""
    from cockpit.reports import data

    week, monday, sunday = days
    t0 = time.monotonic()
    drawer = ChartDrawer(renderer, progress) if renderer is not None else None
    reports: list = []
    try:
        with service_context(settings, snap.id).app_context():
            cache: dict[str, Any] = {}
            for code in codes:
                reports.append(data.build(week, monday, sunday, code, cache, partial=partial))
                if drawer is not None:
                    drawer.add(reports[-1].charts())
        progress(
            f"{len(reports)} report(s) of {week} from snapshot {snap.id} ({time.monotonic() - t0:.1f} s)"
        )
    finally:
        if drawer is not None:
            drawer.finish()
    return reports


class ChartDrawer:
    """The PDFs' charts, drawn on a thread in the batch's browser while the figures are
    still being read: the browser starts and loads plotly.js at once, then draws each
    report's charts (a department's serve its own report and the school's section) once."""

    def __init__(self, renderer, progress: Callable[[str], None]) -> None:
        import queue

        self.renderer = renderer
        self.progress = progress
        self.error: BaseException | None = None
        self._queue: queue.SimpleQueue[list | None] = queue.SimpleQueue()
        self._seen: set[int] = set()
        self._thread = threading.Thread(target=self._run, name="report-charts", daemon=True)
        self._thread.start()

    def add(self, charts: list) -> None:
        """Draw these charts (those not drawn or queued yet)."""
        new = [c for c in charts if id(c) not in self._seen]
        self._seen.update(id(c) for c in new)
        if new:
            self._queue.put(new)

    def _run(self) -> None:
        try:
            self.renderer.open_chart_page()
            while (charts := self._queue.get()) is not None:
                if self.error is None:
                    svgs = self.renderer.draw([(c.fig, c.width, c.height) for c in charts])
                    for c, svg in zip(charts, svgs, strict=True):
                        c.svg = svg
        except BaseException as e:  # raised in the batch's thread by finish()
            self.error = e

    def finish(self) -> None:
        """Wait until every chart added is drawn; raise what drawing raised."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error
        self.progress(f"{len(self._seen)} charts drawn")


def _serialised(progress: Callable[[str], None]) -> Callable[[str], None]:
    """``progress`` callable from the batch's two threads, one message at a time."""
    lock = threading.Lock()

    def say(message: str) -> None:
        with lock:
            progress(message)

    return say


def _record(store, files, archive: Path, week: str, trigger: str, partial: bool, out) -> list[dict[str, Any]]:
    """Record every written file in the store (the archive's index) and copy it to
    ``out`` when asked: a report written is always in the archive."""
    from cockpit.reports.render import write_atomic

    copy_to = Path(out).resolve() if out is not None else None
    if copy_to is not None:
        copy_to.mkdir(parents=True, exist_ok=True)
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
            "partial": partial,
            "archive_path": path,
        }
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
        if copy_to is not None:  # whole or not at all: a full disk keeps the old copy
            item["path"] = copy_to / path.name
            write_atomic(item["path"], path.read_bytes())
        results.append(item)
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
