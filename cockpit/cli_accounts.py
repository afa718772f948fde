"""`python -m cockpit users|walls|audit`: people, wall devices and the audit log.

The exact command names are a contract (install scripts and the school's IT
tools call them):

    users add NAME --role ROLE [--department CODE]... [--family NAME]... [--password-stdin]
    users list | users remove NAME | users set NAME [--role ...] [--department ...] ...
    walls add NAME --path /department/JX01 [--path ...] [--rotate SECONDS] [--base-url URL]
    walls list | walls revoke NAME
    audit [--since YYYY-MM-DD] [--csv]

Every change is an audit line whose actor is ``cli:<OS user>``. Errors are one
line (the CLI's CliError) and a non-zero exit.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import sys
from datetime import datetime
from typing import Any

from cockpit.config import ROLES, Settings


def _accounts(settings: Settings):
    from cockpit.auth.accounts import Accounts
    from cockpit.store import make_store_engine

    return Accounts(make_store_engine(settings.store_url))


def _actor() -> str:
    try:
        return "cli:" + getpass.getuser()
    except Exception:
        return "cli"


def _fail(message: str):
    from cockpit.cli import CliError

    raise CliError(message)


def _password(args: argparse.Namespace) -> str | None:
    if not getattr(args, "password_stdin", False):
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    if len(line) < 8:
        _fail("the password from stdin must have at least 8 characters")
    return line


def _grant_error(e: Exception):
    _fail(str(e))


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.auth.accounts import AccountError
    from cockpit.auth.identity import GrantError

    acc = _accounts(settings)
    try:
        if args.action == "list":
            for u in acc.users():
                print(json.dumps(_user_json(u), ensure_ascii=False))
            return 0
        if args.action == "add":
            acc.add_user(
                args.name,
                args.role,
                args.department or None,
                args.family or None,
                password=_password(args),
                display_name=args.display_name,
            )
            acc.audit("user_add", actor=_actor(), target=args.name, detail=_grant_text(args))
            print(f"user {args.name} added", file=sys.stderr)
        elif args.action == "set":
            acc.set_user(
                args.name,
                roles=args.role,
                departments=args.department,
                families=args.family,
                password=_password(args),
                disabled=True if args.disable else (False if args.enable else None),
                clear_departments=args.all_departments,
                clear_families=args.all_families,
            )
            acc.audit("user_set", actor=_actor(), target=args.name, detail=_grant_text(args))
            print(f"user {args.name} changed", file=sys.stderr)
        elif args.action == "remove":
            acc.remove_user(args.name)
            acc.audit("user_remove", actor=_actor(), target=args.name)
            print(f"user {args.name} removed", file=sys.stderr)
        return 0
    except (AccountError, GrantError) as e:
        _grant_error(e)
        return 1
    finally:
        acc.engine.dispose()


def _grant_text(args: argparse.Namespace) -> str:
    parts = []
    for key in ("role", "department", "family"):
        v = getattr(args, key, None)
        if v:
            parts.append(f"{key}={','.join(v)}")
    if getattr(args, "password_stdin", False):
        parts.append("password changed")
    return " ".join(parts)


def _user_json(u: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": u["name"],
        "roles": u["roles"],
        "departments": u["departments"],
        "families": u["families"],
        "local_password": u["local_password"],
        "disabled": u["disabled"],
    }


def cmd_walls(args: argparse.Namespace, settings: Settings) -> int:
    from urllib.parse import urlencode

    from cockpit.auth.accounts import AccountError

    acc = _accounts(settings)
    try:
        if args.action == "list":
            for w in acc.walls():
                print(
                    json.dumps(
                        {
                            "name": w["name"],
                            "paths": w["paths"],
                            "rotate": w["rotate"],
                            "enrolled": w["enrolled_at"] is not None,
                            "revoked": w["revoked_at"] is not None,
                        },
                        ensure_ascii=False,
                    )
                )
            return 0
        if args.action == "add":
            token = acc.add_wall(args.name, args.path, args.rotate, by=_actor())
            acc.audit("wall_add", actor=_actor(), target=args.name, detail=" ".join(args.path))
            base = (args.base_url or f"http://{settings.server.host}:{settings.server.port}").rstrip("/")
            query = {
                "kiosk": "1",
                **({"rotate": str(args.rotate)} if args.rotate else {}),
                "wall_token": token,
            }
            print(f"{base}{args.path[0]}?{urlencode(query)}")
            print(
                f"wall {args.name}: open this URL once on the wall's browser; it becomes a device "
                "cookie and the token stops working",
                file=sys.stderr,
            )
        elif args.action == "revoke":
            acc.revoke_wall(args.name)
            acc.audit("wall_revoke", actor=_actor(), target=args.name)
            print(f"wall {args.name} revoked", file=sys.stderr)
        return 0
    except AccountError as e:
        _fail(str(e))
        return 1
    finally:
        acc.engine.dispose()


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    acc = _accounts(settings)
    try:
        since = datetime.combine(args.since, datetime.min.time()) if args.since else None
        lines = acc.audit_lines(since=since)
    finally:
        acc.engine.dispose()
    tz = settings.refresh.tz
    if args.csv:
        w = csv.writer(sys.stdout)
        w.writerow(["at", "actor", "action", "target", "outcome", "ip", "detail"])
    for line in reversed(lines):  # oldest first, like a log
        at = line["at"].astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        row = [at, line["actor"], line["action"], line["target"], line["outcome"], line["ip"], line["detail"]]
        if args.csv:
            w.writerow(row)
        else:
            print(
                json.dumps(
                    dict(
                        zip(("at", "actor", "action", "target", "outcome", "ip", "detail"), row, strict=True)
                    ),
                    ensure_ascii=False,
                )
            )
    return 0


def add_parsers(sub: Any, date_type: Any, positive: Any) -> None:
    """The users, walls and audit sub-commands, on the CLI's sub-parser set."""
    users = sub.add_parser("users", help="people who may sign in, their roles and scopes")
    us = users.add_subparsers(dest="action", required=True, metavar="action", parser_class=type(users))
    us.add_parser("list", help="every user as JSON lines")
    for action in ("add", "set"):
        a = us.add_parser(action, help=f"{action} a user")
        a.add_argument("name")
        a.add_argument("--role", action="append", choices=ROLES, required=action == "add", help="repeatable")
        a.add_argument("--department", action="append", metavar="CODE", help="repeatable (role department)")
        a.add_argument("--family", action="append", metavar="NAME", help="repeatable (limits the figures)")
        a.add_argument("--password-stdin", action="store_true", help="read a local password from stdin")
        if action == "add":
            a.add_argument("--display-name")
        else:
            a.add_argument("--all-departments", action="store_true", help="drop the department list")
            a.add_argument("--all-families", action="store_true", help="drop the family list")
            a.add_argument("--disable", action="store_true")
            a.add_argument("--enable", action="store_true")
    r = us.add_parser("remove", help="remove a user (signs them out)")
    r.add_argument("name")

    walls = sub.add_parser("walls", help="wall devices (kiosk screens)")
    ws = walls.add_subparsers(dest="action", required=True, metavar="action", parser_class=type(walls))
    ws.add_parser("list", help="every wall as JSON lines")
    a = ws.add_parser("add", help="enrol a wall; prints its one-time URL")
    a.add_argument("name")
    a.add_argument("--path", action="append", required=True, help="/ or /department/CODE (repeatable)")
    a.add_argument("--rotate", type=positive, metavar="SECONDS")
    a.add_argument("--base-url", help="the cockpit's address as the wall reaches it")
    r = ws.add_parser("revoke", help="revoke a wall (it shows 'no access' at once)")
    r.add_argument("name")

    au = sub.add_parser("audit", help="the audit log, oldest first (JSON lines or --csv)")
    au.add_argument("--since", type=date_type, help="YYYY-MM-DD")
    au.add_argument("--csv", action="store_true")


COMMANDS = {"users": cmd_users, "walls": cmd_walls, "audit": cmd_audit}
