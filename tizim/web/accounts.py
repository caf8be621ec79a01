"""People who sign in to the workspace: users with argon2 passwords and optional TOTP, and
their server-side sessions.

API keys (tizim.api.keys) stay for machines; people get a name, a password and a role from
the same ladder (viewer < screener < analyst < supervisor < admin). A signed-in person acts
under their user name in case histories and the audit trail, exactly as a key's name does.

Sessions live in the database: the cookie holds a random 256-bit token, the table only its
sha256, so a copy of the database does not let anyone in. A session ends after
`TIZIM_SESSION_IDLE_MINUTES` without a request, at `TIZIM_SESSION_MAX_HOURS` at the latest,
at sign-out, and when the user is disabled or their password changes.

No web framework here: the CLI (`tizim users ...`) uses this module too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyotp
from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tizim.api.keys import Principal, role_rank
from tizim.errors import InputError, NotFound
from tizim.settings import get_settings
from tizim.store import transaction
from tizim.web.tables import secrets_table, sessions, users

LANGUAGES = ("kk", "ru", "en")
MIN_PASSWORD = 10
# A session's last-seen time is written at most this often (a page view is not a write).
_TOUCH_SECONDS = 60


@lru_cache(maxsize=4)
def _hasher_for(profile: str) -> PasswordHasher:
    parameters = getattr(profiles, profile, None)
    if not isinstance(parameters, Parameters):
        raise InputError(f"unknown password profile {profile!r} (TIZIM_PASSWORD_PROFILE: an argon2.profiles name)")
    return PasswordHasher.from_parameters(parameters)


def _hasher() -> PasswordHasher:
    return _hasher_for(get_settings().password_profile)


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    language: str | None
    time_zone: str | None
    totp: bool
    must_change_password: bool

    def principal(self) -> Principal:
        # key_id 0: a person, not a key; the name is who acts.
        return Principal(key_id=0, name=self.name, role=self.role)

    def allows(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)


@dataclass(frozen=True)
class Session:
    token: str
    user: User
    pending_totp: bool
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # SQLite hands timezone-aware columns back naive (in UTC).
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters", field="password")
    if len(password) > 1024:
        raise InputError("a password may have at most 1024 characters", field="password")


def check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name!r} (e.g. Asia/Almaty)", field="time_zone") from None
    return name


def generate_password() -> str:
    """A one-time password for a new user (about 100 bits), to be replaced at first sign-in."""
    return secrets.token_urlsafe(16)


def _user(row: Any) -> User:
    return User(
        id=row.id, name=row.name, role=row.role, language=row.language, time_zone=row.time_zone,
        totp=row.totp_secret is not None, must_change_password=bool(row.must_change_password),
    )


class Accounts:
    """Users and sessions in one database (`url`, default from settings)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url

    # ---- users --------------------------------------------------------------------------

    def create(self, name: str, role: str, password: str, *, must_change: bool = False,
               language: str | None = None) -> User:
        name = name.strip()
        if not name or len(name) > 128:
            raise InputError("a user needs a name of 1 to 128 characters", field="name")
        role_rank(role)
        check_password_strength(password)
        if language is not None and language not in LANGUAGES:
            raise InputError(f"unknown language {language!r} ({', '.join(LANGUAGES)})", field="language")
        with transaction(self.url) as conn:
            if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
                raise InputError(f"a user named {name!r} exists", field="name")
            user_id = conn.execute(
                insert(users).values(
                    name=name, role=role, password_hash=_hasher().hash(password), totp_secret=None,
                    language=language, time_zone=None, must_change_password=must_change,
                    created_at=_now(),
                ).returning(users.c.id)
            ).scalar_one()
        return self.get(user_id)

    def get(self, ident: int | str) -> User:
        where = users.c.id == ident if isinstance(ident, int) else users.c.name == ident
        with transaction(self.url) as conn:
            row = conn.execute(select(users).where(where)).first()
        if row is None:
            raise NotFound(f"no user {ident!r}")
        return _user(row)

    def count(self) -> int:
        with transaction(self.url) as conn:
            return len(conn.execute(select(users.c.id)).all())

    def list_users(self) -> list[dict[str, Any]]:
        with transaction(self.url) as conn:
            rows = conn.execute(select(users).order_by(users.c.name)).all()
        return [
            {"id": r.id, "name": r.name, "role": r.role, "totp": r.totp_secret is not None,
             "language": r.language, "time_zone": r.time_zone,
             "created_at": _aware(r.created_at).isoformat(),
             "last_login_at": _aware(r.last_login_at).isoformat() if r.last_login_at else None,
             "disabled": r.disabled_at is not None, "must_change_password": bool(r.must_change_password)}
            for r in rows
        ]

    def _update(self, name: str, *, end_sessions: bool = False, **values: Any) -> User:
        with transaction(self.url) as conn:
            row = conn.execute(select(users.c.id).where(users.c.name == name)).first()
            if row is None:
                raise NotFound(f"no user {name!r}")
            conn.execute(update(users).where(users.c.id == row.id).values(**values))
            if end_sessions:
                conn.execute(delete(sessions).where(sessions.c.user_id == row.id))
        return self.get(row.id)

    def set_role(self, name: str, role: str) -> User:
        role_rank(role)
        return self._update(name, role=role)

    def set_password(self, name: str, password: str, *, must_change: bool = False) -> User:
        check_password_strength(password)
        # A new password ends every session of the user (a stolen one included).
        return self._update(name, end_sessions=True, password_hash=_hasher().hash(password),
                            must_change_password=must_change)

    def set_preferences(self, name: str, language: str | None, time_zone: str | None) -> User:
        if language is not None and language not in LANGUAGES:
            raise InputError(f"unknown language {language!r} ({', '.join(LANGUAGES)})", field="language")
        if time_zone is not None:
            check_time_zone(time_zone)
        return self._update(name, language=language, time_zone=time_zone)

    def disable(self, name: str) -> User:
        return self._update(name, end_sessions=True, disabled_at=_now())

    def enable(self, name: str) -> User:
        return self._update(name, disabled_at=None)

    def new_totp_secret(self) -> str:
        return pyotp.random_base32()

    def enable_totp(self, name: str, secret: str, code: str) -> User:
        """Turn two-step sign-in on, once the user showed a code from their authenticator."""
        if not pyotp.TOTP(secret).verify(code.strip(), valid_window=1):
            raise InputError("that code does not match the secret; check the device's clock", field="code")
        return self._update(name, totp_secret=secret)

    def disable_totp(self, name: str) -> User:
        return self._update(name, totp_secret=None)

    @staticmethod
    def totp_uri(name: str, secret: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="tizim")

    def verify_password(self, name: str, password: str) -> User | None:
        """The user when the password is right and the user enabled, else None."""
        with transaction(self.url) as conn:
            row = conn.execute(select(users).where(users.c.name == name.strip())).first()
        if row is None:
            # Same work as for a real user: timing does not tell which names exist.
            _hasher().hash(password or "x")
            return None
        try:
            _hasher().verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if row.disabled_at is not None:
            return None
        if _hasher().check_needs_rehash(row.password_hash):
            self._update(row.name, password_hash=_hasher().hash(password))
        return _user(row)

    def verify_totp(self, user_id: int, code: str) -> bool:
        with transaction(self.url) as conn:
            secret = conn.execute(select(users.c.totp_secret).where(users.c.id == user_id)).scalar()
        return bool(secret) and pyotp.TOTP(str(secret)).verify(code.strip(), valid_window=1)

    # ---- sessions -----------------------------------------------------------------------

    def start_session(self, user: User) -> Session:
        """A new session; pending (not signed in) until the TOTP code when the user has one."""
        token = secrets.token_urlsafe(32)
        now = _now()
        settings = get_settings()
        expires = min(now + timedelta(minutes=settings.session_idle_minutes),
                      now + timedelta(hours=settings.session_max_hours))
        with transaction(self.url) as conn:
            # Expired sessions are swept here, so the table does not grow without bound.
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(insert(sessions).values(
                token_hash=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                expires_at=expires, pending_totp=user.totp,
            ))
            if not user.totp:
                conn.execute(update(users).where(users.c.id == user.id).values(last_login_at=now))
        return Session(token=token, user=user, pending_totp=user.totp, expires_at=expires)

    def complete_totp(self, token: str) -> Session | None:
        """The pending session after a right code: a new token (the old one ends)."""
        session = self.session(token, allow_pending=True)
        if session is None or not session.pending_totp:
            return None
        self.end_session(token)
        user = session.user
        fresh = self.start_session(User(**{**user.__dict__, "totp": False}))
        return Session(token=fresh.token, user=user, pending_totp=False, expires_at=fresh.expires_at)

    def session(self, token: str, *, allow_pending: bool = False) -> Session | None:
        """The live session for a cookie token (sliding the idle expiry), or None."""
        if not token or len(token) > 200:
            return None
        digest = _digest(token)
        now = _now()
        with transaction(self.url) as conn:
            row = conn.execute(
                select(sessions, users).join(users, users.c.id == sessions.c.user_id)
                .where(sessions.c.token_hash == digest)
            ).first()
            if row is None:
                return None
            expires = _aware(row.expires_at)
            if expires <= now or row.disabled_at is not None:
                conn.execute(delete(sessions).where(sessions.c.token_hash == digest))
                return None
            if row.pending_totp and not allow_pending:
                return None
            settings = get_settings()
            hard_end = _aware(row.created_at) + timedelta(hours=settings.session_max_hours)
            if (now - _aware(row.last_seen_at)).total_seconds() > _TOUCH_SECONDS:
                expires = min(now + timedelta(minutes=settings.session_idle_minutes), hard_end)
                conn.execute(update(sessions).where(sessions.c.token_hash == digest)
                             .values(last_seen_at=now, expires_at=expires))
        user = User(
            id=row.user_id, name=row.name, role=row.role, language=row.language,
            time_zone=row.time_zone, totp=row.totp_secret is not None,
            must_change_password=bool(row.must_change_password),
        )
        return Session(token=token, user=user, pending_totp=bool(row.pending_totp), expires_at=expires)

    def end_session(self, token: str) -> None:
        with transaction(self.url) as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))

    # ---- the signing secret -------------------------------------------------------------

    def secret(self, name: str = "csrf") -> bytes:
        """A per-database random secret (made on first use) for signing CSRF tokens."""
        query = select(secrets_table.c.value).where(secrets_table.c.name == name)
        try:
            with transaction(self.url) as conn:
                value = conn.execute(query).scalar()
                if value is None:
                    value = secrets.token_hex(32)
                    conn.execute(insert(secrets_table).values(name=name, value=value))
        except IntegrityError:
            # Another worker made it first: use theirs, so every worker signs alike.
            with transaction(self.url) as conn:
                value = conn.execute(query).scalar_one()
        return bytes.fromhex(value)


def sign(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()
