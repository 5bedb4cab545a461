"""Import bombs (issue #12, break 6): every spreadsheet reader is bounded and XML-safe.

Each file here used to exhaust memory, hold a worker, or end in a traceback/500; now each gets
a Vietnamese message that names the limit (and the variable to raise it) and writes nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import Workbook

from congvu.lib.sheets import SheetError, read_workbook
from congvu.org.importer import import_org
from congvu.tasks.models import Task
from congvu.tasks.tests.test_import import HEADER, good_rows, write_csv, write_xlsx

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def rewrite_sheet(path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """Rewrite the first worksheet's XML of an xlsx in place (what an attacker hand-crafts)."""
    src = zipfile.ZipFile(path)
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    src.close()
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for n, data in parts.items():
            out.writestr(n, data)
    return path


def declared_huge(path: Path) -> Path:
    write_xlsx(path, good_rows())
    return rewrite_sheet(
        path, lambda x: re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD1048576"/>', x)
    )


def with_doctype(path: Path, doctype: str, entity: str) -> Path:
    write_xlsx(path, good_rows())

    def change(xml: str) -> str:
        body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
        # an inline string cell that uses the entity
        body = body.replace(
            "</sheetData>",
            f'<row r="9"><c r="A9" t="inlineStr"><is><t>{entity}</t></is></c></row></sheetData>',
        )
        return doctype + body

    return rewrite_sheet(path, change)


def many_rows(path: Path, n: int) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    ws.append(HEADER)
    row = good_rows()[0]
    for _ in range(n):
        ws.append(row)
    wb.save(path)
    # Without a dimension element: the count is only known by reading.
    return rewrite_sheet(path, lambda x: re.sub(r"<dimension [^>]*/>", "", x))


def test_a_declared_huge_sheet_is_refused_at_once_by_every_importer(org, tmp_path):
    path = declared_huge(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 10_000
    with pytest.raises(CommandError, match=r"CONGVU_IMPORT_MAX_ROWS"):
        call_command("import_tasks", str(path), "--assigner", "gd_a")
    report = import_org(path)
    assert "CONGVU_IMPORT_MAX_ROWS" in report.errors[0].message
    assert "A1:XFD1048576" in report.errors[0].message
    client = Client()
    client.force_login(org.gd_a.user)
    with path.open("rb") as fh:
        r = client.post("/api/v1/tasks/import", {"file": fh})
    assert r.status_code == 400 and "CONGVU_IMPORT_MAX_ROWS" in r.json()["message"]
    assert not Task.objects.exists()


def test_rows_past_the_limit_stop_the_stream(org, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 200
    path = many_rows(tmp_path / "rows.xlsx", 500)
    with pytest.raises(CommandError, match=r"số dòng vượt giới hạn 200"):
        call_command("import_tasks", str(path), "--assigner", "gd_a")


def test_a_zip_bomb_is_refused_by_its_decompressed_size(tmp_path, settings):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 200_000
    path = many_rows(tmp_path / "zip.xlsx", 2_000)
    assert path.stat().st_size < 100_000
    with pytest.raises(SheetError, match=r"sau giải nén .*CONGVU_IMPORT_MAX_UNZIPPED_BYTES"):
        read_workbook(path)


def test_too_many_columns_or_too_long_a_cell_is_named(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 10
    wide = tmp_path / "wide.csv"
    wide.write_text("a,b\n" + ",".join("x" * 20) + "\n", encoding="utf-8")
    with pytest.raises(SheetError, match=r"wide.csv, dòng 2: số cột vượt giới hạn 10"):
        read_workbook(wide)
    settings.IMPORT_MAX_COLUMNS = 200
    settings.IMPORT_MAX_CELL_CHARS = 100
    long = tmp_path / "long.csv"
    long.write_text("a,b\n" + "y" * 101 + ",1\n", encoding="utf-8")
    with pytest.raises(SheetError, match=r"độ dài một ô vượt giới hạn 100"):
        read_workbook(long)


def test_a_300_kb_csv_field_is_a_clean_error_not_a_500(org, tmp_path):
    path = write_csv(tmp_path / "big.csv", good_rows())
    path.write_text(
        path.read_text(encoding="utf-8-sig") + '"' + "z" * 300_000 + '";x;y;z;w;v;5\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"CONGVU_IMPORT_MAX_CELL_CHARS"):
        call_command("import_tasks", str(path), "--assigner", "gd_a")
    client = Client()
    client.force_login(org.gd_a.user)
    with path.open("rb") as fh:
        r = client.post("/api/v1/tasks/import", {"file": fh})
    assert r.status_code == 400 and "CONGVU_IMPORT_MAX_CELL_CHARS" in r.json()["message"]
    assert import_org(path).errors[0].message.count("CONGVU_IMPORT_MAX_CELL_CHARS") == 1


@pytest.mark.parametrize(("doctype", "entity"), [(BILLION_LAUGHS, "&lol9;"), (XXE, "&xxe;")])
def test_import_org_reports_xml_entities_cleanly(org, tmp_path, doctype, entity, capsys):
    path = with_doctype(tmp_path / "org.xlsx", doctype, entity)
    with pytest.raises(CommandError):
        call_command("import_org", str(path))
    err = capsys.readouterr().err
    assert "Traceback" not in err and "tệp Excel" in err
    with pytest.raises(CommandError, match=r"tệp Excel"):
        call_command("import_tasks", str(path), "--assigner", "gd_a")


def test_the_upload_size_is_bounded(org, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1_000
    path = write_csv(tmp_path / "c.csv", good_rows() * 20)
    client = Client()
    client.force_login(org.gd_a.user)
    with path.open("rb") as fh:
        r = client.post("/api/v1/tasks/import", {"file": fh})
    assert r.status_code == 400 and "CONGVU_IMPORT_MAX_FILE_BYTES" in r.json()["message"]
    with pytest.raises(CommandError, match="CONGVU_IMPORT_MAX_FILE_BYTES"):
        call_command("import_tasks", str(path), "--assigner", "gd_a")
    with pytest.raises(SheetError, match="CONGVU_IMPORT_MAX_FILE_BYTES"):
        read_workbook(path)


def test_normal_files_still_import(org, tmp_path):
    call_command(
        "import_tasks", str(write_xlsx(tmp_path / "ok.xlsx", good_rows())), "--assigner", "gd_a"
    )
    assert Task.objects.count() == 2
    assert io  # the module's helpers share the regular import tests' files
