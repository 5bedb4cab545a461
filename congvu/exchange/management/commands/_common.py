from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.db.models import Q

from congvu.org.models import Person


def person_named(name: str) -> Person:
    person = Person.objects.filter(Q(user__username=name) | Q(code=name)).first()
    if person is None:
        raise CommandError(f"Không tìm thấy người {name!r}.")
    return person


def read_file(path: Path, limit: int) -> bytes:
    try:
        if path.stat().st_size > limit:  # before reading it into memory
            raise CommandError(f"{path.name}: tệp lớn hơn giới hạn {limit} byte.")
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Không đọc được tệp {path}: {exc}") from exc
