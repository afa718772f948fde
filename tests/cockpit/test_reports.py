"""Weekly reports (docs/reports.md), checked as a reader would: the PDF's text
(pdftotext) holds the school, the indicators and the snapshot's values, the CJK
font is embedded (pdffonts), pages and PNG sizes are as expected, a department's
report holds no other department's figures, and the error cases are one line.

One batch (school + every department, PDF and PNG) of a scale-0.1 demo school is
made once for the module, from the snapshot of Sunday 2026-11-15 (ISO week
2026-W46), with the Sunday before (previous week) and 2025-11-16 (same week last
season) in the store.
"""

from __future__ import annotations

import dataclasses
import json
import re
import struct
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cockpit.config import load_settings
from cockpit.i18n import fmt_value
from cockpit.reports import job
from cockpit.store import Store

WEEK = "2026-W46"
SUNDAY = date(2026, 11, 15)
AS_OF_DATES = (date(2025, 11, 16), date(2026, 11, 8), SUNDAY)


def _settings(directory: Path, **reports):
    s = load_settings(
        env={
            "COCKPIT_SOURCE_URL": f"sqlite:///{directory / 'source.sqlite'}",
            "COCKPIT_STORE_URL": f"sqlite:///{directory / 'store.sqlite'}",
        },
        root=directory,
    )
    return dataclasses.replace(s, reports=dataclasses.replace(s.reports, **reports)) if reports else s


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    """The demo school's store and one full batch of week 2026-W46 in its archive."""
    from cockpit.demo import generate
    from cockpit.refresh import run_refresh

    d = tmp_path_factory.mktemp("reports")
    generate(f"sqlite:///{d / 'source.sqlite'}", scale=0.1, seed=2026, today=date(2026, 11, 21))
    settings = _settings(d)
    store = Store(settings.store_url)
    for day in AS_OF_DATES:
        run_refresh(settings, day, trigger="backfill", store=store)
    files = job.generate(settings, week=WEEK)
    return {"settings": settings, "store": store, "files": files, "dir": d}


def _file(school, department=None, fmt="pdf") -> Path:
    return next(f["path"] for f in school["files"] if f["department"] == department and f["format"] == fmt)


def pdftext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdfpages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def _snapshot(school):
    return school["store"].for_as_of(SUNDAY)


def _value(school, metric: str, period: str, dims: dict) -> float:
    snap = _snapshot(school)
    return next(
        v.value
        for v in school["store"].values(snap.id, metric=metric)
        if v.period == period and v.dims == dims
    )


# -- the batch -----------------------------------------------------------------------


def test_batch_writes_every_file_into_the_archive_and_the_store(school):
    snap = _snapshot(school)
    depts = [c for c, lab in snap.labels["department"].items() if lab.get("kind", "academic") == "academic"]
    files = school["files"]
    assert len(files) == 3 * (1 + len(depts))
    archive = job.archive_dir(school["settings"])
    for f in files:
        assert f["path"].is_file() and f["path"].stat().st_size > 10_000
        assert f["path"].parent == archive / WEEK
        assert f["snapshot_id"] == snap.id
    recorded = school["store"].list_reports(week=WEEK)
    assert len(recorded) == len(files)
    assert {r["path"] for r in recorded} == {f"{WEEK}/{f['name']}" for f in files}
    listed = job.list_archive(school["settings"])
    assert {x["path"] for x in listed} == {r["path"] for r in recorded}
    one = next(x for x in listed if x["name"] == f"dept-{depts[0]}_{WEEK}.pdf")
    assert (one["kind"], one["department"], one["week"], one["format"]) == (
        "department",
        depts[0],
        WEEK,
        "pdf",
    )
    assert listed[0]["week"] == WEEK and listed[0]["kind"] == "school"


def test_school_pdf_reads_as_the_weeks_report(school):
    pdf = _file(school)
    text = pdftext(pdf)
    snap = _snapshot(school)
    assert snap.school["name_zh"] in text
    assert WEEK in text and "2026年11月9日" in text and "2026年11月15日" in text
    assert f"快照编号 {snap.id}" in re.sub(r"\s+", " ", text)
    for name in (
        "毕业去向落实率",
        "工作与专业相关度",
        "平均月收入",
        "岗位实习参与率",
        "实习保险覆盖率",
        "审批超时率",
    ):
        assert name in text
    placement = _value(school, "placement_rate", "cohort:2026", {})
    salary = _value(school, "avg_monthly_salary", "cohort:2026", {})
    assert fmt_value(placement, "ratio") in text
    assert fmt_value(salary, "yuan") in text
    # generated narrative: the value, its change on the week and the distance to target
    assert f"本周2026届毕业去向落实率{fmt_value(placement, 'ratio')}，较上周" in text.replace("\n", "")
    assert "距目标95.0%尚差" in text.replace("\n", "") or "已达到目标95.0%" in text.replace("\n", "")
    for heading in ("核心指标", "本周综述", "图表", "预警摘要", "分学院报告", "数据质量说明", "指标口径"):
        assert heading in text
    assert "数据截至 2026年11月15日（周日）" in re.sub(r"\s+", " ", text)
    assert "本周未完" not in text
    # one section per department
    for lab in snap.labels["department"].values():
        if lab.get("kind", "academic") == "academic":
            assert lab["name_zh"] in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info
    assert 12 <= pdfpages(pdf) <= 60


def test_long_tables_continue_with_their_header(school):
    """The school's full alert list (the appendix) runs over several pages: the header
    repeats, no row is lost."""
    pdf = _file(school)
    pages = pdftext(pdf).split("\f")
    n = int(re.search(r"预警完整清单（(\d+)条）", "".join(pages)).group(1))
    assert n == len(school["store"].alerts(_snapshot(school).id))
    with_header = [
        i for i, p in enumerate(pages) if re.search(r"级别\s+指标\s+范围\s+统计期\s+数值\s+阈值", p)
    ]
    assert len(with_header) >= 2, "the alert table should continue on a second page with its header"
    rows = sum(len(re.findall(r"^\s*(?:严重|预警)\s{2,}\S", p, re.M)) for p in pages)
    assert rows >= n


def _headings(text: str) -> list[str]:
    flat = re.sub(r"[ \t]+", " ", text)
    order = ["一、核心指标", "二、本周综述", "三、图表", "四、预警摘要", "五、各学院情况", "六、分学院报告"]
    order += ["七、数据质量说明", "附录一 预警完整清单", "附录二 指标口径"]
    pos = {h: flat.find(h) for h in order}
    assert all(p >= 0 for p in pos.values()), {h: p for h, p in pos.items() if p < 0}
    return sorted(pos, key=pos.get)


def test_report_reads_headline_narrative_charts_then_condensed_alerts(school):
    """The order a leader reads: cover, headline table, narrative, charts — and only
    then the alerts, condensed to one row per indicator; the full list is an appendix."""
    pdf = _file(school)
    pages = pdftext(pdf).split("\f")
    text = "\f".join(pages)
    assert _headings(text) == [
        "一、核心指标", "二、本周综述", "三、图表", "四、预警摘要", "五、各学院情况", "六、分学院报告",
        "七、数据质量说明", "附录一 预警完整清单", "附录二 指标口径",
    ]  # fmt: skip
    # the first chart comes within the first pages, before any alert
    first_chart = next(i for i, p in enumerate(pages) if "三、图表" in p)
    assert first_chart <= 3
    summary = text.split("四、预警摘要")[1].split("五、")[0]
    alerts = school["store"].alerts(_snapshot(school).id)
    metrics = {a.metric for a in alerts}
    rows = [ln for ln in summary.splitlines() if re.search(r"\s(\d+|—)\s+(\d+|—)\s+\S", ln)]
    assert 1 <= len(rows) <= min(8, len(metrics))
    assert f"共{len(alerts)}条" in summary and "完整清单见附录一" in summary.replace("\n", "")


def test_a_partial_week_says_so_with_its_true_weekday(school, tmp_path):
    """The week under way: the latest snapshot of the week, labelled partial, with the
    weekday of its as-of date (Saturday 2026-11-21 here), never a hard-coded Sunday."""
    from cockpit.refresh import run_refresh

    saturday = date(2026, 11, 21)
    run_refresh(school["settings"], saturday, trigger="backfill", store=school["store"])
    files = job.generate(
        school["settings"], week="2026-W47", formats=["pdf"], today=saturday, department=None, out=tmp_path
    )
    school_pdf = next(f for f in files if f["department"] is None)
    assert school_pdf["partial"] is True
    text = re.sub(r"\s+", " ", pdftext(school_pdf["path"]))
    assert "周报 （本周未完） 全校" in text  # the cover
    assert "周报 2026-W47（本周未完） · 快照" in text  # every page's footer
    assert "数据截至 2026年11月21日（周六）" in text and "（周日）" not in text
    assert "截至2026年11月21日（周六）的部分周报" in text
    # recorded in the archive too, even with --out
    recorded = {r["path"] for r in school["store"].list_reports(week="2026-W47")}
    assert "2026-W47/school_2026-W47.pdf" in recorded
    assert (job.archive_dir(school["settings"]) / "2026-W47" / "school_2026-W47.pdf").is_file()
    assert school_pdf["path"] == tmp_path / "school_2026-W47.pdf" and school_pdf["path"].is_file()
    # a week that is over without its Sunday's snapshot is still an error, not a partial report
    with pytest.raises(job.ReportError, match="no snapshot for week 2026-W47"):
        job.generate(school["settings"], week="2026-W47", formats=["pdf"], today=date(2026, 11, 23))


def test_cjk_font_is_embedded_and_text_is_vector(school):
    pdf = _file(school)
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.strip().splitlines()[2:]
    assert rows, out
    for row in rows:
        cols = row.split()
        emb, uni = cols[-5], cols[-3]
        assert emb == "yes", f"font not embedded: {row}"
        assert uni == "yes", f"font without ToUnicode (text not searchable): {row}"
    # the body text's CJK font is there by name, embedded as a CID TrueType font
    assert any("WenQuanYi" in row and "CID TrueType" in row for row in rows), out
    # the text is text (pdftotext reads Chinese), not a picture of text
    assert "毕业去向落实率" in pdftext(pdf)
    # and the pages render (pdftoppm) at A4
    png = school["dir"] / "page1"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "2", "-l", "2", "-png", "-singlefile", str(pdf), str(png)], check=True
    )
    w, h = png_size(png.with_suffix(".png"))
    assert (w, h) == pytest.approx((331, 468), abs=3)


def test_charts_are_vector_svg_drawn_by_the_batch_browser(school):
    """The PDFs' charts: plotly.js (the copy installed with plotly.py) in a local page of the
    batch's own browser, each at its print size, its text as text; a figure it cannot draw
    and a page that never gets ready are one-line errors."""
    import plotly.graph_objects as go

    from cockpit.reports.render import Renderer, RenderError

    settings = school["settings"]
    fig = go.Figure(go.Bar(x=["甲学院", "乙学院"], y=[3, 5], text=["3件", "5件"]))
    fig.update_layout(title={"text": "办件量"}, template="none")
    with Renderer(settings.reports.chromium, settings.reports.chromedriver, timeout=5) as r:
        big, small = r.svgs([(fig, 400, 300), (fig, 200, 150)])
        with pytest.raises(RenderError, match=r"plotly\.js could not draw the charts"):
            r.svgs([(fig, 0, 300)])
        with pytest.raises(RenderError, match="timed out waiting for a flag that never comes"):
            r.wait_until("return false;", "a flag that never comes")
        assert r.wait_until("return arguments[0] + 1;", "an answer", 41) == 42
    assert big.startswith("<svg") and "<?xml" not in big
    assert re.search(r'<svg[^>]* width="400" height="300"', big)
    assert re.search(r'<svg[^>]* width="200" height="150"', small)
    for text in ("办件量", "甲学院", "5件"):
        assert f">{text}</text>" in big, text


def test_pngs_have_the_canvas_and_card_sizes(school):
    s = school["settings"]
    assert png_size(_file(school, None, "png")) == (s.screen.width, s.screen.height)
    w, h = png_size(_file(school, None, "card"))
    assert w == s.reports.card_width and 600 <= h <= 2000
    dept = next(f["department"] for f in school["files"] if f["department"])
    assert png_size(_file(school, dept, "png")) == (1920, 1080)


def test_department_report_holds_only_its_own_figures(school):
    snap = _snapshot(school)
    depts = {
        c: lab["name_zh"]
        for c, lab in snap.labels["department"].items()
        if lab.get("kind", "academic") == "academic"
    }
    code = sorted(depts)[0]
    text = pdftext(_file(school, code))
    assert depts[code] in text
    for other, name in depts.items():
        if other != code:
            assert name not in text, f"{name} appears in {depts[code]}'s report"
    mine = _value(school, "placement_rate", "cohort:2026", {"department": code})
    assert fmt_value(mine, "ratio") in text
    majors = [m for m, lab in snap.labels["major"].items() if lab.get("department") == code]
    foreign = [
        lab["name_zh"] for m, lab in snap.labels["major"].items() if lab.get("department") not in (code, None)
    ]
    assert any(snap.labels["major"][m]["name_zh"] in text for m in majors)
    own_names = {snap.labels["major"][m]["name_zh"] for m in majors}
    leaked = [n for n in foreign if n not in own_names and n in text]
    assert not leaked, f"other departments' majors in the report: {leaked[:3]}"
    assert 4 <= pdfpages(_file(school, code)) <= 20


def test_narratives_are_written_from_each_scopes_figures(school):
    snap = _snapshot(school)
    codes = sorted(
        c for c, lab in snap.labels["department"].items() if lab.get("kind", "academic") == "academic"
    )[:2]
    texts = [pdftext(_file(school, c)).replace("\n", "") for c in codes]
    for code, text in zip(codes, texts, strict=True):
        v = _value(school, "placement_rate", "cohort:2026", {"department": code})
        assert f"本周2026届毕业去向落实率{fmt_value(v, 'ratio')}" in text
    assert texts[0].split("二、本周综述")[1][:200] != texts[1].split("二、本周综述")[1][:200]


def test_department_only_run(school, tmp_path):
    snap = _snapshot(school)
    code = sorted(
        c for c, lab in snap.labels["department"].items() if lab.get("kind", "academic") == "academic"
    )[-1]
    files = job.generate(school["settings"], week=WEEK, department=code, formats=["pdf"], out=tmp_path)
    assert [f["name"] for f in files] == [f"dept-{code}_{WEEK}.pdf"]
    assert files[0]["path"].parent == tmp_path
    # --out is a copy: the report is in the archive and recorded there as well
    assert files[0]["archive_path"] == job.archive_dir(school["settings"]) / WEEK / f"dept-{code}_{WEEK}.pdf"
    assert files[0]["archive_path"].read_bytes() == files[0]["path"].read_bytes()
    assert snap.labels["department"][code]["name_zh"] in pdftext(files[0]["path"])


# -- errors ------------------------------------------------------------------------------


def test_no_snapshot_for_the_week(school):
    with pytest.raises(job.ReportError, match=r"^no snapshot for week 2026-W40 \(as of Sunday 2026-10-04\)"):
        job.generate(school["settings"], week="2026-W40")


def test_bad_week_and_unknown_department(school):
    with pytest.raises(job.ReportError, match="is not an ISO week"):
        job.generate(school["settings"], week="2026-46")
    with pytest.raises(job.ReportError, match="has no ISO week 54"):
        job.generate(school["settings"], week="2026-W54")
    with pytest.raises(job.ReportError, match="unknown department 'NOPE'"):
        job.generate(school["settings"], week=WEEK, department="NOPE")


def test_no_chromium(school, tmp_path):
    s = dataclasses.replace(
        school["settings"],
        reports=dataclasses.replace(school["settings"].reports, chromium=str(tmp_path / "no-chromium")),
    )
    with pytest.raises(
        job.ReportError, match=r"^Chromium not found at .*no-chromium \(apt package chromium\)"
    ):
        job.generate(s, week=WEEK, out=tmp_path)


def test_no_cjk_font(school, tmp_path, monkeypatch):
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig><dir>/nonexistent</dir></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    with pytest.raises(job.ReportError, match=r"^no CJK font: fc-list :lang=zh finds none"):
        job.generate(school["settings"], week=WEEK, out=tmp_path)


def test_cli_errors_are_one_line(school, tmp_path):
    from cockpit import ROOT

    d = school["dir"]
    env = {
        "PATH": "/usr/bin:/bin",
        "COCKPIT_SOURCE_URL": f"sqlite:///{d / 'source.sqlite'}",
        "COCKPIT_STORE_URL": f"sqlite:///{d / 'store.sqlite'}",
    }

    def run(*args, **extra):
        return subprocess.run(
            [sys.executable, "-m", "cockpit", "report", *args],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    p = run("--week", "2026-W40", "--out", str(tmp_path))
    assert p.returncode == 1 and p.stderr.startswith("error: no snapshot for week 2026-W40")
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    p = run("--week", WEEK, "--out", str(tmp_path), COCKPIT_CHROMIUM="/nonexistent/chromium")
    assert p.returncode == 1 and p.stderr.strip().splitlines()[-1].startswith("error: Chromium not found")
    p = run("--format", "pdf,gif")
    assert p.returncode == 2 and "formats are a comma-separated list" in p.stderr


def test_weeks():
    assert job.parse_week("2026-W46") == ("2026-W46", date(2026, 11, 9), date(2026, 11, 15))
    assert job.parse_week("2026-W1")[0] == "2026-W01"
    assert job.last_full_week(date(2026, 11, 16)) == "2026-W46"  # Monday: the week just ended
    assert job.last_full_week(date(2026, 11, 15)) == "2026-W45"  # Sunday: its week is not over
    assert job.last_full_week(date(2027, 1, 4)) == "2026-W53"


def test_archive_paths_never_leave_the_archive(school, tmp_path):
    s = school["settings"]
    root = job.archive_dir(s)
    name = f"{WEEK}/school_{WEEK}.pdf"
    assert job.resolve_archive_path(s, name) == root / name
    secret = tmp_path / "secret_2026-W46.pdf"
    secret.write_bytes(b"%PDF")
    (root / WEEK / "link_2026-W46.pdf").symlink_to(secret)
    (root / "notes.txt").write_text("x")
    for bad in (
        "../store.sqlite",
        f"{WEEK}/../../source.sqlite",
        str(root / name),
        "",
        f"{WEEK}/link_2026-W46.pdf",
        "notes.txt",
        f"{WEEK}\\school_{WEEK}.pdf",
        f"{WEEK}//school_{WEEK}.pdf",
    ):
        assert job.resolve_archive_path(s, bad) is None, bad
    assert all(x["name"] != "link_2026-W46.pdf" for x in job.list_archive(s))


# -- schedule and e-mail ---------------------------------------------------------------------


def test_report_job_is_scheduled_on_monday_morning(school):
    from cockpit.scheduler import REPORT_JOB_ID, build_scheduler

    sched = build_scheduler(school["settings"])
    job_ = sched.get_job(REPORT_JOB_ID)
    fields = {f.name: str(f) for f in job_.trigger.fields}
    assert (fields["minute"], fields["hour"], fields["day_of_week"]) == ("30", "7", "mon")
    assert job_.max_instances == 1 and job_.executor == "reports"
    off = dataclasses.replace(
        school["settings"], reports=dataclasses.replace(school["settings"].reports, in_app=False)
    )
    assert build_scheduler(off).get_job(REPORT_JOB_ID) is None


def test_email_through_a_loopback_smtp_server(school):
    from aiosmtpd.controller import Controller

    from cockpit.config import SmtpSettings
    from cockpit.reports.mail import send_reports

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as sock:  # a free loopback port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        smtp = SmtpSettings(
            host="127.0.0.1",
            port=port,
            sender="cockpit@example.edu",
            to=("dean@example.edu",),
            starttls=False,
            user="",
        )
        s = dataclasses.replace(
            school["settings"], reports=dataclasses.replace(school["settings"].reports, smtp=smtp)
        )
        assert send_reports(s, school["files"]) == 2
    finally:
        ctl.stop()
    assert len(received) == 1
    env = received[0]
    assert env.rcpt_tos == ["dean@example.edu"]
    from email import message_from_bytes, policy

    msg = message_from_bytes(env.content, policy=policy.default)
    assert WEEK in msg["Subject"] and _snapshot(school).school["name_zh"] in msg["Subject"]
    names = sorted(p.get_filename() for p in msg.iter_attachments())
    assert names == [f"school_{WEEK}.pdf", f"school_{WEEK}_card.png"]
    emailed = [r for r in school["store"].list_reports(week=WEEK) if r["emailed"]]
    assert len(emailed) == 2


def test_smtp_password_only_from_the_environment(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text('reports: {smtp: {host: "mail", password: "x"}}\n', encoding="utf-8")
    from cockpit.config import ConfigError

    with pytest.raises(ConfigError, match="COCKPIT_SMTP_PASSWORD"):
        load_settings({"COCKPIT_CONFIG": str(cfg)}, root=tmp_path)
    cfg.write_text(
        'reports: {formats: [pdf], smtp: {host: "mail", from: "a@b.c", to: ["d@e.f"], starttls: true}}\n',
        encoding="utf-8",
    )
    s = load_settings({"COCKPIT_CONFIG": str(cfg), "COCKPIT_SMTP_PASSWORD": "pw"}, root=tmp_path)
    assert s.reports.smtp.password == "pw" and s.reports.smtp.enabled and s.reports.formats == ("pdf",)
    assert "pw" not in repr(s.reports)
    cfg.write_text("reports: {formats: [gif]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reports\.formats: 'gif'"):
        load_settings({"COCKPIT_CONFIG": str(cfg)}, root=tmp_path)


def test_the_job_never_builds_the_web_app(school):
    """The report job reads through a bare service context and screenshots the app in a
    subprocess: the reports package imports no Dash app (docs/architecture.md)."""
    code = (
        "import sys; from cockpit.reports import job, data, render; "
        "print(sorted(m for m in sys.modules if m == 'cockpit.app' or m.startswith('pages')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_screen_server_serves_the_pinned_snapshot_to_the_render_token_only(school):
    import urllib.error
    import urllib.request

    snap = _snapshot(school)
    server = job.ScreenServer(school["settings"], snap.id)
    try:
        with urllib.request.urlopen(server.url + "/api/snapshot", timeout=60) as r:
            assert r.status == 200 and json.loads(r.read())["snapshot_id"] == snap.id
        cookies = server.cookies()
        req = urllib.request.Request(server.url + "/export/view.png")
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=60)
        assert e.value.code == 403
    finally:
        server.stop()
    assert server.proc.poll() is not None


def test_screens_after_the_first_are_reached_inside_the_app_and_drawn_afresh(school, tmp_path):
    """The batch's browser loads the app once and then navigates inside it (by way of an
    empty route): each screenshot shows its own screen, every figure drawn for it."""
    from cockpit.reports.render import BLANK_ROUTE, Renderer

    snap = _snapshot(school)
    settings = school["settings"]
    names = job._department_codes(snap)  # code -> name_zh
    codes = list(names)[:2]
    server = job.ScreenServer(settings, snap.id)
    seen: list[tuple[str, str, str, int]] = []
    try:
        with Renderer(settings.reports.chromium, settings.reports.chromedriver) as r:
            r.reduce_motion()
            loads: list[str] = []
            clocks: list[str] = []
            banners: list[str] = []
            for scope in ["school", *codes]:
                path = "/" if scope == "school" else f"/department/{scope}"
                r.set_cookies(server.url, server.cookies())
                marker = r.driver.execute_script("return window.__notReloaded || null;")
                figures = r.screenshot_screen(
                    server.url + path + "?kiosk=1", 1920, 1080, tmp_path / f"{scope}.png", scope=scope
                )
                title = r.driver.execute_script("return document.querySelector('.wall-title').textContent;")
                clock = r.driver.execute_script("return document.querySelector('.wall-clock').textContent;")
                banner = r.driver.execute_script(
                    "var b = document.querySelector('.stale-banner'); return b ? b.textContent : '';"
                )
                loads.append("same page" if marker else "loaded")
                r.driver.execute_script("window.__notReloaded = true;")
                path_now = r.driver.execute_script("return location.pathname;")
                seen.append((scope, path_now, title, figures))
                clocks.append(clock)
                banners.append(banner)
    finally:
        server.stop()
    assert loads == ["loaded", "same page", "same page"], "one page load, then navigation inside the app"
    assert [s[1] for s in seen] == ["/", *(f"/department/{c}" for c in codes)]
    assert BLANK_ROUTE not in {s[1] for s in seen}
    for scope, _path, title, figures in seen[1:]:
        assert title.startswith(names[scope]), f"{scope}: the screen shot is {title!r}"
        assert figures > 0
    assert all(png_size(tmp_path / f"{s[0]}.png") == (1920, 1080) for s in seen)
    # The report's screens stand at the moment their snapshot was taken (not the hour the
    # report is made) and carry no live stale/failed banner.
    taken = snap.finished_at.astimezone(settings.refresh.tz)
    weekday = "一二三四五六日"[taken.weekday()]
    want = f"{taken.year}年{taken.month}月{taken.day}日 星期{weekday} {taken:%H:%M:%S}"
    assert clocks == [want] * len(seen)
    assert banners == [""] * len(seen)


def test_an_admin_makes_a_week_from_the_web_with_progress(school, tmp_path):
    """/reports' panel: start_report_run runs the batch on a thread, its progress lines
    and outcome are readable by run id (a JSON file in the archive: any worker reads
    it); only an admin may start one, and a bad week is refused before anything runs."""
    import time

    from flask import Flask, g

    from cockpit import files
    from cockpit.auth.identity import DEMO, Identity

    settings = dataclasses.replace(
        school["settings"], reports=dataclasses.replace(school["settings"].reports, formats=("pdf",))
    )
    server = Flask("t")
    server.extensions["cockpit"] = job._ReportContext(settings, school["store"], None)
    with server.test_request_context("/reports"):
        g.identity = Identity(name="boss", roles=frozenset({"leader"}))
        with pytest.raises(PermissionError):
            files.start_report_run(WEEK)
        g.identity = DEMO
        with pytest.raises(ValueError, match="is not an ISO week"):
            files.start_report_run("2026-46")
        run = files.start_report_run(WEEK)
        assert files.report_run("../x") is None and files.report_run("0" * 16) is None
        end = time.monotonic() + 900
        state = files.report_run(run)
        while not state["done"] and time.monotonic() < end:
            time.sleep(0.5)
            state = files.report_run(run)
    assert state["done"] and state["ok"], state
    assert state["week"] == WEEK and state["files"] == len(_department_codes(school)) + 1
    assert any("school_2026-W46.pdf" in line for line in state["lines"])
    assert state["lines"][-1].endswith(")") and "file(s) in" in state["lines"][-1]
    recorded = [r for r in school["store"].list_reports(week=WEEK) if r["trigger"] == "web"]
    assert len(recorded) == state["files"]


def _department_codes(school) -> list[str]:
    snap = _snapshot(school)
    return [c for c, lab in snap.labels["department"].items() if lab.get("kind", "academic") == "academic"]
