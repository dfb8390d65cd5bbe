"""The registry issue's whole flow for a town officer, in Chromium: download the template, import a
workforce file with two bad rows, read the row errors, fix the file, import it, find a worker by
ID number and export the list. Screenshots in test-artifacts/screenshots/town-import-*.png."""
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from django.utils import translation

from concord.core.models import ImportBatch
from concord.registry import io
from concord.registry.models import Employment, Worker
from tests.browser.test_browser import SHOTS, browser, page, sign_in  # noqa: F401  (fixtures)
from tests.conftest import id_number

pytestmark = pytest.mark.browser


def workbook_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    with translation.override("zh-hans"):
        sheet.append(io.WORKER_FILE.headers())
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def row(world, number, name, *, start="2025-03-01", phone="13900001234"):
    # ID, name, phone, sex, birth, province, city, migrant, education, credit code, enterprise,
    # position, start, end, signed, type, contract start, contract end, insured, wage
    return [number, name, phone, "", "", "", "", "", "初中", world.ent_a.credit_code, "", "挡车工", start, "",
            "是", "固定期限", start, "2028-02-29", "是", 5200]


def test_town_officer_imports_fixes_finds_and_exports(world, live_server, page, tmp_path):
    good = [id_number("522422", "19960101", n) for n in (401, 402, 403)]
    bad_checksum = good[2][:-1] + ("0" if good[2][-1] != "0" else "1")
    rows = [row(world, good[0], "导入甲"), row(world, good[1], "导入乙", start="2099-01-01"),
            row(world, bad_checksum, "导入丙")]
    sign_in(page, live_server.url, "alpha_officer")

    # The worker list leads to the import page; the template has the export's Chinese headers.
    page.goto(f"{live_server.url}/registry/workers/")
    page.click("a[href='/registry/import/workers/']")
    page.wait_for_url("**/registry/import/workers/")
    with page.expect_download() as download:
        page.click("a[href*='/registry/import/template/']")
    template = load_workbook(BytesIO(download.value.path().read_bytes()))
    with translation.override("zh-hans"):
        assert [c.value for c in template.worksheets[0][1]] == io.WORKER_FILE.headers()

    # First upload: two bad rows, reported by row and column, nothing written.
    upload = tmp_path / "钱清职工.xlsx"
    upload.write_bytes(workbook_bytes(rows))
    before = Worker.objects.count()
    page.set_input_files("input[type=file]", str(upload))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-problems")
    problems = page.inner_text("#import-problems")
    assert "3" in problems and "4" in problems  # spreadsheet rows of the two bad lines
    assert "入职日期" in problems and "身份证号" in problems
    page.screenshot(path=str(SHOTS / "town-import-1-problems.png"), full_page=True)
    assert Worker.objects.count() == before

    # Fixed file: checked, then imported.
    rows[1] = row(world, good[1], "导入乙")
    rows[2] = row(world, good[2], "导入丙")
    upload.write_bytes(workbook_bytes(rows))
    page.set_input_files("input[type=file]", str(upload))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-commit")
    page.screenshot(path=str(SHOTS / "town-import-2-ready.png"), full_page=True)
    with page.expect_navigation():
        page.click("#import-commit")
    page.screenshot(path=str(SHOTS / "town-import-3-done.png"), full_page=True)
    assert Worker.objects.count() == before + 3
    assert Employment.objects.filter(worker__id_number=good[2], enterprise=world.ent_a, end_date__isnull=True).exists()
    assert ImportBatch.objects.filter(actor=world.officer_a).exists()

    # Find one of them by ID number.
    page.goto(f"{live_server.url}/registry/workers/")
    page.fill("#id_q", good[1])
    page.click("#filter-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#table-area').innerText.includes('导入乙')")
    table = page.inner_text("#table-area")
    assert "导入甲" not in table and good[1] not in table  # the number itself stays masked
    page.screenshot(path=str(SHOTS / "town-import-4-found.png"), full_page=True)

    # Export the list: masked ID numbers, the same headers as the import.
    page.goto(f"{live_server.url}/registry/workers/")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    exported = load_workbook(BytesIO(download.value.path().read_bytes())).worksheets[0]
    values = [[c.value for c in r] for r in exported.iter_rows()]
    with translation.override("zh-hans"):
        assert values[0] == io.WORKER_FILE.headers()
    names = [r[1] for r in values[1:]]
    assert {"导入甲", "导入乙", "导入丙"} <= set(names)
    assert good[0] not in str(values)
