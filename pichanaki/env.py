"""Typed readers for environment variables that fail loudly on bad values.

Each reader raises ImproperlyConfigured naming the variable and the reason, so a typo in a
deployment stops the process at start-up instead of running with a silent default.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
DATABASE_CONNECT_TIMEOUT = 5  # seconds; libpq's minimum is 2


def env_str(name: str, default: str = "") -> str:
    """A string, or `default` when unset. `NAME_FILE` (a path) is read when set, for secrets."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path!r}: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def parse_database_url(url: str) -> dict[str, object]:
    """`postgis://user:pass@host:port/name` -> a Django DATABASES entry (PostGIS only)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgis", "postgres", "postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgis://user:pass@host/db"
        )
    name = parts.path.lstrip("/")
    if not name:
        raise ImproperlyConfigured("DATABASE_URL has no database name (postgis://.../NAME)")
    return {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": unquote(name),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        "CONN_HEALTH_CHECKS": True,
        # libpq waits forever by default for a server that accepts the connection and never
        # answers; /healthz and every request must say "down" (503, 500) before gunicorn's
        # 30-second timeout kills the worker instead.
        "OPTIONS": {"connect_timeout": DATABASE_CONNECT_TIMEOUT},
    }
