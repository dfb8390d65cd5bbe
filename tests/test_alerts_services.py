"""Early-warning services: signals, assessment with explanation, alerts and their workflow, the scan."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from concord.alerts import rules, services
from concord.alerts.models import Alert, AlertAction, EnterpriseRisk, RiskChange, RiskSignal
from concord.core.models import Event, Notification
from concord.core.workflow import TransitionRefused
from concord.registry.models import Employment, Worker
from tests.conftest import id_number
from tests.disputes_helpers import file_case

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Notifications and the collective-case signal run after the commit: run them in the test."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def arrears(world, months, actor=None, ent=None, days_ago=2, **kw):
    return services.signal_record(actor=actor or world.officer_a, enterprise=ent or world.ent_a, kind=rules.WAGE_ARREARS,
                                  observed_on=TODAY - timedelta(days=days_ago), value=D(months), today=TODAY, **kw)


def test_a_signal_assesses_its_enterprise_and_raises_an_alert(world, committed):
    with committed():
        arrears(world, "0.5", amount=D(20000), workers_affected=5)
    risk = EnterpriseRisk.objects.get(enterprise=world.ent_a)
    assert (risk.level, risk.score) == ("yellow", 30)
    assert risk.explanation[0]["rule_label"] == "欠薪不足1个月（黄色）" and risk.explanation[0]["counted"]
    alert = Alert.objects.get(enterprise=world.ent_a)
    assert (alert.level, alert.status, alert.deadline, alert.county_assigned) == ("yellow", "open", TODAY + timedelta(days=7), False)
    assert alert.number == f"330603-YJ-{TODAY.year}-00001"
    # The town officer is told; the county is not assigned for yellow.
    assert Notification.objects.filter(recipient=world.officer_a, url=alert.get_absolute_url()).exists()
    assert not Notification.objects.filter(recipient=world.admin).exists()
    # A rise lifts the same alert (shorter deadline, the county assigned) instead of opening another.
    with committed():
        arrears(world, "2.5")
    alert.refresh_from_db()
    assert Alert.objects.filter(enterprise=world.ent_a).count() == 1
    assert (alert.level, alert.deadline, alert.county_assigned) == ("red", TODAY + timedelta(days=1), True)
    assert Notification.objects.filter(recipient=world.admin).exists()
    assert list(RiskChange.objects.filter(enterprise=world.ent_a).order_by("pk").values_list("previous_level", "level")) == [
        ("", "yellow"), ("yellow", "red")]
    assert Event.objects.filter(verb="alert.raise_level", object_id=str(alert.pk)).exists()


def test_scan_is_idempotent(world):
    arrears(world, "1.5")
    first = services.scan(TODAY)
    second = services.scan(TODAY)
    assert "changed 0, raised 0" in second, (first, second)
    assert Alert.objects.count() == 1 and RiskChange.objects.count() == 1


def test_expired_signals_lower_the_level_without_a_new_alert(world):
    arrears(world, "3", days_ago=5)
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == "red"
    later = TODAY + timedelta(days=rules.VALID_DAYS)
    services.scan(later)
    risk = EnterpriseRisk.objects.get(enterprise=world.ent_a)
    assert (risk.level, risk.score, risk.explanation) == ("", 0, [])
    assert Alert.objects.count() == 1


def test_disposal_and_closure(world):
    arrears(world, "1.5")
    alert = Alert.objects.get()
    with pytest.raises(TransitionRefused):  # nothing done yet
        services.alert_close(alert, actor=world.officer_a, outcome="resolved", note="已解决", today=TODAY)
    with pytest.raises(ValidationError) as err:
        services.action_record(alert, actor=world.officer_a, kind="visit", done_on=TODAY, summary="  ", today=TODAY)
    assert "summary" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.action_record(alert, actor=world.officer_a, kind="visit", done_on=TODAY - timedelta(days=30), summary="走访", today=TODAY)
    assert "done_on" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.action_record(alert, actor=world.officer_b, kind="visit", done_on=TODAY, summary="走访", today=TODAY)
    with pytest.raises(PermissionDenied):  # reads, never writes
        services.action_record(alert, actor=world.auditor, kind="visit", done_on=TODAY, summary="走访", today=TODAY)
    assert AlertAction.objects.count() == 0 and Alert.objects.get().status == "open"
    services.action_record(alert, actor=world.officer_a, kind="visit", done_on=TODAY, summary="走访企业，老板承诺月底前发放", today=TODAY)
    services.action_record(alert, actor=world.officer_a, kind="employer_talk", done_on=TODAY, summary="约谈法定代表人", today=TODAY)
    alert.refresh_from_db()
    assert (alert.status, alert.first_response_on) == ("handling", TODAY)
    with pytest.raises(ValidationError) as err:
        services.alert_close(alert, actor=world.officer_a, outcome="", note="", today=TODAY)
    assert {"outcome", "outcome_note"} <= set(err.value.message_dict)
    services.alert_close(alert, actor=world.officer_a, outcome="resolved", note="工资已足额发放", today=TODAY)
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.closed_on) == ("closed", "resolved", TODAY)
    verbs = list(Event.objects.filter(object_id=str(alert.pk), verb__startswith="alert.").order_by("pk").values_list("verb", flat=True))
    assert verbs == ["alert.raise", "alert.respond", "alert.act", "alert.close"]
    # After closing, a new rise raises a new alert.
    services.signal_record(actor=world.officer_a, enterprise=world.ent_a, kind=rules.OWNER_UNREACHABLE, observed_on=TODAY, today=TODAY)
    assert Alert.objects.filter(enterprise=world.ent_a).exclude(status="closed").get().level == "red"


def test_unattended_alert_escalates_once(world, committed):
    arrears(world, "0.5")
    alert = Alert.objects.get()
    assert services.escalate_unattended(alert.deadline) == 0  # not past yet
    with committed():
        assert services.escalate_unattended(alert.deadline + timedelta(days=1)) == 1
    assert services.escalate_unattended(alert.deadline + timedelta(days=2)) == 0
    alert.refresh_from_db()
    assert alert.county_assigned and alert.escalated_on == alert.deadline + timedelta(days=1)
    assert Notification.objects.filter(recipient=world.admin, text__contains=alert.number).exists()


def test_a_collective_case_raises_a_red_alert_at_once(world, committed):
    with committed():
        case = file_case(world, n=12, reps=3)
    alert = Alert.objects.get(enterprise=world.ent_a)
    assert alert.level == "red" and alert.case_id == case.pk and alert.county_assigned
    assert RiskSignal.objects.get(key=f"case:{case.pk}").value == 12
    # The scan does not add a second signal for the same case.
    services.scan()
    assert RiskSignal.objects.filter(kind=rules.COLLECTIVE_DISPUTE).count() == 1


@pytest.mark.parametrize("fields, error_field", [
    ({"value": D(-1)}, "value"),
    ({"value": D(200)}, "value"),
    ({"value": D(1), "amount": D(90_000_000), "workers_affected": 3}, "amount"),
    ({"value": D(1), "observed_on": TODAY + timedelta(days=1)}, "observed_on"),
    ({"value": D(1), "expires_on": TODAY - timedelta(days=30)}, "expires_on"),
    ({"value": None}, "value"),
])
def test_bad_signals_are_refused_and_change_nothing(world, fields, error_field):
    kwargs = {"observed_on": TODAY - timedelta(days=1), **fields}
    with pytest.raises(ValidationError) as err:
        services.signal_record(actor=world.officer_a, enterprise=world.ent_a, kind=rules.WAGE_ARREARS, today=TODAY, **kwargs)
    assert error_field in err.value.message_dict
    assert not RiskSignal.objects.exists() and not EnterpriseRisk.objects.exists() and not Alert.objects.exists()


def test_signal_scope_and_roles(world):
    with pytest.raises(ValidationError):
        arrears(world, "1", actor=world.officer_b)  # another town's enterprise
    with pytest.raises(PermissionDenied):
        arrears(world, "1", actor=world.union_a)
    with pytest.raises(ValidationError):  # computed kinds are not entered by hand
        services.signal_record(actor=world.officer_a, enterprise=world.ent_a, kind=rules.COLLECTIVE_DISPUTE,
                               observed_on=TODAY, value=D(12), today=TODAY)
    arrears(world, "1")
    assert RiskSignal.objects.visible_to(world.officer_a).count() == 1
    assert RiskSignal.objects.visible_to(world.officer_b).count() == 0
    assert Alert.objects.visible_to(world.union_a).count() == 0
    assert Alert.objects.visible_to(world.admin).count() == 1


def test_computed_layoff_and_repeated_disputes(world):
    start = date(2020, 1, 1)
    workers = [Worker.objects.create(id_number=id_number("522422", "19900101", 500 + i), name=f"离职{i}") for i in range(25)]
    Employment.objects.bulk_create([
        Employment(worker=w, enterprise=world.ent_a2, start_date=start, end_date=TODAY - timedelta(days=3)) for w in workers])
    world.ent_a2.head_count = 100
    world.ent_a2.save()
    services.scan(TODAY)
    layoff = RiskSignal.objects.get(key=f"layoff:{world.ent_a2.pk}")
    assert (layoff.kind, layoff.value, layoff.source) == (rules.MASS_LAYOFF, 25, "registry")
    assert not RiskSignal.objects.filter(key=f"turnover:{world.ent_a2.pk}").exists()  # 25 of 125 is 20%, under 30%
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a2).level == "yellow"
    # Three cases in 90 days; the next scan updates the same computed rows.
    for _ in range(3):
        file_case(world, respondent=world.ent_b, actor=world.officer_b, confirm_duplicate=True, received_on=TODAY)
    services.scan(TODAY)
    assert RiskSignal.objects.get(key=f"disputes:{world.ent_b.pk}").value == 3
    services.scan(TODAY)
    assert RiskSignal.objects.filter(kind=rules.REPEATED_DISPUTES).count() == 1
    # The layoff leaves the window: the computed signal stops counting and the level drops.
    services.scan(TODAY + timedelta(days=40))
    assert not RiskSignal.objects.filter(key=f"layoff:{world.ent_a2.pk}", expires_on__gte=TODAY + timedelta(days=40)).exists()
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a2).level == ""


def _leave(world, enterprise, ends, seq=700):
    """Employments of ``enterprise`` that ended on the given days."""
    workers = [Worker.objects.create(id_number=id_number("522422", "19910101", seq + i), name=f"离职{seq + i}")
               for i in range(len(ends))]
    Employment.objects.bulk_create([Employment(worker=w, enterprise=enterprise, start_date=date(2020, 1, 1), end_date=end)
                                    for w, end in zip(workers, ends)])


def test_seeded_layoff_rules_are_the_statute_and_a_separate_local_rule(world):
    from concord.alerts.models import ScoringRule

    # Migration 0007 left the statutory row active and the old 10-person / 30-day row as a local rule, off.
    statutory = ScoringRule.objects.get(kind=rules.MASS_LAYOFF, is_active=True)
    default = next(r for r in rules.DEFAULT_RULES if r.kind == rules.MASS_LAYOFF)
    assert (statutory.label, statutory.source, statutory.at_least, statutory.window_days) == (
        default.label, default.source, 1, None)
    local = ScoringRule.objects.get(kind=rules.MASS_LAYOFF, is_active=False)
    assert (local.label, local.source, local.at_least, local.window_days) == (
        rules.LOCAL_RULES[0].label, rules.LOCAL_RULES[0].source, 10, 30)
    assert "第四十一条" in statutory.source and "非法定" in local.source


def test_a_small_statutory_layoff_is_a_signal_and_the_local_rule_is_a_choice(world):
    from concord.alerts.models import ScoringRule

    world.ent_a2.head_count = 25
    world.ent_a2.save()
    _leave(world, world.ent_a2, [TODAY - timedelta(days=2)] * 3)  # 3 of 28 on one day: art. 41
    world.ent_b.head_count = 80
    world.ent_b.save()
    _leave(world, world.ent_b, [TODAY - timedelta(days=d) for d in (2, 2, 2, 2, 2, 2, 9, 9, 9, 9, 9, 9)], seq=800)
    services.scan(TODAY)
    small = RiskSignal.objects.get(key=f"layoff:{world.ent_a2.pk}")
    assert small.value == 3 and "第四十一条" not in small.evidence and "同日" in small.evidence
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a2).level == "yellow"
    assert not RiskSignal.objects.filter(key=f"layoff:{world.ent_b.pk}").exists()  # 6 a day of 86: no reduction
    # The county tightens: the local rule on (30-day count, 10-person floor), the statutory one off.
    ScoringRule.objects.filter(kind=rules.MASS_LAYOFF, is_active=True).update(is_active=False)
    ScoringRule.objects.filter(kind=rules.MASS_LAYOFF, label=rules.LOCAL_RULES[0].label).update(is_active=True)
    services.scan(TODAY)
    assert not RiskSignal.objects.filter(key=f"layoff:{world.ent_a2.pk}", expires_on__gte=TODAY).exists()
    spread = RiskSignal.objects.get(key=f"layoff:{world.ent_b.pk}")
    assert spread.value == 12 and "30" in spread.evidence and "本地规则" in spread.evidence


def test_an_empty_rules_table_falls_back_to_the_defaults(world):
    from concord.alerts.models import ScoringRule

    ScoringRule.objects.all().delete()
    arrears(world, "1.5")
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == "orange"
    # Rules that exist but are all switched off score nothing.
    ScoringRule.objects.create(kind=rules.OWNER_UNREACHABLE, points=100, min_level="red", label="x", is_active=False)
    services.scan(TODAY)
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0007_turns_the_old_seeded_layoff_row_into_the_local_rule():
    """An existing deployment: the row seeded by 0002 before issue 13 ("30天内大量减员", a county's
    edited points) becomes the local rule, switched off; the statutory row is added with its points."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("alerts", "0005_enterprise_date_index")])
    apps = executor.loader.project_state([("alerts", "0005_enterprise_date_index")]).apps
    Old = apps.get_model("alerts", "ScoringRule")
    Old.objects.filter(kind=rules.MASS_LAYOFF).delete()
    Old.objects.create(kind=rules.MASS_LAYOFF, at_least=10, points=45, min_level="yellow", label="30天内大量减员",
                       source="默认值")
    Old.objects.create(kind=rules.MASS_LAYOFF, at_least=50, points=80, min_level="orange", label="县里自定：50人以上")
    executor = MigrationExecutor(connection)
    executor.migrate([("alerts", "0007_legal_layoff_rules")])
    from concord.alerts.models import ScoringRule

    rows = {r.label: r for r in ScoringRule.objects.filter(kind=rules.MASS_LAYOFF)}
    local, statutory = rows[rules.LOCAL_RULES[0].label], rows[next(r.label for r in rules.DEFAULT_RULES if r.kind == rules.MASS_LAYOFF)]
    assert (local.is_active, local.window_days, local.at_least, local.points) == (False, 30, 10, 45)
    assert "非法定" in local.source
    assert (statutory.is_active, statutory.window_days, statutory.at_least, statutory.points) == (True, None, 1, 45)
    assert rows["县里自定：50人以上"].window_days == 30  # a county's own row keeps the 30-day count it was written for
    assert "30天内大量减员" not in rows
