"""The case services and the workflow mechanism: every transition checks state, role, level and
scope; refusals change nothing; the periodic jobs are idempotent."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concord.core.models import Event, Notification, Sequence
from concord.core.scope import Role
from concord.core.workflow import TransitionRefused
from concord.disputes import rules, services, workflow
from concord.disputes.models import Case, LegalSetting
from tests.conftest import make_user
from tests.disputes_helpers import claimants, committee_enterprise, file_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def snapshot(case):
    return {f.name: getattr(Case.objects.get(pk=case.pk), f.attname) for f in Case._meta.concrete_fields}


def accepted(world, **kw):
    case = file_case(world, **kw)
    return services.case_accept(case, actor=world.officer_a)


# --- the transition table ----------------------------------------------------------------------

ILLEGAL = [
    # (status reached by these steps, refused transition)
    ((), "mediate"),
    ((), "agree"),
    ((), "close"),
    (("accept",), "accept"),
    (("accept",), "refer"),
    (("accept", "mediate"), "consult"),
    (("accept", "mediate", "fail"), "close"),
    (("accept", "mediate", "fail"), "escalate"),
]


@pytest.mark.parametrize("steps,refused", ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(world, steps, refused):
    case = file_case(world)
    for step in steps:
        kwargs = {"reason": "无果"} if step == "fail" else {}
        case = getattr(services, f"case_{step}")(case, actor=world.officer_a, **kwargs)
    before = snapshot(case)
    events = Event.objects.count()
    calls = {
        "mediate": lambda: services.case_mediate(case, actor=world.officer_a),
        "agree": lambda: services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(), amount=1, terms="x"),
        "close": lambda: services.case_close(case, actor=world.officer_a, outcome="performed"),
        "accept": lambda: services.case_accept(case, actor=world.officer_a),
        "refer": lambda: services.case_refer(case, actor=world.officer_a, outcome="arbitration"),
        "consult": lambda: services.case_consult(case, actor=world.officer_a),
        "escalate": lambda: services.case_escalate(case, actor=world.officer_a, note="x"),
    }
    with pytest.raises(TransitionRefused):
        calls[refused]()
    assert snapshot(case) == before and Event.objects.count() == events


def test_roles_and_levels(world):
    ent = committee_enterprise(world)
    case = file_case(world, respondent=ent)
    assert case.level == "enterprise"
    # The worker and the auditor never accept; the other town's officer cannot even see the case.
    with pytest.raises((TransitionRefused, PermissionDenied)):
        services.case_accept(case, actor=world.auditor)
    with pytest.raises(PermissionDenied):
        services.case_accept(case, actor=world.officer_b)
    case = services.case_accept(case, actor=world.union_c)
    case = services.case_escalate(case, actor=world.union_c, note="调解无果")
    assert case.level == "town" and case.escalations == 1
    with pytest.raises(TransitionRefused):  # the union no longer handles the case at town level
        services.case_mediate(case, actor=world.union_c)
    case = services.case_escalate(case, actor=world.officer_a, note="重大")
    assert case.level == "county"
    with pytest.raises(TransitionRefused):  # a town officer does not handle county-level cases
        services.case_mediate(case, actor=world.officer_a)
    case = services.case_mediate(case, actor=world.admin)
    with pytest.raises(TransitionRefused):
        services.case_escalate(case, actor=world.admin, note="x")


def test_available_actions_follow_the_table(world):
    case = file_case(world)
    names = {t.name for t in Case.workflow.available(case, world.officer_a)}
    assert names == {"accept", "reject", "assign", "escalate", "withdraw"}
    assert {t.name for t in Case.workflow.available(case, world.court)} == set()


def test_worker_withdraws_own_case_only(world):
    case = file_case(world, people=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)])
    with pytest.raises(TransitionRefused):
        services.case_accept(case, actor=world.worker_user)
    with pytest.raises(TransitionRefused):
        services.case_withdraw(case, actor=world.worker_user, reason="")
    case = services.case_withdraw(case, actor=world.worker_user, reason="已和解")
    assert case.status == "withdrawn" and case.closed_on == TODAY()
    other = file_case(world)
    with pytest.raises(PermissionDenied):
        services.case_withdraw(other, actor=world.worker_user, reason="x")


# --- intake ------------------------------------------------------------------------------------

def test_case_numbers_are_per_county_and_year(world):
    first = file_case(world)
    second = file_case(world, people=claimants(1, prefix="330621"))
    last_year = file_case(world, people=claimants(1, prefix="362321"), received_on=date(TODAY().year - 1, 6, 1))
    assert first.number.endswith("-000001") and second.number.endswith("-000002")
    assert last_year.number == f"330603-{TODAY().year - 1}-000001"
    assert Sequence.objects.get(name=f"case:330603:{TODAY().year}").last == 2


def test_court_extension_has_no_cap_unless_the_local_court_sets_one(world):
    """法释〔2016〕14号 art. 27: an agreed extension has no cap; a county may record its court's cap."""
    received = TODAY() - timedelta(days=2)
    case = services.case_accept(file_case(world, actor=world.court, source="court_delegated", court_referral_kind="pre_filing",
                                          court_case_number="（2026）浙0603民初2号", court_received_on=received,
                                          confirm_duplicate=True), actor=world.officer_a)
    case = services.case_extend(case, actor=world.court, days=45, consent=True)  # refused by the old 30-day default
    assert case.court_extension_days == 45
    assert case.deadline == services.holiday_extends(received + timedelta(days=30 + 45))
    LegalSetting.objects.create(region=world.county, key="court_extension_cap_days", value=60, source="本地法院规定（示例）",
                                effective_from=date(2020, 1, 1))
    before = snapshot(case)
    with pytest.raises(ValidationError) as exc:
        services.case_extend(case, actor=world.court, days=16, consent=True)  # 61 days in all
    assert "60" in exc.value.message_dict["days"][0] and snapshot(case) == before
    case = services.case_extend(case, actor=world.court, days=15, consent=True)
    assert case.court_extension_days == 60


def test_collective_thresholds(world):
    with pytest.raises(ValidationError) as exc:
        file_case(world, n=9, collective=True)
    assert "claimants" in exc.value.message_dict
    with pytest.raises(ValidationError):
        file_case(world, n=9, reps=3)  # representatives only in a collective case
    with pytest.raises(ValidationError):
        file_case(world, n=10, reps=6)
    with pytest.raises(ValidationError):
        file_case(world, n=10, reps=2)  # when representatives are named, 3–5
    case = file_case(world, n=10, reps=5)
    assert case.is_collective and case.level == "town"
    assert not Case.objects.exclude(pk=case.pk).exists()


def test_collective_threshold_is_a_county_setting(world):
    LegalSetting.objects.create(region=world.county, key="collective_threshold", value=8, source="示例", effective_from=date(2020, 1, 1))
    case = file_case(world, n=8, reps=3)
    assert case.is_collective


@pytest.mark.parametrize("field,value", [
    ("amount_claimed", Decimal("-1")),
    ("amount_claimed", Decimal("200000000")),
    ("received_on", TODAY() + timedelta(days=3)),
    ("knew_on", TODAY() + timedelta(days=1)),
])
def test_bad_intake_is_refused(world, field, value):
    with pytest.raises(ValidationError):
        file_case(world, **{field: value})
    assert not Case.objects.exists() and not Sequence.objects.filter(last__gt=0).exists()


def test_duplicate_within_24_hours(world):
    people = claimants(1)
    file_case(world, people=people)
    with pytest.raises(services.DuplicateFiling):
        file_case(world, people=people)
    with pytest.raises(services.DuplicateFiling):  # another sub-category of the same category (5)
        file_case(world, people=people, subcategory="overtime_pay")
    file_case(world, people=people, category=3, subcategory="dismissal")
    file_case(world, people=people, confirm_duplicate=True)
    assert Case.objects.count() == 3


def test_court_referral_deadline_and_extension(world):
    received = TODAY() - timedelta(days=2)
    case = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="post_filing",
                     court_case_number="（2026）浙0603民初1号", court_received_on=received, confirm_duplicate=True)
    assert case.level == "town" and case.deadline == services.holiday_extends(received + timedelta(days=15))
    case = services.case_accept(case, actor=world.officer_a)
    assert case.deadline == services.holiday_extends(received + timedelta(days=15))
    before = snapshot(case)
    with pytest.raises(ValidationError) as exc:
        services.case_extend(case, actor=world.court, days=10, consent=False)
    assert "consent" in exc.value.message_dict and snapshot(case) == before
    case = services.case_extend(case, actor=world.court, days=10, consent=True)
    assert case.court_extension_days == 10 and case.deadline == services.holiday_extends(received + timedelta(days=25))
    # The court liaison sees court referrals only.
    other = file_case(world, people=claimants(1, prefix="330621"))
    visible = set(Case.objects.visible_to(world.court).values_list("pk", flat=True))
    assert case.pk in visible and other.pk not in visible


# --- agreement, payments, closure ----------------------------------------------------------------

def test_agreement_schedule_must_add_up(world):
    case = services.case_mediate(accepted(world), actor=world.officer_a)
    before = snapshot(case)
    with pytest.raises(ValidationError) as exc:
        services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(), amount=Decimal("9000"),
                            terms="x", installments=[(TODAY(), Decimal("4000"))])
    assert "installments" in exc.value.message_dict and snapshot(case) == before
    with pytest.raises(ValidationError):
        services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY() - timedelta(days=1),
                            amount=Decimal("9000"), terms="x")
    assert not hasattr(Case.objects.get(pk=case.pk), "agreement")


def test_missed_payment_opens_the_payment_order_route(world):
    case = services.case_mediate(accepted(world, received_on=TODAY() - timedelta(days=20)), actor=world.officer_a)
    signed = TODAY() - timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(accepted_on=signed - timedelta(days=5))
    case = services.case_agree(case, actor=world.officer_a, signed_on=signed, effective_on=signed, amount=Decimal("6000"),
                               terms="x", installments=[(signed + timedelta(days=3), Decimal("6000"))])
    case = services.case_payment_order(case, actor=world.officer_a)
    case = services.case_close(case, actor=world.officer_a, outcome="payment_order")
    assert case.outcome == "payment_order" and case.status == "closed"


def test_payment_order_needs_a_missed_payment(world):
    case = services.case_mediate(accepted(world), actor=world.officer_a)
    case = services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(), amount=Decimal("100"),
                               terms="x", installments=[(TODAY() + timedelta(days=5), Decimal("100"))])
    with pytest.raises(TransitionRefused):
        services.case_payment_order(case, actor=world.officer_a)


def test_judicial_confirmation_is_recorded_by_the_court(world):
    received = TODAY() - timedelta(days=3)
    case = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="pre_filing",
                     court_received_on=received)
    case = services.case_mediate(services.case_accept(case, actor=world.officer_a), actor=world.officer_a)
    case = services.case_agree(case, actor=world.officer_a, signed_on=TODAY(), effective_on=TODAY(), amount=Decimal("500"), terms="x")
    with pytest.raises(TransitionRefused):
        services.case_record_confirmation(case, actor=world.court, result="confirmed", ruling_number="（2026）浙0603民特1号",
                                          ruled_on=TODAY())
    case = services.case_request_confirmation(case, actor=world.officer_a)
    with pytest.raises(TransitionRefused):
        services.case_record_confirmation(case, actor=world.officer_a, result="confirmed",
                                          ruling_number="（2026）浙0603民特1号", ruled_on=TODAY())
    case = services.case_record_confirmation(case, actor=world.court, result="confirmed",
                                             ruling_number="（2026）浙0603民特1号", ruled_on=TODAY())
    case = services.case_close(case, actor=world.officer_a, outcome="confirmed")
    assert case.court_result_reported_on == TODAY() and case.outcome == "confirmed"


def test_failed_case_referred_to_arbitration_gets_the_limitation_date(world):
    knew = date(TODAY().year - 1, 12, 20)
    case = services.case_mediate(accepted(world, subcategory="compensation", knew_on=knew), actor=world.officer_a)
    case = services.case_fail(case, actor=world.officer_a, reason="企业拒绝")
    with pytest.raises(ValidationError):
        services.case_refer(case, actor=world.officer_a, outcome="returned_to_court")
    case = services.case_refer(case, actor=world.officer_a, outcome="arbitration")
    assert case.status == "closed" and case.limitation_date == services.holiday_extends(date(knew.year + 1, 12, 20))


# --- periodic jobs -------------------------------------------------------------------------------

def test_escalation_job_is_idempotent_and_notifies(world, django_capture_on_commit_callbacks):
    mediator = make_user("alpha_mediator", Role.MEDIATOR, region=world.town_a)
    ent = committee_enterprise(world)
    case = services.case_accept(file_case(world, respondent=ent), actor=world.union_c)
    later = case.deadline + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue(case.deadline) == "escalated 0, skipped 0"  # not yet past
        assert services.escalate_overdue(later) == "escalated 1, skipped 0"
        assert services.escalate_overdue(later) == "escalated 0, skipped 0"
    case.refresh_from_db()
    assert case.level == "town" and case.deadline == services.mediation_deadline(case, later)
    event = Event.objects.get(verb="case.escalate")
    assert event.actor is None and event.data["from_level"] == "enterprise" and event.data["automatic"] is True
    assert Notification.objects.filter(recipient=mediator).exists()
    assert Notification.objects.filter(recipient=world.union_c).exists()


def test_reminders_once_per_deadline(world, django_capture_on_commit_callbacks):
    case = accepted(world)
    day = case.deadline - timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(day) == "reminded 1"
        assert services.send_deadline_reminders(day) == "reminded 0"
    assert Notification.objects.filter(recipient=world.officer_a, text__contains=case.deadline.isoformat()).count() == 1


def test_unanswered_consultation_moves_to_mediation(world):
    case = services.case_consult(accepted(world), actor=world.officer_a, requested_on=TODAY())
    assert services.close_unanswered_consultations(TODAY() + timedelta(days=5)) == "moved 0"
    assert services.close_unanswered_consultations(TODAY() + timedelta(days=6)) == "moved 1"
    case.refresh_from_db()
    assert case.status == "mediation"


# --- pure level rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("collective,court,committee,level", [
    (False, False, True, "enterprise"), (False, False, False, "town"), (True, False, True, "town"), (False, True, True, "town"),
])
def test_starting_level(collective, court, committee, level):
    assert rules.starting_level(collective=collective, court_referral=court, has_mediation_committee=committee) == level


@pytest.mark.parametrize("assigned,case_level,handles", [
    ("enterprise", "enterprise", True), ("enterprise", "town", False), ("town", "enterprise", True), ("town", "town", True),
    ("town", "county", False), ("county", "enterprise", True), ("county", "county", True),
])
def test_handles_level(assigned, case_level, handles):
    assert rules.handles_level(assigned, case_level) is handles


def test_next_level():
    assert [rules.next_level(x) for x in rules.LEVELS] == ["town", "county", None]


def test_workflow_table_names_are_known_to_the_page():
    from concord.disputes.views import ACTION_FORMS

    assert set(ACTION_FORMS) == set(workflow.CASE_WORKFLOW.transitions)


def test_the_system_is_held_to_the_case_conditions(world):
    case = services.case_accept(file_case(world), actor=world.officer_a)
    Case.objects.filter(pk=case.pk).update(level="county")
    with pytest.raises(TransitionRefused):
        services.case_escalate(case, actor=None, note="x")
    with pytest.raises(TransitionRefused):  # and to the state table
        services.case_close(case, actor=None, outcome="performed")
