"""Home pages say what to do next (issue 14, item 3): each role's "needs your attention" items count
what waits for them in the built pillars, one query each whatever the data, and each links to the
list filtered to exactly those rows."""
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import translation
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.alerts import rules as alert_rules, services as alert_services
from concord.alerts.models import Alert
from concord.core import attention
from concord.core.models import User
from concord.disputes import services as dispute_services
from concord.disputes.models import Case
from concord.harmony import services as harmony_services
from concord.harmony.models import Evaluation, Objection, Survey

from tests.disputes_helpers import claimants, file_case
from tests.test_harmony_pages import in_publicity, reviewed, setup, submitted  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def items(user) -> dict:
    """The user's items by label, as a fresh request would compute them."""
    with translation.override("en"):
        return {str(item.label): item for item in attention.items_for(User.objects.get(pk=user.pk))}


def shown(client, url, candidates) -> set:
    """Which of ``candidates`` (objects with a ``number`` or a name) the linked list shows."""
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    return {c for c in candidates if c in body}


def assert_item(client, item, expected, candidates):
    assert item.count == len(expected), item.label
    assert shown(client, item.url, candidates) == set(expected), item.label


def _case(world, deadline=None, accepted=True, **extra):
    case = file_case(world, people=claimants(1, prefix=extra.pop("prefix", "522422")), **extra)
    if accepted:
        case = dispute_services.case_accept(case, actor=extra.get("actor", world.officer_a))
    if deadline is not None:
        Case.objects.filter(pk=case.pk).update(deadline=deadline)
    return case.number


def _arrears(world, months, ent, officer, today=None):
    today = today or TODAY()
    alert_services.signal_record(actor=officer, enterprise=ent, kind=alert_rules.WAGE_ARREARS, observed_on=today,
                                 value=D(months), today=today)
    return Alert.objects.get(enterprise=ent).number


def test_town_officer_sees_cases_alerts_and_applications_waiting(setup, login):  # noqa: F811
    w = setup
    received = _case(w, accepted=False, prefix="522421")
    running = _case(w, prefix="522423")
    near = _case(w, deadline=TODAY() + timedelta(days=2), prefix="522424")
    late = _case(w, deadline=TODAY() - timedelta(days=1), prefix="522425")
    other_town = _case(w, actor=w.officer_b, respondent=w.ent_b, accepted=False, prefix="522426")
    late_alert = _arrears(w, "0.5", w.ent_a, w.officer_a, today=TODAY() - timedelta(days=10))  # 7 days to respond
    fresh_alert = _arrears(w, "1.5", w.ent_a2, w.officer_a)
    foreign_alert = _arrears(w, "0.5", w.ent_b, w.officer_b)
    evaluation = submitted(w)
    client = login(w.officer_a)
    got = items(w.officer_a)
    cases = {received, running, near, late, other_town}
    assert_item(client, got["Cases waiting for acceptance"], {received}, cases)
    assert_item(client, got["Cases in mediation at your level"], {running, near, late}, cases)
    assert_item(client, got["Cases near their deadline"], {near}, cases)
    assert_item(client, got["Cases past their deadline"], {late}, cases)
    alerts = {late_alert, fresh_alert, foreign_alert}
    assert_item(client, got["Alerts waiting for a first response"], {late_alert, fresh_alert}, alerts)
    assert_item(client, got["Alerts past their response deadline"], {late_alert}, alerts)
    assert got["Applications to review"].count == 1
    assert shown(client, got["Applications to review"].url, {w.ent_a.name, w.ent_b.name}) == {w.ent_a.name}
    assert evaluation.status == "submitted"
    # The home page shows each item as a link to its list.
    home = client.get("/").content.decode()
    assert got["Cases past their deadline"].url.replace("&", "&amp;") in home
    # Town B's officer sees none of town A's.
    other = items(w.officer_b)
    assert other["Cases waiting for acceptance"].count == 1 and "Cases past their deadline" not in other


def test_county_admin_sees_escalated_alerts_approvals_and_objections(setup, login):  # noqa: F811
    w = setup
    ev = in_publicity(w)
    red = _arrears(w, "2.5", w.ent_b, w.officer_b)  # red: assigned to the county
    yellow = _arrears(w, "0.5", w.ent_a2, w.officer_a)  # the town's
    Objection.objects.create(evaluation=ev, lodged_on=TODAY(), text="有异议")
    client = login(w.admin)
    got = items(w.admin)
    assert_item(client, got["Alerts waiting for a first response"], {red}, {red, yellow})
    key = "Applications in publicity with an objection to answer"
    assert got[key].count == 1 and shown(client, got[key].url, {w.ent_a.name, w.ent_b.name}) == {w.ent_a.name}
    Objection.objects.filter(evaluation=ev).update(answer="已答复", answered_on=TODAY())
    assert key not in items(w.admin)  # answered: nothing left to do
    assert w.ent_a.name not in client.get(got[key].url).content.decode()


def test_county_admin_sees_applications_to_approve(setup, login):  # noqa: F811
    w = setup
    reviewed(w)
    got = items(w.admin)
    assert got["Applications to approve"].count == 1
    assert shown(login(w.admin), got["Applications to approve"].url, {w.ent_a.name, w.ent_b.name}) == {w.ent_a.name}


def test_court_liaison_sees_the_judicial_confirmations_applied_for(world, login):
    pending = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="post_filing",
                        court_received_on=TODAY(), people=claimants(1, prefix="330622"), amount_claimed=None)
    done = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="post_filing",
                     court_received_on=TODAY(), people=claimants(1, prefix="330623"), amount_claimed=None)
    not_applied = file_case(world, actor=world.court, source="court_delegated", court_referral_kind="post_filing",
                            court_received_on=TODAY(), people=claimants(1, prefix="330624"), amount_claimed=None)
    Case.objects.filter(pk__in=[pending.pk, done.pk, not_applied.pk]).update(status="agreement")
    Case.objects.filter(pk__in=[pending.pk, done.pk]).update(confirmation_requested_on=TODAY())
    Case.objects.filter(pk=done.pk).update(confirmation_result="confirmed")
    got = items(world.court)
    assert_item(login(world.court), got["Judicial confirmations applied for"], {pending.number},
                {pending.number, done.number, not_applied.number})
    assert "Cases waiting for acceptance" not in got  # the court liaison does not mediate


def test_union_officer_sees_the_application_returned_for_correction(setup, login):  # noqa: F811
    w = setup
    ev = harmony_services.evaluation_return(submitted(w), actor=w.officer_a, note="补充台账")
    got = items(w.union_a)
    assert got["Applications returned for correction"].count == 1
    assert shown(login(w.union_a), got["Applications returned for correction"].url, {w.ent_a.name}) == {w.ent_a.name}
    assert ev.status == "returned"


def test_worker_sees_the_open_survey_until_answered(setup, login):  # noqa: F811
    w = setup
    survey = harmony_services.survey_open(actor=w.union_a, enterprise=w.ent_a, opens_on=TODAY(),
                                          closes_on=TODAY() + timedelta(days=7), round=w.round, min_responses=1)
    harmony_services.survey_open(actor=w.officer_b, enterprise=w.ent_b, opens_on=TODAY(),
                                 closes_on=TODAY() + timedelta(days=7), round=w.round, min_responses=1)
    client = login(w.worker_user)
    item = items(w.worker_user)["Satisfaction surveys waiting for your answer"]
    assert item.count == 1
    page = client.get(item.url).content.decode()
    assert f"/harmony/surveys/{survey.pk}/answer/" in page and page.count("/answer/") == 1
    answers = {q.pk: 5 for q in survey.questions.all()}
    harmony_services.survey_answer(survey, user=w.worker_user, answers=answers)
    assert "Satisfaction surveys waiting for your answer" not in items(w.worker_user)
    assert "/answer/" not in client.get(item.url).content.decode()
    assert Survey.objects.count() == 2


@pytest.mark.parametrize("role", ["officer_a", "admin", "court", "union_a", "worker_user"])
def test_counts_cost_the_same_queries_whatever_the_data(setup, role):  # noqa: F811
    w = setup
    user = getattr(w, role)

    def queries():
        fresh = User.objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as ctx:
            attention.items_for(fresh)
        return len(ctx.captured_queries)

    before = queries()
    for i in range(3):
        _case(w, accepted=i % 2 == 0, deadline=TODAY() - timedelta(days=i), prefix=f"52242{i + 6}")
    _arrears(w, "0.5", w.ent_a, w.officer_a)
    submitted(w)
    Evaluation.objects.update(status="reviewed")
    assert queries() == before
