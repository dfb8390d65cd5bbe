"""Creation-round pages driven through the test client: the county opens a round (dates in order),
the round page (deadlines, progress, filtered list, export), the application from self-assessment
to certificate with each step's form offered only where the workflow allows it and errors next to
the field with nothing changed, the public publicity page (no login, CSRF, objections refused after
the period, no personal data), certificates (list, page, PDF read back with pypdf) and a title
suspended by a later collective dispute; query counts that do not grow with the rows."""
import csv
import io
from datetime import date, timedelta
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from concord.core.models import CalendarYear
from concord.harmony import services
from concord.harmony.models import (
    Certification, CountyReview, EnterpriseClass, Evaluation, Indicator, IndicatorScore, Objection, Round, Standard, Tier,
)
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import credit_code, id_number
from tests.disputes_helpers import file_case

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def setup(world):
    call_command("load_calendar", from_package=True, stdout=StringIO())
    # Publicity may run into next year: a calendar year of weekends only is enough for the pages.
    CalendarYear.objects.get_or_create(year=today().year + 1, defaults={"source": "test"})
    standard = Standard.objects.get()
    world.round = Round.objects.create(year=today().year, name="年度劳动关系和谐企业创建", standard=standard,
                                       opens_on=today() - timedelta(days=30), self_assessment_due=today() + timedelta(days=30),
                                       review_due=today() + timedelta(days=60), approval_due=today() + timedelta(days=90))
    Enterprise.objects.filter(pk=world.ent_a.pk).update(head_count=120, has_union=True, has_workers_congress=True)
    world.ent_a.refresh_from_db()
    Employment.objects.filter(pk=world.emp_a.pk).update(contract_signed=True, insured=True)
    workers = [Worker.objects.create(id_number=id_number("330621", "19900101", 700 + i), name=f"职工{i}") for i in range(9)]
    Employment.objects.bulk_create([Employment(worker=w, enterprise=world.ent_a, start_date=date(2024, 1, 1),
                                               contract_signed=i < 8, insured=True) for i, w in enumerate(workers)])
    world.county_tier = Tier.objects.get(code="county")
    return world


def manual(ev):
    return [s for s in ev.scores.select_related("indicator") if not s.indicator.is_computed]


def assess_data(ev, **override):
    data = {}
    for s in manual(ev):
        data[f"score-{s.indicator_id}"] = str(s.indicator.max_points)
        data[f"evidence-{s.indicator_id}"] = f"{s.indicator.code}台账"
    data.update(override)
    return data


def started(w):
    return services.evaluation_start(actor=w.union_a, round=w.round, enterprise=w.ent_a, tier=w.county_tier)


def submitted(w):
    ev = started(w)
    services.self_assess(ev, actor=w.union_a, points={s.indicator_id: s.indicator.max_points for s in manual(ev)})
    return services.evaluation_submit(ev, actor=w.union_a)


def reviewed(w):
    return services.evaluation_review(submitted(w), actor=w.officer_a, points={}, reasons={}, onsite_check_on=today(),
                                      onsite_notes="查阅台账")


def in_publicity(w):
    return services.evaluation_approve(reviewed(w), actor=w.admin)


def publicity_over(ev):
    # The services take today=…; the pages use today's date, so the period is moved into the past.
    Evaluation.objects.filter(pk=ev.pk).update(publicity_from=today() - timedelta(days=8),
                                               publicity_until=today() - timedelta(days=1))


# --- rounds ---------------------------------------------------------------------------------------

def test_county_opens_a_round_and_the_dates_must_follow_each_other(setup, login):
    w = setup
    client = login(w.admin)
    assert client.get("/harmony/rounds/").status_code == 200
    assert client.get("/harmony/rounds/add/").status_code == 200
    data = {"year": today().year + 1, "name": "下一年度创建", "standard": Standard.objects.get().pk,
            "opens_on": "2027-03-01", "self_assessment_due": "2027-02-01", "review_due": "2027-07-01",
            "approval_due": "2027-08-01", "is_open": "on"}
    response = client.post("/harmony/rounds/add/", data)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert not Round.objects.filter(year=today().year + 1).exists()
    response = client.post("/harmony/rounds/add/", {**data, "self_assessment_due": "2027-05-31"})
    created = Round.objects.get(year=today().year + 1)
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    # Towns read the rounds but do not open them.
    officer = login(w.officer_a)
    assert officer.get("/harmony/rounds/").status_code == 200
    assert officer.get("/harmony/rounds/add/").status_code == 404
    assert officer.post("/harmony/rounds/add/", {**data, "year": 2030}).status_code == 404


def test_round_page_shows_deadlines_progress_and_a_filtered_list_with_export(setup, login):
    w = setup
    submitted(w)
    services.evaluation_start(actor=w.officer_b, round=w.round, enterprise=w.ent_b, tier=w.county_tier)
    body = login(w.admin).get(w.round.get_absolute_url()).content.decode()
    assert "round-deadlines" in body and w.round.self_assessment_due.isoformat() in body
    assert "Alpha纺织有限公司" in body and "Bravo服饰有限公司" in body
    assert 'progress-submitted" href="?status=submitted#applications">' in body
    town = login(w.officer_a)
    body = town.get(w.round.get_absolute_url()).content.decode()
    assert "Alpha纺织有限公司" in body and "Bravo" not in body
    only_draft = login(w.admin).get(w.round.get_absolute_url(), {"status": "draft"}).content.decode()
    table = only_draft[only_draft.index('id="table-area"'):]
    assert "Bravo服饰有限公司" in table and "Alpha纺织有限公司" not in table
    by_town = login(w.admin).get(w.round.get_absolute_url(), {"town": w.town_a.pk}).content.decode()
    table = by_town[by_town.index('id="table-area"'):]
    assert "Alpha纺织有限公司" in table and "Bravo服饰有限公司" not in table
    exported = login(w.admin).get(w.round.get_absolute_url(), {"export": "csv", "status": "submitted"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == "Alpha纺织有限公司" and "93.0" in rows[1]
    assert "Bravo" not in town.get(w.round.get_absolute_url(), {"export": "csv"}).content.decode("utf-8-sig")
    listing = login(w.officer_b).get("/harmony/evaluations/").content.decode()
    assert "Bravo服饰有限公司" in listing and "Alpha纺织" not in listing


# --- the application ------------------------------------------------------------------------------

def test_union_officer_applies_self_assesses_and_submits(setup, login):
    w = setup
    client = login(w.union_a)
    page = client.get("/harmony/evaluations/apply/", {"enterprise": w.ent_a.pk}).content.decode()
    assert 'id="apply-form"' in page and w.round.name in page
    data = {"round": w.round.pk, "enterprise": w.ent_a2.pk, "tier": w.county_tier.pk}
    response = client.post("/harmony/evaluations/apply/", data)
    assert response.status_code == 400 and not Evaluation.objects.exists()  # not their enterprise
    response = client.post("/harmony/evaluations/apply/", {**data, "enterprise": w.ent_a.pk})
    ev = Evaluation.objects.get()
    assert response.status_code == 302 and response["Location"] == ev.get_absolute_url()
    page = client.get(ev.get_absolute_url()).content.decode()
    a1 = Indicator.objects.get(code="A1")
    assert 'id="assess-form"' in page and 'id="review-form"' not in page and 'id="form-approve"' not in page
    assert "90.0%" in page and "9/10" in page  # the contract rate's figures next to its points
    assert f'id="computed-{a1.pk}"' in page
    # A score above the maximum: refused next to its field, nothing saved.
    a2 = Indicator.objects.get(code="A2")
    response = client.post(f"/harmony/evaluations/{ev.pk}/assess/", assess_data(ev, **{f"score-{a2.pk}": "14.5"}),)
    body = response.content.decode()
    assert response.status_code == 400 and "14.5" in body and "14" in body
    block = body[body.index(f'id="indicator-{a2.pk}"'):]
    assert "invalid-feedback" in block[:block.index("</li>")]
    assert not IndicatorScore.objects.filter(evaluation=ev, self_points__isnull=False).exists()
    # Submitting with a manual indicator unscored: refused, nothing saved, still a draft.
    data = assess_data(ev, **{f"score-{a2.pk}": ""})
    response = client.post(f"/harmony/evaluations/{ev.pk}/assess/", {**data, "then": "submit"})
    assert response.status_code == 400 and Evaluation.objects.get(pk=ev.pk).status == "draft"
    assert not IndicatorScore.objects.filter(evaluation=ev, self_points__isnull=False).exists()
    # Saved, then submitted.
    response = client.post(f"/harmony/evaluations/{ev.pk}/assess/", assess_data(ev))
    assert response.status_code == 302
    assert IndicatorScore.objects.get(evaluation=ev, indicator=a2).evidence == "A2台账"
    assert client.post(f"/harmony/evaluations/{ev.pk}/refresh/").status_code == 302
    response = client.post(f"/harmony/evaluations/{ev.pk}/assess/", {**assess_data(ev), "then": "submit"})
    ev.refresh_from_db()
    assert response.status_code == 302 and ev.status == "submitted" and ev.self_score == D("93.0")
    page = client.get(ev.get_absolute_url()).content.decode()
    assert 'id="assess-form"' not in page and "A2台账" in page
    # The self-assessment no longer changes: a late POST is refused at the top of the page.
    response = client.post(f"/harmony/evaluations/{ev.pk}/assess/", assess_data(ev, **{f"score-{a2.pk}": "1"}))
    assert response.status_code == 400 and IndicatorScore.objects.get(evaluation=ev, indicator=a2).self_points == 14


def test_town_reviews_with_reasons_and_the_on_site_check(setup, login):
    w = setup
    ev = submitted(w)
    a2 = Indicator.objects.get(code="A2")
    union_page = login(w.union_a).get(ev.get_absolute_url()).content.decode()
    assert 'id="review-form"' not in union_page
    refused = login(w.union_a).post(f"/harmony/evaluations/{ev.pk}/review/", {"onsite_check_on": today().isoformat(),
                                                                              "onsite_notes": "x"})
    assert refused.status_code == 400 and Evaluation.objects.get(pk=ev.pk).status == "submitted"
    client = login(w.officer_a)
    page = client.get(ev.get_absolute_url()).content.decode()
    assert 'id="review-form"' in page and 'id="form-return"' in page
    response = client.post(f"/harmony/evaluations/{ev.pk}/review/", {f"score-{a2.pk}": "10"})
    body = response.content.decode()
    assert response.status_code == 400 and 'id="review-form"' in body
    block = body[body.index(f'id="indicator-{a2.pk}"'):]
    assert "invalid-feedback" in block[:block.index("</li>")] and "14" in block[:block.index("</li>")]
    assert body.count("invalid-feedback") >= 3  # the reason, the date and the findings
    assert Evaluation.objects.get(pk=ev.pk).status == "submitted"
    assert IndicatorScore.objects.filter(evaluation=ev, review_points__isnull=False).count() == 0
    response = client.post(f"/harmony/evaluations/{ev.pk}/review/", {
        f"score-{a2.pk}": "10", f"reason-{a2.pk}": "集体合同覆盖率仅75%", "onsite_check_on": today().isoformat(),
        "onsite_notes": "查阅台账，抽查合同20份"})
    ev.refresh_from_db()
    assert response.status_code == 302 and ev.status == "reviewed" and ev.review_score == D("89.0")
    page = client.get(ev.get_absolute_url()).content.decode()
    assert "集体合同覆盖率仅75%" in page and "查阅台账，抽查合同20份" in page and 'id="form-approve"' not in page


def test_return_needs_a_note_and_reopens_the_self_assessment(setup, login):
    w = setup
    ev = submitted(w)
    client = login(w.officer_a)
    response = client.post(f"/harmony/evaluations/{ev.pk}/return/", {"return-note": ""})
    assert response.status_code == 400 and Evaluation.objects.get(pk=ev.pk).status == "submitted"
    assert 'id="form-return" open' in response.content.decode()
    assert client.post(f"/harmony/evaluations/{ev.pk}/return/", {"return-note": "证明材料不全"}).status_code == 302
    assert Evaluation.objects.get(pk=ev.pk).status == "returned"
    assert 'id="assess-form"' in login(w.union_a).get(ev.get_absolute_url()).content.decode()


def test_county_approval_shows_the_tier_problem_and_publishes(setup, login):
    w = setup
    ev = reviewed(w)
    Evaluation.objects.filter(pk=ev.pk).update(tier=Tier.objects.get(code="city"))
    client = login(w.admin)
    page = client.get(ev.get_absolute_url()).content.decode()
    assert 'id="approval-problem"' in page
    response = client.post(f"/harmony/evaluations/{ev.pk}/approve/")
    body = response.content.decode()
    assert response.status_code == 400 and "365" in body and 'id="form-approve" open' in body
    assert Evaluation.objects.get(pk=ev.pk).status == "reviewed"
    assert login(w.officer_a).post(f"/harmony/evaluations/{ev.pk}/approve/").status_code == 400
    Evaluation.objects.filter(pk=ev.pk).update(tier=w.county_tier)
    assert client.post(f"/harmony/evaluations/{ev.pk}/approve/").status_code == 302
    ev.refresh_from_db()
    assert ev.status == "publicity" and ev.publicity_from == today()


def test_reject_needs_a_note(setup, login):
    w = setup
    ev = reviewed(w)
    client = login(w.admin)
    assert client.post(f"/harmony/evaluations/{ev.pk}/reject/", {"reject-note": ""}).status_code == 400
    assert client.post(f"/harmony/evaluations/{ev.pk}/reject/", {"reject-note": "现场核查发现超时加班"}).status_code == 302
    ev.refresh_from_db()
    assert ev.status == "rejected" and ev.decision_note == "现场核查发现超时加班"


def test_get_on_a_post_route_shows_the_page(setup, login):
    w = setup
    ev = submitted(w)
    for route in ("assess", "review", "return", "approve", "reject", "certify", "answer", "refresh"):
        response = login(w.officer_a).get(f"/harmony/evaluations/{ev.pk}/{route}/")
        assert response.status_code == 200 and 'id="scores"' in response.content.decode()
    assert login(w.officer_b).get(f"/harmony/evaluations/{ev.pk}/review/").status_code == 404
    assert login(w.officer_a).get(f"/harmony/rounds/{w.round.pk}/apply/").status_code == 200


# --- publicity ------------------------------------------------------------------------------------

def test_publicity_page_is_public_and_takes_objections_during_the_period(setup):
    w = setup
    ev = in_publicity(w)
    Objection.objects.all().delete()
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get("/harmony/publicity/")
    body = page.content.decode()
    assert page.status_code == 200 and "Alpha纺织有限公司" in body and "Alpha街道" in body and w.county_tier.name in body
    assert str(ev.review_score) in body and ev.publicity_until.isoformat() in body
    # Nothing personal or internal: no worker, no phone, no evidence, no on-site notes, no menu.
    for secret in ("Alpha职工", "13800001111", "查阅台账", "A2台账", "current-user"):
        assert secret not in body
    # CSRF applies on the public page too.
    assert anonymous.post("/harmony/publicity/", {"evaluation": ev.pk, "text": "异议"}).status_code == 403
    token = anonymous.cookies["csrftoken"].value
    response = anonymous.post("/harmony/publicity/", {"evaluation": ev.pk, "text": "", "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and not Objection.objects.exists()
    response = anonymous.post("/harmony/publicity/", {"evaluation": ev.pk, "text": "该企业曾拖欠加班费", "contact": "13800001111",
                                                      "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Objection.objects.get().contact == "13800001111"
    assert "13800001111" not in anonymous.get("/harmony/publicity/").content.decode()
    # After the period: the entry and its form are gone, and a POST is refused with a clear message.
    publicity_over(ev)
    body = anonymous.get("/harmony/publicity/").content.decode()
    assert "Alpha纺织有限公司" not in body and "objection-form" not in body
    response = anonymous.post("/harmony/publicity/", {"evaluation": ev.pk, "text": "迟到的异议", "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and "alert-danger" in response.content.decode()
    assert Objection.objects.count() == 1
    # An application not in publicity is refused the same way (nothing said about it).
    draft = services.evaluation_start(actor=w.officer_b, round=w.round, enterprise=w.ent_b, tier=w.county_tier)
    response = anonymous.post("/harmony/publicity/", {"evaluation": draft.pk, "text": "x", "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and "Bravo" not in response.content.decode() and Objection.objects.count() == 1


def test_county_answers_objections_and_certifies_after_the_period(setup, login, django_capture_on_commit_callbacks):
    w = setup
    ev = in_publicity(w)
    objection = services.objection_lodge(ev, text="该企业曾拖欠加班费")
    client = login(w.admin)
    response = client.post(f"/harmony/evaluations/{ev.pk}/certify/")
    assert response.status_code == 400 and Evaluation.objects.get(pk=ev.pk).status == "publicity"
    assert not Certification.objects.exists()
    page = client.get(ev.get_absolute_url()).content.decode()
    assert f'id="objection-{objection.pk}"' in page and f"answer-{objection.pk}-answer" in page
    assert f"answer-{objection.pk}-answer" not in login(w.officer_a).get(ev.get_absolute_url()).content.decode()
    response = client.post(f"/harmony/evaluations/{ev.pk}/answer/", {"objection": objection.pk, f"answer-{objection.pk}-answer": ""})
    assert response.status_code == 400 and not Objection.objects.get().answered_on
    response = client.post(f"/harmony/evaluations/{ev.pk}/answer/", {
        "objection": objection.pk, f"answer-{objection.pk}-answer": "经核查已于3月补发"})
    assert response.status_code == 302 and Objection.objects.get().answer == "经核查已于3月补发"
    publicity_over(ev)
    response = client.post(f"/harmony/evaluations/{ev.pk}/certify/")
    cert = Certification.objects.get()
    assert response.status_code == 302 and response["Location"] == cert.get_absolute_url()
    page = client.get(cert.get_absolute_url()).content.decode()
    assert cert.number in page and 'id="certificate-pdf"' in page and "status-valid" in page
    listing = client.get("/harmony/certifications/", {"tier": w.county_tier.pk}).content.decode()
    assert cert.number in listing
    exported = client.get("/harmony/certifications/", {"export": "csv"}).content.decode("utf-8-sig")
    assert cert.number in exported and "Alpha纺织有限公司" in exported
    assert login(w.officer_b).get(cert.get_absolute_url()).status_code == 404
    assert cert.number not in login(w.officer_b).get("/harmony/certifications/").content.decode()

    # The certificate, in Chinese, read back from the PDF; the issuer is the county's federation.
    pdf = login(w.union_a).get(f"/harmony/certifications/{cert.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "").replace("\n", "")
    for expected in ("Alpha纺织有限公司", w.county_tier.name, cert.number, "Testcounty区总工会",
                     f"{cert.certified_on.year}年{cert.certified_on.month}月{cert.certified_on.day}日",
                     f"{cert.valid_until.year}年{cert.valid_until.month}月{cert.valid_until.day}日"):
        assert expected in text, expected
    assert login(w.officer_b).get(f"/harmony/certifications/{cert.pk}/pdf/").status_code == 404

    # A later collective dispute suspends the title: the page says so and links the county's review.
    with django_capture_on_commit_callbacks(execute=True):
        file_case(w, n=12, reps=3)
    cert.refresh_from_db()
    assert cert.status == "suspended" and CountyReview.objects.filter(certification=cert).exists()
    page = client.get(cert.get_absolute_url()).content.decode()
    assert "status-suspended" in page and "county-review" in page
    suspended = client.get("/harmony/certifications/", {"status": "suspended"}).content.decode()
    assert cert.number in suspended


# --- query counts ---------------------------------------------------------------------------------

def many(w, n, start):
    klass, ents = EnterpriseClass.objects.get(code="small"), []
    for i in range(n):
        ent = Enterprise.objects.create(credit_code=credit_code(start + i), name=f"Alpha批量{start + i}有限公司", region=w.town_a)
        ev = Evaluation.objects.create(round=w.round, enterprise=ent, region_id=ent.region_id, enterprise_class=klass,
                                       tier=w.county_tier, status="certified", self_score=90)
        Certification.objects.create(number=f"T-{start + i}", enterprise=ent, region_id=ent.region_id, tier=w.county_tier,
                                     evaluation=ev, certified_on=today(), valid_until=today() + timedelta(days=1000),
                                     next_recheck_on=today() + timedelta(days=365))
        ents.append(ent)
    return ents


@pytest.mark.parametrize("url", ["/harmony/evaluations/", "/harmony/certifications/", "/harmony/rounds/", "ROUND"])
def test_query_counts_do_not_grow_with_rows(setup, login, url):
    w = setup
    client = login(w.officer_a)
    url = w.round.get_absolute_url() if url == "ROUND" else url
    many(w, 2, 100)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    many(w, 8, 200)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), url


def test_evaluation_page_query_count_does_not_grow_with_objections(setup, login):
    w = setup
    ev = in_publicity(w)
    services.objection_lodge(ev, text="一")
    client = login(w.admin)
    client.get(ev.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(ev.get_absolute_url())
    for text in ("二", "三", "四"):
        services.objection_lodge(ev, text=text)
    with CaptureQueriesContext(connection) as large:
        client.get(ev.get_absolute_url())
    assert len(large) == len(small)
