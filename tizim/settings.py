"""All of tizim's settings, read from the environment in one place.

Every component asks `get_settings()`; nothing else reads os.environ. The CLI's global
`--db` option overrides the database URL for the whole process via `override()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "tizim"


def _default_database_url() -> str:
    data = Path(user_data_dir(APP_NAME, appauthor=False))
    return f"sqlite:///{data / 'tizim.db'}"


def default_audit_key_file() -> Path:
    """Where the audit chain's key is kept when no key is configured: the user data folder
    of the default database, outside any database."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "audit.key"


def _default_data_dir() -> Path | None:
    # The shared folder sits beside a checkout in development and CI.
    candidate = Path.cwd().parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}={raw!r} is not a number") from exc


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path | None
    # Screening: a result is a `match` at or above this score.
    match_threshold: float = 0.70
    # Monitoring: a party match at or above this score freezes the payment.
    freeze_threshold: float = 0.85
    # API: log query contents (personal data) only when asked to.
    log_queries: bool = False
    max_batch_queries: int = 500
    max_body_bytes: int = 2_000_000
    max_import_bytes: int = 200_000_000  # POST /lists/import: a list file
    # A list import that would remove more than this share of a list's entries is held back
    # unless the shrink is declared intended (--allow-shrink).
    max_shrink: float = 0.10
    # The audit chain's HMAC key: TIZIM_AUDIT_KEY, else the file TIZIM_AUDIT_KEY_FILE, else a
    # key file created once (mode 0600) beside the default database (monitoring/audit.py).
    audit_key: str | None = None
    audit_key_file: Path | None = None
    sla_hours: float = 24.0
    # Web pages: a session ends after this many idle minutes, and at the latest after max hours.
    session_idle_minutes: float = 30.0
    session_max_hours: float = 12.0
    # Web pages: dates shown in this time zone unless a user chose another.
    time_zone: str = "Asia/Almaty"
    # Password hashing cost: an argon2-cffi profile name (argon2.profiles); tests use CHEAPEST.
    password_profile: str = "RFC_9106_LOW_MEMORY"
    rules_file: Path | None = None
    # Remembered "not a match" decisions lapse after this many days (and when the listing changes).
    dismissal_days: float = 365.0
    # goAML: the reporting entity's id at the FIU (wins over the rules file's `reporting` section).
    goaml_rentity_id: str | None = None
    # The CLI acts as the holder of this API key (its name and role), as over HTTP.
    api_key: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _from_environment() -> Settings:
    data_dir_raw = os.environ.get("TIZIM_DATA_DIR")
    rules_raw = os.environ.get("TIZIM_RULES_FILE")
    return Settings(
        database_url=os.environ.get("TIZIM_DATABASE_URL") or _default_database_url(),
        data_dir=Path(data_dir_raw) if data_dir_raw else _default_data_dir(),
        match_threshold=_env_float("TIZIM_MATCH_THRESHOLD", 0.70),
        freeze_threshold=_env_float("TIZIM_FREEZE_THRESHOLD", 0.85),
        log_queries=_env_bool("TIZIM_LOG_QUERIES", False),
        max_batch_queries=int(_env_float("TIZIM_MAX_BATCH_QUERIES", 500)),
        max_body_bytes=int(_env_float("TIZIM_MAX_BODY_BYTES", 2_000_000)),
        max_import_bytes=int(_env_float("TIZIM_MAX_IMPORT_BYTES", 200_000_000)),
        max_shrink=_env_float("TIZIM_MAX_SHRINK", 0.10),
        audit_key=os.environ.get("TIZIM_AUDIT_KEY") or None,
        audit_key_file=Path(os.environ["TIZIM_AUDIT_KEY_FILE"]) if os.environ.get("TIZIM_AUDIT_KEY_FILE") else None,
        sla_hours=_env_float("TIZIM_SLA_HOURS", 24.0),
        session_idle_minutes=_env_float("TIZIM_SESSION_IDLE_MINUTES", 30.0),
        session_max_hours=_env_float("TIZIM_SESSION_MAX_HOURS", 12.0),
        time_zone=os.environ.get("TIZIM_TIME_ZONE") or "Asia/Almaty",
        password_profile=os.environ.get("TIZIM_PASSWORD_PROFILE") or "RFC_9106_LOW_MEMORY",
        rules_file=Path(rules_raw) if rules_raw else None,
        dismissal_days=_env_float("TIZIM_DISMISSAL_DAYS", 365.0),
        goaml_rentity_id=(os.environ.get("TIZIM_GOAML_RENTITY_ID") or "").strip() or None,
        api_key=(os.environ.get("TIZIM_API_KEY") or "").strip() or None,
    )


_override: Settings | None = None


def get_settings() -> Settings:
    return _override or _from_environment()


def override(**changes: object) -> Settings:
    """Replace settings for this process (CLI `--db`, tests)."""
    global _override
    _override = replace(get_settings(), **changes)  # type: ignore[arg-type]
    return _override


def reset() -> None:
    global _override
    _override = None
    _from_environment.cache_clear()
