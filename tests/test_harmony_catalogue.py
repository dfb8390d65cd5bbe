"""Harmonious-enterprise catalogue pages through the test client: the standard (classes, indicators
per class, vetoes, totals) and the county's edits with their change log, tiers, veto events (manual
record suspending a title, filters), county review tasks (open first, decision), the worker's
anonymous survey on a phone (one answer each, results as counts only), measures with export and
query counts that do not grow with the data, the enterprise 360 section and the menu."""
import csv
import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.core.scope import Role
from concord.harmony import services
from concord.harmony.models import (
    Certification, CountyReview, EnterpriseClass, Evaluation, Indicator, Round, Standard, Survey, SurveyTally, Tier,
    VetoEvent, VetoItem,
)
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import credit_code, id_number, make_user
from tests.disputes_helpers import file_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def a_round(year=None, is_open=True):
    year = year or TODAY().year
    return Round.objects.create(year=year, name=f"{year}年度创建", standard=Standard.objects.get(), opens_on=date(year, 1, 1),
                                self_assessment_due=date(year, 12, 1), review_due=date(year, 12, 10),
                                approval_due=date(year, 12, 20), is_open=is_open)


def certified(ent, rnd, *, tier="county", on=None, number=None, score=None, status="certified"):
    """An evaluation at ``status`` (with a title when certified), made directly."""
    on = on or TODAY() - timedelta(days=30)
    klass = EnterpriseClass.objects.get(code="small")
    ev = Evaluation.objects.create(round=rnd, enterprise=ent, region_id=ent.region_id, enterprise_class=klass,
                                   tier=Tier.objects.get(code=tier), status=status, self_score=score)
    if status != "certified":
        return ev
    return Certification.objects.create(number=number or f"330603-HX-T-{ent.pk:04d}", enterprise=ent, region_id=ent.region_id,
                                        tier=ev.tier, evaluation=ev, certified_on=on, valid_until=on + timedelta(days=1000),
                                        next_recheck_on=on + timedelta(days=365))


def enterprise(world, seq, town=None, **kw):
    return Enterprise.objects.create(credit_code=credit_code(seq), name=f"Alpha和谐{seq}有限公司",
                                     region=town or world.town_a, **kw)


# --- the standard -------------------------------------------------------------------------------------

def test_standard_page_shows_classes_indicators_per_class_vetoes_and_totals(world, login):
    standard = Standard.objects.get()
    body = login(world.officer_a).get(f"/harmony/standards/{standard.pk}/").content.decode()
    assert 'id="class-large"' in body and 'id="class-small"' in body
    assert body.count('class="text-end total"><strong>100<') == 3 and 'id="totals-warning"' not in body
    a1s = body.split('id="indicator-A1s"')[1].split("</tr>")[0]
    assert 'class="small text-secondary limited"' in a1s and "30人以下企业" in a1s and "12" in a1s
    assert 'id="indicator-B1"' in body and 'id="veto-V3"' in body and "730" in body
    assert 'id="add-indicator"' not in body  # read only for a town
    assert login(world.officer_a).get(f"/harmony/standards/{standard.pk}/edit/").status_code == 404
    admin = login(world.admin).get(f"/harmony/standards/{standard.pk}/").content.decode()
    assert 'id="add-indicator"' in admin and 'id="add-veto"' in admin
    assert str(standard.name) in login(world.officer_b).get("/harmony/standards/").content.decode()


def test_county_edits_an_indicator_with_totals_warning_and_change_log(world, login):
    standard = Standard.objects.get()
    b2 = Indicator.objects.get(code="B2")
    admin = login(world.admin)
    url = f"/harmony/indicators/{b2.pk}/edit/"
    form = {"group": b2.group_id, "code": "B2", "text": b2.text, "max_points": "7", "method": "manual", "params": "{}",
            "guidance": b2.guidance, "order": b2.order}
    # Bad input: more than 100 points, a code another indicator has; nothing changes.
    assert admin.post(url, {**form, "max_points": "120"}).status_code == 200
    assert admin.post(url, {**form, "code": "B1"}).status_code == 200
    assert admin.post(url, {**form, "params": "[1, 2]"}).status_code == 200
    b2.refresh_from_db()
    assert (b2.max_points, b2.code) == (5, "B2")
    response = admin.post(url, form, follow=True)
    assert response.status_code == 200
    b2.refresh_from_db()
    assert b2.max_points == 7
    body = response.content.decode()
    assert 'id="totals-warning"' in body and body.count('class="text-end total"><strong>102<') == 3
    assert any(m.level_tag == "warning" for m in response.context["messages"])
    entry = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Indicator), object_pk=str(b2.pk)).latest("timestamp")
    assert "max_points" in entry.changes_dict and entry.actor == world.admin
    # A new indicator for one class only.
    small = EnterpriseClass.objects.get(code="small")
    response = admin.post(f"/harmony/standards/{standard.pk}/indicators/add/", {
        "group": b2.group_id, "code": "B3", "text": "工资集体协商", "max_points": "3", "method": "manual", "params": "",
        "classes": [small.pk], "order": 9}, follow=True)
    b3 = Indicator.objects.get(code="B3")
    assert list(b3.classes.all()) == [small] and b3.params == {}
    assert response.content.decode().count('class="text-end total"><strong>105<') == 1  # small: 100 + 2 + 3
    assert login(world.officer_a).get(f"/harmony/standards/{standard.pk}/indicators/add/").status_code == 404


def test_county_adds_and_edits_veto_items_and_tiers(world, login):
    standard = Standard.objects.get()
    admin = login(world.admin)
    response = admin.post(f"/harmony/standards/{standard.pk}/vetoes/add/", {
        "code": "V6", "text": "发生严重违法用工行为被行政处罚", "detection": "manual", "look_back_days": "365"})
    assert response.status_code == 302 and VetoItem.objects.get(code="V6").standard == standard
    assert admin.post(f"/harmony/standards/{standard.pk}/vetoes/add/", {
        "code": "V6", "text": "重复", "detection": "manual", "look_back_days": "365"}).status_code == 200
    assert VetoItem.objects.filter(code="V6").count() == 1
    v6 = VetoItem.objects.get(code="V6")
    assert admin.post(f"/harmony/veto-items/{v6.pk}/edit/", {"code": "V6", "text": v6.text, "detection": "manual",
                                                             "look_back_days": "0"}).status_code == 200
    # Tiers: everyone reads them, the county edits; a prerequisite must be a lower tier.
    assert 'id="tier-city"' in login(world.officer_a).get("/harmony/tiers/").content.decode()
    city, province = Tier.objects.get(code="city"), Tier.objects.get(code="province")
    url = f"/harmony/tiers/{city.pk}/edit/"
    form = {"name": city.name, "min_score": "86", "prerequisite": Tier.objects.get(code="county").pk,
            "prerequisite_days": "730", "validity_years": "3", "recheck_months": "12"}
    assert admin.post(url, {**form, "prerequisite": province.pk}).status_code == 200
    assert admin.post(url, {**form, "min_score": "101"}).status_code == 200
    city.refresh_from_db()
    assert city.min_score == 85
    assert admin.post(url, form).status_code == 302
    city.refresh_from_db()
    assert (city.min_score, city.prerequisite_days) == (86, 730)
    assert LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Tier), object_pk=str(city.pk)).exists()
    assert login(world.officer_a).get(url).status_code == 404


# --- veto events and county reviews ---------------------------------------------------------------------

def test_town_records_a_manual_veto_which_suspends_the_title(world, login):
    cert = certified(world.ent_a, a_round())
    client = login(world.officer_a)
    item = VetoItem.objects.get(code="V1")
    url = "/harmony/vetoes/new/"
    # Bad input: an enterprise of another town, a future date, no description; nothing recorded.
    assert client.post(url, {"enterprise": world.ent_b.credit_code, "item": item.pk, "occurred_on": TODAY().isoformat(),
                             "description": "童工"}).status_code == 200
    response = client.post(url, {"enterprise": world.ent_a.credit_code, "item": item.pk,
                                 "occurred_on": (TODAY() + timedelta(days=2)).isoformat(), "description": "童工"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"occurred_on"}
    response = client.post(url, {"enterprise": world.ent_a.credit_code, "item": item.pk,
                                 "occurred_on": TODAY().isoformat(), "description": " "})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"description"}
    assert not VetoEvent.objects.exists()
    response = client.post(url, {"enterprise": world.ent_a.name, "item": item.pk, "occurred_on": TODAY().isoformat(),
                                 "description": "劳动监察发现使用童工1名"}, follow=True)
    event = VetoEvent.objects.get()
    body = response.content.decode()
    assert cert.number in body and 'id="suspended"' in body
    cert.refresh_from_db()
    assert cert.status == "suspended" and CountyReview.objects.get().certification == cert
    # The list and its filters.
    assert event.description in client.get("/harmony/vetoes/").content.decode()
    assert event.description in client.get("/harmony/vetoes/", {"origin": "manual"}).content.decode()
    assert event.description not in client.get("/harmony/vetoes/", {"origin": "detected"}).content.decode()
    assert event.description not in client.get("/harmony/vetoes/", {"town": world.town_b.pk}).content.decode()
    assert event.description in client.get("/harmony/vetoes/", {"item": item.pk}).content.decode()
    assert event.description not in login(world.officer_b).get("/harmony/vetoes/").content.decode()
    assert login(world.union_a).get("/harmony/vetoes/").status_code == 404


def test_county_reviews_open_first_and_decides(world, login):
    rnd = a_round()
    old = certified(world.ent_a, rnd)
    new = certified(world.ent_a2, rnd)
    item = VetoItem.objects.get(code="V2")
    for cert in (old, new):
        services.veto_record(actor=world.officer_a, enterprise=cert.enterprise, item=item, occurred_on=TODAY(),
                             description=f"{cert.enterprise.name}安全事故")
    first, second = CountyReview.objects.order_by("pk")
    admin = login(world.admin)
    services.review_decide(first, actor=world.admin, decision="restore", note="经核查非企业责任")
    body = admin.get("/harmony/reviews/").content.decode()
    assert body.index(second.certification.number) < body.index(first.certification.number)  # open first
    assert body.count("review-open") == 1
    assert second.certification.number not in admin.get("/harmony/reviews/", {"open": "false"}).content.decode()
    # A town reads the task but does not decide it.
    town = login(world.officer_a)
    assert town.get(f"/harmony/reviews/{second.pk}/").status_code == 200
    assert 'id="decide"' not in town.get(f"/harmony/reviews/{second.pk}/").content.decode()
    assert town.post(f"/harmony/reviews/{second.pk}/decide/", {"decision": "revoke", "note": "x"}).status_code == 404
    assert 'id="decide"' in admin.get(f"/harmony/reviews/{second.pk}/").content.decode()
    response = admin.post(f"/harmony/reviews/{second.pk}/decide/", {"decision": "revoke", "note": ""})
    assert response.status_code == 400 and CountyReview.objects.get(pk=second.pk).closed_on is None
    response = admin.post(f"/harmony/reviews/{second.pk}/decide/", {"decision": "revoke", "note": "重大安全事故，撤销称号"})
    assert response.status_code == 302
    assert Certification.objects.get(pk=new.pk).status == "revoked"
    assert Certification.objects.get(pk=old.pk).status == "valid"
    # A decided task takes no second decision.
    assert admin.post(f"/harmony/reviews/{second.pk}/decide/", {"decision": "restore", "note": "再议"}).status_code == 400


# --- the survey ----------------------------------------------------------------------------------------

def survey_world(world, login, workers=0):
    """A survey of town A's enterprise opened by its town, and ``workers`` more signed-in workers there."""
    client = login(world.officer_a)
    response = client.post("/harmony/surveys/new/", {"enterprise": world.ent_a.credit_code, "opens_on": TODAY().isoformat(),
                                                     "closes_on": (TODAY() + timedelta(days=10)).isoformat(),
                                                     "min_responses": "6"})
    assert response.status_code == 302
    survey = Survey.objects.get()
    users = [world.worker_user]
    for i in range(workers):
        user = make_user(f"survey_worker_{i}", Role.WORKER, name=f"职工{i}")
        w = Worker.objects.create(id_number=id_number("330621", "19920101", 400 + i), name=f"职工{i}", user=user)
        Employment.objects.create(worker=w, enterprise=world.ent_a, start_date=date(2024, 1, 1))
        users.append(user)
    return survey, users


def answers(survey, value):
    return {f"q{q.pk}": value for q in survey.questions.all()}


def test_worker_answers_on_a_phone_once_and_results_are_counts(world, login):
    survey, users = survey_world(world, login, workers=5)
    assert survey.min_responses == 6 and survey.questions.count() == 6
    worker = login(world.worker_user)
    page = worker.get(f"/harmony/surveys/{survey.pk}/answer/").content.decode()
    assert page.count('class="btn-check"') == 30 and "btn-lg" in page and 'id="staff-preview"' not in page
    assert f"/harmony/surveys/{survey.pk}/answer/" in worker.get("/harmony/surveys/").content.decode()
    # Missing answers: refused, nothing counted.
    partial = answers(survey, "4")
    partial.pop(next(iter(partial)))
    assert worker.post(f"/harmony/surveys/{survey.pk}/answer/", partial).status_code == 400
    assert Survey.objects.get(pk=survey.pk).responses == 0
    response = worker.post(f"/harmony/surveys/{survey.pk}/answer/", answers(survey, "5"), follow=True)
    assert 'id="already-answered"' in response.content.decode()
    # A second answer is refused with a clear message and changes nothing.
    response = worker.post(f"/harmony/surveys/{survey.pk}/answer/", answers(survey, "1"))
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert Survey.objects.get(pk=survey.pk).responses == 1 and not SurveyTally.objects.filter(value=1).exists()
    # Staff see the page as the workers do but cannot answer; a worker elsewhere does not see it.
    staff = login(world.officer_a)
    preview = staff.get(f"/harmony/surveys/{survey.pk}/answer/").content.decode()
    assert 'id="staff-preview"' in preview and "disabled" in preview
    assert staff.post(f"/harmony/surveys/{survey.pk}/answer/", answers(survey, "3")).status_code == 400
    outsider = make_user("bravo_worker", Role.WORKER, name="Bravo职工")
    Worker.objects.filter(pk=world.worker_b.pk).update(user=outsider)
    assert login(outsider).get(f"/harmony/surveys/{survey.pk}/answer/").status_code == 404
    # Results: below the floor no counts are shown; then the distribution and the satisfied share.
    results = staff.get(f"/harmony/surveys/{survey.pk}/")
    assert 'id="answers-hidden"' in results.content.decode() and results.context["chart"] is None
    for i, user in enumerate(users[1:]):
        assert login(user).post(f"/harmony/surveys/{survey.pk}/answer/", answers(survey, "2" if i == 0 else "4")).status_code == 302
    # Still open: nothing but the number of responses (issue 13 item 18, differencing).
    results = staff.get(f"/harmony/surveys/{survey.pk}/")
    assert 'id="answers-hidden"' in results.content.decode() and 'id="s-share">—' in results.content.decode()
    Survey.objects.filter(pk=survey.pk).update(closes_on=TODAY() - timedelta(days=1))
    results = staff.get(f"/harmony/surveys/{survey.pk}/")
    body = results.content.decode()
    assert 'id="s-responses">6<' in body and 'id="s-share">83.3%' in body and 'data-harmony-chart="chart-questions"' in body
    assert results.context["chart"]["rows"][0] == ["Q1", 0, 1, 0, 4, 1]
    # The worker's own view of the survey shows no results.
    mine = worker.get(f"/harmony/surveys/{survey.pk}/").content.decode()
    assert "s-share" not in mine and "83.3" not in mine
    assert login(world.officer_b).get(f"/harmony/surveys/{survey.pk}/").status_code == 404
    listing = staff.get("/harmony/surveys/").content.decode()
    assert world.ent_a.name in listing


def test_survey_open_refuses_bad_input(world, login):
    client = login(world.union_a)
    response = client.post("/harmony/surveys/new/", {"enterprise": world.ent_a.credit_code, "opens_on": TODAY().isoformat(),
                                                     "closes_on": (TODAY() - timedelta(days=1)).isoformat()})
    assert response.status_code == 200 and "closes_on" in response.context["form"].errors
    response = client.post("/harmony/surveys/new/", {"enterprise": world.ent_a2.credit_code, "opens_on": TODAY().isoformat(),
                                                     "closes_on": TODAY().isoformat()})
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors
    assert not Survey.objects.exists()
    assert login(world.worker_user).get("/harmony/surveys/new/").status_code == 404


# --- measures ------------------------------------------------------------------------------------------

def test_measures_coverage_progress_scores_and_later_disputes(world, login):
    rnd = a_round()
    cert = certified(world.ent_a, rnd, on=TODAY() - timedelta(days=60))
    certified(world.ent_b, rnd, tier="compliant", number="330603-HX-T-B")
    certified(world.ent_a2, rnd, status="submitted", score=D("72.5"))
    extra = enterprise(world, 50)
    certified(extra, rnd, status="reviewed", score=D("91"))
    file_case(world, respondent=world.ent_a, received_on=TODAY() - timedelta(days=10))
    file_case(world, respondent=world.ent_a, received_on=TODAY() - timedelta(days=90), confirm_duplicate=True)  # before the title: not counted
    client = login(world.admin)
    response = client.get("/harmony/measures/")
    body = response.content.decode()
    m = response.context["m"]
    assert response.status_code == 200 and 'id="m-certified">2<' in body
    town_a = next(r for r in m.towns if r["town"] == world.town_a.name)
    assert (town_a["enterprises"], town_a["certified"], town_a["share"]) == (3, 1, D("33.3"))
    county = [t.code for t in m.tiers].index("county")
    assert town_a["by_tier"][county] == 1
    assert m.applications == 4 and dict(m.histogram)["70–79"] == 1 and dict(m.histogram)["90–100"] == 1
    assert m.later_disputes == 1 and [c.pk for c in m.later_rows] == [cert.pk] and m.later_rows[0].cases_after == 1
    assert 'data-harmony-chart="chart-coverage"' in body and 'data-harmony-chart="chart-scores"' in body
    export = client.get("/harmony/measures/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert export.status_code == 200 and rows[3][1] == "2" and any(cert.number in r for r in rows)
    assert client.get("/harmony/measures/", {"export": "xlsx"}).content[:2] == b"PK"
    # A town sees its own figures only; a worker has no measures.
    town_b = login(world.officer_b).get("/harmony/measures/").context["m"]
    assert town_b.total_certified == 1 and town_b.later_total == 0 and town_b.applications == 1
    assert login(world.worker_user).get("/harmony/measures/").status_code == 404


def test_measures_later_counts_cases_and_alerts_once_per_certificate(world, login):
    """A certificate with a later case and a later alert counts once in the total and once in each
    kind; an alert raised before the certificate does not count; the rows carry their counts."""
    from concord.alerts.models import Alert

    def alert(ent, number, raised_on, status="closed"):  # one open alert per enterprise at a time
        Alert.objects.create(number=number, enterprise=ent, region=ent.region, level="red", reason="test",
                             raised_on=raised_on, deadline=raised_on + timedelta(days=5), status=status)

    rnd = a_round()
    both = certified(world.ent_a, rnd, on=TODAY() - timedelta(days=60))
    only_alert = certified(world.ent_b, rnd, tier="compliant", number="330603-HX-T-B", on=TODAY() - timedelta(days=30))
    certified(world.ent_a2, rnd, number="330603-HX-T-A2", on=TODAY() - timedelta(days=20))
    file_case(world, respondent=world.ent_a, received_on=TODAY() - timedelta(days=10))
    alert(world.ent_a, "YJ-T-1", TODAY() - timedelta(days=5))
    alert(world.ent_a, "YJ-T-2", TODAY() - timedelta(days=4))
    alert(world.ent_b, "YJ-T-3", TODAY() - timedelta(days=1), status="open")
    alert(world.ent_a2, "YJ-T-4", TODAY() - timedelta(days=25))  # before its certificate: not counted
    m = login(world.admin).get("/harmony/measures/").context["m"]
    assert (m.later_total, m.later_disputes, m.later_alerts) == (2, 1, 2)
    assert [(c.pk, c.cases_after, c.alerts_after) for c in m.later_rows] == [(only_alert.pk, 0, 1), (both.pk, 1, 2)]
    town_b = login(world.officer_b).get("/harmony/measures/").context["m"]
    assert (town_b.later_total, town_b.later_disputes, town_b.later_alerts) == (1, 0, 1)


def test_certificates_keep_the_first_later_case_and_alert(world):
    """The stored dates follow cases and alerts created and deleted through any path, a certificate
    made after the fact picks up what came before it, and a full recomputation changes nothing."""
    from concord.alerts.models import Alert

    rnd = a_round()
    cert = certified(world.ent_a, rnd, on=TODAY() - timedelta(days=60))
    other = certified(world.ent_b, rnd, number="330603-HX-T-B", on=TODAY() - timedelta(days=60))
    assert (cert.later_case_on, cert.later_alert_on) == (None, None)
    file_case(world, respondent=world.ent_a, received_on=TODAY() - timedelta(days=90))  # before the title
    cert.refresh_from_db()
    assert cert.later_case_on is None
    late = file_case(world, respondent=world.ent_a, received_on=TODAY() - timedelta(days=10), confirm_duplicate=True)
    early = file_case(world, respondent=world.ent_a, received_on=TODAY() - timedelta(days=40), confirm_duplicate=True)
    cert.refresh_from_db()
    assert cert.later_case_on == TODAY() - timedelta(days=40)
    early.delete()
    cert.refresh_from_db()
    assert cert.later_case_on == late.received_on
    alert = Alert.objects.create(number="YJ-L-1", enterprise=world.ent_a, region=world.ent_a.region, level="red",
                                 reason="test", raised_on=TODAY() - timedelta(days=3), deadline=TODAY(), status="closed")
    cert.refresh_from_db()
    other.refresh_from_db()
    assert cert.later_alert_on == alert.raised_on and (other.later_case_on, other.later_alert_on) == (None, None)
    alert.delete()
    cert.refresh_from_db()
    assert cert.later_alert_on is None
    # A title dated before an existing case (a back-dated certificate) counts it from the start.
    third = certified(world.ent_a2, rnd, number="330603-HX-T-A2", on=TODAY() - timedelta(days=400))
    file_case(world, respondent=world.ent_a2, received_on=TODAY() - timedelta(days=20))
    fourth = certified(world.ent_a2, a_round(TODAY().year - 1), number="330603-HX-T-A2b", on=TODAY() - timedelta(days=30))
    assert Certification.objects.get(pk=fourth.pk).later_case_on == TODAY() - timedelta(days=20)
    kept = list(Certification.objects.order_by("pk").values_list("pk", "later_case_on", "later_alert_on"))
    services.refresh_later()
    assert list(Certification.objects.order_by("pk").values_list("pk", "later_case_on", "later_alert_on")) == kept
    assert third.pk in {pk for pk, case_on, _a in kept if case_on}


def test_measures_later_disputes_unknown_to_a_narrowed_view(world, login):
    """A court liaison sees the court-delegated cases only: the stored dates count every case, so
    the page shows "—" for later disputes rather than a figure about cases they cannot see."""
    rnd = a_round()
    certified(world.ent_a, rnd, on=TODAY() - timedelta(days=60))
    file_case(world, respondent=world.ent_a, received_on=TODAY() - timedelta(days=10))
    response = login(world.court).get("/harmony/measures/")
    m = response.context["m"]
    assert response.status_code == 200 and not m.cases_known and m.later_disputes == 0
    body = response.content.decode()
    assert 'id="m-later-disputes">—<' in body
    if not m.alerts_known:  # neither kind known: the section says so instead of "(0)"
        assert ("(—)" in body or "（—）" in body) and "(0)" not in body and "（0）" not in body
    admin = login(world.admin).get("/harmony/measures/").context["m"]
    assert admin.cases_known and admin.later_disputes == 1


def test_measures_query_count_does_not_grow_with_data(world, login):
    rnd = a_round()
    certified(world.ent_a, rnd)
    file_case(world, respondent=world.ent_a)
    client = login(world.admin)
    client.get("/harmony/measures/")
    with CaptureQueriesContext(connection) as small:
        client.get("/harmony/measures/")
    for i in range(12):
        ent = enterprise(world, 200 + i, town=world.town_b if i % 2 else world.town_a)
        certified(ent, rnd, tier=["compliant", "county", "city"][i % 3]) if i % 4 else certified(ent, rnd, status="submitted", score=70 + i)
        if i % 3 == 0:
            file_case(world, respondent=ent, actor=world.officer_b if i % 2 else world.officer_a)
    with CaptureQueriesContext(connection) as large:
        client.get("/harmony/measures/")
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


@pytest.mark.parametrize("url", ["/harmony/vetoes/", "/harmony/reviews/", "/harmony/surveys/"])
def test_list_query_counts_do_not_grow_with_rows(world, login, url):
    rnd = a_round()
    item = VetoItem.objects.get(code="V1")

    def add(ent):
        certified(ent, rnd)
        services.veto_record(actor=world.admin, enterprise=ent, item=item, occurred_on=TODAY(), description="童工")
        services.survey_open(actor=world.admin, enterprise=ent, opens_on=TODAY(), closes_on=TODAY() + timedelta(days=5))

    add(world.ent_a)
    client = login(world.admin)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(8):
        add(enterprise(world, 300 + i, town=world.town_b if i % 2 else world.town_a))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


# --- the enterprise 360 section and the menu -------------------------------------------------------------

def test_enterprise_360_section_shows_titles_round_and_vetoes(world, login):
    rnd = a_round()
    cert = certified(world.ent_a, a_round(year=TODAY().year - 1, is_open=False))
    certified(world.ent_a, rnd, status="submitted", score=D("88"))
    services.veto_record(actor=world.officer_a, enterprise=world.ent_a, item=VetoItem.objects.get(code="V1"),
                         occurred_on=TODAY(), description="童工")
    body = login(world.officer_a).get(world.ent_a.get_absolute_url()).content.decode()
    panel = body.split('id="harmony-panel"')[1]
    assert cert.number in panel and 'id="harmony-evaluation-status"' in panel and "/harmony/vetoes/" in panel
    # The union officer sees the titles and the application, not the veto events.
    union = login(world.union_a).get(world.ent_a.get_absolute_url()).content.decode()
    assert cert.number in union.split('id="harmony-panel"')[1] and "/harmony/vetoes/" not in union.split('id="harmony-panel"')[1]


def test_menu_lists_the_harmony_pages(world, login):
    home = login(world.officer_a).get("/").content.decode()
    for url in ("/harmony/standards/", "/harmony/tiers/", "/harmony/vetoes/", "/harmony/reviews/", "/harmony/surveys/",
                "/harmony/measures/"):
        assert f'href="{url}"' in home, url
    worker = login(world.worker_user).get("/").content.decode()
    assert 'href="/harmony/surveys/"' in worker and 'href="/harmony/measures/"' not in worker
