"""Checkpoints anchored outside the database (issue #12, break 4).

Every checkpoint, once committed, is appended as one JSON line to the file named by
``settings.LOG_ANCHOR`` (env ``CONGVU_LOG_ANCHOR``; default ``var/log_anchor.jsonl``). The
file lives where the database's owner cannot write: make it append-only (``chattr +a``) and
copy it off the machine (the backup timer, a mail, the document system). ``verify_log
--anchor`` then checks that every anchored checkpoint is still in the database with the same
signature: deleting checkpoints, the newest included, no longer goes unnoticed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from congvu.tasks.models import LogCheckpoint


def anchor_path() -> Path | None:
    value = getattr(settings, "LOG_ANCHOR", None)
    return Path(value) if value else None


def anchor_line(cp: LogCheckpoint) -> str:
    return json.dumps(
        {
            "v": 1,
            "id": cp.pk,
            "created_at": cp.created_at.isoformat(),
            "signature": cp.signature,
            "previous_signature": cp.previous_signature,
            "merkle_root": cp.merkle_root,
            "max_event_id": cp.max_event_id,
            "total_events": cp.total_events,
            "head_count": cp.head_count,
        },
        sort_keys=True,
    )


def append_anchor(cp: LogCheckpoint, path: Path | None = None) -> None:
    """Append one checkpoint and fsync: the line is on disk before the job reports success."""
    path = path or anchor_path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (anchor_line(cp) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class AnchorProblem:
    line: int
    checkpoint_id: int | None
    message: str


def check_anchor(path: Path) -> tuple[int, list[AnchorProblem]]:
    """Compare the anchor file with the checkpoints in the database; returns (lines, problems).
    Checkpoints newer than the last anchored one are not problems (the anchor may lag by one
    commit); everything anchored must still be there, unchanged."""
    if not path.exists():
        return 0, [AnchorProblem(0, None, f"Không tìm thấy tệp neo mốc kiểm tra {path}.")]
    db: dict[int, tuple[str, str]] = {
        pk: (sig, prev)
        for pk, sig, prev in LogCheckpoint.objects.values_list(
            "id", "signature", "previous_signature"
        )
    }
    problems: list[AnchorProblem] = []
    n = 0
    with path.open(encoding="utf-8") as fh:
        for n, raw in enumerate(fh, start=1):
            try:
                entry: dict[str, Any] = json.loads(raw)
                cp_id, signature = int(entry["id"]), str(entry["signature"])
            except (ValueError, KeyError, TypeError):
                problems.append(
                    AnchorProblem(n, None, f"Tệp neo {path}, dòng {n}: không đọc được.")
                )
                continue
            found = db.get(cp_id)
            if found is None:
                problems.append(
                    AnchorProblem(
                        n,
                        cp_id,
                        f"Mốc kiểm tra #{cp_id} ({entry.get('created_at', '?')}) có trong tệp neo "
                        "nhưng đã bị xóa khỏi CSDL.",
                    )
                )
            elif found[0] != signature:
                problems.append(
                    AnchorProblem(
                        n,
                        cp_id,
                        f"Mốc kiểm tra #{cp_id}: chữ ký trong CSDL khác bản trong tệp neo.",
                    )
                )
    return n, problems
