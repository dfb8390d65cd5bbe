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


def _alert(world):
    alert_services.signal_record(actor=world.officer_a, enterprise=world.ent_a, kind=alert_rules.WAGE_ARREARS,
                                 observed_on=timezone.localdate(), value=D("2.5"), today=timezone.localdate())
    alert = Alert.objects.get(enterprise=world.ent_a)
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
