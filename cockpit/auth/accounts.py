"""Users, walls, sessions and the audit log, in the cockpit's own store database.

Four tables beside the snapshots (same SQLAlchemy URL, created on first use):

``app_user``      a person: roles, departments and families (JSON lists; NULL =
                  all), an argon2 hash when they sign in locally.
``wall_device``   a screen: the paths it may show, its rotation, the hash of its
                  one-time enrolment token, when it was revoked.
``auth_session``  a signed-in browser (person or wall): only the SHA-256 of the
                  cookie's random token is stored, with its CSRF token, expiry,
                  and — for SSO users the store does not know — the role and
                  scope mapped from the released attributes at sign-in.
``audit_log``     sign-ins, refusals, exports, user and wall changes.

Sessions live here rather than in a signed cookie so that a sign-out, a
revoked wall or a removed user takes effect on the next request, on every
worker and host.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from cockpit.auth.identity import ROLES, Identity, normalise_grant

metadata = MetaData()

app_user = Table(
    "app_user",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("display_name", String(128)),
    Column("roles", JSON, nullable=False),
    Column("departments", JSON),  # NULL: every department
    Column("families", JSON),  # NULL: every family
    Column("password_hash", String(255)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

wall_device = Table(
    "wall_device",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("paths", JSON, nullable=False),
    Column("rotate", Integer),
    Column("token_hash", String(64)),  # cleared once traded for a device cookie
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(64)),
    Column("enrolled_at", DateTime),
    Column("revoked_at", DateTime),
)

auth_session = Table(
    "auth_session",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the cookie token
    Column("kind", String(8), nullable=False),  # user | wall
    Column("subject", String(64), nullable=False),
    Column("source", String(16), nullable=False),  # local | header | cas | oidc | wall
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("ip", String(64)),
    Column("sso_ref", String(64)),  # sha256 of the CAS ticket, for single logout
    Column("mapped", JSON),  # role/scope from SSO attributes (users the store does not know)
    Index("ix_auth_session_subject", "kind", "subject"),
    Index("ix_auth_session_sso", "sso_ref"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),  # UTC, naive
    Column("actor", String(64)),
    Column("action", String(32), nullable=False),
    Column("target", String(255)),
    Column("outcome", String(16), nullable=False),  # ok | refused | failed
    Column("ip", String(64)),
    Column("detail", Text),
    Index("ix_audit_at", "at"),
)


_USER_COLS = (
    app_user.c.display_name,
    app_user.c.roles,
    app_user.c.departments,
    app_user.c.families,
    app_user.c.disabled,
)


class AccountError(Exception):
    """A user-facing problem with a user or wall command, one line."""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    """A row of auth_session, as the web layer needs it."""

    id: str
    kind: str
    subject: str
    source: str
    csrf: str
    expires_at: datetime
    last_seen: datetime
    mapped: dict[str, Any] | None


def _password_hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _password_hasher().hash(password)


def _identity_of_user(row: Any, source: str) -> Identity:
    return Identity(
        name=row.name,
        display=row.display_name or row.name,
        roles=frozenset(row.roles or ()),
        departments=None if row.departments is None else frozenset(row.departments),
        families=None if row.families is None else frozenset(row.families),
        kind="user",
        source=source,
    )


class Accounts:
    """Users, walls, sessions and audit lines on the store's engine."""

    def __init__(self, engine: Engine, *, create: bool = True) -> None:
        self.engine = engine
        if create:
            metadata.create_all(engine, checkfirst=True)

    # -- users -------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        roles: Sequence[str],
        departments: Iterable[str] | None = None,
        families: Iterable[str] | None = None,
        password: str | None = None,
        display_name: str | None = None,
    ) -> None:
        name = _check_name(name, "user")
        grant = normalise_grant(roles, departments, families)
        now = utcnow()
        with self.engine.begin() as conn:
            if conn.execute(select(app_user.c.name).where(app_user.c.name == name)).first():
                raise AccountError(f"user {name!r} exists (use `users set`)")
            conn.execute(
                insert(app_user).values(
                    name=name,
                    display_name=display_name or name,
                    roles=sorted(grant["roles"]),
                    departments=grant["departments"],
                    families=grant["families"],
                    password_hash=hash_password(password) if password else None,
                    disabled=False,
                    created_at=now,
                    updated_at=now,
                )
            )

    def set_user(
        self,
        name: str,
        *,
        roles: Sequence[str] | None = None,
        departments: Iterable[str] | None = None,
        families: Iterable[str] | None = None,
        password: str | None = None,
        disabled: bool | None = None,
        clear_departments: bool = False,
        clear_families: bool = False,
    ) -> None:
        """Change what is given; the grant is validated as a whole afterwards."""
        with self.engine.begin() as conn:
            row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
            if row is None:
                raise AccountError(f"no user {name!r}")
            new_roles = list(roles) if roles is not None else list(row.roles or ())
            new_depts = (
                None
                if clear_departments
                else (list(departments) if departments is not None else row.departments)
            )
            new_fams = None if clear_families else (list(families) if families is not None else row.families)
            grant = normalise_grant(new_roles, new_depts, new_fams)
            values: dict[str, Any] = {
                "roles": sorted(grant["roles"]),
                "departments": grant["departments"],
                "families": grant["families"],
                "updated_at": utcnow(),
            }
            if password is not None:
                values["password_hash"] = hash_password(password) if password else None
            if disabled is not None:
                values["disabled"] = disabled
            conn.execute(update(app_user).where(app_user.c.name == name).values(**values))
            if disabled or password is not None or roles is not None:
                # A changed grant or password signs the user out everywhere.
                conn.execute(
                    delete(auth_session).where(auth_session.c.kind == "user", auth_session.c.subject == name)
                )

    def remove_user(self, name: str) -> None:
        with self.engine.begin() as conn:
            gone = conn.execute(delete(app_user).where(app_user.c.name == name)).rowcount
            conn.execute(
                delete(auth_session).where(auth_session.c.kind == "user", auth_session.c.subject == name)
            )
        if not gone:
            raise AccountError(f"no user {name!r}")

    def users(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(app_user).order_by(app_user.c.name)).all()
        return [
            {
                "name": r.name,
                "display_name": r.display_name,
                "roles": list(r.roles or ()),
                "departments": r.departments,
                "families": r.families,
                "local_password": bool(r.password_hash),
                "disabled": bool(r.disabled),
                "updated_at": r.updated_at,
            }
            for r in rows
        ]

    def user_identity(self, name: str, source: str) -> Identity | None:
        """The identity of a stored, enabled user; None otherwise."""
        with self.engine.connect() as conn:
            row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
        if row is None or row.disabled:
            return None
        return _identity_of_user(row, source)

    def is_disabled(self, name: str) -> bool:
        """True when the store knows ``name`` as a disabled user: SSO attributes must not
        let such a user back in (user_identity is None for unknown and disabled alike)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(app_user.c.disabled).where(app_user.c.name == name)).first()
        return row is not None and bool(row.disabled)

    def verify_password(self, name: str, password: str) -> Identity | None:
        """The user's identity when the password is right; None otherwise. An unknown
        name costs a hash too, so the answer time does not tell which names exist."""
        from argon2.exceptions import InvalidHashError, VerificationError

        ph = _password_hasher()
        with self.engine.connect() as conn:
            row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
        stored = row.password_hash if row is not None else None
        if not stored:
            ph.hash(password or "-")  # the same work as a verification
            return None
        try:
            ph.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row.disabled:
            return None
        if ph.check_needs_rehash(stored):
            with self.engine.begin() as conn:
                conn.execute(
                    update(app_user).where(app_user.c.name == name).values(password_hash=ph.hash(password))
                )
        return _identity_of_user(row, "local")

    # -- walls --------------------------------------------------------------------------

    def add_wall(self, name: str, paths: Sequence[str], rotate: int | None, by: str | None = None) -> str:
        """Create a wall and return its one-time enrolment token."""
        name = _check_name(name, "wall")
        clean = [_check_wall_path(p) for p in paths]
        if not clean:
            raise AccountError("a wall needs at least one --path")
        if rotate is not None and rotate < 5:
            raise AccountError("--rotate must be at least 5 seconds")
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            row = conn.execute(select(wall_device).where(wall_device.c.name == name)).first()
            if row is not None and row.revoked_at is None:
                raise AccountError(f"wall {name!r} exists (revoke it first)")
            if row is not None:
                conn.execute(delete(wall_device).where(wall_device.c.name == name))
            conn.execute(
                insert(wall_device).values(
                    name=name,
                    paths=clean,
                    rotate=rotate,
                    token_hash=token_hash(token),
                    created_at=utcnow(),
                    created_by=by,
                )
            )
        return token

    def enrol_wall(self, token: str) -> str | None:
        """Trade a wall's enrolment token (once) for its name; None for a bad token."""
        h = token_hash(token)
        with self.engine.begin() as conn:
            row = conn.execute(
                select(wall_device).where(wall_device.c.token_hash == h, wall_device.c.revoked_at.is_(None))
            ).first()
            if row is None:
                return None
            done = conn.execute(
                update(wall_device)
                .where(wall_device.c.name == row.name, wall_device.c.token_hash == h)
                .values(token_hash=None, enrolled_at=utcnow())
            ).rowcount
        return row.name if done else None

    def revoke_wall(self, name: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(
                update(wall_device)
                .where(wall_device.c.name == name, wall_device.c.revoked_at.is_(None))
                .values(revoked_at=utcnow(), token_hash=None)
            ).rowcount
            conn.execute(
                delete(auth_session).where(auth_session.c.kind == "wall", auth_session.c.subject == name)
            )
        if not done:
            raise AccountError(f"no active wall {name!r}")

    def walls(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(wall_device).order_by(wall_device.c.name)).all()
        return [
            {
                "name": r.name,
                "paths": list(r.paths or ()),
                "rotate": r.rotate,
                "created_at": r.created_at,
                "enrolled_at": r.enrolled_at,
                "revoked_at": r.revoked_at,
                "pending_token": r.token_hash is not None,
            }
            for r in rows
        ]

    def wall_identity(self, name: str) -> Identity | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(wall_device).where(wall_device.c.name == name)).first()
        if row is None or row.revoked_at is not None:
            return None
        return Identity.for_wall(row.name, tuple(row.paths or ()), row.rotate)

    # -- sessions ------------------------------------------------------------------------

    def create_session(
        self,
        kind: str,
        subject: str,
        source: str,
        lifetime: timedelta,
        ip: str | None,
        *,
        mapped: dict[str, Any] | None = None,
        sso_ticket: str | None = None,
    ) -> tuple[str, str]:
        """A new session; returns (cookie token, CSRF token). Only hashes are stored."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                insert(auth_session).values(
                    id=token_hash(token),
                    kind=kind,
                    subject=subject,
                    source=source,
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + lifetime,
                    last_seen=now,
                    ip=(ip or "")[:64],
                    sso_ref=token_hash(sso_ticket) if sso_ticket else None,
                    mapped=mapped,
                )
            )
        return token, csrf

    def session(self, token: str) -> Session | None:
        """The live session of a cookie token, or None (unknown or expired)."""
        return self.session_and_user(token)[0]

    def session_and_user(self, token: str) -> tuple[Session | None, Identity | None]:
        """The live session of a cookie token and, for a person, their stored identity,
        in ONE query (a LEFT JOIN): this runs on every request."""
        if not token or len(token) > 128:
            return None, None
        q = (
            select(
                auth_session, app_user.c.name.label("u_name"), *[c.label("u_" + c.name) for c in _USER_COLS]
            )
            .select_from(
                auth_session.outerjoin(
                    app_user, (auth_session.c.kind == "user") & (auth_session.c.subject == app_user.c.name)
                )
            )
            .where(auth_session.c.id == token_hash(token))
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None or row.expires_at <= utcnow():
            return None, None
        session = Session(
            id=row.id,
            kind=row.kind,
            subject=row.subject,
            source=row.source,
            csrf=row.csrf,
            expires_at=row.expires_at,
            last_seen=row.last_seen,
            mapped=row.mapped,
        )
        if row.u_name is None or row.u_disabled:
            return session, None
        ident = Identity(
            name=row.u_name,
            display=row.u_display_name or row.u_name,
            roles=frozenset(row.u_roles or ()),
            departments=None if row.u_departments is None else frozenset(row.u_departments),
            families=None if row.u_families is None else frozenset(row.u_families),
            kind="user",
            source=row.source,
        )
        return session, ident

    def touch_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(auth_session).where(auth_session.c.id == session_id).values(last_seen=utcnow())
            )

    def end_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(auth_session).where(auth_session.c.id == session_id))

    def end_sso_sessions(self, ticket: str) -> int:
        """CAS single logout: end the sessions opened with this service ticket."""
        with self.engine.begin() as conn:
            return conn.execute(
                delete(auth_session).where(auth_session.c.sso_ref == token_hash(ticket))
            ).rowcount

    def prune_sessions(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(auth_session).where(auth_session.c.expires_at <= utcnow())).rowcount

    # -- audit ----------------------------------------------------------------------------

    def audit(
        self,
        action: str,
        *,
        actor: str | None,
        target: str | None = None,
        outcome: str = "ok",
        ip: str | None = None,
        detail: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(audit_log).values(
                    at=utcnow(),
                    actor=(actor or "")[:64] or None,
                    action=action[:32],
                    target=(target or "")[:255] or None,
                    outcome=outcome,
                    ip=(ip or "")[:64] or None,
                    detail=(detail or "")[:2000] or None,
                )
            )

    def audit_lines(self, since: datetime | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        q = select(audit_log).order_by(audit_log.c.id.desc())
        if since is not None:
            q = q.where(audit_log.c.at >= since)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [
            {
                "at": r.at.replace(tzinfo=UTC),
                "actor": r.actor or "",
                "action": r.action,
                "target": r.target or "",
                "outcome": r.outcome,
                "ip": r.ip or "",
                "detail": r.detail or "",
            }
            for r in rows
        ]

    def prune_audit(self, keep_days: int) -> int:
        with self.engine.begin() as conn:
            return conn.execute(
                delete(audit_log).where(audit_log.c.at < utcnow() - timedelta(days=keep_days))
            ).rowcount


def _check_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(c.isspace() or c in "/\\;,\x00" for c in name):
        raise AccountError(f"{what} name {name!r}: 1-64 characters, no spaces, slashes, commas or semicolons")
    return name


def _check_wall_path(path: str) -> str:
    path = (path or "").strip()
    if path == "/":
        return path
    code = path.removeprefix("/department/")
    if path.startswith("/department/") and code and not any(c in code for c in "/?#\\ "):
        return path
    raise AccountError(f"wall path {path!r}: / (the school screen) or /department/CODE")


__all__ = ["ROLES", "AccountError", "Accounts", "Session", "hash_password", "token_hash"]
