"""A spreadsheet cannot crash the server (issue 13 item 22).

The attack files are written here byte by byte with zipfile: 1.5 KB .xlsx files whose cells (or
declared dimension) reach XFD1048576, which make the reader ask for 512 GB and abort the process.
The reader itself is first shown to abort on them, in a child process. Then read_table is run on
every attack in a child process too (if the defence ever fails, that child dies and the test fails;
pytest lives on), and only once that holds are the page, the API import route and the management
command attacked in this process. The 50 MB limit is refused from the request's length, before the
body is read."""
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from concord.core import imports
from concord.registry.models import Worker

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'


def xlsx(sheet_xml: str, extra_entries=(), compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal workbook of one sheet whose XML is ``sheet_xml``."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '</Types>'))
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
                                  f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets>'
                                      '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
                                                 f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                                                 '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + sheet_xml + "</worksheet>")
        for name, content in extra_entries:
            z.writestr(name, content)
    return buf.getvalue()


def cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


FAR_CELL = xlsx('<sheetData><row r="1">' + cell("A1", "姓名") + '</row><row r="1048576">' + cell("XFD1048576", "x")
                + "</row></sheetData>")
FAR_DIMENSION = xlsx('<dimension ref="A1:XFD1048576"/><sheetData><row r="1">' + cell("A1", "姓名") + "</row></sheetData>")
# Within the column limit but 256 columns × 1,048,576 rows: 268 million cells (8.6 GB in the reader).
TOO_MANY_CELLS = xlsx('<sheetData><row r="1">' + cell("A1", "姓名") + '</row><row r="1048576">' + cell("IV1048576", "x")
                      + "</row></sheetData>")
# Cells without positions: each follows the previous one, 16,384 of them reach column XFD.
UNNUMBERED = xlsx('<sheetData><row r="1">' + cell("A1", "姓名") + '</row><row r="1048576">'
                  + "<c/>" * 16383 + '<c t="inlineStr"><is><t>x</t></is></c></row></sheetData>')


def bomb() -> bytes:
    """A zip bomb: more zeros than the uncompressed limit (16 × 50 MB) in a 1 MB entry, written in
    chunks so that the test does not hold them."""
    data = bytearray(xlsx('<sheetData><row r="1">' + cell("A1", "姓名") + "</row></sheetData>"))
    buf = io.BytesIO(bytes(data))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/zeros.bin", "w", force_zip64=True) as entry:
        zeros = b"\0" * (1024 * 1024)
        for _ in range(16 * 50 + 10):
            entry.write(zeros)
    return buf.getvalue()


BOMB = bomb()
MANY_ENTRIES = xlsx('<sheetData><row r="1">' + cell("A1", "姓名") + "</row></sheetData>",
                    extra_entries=[(f"xl/custom/{i}.xml", "<a/>") for i in range(1500)])
ATTACKS = {"far_cell": FAR_CELL, "far_dimension": FAR_DIMENSION, "too_many_cells": TOO_MANY_CELLS,
           "unnumbered": UNNUMBERED, "bomb": BOMB, "many_entries": MANY_ENTRIES}


def child(code: str, *args, timeout=240) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONCORD_TESTING": "1", "DJANGO_SETTINGS_MODULE": "concord.settings_test",
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=ROOT, stdin=subprocess.DEVNULL)


def test_the_attack_files_are_small():
    assert len(FAR_CELL) < 2048 and len(FAR_DIMENSION) < 2048 and len(BOMB) < 1024 * 1024


def test_the_bare_reader_aborts_on_the_far_cell(tmp_path):
    """The attack is real: python-calamine alone, in a child, dies asking for 512 GB."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(FAR_CELL)
    done = child("import sys\nfrom python_calamine import CalamineWorkbook\n"
                 "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name('Sheet1')\nprint('survived')", str(path))
    assert done.returncode != 0 and "survived" not in done.stdout
    assert "549755813888" in done.stderr  # 1,048,576 × 16,384 cells × 32 bytes


READ_EACH = """
import sys, django
django.setup()
from django.utils import translation
from concord.core import imports
translation.activate("zh-hans")
for path in sys.argv[1:]:
    try:
        imports.read_table(open(path, "rb").read(), path.rsplit("/", 1)[1])
        print(path, "READ")
    except imports.ImportFileError as exc:
        print(path, "REFUSED", exc.message)
"""


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    """read_table on every attack, in a child process: {name: its message}. Fails (instead of
    letting this process abort) if the child dies or reads an attack."""
    folder = tmp_path_factory.mktemp("attacks")
    paths = []
    for name, data in ATTACKS.items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(data)
        paths.append(str(path))
    done = child(READ_EACH, *paths)
    assert done.returncode == 0, f"read_table died on an attack file (exit {done.returncode}):\n{done.stderr[-2000:]}"
    out = {}
    for line in done.stdout.splitlines():
        path, verdict, *message = line.split(" ", 2)
        out[Path(path).stem] = (verdict, message[0] if message else "")
    assert set(out) == set(ATTACKS)
    return out


def test_read_table_refuses_every_attack_with_a_clear_message(refused):
    for name, (verdict, message) in refused.items():
        assert verdict == "REFUSED", f"{name} was read"
    assert "XFD1048576" in refused["far_cell"][1] and "256" in refused["far_cell"][1]
    assert "XFD1048576" in refused["far_dimension"][1]
    assert "32,000,000" in refused["too_many_cells"][1]
    assert "无法安全读取" in refused["bomb"][1] and "无法安全读取" in refused["many_entries"][1]
    assert refused["unnumbered"][1]


def test_ordinary_workbooks_still_read():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号"])
    for i in range(300):
        sheet.append([f"职工{i}", "x"])
    buf = io.BytesIO()
    book.save(buf)
    table = imports.read_table(buf.getvalue(), "ok.xlsx")
    assert [c for c in table.header] == ["姓名", "身份证号"] and len(list(table.rows)) == 300


@pytest.mark.django_db
def test_the_import_page_refuses_the_far_cell(world, login, refused):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.officer_a)
    before = Worker.objects.count()
    for name in ("far_cell", "far_dimension"):
        upload = SimpleUploadedFile(f"{name}.xlsx", ATTACKS[name])
        response = client.post("/registry/import/workers/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert "XFD1048576" in response.content.decode()
    assert Worker.objects.count() == before


@pytest.mark.django_db
def test_the_api_import_refuses_the_far_cell(world, login, refused):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.officer_a)
    response = client.post("/api/risk-signals/import/", {"file": SimpleUploadedFile("far.xlsx", FAR_CELL)})
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and any("XFD1048576" in e["message"] for e in body["errors"])


@pytest.mark.django_db
def test_the_management_command_refuses_the_far_cell(world, tmp_path, capsys, refused):
    path = tmp_path / "far.xlsx"
    path.write_bytes(FAR_CELL)
    with pytest.raises(SystemExit):
        call_command("import_workers", str(path), "--user", world.officer_a.username, "--language", "en")
    assert "XFD1048576" in capsys.readouterr().err


# --- the 50 MB limit, before the body is read ------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/registry/import/workers/", "/api/risk-signals/import/"])
def test_a_body_over_the_limit_is_refused_before_it_is_read(world, login, url):
    client = login(world.officer_a)
    declared = imports.max_bytes() + 2 * 1024 * 1024
    # The body sent is a few bytes: reading the declared 52 MB of it would fail the request, so a
    # refusal proves nothing read it.
    response = client.generic("POST", url, b"--x\r\n", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(declared), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 413
    text = response.json()["detail"] if url.startswith("/api/") else response.content.decode()
    assert "50 MB" in text and "超过" in text


@pytest.mark.django_db
def test_a_file_within_the_limit_still_uploads(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.officer_a)
    with override_settings(CONCORD_IMPORT_MAX_BYTES=2 * 1024 * 1024):
        upload = SimpleUploadedFile("w.csv", "姓名\n张三\n".encode())
        response = client.post("/registry/import/workers/", {"file": upload})
        assert response.status_code == 200
