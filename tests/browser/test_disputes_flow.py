"""Done means (issue 4), in Chromium: a worker's wage-arrears complaint from a phone, mediated at the
enterprise, escalated to the town by the periodic job when its deadline passes, settled with an
agreement whose document is generated, paid and closed; and a 23-worker collective case that starts
at the town. Screenshots go to test-artifacts/screenshots/."""
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from concord.core.jobs import run_job
from concord.disputes import services
from concord.disputes.models import Case
from concord.registry.models import Enterprise
from tests.browser.test_browser import SHOTS, browser, page, sign_in  # noqa: F401  (fixtures)
from tests.conftest import id_number

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    yield pg
    context.close()


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def open_action(page, name):
    page.click(f"#action-{name} > summary")


def test_wage_arrears_from_phone_to_closure(world, live_server, browser, page, phone):
    Enterprise.objects.filter(pk=world.ent_a.pk).update(has_mediation_committee=True)
    today = timezone.localdate()

    # 1. The worker complains from their phone.
    sign_in(phone, live_server.url, "alpha_worker")
    phone.goto(f"{live_server.url}/disputes/cases/")
    phone.click("#new-case")
    phone.select_option("#id_subcategory", "wage_arrears")
    phone.fill("#id_amount_claimed", "9600")
    phone.fill("#id_facts", "九月、十月工资共9600元未发放")
    assert fits(phone)
    phone.screenshot(path=str(SHOTS / "dispute-worker-complaint-phone.png"), full_page=True)
    phone.click("#case-form button[type=submit]")
    phone.wait_for_selector("#what-to-bring")
    case = Case.objects.get()
    assert case.source == "online" and case.level == "enterprise" and case.status == "received"
    assert "身份证" in phone.inner_text("#what-to-bring")

    # 2. The enterprise's union mediation committee accepts it and starts mediation.
    sign_in(page, live_server.url, "alpha_union")
    page.goto(f"{live_server.url}/disputes/cases/{case.pk}/")
    open_action(page, "accept")
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector(".alert-success")
    open_action(page, "mediate")
    page.click("#action-mediate button[type=submit]")
    page.wait_for_selector(".alert-success")
    case.refresh_from_db()
    assert case.status == "mediation" and case.deadline == services.mediation_deadline(case, today)

    # 3. No agreement by the deadline: the periodic job hands the case to the town.
    services.escalate_overdue(case.deadline + timedelta(days=1))
    assert run_job("disputes.escalate_overdue", force=True) == "ran"  # idempotent: nothing more to move
    case.refresh_from_db()
    assert case.level == "town" and case.escalations == 1
    phone.reload()
    with translation.override("zh-hans"):
        assert phone.inner_text("#case-level") == case.get_level_display()

    # 4. The town reaches an agreement, generates the agreement document, records the payment, closes.
    town = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = town.new_page()
    sign_in(page, live_server.url, "alpha_officer")
    page.goto(f"{live_server.url}/disputes/cases/{case.pk}/")
    assert page.locator("#timeline li").count() >= 4  # filed, accepted, mediation, escalated
    open_action(page, "agree")
    page.fill("#id_agree-amount", "9000")
    page.fill("#id_agree-terms", "企业于签订当日一次性支付工资9000元")
    page.click("#action-agree button[type=submit]")
    page.wait_for_selector(".alert-success")
    case.refresh_from_db()
    assert case.status == "agreement" and case.resolved_level == "town"
    page.click("#doc-mediation_agreement-issue")
    page.wait_for_selector(".alert-success")
    with page.expect_download() as download:
        page.click("#doc-mediation_agreement-pdf")
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    page.reload()
    number = page.inner_text("#documents .doc-number")
    assert "调协" in number
    page.click("#agreement summary")
    page.fill("#id_pay-paid_amount", "9000")
    page.click("#agreement form button[type=submit]")
    page.wait_for_selector(".alert-success")
    open_action(page, "close")
    page.select_option("#id_close-outcome", "performed")
    page.click("#action-close button[type=submit]")
    page.wait_for_selector(".alert-success")
    page.screenshot(path=str(SHOTS / "dispute-case-closed-zh.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == "closed" and case.amount_recovered == 9000
    town.close()

    # 5. The worker sees the outcome and the agreement document on their phone.
    phone.reload()
    with translation.override("zh-hans"):
        assert phone.inner_text("#case-status") == case.get_status_display()
    assert phone.is_visible("#doc-mediation_agreement-pdf")
    assert fits(phone)
    phone.screenshot(path=str(SHOTS / "dispute-worker-case-phone.png"), full_page=True)


def test_collective_case_of_23_starts_at_the_town(world, live_server, page):
    Enterprise.objects.filter(pk=world.ent_a.pk).update(has_mediation_committee=True)
    people = [f"职工{i:02d}, {id_number('511321', '19920101', 200 + i)}{', , 代表' if i < 3 else ''}" for i in range(23)]
    sign_in(page, live_server.url, "alpha_officer")
    page.goto(f"{live_server.url}/disputes/cases/add/")
    page.select_option("#id_source", "hotline")
    page.fill("#id_respondent", world.ent_a.credit_code)
    page.fill("#id_claimant_lines", "\n".join(people[:9]))
    page.check("#id_collective")
    page.select_option("#id_category", "5")
    page.select_option("#id_subcategory", "wage_arrears")
    page.fill("#id_amount_claimed", "368000")
    page.fill("#id_facts", "企业停产，23名职工两个月工资未发")
    page.click("#case-form button[type=submit]")
    # Nine people are not a collective case: refused, nothing filed.
    page.wait_for_selector(".invalid-feedback")
    assert "10" in page.inner_text("#case-form") and not Case.objects.exists()
    page.fill("#id_claimant_lines", "\n".join(people))
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("#collective-badge")
    case = Case.objects.get()
    assert case.is_collective and case.level == "town" and case.claimant_count == 23 and case.is_priority
    assert case.claimants.filter(is_representative=True).count() == 3
    assert "23" in page.inner_text("#collective-badge")
    page.screenshot(path=str(SHOTS / "dispute-collective-case-zh.png"), full_page=True)
