"""Import in Chromium, as a town officer of 钱清街道: template → upload with two bad rows → row
errors → fixed upload → commit → batch page → find the worker by ID number → export the list; and
a background batch whose page polls its progress until it is done. Screenshots:
test-artifacts/screenshots/registry-import-*.png."""
from io import BytesIO

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from concord.core.models import ImportBatch, Region
from concord.core.scope import Role
from concord.registry import io
from concord.registry.models import Employment, Enterprise, Worker
from tests.browser.test_browser import SHOTS, browser, page, sign_in  # noqa: F401  (fixtures)
from tests.conftest import credit_code, id_number, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def qianqing(world):
    town = Region.objects.create(code="330603104", name="钱清街道", kind="town", parent=world.county)
    factory = Enterprise.objects.create(credit_code=credit_code(104), name="钱清纺织有限公司", region=town, has_union=True)
    officer = make_user("town_qianqing", Role.TOWN_OFFICER, region=town, name="钱清站长")
    return town, factory, officer


def workforce_file(rows) -> bytes:
    keys = [c.key for c in io.WORKER_FILE.columns]
    book = Workbook()
    sheet = book.active
    with translation.override("zh-hans"):
        sheet.append(io.WORKER_FILE.headers())
    for values in rows:
        sheet.append([values.get(k, "") for k in keys])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def person(factory, number, name, **over):
    values = {"id_number": number, "name": name, "phone": "13900001234", "education": "初中",
              "enterprise_code": factory.credit_code, "position": "挡车工", "start_date": "2025-03-01", "contract_signed": "是",
              "contract_type": "固定期限", "contract_start": "2025-03-01", "contract_end": "2028-02-29", "insured": "是",
              "monthly_wage": 5200}
    values.update(over)
    return values


def test_town_officer_imports_fixes_commits_finds_and_exports(qianqing, live_server, page, tmp_path):
    town, factory, officer = qianqing
    ids = [id_number("522422", "19960101", n) for n in (701, 702, 703)]
    wrong_check = ids[1][:-1] + ("0" if ids[1][-1] != "0" else "1")
    rows = [person(factory, ids[0], "钱清甲"), person(factory, wrong_check, "钱清乙"),
            person(factory, ids[2], "钱清丙", phone="0575-1234")]
    sign_in(page, live_server.url, "town_qianqing")

    page.goto(f"{live_server.url}/registry/workers/")
    page.click("#import-link")
    page.wait_for_url("**/registry/import/workers/")
    assert page.inner_text("h1").strip() == "导入职工"
    with page.expect_download() as download:
        page.click("text=下载模板")
    template = load_workbook(BytesIO(download.value.path().read_bytes()))
    with translation.override("zh-hans"):
        assert [c.value for c in template.worksheets[0][1]] == io.WORKER_FILE.headers()
    assert len(template.worksheets) == 2  # the data sheet and the notes on each column
    page.screenshot(path=str(SHOTS / "registry-import-0-page.png"), full_page=True)

    upload = tmp_path / "钱清职工花名册.xlsx"
    upload.write_bytes(workforce_file(rows))
    page.set_input_files("#import-form input[type=file]", str(upload))
    page.click("#import-check-button")
    page.wait_for_selector("#import-problems")
    problems = [line.split("\t") for line in page.inner_text("#import-problems tbody").splitlines()]
    assert [(p[0].strip(), p[1].strip()) for p in problems] == [("3", "身份证号"), ("4", "手机号码")]
    assert "校验码" in problems[0][2] and "手机号码" in problems[1][2]
    assert page.locator("#import-commit").count() == 0
    page.screenshot(path=str(SHOTS / "registry-import-1-problems.png"), full_page=True)
    assert not Worker.objects.filter(id_number__in=ids).exists()

    rows[1] = person(factory, ids[1], "钱清乙")
    rows[2] = person(factory, ids[2], "钱清丙")
    upload.write_bytes(workforce_file(rows))
    page.set_input_files("#import-form input[type=file]", str(upload))
    page.click("#import-check-button")
    page.wait_for_selector("#import-commit")
    assert page.inner_text("#import-summary").splitlines()[0].strip().startswith("3")
    page.screenshot(path=str(SHOTS / "registry-import-2-ready.png"), full_page=True)
    with page.expect_navigation():
        page.click("#import-commit")
    page.wait_for_selector("#batch-done")
    page.screenshot(path=str(SHOTS / "registry-import-3-batch.png"), full_page=True)
    assert Worker.objects.filter(id_number__in=ids).count() == 3
    assert Employment.objects.filter(enterprise=factory, end_date__isnull=True).count() == 3
    factory.refresh_from_db()
    assert factory.head_count == 3 and factory.migrant_count == 3

    page.goto(f"{live_server.url}/registry/workers/")
    page.fill("#id_q", ids[2])
    page.click("#filter-form button[type=submit]")
    # The unfiltered list already shows 钱清丙: wait for the filtered table to replace it.
    page.wait_for_function(
        "() => { const t = document.querySelector('#table-area').innerText; return t.includes('钱清丙') && !t.includes('钱清甲'); }"
    )
    found = page.inner_text("#table-area")
    assert "钱清甲" not in found and ids[2] not in found  # found by the full number, shown masked
    page.screenshot(path=str(SHOTS / "registry-import-4-found.png"), full_page=True)

    page.goto(f"{live_server.url}/registry/workers/")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    sheet = load_workbook(BytesIO(download.value.path().read_bytes())).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    with translation.override("zh-hans"):
        assert values[0] == io.WORKER_FILE.headers()
    assert sorted(r[1] for r in values[1:]) == sorted(["钱清甲", "钱清乙", "钱清丙"])
    assert not any(number in str(values) for number in ids)  # masked
    with page.expect_download() as download:
        page.click("text=导出完整个人信息")
    full = load_workbook(BytesIO(download.value.path().read_bytes())).worksheets[0]
    assert set(ids) <= {r[0].value for r in full.iter_rows(min_row=2)}


def test_a_background_batch_shows_its_progress_until_done(qianqing, live_server, page):
    town, factory, officer = qianqing
    batch = ImportBatch.objects.create(kind="workers", file_name="钱清全镇职工.xlsx", sha256="0" * 64, row_count=48000,
                                       actor=officer, region_path=town.path, status=ImportBatch.Status.RUNNING, progress=35)
    sign_in(page, live_server.url, "town_qianqing")
    page.goto(f"{live_server.url}/registry/import/batches/{batch.pk}/")
    assert page.locator(".progress-bar").inner_text().strip() == "35%"
    page.screenshot(path=str(SHOTS / "registry-import-5-progress.png"), full_page=True)
    ImportBatch.objects.filter(pk=batch.pk).update(progress=80)
    page.wait_for_function("() => document.querySelector('.progress-bar') && document.querySelector('.progress-bar').innerText.trim() == '80%'",
                           timeout=5000)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTED, progress=100, created=48000,
                                                   finished_at=timezone.now())
    page.wait_for_selector("#batch-done", timeout=5000)
    assert "48000" in page.inner_text("#batch-done")
    page.screenshot(path=str(SHOTS / "registry-import-6-done.png"), full_page=True)


def test_import_page_in_english(qianqing, live_server, page):
    sign_in(page, live_server.url, "town_qianqing")
    page.goto(f"{live_server.url}/registry/import/enterprises/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.inner_text("h1").strip().lower() == "import enterprises"
    page.screenshot(path=str(SHOTS / "registry-import-7-english.png"), full_page=True)
