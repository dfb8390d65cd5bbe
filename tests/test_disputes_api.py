"""The disputes API: /api/cases/ (filters, masking, intake, one route per workflow action, sessions,
evidence, measures), /api/installments/ and /api/agreements/. Every write goes through the services,
so a refusal is a 400 with field-keyed messages and changes nothing; scope is 404, a role that may
see but not change is 403."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta


import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from concord.core.masking import mask_id_number
from concord.core.models import Event
from concord.disputes import services
from concord.disputes.models import Case, Evidence, Installment
from tests.conftest import id_number
from tests.disputes_helpers import claimants, committee_enterprise, file_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def token_client(user):
    return Client(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def person(seq, prefix="522422", born="19900101", **extra):
    return {"name": f"申请人{seq}", "id_number": id_number(prefix, born, seq), "phone": "13800005555", **extra}


def intake(world, people=None, **extra):
    body = {"source": "walk_in", "respondent": world.ent_a.pk, "subcategory": "wage_arrears", "facts": "拖欠三个月工资",
            "amount_claimed": "12000.00", "claimants": people or [person(101)]}
    body.update(extra)
    return body


def snapshot(case):
    return {f.name: getattr(Case.objects.get(pk=case.pk), f.attname) for f in Case._meta.concrete_fields}


def ok(response, code=200):
    assert response.status_code == code, response.content[:800]
    return response.json()


# --- the life of a case through the API -----------------------------------------------------------

def test_case_walks_from_intake_to_closure_by_token(world):
    api = token_client(world.officer_a)
    case = ok(post(api, "/api/cases/", intake(world)), 201)
    assert case["status"] == "received" and case["level"] == "town" and case["category"] == 5
    assert case["number"].startswith(f"330603-{TODAY().year}-")
    assert set(case["available_actions"]) == {"accept", "reject", "assign", "escalate", "withdraw"}
    url = f"/api/cases/{case['id']}/"

    case = ok(post(api, url + "accept/", {"note": "材料齐全"}))
    assert case["status"] == "accepted" and case["accepted_on"] == TODAY().isoformat()
    assert case["deadline"] and case["legal"]["deadline"] == case["deadline"] and case["legal"]["days_left"] >= 0
    case = ok(post(api, url + "mediate/"))
    assert case["status"] == "mediation"

    later = TODAY() + timedelta(days=30)
    case = ok(post(api, url + "agree/", {
        "signed_on": TODAY().isoformat(), "effective_on": TODAY().isoformat(), "amount": "9000.00", "terms": "分两期支付",
        "installments": [{"due_on": TODAY().isoformat(), "amount": "5000"}, {"due_on": later.isoformat(), "amount": "4000"}],
    }))
    assert case["status"] == "agreement" and case["resolved_level"] == "town"
    assert [i["amount"] for i in case["agreement"]["installments"]] == ["5000.00", "4000.00"]
    assert set(case["legal"]["review_windows"]) == {"arbitration_review", "judicial_confirmation"}

    schedule = ok(api.get("/api/installments/", {"case": case["id"]}))["results"]
    assert [row["case_number"] for row in schedule] == [case["number"]] * 2
    for row in schedule:
        paid = ok(post(api, f"/api/installments/{row['id']}/pay/", {"paid_on": TODAY().isoformat(), "paid_amount": row["amount"]}))
        assert paid["paid_on"] == TODAY().isoformat()
    assert ok(api.get("/api/installments/", {"case": case["id"], "paid": "false"}))["results"] == []
    agreement = ok(api.get(f"/api/agreements/{case['agreement']['id']}/"))
    assert agreement["case_number"] == case["number"] and agreement["amount"] == "9000.00"

    case = ok(post(api, url + "close/", {"outcome": "performed"}))
    assert case["status"] == "closed" and case["outcome"] == "performed" and case["amount_recovered"] == "9000.00"
    assert case["available_actions"] == []
    verbs = list(Event.objects.filter(object_id=str(case["id"])).values_list("verb", flat=True))
    assert {"case.file", "case.accept", "case.mediate", "case.agree", "case.payment", "case.close"} <= set(verbs)


def test_failed_case_is_referred_to_arbitration_with_its_limitation_date(world, login):
    api = login(world.officer_a)
    knew = date(TODAY().year - 1, 12, 20)
    case = ok(post(api, "/api/cases/", intake(world, subcategory="compensation", knew_on=knew.isoformat())), 201)
    url = f"/api/cases/{case['id']}/"
    ok(post(api, url + "accept/"))
    ok(post(api, url + "consult/", {"requested_on": TODAY().isoformat()}))
    refused = post(api, url + "fail/")  # a reason is required
    assert refused.status_code == 400 and "note" in refused.json()
    ok(post(api, url + "fail/", {"note": "企业拒绝调解"}))
    bad = post(api, url + "refer/", {"outcome": "performed"})  # not a referral outcome
    assert bad.status_code == 400 and "outcome" in bad.json()
    case = ok(post(api, url + "refer/", {"outcome": "arbitration"}))
    stored = Case.objects.get(pk=case["id"])
    assert case["status"] == "closed" and case["outcome"] == "arbitration"
    # One year from the day the worker knew (moved past a day off).
    assert stored.limitation_date == services.holiday_extends(date(knew.year + 1, 12, 20))
    assert case["limitation_date"] == stored.limitation_date.isoformat() == case["legal"]["limitation_date"]


def test_town_officer_escalates_to_the_county(world, login):
    api = login(world.officer_a)
    case = ok(post(api, "/api/cases/", intake(world)), 201)
    url = f"/api/cases/{case['id']}/escalate/"
    assert post(api, url).status_code == 400  # no reason given
    case = ok(post(api, url, {"note": "涉及多家企业"}))
    assert case["level"] == "county" and case["escalations"] == 1
    # At county level the town officer no longer handles the case; the county administrator does.
    check = ok(api.get(f"/api/cases/{case['id']}/accept/"))
    assert check["allowed"] is False and check["reason"]
    assert post(api, f"/api/cases/{case['id']}/accept/").status_code == 400
    assert ok(login(world.admin).get(f"/api/cases/{case['id']}/accept/"))["allowed"] is True


def test_illegal_transition_is_refused_and_changes_nothing(world, login):
    case = file_case(world)
    before, events = snapshot(case), Event.objects.count()
    response = post(login(world.officer_a), f"/api/cases/{case.pk}/close/", {"outcome": "performed"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"][0]
    assert snapshot(case) == before and Event.objects.count() == events


def test_union_officer_cannot_act_on_a_town_level_case(world, login):
    case = file_case(world)  # Alpha纺织 has no mediation committee: the case starts at the town
    assert case.level == "town"
    before = snapshot(case)
    api = login(world.union_a)
    assert ok(api.get(f"/api/cases/{case.pk}/"))["available_actions"] == []
    response = post(api, f"/api/cases/{case.pk}/accept/")
    assert response.status_code in (400, 403)
    assert snapshot(case) == before


def test_union_officer_handles_an_enterprise_level_case(world, login):
    ent = committee_enterprise(world)
    api = login(world.union_c)
    case = ok(post(api, "/api/cases/", intake(world, respondent=ent.pk)), 201)
    assert case["level"] == "enterprise"
    assert ok(post(api, f"/api/cases/{case['id']}/accept/"))["status"] == "accepted"


def test_role_that_sees_but_may_not_change_gets_403(world, login):
    case = file_case(world)
    before = snapshot(case)
    api = login(world.auditor)
    assert ok(api.get(f"/api/cases/{case.pk}/"))["number"] == case.number
    assert post(api, f"/api/cases/{case.pk}/accept/").status_code == 403
    assert snapshot(case) == before


def test_cases_are_not_edited_or_deleted_directly(world, login):
    case = file_case(world)
    before = snapshot(case)
    api = login(world.admin)
    url = f"/api/cases/{case.pk}/"
    assert api.put(url, {"facts": "x"}, content_type="application/json").status_code == 405
    assert api.patch(url, {"status": "closed"}, content_type="application/json").status_code == 405
    assert api.delete(url).status_code == 405
    assert snapshot(case) == before


def test_assign_takes_a_handler_of_the_case(world, login):
    from tests.disputes_helpers import town_mediator

    mediator = town_mediator(world)
    case = file_case(world)
    api = login(world.officer_a)
    wrong = post(api, f"/api/cases/{case.pk}/assign/", {"mediator": world.officer_b.pk})
    assert wrong.status_code == 400 and "mediator" in wrong.json()
    assert ok(post(api, f"/api/cases/{case.pk}/assign/", {"mediator": mediator.pk}))["mediator"] == mediator.pk


# --- intake refusals -----------------------------------------------------------------------------

def test_nine_claimants_cannot_be_a_collective_case(world, login):
    body = intake(world, people=[person(100 + i) for i in range(9)], collective=True)
    response = post(login(world.officer_a), "/api/cases/", body)
    assert response.status_code == 400 and response.json()["claimants"]
    assert not Case.objects.exists()


def test_twenty_three_claimants_with_three_representatives_make_a_collective_town_case(world, login):
    ent = committee_enterprise(world)  # even where the enterprise could mediate, a collective case starts at the town
    people = [person(100 + i, is_representative=i < 3) for i in range(23)]
    case = ok(post(login(world.officer_a), "/api/cases/", intake(world, people=people, respondent=ent.pk)), 201)
    assert case["is_collective"] is True and case["level"] == "town" and case["claimant_count"] == 23
    assert case["is_priority"] is True
    assert [c["is_representative"] for c in case["claimants"]][:3] == [True] * 3
    # Too few representatives is refused, naming the claimants.
    people = [person(300 + i, is_representative=i < 2) for i in range(23)]
    response = post(login(world.officer_a), "/api/cases/", intake(world, people=people, respondent=ent.pk))
    assert response.status_code == 400 and response.json()["claimants"]


def test_a_collective_case_needs_no_representatives(world, login):
    """Law art. 7 "可以": representatives are optional; the 3–5 range applies only when named."""
    api = login(world.officer_a)
    case = ok(post(api, "/api/cases/", intake(world, people=[person(100 + i) for i in range(12)], collective=True)), 201)
    assert case["is_collective"] is True and case["claimant_count"] == 12
    assert not any(c["is_representative"] for c in case["claimants"])
    response = post(api, "/api/cases/", intake(world, people=[person(300 + i, is_representative=i < 6) for i in range(12)]))
    assert response.status_code == 400 and "5" in str(response.json()["claimants"])


def test_negative_amounts_are_refused(world, login):
    api = login(world.officer_a)
    response = post(api, "/api/cases/", intake(world, amount_claimed="-5"))
    assert response.status_code == 400 and "amount_claimed" in response.json()
    assert not Case.objects.exists()
    case = services.case_mediate(services.case_accept(file_case(world), actor=world.officer_a), actor=world.officer_a)
    before = snapshot(case)
    response = post(api, f"/api/cases/{case.pk}/agree/", {
        "signed_on": TODAY().isoformat(), "effective_on": TODAY().isoformat(), "amount": "-100", "terms": "x"})
    assert response.status_code == 400 and "amount" in response.json()
    assert snapshot(case) == before


def test_negative_payment_is_refused(world, login):
    case = services.case_mediate(services.case_accept(file_case(world), actor=world.officer_a), actor=world.officer_a)
    services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(), amount=1000, terms="一次付清")
    item = Installment.objects.get(agreement__case=case)
    response = post(login(world.officer_a), f"/api/installments/{item.pk}/pay/", {"paid_on": TODAY().isoformat(), "paid_amount": "-1"})
    assert response.status_code == 400 and "paid_amount" in response.json()
    item.refresh_from_db()
    assert item.paid_on is None and item.paid_amount is None


def test_duplicate_within_24_hours_needs_confirmation(world, login):
    api = login(world.officer_a)
    first = ok(post(api, "/api/cases/", intake(world)), 201)
    again = post(api, "/api/cases/", intake(world))
    assert again.status_code == 400 and first["number"] in again.json()["confirm_duplicate"][0]
    assert Case.objects.count() == 1
    second = ok(post(api, "/api/cases/", intake(world, confirm_duplicate=True)), 201)
    assert second["number"] != first["number"] and Case.objects.count() == 2


@pytest.mark.parametrize("body, field", [
    ({"source": "online"}, "source"),
    ({"source": ""}, "source"),
    ({"claimants": []}, "claimants"),
    ({"subcategory": "nonsense"}, "subcategory"),
    ({"category": 1}, "subcategory"),  # the sub-category belongs to another category
    ({"received_on": "2999-01-01"}, "received_on"),
])
def test_bad_intake_names_the_field(world, login, body, field):
    response = post(login(world.officer_a), "/api/cases/", intake(world, **body))
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Case.objects.exists()


def test_respondent_outside_scope_does_not_exist(world, login):
    response = post(login(world.officer_a), "/api/cases/", intake(world, respondent=world.ent_b.pk))
    assert response.status_code == 400 and "respondent" in response.json()
    assert not Case.objects.exists()


# --- evidence and sessions ------------------------------------------------------------------------

def test_evidence_upload_checks_the_content(world, login):
    case = file_case(world)
    api = login(world.officer_a)
    url = f"/api/cases/{case.pk}/evidence/"
    fake = SimpleUploadedFile("工资条.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, content_type="application/pdf")
    response = api.post(url, {"file": fake})
    assert response.status_code == 400 and "file" in response.json()
    assert not Evidence.objects.exists()
    real = SimpleUploadedFile("工资条.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    item = ok(api.post(url, {"file": real, "description": "三月工资条"}), 201)
    assert item["file_name"] == "工资条.pdf" and item["content_type"] == "application/pdf"
    assert [row["id"] for row in ok(api.get(url))] == [item["id"]]


def test_worker_adds_evidence_to_their_own_case_only(world, login):
    own = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)])
    other = file_case(world)
    api = login(world.worker_user)
    pdf = lambda: SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")  # noqa: E731
    ok(api.post(f"/api/cases/{own.pk}/evidence/", {"file": pdf()}), 201)
    assert api.post(f"/api/cases/{other.pk}/evidence/", {"file": pdf()}).status_code == 404


def test_sessions_are_recorded_while_the_case_is_handled(world, login):
    case = file_case(world)
    api = login(world.officer_a)
    url = f"/api/cases/{case.pk}/sessions/"
    body = {"held_on": TODAY().isoformat(), "place": "Alpha调解室", "participants": "双方", "summary": "初次调解"}
    assert post(api, url, body).status_code == 400  # not accepted yet
    services.case_accept(case, actor=world.officer_a)
    bad = post(api, url, {**body, "held_on": (TODAY() + timedelta(days=3)).isoformat()})
    assert bad.status_code == 400 and "held_on" in bad.json()
    session = ok(post(api, url, body), 201)
    assert session["case"] == case.pk and session["created_by"] == world.officer_a.pk
    assert [row["summary"] for row in ok(api.get(url))] == ["初次调解"]


# --- who sees what -----------------------------------------------------------------------------

def test_court_liaison_sees_only_court_referrals(world, login):
    api = login(world.court)
    court_case = ok(post(api, "/api/cases/", intake(
        world, source="court_delegated", court_referral_kind="pre_filing", court_case_number="(2026)浙0603民诉前1号",
        court_received_on=TODAY().isoformat())), 201)
    assert court_case["level"] == "town" and court_case["deadline"]
    walk_in = file_case(world, people=claimants(1, prefix="330621"))
    assert [row["id"] for row in ok(api.get("/api/cases/"))["results"]] == [court_case["id"]]
    assert api.get(f"/api/cases/{walk_in.pk}/").status_code == 404
    # The liaison files court referrals only.
    assert post(api, "/api/cases/", intake(world, people=[person(555)])).status_code == 403


def test_worker_files_online_and_sees_only_their_cases_masked(world, login):
    api = login(world.worker_user)
    mine = ok(post(api, "/api/cases/", {"respondent": world.ent_a.pk, "subcategory": "overtime_pay", "facts": "加班费未付"}), 201)
    assert mine["source"] == "online" and mine["category"] == 5
    file_case(world, people=[services.ClaimantInput(world.peer_a.name, world.peer_a.id_number, world.peer_a.phone)])
    response = api.get("/api/cases/")
    rows = ok(response)["results"]
    assert [row["id"] for row in rows] == [mine["id"]]
    claimant = rows[0]["claimants"][0]
    assert claimant["id_number_masked"] == mask_id_number(world.worker_a.id_number)
    assert claimant["phone_masked"] == "138****1111"
    body = response.content.decode()
    assert world.worker_a.id_number not in body and world.worker_a.phone not in body and "AlphaPeer" not in body
    assert world.worker_a.id_number not in api.get(f"/api/cases/{mine['id']}/").content.decode()
    # A worker files for themself only, online only, against an enterprise they work for.
    assert post(api, "/api/cases/", {"respondent": world.ent_a.pk, "subcategory": "overtime_pay", "facts": "x",
                                     "claimants": [person(777)], "confirm_duplicate": True}).status_code == 400
    assert post(api, "/api/cases/", {"respondent": world.ent_a2.pk, "subcategory": "overtime_pay", "facts": "x"}).status_code == 400
    assert post(api, "/api/cases/", {"source": "walk_in", "respondent": world.ent_a.pk, "subcategory": "overtime_pay",
                                     "facts": "x", "confirm_duplicate": True}).status_code == 403
    # …and withdraws it; measures are for the handling bodies.
    assert ok(api.get(f"/api/cases/{mine['id']}/"))["available_actions"] == ["withdraw"]
    assert ok(post(api, f"/api/cases/{mine['id']}/withdraw/", {"note": "已协商解决"}))["status"] == "withdrawn"
    assert api.get("/api/cases/measures/").status_code == 404


def test_other_town_gets_404_and_changes_nothing(world, login):
    case = file_case(world)
    before = snapshot(case)
    api = login(world.officer_b)
    assert api.get(f"/api/cases/{case.pk}/").status_code == 404
    for route in ("accept/", "escalate/", "sessions/", "evidence/"):
        assert post(api, f"/api/cases/{case.pk}/{route}", {"note": "x"}).status_code == 404
    assert case.pk not in [row["id"] for row in ok(api.get("/api/cases/"))["results"]]
    assert snapshot(case) == before


# --- lists, filters, measures ---------------------------------------------------------------------

def test_list_filters_and_ordering(world, login):
    ent = committee_enterprise(world)
    first = file_case(world, received_on=TODAY() - timedelta(days=20))
    second = file_case(world, respondent=ent, people=claimants(1, prefix="330621"), subcategory="dismissal", category=3)
    collective = file_case(world, people=claimants(12, reps=3, prefix="362321"))
    services.case_accept(first, actor=world.officer_a)
    Case.objects.filter(pk=first.pk).update(deadline=TODAY() - timedelta(days=1))  # overdue
    api = login(world.admin)

    def ids(**query):
        return {row["id"] for row in ok(api.get("/api/cases/", query))["results"]}

    assert ids(status="accepted") == {first.pk}
    assert ids(level="enterprise") == {second.pk}
    assert ids(subcategory="dismissal") == {second.pk}
    assert ids(is_collective="true") == {collective.pk}
    assert ids(overdue="true") == {first.pk}
    assert ids(overdue="false") == {second.pk, collective.pk}
    assert ids(respondent=ent.pk) == {second.pk}
    assert ids(received_before=(TODAY() - timedelta(days=10)).isoformat()) == {first.pk}
    assert ids(received_after=(TODAY() - timedelta(days=10)).isoformat()) == {second.pk, collective.pk}
    assert ids(town=world.town_a.pk) == {first.pk, second.pk, collective.pk}
    assert ids(town=world.town_b.pk) == set()
    numbers = [row["number"] for row in ok(api.get("/api/cases/", {"ordering": "number"}))["results"]]
    assert numbers == sorted(numbers)
    rows = ok(api.get("/api/cases/", {"ordering": "received_on"}))["results"]
    assert rows[0]["id"] == first.pk
    assert "available_actions" not in rows[0] and "legal" not in rows[0]


def test_list_query_count_does_not_grow(world, login):
    api = login(world.officer_a)
    file_case(world, n=2)
    api.get("/api/cases/")
    with CaptureQueriesContext(connection) as small:
        ok(api.get("/api/cases/"))
    for i in range(6):
        file_case(world, n=3, people=claimants(3, prefix="330621", born=f"1980010{i + 1}"))
    with CaptureQueriesContext(connection) as large:
        assert len(ok(api.get("/api/cases/"))["results"]) == 7
    assert len(large) == len(small), [q["sql"][:150] for q in large.captured_queries]


def test_measures(world, login):
    case = services.case_mediate(services.case_accept(file_case(world), actor=world.officer_a), actor=world.officer_a)
    services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(), amount=1000, terms="一次付清")
    file_case(world, people=claimants(10, reps=3, prefix="330621"))
    api = login(world.officer_a)
    m = ok(api.get("/api/cases/measures/", {"year": TODAY().year}))
    assert (m["year"], m["total"], m["collective"], m["resolved"]) == (TODAY().year, 2, 1, 1)
    assert m["town_or_below_share"] == 1.0 and m["amount_claimed"] == "24000.00"
    assert len(m["by_month"]) == 12 and sum(row["individual"] + row["collective"] for row in m["by_month"]) == 2
    assert [row["level"] for row in m["by_level"]] == ["enterprise", "town", "county"]
    assert ok(login(world.officer_b).get("/api/cases/measures/"))["total"] == 0
    assert api.get("/api/cases/measures/", {"year": "1999"}).status_code == 400


def test_action_route_answers_get_with_whether_it_is_allowed(world, login):
    case = file_case(world)
    api = login(world.officer_a)
    assert ok(api.get(f"/api/cases/{case.pk}/accept/")) == {"action": "accept", "label": str(Case.workflow["accept"].label),
                                                           "allowed": True, "reason": None}
    check = ok(api.get(f"/api/cases/{case.pk}/request-confirmation/"))
    assert check["allowed"] is False and check["reason"]


def test_schema_lists_the_case_routes(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    paths = yaml.safe_load((tmp_path / "schema.yaml").read_text())["paths"]
    for route in ("/api/cases/", "/api/cases/{id}/", "/api/cases/{id}/request-confirmation/", "/api/cases/{id}/evidence/",
                  "/api/cases/measures/", "/api/installments/{id}/pay/", "/api/agreements/"):
        assert route in paths, route
    assert "put" not in paths["/api/cases/{id}/"] and "delete" not in paths["/api/cases/{id}/"]
    assert {"status", "overdue", "respondent", "received_after", "ordering"} <= {
        p["name"] for p in paths["/api/cases/"]["get"]["parameters"]}


# --- concurrency (PostgreSQL) -----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_numbers_are_distinct_and_consecutive(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock on the counter matters on PostgreSQL")
    threads = 8
    start = threading.Barrier(threads)

    def file_one(i):
        try:
            client = Client()
            client.force_login(world.officer_a)
            start.wait(timeout=30)
            return post(client, "/api/cases/", intake(world, people=[person(200 + i)]))
        finally:
            connection.close()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=threads) as pool:
        responses = list(pool.map(file_one, range(threads)))
    assert [r.status_code for r in responses] == [201] * threads, [r.content[:300] for r in responses]
    numbers = sorted(r.json()["number"] for r in responses)
    assert len(set(numbers)) == threads
    prefix = f"330603-{TODAY().year}-"
    assert numbers == [f"{prefix}{n:06d}" for n in range(1, threads + 1)]
    assert Case.objects.count() == threads



