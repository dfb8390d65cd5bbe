"""Tripartite meetings with follow-up actions, and the county's legal parameter settings: pages and
API, scope, linking cases and enterprises by typed lines, overdue actions, overlap of settings and
the effect of an override on a rule."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from concord.core.models import Event
from concord.disputes import rules, services
from concord.disputes.meetings import VERB_ACTION_DONE, VERB_HELD, followup_add, meeting_save
from concord.disputes.models import FollowUpAction, LegalSetting, TripartiteMeeting
from tests.disputes_helpers import file_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def english(client):
    """Messages are asserted in English (the source language) whatever the catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def api_client(user):
    return english(Client(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}"))


def meeting_data(region, **extra):
    data = {"region": region.pk, "held_on": TODAY().isoformat(), "place": "Alpha街道会议室", "labour_bureau": "人社局 王科长",
            "union": "总工会 李主席", "employers": "企业联合会 张会长", "topics": "印染行业欠薪风险", "decisions": "限期清欠",
            "case_numbers": "", "credit_codes": ""}
    data.update(extra)
    return data


def make_meeting(world, actor=None, region=None, cases=(), enterprises=(), **extra):
    fields = {"held_on": TODAY(), "place": "会议室", "labour_bureau": "人社局", "union": "工会", "employers": "企联",
              "topics": "欠薪", **extra}
    meeting = TripartiteMeeting(region=region or world.town_a, **fields)
    return meeting_save(meeting, actor=actor or world.officer_a, cases=list(cases), enterprises=list(enterprises))


@pytest.fixture
def cases(world):
    return file_case(world), file_case(world, actor=world.officer_b, respondent=world.ent_b)


# --- pages -----------------------------------------------------------------------------------------

def test_town_officer_records_a_meeting_with_linked_cases_and_enterprises(world, login, cases):
    case_a, _case_b = cases
    client = login(world.officer_a)
    assert client.get("/disputes/meetings/add/").status_code == 200
    response = client.post("/disputes/meetings/add/", meeting_data(
        world.town_a, case_numbers=f"{case_a.number}\n\n {case_a.number} ", credit_codes=world.ent_a.credit_code.lower()))
    meeting = TripartiteMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert list(meeting.cases.all()) == [case_a] and list(meeting.enterprises.all()) == [world.ent_a]
    assert meeting.created_by == world.officer_a
    event = Event.objects.get(verb=VERB_HELD)
    assert event.object_id == str(meeting.pk) and event.actor == world.officer_a and event.region_path == world.town_a.path
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f'href="{case_a.get_absolute_url()}"' in page and f'href="{world.ent_a.get_absolute_url()}"' in page
    assert "人社局 王科长" in page and "企业联合会 张会长" in page
    listing = client.get("/disputes/meetings/").content.decode()
    assert meeting.get_absolute_url() in listing


def test_editing_keeps_links_the_editor_cannot_see(world, login, cases):
    case_a, case_b = cases
    # The county administrator links both towns' cases to a town-A meeting.
    meeting = make_meeting(world, actor=world.admin, cases=[case_a, case_b])
    client = login(world.officer_a)
    form = client.get(f"/disputes/meetings/{meeting.pk}/edit/").content.decode()
    assert case_a.number in form and case_b.number not in form
    response = client.post(f"/disputes/meetings/{meeting.pk}/edit/", meeting_data(
        world.town_a, place="Alpha新会议室", case_numbers=case_a.number))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Alpha新会议室"
    assert set(meeting.cases.all()) == {case_a, case_b}
    assert case_b.number not in client.get(meeting.get_absolute_url()).content.decode()


def test_a_case_number_outside_scope_is_refused_naming_the_line(world, login, cases):
    case_a, case_b = cases
    client = english(login(world.officer_a))
    response = client.post("/disputes/meetings/add/", meeting_data(
        world.town_a, case_numbers=f"{case_a.number}\n{case_b.number}\n330603-1999-000001",
        credit_codes=world.ent_b.credit_code))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Line 2: no case numbered “{case_b.number}” is in your scope." in page
    assert "Line 3: no case numbered “330603-1999-000001” is in your scope." in page
    assert f"Line 1: no enterprise with credit code “{world.ent_b.credit_code}” is in your scope." in page
    assert not TripartiteMeeting.objects.exists() and not Event.objects.filter(verb=VERB_HELD).exists()


def test_region_choices_are_the_users_county_or_towns(world, login):
    client = english(login(world.officer_a))
    form = client.get("/disputes/meetings/add/").content.decode()
    assert world.town_a.name in form and world.town_b.name not in form and world.community_a.name not in form
    for region in (world.town_b, world.community_a, world.county):
        response = client.post("/disputes/meetings/add/", meeting_data(region))
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not TripartiteMeeting.objects.exists()
    admin_form = login(world.admin).get("/disputes/meetings/add/").content.decode()
    assert world.county.name in admin_form and world.town_b.name in admin_form and world.community_a.name not in admin_form


def test_town_officer_cannot_see_or_write_the_other_towns_meetings(world, login):
    meeting = make_meeting(world, actor=world.officer_b, region=world.town_b, topics="Bravo议题")
    action = followup_add(meeting, actor=world.officer_b, description="Bravo整改", owner="Bravo站", due_on=TODAY())
    client = login(world.officer_a)
    assert "Bravo议题" not in client.get("/disputes/meetings/").content.decode()
    for url in (f"/disputes/meetings/{meeting.pk}/", f"/disputes/meetings/{meeting.pk}/edit/",
                f"/disputes/meetings/{meeting.pk}/actions/", f"/disputes/actions/{action.pk}/done/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/disputes/meetings/{meeting.pk}/edit/", meeting_data(world.town_b, place="改")).status_code == 404
    assert client.post(f"/disputes/meetings/{meeting.pk}/actions/", {"description": "x", "owner": "y",
                                                                      "due_on": "2026-01-01"}).status_code == 404
    assert client.post(f"/disputes/actions/{action.pk}/done/", {}).status_code == 404
    meeting.refresh_from_db(), action.refresh_from_db()
    assert meeting.place == "会议室" and meeting.actions.count() == 1 and action.done_on is None
    # The enterprise union officer does not reach meetings at all.
    assert login(world.union_a).get("/disputes/meetings/").status_code == 404


def test_overdue_and_done_actions_are_shown_as_such(world, login):
    meeting = make_meeting(world)
    late = followup_add(meeting, actor=world.officer_a, description="Alpha核查欠薪", owner="劳动监察", due_on=TODAY() - timedelta(days=2))
    soon = followup_add(meeting, actor=world.officer_a, description="Alpha回访", owner="工会", due_on=TODAY() + timedelta(days=5))
    done = followup_add(meeting, actor=world.officer_a, description="Alpha通报", owner="企联", due_on=TODAY() - timedelta(days=9),
                        done_on=TODAY() - timedelta(days=10))
    quiet = make_meeting(world, topics="Alpha无待办")
    client = english(login(world.officer_a))
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f'id="action-{late.pk}" class="action-overdue table-danger"' in page
    assert f'id="action-{soon.pk}" class="action-open"' in page
    assert f'id="action-{done.pk}" class="action-done"' in page and "Overdue" in page
    overdue_list = client.get("/disputes/meetings/", {"overdue_actions": "true"}).content.decode()
    assert meeting.get_absolute_url() in overdue_list and quiet.get_absolute_url() not in overdue_list
    none_open = client.get("/disputes/meetings/", {"open_actions": "false"}).content.decode()
    assert quiet.get_absolute_url() in none_open and meeting.get_absolute_url() not in none_open
    export = client.get("/disputes/meetings/", {"export": "csv", "overdue_actions": "true"}).content.decode("utf-8-sig")
    assert "欠薪" in export and "Alpha无待办" not in export


def test_actions_are_added_and_marked_done_through_the_page(world, login):
    meeting = make_meeting(world)
    client = english(login(world.officer_a))
    bad = client.post(f"/disputes/meetings/{meeting.pk}/actions/", {"description": "Alpha清欠", "owner": "", "due_on": "x"})
    assert bad.status_code == 200 and not FollowUpAction.objects.exists()
    response = client.post(f"/disputes/meetings/{meeting.pk}/actions/",
                           {"description": "Alpha清欠", "owner": "劳动监察大队", "due_on": "2026-06-30"})
    assert response.status_code == 302 and response["Location"].startswith(meeting.get_absolute_url())
    action = FollowUpAction.objects.get()
    assert client.get(f"/disputes/actions/{action.pk}/done/").status_code == 200
    future = client.post(f"/disputes/actions/{action.pk}/done/", {"done_on": (TODAY() + timedelta(days=1)).isoformat()})
    assert future.status_code == 200 and "cannot be in the future" in future.content.decode()
    assert client.post(f"/disputes/actions/{action.pk}/done/", {"done_on": ""}).status_code == 302
    action.refresh_from_db()
    assert action.done_on == TODAY()
    event = Event.objects.get(verb=VERB_ACTION_DONE)
    assert event.object_id == str(meeting.pk) and event.actor == world.officer_a
    again = client.post(f"/disputes/actions/{action.pk}/done/", {})
    assert again.status_code == 200 and "already marked done" in again.content.decode()
    assert Event.objects.filter(verb=VERB_ACTION_DONE).count() == 1


def test_meeting_list_costs_the_same_queries_for_more_meetings(world, login):
    client = login(world.officer_a)
    for i in range(3):
        followup_add(make_meeting(world), actor=world.officer_a, description=f"a{i}", owner="o", due_on=TODAY())
    with CaptureQueriesContext(connection) as few:
        client.get("/disputes/meetings/")
    for i in range(10):
        followup_add(make_meeting(world), actor=world.officer_a, description=f"b{i}", owner="o", due_on=TODAY())
    with CaptureQueriesContext(connection) as more:
        client.get("/disputes/meetings/")
    assert len(more) == len(few)


# --- legal settings --------------------------------------------------------------------------------

def setting_data(world, **extra):
    data = {"region": world.county.pk, "key": "mediation_days", "value": "20", "source": "Testcounty规定〔2025〕1号",
            "effective_from": "2025-01-01", "effective_to": ""}
    data.update(extra)
    return data


def test_county_admin_adds_and_edits_a_setting_and_sees_the_defaults(world, login):
    client = english(login(world.admin))
    listing = client.get("/disputes/legal-settings/").content.decode()
    assert 'id="defaults"' in listing and "劳动争议调解仲裁法" in listing and 'id="default-mediation_days"' in listing
    form = client.get("/disputes/legal-settings/add/").content.decode()
    assert world.county.name in form and world.town_a.name not in form
    response = client.post("/disputes/legal-settings/add/", setting_data(world))
    setting = LegalSetting.objects.get()
    assert response.status_code == 302 and setting.value == Decimal("20")
    listing = client.get("/disputes/legal-settings/").content.decode()
    assert setting.get_absolute_url() in listing
    detail = client.get(setting.get_absolute_url()).content.decode()
    assert 'id="default-value"' in detail and "art. 14" in detail
    response = client.post(f"/disputes/legal-settings/{setting.pk}/edit/", setting_data(world, effective_to="2025-12-31"))
    assert response.status_code == 302
    setting.refresh_from_db()
    assert setting.effective_to == date(2025, 12, 31)


def test_overlapping_setting_is_refused_with_a_clear_message_and_no_change(world, login):
    client = english(login(world.admin))
    client.post("/disputes/legal-settings/add/", setting_data(world, effective_to="2025-12-31"))
    first = LegalSetting.objects.get()
    response = client.post("/disputes/legal-settings/add/", setting_data(world, value="25", effective_from="2025-06-01"))
    assert response.status_code == 200
    assert "Another value of this parameter is in force in the same period." in response.content.decode()
    assert LegalSetting.objects.count() == 1
    # The next day after the first ends is free.
    assert client.post("/disputes/legal-settings/add/", setting_data(world, value="25", effective_from="2026-01-01")).status_code == 302
    # Widening the first into the second's period is refused and leaves it as it was.
    response = client.post(f"/disputes/legal-settings/{first.pk}/edit/", setting_data(world, effective_to=""))
    assert response.status_code == 200 and "Another value" in response.content.decode()
    first.refresh_from_db()
    assert first.effective_to == date(2025, 12, 31)
    # Days are whole numbers; a setting belongs to a county.
    bad = client.post("/disputes/legal-settings/add/", setting_data(world, value="15.5", effective_from="2030-01-01"))
    assert bad.status_code == 200 and "whole numbers" in bad.content.decode()
    town = client.post("/disputes/legal-settings/add/", setting_data(world, region=world.town_a.pk, effective_from="2030-01-01"))
    assert town.status_code == 200 and LegalSetting.objects.count() == 2


def test_an_override_changes_the_rule_result_from_its_effective_date(world):
    LegalSetting.objects.create(region=world.county, key="mediation_days", value=Decimal("20"), source="县规定",
                                effective_from=date(2025, 1, 1))
    table = services.legal_table(world.town_a)
    accepted = date(2026, 3, 2)
    assert rules.mediation_deadline(accepted, table=table) == accepted + timedelta(days=20)
    before = date(2024, 12, 1)
    assert rules.mediation_deadline(before, table=table) == before + timedelta(days=15)
    assert rules.mediation_deadline(accepted) == accepted + timedelta(days=15)  # the defaults alone


def test_town_officer_cannot_write_legal_settings(world, login):
    setting = LegalSetting.objects.create(region=world.county, key="mediation_days", value=20, source="县规定",
                                          effective_from=date(2025, 1, 1))
    client = login(world.officer_a)
    assert client.get("/disputes/legal-settings/add/").status_code == 404
    assert client.post("/disputes/legal-settings/add/", setting_data(world, effective_from="2030-01-01")).status_code == 404
    assert client.get(f"/disputes/legal-settings/{setting.pk}/edit/").status_code == 404
    api = api_client(world.officer_a)
    assert api.post("/api/legal-settings/", setting_data(world, effective_from="2030-01-01"),
                    content_type="application/json").status_code == 403
    assert LegalSetting.objects.count() == 1


# --- API -------------------------------------------------------------------------------------------

def test_api_town_officer_creates_and_edits_a_meeting(world, cases):
    case_a, case_b = cases
    api = api_client(world.officer_a)
    body = {"region": world.town_a.pk, "held_on": "2026-03-01", "place": "Alpha会议室", "labour_bureau": "人社局",
            "union": "工会", "employers": "企联", "topics": "欠薪", "cases": [case_a.pk], "enterprises": [world.ent_a.pk]}
    response = api.post("/api/tripartite-meetings/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["cases"] == [case_a.pk] and data["enterprises"] == [world.ent_a.pk] and data["actions"] == []
    meeting = TripartiteMeeting.objects.get(pk=data["id"])
    assert meeting.created_by == world.officer_a and Event.objects.filter(verb=VERB_HELD, object_id=str(meeting.pk)).exists()
    refused = api.post("/api/tripartite-meetings/", {**body, "cases": [case_b.pk]}, content_type="application/json")
    assert refused.status_code == 400
    assert f"No case with id {case_b.pk} is in your scope." in refused.json()["cases"][0]
    elsewhere = api.post("/api/tripartite-meetings/", {**body, "region": world.town_b.pk}, content_type="application/json")
    assert elsewhere.status_code == 400 and "region" in elsewhere.json()
    community = api.post("/api/tripartite-meetings/", {**body, "region": world.community_a.pk}, content_type="application/json")
    assert community.status_code == 400 and "county or town" in str(community.json()["region"])
    assert TripartiteMeeting.objects.count() == 1
    patched = api.patch(f"/api/tripartite-meetings/{meeting.pk}/", {"place": "Alpha新址"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["place"] == "Alpha新址" and patched.json()["cases"] == [case_a.pk]
    action = api.post("/api/follow-up-actions/", {"meeting": meeting.pk, "description": "清欠", "owner": "监察",
                                                  "due_on": "2026-03-10"}, content_type="application/json")
    assert action.status_code == 201 and action.json()["state"] in ("open", "overdue")
    nested = api.get(f"/api/tripartite-meetings/{meeting.pk}/").json()["actions"]
    assert [a["description"] for a in nested] == ["清欠"]


def test_api_other_town_is_404_and_unchanged(world):
    meeting = make_meeting(world, actor=world.officer_b, region=world.town_b, topics="Bravo议题")
    action = followup_add(meeting, actor=world.officer_b, description="Bravo整改", owner="Bravo站", due_on=TODAY())
    api = api_client(world.officer_a)
    assert api.get(f"/api/tripartite-meetings/{meeting.pk}/").status_code == 404
    assert api.patch(f"/api/tripartite-meetings/{meeting.pk}/", {"place": "x"}, content_type="application/json").status_code == 404
    assert api.delete(f"/api/follow-up-actions/{action.pk}/").status_code == 404
    assert api.post(f"/api/follow-up-actions/{action.pk}/done/", {}, content_type="application/json").status_code == 404
    assert "Bravo" not in api.get("/api/tripartite-meetings/").content.decode()
    # An action may not be attached to a meeting outside the caller's scope.
    attach = api.post("/api/follow-up-actions/", {"meeting": meeting.pk, "description": "x", "owner": "y",
                                                  "due_on": "2026-03-10"}, content_type="application/json")
    assert attach.status_code == 400
    meeting.refresh_from_db(), action.refresh_from_db()
    assert meeting.place == "会议室" and action.done_on is None and meeting.actions.count() == 1


def test_api_done_action(world):
    meeting = make_meeting(world)
    action = followup_add(meeting, actor=world.officer_a, description="Alpha清欠", owner="监察", due_on=TODAY() - timedelta(days=1))
    api = api_client(world.officer_a)
    assert api.get(f"/api/follow-up-actions/{action.pk}/").json()["state"] == "overdue"
    check = api.get(f"/api/follow-up-actions/{action.pk}/done/").json()
    assert check["allowed"] is True
    bad = api.post(f"/api/follow-up-actions/{action.pk}/done/", {"done_on": "someday"}, content_type="application/json")
    assert bad.status_code == 400 and "done_on" in bad.json()
    response = api.post(f"/api/follow-up-actions/{action.pk}/done/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "done" and response.json()["done_on"] == TODAY().isoformat()
    assert Event.objects.filter(verb=VERB_ACTION_DONE, object_id=str(meeting.pk)).count() == 1
    again = api.post(f"/api/follow-up-actions/{action.pk}/done/", {}, content_type="application/json")
    assert again.status_code == 400 and "already marked done" in str(again.json())
    assert api.get(f"/api/follow-up-actions/{action.pk}/done/").json()["allowed"] is False
    # The auditor reads but may not mark done.
    assert api_client(world.auditor).post(f"/api/follow-up-actions/{action.pk}/done/", {},
                                          content_type="application/json").status_code == 403


def test_api_legal_settings(world):
    api = api_client(world.admin)
    body = {"region": world.county.pk, "key": "mediation_days", "value": "20", "source": "县规定",
            "effective_from": "2025-01-01", "effective_to": None}
    created = api.post("/api/legal-settings/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    overlap = api.post("/api/legal-settings/", {**body, "effective_from": "2026-01-01"}, content_type="application/json")
    assert overlap.status_code == 400
    assert overlap.json()["effective_from"] == ["Another value of this parameter is in force in the same period."]
    fraction = api.post("/api/legal-settings/", {**body, "key": "consultation_reply_days", "value": "4.5"},
                        content_type="application/json")
    assert fraction.status_code == 400 and "value" in fraction.json()
    tier = api.post("/api/legal-settings/", {**body, "key": "minimum_wage_tier", "value": "4"}, content_type="application/json")
    assert tier.status_code == 400 and tier.json()["value"] == ["The minimum-wage tier is 1, 2 or 3."]
    assert LegalSetting.objects.count() == 1
    assert api_client(world.auditor).get("/api/legal-settings/").json()["count"] == 1


def test_legal_settings_page_lists_both_wage_standards_and_no_court_cap(world, login):
    """Issue 13: the 2021 minimum wage keeps its row (until 2023-12-31) beside the 2024 one, which is
    the one in force; the court extension cap is none by default, citing 法释〔2016〕14号 art. 27."""
    listing = english(login(world.admin)).get("/disputes/legal-settings/").content.decode()
    assert "2490" in listing and "2280" in listing and "2023-12-31" in listing and "Xinhua, 2024-01-16" in listing
    assert listing.count('id="default-minimum_wage_monthly.tier1"') == 1  # one anchor per parameter
    row = listing[listing.index('id="default-court_extension_cap_days"'):]
    row = row[:row.index("</tr>")]
    assert "art. 27" in row and "不受此限" in row and "30" not in row.split("</td>")[1]
    setting = LegalSetting.objects.create(region=world.county, key="court_extension_cap_days", value=30,
                                          source="本地法院规定", effective_from=date(2024, 1, 1))
    detail = english(login(world.admin)).get(setting.get_absolute_url()).content.decode()
    assert "art. 27" in detail
