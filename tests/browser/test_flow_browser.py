"""Issue 14 items 4 and 5 in Chromium, on a 1,366 px desktop and a 390 px phone: an agreement with a
payment schedule typed the Chinese way, judicial confirmation applied for once (the step is gone
afterwards), the court liaison told by the bell, finding the case under "待确认" and recording the
ruling (no result chosen in advance); evidence attached during the self-assessment keeping the
typed scores; an enterprise chosen by name from the type-ahead; a tripartite meeting created from
an alert and recorded on it. Screenshots go to test-artifacts/screenshots/flow-*.png."""
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from concord.alerts import rules as alert_rules
from concord.alerts import services as alert_services
from concord.alerts.models import Alert, AlertAction, RiskSignal
from concord.disputes import services
from concord.disputes.models import Case, TripartiteMeeting
from concord.harmony import services as harmony_services
from concord.harmony.models import EvaluationEvidence, IndicatorScore, Round, Standard, Tier
from concord.registry.models import Enterprise
from tests.browser.test_browser import SHOTS, browser, sign_in  # noqa: F401  (fixtures)
from tests.disputes_helpers import file_case

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desktop(browser):
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    pg = context.new_page()
    yield pg
    context.close()


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"flow-{name}.png"), full_page=True)


def test_agreement_schedule_and_judicial_confirmation_once(world, live_server, desktop, phone):
    base, today = live_server.url, timezone.localdate()
    case = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="pre_filing",
                     court_received_on=today - timedelta(days=3), court_case_number="（2026）浙0603民初8348号")
    case = services.case_mediate(services.case_accept(case, actor=world.officer_a), actor=world.officer_a)
    first, second = date(today.year + 1, 1, 20), date(today.year + 1, 2, 20)

    # 1. The town records the agreement, its schedule typed with Chinese dates and a full-width comma.
    sign_in(desktop, base, "alpha_officer")
    desktop.goto(f"{base}/disputes/cases/{case.pk}/")
    desktop.click("#action-agree > summary")
    desktop.fill("#id_agree-amount", "20000")
    desktop.fill("#id_agree-terms", "企业分两期支付拖欠工资")
    desktop.fill("#id_agree-schedule", f"{first.year}年{first.month}月{first.day}日，15000\n{second.isoformat()}, 5,000元")
    shot(desktop, "agreement-schedule-desktop")
    desktop.click("#action-agree button[type=submit]")
    desktop.wait_for_selector(".alert-success")
    case.refresh_from_db()
    assert case.status == "agreement"
    assert [(i.due_on, i.amount) for i in case.agreement.installments.order_by("due_on")] == [
        (first, Decimal("15000")), (second, Decimal("5000"))]

    # 2. It applies for judicial confirmation; the step is not offered again.
    desktop.click("#action-request_confirmation > summary")
    desktop.click("#action-request_confirmation button[type=submit]")
    desktop.wait_for_selector(".alert-success")
    assert desktop.locator("#action-request_confirmation").count() == 0
    assert desktop.locator("#action-record_confirmation").count() == 0  # the court's step, not the town's
    assert fits(desktop)
    shot(desktop, "confirmation-requested-desktop")

    # 3. The court liaison, on a phone: the bell, the "待确认" list, the ruling.
    sign_in(phone, base, "court_x")
    assert phone.locator("#notification-bell .badge").count() == 1  # in the collapsed menu on a phone
    phone.goto(base + phone.get_attribute("#notification-bell", "href"))
    assert f"{case.number} · 已申请司法确认" in phone.inner_text("main")
    phone.click("main a[href='/disputes/cases/?awaiting_confirmation=true']")
    phone.wait_for_url("**awaiting_confirmation=true")
    assert case.number in phone.inner_text("main")
    assert fits(phone)
    shot(phone, "awaiting-confirmation-phone")
    phone.goto(f"{base}/disputes/cases/{case.pk}/")
    phone.click("#action-record_confirmation > summary")
    assert phone.input_value("#id_record_confirmation-result") == ""  # nothing chosen in advance
    shot(phone, "record-ruling-phone")
    phone.click("#action-record_confirmation button[type=submit]")  # without a result: refused, nothing saved
    phone.wait_for_selector("#action-record_confirmation .invalid-feedback")
    assert Case.objects.get(pk=case.pk).confirmation_result == ""
    phone.select_option("#id_record_confirmation-result", "confirmed")
    phone.fill("#id_record_confirmation-ruling_number", "（2026）浙0603民特123号")
    phone.fill("#id_record_confirmation-ruled_on", today.isoformat())
    phone.click("#action-record_confirmation button[type=submit]")
    phone.wait_for_selector(".alert-success")
    case.refresh_from_db()
    assert (case.confirmation_result, case.confirmation_ruling_number, case.confirmation_ruled_on) == (
        "confirmed", "（2026）浙0603民特123号", today)
    assert phone.locator("#action-record_confirmation").count() == 0
    assert "（2026）浙0603民特123号" in phone.inner_text("main")
    assert fits(phone)
    shot(phone, "ruling-recorded-phone")
    phone.goto(f"{base}/disputes/cases/?awaiting_confirmation=true")
    assert case.number not in phone.inner_text("main")


def test_evidence_attached_during_the_self_assessment_keeps_the_typed_scores(world, live_server, desktop, phone,
                                                                               settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_calendar", from_package=True, stdout=StringIO())
    today = timezone.localdate()
    rnd = Round.objects.create(year=today.year, name="年度创建", standard=Standard.objects.get(),
                               opens_on=today - timedelta(days=30), self_assessment_due=today + timedelta(days=30),
                               review_due=today + timedelta(days=60), approval_due=today + timedelta(days=90))
    Enterprise.objects.filter(pk=world.ent_a.pk).update(head_count=120, has_union=True, has_workers_congress=True)
    ev = harmony_services.evaluation_start(actor=world.union_a, round=rnd, enterprise=world.ent_a,
                                           tier=Tier.objects.get(code="county"))
    manual = [s.indicator for s in ev.scores.select_related("indicator").order_by("indicator__code")
              if not s.indicator.is_computed]
    pdf = tmp_path / "集体合同.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% evidence\n")

    for page, width in ((desktop, "desktop"), (phone, "phone")):
        sign_in(page, live_server.url, "alpha_union")
        page.goto(f"{live_server.url}{ev.get_absolute_url()}")
        first = manual[0] if width == "desktop" else manual[2]
        page.fill(f"#id_score-{first.pk}", "5")
        page.fill(f"#id_evidence-{first.pk}", f"{width}：已填写未保存的说明")
        page.set_input_files(f"#id_upload{manual[1].pk}-file", str(pdf))
        page.click(f"#attach-{manual[1].pk}")
        page.wait_for_selector(".alert-success")
        # The page after the upload: the typed score and text are there, and saved.
        assert float(page.input_value(f"#id_score-{first.pk}")) == 5
        assert page.input_value(f"#id_evidence-{first.pk}") == f"{width}：已填写未保存的说明"
        score = IndicatorScore.objects.get(evaluation=ev, indicator=first)
        assert score.self_points == 5 and score.evidence == f"{width}：已填写未保存的说明"
        page.locator(f"#indicator-{manual[1].pk}").scroll_into_view_if_needed()
        if width == "phone":
            assert fits(page)
        shot(page, f"evidence-keeps-scores-{width}")
    assert EvaluationEvidence.objects.filter(evaluation=ev, indicator=manual[1]).count() == 2


def test_enterprise_by_name_and_a_meeting_from_the_alert(world, live_server, desktop, phone):
    base = live_server.url

    # 1. A town officer reports a signal, choosing the enterprise by part of its name (type-ahead).
    sign_in(desktop, base, "alpha_officer")
    desktop.goto(f"{base}/alerts/signals/new/")
    desktop.locator("#id_enterprise").press_sequentially("印染", delay=30)
    desktop.wait_for_function("() => document.querySelector('#id_enterprise-options').options.length > 0")
    options = desktop.evaluate("() => [...document.querySelector('#id_enterprise-options').options].map(o => o.value)")
    assert options == [f"{world.ent_a2.name}（{world.ent_a2.credit_code}）"]  # within scope only
    desktop.fill("#id_enterprise", options[0])
    desktop.select_option("#id_kind", alert_rules.WAGE_ARREARS)
    desktop.fill("#id_value", "1.5")
    shot(desktop, "signal-by-name-desktop")
    desktop.click("main form button[type=submit]")
    desktop.wait_for_selector(".alert-success")
    assert RiskSignal.objects.get(kind=alert_rules.WAGE_ARREARS).enterprise_id == world.ent_a2.pk
    alert = Alert.objects.get(enterprise=world.ent_a2)

    # 2. From the alert, on a phone: a tripartite meeting, filled in from it, then recorded on it.
    sign_in(phone, base, "alpha_officer")
    phone.goto(f"{base}/alerts/{alert.pk}/")
    phone.click("#form-action > summary")
    phone.click("#meeting-from-alert")
    phone.wait_for_selector("#meeting-for-alert")
    assert phone.input_value("#id_credit_codes") == world.ent_a2.credit_code
    assert phone.input_value("#id_region") == str(world.town_a.pk)
    phone.fill("#id_place", "街道会议室")
    phone.fill("#id_labour_bureau", "人社局劳动监察大队")
    phone.fill("#id_union", "街道总工会")
    phone.fill("#id_employers", "街道企业联合会")
    assert fits(phone)
    shot(phone, "meeting-from-alert-phone")
    phone.click("main form button[type=submit]")
    phone.wait_for_selector("#form-action[open]")
    meeting = TripartiteMeeting.objects.get()
    assert phone.input_value("#id_action-meeting") == str(meeting.pk)
    phone.click("#form-action button[type=submit]")
    phone.wait_for_selector(".alert-success")
    assert AlertAction.objects.get(alert=alert).meeting == meeting
    assert fits(phone)
    shot(phone, "alert-with-meeting-phone")
    phone.goto(f"{base}{meeting.get_absolute_url()}")
    assert alert.number in phone.inner_text("#linked-alerts")
    _ = alert_services  # the service recorded the action through the page
