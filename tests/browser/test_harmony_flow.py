"""Done means (issue 6), in Chromium: the enterprise's union officer applies and self-assesses from a
phone, the town officer reviews (a changed score with its reason, the on-site check), the county
approves, the public publicity page shows the enterprise to a visitor without login (who lodges an
objection the county answers), the certificate is issued and downloads as a Chinese PDF, and a later
collective dispute suspends the title. Screenshots go to test-artifacts/screenshots/."""
import io
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from concord.core.models import CalendarYear
from concord.harmony.models import Certification, Evaluation, Indicator, Round, Standard
from concord.registry.models import Employment, Enterprise, Worker
from tests.browser.test_browser import SHOTS, browser, page, sign_in  # noqa: F401  (fixtures)
from tests.conftest import id_number
from tests.disputes_helpers import file_case

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    yield pg
    context.close()


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_union_applies_town_reviews_county_approves_publicity_certificate_and_suspension(world, live_server, browser, phone):
    today = timezone.localdate()
    call_command("load_calendar", from_package=True, stdout=StringIO())
    # Publicity (5 working days) may run into next year: weekends alone are enough for the test.
    CalendarYear.objects.get_or_create(year=today.year + 1, defaults={"source": "test"})
    rnd = Round.objects.create(year=today.year, name=f"{today.year}年度劳动关系和谐企业创建", standard=Standard.objects.get(),
                               opens_on=today - timedelta(days=30), self_assessment_due=today + timedelta(days=30),
                               review_due=today + timedelta(days=60), approval_due=today + timedelta(days=90))
    Enterprise.objects.filter(pk=world.ent_a.pk).update(head_count=120, has_union=True, has_workers_congress=True)
    Employment.objects.filter(pk=world.emp_a.pk).update(contract_signed=True, insured=True)
    workers = [Worker.objects.create(id_number=id_number("330621", "19900101", 700 + i), name=f"职工{i}") for i in range(9)]
    Employment.objects.bulk_create([Employment(worker=w, enterprise=world.ent_a, start_date=date(2024, 1, 1),
                                               contract_signed=i < 8, insured=True) for i, w in enumerate(workers)])
    base = live_server.url

    # 1. The union officer applies for the county tier and self-assesses from a phone.
    sign_in(phone, base, "alpha_union")
    phone.goto(f"{base}/harmony/evaluations/apply/?enterprise={world.ent_a.pk}")
    phone.select_option("#id_round", str(rnd.pk))
    phone.select_option("#id_tier", label="县级劳动关系和谐企业")
    phone.click("#apply-form button[type=submit]")
    phone.wait_for_selector("#assess-form")
    ev = Evaluation.objects.get()
    assert ev.enterprise_id == world.ent_a.pk and ev.status == "draft"
    a1 = Indicator.objects.get(code="A1")
    assert "90.0%" in phone.inner_text(f"#computed-{a1.pk}") and "9/10" in phone.inner_text(f"#computed-{a1.pk}")
    manual = [s for s in ev.scores.select_related("indicator") if not s.indicator.is_computed]
    for s in manual:
        phone.fill(f"#id_score-{s.indicator_id}", str(s.indicator.max_points))
        phone.fill(f"#id_evidence-{s.indicator_id}", f"{s.indicator.code}：台账及制度文本已上传")
    assert fits(phone)
    phone.screenshot(path=str(SHOTS / "harmony-self-assessment-phone.png"), full_page=True)
    phone.click("#assess-submit")
    phone.wait_for_selector(".alert-success")
    ev.refresh_from_db()
    assert ev.status == "submitted" and ev.self_score is not None

    # 2. The town officer reviews: one score lowered with its reason, and the on-site check.
    town = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = town.new_page()
    sign_in(page, base, "alpha_officer")
    page.goto(f"{base}/harmony/rounds/{rnd.pk}/")
    assert "Alpha纺织有限公司" in page.inner_text("#applications")
    page.screenshot(path=str(SHOTS / "harmony-round-zh.png"), full_page=True)
    page.goto(f"{base}{ev.get_absolute_url()}")
    a2 = Indicator.objects.get(code="A2")
    page.fill(f"#id_score-{a2.pk}", "10")
    page.click("#review-submit")  # no reason, no on-site check: refused next to the fields
    page.wait_for_selector(f"#indicator-{a2.pk} .invalid-feedback")
    assert Evaluation.objects.get(pk=ev.pk).status == "submitted"
    page.fill(f"#id_reason-{a2.pk}", "集体合同覆盖率仅75%")
    page.fill("#id_onsite_check_on", today.isoformat())
    page.fill("#id_onsite_notes", "查阅工资台账和考勤记录，抽查劳动合同20份")
    page.screenshot(path=str(SHOTS / "harmony-town-review-form-zh.png"), full_page=True)
    page.click("#review-submit")
    page.wait_for_selector(".alert-success")
    ev.refresh_from_db()
    assert ev.status == "reviewed" and ev.review_score == ev.self_score - 4
    page.screenshot(path=str(SHOTS / "harmony-town-review-zh.png"), full_page=True)
    town.close()

    # 3. The county approves: publicity starts.
    county = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = county.new_page()
    sign_in(page, base, "county_boss")
    page.goto(f"{base}{ev.get_absolute_url()}")
    page.click("#form-approve > summary")
    page.click("#form-approve button[type=submit]")
    page.wait_for_selector(".alert-success")
    ev.refresh_from_db()
    assert ev.status == "publicity" and ev.publicity_from == today

    # 4. The public page, in a fresh browser without login, shows the enterprise; a visitor objects.
    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    visitor = public.new_page()
    visitor.goto(f"{base}/harmony/publicity/")
    entry = visitor.inner_text(f"#entry-{ev.pk}")
    assert "Alpha纺织有限公司" in entry and "Alpha街道" in entry and "县级劳动关系和谐企业" in entry and str(ev.review_score) in entry
    assert visitor.locator("#current-user").count() == 0
    visitor.click(f"#entry-{ev.pk} summary")
    visitor.fill(f"#id_o{ev.pk}_text", "该企业去年曾拖欠加班费")
    assert fits(visitor)
    visitor.screenshot(path=str(SHOTS / "harmony-publicity-public-phone.png"), full_page=True)
    visitor.click(f"#entry-{ev.pk} button[type=submit]")
    visitor.wait_for_selector(".alert-success")
    assert ev.objections.count() == 1
    public.close()

    # 5. The county answers the objection; after the publicity period it certifies. The pages use
    # today's date (the services take today=… but the views do not), so the period is moved into
    # the past in the database: publicity_until = yesterday.
    page.reload()
    objection = ev.objections.get()
    page.click(f"#objection-{objection.pk} summary")
    page.fill(f"#id_answer-{objection.pk}-answer", "经核查，企业已于今年3月补发加班费，异议不成立")
    page.click(f"#objection-{objection.pk} button[type=submit]")
    page.wait_for_selector(".alert-success")
    Evaluation.objects.filter(pk=ev.pk).update(publicity_from=today - timedelta(days=8), publicity_until=today - timedelta(days=1))
    page.reload()
    page.click("#form-certify > summary")
    page.click("#form-certify button[type=submit]")
    page.wait_for_selector("#certificate-pdf")
    cert = Certification.objects.get()
    assert "status-valid" in page.get_attribute("#cert-status", "class")
    with page.expect_download() as download:
        page.click("#certificate-pdf")
    pdf = download.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    for expected in ("Alpha纺织有限公司", "县级劳动关系和谐企业", cert.number, "Testcounty区总工会"):
        assert expected in text, expected
    page.screenshot(path=str(SHOTS / "harmony-certificate-zh.png"), full_page=True)

    # 6. A later collective dispute (12 claimants) suspends the title at once.
    file_case(world, n=12, reps=3)
    cert.refresh_from_db()
    assert cert.status == "suspended"
    page.reload()
    assert "status-suspended" in page.get_attribute("#cert-status", "class")
    assert page.inner_text("#cert-status") in ("已暂停", "Suspended")
    assert page.locator("#county-reviews .county-review").count() == 1
    page.screenshot(path=str(SHOTS / "harmony-title-suspended-zh.png"), full_page=True)
    county.close()
