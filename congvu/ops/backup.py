"""Consistent backups and verified restores.

A backup is one .tar.gz holding the database (SQLite: the online backup API, a consistent
copy even while the app writes; PostgreSQL: `pg_dump --format=custom`, one snapshot), the
uploaded files, and a manifest with checksums and the fingerprint of the event-log seal key.
The key itself is never written: whoever holds a backup must not be able to re-seal a forged
log. A restore checks the checksums, refuses a backup sealed with another key (unless told
otherwise), restores, and then verifies every seal of the event log.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from congvu_analytics.scratch import scratch_dir

FORMAT = 1


class BackupError(Exception):
    pass


def key_fingerprint() -> str:
    """A public fingerprint of the seal key (identifies it, reveals nothing about it)."""
    digest = hashlib.sha256(b"congvu-log-seal-fingerprint|" + str(settings.LOG_SEAL_KEY).encode())
    return digest.hexdigest()[:32]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _db() -> dict[str, Any]:
    # The live connection's settings: under tests they name the test database.
    return dict(connection.settings_dict)


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = _db()
    args = [
        "-h",
        str(db.get("HOST") or "127.0.0.1"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db.get("USER") or "postgres"),
    ]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Không tìm thấy chương trình {name}: cài gói postgresql-client.")
    return path


def _pg_run(program: str, *arguments: str) -> str | None:
    """Run a PostgreSQL client program on the configured server; its error output if it failed."""
    args, env = _pg_env()
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [_program(program), *args, *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stderr.strip() if result.returncode != 0 else None


def _dump_database(dest: Path) -> str:
    vendor = connection.vendor
    if vendor == "sqlite":
        src = sqlite3.connect(str(_db()["NAME"]))
        out = sqlite3.connect(str(dest))
        try:
            src.backup(out)
        finally:
            out.close()
            src.close()
        return "sqlite"
    if vendor == "postgresql":
        name = str(_db()["NAME"])
        failed = _pg_run("pg_dump", "--format=custom", "--no-owner", "--file", str(dest), name)
        if failed is not None:
            raise BackupError(f"pg_dump thất bại: {failed}")
        return "postgresql"
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor}.")


def _event_count() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM tasks_taskevent")
        row = cur.fetchone()
    return int(row[0]) if row else 0


SCRATCH_PREFIX = ".congvu-backup-tmp-"


def create_backup(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = out_dir / f"congvu-backup-{stamp}.tar.gz"
    # Removed on exit and on SIGTERM/SIGINT; one left by a SIGKILL is swept by the next run
    # (it holds a whole database dump). congvu_analytics.scratch.
    with scratch_dir(out_dir, SCRATCH_PREFIX) as tmp:
        tmp.chmod(0o700)
        db_file = tmp / "database.dump"
        vendor = _dump_database(db_file)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "events": _event_count(),
            "seal_key_fingerprint": key_fingerprint(),
            "files": {"database.dump": _sha256(db_file)},
        }
        partial = tmp / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(db_file, arcname="database.dump")
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                for path in sorted(p for p in media.rglob("*") if p.is_file()):
                    rel = f"media/{path.relative_to(media).as_posix()}"
                    manifest["files"][rel] = _sha256(path)
                    tar.add(path, arcname=rel)
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(datetime.now().timestamp())  # noqa: DTZ005 - tar wants epoch seconds
            tar.addfile(info, io.BytesIO(data))
        # The archive holds the whole database (password hashes, evaluations): owner only.
        partial.chmod(0o600)
        os.replace(partial, target)  # atomic: a crash leaves no half archive under the final name
    return target


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    events: int
    verified: bool
    problems: list[str]


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        if m.name.startswith("/") or ".." in Path(m.name).parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"Tệp sao lưu chứa đường dẫn không an toàn: {m.name}")
        members.append(m)
    return members


def restore_backup(archive: Path, *, allow_other_key: bool = False) -> RestoreReport:
    if not archive.exists():
        raise BackupError(f"Không tìm thấy tệp sao lưu {archive}.")
    with scratch_dir(Path(tempfile.gettempdir()), "congvu-restore-") as tmp:
        tmp.chmod(0o700)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                members = _safe_members(tar)
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(tmp, members=members, filter="data")
                else:
                    # Python before 3.11.4 (Debian 12 ships 3.11.2) has no extraction filters;
                    # _safe_members has already refused links, devices and paths leaving tmp.
                    tar.extractall(tmp, members=members)  # noqa: S202
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"Tệp sao lưu hỏng hoặc không đọc được: {exc}") from exc
        manifest_path = tmp / "manifest.json"
        if not manifest_path.exists():
            raise BackupError("Tệp sao lưu không có manifest.json.")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for rel, digest in manifest.get("files", {}).items():
            path = tmp / rel
            if not path.exists() or _sha256(path) != digest:
                raise BackupError(
                    f"Tệp {rel} trong bản sao lưu không khớp mã kiểm tra: bản sao lưu đã bị sửa hoặc hỏng."
                )
        if manifest.get("seal_key_fingerprint") != key_fingerprint() and not allow_other_key:
            raise BackupError(
                "Khóa niêm phong nhật ký hiện tại khác khóa của bản sao lưu: không thể kiểm tra niêm phong. "
                "Hãy cấu hình đúng CONGVU_LOG_KEY / CONGVU_LOG_KEY_FILE (hoặc dùng --allow-other-key)."
            )
        _restore_database(tmp / "database.dump", manifest["database"])
        media = Path(settings.MEDIA_ROOT)
        if (tmp / "media").exists():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(tmp / "media", media)
    from congvu.tasks.verify import verify_log

    result = verify_log()
    problems = [p.message for p in result.problems]
    return RestoreReport(manifest, result.events, result.ok, problems)


def _restore_database(dump: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(f"Bản sao lưu là {vendor}, hệ thống đang dùng {connection.vendor}.")
    if vendor == "sqlite":
        db_file = Path(str(_db()["NAME"]))
        connections.close_all()
        src = sqlite3.connect(str(dump))
        dst = sqlite3.connect(str(db_file))
        try:
            src.backup(dst)  # page-by-page copy into the live file, under SQLite's own locking
        finally:
            dst.close()
            src.close()
        return
    name = str(_db()["NAME"])
    connections.close_all()
    failed = _pg_run(
        "pg_restore",
        *("--clean", "--if-exists", "--no-owner", "--single-transaction", "-d", name, str(dump)),
    )
    if failed is not None:
        raise BackupError(f"pg_restore thất bại: {failed[-2000:]}")
