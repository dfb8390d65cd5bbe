"""Disputes pages driven through the test client: intake (staff and a worker's phone form), the case
page and its actions, sessions, payments, evidence, measures and the 360 panels."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concord.core.models import Event, Notification
from concord.disputes import services
from concord.disputes.models import Case

from tests.disputes_helpers import claimants, committee_enterprise, file_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def lines(people):
    return "\n".join(f"{p.name}, {p.id_number}{', , 代表' if p.is_representative else ''}" for p in people)


def intake(client, respondent, people, **extra):
    data = {"source": "walk_in", "received_on": TODAY().isoformat(), "respondent": respondent.credit_code,
            "claimant_lines": lines(people), "category": 5, "subcategory": "wage_arrears", "amount_claimed": "8000",
            "facts": "拖欠工资两个月"}
    data.update(extra)
    return client.post("/disputes/cases/add/", data)


def test_staff_files_a_case_and_sees_it_listed(world, login, django_capture_on_commit_callbacks):
    client = login(world.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = intake(client, world.ent_a, claimants(2))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.level == "town" and case.claimant_count == 2  # ent_a has no mediation committee
    page = client.get("/disputes/cases/").content.decode()
    assert case.number in page
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "申请人00" in detail and 'id="action-accept"' in detail
    assert Notification.objects.filter(recipient=world.officer_a).exists()


def test_nine_claimants_marked_collective_are_refused_naming_the_field(world, login):
    client = login(world.officer_a)
    response = intake(client, world.ent_a, claimants(9), collective="on")
    assert response.status_code == 200
    assert "9" in response.content.decode() and not Case.objects.exists()


def test_collective_case_of_23_starts_at_town_with_a_risk_signal(world, login):
    ent = committee_enterprise(world)
    client = login(world.officer_a)
    response = intake(client, ent, claimants(23, reps=3))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.is_collective and case.is_priority and case.level == "town" and case.claimant_count == 23
    assert Event.objects.filter(verb="risk.collective_dispute", enterprise_id=ent.pk).exists()


def test_named_representatives_of_a_collective_case_are_three_to_five(world, login):
    client = login(world.officer_a)
    response = intake(client, world.ent_a, claimants(12, reps=2))
    assert response.status_code == 200 and not Case.objects.exists()
    assert "3" in response.content.decode()
    response = intake(client, world.ent_a, claimants(12, reps=6))
    assert response.status_code == 200 and not Case.objects.exists()


def test_collective_case_without_representatives_is_filed(world, login):
    """Law art. 7: the collective MAY elect representatives; intake must not require them."""
    client = login(world.officer_a)
    form = client.get("/disputes/cases/add/").content.decode()
    assert "可推选" in form  # the help text says representatives are optional
    response = intake(client, world.ent_a, claimants(12))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.is_collective and case.claimant_count == 12 and not case.claimants.filter(is_representative=True).exists()


def test_bad_claimant_line_is_named(world, login):
    client = login(world.officer_a)
    response = intake(client, world.ent_a, [], claimant_lines="张三, 123456")
    body = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "123456" in body


def test_duplicate_filing_is_warned_then_accepted_when_confirmed(world, login):
    client = login(world.officer_a)
    people = claimants(1)
    intake(client, world.ent_a, people)
    again = intake(client, world.ent_a, people)
    assert again.status_code == 200 and 'id="duplicate-warning"' in again.content.decode()
    assert Case.objects.count() == 1
    confirmed = intake(client, world.ent_a, people, confirm_duplicate="on")
    assert confirmed.status_code == 302 and Case.objects.count() == 2


def test_wrong_type_evidence_is_refused_and_nothing_is_filed(world, login):
    client = login(world.officer_a)
    fake = SimpleUploadedFile("工资条.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = intake(client, world.ent_a, claimants(1), evidence=fake)
    assert response.status_code == 200 and not Case.objects.exists()
    assert "PDF" in response.content.decode()


def test_absurd_and_negative_amounts_are_refused(world, login):
    client = login(world.officer_a)
    for amount in ("-5", "999999999999"):
        response = intake(client, world.ent_a, claimants(1), amount_claimed=amount)
        assert response.status_code == 200
    assert not Case.objects.exists()


def test_worker_files_online_and_follows_the_case(world, login):
    client = login(world.worker_user)
    form = client.get("/disputes/cases/online/")
    assert form.status_code == 200 and world.ent_a.name in form.content.decode()
    assert world.ent_b.name not in form.content.decode()
    response = client.post("/disputes/cases/online/", {
        "respondent": world.ent_a.pk, "subcategory": "wage_arrears", "amount_claimed": "6000", "facts": "十月工资未发"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.source == "online" and case.category == 5
    assert case.claimants.get().worker == world.worker_a
    mine = client.get("/disputes/cases/").content.decode()
    assert case.number in mine and "case-card" in mine
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="what-to-bring"' in page and 'id="action-accept"' not in page
    # The staff intake form is not the worker's; another town's officer cannot see the case.
    assert client.get("/disputes/cases/add/").status_code == 404
    other = login(world.officer_b)
    assert other.get(case.get_absolute_url()).status_code == 404


def test_worker_cannot_file_against_a_foreign_enterprise(world, login):
    client = login(world.worker_user)
    response = client.post("/disputes/cases/online/", {"respondent": world.ent_b.pk, "subcategory": "wage_arrears", "facts": "x"})
    assert response.status_code == 200 and not Case.objects.exists()


def act(client, case, name, **fields):
    data = {"name": name, **{f"{name}-{k}": v for k, v in fields.items()}}
    return client.post(f"/disputes/cases/{case.pk}/act/", data)


def test_case_walks_through_actions_on_the_page(world, login):
    case = file_case(world)
    client = login(world.officer_a)
    assert act(client, case, "accept", accepted_on=TODAY().isoformat()).status_code == 302
    assert act(client, case, "mediate").status_code == 302
    session = client.post(f"/disputes/cases/{case.pk}/sessions/", {
        "session-held_on": TODAY().isoformat(), "session-place": "街道调解室", "session-participants": "双方", "session-summary": "初步协商"})
    assert session.status_code == 302 and case.sessions.count() == 1
    response = act(client, case, "agree", signed_on=TODAY().isoformat(), effective_on=TODAY().isoformat(), amount="8000",
                   terms="分两期支付", schedule=f"{TODAY().isoformat()}, 3000\n{(TODAY() + timedelta(days=30)).isoformat()}, 5000")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "agreement" and case.resolved_level == "town"
    first = case.agreement.installments.order_by("due_on").first()
    paid = client.post(f"/disputes/payments/{first.pk}/pay/", {"pay-paid_on": TODAY().isoformat(), "pay-paid_amount": "3000"})
    assert paid.status_code == 302
    case.refresh_from_db()
    assert case.amount_recovered == Decimal("3000")
    assert act(client, case, "close", outcome="performed").status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on == TODAY()
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="action-' not in page  # a closed case offers no more actions
    assert Event.objects.filter(verb="case.close", object_id=str(case.pk)).exists()


def test_illegal_action_is_refused_with_a_message_and_no_change(world, login):
    case = file_case(world)
    client = login(world.officer_a)
    response = act(client, case, "close", outcome="performed")
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "received"


def test_reject_needs_a_reason(world, login):
    case = file_case(world)
    response = act(login(world.officer_a), case, "reject", note="")
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "received"


def test_union_officer_handles_enterprise_level_only(world, login):
    ent = committee_enterprise(world)
    case = file_case(world, respondent=ent)
    assert case.level == "enterprise"
    client = login(world.union_c)
    assert act(client, case, "accept", accepted_on=TODAY().isoformat()).status_code == 302
    assert act(client, case, "escalate", note="企业调解无果").status_code == 302
    case.refresh_from_db()
    assert case.level == "town"
    response = act(client, case, "mediate")
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "accepted"


def test_evidence_upload_and_download(world, login):
    case = file_case(world)
    client = login(world.officer_a)
    ok = client.post(f"/disputes/cases/{case.pk}/evidence/", {"file": SimpleUploadedFile("工资条.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)})
    assert ok.status_code == 302 and case.evidence.count() == 1
    bad = client.post(f"/disputes/cases/{case.pk}/evidence/", {"file": SimpleUploadedFile("a.exe", b"MZ")})
    assert bad.status_code == 302 and case.evidence.count() == 1
    item = case.evidence.get()
    download = client.get(f"/disputes/evidence/{item.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert login(world.officer_b).get(f"/disputes/evidence/{item.pk}/").status_code == 404


def test_measures_page_and_export(world, login):
    case = file_case(world)
    services.case_accept(case, actor=world.officer_a)
    services.case_mediate(case, actor=world.officer_a)
    services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(), amount=Decimal("5000"), terms="一次付清")
    file_case(world, people=claimants(12, reps=3, prefix="330621"))
    client = login(world.officer_a)
    page = client.get("/disputes/measures/")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="m-total">2<' in body and 'id="m-town">100%' in body
    export = client.get("/disputes/measures/", {"export": "csv"})
    rows = export.content.decode("utf-8-sig").splitlines()
    assert export.status_code == 200 and rows[2].endswith(",2")  # header, year, cases received
    other = login(world.officer_b).get("/disputes/measures/").content.decode()
    assert 'id="m-total">0<' in other


def test_enterprise_and_worker_360_show_their_cases(world, login):
    case = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)])
    client = login(world.officer_a)
    assert case.number in client.get(world.ent_a.get_absolute_url()).content.decode()
    assert case.number in client.get(world.worker_a.get_absolute_url()).content.decode()


@pytest.mark.parametrize("url", ["/disputes/cases/", "/disputes/measures/"])
def test_list_and_measures_query_counts_do_not_grow(world, login, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    file_case(world)
    client = login(world.officer_a)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(12):
        file_case(world, people=claimants(1, prefix="330621", born=f"19{70 + i}0101"), confirm_duplicate=True)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


# --- the case tally behind the measures ----------------------------------------------------------

def tally_rows():
    from concord.disputes.models import CaseTally

    return {(r.month, r.region_id, r.is_collective, r.status, r.resolved_level):
            (r.cases, r.days_sum, r.days_count, r.claimed_cents, r.recovered_cents) for r in CaseTally.objects.all()}


def tally_from_cases():
    """What the tally should hold, counted from the cases by the ORM (not the triggers' SQL)."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncMonth

    fen = lambda v: int(Decimal(v) * 100) if v is not None else 0  # noqa: E731
    rows = (Case.objects.values("region_id", "is_collective", "status", "resolved_level", month=TruncMonth("received_on"))
            .annotate(n=Count("pk"), days=Sum("resolution_days"), days_n=Count("resolution_days"),
                      claimed=Sum("amount_claimed"), recovered=Sum("amount_recovered")).order_by())
    return {(r["month"], r["region_id"], r["is_collective"], r["status"], r["resolved_level"]):
            (r["n"], r["days"] or 0, r["days_n"], fen(r["claimed"]), fen(r["recovered"])) for r in rows}


def test_case_tally_follows_every_write(world, django_capture_on_commit_callbacks):
    from concord.disputes import selectors

    ent = committee_enterprise(world)
    agreed = services.case_mediate(services.case_accept(file_case(world), actor=world.officer_a), actor=world.officer_a)
    agreed = services.case_agree(agreed, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(), amount=Decimal("8000"),
                                 terms="分两期", installments=[(TODAY(), Decimal("3000.55")), (TODAY() + timedelta(days=30), Decimal("4999.45"))])
    services.installment_pay(agreed.agreement.installments.order_by("due_on").first(), actor=world.officer_a,
                             paid_on=TODAY(), paid_amount=Decimal("3000.55"))  # a bulk update() of the amount recovered
    failed = services.case_mediate(services.case_accept(file_case(world, people=claimants(1, prefix="330683")),
                                                       actor=world.officer_a), actor=world.officer_a)
    services.case_refer(services.case_fail(failed, actor=world.officer_a, reason="企业拒绝"), actor=world.officer_a,
                        outcome="arbitration")  # closed, resolved at no level
    at_enterprise = services.case_accept(file_case(world, respondent=ent, amount_claimed=Decimal("999.99"),
                                                   people=claimants(1, prefix="330621")), actor=world.union_c)
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_overdue(at_enterprise.deadline + timedelta(days=1))  # moves it to the town
    file_case(world, people=claimants(12, reps=3, prefix="362321"))  # collective
    court = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="post_filing",
                      court_received_on=TODAY(), people=claimants(1, prefix="330622"), amount_claimed=None)
    services.case_reject(court, actor=world.officer_a, reason="不属于受理范围")
    file_case(world, respondent=world.ent_b, actor=world.officer_b, people=claimants(2, prefix="330623"))
    moved = file_case(world, people=claimants(1, prefix="330624"))
    Case.objects.filter(pk=moved.pk).update(received_on=TODAY().replace(year=TODAY().year - 1), is_collective=True)
    Case.objects.filter(pk=at_enterprise.pk).update(deadline=TODAY() - timedelta(days=1))  # overdue
    gone = file_case(world, people=claimants(1, prefix="330625"))
    Case.objects.filter(pk=gone.pk).update(reminded_for=TODAY())  # an untallied column: nothing to do
    gone.delete()
    assert tally_rows() == tally_from_cases() and len(tally_rows()) >= 5
    # The measures from the tally are those counted from the cases, for every user the tally answers;
    # the others (the court liaison sees court referrals only, the union officer one enterprise)
    # are counted from their cases.
    year = TODAY().year
    for user in (world.admin, world.officer_a, world.officer_b, world.auditor):
        assert selectors.tally_answers(user)
        assert selectors.measures(user, year, source="tally") == selectors.measures(user, year, source="cases")
    m = selectors.measures(world.officer_a, year)
    assert (m.total, m.collective, m.overdue, m.resolved) == (
        Case.objects.filter(region=world.town_a, received_on__year=year).count(), 1, 1, 1)
    assert (m.amount_claimed, m.amount_recovered) == (Decimal("36999.99"), Decimal("3000.55"))
    for user in (world.court, world.union_c):
        assert not selectors.tally_answers(user)
    assert selectors.measures(world.court, year).total == 1
    Case.objects.all().delete()
    assert tally_rows() == {}


def test_a_town_officer_who_is_also_a_union_officer_is_not_answered_by_the_tally(world):
    from concord.core.models import RoleAssignment
    from concord.core.scope import Role
    from concord.disputes import selectors

    file_case(world, respondent=world.ent_b, actor=world.officer_b)
    RoleAssignment.objects.create(user=world.officer_a, role=Role.UNION_OFFICER, enterprise=world.ent_b)
    world.officer_a._concord_assignments = None
    assert not selectors.tally_answers(world.officer_a)
    assert selectors.measures(world.officer_a, TODAY().year).total == 1  # town A's none and ent_b's one


def test_case_tally_triggers_exist(world):
    """A migration that rebuilds the case table on SQLite drops its triggers: it must add them again."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'disputes_case'")
            expected = {"disputes_case_tally_insert", "disputes_case_tally_delete", "disputes_case_tally_update"}
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'disputes_case'::regclass AND NOT tgisinternal")
            expected = {"disputes_case_tally"}
        else:
            pytest.skip("the tally is kept on SQLite and PostgreSQL only")
        assert {row[0] for row in cursor.fetchall()} == expected


# --- the final-award limit follows the minimum wage of the application day (issue 13 item 1) ------

@pytest.mark.parametrize("received_on, closed_on, today, limit", [
    # Referred to arbitration on the 2021 standard's last day / on the 2024 standard's first day.
    ("2023-12-20", "2023-12-31", None, Decimal("24840")),
    ("2023-12-20", "2024-01-01", None, Decimal("27120")),
    # Still running: the limit of an application made today, whatever day the case came in.
    ("2023-12-25", None, "2023-12-31", Decimal("24840")),
    ("2023-12-25", None, "2024-01-01", Decimal("27120")),
])
def test_final_award_limit_of_a_case_before_and_after_the_2024_standard(world, received_on, closed_on, today, limit):
    from datetime import date

    from concord.disputes import selectors

    case = file_case(world, received_on=date.fromisoformat(received_on), amount_claimed=25000)
    if closed_on:  # the closing day is what matters here; the workflow is tested elsewhere
        Case.objects.filter(pk=case.pk).update(closed_on=date.fromisoformat(closed_on))
        case.refresh_from_db()
    helpers = selectors.legal_helpers(case, today=date.fromisoformat(today) if today else TODAY())
    assert helpers.final_award_limit == limit
    assert helpers.within_final_award is (Decimal("25000") <= limit)
    assert helpers.final_award_on == date.fromisoformat(closed_on or today)


def test_case_page_and_api_show_the_current_final_award_limit(world, login):
    case = file_case(world, amount_claimed=26000)
    client = login(world.officer_a)
    page = client.get(case.get_absolute_url()).content.decode()
    # 12 × 2,260 (Zhejiang tier 2 from 2024-01-01), not 12 × 2,070; 26,000 is within it.
    assert "27120" in page and TODAY().isoformat() in page and 'id="final-award-on"' in page
    legal = client.get(f"/api/cases/{case.pk}/").json()["legal"]
    assert (legal["final_award_limit"], legal["within_final_award"], legal["final_award_on"]) == (
        "27120.00", True, TODAY().isoformat())
