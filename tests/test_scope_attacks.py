"""Attacks on the scope from the roles of issue 13: each test tries what a user did, as they did it."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.alerts import rules as alert_rules, services as alert_services
from concord.alerts.models import Alert
from concord.core.models import Event
from tests.disputes_helpers import claimants, file_case

pytestmark = pytest.mark.django_db

EVENTS = "/core/audit/events/"


def _alert(world, ent=None):
    ent = ent or world.ent_a
    alert_services.signal_record(actor=world.officer_a, enterprise=ent, kind=alert_rules.WAGE_ARREARS,
                                 observed_on=timezone.localdate(), value=D("2.5"), today=timezone.localdate())
    alert = Alert.objects.get(enterprise=ent)
    alert_services.action_record(alert, actor=world.officer_a, kind="visit", done_on=timezone.localdate(),
                                 summary="Secret处置记录", today=timezone.localdate())
    return alert


# --- item 10: the event log follows its subject's scope --------------------------------------------

def test_court_liaison_reads_only_the_events_of_records_they_may_open(world, login):
    walk_in = file_case(world, people=claimants(1, prefix="330621"))
    court = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="post_filing",
                      court_received_on=timezone.localdate(), people=claimants(1, prefix="330622"), amount_claimed=None)
    alert = _alert(world)
    for subject in (walk_in, alert, court):
        assert Event.objects.filter(object_id=str(subject.pk)).exists()
    client = login(world.court)
    page = client.get(EVENTS, {"per_page": 100}).content.decode()
    export = client.get(EVENTS, {"export": "csv"}).content.decode("utf-8-sig")
    for body in (page, export):
        assert walk_in.number not in body and alert.number not in body and "Secret" not in body
        assert court.number in body  # the court referral's own events stay readable
    visible = set(Event.objects.visible_to(world.court).values_list("content_type__model", "object_id"))
    assert ("case", str(walk_in.pk)) not in visible and ("alert", str(alert.pk)) not in visible
    assert ("case", str(court.pk)) in visible and ("enterprise", str(world.ent_a.pk)) in visible
    # The town officer who handles both still reads every one of them.
    mine = set(Event.objects.visible_to(world.officer_a).values_list("object_id", flat=True))
    assert {str(walk_in.pk), str(alert.pk), str(court.pk)} <= mine


def test_union_officer_reads_no_early_warning_events(world, login):
    alert = _alert(world)
    assert Event.objects.filter(object_id=str(alert.pk), enterprise_id=world.ent_a.pk).exists()  # anchored to its enterprise
    client = login(world.union_a)
    for body in (client.get(EVENTS).content.decode(), client.get(EVENTS, {"export": "csv"}).content.decode("utf-8-sig")):
        assert alert.number not in body and "Secret" not in body
        assert "Alpha事件" in body  # their own enterprise's events
    assert not Event.objects.visible_to(world.union_a).filter(content_type__model="alert").exists()


def test_event_list_queries_stay_constant(world, login):
    client = login(world.court)
    client.get(EVENTS)
    with CaptureQueriesContext(connection) as few:
        client.get(EVENTS)
    for i in range(6):
        file_case(world, actor=world.court, source="court_delegated", court_referral_kind="post_filing",
                  court_received_on=timezone.localdate(), people=claimants(1, prefix="330623", born=f"1990010{i + 1}"),
                  amount_claimed=None)
        file_case(world, people=claimants(1, prefix="330624", born=f"1990010{i + 1}"))
    with CaptureQueriesContext(connection) as many:
        body = client.get(EVENTS).content.decode()
    assert "court_delegated" not in body
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


# --- item 12: a past employer keeps the past, not the person ---------------------------------------

def _move_to_town_b(world):
    """Worker A leaves enterprise A (the employment ends) and starts at enterprise B."""
    from concord.registry.models import Employment

    world.emp_a.end_date = date(2025, 6, 30)
    world.emp_a.save()
    return Employment.objects.create(worker=world.worker_a, enterprise=world.ent_b, start_date=date(2025, 7, 1))


def test_past_employers_union_no_longer_opens_or_reveals_the_worker(world, login):
    case = file_case(world, people=claimants(1, prefix="330625"))  # a case against enterprise A
    _move_to_town_b(world)
    client = login(world.union_a)
    worker = f"/registry/workers/{world.worker_a.pk}/"
    assert client.get(worker).status_code == 404
    assert client.post(f"{worker}reveal/phone/").status_code == 404
    assert client.get(f"/api/workers/{world.worker_a.pk}/").status_code == 404
    assert "13800001111" not in client.get("/api/workers/", {"phone": "13800001111"}).content.decode()
    # What the past employer keeps: the past employment row (without the new employer) and its cases.
    row = client.get(f"/registry/employments/{world.emp_a.pk}/")
    assert row.status_code == 200 and "Bravo" not in row.content.decode()
    assert client.get(f"/api/employments/{world.emp_a.pk}/").status_code == 200
    assert client.get(f"/disputes/cases/{case.pk}/").status_code == 200
    # The new employer's union and town hold the worker; the old town no longer does.
    from concord.core.scope import Role
    from tests.conftest import make_user

    union_b = make_user("bravo_union", Role.UNION_OFFICER, enterprise=world.ent_b)
    assert login(union_b).get(worker).status_code == 200
    assert login(world.officer_b).get(worker).status_code == 200
    assert login(world.officer_a).get(worker).status_code == 404


def test_a_worker_without_a_current_employment_stays_with_the_towns_they_worked_in(world, login):
    world.emp_a.end_date = date(2025, 6, 30)
    world.emp_a.save()
    from concord.registry.models import Worker

    assert Worker.objects.visible_to(world.officer_a).filter(pk=world.worker_a.pk).exists()  # e.g. a dispute after leaving
    assert not Worker.objects.visible_to(world.union_a).filter(pk=world.worker_a.pk).exists()
    assert not Worker.objects.visible_to(world.officer_b).filter(pk=world.worker_a.pk).exists()


# --- item 21: no worker strands; erasure; both head counts -----------------------------------------

def test_deleting_the_last_employment_leaves_the_worker_with_the_county(world, login, django_capture_on_commit_callbacks):
    from concord.registry.models import Worker

    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.officer_b).post(f"/registry/employments/{world.emp_b.pk}/delete/")
    assert response.status_code == 302 and not world.worker_b.employments.exists()
    for user in (world.admin, world.auditor):
        assert login(user).get(f"/registry/workers/{world.worker_b.pk}/").status_code == 200
    assert login(world.admin).get(f"/api/workers/{world.worker_b.pk}/").status_code == 200
    assert not Worker.objects.visible_to(world.officer_b).filter(pk=world.worker_b.pk).exists()
    world.ent_b.refresh_from_db()
    assert world.ent_b.head_count == 0


def test_moving_an_employment_refreshes_both_head_counts(world, login, django_capture_on_commit_callbacks):
    from concord.registry.services import refresh_workforce

    refresh_workforce()
    world.ent_a.refresh_from_db()
    assert world.ent_a.head_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        world.emp_a.enterprise = world.ent_a2
        world.emp_a.save()
    for ent, count in ((world.ent_a, 0), (world.ent_a2, 2)):
        ent.refresh_from_db()
        assert ent.head_count == count, ent


def test_erasure_is_the_county_administrators_and_removes_the_person(world, login):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from concord.core.models import AccessLog, Event
    from concord.registry.models import Worker

    worker = world.worker_a
    url = f"/registry/workers/{worker.pk}/erase/"
    api = f"/api/workers/{worker.pk}/erase/"
    # The town officer and the union may change the worker but never erase them.
    for user in (world.officer_a, world.union_a):
        client = login(user)
        assert "erase-refused" in client.get(url).content.decode()
        assert client.post(url, {"reason": "本人申请"}).status_code == 403
        assert client.get(api).json()["allowed"] is False
        assert client.post(api, {"reason": "本人申请"}, content_type="application/json").status_code == 403
    assert login(world.officer_b).get(url).status_code == 404
    admin = login(world.admin)
    refused = admin.post(url, {"reason": " "})
    assert refused.status_code == 400 and Worker.objects.get(pk=worker.pk).erased_at is None
    assert admin.post(url, {"reason": "本人2026-12-01书面申请删除"}).status_code == 302
    erased = Worker.objects.get(pk=worker.pk)
    assert erased.erased_at and erased.name == f"#{worker.pk}" and erased.phone == "" and erased.user is None
    assert erased.birth_date == date(1995, 1, 1) and erased.sex == worker.sex and erased.hukou_province == worker.hukou_province
    assert not erased.id_number.startswith("5224")
    world.worker_user.refresh_from_db()
    assert not world.worker_user.is_active
    ct = ContentType.objects.get_for_model(Worker)
    trail = " ".join(str(e.changes) + e.object_repr for e in LogEntry.objects.filter(content_type=ct, object_pk=str(worker.pk)))
    assert "Alpha职工" not in trail and "13800001111" not in trail
    assert not AccessLog.objects.filter(object_repr__contains="Alpha职工").exists()
    event = Event.objects.get(verb="worker.erase", object_id=str(worker.pk))
    assert event.actor == world.admin and event.data["reason"].startswith("本人")
    # The ID number can be registered again, and the erased row is not refilled.
    from tests.conftest import id_number

    again = admin.post("/api/workers/", {"id_number": id_number("522422", "19950312", 11), "name": "重新登记", "phone": "",
                                         "enterprise": world.ent_a.pk, "start_date": "2026-01-05"}, content_type="application/json")
    assert again.status_code == 201, again.content
    assert admin.patch(f"/api/workers/{worker.pk}/", {"name": "张三"}, content_type="application/json").status_code == 400
    assert admin.get(f"/registry/workers/{worker.pk}/edit/").status_code == 404
    assert admin.get(api).json()["allowed"] is False


# --- item 20: the scored facts are the town's or the county's --------------------------------------

def test_union_officer_cannot_set_its_own_scored_facts(world, login):
    from concord.registry.models import Enterprise

    client = login(world.union_a)
    api = f"/api/enterprises/{world.ent_a.pk}/"
    refused = client.patch(api, {"has_workers_congress": True, "is_key_enterprise": True, "address": "Alpha路1号"},
                           content_type="application/json")
    assert refused.status_code == 400 and {"has_workers_congress", "is_key_enterprise"} <= set(refused.json())
    page = client.get(f"/registry/enterprises/{world.ent_a.pk}/edit/").content.decode()
    import re

    flags = re.findall(r'<input[^>]*name="(?:has_workers_congress|is_key_enterprise)"[^>]*>', page)
    assert len(flags) == 2 and all("disabled" in tag for tag in flags), flags
    assert not re.search(r'<input[^>]*name="has_union"[^>]*disabled', page)
    form = {"credit_code": world.ent_a.credit_code, "name": world.ent_a.name, "region": world.town_a.pk,
            "has_union": "on", "has_workers_congress": "on", "is_key_enterprise": "on", "address": "Alpha路2号"}
    client.post(f"/registry/enterprises/{world.ent_a.pk}/edit/", form)
    ent = Enterprise.objects.get(pk=world.ent_a.pk)
    assert (ent.has_workers_congress, ent.is_key_enterprise) == (False, False)
    # An unchanged value in a full PUT-like body is no attempt: the union still edits the rest.
    assert client.patch(api, {"is_key_enterprise": False, "address": "Alpha路3号"}, content_type="application/json").status_code == 200
    assert not Event.objects.filter(verb="enterprise.flags").exists()
    # The town sets them, by page and by API, and each change is on the enterprise's timeline.
    town = login(world.officer_a)
    assert town.post(f"/registry/enterprises/{world.ent_a.pk}/edit/", form).status_code == 302
    assert town.patch(api, {"is_key_enterprise": False}, content_type="application/json").status_code == 200
    ent.refresh_from_db()
    assert (ent.has_workers_congress, ent.is_key_enterprise) == (True, False)
    events = list(Event.objects.filter(verb="enterprise.flags", object_id=str(ent.pk)).order_by("pk"))
    assert [e.data for e in events] == [{"has_workers_congress": [False, True], "is_key_enterprise": [False, True]},
                                        {"is_key_enterprise": [True, False]}]
    assert events[0].actor == world.officer_a
    from django.utils import translation

    from concord.core.generic import object_timeline

    with translation.override("en"):
        assert [str(r["label"]) for r in object_timeline(ent, world.admin) if r["kind"] == "event"][:2] == [
            "Scored facts changed"] * 2


# --- item 18: no survey answer can be read off the difference -------------------------------------

def test_reading_the_survey_before_and_after_one_answer_tells_nothing(world, login):
    from concord.core.scope import Role
    from concord.harmony import services as harmony
    from concord.harmony.models import Survey
    from concord.registry.models import Employment, Worker
    from tests.conftest import id_number, make_user

    survey = harmony.survey_open(actor=world.union_a, enterprise=world.ent_a, opens_on=timezone.localdate(),
                                 closes_on=timezone.localdate() + timedelta(days=7), min_responses=1)
    questions = list(survey.questions.all())
    people = []
    for i in range(6):
        user = make_user(f"answering_{i}", Role.WORKER)
        worker = Worker.objects.create(id_number=id_number("330621", "19930404", 500 + i), name=f"答卷{i}", user=user)
        Employment.objects.create(worker=worker, enterprise=world.ent_a, start_date=date(2024, 1, 1))
        people.append(user)
    for user in people[:5]:
        harmony.survey_answer(survey, user=user, answers={q.pk: 4 for q in questions})
    union = login(world.union_a)
    api, page = f"/api/harmony/surveys/{survey.pk}/result/", f"/harmony/surveys/{survey.pk}/"

    def read():
        body = union.get(api).json()
        html = union.get(page).content.decode()
        return {k: v for k, v in body.items() if k != "responses"}, html.split('id="questions"')[1], \
            html.split('id="s-share">')[1][:20]

    before = read()
    harmony.survey_answer(survey, user=people[5], answers={q.pk: 1 for q in questions})  # the target's answers
    after = read()
    assert before == after  # nothing but the count of responses moves
    assert all(q["counts"] == [None] * 5 for q in after[0]["questions"]) and after[0]["share"] is None
    # After the close no answer can come, and the counts are shown.
    Survey.objects.filter(pk=survey.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    closed = union.get(api).json()
    assert closed["shown"] and closed["questions"][0]["counts"] == [1, 0, 0, 5, 0]


# --- item 19: veto events name only what the reader may open ---------------------------------------

def test_veto_events_name_no_case_or_alert_the_court_liaison_cannot_open(world, login, django_capture_on_commit_callbacks):
    from concord.harmony import services as harmony
    from concord.harmony.models import VetoEvent

    with django_capture_on_commit_callbacks(execute=True):
        collective = file_case(world, people=claimants(12, reps=3, prefix="362321"))
    alert = _alert(world, world.ent_a2)
    assert alert.level == "red"
    harmony.detect_vetoes(timezone.localdate())
    events = list(VetoEvent.objects.all())
    named = [e for e in events if collective.number in e.description or alert.number in e.description]
    assert len(named) >= 2, [e.description for e in events]
    court = login(world.court)
    bodies = [court.get("/harmony/vetoes/").content.decode(),
              court.get("/harmony/vetoes/", {"export": "csv"}).content.decode("utf-8-sig"),
              court.get(f"/registry/enterprises/{world.ent_a.pk}/").content.decode(),
              court.get(f"/registry/enterprises/{world.ent_a2.pk}/").content.decode()]
    bodies += [court.get(f"/harmony/vetoes/{e.pk}/").content.decode() for e in named]
    for body in bodies:
        assert collective.number not in body and alert.number not in body
    assert "outside your scope" in bodies[1] or "不在您的范围" in bodies[1]
    # The town officer, who opens both, still reads the numbers.
    town = login(world.officer_a).get("/harmony/vetoes/").content.decode()
    assert collective.number in town and alert.number in town
