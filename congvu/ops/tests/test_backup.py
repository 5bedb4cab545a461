from __future__ import annotations

import io
import tarfile
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command

from congvu.ops.backup import BackupError, create_backup, restore_backup
from congvu.tasks import actions
from congvu.tasks.models import Task, TaskEvent
from congvu.tasks.state import VN_TZ

pytestmark = pytest.mark.django_db(transaction=True)


def make_task(org, title="Báo cáo quý"):
    return actions.do_assign(
        assigner=org.gd_a,
        title=title,
        lead_unit=org.a1,
        lead_person=org.alice,
        deadline=date(2026, 3, 31),
        ad_hoc=True,
        at=datetime(2026, 3, 2, 8, tzinfo=VN_TZ),
    )


def test_a_backup_restores_the_log_and_the_seals_verify(org, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "dinh-kem").mkdir(parents=True)
    (tmp_path / "media" / "dinh-kem" / "bao-cao.pdf").write_bytes(b"%PDF-1.4 noi dung")
    task = make_task(org)
    actions.do_accept(task, org.alice, at=datetime(2026, 3, 2, 9, tzinfo=VN_TZ))
    archive = create_backup(tmp_path / "backups")
    events = TaskEvent.objects.count()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "database.dump" in names and "media/dinh-kem/bao-cao.pdf" in names
    assert not any("key" in n for n in names)

    # Work continues after the backup; then the office restores it.
    make_task(org, "Nhiệm vụ sau sao lưu")
    (tmp_path / "media" / "dinh-kem" / "bao-cao.pdf").unlink()
    report = restore_backup(archive)
    assert report.verified, report.problems
    assert report.events == events == TaskEvent.objects.count()
    assert not Task.objects.filter(title="Nhiệm vụ sau sao lưu").exists()
    assert (tmp_path / "media" / "dinh-kem" / "bao-cao.pdf").read_bytes() == b"%PDF-1.4 noi dung"


def test_a_backup_sealed_with_another_key_is_refused(org, tmp_path, settings):
    make_task(org)
    archive = create_backup(tmp_path)
    settings.LOG_SEAL_KEY = "mot-khoa-khac"
    with pytest.raises(BackupError, match="Khóa niêm phong"):
        restore_backup(archive)
    assert Task.objects.count() == 1


def test_a_tampered_archive_is_refused_before_anything_is_overwritten(org, tmp_path):
    make_task(org)
    archive = create_backup(tmp_path)
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(forged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "database.dump":
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    make_task(org, "còn nguyên")
    with pytest.raises(BackupError, match="không khớp mã kiểm tra"):
        restore_backup(forged)
    assert Task.objects.filter(title="còn nguyên").exists()


def test_the_commands_back_up_and_ask_before_restoring(org, tmp_path, capsys):
    make_task(org)
    call_command("backup", "--out", str(tmp_path))
    archive = next(tmp_path.glob("congvu-backup-*.tar.gz"))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), "--yes")
    assert "toàn vẹn" in capsys.readouterr().out


def test_a_backup_is_readable_by_its_owner_only(org, tmp_path):
    from congvu.ops.backup import create_backup

    archive = create_backup(tmp_path / "backups")
    assert oct(archive.stat().st_mode)[-3:] == "600"


def test_restore_works_on_a_python_without_tar_filters(org, tmp_path, monkeypatch):
    # Debian 12's python3.11 (3.11.2) predates tarfile's extraction filters (3.11.4).
    make_task(org)
    archive = create_backup(tmp_path)
    monkeypatch.delattr(tarfile, "data_filter")
    assert restore_backup(archive).verified
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(BackupError, match="không an toàn"):
        restore_backup(evil)
    assert not (tmp_path.parent / "escape.txt").exists()


def test_a_backup_killed_with_sigkill_leaves_nothing_after_the_next_run(org, tmp_path):
    # Issue #12, break 7: `tmp…/` folders holding a full database dump stayed in --out.
    import subprocess
    import sys

    from congvu.ops.backup import SCRATCH_PREFIX
    from congvu_analytics.scratch import OWNER

    out = tmp_path / "backups"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = out / f"{SCRATCH_PREFIX}killed"
    left.mkdir(parents=True)
    (left / OWNER).write_text(str(dead.pid))
    (left / "database.dump").write_bytes(b"a whole database")
    make_task(org)
    archive = create_backup(out)
    assert sorted(p.name for p in out.iterdir()) == [archive.name]
