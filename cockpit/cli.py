"""`python -m cockpit <command>`: the command line.

Every error is one line on stderr (``error: ...``) and a non-zero exit; long
work reports its progress on stderr; data goes to stdout (JSON lines where
machine-readable). Set COCKPIT_DEBUG=1 to get tracebacks instead.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NoReturn

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from cockpit.config import ConfigError, Settings, load_settings, safe_url
from cockpit.refresh import RefreshError, SourceUnavailable, one_line
from cockpit.store import StoreError

log = logging.getLogger("cockpit")

EXIT_ERROR = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A user-facing failure, one line."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _nonnegative(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {n}")
    return n


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class _Progress:
    """Progress lines on stderr, at most one per ``every`` seconds per stage."""

    def __init__(self, label: str, every: float = 1.0) -> None:
        self.label = label
        self.every = every
        self.last_stage: str | None = None
        self.last_t = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage == self.last_stage and fraction < 1.0 and now - self.last_t < self.every:
            return
        self.last_stage, self.last_t = stage, now
        _err(f"{self.label}: {stage} {max(0.0, min(1.0, fraction)) * 100:3.0f}%")


def _backfill_progress(done: int, total: int, as_of: date) -> None:
    if done < total:
        _err(f"backfill: {done + 1}/{total} as of {as_of}")
    else:
        _err(f"backfill: {total}/{total} done")


# -- commands ------------------------------------------------------------------------


def _generate(settings: Settings, url: str | None, scale: int, seed: int, today: date | None) -> None:
    try:
        from cockpit.demo import generate
    except ImportError as e:
        raise CliError(f"the demo generator is not available ({e})") from None
    target = url or f"sqlite:///{settings.demo.path}"
    if target.startswith("sqlite:///"):
        settings.demo.path.parent.mkdir(parents=True, exist_ok=True)
    _err(f"demo: generating scale {scale}, seed {seed} into {safe_url(target)}")
    t0 = time.monotonic()
    counts = generate(target, scale=scale, seed=seed, today=today, progress=_Progress("demo"))
    total = sum((counts or {}).values())
    _err(f"demo: {total:,} rows in {len(counts or {})} tables, {time.monotonic() - t0:.1f} s")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    _generate(
        settings,
        args.url,
        args.scale or settings.demo.scale,
        settings.demo.seed if args.seed is None else args.seed,
        args.today,
    )
    return 0


def cmd_refresh(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.refresh import run_refresh
    from cockpit.store import Store

    as_of = args.as_of or settings.today()
    _err(f"refresh: computing as of {as_of} from {safe_url(settings.source_url)}")
    t0 = time.monotonic()
    sid = run_refresh(settings, as_of, trigger="cli")
    snap = Store(settings.store_url).get(sid)
    extra = ""
    if snap and snap.failed_metrics:
        extra = " — not computed: " + ", ".join(f"{m} ({e})" for m, e in sorted(snap.failed_metrics.items()))
    _err(f"refresh: snapshot {sid} {snap.status if snap else '?'} in {time.monotonic() - t0:.1f} s{extra}")
    return 0


def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.refresh import backfill

    weeks = settings.refresh.backfill_weeks if args.weeks is None else args.weeks
    t0 = time.monotonic()
    ids = backfill(settings, weeks, progress=_backfill_progress)
    _err(f"backfill: {len(ids)} new snapshot(s) in {time.monotonic() - t0:.1f} s")
    return 0


def _snapshot_for(settings: Settings, as_of: date | None):
    from cockpit.refresh import open_store

    store = open_store(settings)
    if as_of is None:
        snap = store.current()
        if snap is None:
            raise CliError("no snapshot in the store yet; run `python -m cockpit refresh`")
    else:
        snap = store.for_as_of(as_of)
        if snap is None:
            raise CliError(
                f"no successful snapshot as of {as_of}; run `python -m cockpit refresh --as-of {as_of}`"
            )
    return store, snap


def _print_lines(rows: Sequence[dict[str, Any]] | Any) -> None:
    out = sys.stdout
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()


def cmd_values(args: argparse.Namespace, settings: Settings) -> int:
    store, snap = _snapshot_for(settings, args.as_of)
    if args.metric:
        from cockpit.config import known_metric_ids

        known = known_metric_ids()
        if known is not None and args.metric not in known:
            raise CliError(f"unknown metric {args.metric!r}; `python -m cockpit metrics` lists them")
    _print_lines(v.as_json() for v in store.values(snap.id, metric=args.metric))
    return 0


def cmd_quality(args: argparse.Namespace, settings: Settings) -> int:
    store, snap = _snapshot_for(settings, args.as_of)
    _print_lines({"rule": q.rule, "table": q.table, "rows": q.rows} for q in store.quality(snap.id))
    return 0


def cmd_check_source(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.refresh import source_engine
    from metrics.check import check_source

    if args.url:
        settings = dataclasses.replace(settings, source_url=args.url, source_is_demo=False)
    engine = source_engine(settings)
    try:
        report = check_source(engine, mode=settings.engine.mode)
    except DBAPIError as e:
        raise CliError(f"source {safe_url(settings.source_url)}: {one_line(e)}") from e
    finally:
        engine.dispose()
    for p in report.problems:
        _err(str(p))
    where = safe_url(settings.source_url)
    if not report.usable:
        n = len(report.errors)
        raise CliError(f"source {where} cannot be used: {n} problem{'s' if n != 1 else ''} (listed above)")
    rows = sum(report.row_counts.values())
    for name, n in report.row_counts.items():
        _err(f"  {name}: {n:,} rows")
    print(f"ok: {where} meets the contract ({len(report.row_counts)} tables, {rows:,} rows)")
    if settings.engine.mode == "extract":
        _err("engine.mode extract: each table is read once by a plain SELECT; no index or statistics needed")
    return 0


def cmd_metrics(args: argparse.Namespace, settings: Settings) -> int:
    from metrics.catalog import load_catalog

    cat = load_catalog(settings.thresholds)
    if args.json:
        _print_lines(dataclasses.asdict(m) for m in cat.metrics.values())
        return 0
    rows = [("id", "名称", "unit", "direction", "grains", "periods")]
    rows += [
        (m.id, m.name_zh, m.unit, m.direction, ",".join(m.grains), ",".join(m.periods))
        for m in cat.metrics.values()
    ]

    def width(s: str) -> int:  # CJK characters take two columns
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c + " " * (w - width(c)) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.refresh import open_store

    store = open_store(settings)
    current = store.current_id()
    for s in store.list(limit=args.limit):
        mark = "*" if s.id == current else " "
        dur = f"{s.duration_s:.1f}s" if s.duration_s is not None else "-"
        err = f"  {s.error}" if s.error else ""
        print(f"{mark} {s.id:>5}  {s.as_of}  {s.status:<9} {s.trigger:<8} {dur:>8}{err}")
    return 0


def _exit_on_sigterm() -> None:
    """SIGTERM ends a long-running command like Ctrl-C: cleanly, exit 0."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.refresh import open_store
    from cockpit.scheduler import run_worker

    store = open_store(settings)
    _exit_on_sigterm()
    run_worker(settings, store)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import dataclasses

    from waitress import serve

    from cockpit.app import create_app

    host = args.host or settings.server.host
    port = args.port or settings.server.port
    # The address served decides whether auth.mode none may run (loopback only).
    settings = dataclasses.replace(settings, server=dataclasses.replace(settings.server, host=host))
    app = create_app(settings)
    _exit_on_sigterm()
    if args.history:
        _start_history()
    sched = "in this process" if app.server.extensions["cockpit"].scheduler else "elsewhere or off"
    _err(f"serve: http://{host}:{port}/ (refresh schedule: {sched})")
    serve(app.server, host=host, port=port, threads=8, ident="cockpit")
    return 0


def cmd_setup_demo(args: argparse.Namespace, settings: Settings) -> int:
    """What `make run` needs before serving: demo data and a current snapshot. The
    history follows in the background (`serve --history`), or here with --history."""
    from cockpit.refresh import backfill, open_store, run_refresh

    if settings.source_is_demo and not settings.demo.path.exists():
        _generate(settings, None, settings.demo.scale, settings.demo.seed, None)
    store = open_store(settings)
    as_of = settings.today()
    current = store.current()
    if current is not None and current.as_of == as_of and not args.history:
        _err(f"setup: snapshot {current.id} as of {as_of} is current")
    else:
        _err(f"setup: refreshing as of {as_of}")
        t0 = time.monotonic()
        sid = run_refresh(settings, as_of, trigger="cli", store=store)
        _err(f"setup: snapshot {sid} in {time.monotonic() - t0:.1f} s")
    weeks = settings.refresh.backfill_weeks
    if args.history and weeks and len(store.successful_as_of_dates()) <= 1:
        _err(f"setup: no history yet; backfilling {weeks} week ends")
        ids = backfill(
            settings,
            weeks,
            progress=_backfill_progress,
            store=store,
            last_season_weeks=settings.refresh.backfill_last_season_weeks,
            exclusive=True,
        )
        _err(f"setup: {len(ids)} history snapshot(s)")
    return 0


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    """The history backfill, then last week's reports (cockpit/history.py); progress in
    the store for /status, and on stderr."""
    from cockpit.history import fill_history

    _exit_on_sigterm()
    ok = fill_history(settings, reports=not args.no_reports)
    return 0 if ok else EXIT_ERROR


def _start_history() -> Any:
    """`python -m cockpit history` in a child process (it never slows the server's
    requests); stopped with the server."""
    import atexit
    import subprocess

    proc = subprocess.Popen([sys.executable, "-m", "cockpit", "history"])

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()

    atexit.register(stop)
    return proc


def _formats(text: str) -> tuple[str, ...]:
    from cockpit.config import REPORT_FORMATS

    out = tuple(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    bad = [f for f in out if f not in REPORT_FORMATS]
    if not out or bad:
        raise argparse.ArgumentTypeError(
            f"{text!r}: formats are a comma-separated list of {', '.join(REPORT_FORMATS)}"
        )
    return out


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Weekly reports (docs/reports.md): the written files on stdout, progress on stderr."""
    from cockpit.reports import job

    try:
        files = job.generate(
            settings,
            week=args.week,
            department=args.department,
            formats=args.format,
            out=args.out,
            trigger="cli",
            progress=lambda msg: _err(f"report: {msg}"),
        )
        if args.mail:
            from cockpit.reports.mail import send_reports

            sent = send_reports(settings, files)
            _err(f"report: e-mailed {sent} file(s) to {', '.join(settings.reports.smtp.to)}")
    except job.ReportError as e:
        raise CliError(str(e)) from None
    except Exception as e:
        if type(e).__name__ == "MailError":
            raise CliError(f"e-mail: {e}") from None
        raise
    for f in files:
        print(f["path"])
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "demo": cmd_demo,
    "refresh": cmd_refresh,
    "backfill": cmd_backfill,
    "values": cmd_values,
    "quality": cmd_quality,
    "check-source": cmd_check_source,
    "metrics": cmd_metrics,
    "status": cmd_status,
    "worker": cmd_worker,
    "serve": cmd_serve,
    "setup-demo": cmd_setup_demo,
    "history": cmd_history,
    "report": cmd_report,
}


def _command(name: str) -> Callable[[argparse.Namespace, Settings], int]:
    from cockpit import cli_accounts

    return COMMANDS.get(name) or cli_accounts.COMMANDS[name]


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m cockpit", description="领导驾驶舱 — leadership cockpit")
    sub = p.add_subparsers(dest="command", required=True, metavar="command", parser_class=_Parser)

    s = sub.add_parser("demo", help="generate the demo data platform")
    s.add_argument("--scale", type=_positive, help="size multiplier (default: config demo.scale)")
    s.add_argument("--seed", type=int, help="random seed (default: config demo.seed)")
    s.add_argument("--url", help="target SQLAlchemy URL (default: the demo SQLite file)")
    s.add_argument("--today", type=_date, help="the demo's today, YYYY-MM-DD")

    s = sub.add_parser("refresh", help="compute a snapshot now")
    s.add_argument("--as-of", type=_date, help="as-of date YYYY-MM-DD (default: today)")

    s = sub.add_parser("backfill", help="compute snapshots for past week ends")
    s.add_argument(
        "--weeks", type=_nonnegative, help="how many week ends (default: config refresh.backfill_weeks)"
    )

    s = sub.add_parser("values", help="values of the current snapshot as JSON lines")
    s.add_argument("--as-of", type=_date, help="the snapshot for this as-of date instead")
    s.add_argument("--metric", help="only this metric id")

    s = sub.add_parser("quality", help="data-quality counts of the current snapshot as JSON lines")
    s.add_argument("--as-of", type=_date, help="the snapshot for this as-of date instead")

    s = sub.add_parser("check-source", help="check the source against the data contract")
    s.add_argument("--url", help="check this SQLAlchemy URL instead of the configured source")

    s = sub.add_parser("metrics", help="the indicator catalog")
    s.add_argument("--json", action="store_true", help="JSON lines instead of a table")

    s = sub.add_parser("status", help="recent snapshots (* marks the current one)")
    s.add_argument("--limit", type=_positive, default=20)

    sub.add_parser("worker", help="run the refresh schedule alone (foreground)")

    s = sub.add_parser("serve", help="serve the web app")
    s.add_argument("--host", help="bind address (default 127.0.0.1)")
    s.add_argument("--port", type=_positive, help="port (default: PORT or 8050)")

    s.add_argument(
        "--history", action="store_true", help="then fill the history (backfill, reports) in the background"
    )

    s = sub.add_parser("setup-demo", help="demo data if none configured and a current snapshot (make run)")
    s.add_argument("--history", action="store_true", help="also backfill the history now, before returning")

    s = sub.add_parser("history", help="backfill the history, then last week's reports; progress on /status")
    s.add_argument("--no-reports", action="store_true", help="only the backfill")

    s = sub.add_parser("report", help="weekly reports (周报) as PDF and PNG, docs/reports.md")
    s.add_argument("--week", help="ISO week YYYY-Www (default: the last full week)")
    s.add_argument("--department", help="only this department's report (its code)")
    s.add_argument("--format", type=_formats, help="pdf,png (default: config reports.formats)")
    s.add_argument("--out", help="write into this folder (default: the archive, config reports.archive)")
    s.add_argument("--mail", action="store_true", help="e-mail the files (config reports.smtp)")

    from cockpit import cli_accounts

    cli_accounts.add_parsers(sub, _date, _positive)
    return p


def _setup_logging(command: str) -> None:
    level = logging.INFO if command in ("worker", "serve", "history") else logging.CRITICAL
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # Libraries' own chatter (the scheduler's runs, a web server's request lines) stays
    # out of a command's output: warnings only, and nothing for a one-shot command.
    for name in ("apscheduler", "waitress", "werkzeug"):
        logging.getLogger(name).setLevel(logging.WARNING if level == logging.INFO else level)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.command)
    debug = os.environ.get("COCKPIT_DEBUG", "") not in ("", "0")
    try:
        settings = load_settings()
        return _command(args.command)(args, settings)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        # the reader went away (values | head): not an error
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:
        if debug:
            traceback.print_exc()
        _err(f"error: {_describe(e)}")
        return EXIT_ERROR


def _describe(e: BaseException) -> str:
    if isinstance(e, ConfigError | RefreshError | StoreError | SourceUnavailable | CliError):
        return str(e)
    from cockpit.scheduler import SchedulerBusy

    if isinstance(e, SchedulerBusy):
        return str(e)
    if type(e).__name__ in ("SourceError", "CatalogError"):
        return one_line(e)
    if isinstance(e, DBAPIError):
        return f"database: {one_line(e)}"
    if isinstance(e, SQLAlchemyError):
        return f"database: {one_line(e)}"
    if isinstance(e, OSError):
        return f"{e.strerror or type(e).__name__}: {e.filename or ''}".rstrip(": ")
    return one_line(e)
