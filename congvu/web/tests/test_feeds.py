"""The data feed for the province's direction system: a unit's tasks and indicators with their
states, checksummed and (with a key) signed so that the receiver can check both."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from congvu.indicators import actions as IA
from congvu.org.models import today
from congvu.org.permissions import access_for
from congvu.tasks import actions as A
from congvu.tasks.models import Task
from congvu.web.tests.pki import P12_PASSWORD, TestCA
from congvu.web.tests.tasks_helpers import assign


def _period() -> dict[str, str]:
    return {
        "tu": f"{today() - timedelta(days=30):%d/%m/%Y}",
        "den": f"{today() + timedelta(days=30):%d/%m/%Y}",
    }


def _indicator(org: Any, task: Task) -> None:
    access = access_for(org.lanh_dao)
    goal = IA.do_create_goal(
        code="MT1",
        title="Chuyển đổi số",
        owner_unit=org.root,
        start=today() - timedelta(days=60),
        end=today() + timedelta(days=300),
        actor=org.lanh_dao,
        access=access,
    )
    ind = IA.do_create_indicator(
        goal=goal,
        code="CT1.1",
        name="Tỷ lệ hồ sơ trực tuyến",
        target=Decimal("80"),
        measure="%",
        start=today() - timedelta(days=60),
        end=today() + timedelta(days=90),
        responsible_unit=org.so_a,
        actor=org.lanh_dao,
        access=access,
    )
    IA.do_link_task(ind, task, actor=org.lanh_dao, access=access)


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_the_feed_holds_the_units_tasks_and_indicators_with_their_states(
    org: Any, signed_in: Any
) -> None:
    open_task = assign(org, title="Số hóa hồ sơ thủ tục")
    overdue = assign(org, title="Rà soát quy trình cấp phép")
    Task.objects.filter(pk=overdue.pk).update(deadline=today() - timedelta(days=10))
    cancelled = assign(org, title="Nhiệm vụ đã hủy")
    A.do_cancel(cancelled, org.lanh_dao, reason="Không còn cần thiết")
    elsewhere = assign(org, unit="so_b", lead="gd_b", title="Việc của Sở Xây dựng")
    _indicator(org, open_task)

    response = signed_in("gd_a").get(f"/lien-thong/du-lieu/{org.so_a.pk}/", _period())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = _files(response.content)
    assert set(files) == {"feed.json", "feed.xlsx", "SHA256SUMS"}  # no key configured: unsigned
    doc = json.loads(files["feed.json"])
    states = {t["id"]: t["state"] for t in doc["tasks"]}
    assert states == {open_task.pk: "open", overdue.pk: "overdue", cancelled.pk: "cancelled"}
    assert elsewhere.pk not in states
    [ind] = doc["indicators"]
    assert ind["code"] == "CT1.1" and ind["state"] == "on_track" and ind["tasks_total"] == 1
    # Every file's checksum, in `sha256sum -c` form.
    sums = dict(line.split("  ")[::-1] for line in files["SHA256SUMS"].decode().splitlines())
    assert sums == {n: hashlib.sha256(files[n]).hexdigest() for n in ("feed.json", "feed.xlsx")}
    # The spreadsheet: Vietnamese headers, dates as dates, numbers as numbers.
    book = load_workbook(io.BytesIO(files["feed.xlsx"]))
    tasks_sheet, indicators_sheet = book["Nhiệm vụ"], book["Chỉ tiêu"]
    assert tasks_sheet["A1"].value == "Mã nhiệm vụ" and tasks_sheet["G1"].value == "Hạn xử lý"
    assert tasks_sheet.max_row == 4
    assert tasks_sheet["G2"].is_date and isinstance(tasks_sheet["A2"].value, int)
    assert indicators_sheet["E2"].value == 80 and indicators_sheet["I2"].value == "Đúng tiến độ"


def test_a_signed_feed_verifies_with_openssl_and_a_changed_file_does_not(
    org: Any, signed_in: Any, settings: Any, tmp_path: Path
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    ca = TestCA()
    settings.SIGNING_P12 = str(ca.write_p12(ca.issue("Văn phòng UBND tỉnh"), tmp_path / "k.p12"))
    settings.SIGNING_P12_PASSWORD = P12_PASSWORD
    root = ca.write_root(tmp_path / "root.pem")
    assign(org, title="Số hóa hồ sơ thủ tục")
    response = signed_in("lanh_dao").get(f"/lien-thong/du-lieu/{org.so_a.pk}/", _period())
    files = _files(response.content)
    assert {"feed.json.p7s", "feed.xlsx.p7s"} <= set(files)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    def verify(content: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                "openssl",
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-purpose",
                "any",
                "-in",
                str(tmp_path / "feed.json.p7s"),
                "-content",
                str(tmp_path / content),
                "-CAfile",
                str(root),
                "-out",
                "/dev/null",
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    assert verify("feed.json").returncode == 0
    changed = files["feed.json"].replace(b'"open"', b'"on_time"')
    (tmp_path / "changed.json").write_bytes(changed)
    assert verify("changed.json").returncode != 0


def test_only_the_units_readers_get_its_feed_and_a_bad_period_is_named(
    org: Any, signed_in: Any
) -> None:
    url = f"/lien-thong/du-lieu/{org.so_a.pk}/"
    assert signed_in("alice").get(url, _period()).status_code == 403
    assert signed_in("gd_b").get(url, _period()).status_code == 403
    head = signed_in("gd_a")
    assert head.get(url).status_code == 200  # the form
    bad = head.get(url, {"tu": "31/02/2026", "den": "01/01/2026"})
    assert bad.status_code == 400 and "Nhập một ngày hợp lệ" in bad.content.decode()
    backwards = head.get(url, {"tu": "01/03/2026", "den": "01/01/2026"})
    assert backwards.status_code == 400
    assert "Ngày cuối kỳ phải từ ngày đầu kỳ trở đi." in backwards.content.decode()


def test_export_feed_writes_the_zip_and_names_a_bad_unit_or_date(org: Any, tmp_path: Path) -> None:
    assign(org, title="Số hóa hồ sơ thủ tục")
    out = tmp_path / "feed.zip"
    period = ["--from", _period()["tu"], "--to", _period()["den"]]
    call_command("export_feed", "--unit", org.so_a.code, *period, "--out", str(out))
    assert len(json.loads(_files(out.read_bytes())["feed.json"])["tasks"]) == 1
    with pytest.raises(CommandError, match="không có đơn vị mã 'KHONG_CO'"):
        call_command("export_feed", "--unit", "KHONG_CO", *period, "--out", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="--from: ngày phải viết dd/mm/yyyy"):
        call_command("export_feed", "--unit", org.so_a.code, "--from", "2026-01-01",
                     "--to", "01/02/2026", "--out", str(tmp_path / "x"))  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.zip"]
