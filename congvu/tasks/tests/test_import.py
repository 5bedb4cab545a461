from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from congvu.tasks.models import Coordination, Task, TaskEvent
from congvu.tasks.state import VN_TZ

HEADER = [
    "Số ký hiệu",
    "Ngày văn bản",
    "Trích yếu",
    "Đơn vị chủ trì",
    "Người chủ trì",
    "Đơn vị phối hợp",
    "Hạn xử lý",
]


def later(days: int) -> str:
    return (timezone.now().astimezone(VN_TZ).date() + timedelta(days=days)).strftime("%d/%m/%Y")


def good_rows() -> list[list[object]]:
    return [
        [
            "1713/UBND-NCKSTTHC",
            "20/02/2026",
            "Rà soát thủ tục hành chính",
            "STC-NS",
            "ALICE",
            "SXD-QH; Phòng Đầu tư",
            later(30),
        ],
        [
            "25/KH-UBND",
            "21/02/2026",
            "Kế hoạch chuyển đổi số",
            "Phòng Đầu tư",
            "Vũ Văn Bình",
            "",
            "10",
        ],
    ]


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH VĂN BẢN ĐẾN"])  # a title row above the header, as DMS exports have
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([HEADER, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("writer", [write_xlsx, write_csv])
def test_it_imports_a_valid_file(org, tmp_path, writer):
    path = writer(tmp_path / f"vb.{'xlsx' if writer is write_xlsx else 'csv'}", good_rows())
    call_command("import_tasks", str(path), "--assigner", "gd_a")
    tasks = list(Task.objects.order_by("id"))
    assert [t.source_number for t in tasks] == ["1713/UBND-NCKSTTHC", "25/KH-UBND"]
    assert tasks[0].source_date == date(2026, 2, 20) and tasks[1].deadline_working_days == 10
    assert tasks[1].lead_person == org.bob
    assert {c.unit.code for c in Coordination.objects.filter(task=tasks[0])} == {"SXD-QH", "STC-DT"}


def test_a_dry_run_writes_nothing(org, tmp_path):
    out = io.StringIO()
    call_command(
        "import_tasks",
        str(write_xlsx(tmp_path / "a.xlsx", good_rows())),
        "--assigner",
        "gd_a",
        "--dry-run",
        stdout=out,
    )
    assert "2/2" in out.getvalue()
    assert not Task.objects.exists() and not TaskEvent.objects.exists()


def test_it_reports_every_bad_row_and_writes_nothing(org, tmp_path):
    rows = [
        *good_rows(),
        ["", "01/03/2026", "Thiếu số hiệu", "STC-NS", "ALICE", "", later(5)],
        ["2/CV", "32/13/2026", "Ngày sai", "Phòng Không Có", "ALICE", "", later(5)],
        ["3/CV", "", "Hạn trước ngày giao", "STC-NS", "ALICE", "", "01/01/2020"],
        ["4/CV", "", "Người ngoài đơn vị", "STC-NS", "CHARLIE", "", later(5)],
        ["5/CV", "", "Đơn vị ngoài phạm vi", "SXD-QH", "CHARLIE", "Sở Không Có", later(5)],
    ]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_tasks",
            str(write_xlsx(tmp_path / "b.xlsx", rows)),
            "--assigner",
            "gd_a",
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    found = {(ln.split(",")[0], ln.split("«")[1].split("»")[0]) for ln in lines}
    assert found == {
        ("b.xlsx: Dòng 5", "Số ký hiệu"),
        ("b.xlsx: Dòng 6", "Ngày văn bản"),
        ("b.xlsx: Dòng 6", "Đơn vị chủ trì"),
        ("b.xlsx: Dòng 7", "Hạn xử lý"),
        ("b.xlsx: Dòng 8", "Người chủ trì"),
        ("b.xlsx: Dòng 9", "Đơn vị phối hợp"),
    }, lines
    assert not Task.objects.exists() and not TaskEvent.objects.exists()


def test_a_file_without_the_required_columns_is_refused(org, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Số ký hiệu,Trích yếu,Hạn xử lý\n1/CV,abc,5\n", encoding="utf-8")
    with pytest.raises(CommandError, match="thiếu cột"):
        call_command("import_tasks", str(path), "--assigner", "gd_a")


def test_the_api_imports_with_a_dry_run(org, tmp_path):
    client = Client()
    client.force_login(org.gd_a.user)
    path = write_csv(tmp_path / "c.csv", good_rows())
    with path.open("rb") as fh:
        r = client.post("/api/v1/tasks/import", {"file": fh, "dry_run": "true"})
    assert r.status_code == 200 and r.json()["valid"] == 2 and r.json()["created"] == []
    bad = write_csv(
        tmp_path / "d.csv", [*good_rows(), ["9/CV", "", "x", "STC-NS", "ALICE", "", "hôm qua"]]
    )
    with bad.open("rb") as fh:
        r = client.post("/api/v1/tasks/import", {"file": fh})
    assert r.status_code == 400
    assert r.json()["issues"] == [
        {"row": 4, "column": "Hạn xử lý", "message": r.json()["issues"][0]["message"]}
    ]
    assert not Task.objects.exists()
    with path.open("rb") as fh:
        r = client.post("/api/v1/tasks/import", {"file": fh})
    assert r.status_code == 200 and len(r.json()["created"]) == 2


def test_importing_the_same_file_twice_creates_nothing_twice(org, tmp_path, capsys):
    # Issue #12: a re-import used to assign every task a second time.
    path = write_xlsx(tmp_path / "a.xlsx", good_rows())
    call_command("import_tasks", str(path), "--assigner", "gd_a")
    first = set(Task.objects.values_list("pk", flat=True))
    assert len(first) == 2
    call_command("import_tasks", str(path), "--assigner", "gd_a")
    assert set(Task.objects.values_list("pk", flat=True)) == first
    assert "Bỏ qua 2 dòng đã nhập trước đây (dòng 3, 4)" in capsys.readouterr().out
    # The key is sealed with the task (verify_log compares it like the title).
    task = Task.objects.get(source_number="25/KH-UBND")
    assert task.events.get(seq=1).payload["import_key"] == task.import_key != ""


def test_the_document_id_column_is_the_key_when_present(org, tmp_path):
    header = [*HEADER, "Mã văn bản"]
    rows = [[*good_rows()[0], "VB-001"], [*good_rows()[0], "VB-002"]]
    path = tmp_path / "ids.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    client = Client()
    client.force_login(org.gd_a.user)
    with path.open("rb") as fh:
        r = client.post("/api/v1/tasks/import", {"file": fh})
    assert r.status_code == 200 and len(r.json()["created"]) == 2  # same text, two documents
    with path.open("rb") as fh:
        again = client.post("/api/v1/tasks/import", {"file": fh}).json()
    assert again["created"] == [] and [s["row"] for s in again["skipped"]] == [2, 3]
    assert Task.objects.count() == 2
