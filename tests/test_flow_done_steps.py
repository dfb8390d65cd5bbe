"""Workflow steps already done are neither offered nor accepted again (issue 14 item 4): judicial
confirmation (applied for, ruled on), the payment order, the mediator assignment, the court
extension at its cap, an objection already answered. The page hides the step, its POST is
refused and changes nothing, the API's GET says why not. The court liaison is told when confirmation is applied for, finds the case under "awaiting
confirmation", records the ruling's number and date, and the result is not chosen in advance."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from concord.core.models import Event, Notification
from concord.core.workflow import TransitionRefused
from concord.disputes import services
from concord.disputes.models import Case, LegalSetting
from concord.harmony import services as harmony_services
from concord.harmony.models import Evaluation, Objection, Round, Standard, Tier
from tests.disputes_helpers import file_case, town_mediator

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
RULING = "（2026）浙0603民特123号"


def agreed(world, court=True):
    """A case with an agreement that took effect today (a court referral when ``court``)."""
    extra = {"actor": world.court, "source": "court_delegated", "court_referral_kind": "pre_filing",
             "court_received_on": TODAY() - timedelta(days=3)} if court else {}
    case = file_case(world, confirm_duplicate=True, **extra)
    case = services.case_mediate(services.case_accept(case, actor=world.officer_a), actor=world.officer_a)
    return services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(),
                               amount=Decimal("500"), terms="分两期支付")


def offered(client, case):
    return client.get(case.get_absolute_url()).content.decode()


def act(client, case, name, **fields):
    return client.post(f"/disputes/cases/{case.pk}/act/", {"name": name, **{f"{name}-{k}": v for k, v in fields.items()}})


def test_confirmation_applied_for_is_not_offered_or_taken_again(world, login, django_capture_on_commit_callbacks):
    case = agreed(world)
    client = login(world.officer_a)
    assert 'id="action-request_confirmation"' in offered(client, case)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, case, "request_confirmation", requested_on=TODAY().isoformat())
    assert response.status_code == 302
    assert 'id="action-request_confirmation"' not in offered(client, case)
    # Posted again (a stale page, a second tab) it is refused and the date stays.
    later = TODAY() + timedelta(days=1)
    response = act(client, case, "request_confirmation", requested_on=later.isoformat())
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).confirmation_requested_on == TODAY()
    assert Event.objects.filter(verb="case.request_confirmation", object_id=str(case.pk)).count() == 1
    # The API says why not, and refuses the POST.
    check = client.get(f"/api/cases/{case.pk}/request-confirmation/").json()
    assert check["allowed"] is False and TODAY().isoformat() in check["reason"]
    assert client.post(f"/api/cases/{case.pk}/request-confirmation/", {}, content_type="application/json").status_code == 400
    with pytest.raises(TransitionRefused):
        services.case_request_confirmation(case, actor=world.officer_a)


def test_the_court_liaison_is_told_filters_and_records_the_ruling_once(world, login, django_capture_on_commit_callbacks):
    case = agreed(world)
    other = agreed(world, court=False)  # not a court referral: the liaison cannot open it
    with django_capture_on_commit_callbacks(execute=True):
        services.case_request_confirmation(case, actor=world.officer_a)
        services.case_request_confirmation(other, actor=world.officer_a)
    bell = Notification.objects.filter(recipient=world.court)
    assert bell.count() == 1 and case.number in bell.get().text
    assert bell.get().url == "/disputes/cases/?awaiting_confirmation=true"
    court = login(world.court)
    queue = court.get(bell.get().url).content.decode()
    assert case.number in queue
    page = offered(court, case)
    assert 'id="action-record_confirmation"' in page
    # Neither result is chosen in advance: the select opens on "choose".
    form = page[page.index('id="action-record_confirmation"'):]
    form = form[:form.index("</form>")]
    assert 'value="" selected' in form and 'value="confirmed" selected' not in form
    assert 'value="refused" selected' not in form and 'name="record_confirmation-ruling_number"' in form
    assert 'name="record_confirmation-ruled_on"' in form
    # Without a result or the ruling, nothing is recorded.
    assert act(court, case, "record_confirmation", result="", ruling_number="", ruled_on="").status_code == 400
    assert Case.objects.get(pk=case.pk).confirmation_result == ""
    response = act(court, case, "record_confirmation", result="confirmed", ruling_number=RULING,
                   ruled_on=TODAY().isoformat())
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.confirmation_result, case.confirmation_ruling_number, case.confirmation_ruled_on) == (
        "confirmed", RULING, TODAY())
    page = offered(court, case)
    assert 'id="action-record_confirmation"' not in page and RULING in page
    assert case.number not in court.get("/disputes/cases/?awaiting_confirmation=true").content.decode()
    assert case.number in court.get("/disputes/cases/?awaiting_confirmation=false").content.decode()
    # A second ruling would overwrite the first: refused on the page, the API and the service.
    assert act(court, case, "record_confirmation", result="refused", ruling_number="（2026）浙0603民特999号",
               ruled_on=TODAY().isoformat()).status_code == 400
    check = court.get(f"/api/cases/{case.pk}/record-confirmation/").json()
    assert check["allowed"] is False and check["reason"]
    response = court.post(f"/api/cases/{case.pk}/record-confirmation/",
                          {"result": "refused", "ruling_number": "x", "ruled_on": TODAY().isoformat()},
                          content_type="application/json")
    assert response.status_code == 400
    case.refresh_from_db()
    assert (case.confirmation_result, case.confirmation_ruling_number) == ("confirmed", RULING)
    # The API filter is the page's.
    api = court.get("/api/cases/", {"awaiting_confirmation": "true"}).json()
    assert api["count"] == 0


def test_the_ruling_date_is_checked(world):
    case = services.case_request_confirmation(agreed(world), actor=world.officer_a)
    for ruled_on, field in ((None, "ruled_on"), (TODAY() + timedelta(days=1), "ruled_on"),
                            (TODAY() - timedelta(days=1), "ruled_on")):
        with pytest.raises(ValidationError) as err:
            services.case_record_confirmation(case, actor=world.court, result="confirmed", ruling_number=RULING,
                                              ruled_on=ruled_on)
        assert field in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.case_record_confirmation(case, actor=world.court, result="confirmed", ruling_number=" ", ruled_on=TODAY())
    assert "ruling_number" in err.value.message_dict


def test_a_payment_order_applied_for_is_not_offered_again(world, login):
    case = services.case_mediate(services.case_accept(file_case(world, received_on=TODAY() - timedelta(days=20)),
                                                      actor=world.officer_a), actor=world.officer_a)
    signed = TODAY() - timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(accepted_on=signed - timedelta(days=5))
    case = services.case_agree(case, actor=world.officer_a, signed_on=signed, effective_on=signed, amount=Decimal("6000"),
                               terms="x", installments=[(signed + timedelta(days=3), Decimal("6000"))])
    client = login(world.officer_a)
    first = TODAY() - timedelta(days=1)
    assert act(client, case, "payment_order", applied_on=first.isoformat()).status_code == 302
    assert 'id="action-payment_order"' not in offered(client, case)
    assert act(client, case, "payment_order", applied_on=TODAY().isoformat()).status_code == 400
    assert Case.objects.get(pk=case.pk).payment_order_applied_on == first
    check = client.get(f"/api/cases/{case.pk}/payment-order/").json()
    assert check["allowed"] is False and first.isoformat() in check["reason"]


def test_assigning_the_same_mediator_again_changes_nothing(world):
    mediator = town_mediator(world)
    case = services.case_assign(file_case(world), actor=world.officer_a, mediator=mediator)
    events = Event.objects.filter(verb="case.assign").count()
    with pytest.raises(ValidationError) as err:
        services.case_assign(case, actor=world.officer_a, mediator=mediator)
    assert "mediator" in err.value.message_dict
    assert Event.objects.filter(verb="case.assign").count() == events


def test_the_court_deadline_at_its_cap_is_not_extended_again(world, login):
    LegalSetting.objects.create(region=world.county, key="court_extension_cap_days", value=10, source="测试",
                                effective_from=TODAY() - timedelta(days=365))
    case = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="pre_filing",
                     court_received_on=TODAY() - timedelta(days=3))
    case = services.case_accept(case, actor=world.officer_a)
    client = login(world.officer_a)
    assert 'id="action-extend"' in offered(client, case)
    services.case_extend(case, actor=world.officer_a, days=10, consent=True)
    assert 'id="action-extend"' not in offered(client, case)
    check = client.get(f"/api/cases/{case.pk}/extend/").json()
    assert check["allowed"] is False and check["reason"]


def test_an_objection_is_answered_once(world, login):
    today = TODAY()
    rnd = Round.objects.create(year=today.year, name="年度创建", standard=Standard.objects.get(),
                               opens_on=today - timedelta(days=30), self_assessment_due=today + timedelta(days=30),
                               review_due=today + timedelta(days=60), approval_due=today + timedelta(days=90))
    ev = harmony_services.evaluation_start(actor=world.union_a, round=rnd, enterprise=world.ent_a,
                                           tier=Tier.objects.get(code="county"))
    Evaluation.objects.filter(pk=ev.pk).update(status="publicity", publicity_from=today, publicity_until=today + timedelta(days=7))
    objection = Objection.objects.create(evaluation=ev, lodged_on=today, text="曾拖欠加班费")
    harmony_services.objection_answer(objection, actor=world.admin, answer="已补发", upheld=False)
    with pytest.raises(ValidationError) as err:
        harmony_services.objection_answer(objection, actor=world.admin, answer="改判", upheld=True)
    assert "answer" in err.value.message_dict
    objection.refresh_from_db()
    assert (objection.answer, objection.upheld) == ("已补发", False)
    check = login(world.admin).get(f"/api/harmony/evaluations/{ev.pk}/answer-objection/").json()
    assert check["allowed"] is False and check["reason"]
