"""Typed readers for settings that come from the environment (healthchecks' envbool pattern)."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("", "True", "False", "true", "false", "1", "0"):
        raise ImproperlyConfigured(f"Unexpected value {name}={value!r}, use 'True' or 'False'")
    return value in ("True", "true", "1")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from exc


_RATE = re.compile(r"^[1-9][0-9]*/(s|sec|min|m|h|hour|d|day)$")


def envrate(name: str, default: str) -> str | None:
    """A request rate such as "300/min" (django-ninja's format), or None for "off"."""
    value = os.getenv(name, default).strip()
    if value.lower() == "off":
        return None
    if not _RATE.match(value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: use e.g. '300/min', '20/s', '5000/day' or 'off'"
        )
    return value


def envsecret(name: str) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (container secrets)."""
    value = os.getenv(name)
    if value:
        return value
    path = os.getenv(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc
    return None


def persistent_secret(path: Path, nbytes: int = 48) -> str:
    """Return the secret kept in ``path``, creating it (mode 0600) on first use.

    Used only when the environment does not provide the secret, so that the embedded default
    works out of the box and keeps the same key across restarts.
    """
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    # O_EXCL: if two processes race on first start, exactly one writes and both read the same key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value)
    return value
