"""Issue 14 in Chromium: exports follow the filters on screen (item 1) and pages fit a 390 px phone
and a 1,366 px desktop (item 7). Screenshots go to test-artifacts/screenshots/pages-*.png."""
import csv
import io
from datetime import date

import pytest

from concord.registry.models import Employment, Worker
from tests.browser.test_browser import SHOTS, browser, sign_in  # noqa: F401  (fixtures)
from tests.conftest import id_number

pytestmark = pytest.mark.browser

# A claim typed as one unbroken run (a pasted account number, a long address, Chinese without
# spaces): it grew the case page to 900–1,000 px on a phone.
LONG = "申请人于二零二四年三月入职被申请人处从事挡车工作双方未签订书面劳动合同被申请人自二零二五年九月起拖欠工资至今" * 4
UNBROKEN = "6222021202003456789012345678901234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2


@pytest.fixture
def desktop(browser):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def crowd(world):
    """Thirty more workers at Alpha印染 (town A), so that Alpha纺织's one worker is a filtered few."""
    for seq in range(30):
        worker = Worker.objects.create(id_number=id_number("330621", "19900101", 200 + seq), name=f"印染工{seq:02d}")
        Employment.objects.create(worker=worker, enterprise=world.ent_a2, start_date=date(2024, 1, 1))
    return world


def test_export_after_an_htmx_filter_has_the_filtered_rows(crowd, live_server, desktop):
    world, page = crowd, desktop
    sign_in(page, live_server.url, "alpha_officer")
    page.goto(f"{live_server.url}/registry/workers/")
    assert "超过 25 条记录" in page.inner_text("#row-count")
    page.fill("#id_enterprise", world.ent_a.credit_code)
    page.click("#filter-form button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#table-area').innerText.includes('印染工')")
    assert world.ent_a.credit_code in page.get_attribute("#export-csv", "href")
    assert page.inner_text("#row-count").strip() == "共 1 条记录"
    page.screenshot(path=str(SHOTS / "pages-export-filtered-desktop.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#export-csv")
    rows = [r for r in csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())) if r]
    assert len(rows) == 2 and "Alpha职工" in rows[1]  # the header and the one filtered worker
    with page.expect_download() as info:
        page.click("#export-xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).worksheets[0]
    assert sheet.max_row == 2


@pytest.fixture
def long_case(world):
    from tests.disputes_helpers import file_case

    from concord.disputes.models import Case
    from tests.test_scope_matrix import alert_samples

    case = file_case(world, facts=LONG + UNBROKEN)
    # accepted with a deadline in the past: an overdue row in the list
    Case.objects.filter(pk=case.pk).update(status="mediation", accepted_on=date(2026, 1, 5), deadline=date(2026, 1, 20))
    alert_samples(world)
    return case


def test_case_worker_and_alert_pages_fit_a_phone(world, long_case, live_server, phone):
    sign_in(phone, live_server.url, "alpha_officer")
    pages = {
        "case": f"/disputes/cases/{long_case.pk}/",
        "case-list": "/disputes/cases/",
        "worker": f"/registry/workers/{world.worker_a.pk}/",
        "alert": world.alert_a.get_absolute_url(),
        "alert-list": "/alerts/",
        "worker-list": "/registry/workers/",
        "measures": "/disputes/measures/",
    }
    for name, url in pages.items():
        phone.goto(live_server.url + url)
        phone.screenshot(path=str(SHOTS / f"pages-{name}-phone.png"), full_page=True)
        assert fits(phone), f"{url} is wider than a 390 px phone"
    phone.goto(live_server.url + "/disputes/cases/")
    assert phone.locator("tr.case-overdue").count() == 1
    # the first column stays in view while the table scrolls inside its card
    left = phone.evaluate("""() => {
        const box = document.querySelector('#table-area .table-responsive');
        box.scrollLeft = 400;
        const cell = box.querySelector('tbody tr td');
        return cell.getBoundingClientRect().left - box.getBoundingClientRect().left; }""")
    assert abs(left) < 2
    phone.screenshot(path=str(SHOTS / "pages-case-list-scrolled-phone.png"), full_page=True)


def test_the_workers_own_pages_on_a_phone(world, long_case, live_server, phone):
    sign_in(phone, live_server.url, "alpha_worker")
    from tests.test_scope_matrix import harmony_samples

    harmony_samples(world)
    for name, url in (("my-cases", "/disputes/cases/"), ("my-worker-page", world.worker_a.get_absolute_url()),
                      ("my-surveys", "/harmony/surveys/")):
        phone.goto(live_server.url + url)
        phone.screenshot(path=str(SHOTS / f"pages-worker-{name}-phone.png"), full_page=True)
        assert fits(phone), f"{url} is wider than a 390 px phone"
        assert phone.locator("#filter-form").count() == 0
    phone.goto(live_server.url + world.worker_a.get_absolute_url())
    assert phone.locator(f"#employments a[href='{world.ent_a.get_absolute_url()}']").count() == 0
    assert world.ent_a.name in phone.inner_text("#employments")


def test_standard_and_change_log_pages_fit_a_desktop(world, long_case, live_server, desktop):
    from concord.core.models import ChangeLogEntry
    from concord.harmony.models import Standard

    sign_in(desktop, live_server.url, "county_boss")
    entry = ChangeLogEntry.objects.order_by("-pk").first()
    for name, url in (("standard", Standard.objects.get().get_absolute_url()), ("changelog", entry.get_absolute_url()),
                      ("case", long_case.get_absolute_url()), ("case-list", "/disputes/cases/")):
        desktop.goto(live_server.url + url)
        desktop.screenshot(path=str(SHOTS / f"pages-{name}-desktop.png"), full_page=True)
        assert fits(desktop), f"{url} is wider than 1,366 px"
