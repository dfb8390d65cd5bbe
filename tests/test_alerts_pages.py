"""Early-warning pages driven through the test client: the inbox (town and county defaults, filters,
overdue, export), the alert page and its forms (action with a tripartite meeting, escalation,
closure; bad input changes nothing), the risk table, the enterprise risk page and 360 section, the
watch list, signals (list and manual report), the rules (read by all, edited by the county) and the
prevention measures; query counts that do not grow with the data."""
import csv
import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.alerts import rules, services
from concord.alerts.models import Alert, AlertAction, EnterpriseRisk, RiskSignal, ScoringRule
from concord.disputes.models import TripartiteMeeting
from concord.registry.models import Enterprise

from tests.conftest import credit_code
from tests.disputes_helpers import file_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def arrears(world, months, ent=None, actor=None, today=None, **kw):
    today = today or TODAY()
    return services.signal_record(actor=actor or (world.officer_b if (ent or world.ent_a).region_id == world.town_b.pk
                                                  else world.officer_a),
                                  enterprise=ent or world.ent_a, kind=rules.WAGE_ARREARS, observed_on=today,
                                  value=D(months), today=today, **kw)


def alert_of(ent):
    return Alert.objects.get(enterprise=ent)


def enterprise(world, seq, town=None, **kw):
    return Enterprise.objects.create(credit_code=credit_code(seq), name=f"Alpha测试{seq}有限公司",
                                     region=town or world.town_a, **kw)


# --- the inbox ------------------------------------------------------------------------------------

def test_town_officer_inbox_shows_only_their_towns_live_alerts_by_deadline(world, login):
    arrears(world, "0.5", today=TODAY() - timedelta(days=10))  # yellow, 7 days: overdue
    arrears(world, "1.5", ent=world.ent_a2)  # orange, 3 days
    arrears(world, "0.5", ent=world.ent_b)
    late, fresh, foreign = alert_of(world.ent_a), alert_of(world.ent_a2), alert_of(world.ent_b)
    client = login(world.officer_a)
    body = client.get("/alerts/").content.decode()
    assert late.number in body and fresh.number in body and foreign.number not in body and "Bravo" not in body
    assert body.index(late.number) < body.index(fresh.number)  # by deadline
    assert body.count("alert-overdue") == 1 and "Overdue" in body or "逾期" in body
    only_late = client.get("/alerts/", {"overdue": "true"}).content.decode()
    assert late.number in only_late and fresh.number not in only_late
    by_level = client.get("/alerts/", {"level": "orange"}).content.decode()
    assert fresh.number in by_level and late.number not in by_level
    # Closed alerts leave the default view; "all" statuses brings them back.
    services.action_record(fresh, actor=world.officer_a, kind="visit", done_on=TODAY(), summary="走访")
    services.alert_close(fresh, actor=world.officer_a, outcome="resolved", note="已清欠")
    assert fresh.number not in client.get("/alerts/").content.decode()
    assert fresh.number in client.get("/alerts/", {"status": ""}).content.decode()
    export = client.get("/alerts/", {"export": "csv", "status": ""})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert export.status_code == 200 and len(rows) == 3 and {r[0] for r in rows[1:]} == {late.number, fresh.number}


def test_county_admin_inbox_defaults_to_county_assigned_with_a_filter_for_all(world, login):
    arrears(world, "0.5")  # yellow: the town only
    arrears(world, "2.5", ent=world.ent_b)  # red: the county too
    yellow, red = alert_of(world.ent_a), alert_of(world.ent_b)
    client = login(world.admin)
    body = client.get("/alerts/").content.decode()
    assert red.number in body and yellow.number not in body
    everything = client.get("/alerts/", {"county_assigned": ""}).content.decode()
    assert red.number in everything and yellow.number in everything
    town_b = client.get("/alerts/", {"county_assigned": "", "town": world.town_b.pk}).content.decode()
    assert red.number in town_b and yellow.number not in town_b


# --- the alert page --------------------------------------------------------------------------------

def test_alert_page_explains_the_level_and_offers_what_the_workflow_allows(world, login):
    arrears(world, "1.5", amount=D(30000), workers_affected=10, evidence="人社局欠薪台账")
    alert = alert_of(world.ent_a)
    client = login(world.officer_a)
    body = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "欠薪1至2个月（橙色）" in body and 'id="explanation-score">60<' in body and "人社局欠薪台账" in body
    assert 'id="form-action"' in body and 'id="form-escalate"' in body
    assert 'id="form-close"' not in body  # nothing done yet: closing is refused by the workflow
    # The auditor reads it without any form; another town does not see it.
    audit = login(world.auditor).get(f"/alerts/{alert.pk}/").content.decode()
    assert "欠薪1至2个月（橙色）" in audit and 'id="alert-forms"' not in audit
    assert login(world.officer_b).get(f"/alerts/{alert.pk}/").status_code == 404
    # GET on a form route shows the page (reloading after a refused POST).
    assert client.get(f"/alerts/{alert.pk}/close/").status_code == 200


def test_town_records_a_visit_and_a_tripartite_meeting_then_closes(world, login):
    arrears(world, "1.5")
    alert = alert_of(world.ent_a)
    meeting = TripartiteMeeting.objects.create(region=world.town_a, held_on=TODAY(), place="Alpha会议室", labour_bureau="人社局",
                                               union="工会", employers="企联", topics="欠薪", created_by=world.officer_a)
    client = login(world.officer_a)
    response = client.post(f"/alerts/{alert.pk}/actions/", {"action-kind": "visit", "action-done_on": TODAY().isoformat(),
                                                           "action-summary": "走访企业，核实欠薪"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "handling" and alert.first_response_on == TODAY()
    response = client.post(f"/alerts/{alert.pk}/actions/", {
        "action-kind": "tripartite_meeting", "action-done_on": TODAY().isoformat(), "action-summary": "三方协调",
        "action-meeting": meeting.pk})
    assert response.status_code == 302
    assert AlertAction.objects.get(alert=alert, kind="tripartite_meeting").meeting == meeting
    body = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'id="form-close"' in body and "三方协调" in body and "Alpha会议室" in body
    response = client.post(f"/alerts/{alert.pk}/close/", {"close-outcome": "resolved", "close-outcome_note": "工资已发放"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.closed_on) == ("closed", "resolved", TODAY())
    closed = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'id="alert-forms"' not in closed  # nothing left to do


def test_bad_input_shows_errors_and_changes_nothing(world, login):
    arrears(world, "1.5")
    alert = alert_of(world.ent_a)
    foreign_meeting = TripartiteMeeting.objects.create(region=world.town_b, held_on=TODAY(), place="Bravo会议室",
                                                       labour_bureau="人社局", union="工会", employers="企联", topics="欠薪")
    client = login(world.officer_a)
    url = f"/alerts/{alert.pk}/actions/"
    no_summary = client.post(url, {"action-kind": "visit", "action-done_on": TODAY().isoformat(), "action-summary": ""})
    future = client.post(url, {"action-kind": "visit", "action-done_on": (TODAY() + timedelta(days=3)).isoformat(),
                               "action-summary": "走访"})
    wrong_meeting = client.post(url, {"action-kind": "visit", "action-done_on": TODAY().isoformat(),
                                      "action-summary": "走访", "action-meeting": foreign_meeting.pk})
    for response in (no_summary, future, wrong_meeting):
        body = response.content.decode()
        assert response.status_code == 400 and "invalid-feedback" in body and 'id="form-action" open' in body
        assert "Bravo" not in body
    close_early = client.post(f"/alerts/{alert.pk}/close/", {"close-outcome": "resolved", "close-outcome_note": "x"})
    assert close_early.status_code == 400 and "alert alert-danger" in close_early.content.decode()
    no_note = client.post(f"/alerts/{alert.pk}/escalate/", {"escalate-note": " "})
    assert no_note.status_code == 400
    alert.refresh_from_db()
    assert (alert.status, alert.first_response_on, alert.escalated_on) == ("open", None, None)
    assert not AlertAction.objects.filter(alert=alert).exists()
    # Closing without an outcome, once closing is allowed.
    services.action_record(alert, actor=world.officer_a, kind="visit", done_on=TODAY(), summary="走访")
    no_outcome = client.post(f"/alerts/{alert.pk}/close/", {"close-outcome": "", "close-outcome_note": "已处理"})
    assert no_outcome.status_code == 400 and 'id="form-close" open' in no_outcome.content.decode()
    alert.refresh_from_db()
    assert alert.status == "handling" and not alert.outcome
    # Another town cannot act on it at all.
    assert login(world.officer_b).post(url, {"action-kind": "visit", "action-done_on": TODAY().isoformat(),
                                             "action-summary": "Bravo"}).status_code == 404
    assert AlertAction.objects.filter(alert=alert).count() == 1


def test_town_escalates_to_the_county_once(world, login):
    arrears(world, "0.5")
    alert = alert_of(world.ent_a)
    assert not alert.county_assigned
    client = login(world.officer_a)
    assert client.post(f"/alerts/{alert.pk}/escalate/", {"escalate-note": "企业主失联风险，请县里协调"}).status_code == 302
    alert.refresh_from_db()
    assert alert.county_assigned and alert.escalated_on == TODAY()
    body = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'id="form-escalate"' not in body and "请县里协调" in body  # the timeline shows the note
    again = client.post(f"/alerts/{alert.pk}/escalate/", {"escalate-note": "再次"})
    assert again.status_code == 400
    # Now in the county's inbox.
    assert alert.number in login(world.admin).get("/alerts/").content.decode()


# --- risk ------------------------------------------------------------------------------------------

def test_risk_table_counts_enterprises_by_town_and_level(world, login):
    arrears(world, "0.5")  # A yellow
    arrears(world, "2.5", ent=world.ent_a2)  # A red
    arrears(world, "1.5", ent=world.ent_b)  # B orange
    client = login(world.admin)
    response = client.get("/alerts/risk/")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="risk-total">3<' in body and 'id="chart-towns"' in body
    assert "echarts.min.js" in body and "alerts/charts.js" in body
    counts = response.context["counts"]
    by_town = {row["town"].pk: dict(row["cells"]) for row in counts}
    assert by_town[world.town_a.pk] == {"blue": 0, "yellow": 1, "orange": 0, "red": 1}
    assert by_town[world.town_b.pk] == {"blue": 0, "yellow": 0, "orange": 1, "red": 0}
    red_only = client.get("/alerts/risk/", {"level": "red"}).content.decode()
    assert world.ent_a2.name in red_only and world.ent_b.name not in red_only.split('id="table-area"')[1]
    # The list is ordered by level: red before orange before yellow.
    table = body.split('id="table-area"')[1]
    assert table.index(world.ent_a2.name) < table.index(world.ent_b.name) < table.index(world.ent_a.name)
    assert alert_of(world.ent_a2).number in table  # each enterprise's open alert
    export = client.get("/alerts/risk/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[1][0] == world.ent_a2.name and alert_of(world.ent_a2).number in rows[1]
    town = login(world.officer_a).get("/alerts/risk/").content.decode()
    assert 'id="risk-total">2<' in town and "Bravo" not in town


def test_enterprise_risk_page_and_360_section(world, login):
    arrears(world, "0.5", today=TODAY() - timedelta(days=5))
    arrears(world, "2.5", evidence="欠薪两个半月")
    client = login(world.officer_a)
    body = client.get(f"/alerts/enterprises/{world.ent_a.pk}/").content.decode()
    assert "欠薪2个月以上（红色）" in body and 'id="risk-score">90<' in body
    assert body.count('class="list-group-item small risk-level"') == 2 and "欠薪两个半月" in body
    # The weaker wage-arrears signal is listed but not counted.
    assert "not counted" in body or "未计分" in body
    page = client.get(world.ent_a.get_absolute_url()).content.decode()
    assert 'id="risk-panel"' in page and "欠薪2个月以上（红色）" in page
    # An enterprise union officer sees the enterprise but no early-warning data.
    union = login(world.union_a)
    assert "欠薪" not in union.get(f"/alerts/enterprises/{world.ent_a.pk}/").content.decode()
    assert 'id="risk-panel"' not in union.get(world.ent_a.get_absolute_url()).content.decode()
    assert login(world.officer_b).get(f"/alerts/enterprises/{world.ent_a.pk}/").status_code == 404


def test_watch_list_shows_key_enterprises_and_orange_or_red(world, login):
    key = enterprise(world, 60, is_key_enterprise=True)
    arrears(world, "0.5")  # yellow, not key: not on the list
    arrears(world, "1.5", ent=world.ent_a2)  # orange
    client = login(world.officer_a)
    body = client.get("/alerts/watch/").content.decode()
    table = body.split('id="table-area"')[1]
    assert key.name in table and world.ent_a2.name in table and world.ent_a.name not in table
    assert alert_of(world.ent_a2).number in table
    assert login(world.union_a).get("/alerts/watch/").status_code == 404


# --- signals -------------------------------------------------------------------------------------

def test_manual_signal_report_and_list(world, login):
    client = login(world.officer_a)
    page = client.get("/alerts/signals/new/").content.decode()
    assert 'value="mass_layoff"' not in page and 'value="production_halt"' in page
    response = client.post("/alerts/signals/new/", {"enterprise": world.ent_a.credit_code, "kind": "production_halt",
                                                     "source": "manual", "observed_on": TODAY().isoformat(),
                                                     "evidence": "走访发现停产"})
    assert response.status_code == 302 and response["Location"] == f"/alerts/enterprises/{world.ent_a.pk}/"
    assert EnterpriseRisk.objects.get(enterprise=world.ent_a).level == "orange"
    listing = client.get("/alerts/signals/", {"kind": "production_halt"}).content.decode()
    assert "走访发现停产" in listing and 'href="/alerts/signals/new/"' in listing
    assert "走访发现停产" not in client.get("/alerts/signals/", {"active": "false"}).content.decode()


@pytest.mark.parametrize("data, field", [
    ({"kind": "wage_arrears"}, "value"),  # wage arrears need the months
    ({"kind": "wage_arrears", "value": "-1"}, "value"),
    ({"kind": "mass_layoff", "value": "30"}, "kind"),  # computed, not reported
    ({"kind": "production_halt", "enterprise": "Bravo服饰有限公司"}, "enterprise"),  # another town's
    ({"kind": "production_halt", "observed_on": "2999-01-01"}, "observed_on"),
])
def test_bad_signal_reports_are_refused_naming_the_field(world, login, data, field):
    form = {"enterprise": world.ent_a.credit_code, "source": "manual", "observed_on": TODAY().isoformat(), **data}
    response = login(world.officer_a).post("/alerts/signals/new/", form)
    assert response.status_code == 200 and not RiskSignal.objects.exists()
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert "Bravo服饰" not in response.content.decode().replace(form["enterprise"], "")


# --- rules ---------------------------------------------------------------------------------------

def test_rules_are_read_by_every_view_role_and_edited_by_the_county(world, login):
    rule = ScoringRule.objects.get(kind="wage_arrears", min_level="orange")
    town = login(world.officer_a)
    page = town.get("/alerts/rules/").content.decode()
    assert "欠薪1至2个月（橙色）" in page and f"/alerts/rules/{rule.pk}/edit/" not in page
    assert town.get(f"/alerts/rules/{rule.pk}/edit/").status_code == 404
    assert town.post(f"/alerts/rules/{rule.pk}/edit/", {"points": 1}).status_code == 404
    assert login(world.auditor).get("/alerts/rules/").status_code == 200
    admin = login(world.admin)
    assert f"/alerts/rules/{rule.pk}/edit/" in admin.get("/alerts/rules/").content.decode()
    form = {"kind": rule.kind, "at_least": "1", "below": "2", "points": "65", "min_level": "orange",
            "label": rule.label, "source": "县总工会2026年规定", "is_active": "on"}
    bad = admin.post(f"/alerts/rules/{rule.pk}/edit/", {**form, "below": "0.5"})
    assert bad.status_code == 200 and bad.context["form"].errors.get("below")
    rule.refresh_from_db()
    assert rule.points == 60
    assert admin.post(f"/alerts/rules/{rule.pk}/edit/", form).status_code == 302
    rule.refresh_from_db()
    assert rule.points == 65 and LogEntry.objects.get_for_object(rule).filter(actor=world.admin).exists()
    added = admin.post("/alerts/rules/add/", {**form, "kind": "tax_arrears", "at_least": "", "below": "", "label": "欠税新规",
                                              "min_level": ""})
    assert added.status_code == 200 and added.context["form"].errors.get("at_least")  # a value kind needs a band
    assert admin.post("/alerts/rules/add/", {**form, "kind": "tax_arrears", "at_least": "6", "below": "",
                                             "label": "欠税半年以上", "min_level": "yellow"}).status_code == 302
    assert ScoringRule.objects.filter(label="欠税半年以上").exists()
    from concord.alerts.models import LevelPolicy

    red = LevelPolicy.objects.get(level="red")
    assert admin.post(f"/alerts/levels/{red.pk}/edit/", {"min_points": "90", "response_days": "0",
                                                         "raises_alert": "on", "county": "on"}).status_code == 200
    assert admin.post(f"/alerts/levels/{red.pk}/edit/", {"min_points": "90", "response_days": "2",
                                                         "raises_alert": "on", "county": "on"}).status_code == 302
    red.refresh_from_db()
    assert red.response_days == 2


# --- measures ------------------------------------------------------------------------------------

def test_measures_count_levels_response_days_and_prevention(world, login):
    year = TODAY().year - 1
    ents = [enterprise(world, 70 + i) for i in range(4)]

    def raised(ent, months, day):
        arrears(world, months, ent=ent, today=day)
        return alert_of(ent)

    def respond(alert, day):
        services.action_record(alert, actor=world.officer_a, kind="visit", done_on=day, summary="走访", today=day)

    def close(alert, day):
        services.alert_close(alert, actor=world.officer_a, outcome="resolved", note="已处理", closed_on=day, today=day)

    # Prevented: closed long ago, no case since.
    a = raised(ents[0], "0.5", date(year, 3, 1))
    respond(a, date(year, 3, 3))
    close(a, date(year, 3, 20))
    # Not prevented: a case arrived within 90 days of the closure.
    b = raised(ents[1], "1.5", date(year, 4, 1))
    respond(b, date(year, 4, 5))
    close(b, date(year, 4, 10))
    file_case(world, respondent=ents[1], received_on=date(year, 6, 1))
    # Not yet known: closed less than 90 days ago.
    c = raised(ents[2], "2.5", date(year, 12, 1))
    respond(c, date(year, 12, 2))
    close(c, TODAY() - timedelta(days=5))
    # Open: no response.
    raised(ents[3], "0.5", date(year, 12, 20))
    client = login(world.admin)
    response = client.get("/alerts/measures/", {"year": year})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="m-total">4<' in body
    assert 'id="m-prevented">1<' in body and 'id="m-not-prevented">1<' in body and 'id="m-unknown">1<' in body
    assert 'id="m-closed">3<' in body and 'id="m-share">50%' in body
    assert 'id="m-median">2<' in body and 'id="m-average">2.3<' in body  # 2, 4 and 1 days
    assert 'id="m-level-yellow">2<' in body and 'id="m-level-red">1<' in body
    m = response.context["m"]
    assert m.by_month[2][1] == [0, 1, 0, 0] and m.by_month[11][1] == [0, 1, 0, 1]
    export = client.get("/alerts/measures/", {"year": year, "export": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert export.status_code == 200 and rows[2] == [rows[2][0], "4"]
    assert login(world.officer_b).get("/alerts/measures/", {"year": year}).context["m"].total == 0
    xlsx = client.get("/alerts/measures/", {"year": year, "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # Workers and union officers have no early-warning pages.
    assert login(world.union_a).get("/alerts/measures/").status_code == 404


# --- navigation and query counts -------------------------------------------------------------------

def test_navigation_lists_the_pages_for_staff_only(world, login):
    home = login(world.officer_a).get("/").content.decode()
    for url in ("/alerts/", "/alerts/risk/", "/alerts/watch/", "/alerts/signals/", "/alerts/rules/", "/alerts/measures/"):
        assert f'href="{url}"' in home
    assert 'href="/alerts/"' not in login(world.union_a).get("/").content.decode()


@pytest.mark.parametrize("url", ["/alerts/", "/alerts/risk/", "/alerts/watch/", "/alerts/signals/", "/alerts/measures/"])
def test_query_counts_do_not_grow_with_rows(world, login, url):
    arrears(world, "2.5")
    client = login(world.admin)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(15):
        ent = enterprise(world, 100 + i, town=world.town_b if i % 2 else world.town_a, is_key_enterprise=True)
        arrears(world, ["0.5", "1.5", "2.5"][i % 3], ent=ent)
    assert Alert.objects.count() == 16
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_alert_page_query_count_does_not_grow_with_actions(world, login):
    arrears(world, "2.5")
    alert = alert_of(world.ent_a)
    client = login(world.officer_a)
    services.action_record(alert, actor=world.officer_a, kind="visit", done_on=TODAY(), summary="走访")
    client.get(f"/alerts/{alert.pk}/")
    with CaptureQueriesContext(connection) as small:
        client.get(f"/alerts/{alert.pk}/")
    for i in range(6):
        services.action_record(alert, actor=world.officer_a, kind="employer_talk", done_on=TODAY(), summary=f"约谈{i}")
    with CaptureQueriesContext(connection) as large:
        client.get(f"/alerts/{alert.pk}/")
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
