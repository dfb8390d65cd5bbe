"""The early-warning API: /api/risk-signals/ (list, report, partner-file import), /api/enterprise-risks/,
/api/alerts/ (actions, escalate, close), /api/scoring-rules/ and /api/level-policies/. Writes go
through the services: a refusal is a 400 with field-keyed messages and changes nothing; another
town's records are 404; roles without early-warning data get nothing."""
from datetime import timedelta
from io import StringIO
import csv

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from concord.alerts import io, services
from concord.alerts.models import Alert, AlertAction, EnterpriseRisk, LevelPolicy, RiskSignal, ScoringRule
from concord.core.models import ImportBatch
from concord.core.scope import Role
from tests.conftest import credit_code, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate  # called at test time: a run may cross midnight


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def ok(response, code=200):
    assert response.status_code == code, response.content[:800]
    return response.json()


def arrears(world, months="1.5", ent=None, officer=None):
    ent = ent or world.ent_a
    return services.signal_record(actor=officer or world.officer_a, enterprise=ent, kind="wage_arrears",
                                  observed_on=TODAY() - timedelta(days=2), value=months, evidence=f"{ent.name}欠薪")


def risk(ent):
    return EnterpriseRisk.objects.get(enterprise=ent)


@pytest.fixture
def both_towns(world):
    arrears(world)
    arrears(world, "2.5", ent=world.ent_b, officer=world.officer_b)
    return Alert.objects.get(enterprise=world.ent_a), Alert.objects.get(enterprise=world.ent_b)


def ids(body):
    return {row["id"] for row in body["results"]} if isinstance(body, dict) else {row["id"] for row in body}


# --- scope ---------------------------------------------------------------------------------------

def test_town_b_sees_nothing_of_town_a(world, login, both_towns):
    alert_a, alert_b = both_towns
    client = login(world.officer_b)
    for url, model in (("/api/risk-signals/", RiskSignal), ("/api/enterprise-risks/", EnterpriseRisk),
                       ("/api/alerts/", Alert)):
        body = ok(client.get(url))
        assert ids(body) == set(model.objects.filter(enterprise=world.ent_b).values_list("pk", flat=True)), url
        assert "Alpha" not in str(body)
        own_a = model.objects.get(enterprise=world.ent_a)
        assert client.get(f"{url}{own_a.pk}/").status_code == 404
    # Filtering by town A's id finds nothing either.
    assert ok(client.get("/api/alerts/", {"town": world.town_a.pk}))["results"] == []
    # Town A's alert answers 404 to every action, and is left as it was.
    before = model_to_dict(alert_a)
    for route, body in (("actions", {"kind": "visit", "summary": "x"}), ("escalate", {"note": "x"}),
                        ("close", {"outcome": "resolved", "note": "x"})):
        assert client.get(f"/api/alerts/{alert_a.pk}/{route}/").status_code == 404
        assert post(client, f"/api/alerts/{alert_a.pk}/{route}/", body).status_code == 404
    assert model_to_dict(Alert.objects.get(pk=alert_a.pk)) == before
    # A signal for town A's enterprise does not exist for town B.
    response = post(client, "/api/risk-signals/", {"enterprise": world.ent_a.pk, "kind": "wage_arrears",
                                                   "observed_on": TODAY().isoformat(), "value": "1"})
    assert response.status_code == 400 and "enterprise" in response.json()
    assert RiskSignal.objects.filter(enterprise=world.ent_a).count() == 1


def test_county_sees_both_towns_and_filters(world, login, both_towns):
    alert_a, alert_b = both_towns
    client = login(world.admin)
    assert ids(ok(client.get("/api/alerts/"))) == {alert_a.pk, alert_b.pk}
    assert ids(ok(client.get("/api/alerts/", {"town": world.town_a.pk}))) == {alert_a.pk}
    assert ids(ok(client.get("/api/alerts/", {"level": "red"}))) == {alert_b.pk}
    assert ids(ok(client.get("/api/alerts/", {"county_assigned": "true"}))) == {alert_a.pk, alert_b.pk}
    assert ids(ok(client.get("/api/alerts/", {"overdue": "true"}))) == set()
    Alert.objects.filter(pk=alert_a.pk).update(deadline=TODAY() - timedelta(days=1))
    assert ids(ok(client.get("/api/alerts/", {"overdue": "true"}))) == {alert_a.pk}
    assert ids(ok(client.get("/api/alerts/", {"status": "open"}))) == {alert_a.pk, alert_b.pk}
    assert ids(ok(client.get("/api/enterprise-risks/", {"level": "orange"}))) == {risk(world.ent_a).pk}
    assert ids(ok(client.get("/api/enterprise-risks/", {"town": world.town_b.pk}))) == {risk(world.ent_b).pk}
    signals = ok(client.get("/api/risk-signals/", {"enterprise": world.ent_b.pk}))["results"]
    assert [s["enterprise"] for s in signals] == [world.ent_b.pk]
    assert ok(client.get("/api/risk-signals/", {"kind": "tax_arrears"}))["results"] == []
    assert len(ok(client.get("/api/risk-signals/", {"active": "true"}))["results"]) == 2
    assert ok(client.get("/api/risk-signals/", {"active": "false"}))["results"] == []


@pytest.mark.parametrize("who", ["union_a", "worker_user", "court"])
def test_roles_without_early_warning_data_get_nothing(world, login, both_towns, who):
    client = login(getattr(world, who))
    alert_a = both_towns[0]
    for url in ("/api/risk-signals/", "/api/enterprise-risks/", "/api/alerts/", f"/api/alerts/{alert_a.pk}/",
                "/api/scoring-rules/", "/api/level-policies/"):
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
    response = post(client, "/api/risk-signals/", {"enterprise": world.ent_a.pk, "kind": "manual_report",
                                                   "observed_on": TODAY().isoformat()})
    assert response.status_code in (403, 404)
    assert post(client, f"/api/alerts/{alert_a.pk}/close/", {"outcome": "resolved", "note": "x"}).status_code in (403, 404)
    assert RiskSignal.objects.count() == 2 and Alert.objects.get(pk=alert_a.pk).status == "open"


def test_auditor_reads_but_does_not_write(world, login, both_towns):
    client = login(world.auditor)
    alert_a = both_towns[0]
    assert len(ok(client.get("/api/alerts/"))["results"]) == 2
    check = ok(client.get(f"/api/alerts/{alert_a.pk}/close/"))
    assert check["allowed"] is False and check["reason"]
    assert post(client, f"/api/alerts/{alert_a.pk}/actions/", {"kind": "visit", "summary": "x"}).status_code == 403
    assert post(client, "/api/risk-signals/", {"enterprise": world.ent_a.pk, "kind": "manual_report",
                                               "observed_on": TODAY().isoformat()}).status_code == 403
    assert not AlertAction.objects.exists()


# --- writes ---------------------------------------------------------------------------------------

def test_create_a_signal_then_act_escalate_and_close_through_the_api(world, login):
    client = login(world.officer_a)
    signal = ok(post(client, "/api/risk-signals/", {
        "enterprise": world.ent_a.pk, "kind": "wage_arrears", "observed_on": (TODAY() - timedelta(days=1)).isoformat(),
        "value": "2", "amount": "60000", "workers_affected": 8, "evidence": "职工来访反映"}), 201)
    assert (signal["kind"], signal["source"], signal["is_active"], signal["region"]) == ("wage_arrears", "api", True, world.town_a.pk)
    alert = Alert.objects.get(enterprise=world.ent_a)
    assert (alert.level, alert.county_assigned) == ("red", True)
    row = ok(client.get(f"/api/enterprise-risks/{risk(world.ent_a).pk}/"))
    assert (row["level"], row["score"]) == ("red", 90)
    assert row["explanation"][0]["rule_label"] == "欠薪2个月以上（红色）" and row["explanation"][0]["counted"]
    assert row["explanation"][0]["points"] == 90
    assert [(c["previous_level"], c["level"]) for c in row["changes"]] == [("", "red")]

    detail = ok(client.get(f"/api/alerts/{alert.pk}/"))
    assert set(detail["available_actions"]) == {"respond", "escalate"}
    assert [e["verb"] for e in detail["timeline"]] == ["alert.raise"]
    # Closing needs a disposal action first: the workflow's guard says so, on GET and on POST.
    check = ok(client.get(f"/api/alerts/{alert.pk}/close/"))
    assert check["allowed"] is False and ("disposal action" in check["reason"] or "处置措施" in check["reason"])
    assert ok(client.get(f"/api/alerts/{alert.pk}/actions/"))["allowed"] is True
    refused = post(client, f"/api/alerts/{alert.pk}/close/", {"outcome": "resolved", "note": "已清欠"})
    assert refused.status_code == 400, refused.content
    assert Alert.objects.get(pk=alert.pk).status == "open"

    detail = ok(post(client, f"/api/alerts/{alert.pk}/actions/", {"kind": "visit", "summary": "走访企业，约谈负责人"}))
    assert (detail["status"], detail["first_response_on"]) == ("handling", TODAY().isoformat())
    assert [a["kind"] for a in detail["actions"]] == ["visit"]
    detail = ok(post(client, f"/api/alerts/{alert.pk}/escalate/", {"note": "需县里协调"}))
    assert detail["escalated_on"] == TODAY().isoformat()
    detail = ok(post(client, f"/api/alerts/{alert.pk}/close/", {"outcome": "resolved", "note": "工资已全部补发"}))
    assert (detail["status"], detail["outcome"], detail["outcome_note"]) == ("closed", "resolved", "工资已全部补发")
    assert [e["verb"] for e in detail["timeline"]] == ["alert.raise", "alert.respond", "alert.escalate", "alert.close"]
    assert detail["available_actions"] == []


@pytest.mark.parametrize("body, field", [
    ({"value": "-1"}, "value"),
    ({"value": "130"}, "value"),
    ({"value": "1", "amount": "99000000", "workers_affected": 2}, "amount"),
    ({"observed_on": (TODAY() + timedelta(days=3)).isoformat()}, "observed_on"),
    ({"kind": "mass_layoff"}, "kind"),
    ({"kind": "nonsense"}, "kind"),
    ({"value": None}, "value"),
    ({"observed_on": "2026-02-30"}, "observed_on"),
    ({"expires_on": (TODAY() - timedelta(days=30)).isoformat()}, "expires_on"),
    ({"enterprise": 999999}, "enterprise"),
    ({"source": "partner_file"}, "source"),
])
def test_bad_signal_input_names_the_field_and_changes_nothing(world, login, body, field):
    client = login(world.officer_a)
    data = {"enterprise": world.ent_a.pk, "kind": "wage_arrears", "observed_on": (TODAY() - timedelta(days=1)).isoformat(),
            "value": "1"}
    data.update(body)
    response = post(client, "/api/risk-signals/", data)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not RiskSignal.objects.exists() and not Alert.objects.exists() and not EnterpriseRisk.objects.exists()


@pytest.mark.parametrize("route, body, field", [
    ("actions", {"kind": "visit", "summary": "  "}, "summary"),
    ("actions", {"kind": "dance", "summary": "x"}, "kind"),
    ("actions", {"kind": "visit", "summary": "x", "done_on": "2099-01-01"}, "done_on"),
    ("actions", {"kind": "visit", "summary": "x", "meeting": 12345}, "meeting"),
    ("escalate", {"note": " "}, "note"),
    ("close", {"outcome": "resolved", "note": ""}, "note"),
    ("close", {"outcome": "gone", "note": "x"}, "outcome"),
])
def test_bad_action_input_is_a_field_keyed_400_and_changes_nothing(world, login, route, body, field):
    arrears(world)
    alert = Alert.objects.get()
    client = login(world.officer_a)
    if route == "close":
        ok(post(client, f"/api/alerts/{alert.pk}/actions/", {"kind": "visit", "summary": "走访"}))
    before = model_to_dict(Alert.objects.get(pk=alert.pk))
    actions = AlertAction.objects.count()
    response = post(client, f"/api/alerts/{alert.pk}/{route}/", body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert model_to_dict(Alert.objects.get(pk=alert.pk)) == before and AlertAction.objects.count() == actions


def test_signals_and_alerts_are_not_edited_or_deleted_directly(world, login, both_towns):
    client = login(world.admin)
    signal = RiskSignal.objects.get(enterprise=world.ent_a)
    for url, codes in ((f"/api/risk-signals/{signal.pk}/", (405,)), (f"/api/alerts/{both_towns[0].pk}/", (405,)),
                       # Nobody writes an enterprise's risk (the assessment does): 403 for every role.
                       (f"/api/enterprise-risks/{risk(world.ent_a).pk}/", (403,))):
        for method in ("put", "patch", "delete"):
            assert getattr(client, method)(url, {}, content_type="application/json").status_code in codes, (method, url)
    assert RiskSignal.objects.filter(pk=signal.pk).exists()


# --- partner file through the API ----------------------------------------------------------------

def partner_csv(rows):
    titles = {c.key: c.title() for c in io.SIGNAL_FILE.columns}
    keys = ["enterprise_code", "kind", "observed_on", "value"]
    out = StringIO()
    csv.writer(out).writerows([[titles[k] for k in keys]] + [[r.get(k, "") for k in keys] for r in rows])
    return SimpleUploadedFile("partner.csv", out.getvalue().encode("utf-8-sig"), content_type="text/csv")


def test_import_dry_run_then_commit(world):
    from knox.models import AuthToken
    from django.test import Client

    liaison = make_user("labour_liaison", Role.LABOUR_LIAISON, region=world.county)
    client = Client(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=liaison)[1]}", HTTP_ACCEPT_LANGUAGE="en")
    day = (TODAY() - timedelta(days=4)).isoformat()
    rows = [{"enterprise_code": world.ent_a.credit_code, "kind": "wage_arrears", "observed_on": day, "value": "1.5"},
            {"enterprise_code": world.ent_b.credit_code, "kind": "production_halt", "observed_on": day}]
    checked = ok(client.post("/api/risk-signals/import/", {"file": partner_csv(rows)}))
    assert (checked["ok"], checked["committed"], checked["rows"], checked["created"], checked["batch"]) == (True, False, 2, 2, None)
    assert not RiskSignal.objects.exists() and not ImportBatch.objects.exists()
    done = ok(client.post("/api/risk-signals/import/?commit=true", {"file": partner_csv(rows)}), 201)
    assert (done["committed"], done["created"], done["assessment"]["raised"]) == (True, 2, 2)
    assert ImportBatch.objects.get(pk=done["batch"]).status == "committed"
    assert set(Alert.objects.values_list("enterprise_id", "level")) == {(world.ent_a.pk, "orange"), (world.ent_b.pk, "orange")}
    assert set(RiskSignal.objects.values_list("source", flat=True)) == {"partner_file"}


def test_import_reports_row_and_column_and_changes_nothing(world, login):
    client = login(world.officer_a)
    rows = [{"enterprise_code": world.ent_a.credit_code, "kind": "wage_arrears", "observed_on": TODAY().isoformat(), "value": "1"},
            {"enterprise_code": credit_code(777), "kind": "wage_arrears", "observed_on": TODAY().isoformat(), "value": "1"},
            {"enterprise_code": world.ent_b.credit_code, "kind": "wage_arrears", "observed_on": TODAY().isoformat(), "value": "-3"}]
    response = client.post("/api/risk-signals/import/?commit=true", {"file": partner_csv(rows)})
    assert response.status_code == 400
    body = response.json()
    assert body["committed"] is False and body["created"] == 0
    assert [(e["row"], e["column"] != "") for e in body["errors"]] == [(3, True), (4, True)]
    assert not RiskSignal.objects.exists() and not Alert.objects.exists()
    assert client.post("/api/risk-signals/import/?commit=maybe", {"file": partner_csv(rows)}).json().keys() == {"commit"}
    assert "file" in client.post("/api/risk-signals/import/", {}).json()
    assert client.get("/api/risk-signals/import/").status_code == 405


# --- the county's tables -------------------------------------------------------------------------

def test_scoring_rules_and_levels_read_by_towns_updated_by_the_county(world, login):
    rule = ScoringRule.objects.filter(kind="wage_arrears").order_by("at_least").first()
    policy = LevelPolicy.objects.get(level="red")
    town = login(world.officer_a)
    assert len(ok(town.get("/api/scoring-rules/"))) == ScoringRule.objects.count()
    assert [p["level"] for p in ok(town.get("/api/level-policies/"))] == ["blue", "yellow", "orange", "red"]
    assert town.patch(f"/api/scoring-rules/{rule.pk}/", {"points": 5}, content_type="application/json").status_code == 403
    county = login(world.admin)
    bad = county.patch(f"/api/scoring-rules/{rule.pk}/", {"below": "0"}, content_type="application/json")
    assert bad.status_code == 400 and "below" in bad.json()
    bad = county.patch(f"/api/level-policies/{policy.pk}/", {"response_days": 0}, content_type="application/json")
    assert bad.status_code == 400 and "response_days" in bad.json()
    assert ok(county.patch(f"/api/scoring-rules/{rule.pk}/", {"points": 35}, content_type="application/json"))["points"] == 35
    assert ok(county.patch(f"/api/level-policies/{policy.pk}/", {"response_days": 2}, content_type="application/json"))["response_days"] == 2
    assert county.post("/api/scoring-rules/", {}, content_type="application/json").status_code == 405
    assert county.delete(f"/api/level-policies/{policy.pk}/").status_code == 405


def test_the_county_switches_to_the_local_layoff_rule_by_api(world, login):
    """The local layoff rule (30-day count, 10-person floor) is data beside the statutory row."""
    county = login(world.admin)
    rows = {r["label"]: r for r in ok(county.get("/api/scoring-rules/?kind=mass_layoff")) if r["kind"] == "mass_layoff"}
    statutory = next(r for r in rows.values() if r["is_active"])
    local = next(r for r in rows.values() if not r["is_active"])
    assert (statutory["window_days"], local["window_days"], local["at_least"]) == (None, 30, "10.00")
    wage = ScoringRule.objects.filter(kind="wage_arrears").first()
    bad = county.patch(f"/api/scoring-rules/{wage.pk}/", {"window_days": 30}, content_type="application/json")
    assert bad.status_code == 400 and "window_days" in bad.json()  # a period only for layoffs
    bad = county.patch(f"/api/scoring-rules/{local['id']}/", {"window_days": 0}, content_type="application/json")
    assert bad.status_code == 400 and "window_days" in bad.json()
    assert ok(county.patch(f"/api/scoring-rules/{local['id']}/", {"is_active": True}, content_type="application/json"))["is_active"]
    assert not ok(county.patch(f"/api/scoring-rules/{statutory['id']}/", {"is_active": False},
                               content_type="application/json"))["is_active"]


def test_schema_lists_the_alert_routes(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    paths = yaml.safe_load((tmp_path / "schema.yaml").read_text())["paths"]
    for route in ("/api/risk-signals/", "/api/risk-signals/import/", "/api/enterprise-risks/{id}/", "/api/alerts/",
                  "/api/alerts/{id}/actions/", "/api/alerts/{id}/escalate/", "/api/alerts/{id}/close/",
                  "/api/scoring-rules/{id}/", "/api/level-policies/"):
        assert route in paths, route
    assert {"level", "status", "town", "county_assigned", "overdue"} <= {
        p["name"] for p in paths["/api/alerts/"]["get"]["parameters"]}
