"""E-mail delivery of the weekly reports through SMTP (config reports.smtp).

One message for the school's report (PDF and summary card) to
``reports.smtp.to``, and one per department to that department's own addresses
(``reports.smtp.departments``): a department's report never reaches another
department's or the school list's inbox unless config puts the address there.
STARTTLS when ``starttls`` is true, login when ``user`` is set
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


def deliveries(settings: Settings, files: list[dict[str, Any]]) -> list[tuple[tuple[str, ...], list[dict]]]:
    """(recipients, files) per message: the school's PDF and card to ``smtp.to``; each
    department's PDF and card only to that department's addresses
    (``smtp.departments``) — never a department's report to anyone else, and none
    at all for a department without addresses."""
    smtp = settings.reports.smtp
    out: list[tuple[tuple[str, ...], list[dict]]] = []
    school = [f for f in files if f["kind"] == "school" and f["format"] in ("pdf", "card")]
    if school and smtp.to:
        out.append((tuple(smtp.to), school))
    depts: dict[str, list[dict]] = {}
    for f in files:
        if f["kind"] == "department" and f["format"] in ("pdf", "card") and f.get("department"):
            depts.setdefault(f["department"], []).append(f)
    for code, chosen in depts.items():
        to = smtp.departments.get(code)
        if to:
            out.append((tuple(to), chosen))
    return out


def build_message(
    settings: Settings, chosen: list[dict[str, Any]], to: tuple[str, ...], school: str = ""
) -> EmailMessage:
    smtp = settings.reports.smtp
    if not chosen:
        raise MailError("no report file to send")
    week = chosen[0]["week"]
    who = school or "全校"
    if chosen[0]["kind"] == "department":
        who = f"{who} {chosen[0]['department']}"
    msg = EmailMessage()
    msg["Subject"] = f"{who} 周报 {week}"
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(to)
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
    """E-mail the batch: the school's report to ``smtp.to``, each department's to its own
    addresses. Returns the number of attachments sent. Raises MailError (one line)
    when SMTP is not configured or the server refuses."""
    smtp = settings.reports.smtp
    if not smtp.host:
        raise MailError("e-mail is not configured (reports.smtp.host and reports.smtp.to)")
    plan = deliveries(settings, files)
    if not plan:
        raise MailError("no recipients for these reports (reports.smtp.to / reports.smtp.departments)")
    school = ""
    try:
        from cockpit.store import Store

        sid = next((f.get("snapshot_id") for f in files if f.get("snapshot_id")), None)
        store = Store(settings.store_url)
        snap = store.get(sid) if sid is not None else None
        school = (snap.school or {}).get("name_zh", "") if snap else ""
    except Exception:
        store = None
    messages = [(to, chosen, build_message(settings, chosen, to, school)) for to, chosen in plan]
    sent = 0
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as server:
            server.ehlo()
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if smtp.user:
                server.login(smtp.user, smtp.password)
            for to, chosen, msg in messages:
                server.send_message(msg)
                sent += len(chosen)
                if store is not None:
                    store.mark_reports_emailed([f["id"] for f in chosen if f.get("id")], ", ".join(to))
    except (OSError, smtplib.SMTPException) as e:
        raise MailError(f"SMTP {smtp.host}:{smtp.port}: {' '.join(str(e).split())[:200]}") from None
    finally:
        if store is not None:
            store.dispose()
    return sent
