"""How the Monday batch shares its work between its two browsers (cockpit/reports/job.py),
with stand-in renderers that record what they were given: no browser, no timing —
threads are joined, then the state is asserted.

- ``PdfJobs``: both browsers print from one queue; every PDF is printed once, the
  files come back in the reports' order, a browser waiting for PDFs stops waiting
  when the queue closes, and a failure reaches the batch.
- ``WallShots.shoot``: the batch's browser helps with the screens only while enough
  are left to pay for its first load of the app.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from cockpit.config import load_settings
from cockpit.reports import job


class Printer:
    """A renderer that "prints" by writing the job's HTML name into the PDF path."""

    def __init__(self, name: str, fail_on: str | None = None, gate: threading.Event | None = None) -> None:
        self.name = name
        self.fail_on = fail_on
        self.gate = gate
        self.printed: list[str] = []
        self.busy = threading.Event()  # set once it holds a job

    def pdf(self, html: Path, out: Path, footer: str = "") -> int:
        self.busy.set()
        if self.gate is not None:
            self.gate.wait()
        if out.name == self.fail_on:
            raise RuntimeError(f"cannot print {out.name}")
        out.write_text(f"{self.name}:{html.name}:{footer}", encoding="utf-8")
        self.printed.append(out.name)
        return 1


def _jobs(tmp_path: Path, n: int) -> list:
    reports = [SimpleNamespace(title=f"report {i}", snapshot_id=7) for i in range(n)]
    return [
        job._PdfJob(rep, tmp_path / f"r{i}.html", tmp_path / f"r{i}.pdf") for i, rep in enumerate(reports)
    ]


def test_two_browsers_print_every_pdf_once_in_the_reports_order(tmp_path):
    pdfs = job.PdfJobs()
    gate = threading.Event()
    wall = Printer("wall", gate=gate)
    # The wall browser waits for PDFs before there are any (it finished its screens first).
    helper = threading.Thread(target=pdfs.print_with, args=(wall, lambda _m: None))
    helper.start()
    jobs = _jobs(tmp_path, 6)
    pdfs.add(jobs)
    pdfs.close()
    assert wall.busy.wait(60), "the waiting browser took a PDF as soon as there was one"
    batch = Printer("batch")
    gate.set()
    pdfs.print_with(batch, lambda _m: None)
    files = pdfs.wait()
    helper.join()
    assert [f[2] for f in files] == [j.out for j in jobs]
    assert [f[0] for f in files] == [j.report for j in jobs]
    assert {f[1] for f in files} == {"pdf"}
    assert sorted(wall.printed + batch.printed) == sorted(j.out.name for j in jobs), "each PDF printed once"
    assert wall.printed, "the wall browser took its share"
    for j in jobs:
        _who, html, footer = j.out.read_text(encoding="utf-8").split(":", 2)
        assert html == j.html.name and footer == f"{j.report.title} · 快照 #7"


def test_a_browser_waiting_for_pdfs_stops_when_none_will_come(tmp_path):
    pdfs = job.PdfJobs()
    wall = Printer("wall")
    helper = threading.Thread(target=pdfs.print_with, args=(wall, lambda _m: None))
    helper.start()
    pdfs.close()  # e.g. a batch of PNGs only, or one that failed before its PDFs
    helper.join()
    assert wall.printed == [] and pdfs.wait() == []


def test_a_failed_pdf_fails_the_batch_and_the_other_browser_stops_taking(tmp_path):
    pdfs = job.PdfJobs()
    jobs = _jobs(tmp_path, 4)
    pdfs.add(jobs)
    pdfs.close()
    broken = Printer("batch", fail_on="r0.pdf")
    with pytest.raises(RuntimeError, match=r"cannot print r0\.pdf"):
        pdfs.print_with(broken, lambda _m: None)
    other = Printer("wall")
    pdfs.print_with(other, lambda _m: None)
    assert other.printed == [], "no PDF is printed once the batch has failed"
    with pytest.raises(RuntimeError, match=r"cannot print r0\.pdf"):
        pdfs.wait()


class Shooter:
    """A renderer that records the screens it was asked to shoot."""

    def __init__(self) -> None:
        self.shot: list[str] = []

    def reduce_motion(self) -> None:
        pass

    def clear_cookies(self) -> None:
        pass

    def set_cookies(self, url: str, cookies: dict[str, str]) -> None:
        pass

    def screenshot_screen(self, url: str, width: int, height: int, out: Path, scope: str | None = None):
        self.shot.append(scope or "")
        return 1


@pytest.mark.parametrize(
    ("left", "taken"),
    [(job.JOIN_MIN_SCREENS - 1, 0), (job.JOIN_MIN_SCREENS, job.JOIN_MIN_SCREENS)],
)
def test_the_batch_browser_joins_the_screens_only_while_enough_are_left(tmp_path, left, taken):
    settings = load_settings(env={}, root=tmp_path)
    screens = SimpleNamespace(url="http://127.0.0.1:9", cookies=lambda: {})
    codes = [f"D{i}" for i in range(left)]
    walls = job.WallShots(settings, screens, codes, "2026-W46", tmp_path, lambda _m: None, job.PdfJobs())
    try:  # never started: only the batch's browser shoots here
        batch = Shooter()
        walls.shoot(batch)
        assert len(batch.shot) == taken
        assert batch.shot == codes[:taken]
    finally:
        walls.close()
