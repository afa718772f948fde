"""E-mail delivery of the weekly reports through SMTP (config reports.smtp).

One message per batch to ``reports.smtp.to`` from ``reports.smtp.from``: the
school's PDF and summary card attached (a department-only batch: that
department's). STARTTLS when ``starttls`` is true, login when ``user`` is set
(password only from the environment, COCKPIT_SMTP_PASSWORD).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from cockpit.config import Settings

MAX_BYTES = 15 * 1024 * 1024  # what most mail servers accept, after base64


class MailError(Exception):
    """Delivery failed, one line."""


def pick(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files to send: the school's PDF and card, else the first department's."""
    for kind in ("school", "department"):
        chosen = [f for f in files if f["kind"] == kind and f["format"] in ("pdf", "card")]
        if chosen:
            if kind == "department":
                first = chosen[0]["department"]
                chosen = [f for f in chosen if f["department"] == first]
            return chosen
    return []


def build_message(settings: Settings, files: list[dict[str, Any]], school: str = "") -> EmailMessage:
    smtp = settings.reports.smtp
    chosen = pick(files)
    if not chosen:
        raise MailError("no report file to send")
    week = chosen[0]["week"]
    who = school or "全校"
    msg = EmailMessage()
    msg["Subject"] = f"{who} 周报 {week}"
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(smtp.to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    lines = [f"{who} {week} 周报见附件：", ""]
    lines += [f"- {f['name']}（{f['size'] / 1024:,.0f} KB）" for f in chosen]
    lines += ["", "本邮件由领导驾驶舱自动发送。"]
    msg.set_content("\n".join(lines))
    total = 0
    for f in chosen:
        path = Path(f["path"])
        data = path.read_bytes()
        total += len(data)
        if total > MAX_BYTES:
            raise MailError(f"the attachments exceed {MAX_BYTES // (1024 * 1024)} MB")
        maintype, subtype = ("application", "pdf") if path.suffix == ".pdf" else ("image", "png")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def send_reports(settings: Settings, files: list[dict[str, Any]]) -> int:
    """E-mail the batch's school report (PDF + card); returns the number of attachments.
    Raises MailError (one line) when SMTP is not configured or the server refuses."""
    smtp = settings.reports.smtp
    if not smtp.enabled:
        raise MailError("e-mail is not configured (reports.smtp.host and reports.smtp.to)")
    school = ""
    try:
        from cockpit.store import Store

        sid = next((f.get("snapshot_id") for f in files if f.get("snapshot_id")), None)
        store = Store(settings.store_url)
        snap = store.get(sid) if sid is not None else None
        school = (snap.school or {}).get("name_zh", "") if snap else ""
    except Exception:
        store = None
    msg = build_message(settings, files, school)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as server:
            server.ehlo()
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if smtp.user:
                server.login(smtp.user, smtp.password)
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise MailError(f"SMTP {smtp.host}:{smtp.port}: {' '.join(str(e).split())[:200]}") from None
    sent = pick(files)
    if store is not None:
        store.mark_reports_emailed([f["id"] for f in sent if f.get("id")], ", ".join(smtp.to))
        store.dispose()
    return len(sent)
