"""Forms keep what was typed (issue 14 item 5): attaching an evidence file during the
self-assessment saves the scores and texts typed with it (or, when either is refused, shows them
again as typed); choosing an enterprise by name with a type-ahead scoped to the user; a tripartite
meeting created from an alert's action form, with the enterprise and the town filled in, linked
back to the alert."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from concord.harmony import services as harmony_services
from concord.harmony.models import EvaluationEvidence, IndicatorScore, Round, Standard, Tier
from concord.registry.models import Enterprise

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def evaluation(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_calendar", from_package=True, stdout=StringIO())
    today = TODAY()
    rnd = Round.objects.create(year=today.year, name="年度创建", standard=Standard.objects.get(),
                               opens_on=today - timedelta(days=30), self_assessment_due=today + timedelta(days=30),
                               review_due=today + timedelta(days=60), approval_due=today + timedelta(days=90))
    Enterprise.objects.filter(pk=world.ent_a.pk).update(head_count=120, has_union=True, has_workers_congress=True)
    ev = harmony_services.evaluation_start(actor=world.union_a, round=rnd, enterprise=world.ent_a,
                                           tier=Tier.objects.get(code="county"))
    manual = [s.indicator for s in ev.scores.select_related("indicator").order_by("indicator__code")
              if not s.indicator.is_computed]
    return ev, manual


def typed(manual, first="6", text="集体合同文本及签订记录"):
    """The self-assessment as typed: the first indicator scored with a text, the rest left empty."""
    data = {f"score-{manual[0].pk}": first, f"evidence-{manual[0].pk}": text}
    for indicator in manual[1:]:
        data[f"score-{indicator.pk}"] = ""
        data[f"evidence-{indicator.pk}"] = ""
    return data


def attach(client, ev, indicator, data, file):
    files = {f"upload{indicator.pk}-file": file} if file is not None else {}
    return client.post(f"/harmony/evaluations/{ev.pk}/evidence/",
                       {**data, "indicator": indicator.pk, f"upload{indicator.pk}-description": "合同扫描件", **files})


def test_the_page_posts_the_typed_scores_with_the_file(world, login, evaluation):
    ev, manual = evaluation
    page = login(world.union_a).get(ev.get_absolute_url()).content.decode()
    button = page[page.index(f'id="attach-{manual[0].pk}"') - 400:page.index(f'id="attach-{manual[0].pk}"')]
    assert 'form="assess-form"' in button and f'formaction="/harmony/evaluations/{ev.pk}/evidence/"' in button
    # The row's file input belongs to the self-assessment form (no form attribute sends it elsewhere).
    field = page[page.index(f'name="upload{manual[0].pk}-file"') - 200:page.index(f'name="upload{manual[0].pk}-file"') + 100]
    assert 'form="evidence-add' not in field


def test_attaching_a_file_saves_the_typed_scores_with_it(world, login, evaluation):
    ev, manual = evaluation
    client = login(world.union_a)
    response = attach(client, ev, manual[1], typed(manual), SimpleUploadedFile("制度.pdf", PDF))
    assert response.status_code == 302
    score = IndicatorScore.objects.get(evaluation=ev, indicator=manual[0])
    assert score.self_points == 6 and score.evidence == "集体合同文本及签订记录"
    assert EvaluationEvidence.objects.get().indicator == manual[1]
    page = client.get(ev.get_absolute_url()).content.decode()
    assert "集体合同文本及签订记录" in page and "制度.pdf" in page


@pytest.mark.parametrize("case", ["bad file", "no file", "bad score"])
def test_a_refused_upload_shows_the_scores_as_typed_and_saves_nothing(world, login, evaluation, case):
    ev, manual = evaluation
    client = login(world.union_a)
    data = typed(manual, first="999" if case == "bad score" else "6")
    file = {"bad file": SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" + b"\x00" * 60), "no file": None,
            "bad score": SimpleUploadedFile("制度.pdf", PDF)}[case]
    response = attach(client, ev, manual[1], data, file)
    assert response.status_code == 400
    body = response.content.decode()
    # What was typed is on the page again, though nothing was saved.
    assert "集体合同文本及签订记录" in body
    assert f'name="score-{manual[0].pk}" value="{data[f"score-{manual[0].pk}"]}"' in body
    assert not EvaluationEvidence.objects.exists()
    assert IndicatorScore.objects.get(evaluation=ev, indicator=manual[0]).self_points is None


# --- choosing an enterprise by name -------------------------------------------------------------------

def test_the_type_ahead_offers_only_enterprises_in_scope(world, login):
    client = login(world.officer_a)
    found = client.get("/registry/enterprises/suggest/", {"q": "有限公司"}).json()["results"]
    assert sorted(r["value"] for r in found) == sorted(f"{e.name}（{e.credit_code}）" for e in (world.ent_a, world.ent_a2))
    assert all("Bravo" not in r["value"] for r in found) and found[0]["label"] == world.town_a.name
    assert client.get("/registry/enterprises/suggest/", {"q": "Bravo"}).json()["results"] == []
    assert client.get("/registry/enterprises/suggest/").json()["results"] == []
    by_code = client.get("/registry/enterprises/suggest/", {"q": world.ent_a.credit_code[:17]}).json()["results"]
    assert [r["value"] for r in by_code] == [f"{world.ent_a.name}（{world.ent_a.credit_code}）"]
    assert login(world.officer_b).get("/registry/enterprises/suggest/", {"q": "Alpha"}).json()["results"] == []


def test_the_enterprise_field_takes_a_suggestion_a_unique_part_of_a_name_or_a_code(world):
    from django.core.exceptions import ValidationError

    from concord.disputes.forms import EnterpriseField

    field = EnterpriseField(user=world.officer_a)
    assert field.clean(f"{world.ent_a.name}（{world.ent_a.credit_code}）") == world.ent_a
    assert field.clean(f"{world.ent_a.name} ({world.ent_a.credit_code.lower()})") == world.ent_a
    assert field.clean("Alpha纺织") == world.ent_a          # only one enterprise in scope has it
    assert field.clean(world.ent_a.credit_code) == world.ent_a
    assert field.clean(world.ent_a.name) == world.ent_a
    for text in ("Alpha", "Bravo服饰", f"Bravo服饰有限公司（{world.ent_b.credit_code}）", world.ent_b.credit_code):
        with pytest.raises(ValidationError):  # two match, or outside the scope
            field.clean(text)
    page = field.widget.render("respondent", "", {"id": "id_respondent"})
    assert 'list="id_respondent-options"' in page and 'data-suggest="/registry/enterprises/suggest/"' in page
    assert "<datalist" in page and "concord/suggest.js" in page and "<script>" not in page


# --- a tripartite meeting from an alert -----------------------------------------------------------------

def test_a_meeting_is_created_from_the_alert_filled_in_and_leads_back_to_it(world, login):
    from decimal import Decimal

    from concord.alerts import rules as alert_rules
    from concord.alerts import services as alert_services
    from concord.alerts.models import Alert, AlertAction
    from concord.disputes.models import TripartiteMeeting

    alert_services.signal_record(actor=world.officer_a, enterprise=world.ent_a, kind=alert_rules.WAGE_ARREARS,
                                 observed_on=TODAY(), value=Decimal("1.5"), today=TODAY())
    alert = Alert.objects.get(enterprise=world.ent_a)
    client = login(world.officer_a)
    page = client.get(alert.get_absolute_url()).content.decode()
    link = f"/disputes/meetings/add/?alert={alert.pk}"
    assert f'href="{link}"' in page
    form = client.get(link).content.decode()
    assert alert.number in form and 'id="back-to-alert"' in form
    assert f'<option value="{world.town_a.pk}" selected>' in form and world.ent_a.credit_code in form
    response = client.post(link, {"region": world.town_a.pk, "held_on": TODAY().isoformat(), "place": "街道会议室",
                                  "labour_bureau": "人社局", "union": "街道工会", "employers": "企业联合会",
                                  "topics": f"预警{alert.number}：欠薪协调", "credit_codes": world.ent_a.credit_code})
    meeting = TripartiteMeeting.objects.get()
    assert list(meeting.enterprises.all()) == [world.ent_a]
    assert response.status_code == 302 and response["Location"] == f"{alert.get_absolute_url()}?meeting={meeting.pk}#form-action"
    # Back on the alert, the action form is open with the meeting chosen; one click records it.
    page = client.get(response["Location"]).content.decode()
    assert '<details class="mb-2" id="form-action" open>' in page
    assert f'<option value="{meeting.pk}" selected>' in page and 'value="tripartite_meeting" selected' in page
    client.post(f"/alerts/{alert.pk}/actions/", {"action-kind": "tripartite_meeting", "action-done_on": TODAY().isoformat(),
                                                "action-summary": "三方协调达成清欠计划", "action-meeting": meeting.pk})
    assert AlertAction.objects.get(alert=alert).meeting == meeting
    assert alert.number in client.get(meeting.get_absolute_url()).content.decode()
    # Another town's alert fills in nothing.
    assert "meeting-for-alert" not in login(world.officer_b).get(link).content.decode()


def test_removing_a_file_saves_the_typed_scores_too(world, login, evaluation):
    ev, manual = evaluation
    client = login(world.union_a)
    assert attach(client, ev, manual[1], typed(manual, text="先写的说明"), SimpleUploadedFile("制度.pdf", PDF)).status_code == 302
    item = EvaluationEvidence.objects.get()
    page = client.get(ev.get_absolute_url()).content.decode()
    assert f'formaction="/harmony/evidence/{item.pk}/remove/"' in page or f'id="remove-{item.pk}"' in page
    response = client.post(f"/harmony/evidence/{item.pk}/remove/", typed(manual, first="7", text="改过的说明"))
    assert response.status_code == 302 and not EvaluationEvidence.objects.exists()
    score = IndicatorScore.objects.get(evaluation=ev, indicator=manual[0])
    assert score.self_points == 7 and score.evidence == "改过的说明"
