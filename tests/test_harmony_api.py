"""The harmonious-enterprise API (/api/harmony/…): scope (another town's records are 404, a union
officer sees their own enterprise, a worker nothing), the round's flow through the API from the
application to the certificate, and bad input answered 400 with field-keyed messages and nothing
changed."""
from datetime import timedelta
from decimal import Decimal as D
from io import StringIO

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from concord.harmony import services
from concord.harmony.models import (
    Certification, Evaluation, Indicator, IndicatorScore, Objection, Round, Standard, Survey, SurveyTally, Tier,
)
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import id_number

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate  # called at test time: a run may cross midnight
API = "/api/harmony"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def ok(response, code=200):
    assert response.status_code == code, response.content[:800]
    return response.json()


def ids(body):
    return {row["id"] for row in body["results"]} if isinstance(body, dict) else {row["id"] for row in body}


@pytest.fixture
def setup(world):
    call_command("load_calendar", from_package=True, stdout=StringIO())
    world.round = Round.objects.create(
        year=TODAY().year, name=f"{TODAY().year}年度劳动关系和谐企业创建", standard=Standard.objects.get(),
        opens_on=TODAY() - timedelta(days=60), self_assessment_due=TODAY() + timedelta(days=30),
        review_due=TODAY() + timedelta(days=60), approval_due=TODAY() + timedelta(days=90))
    Enterprise.objects.filter(pk__in=[world.ent_a.pk, world.ent_b.pk]).update(head_count=120, has_workers_congress=True)
    world.ent_a.refresh_from_db()
    world.ent_b.refresh_from_db()
    Employment.objects.update(contract_signed=True, insured=True)
    world.county_tier = Tier.objects.get(code="county")
    return world


def manual_points(evaluation, value=None):
    return {str(s.indicator_id): str(value if value is not None else s.indicator.max_points)
            for s in evaluation.scores.select_related("indicator") if not s.indicator.is_computed}


def started(w, ent=None, actor=None, tier=None):
    return services.evaluation_start(actor=actor or w.union_a, round=w.round, enterprise=ent or w.ent_a,
                                     tier=tier or w.county_tier)


def submitted(w, ent=None, actor=None, tier=None):
    actor = actor or w.union_a
    ev = started(w, ent, actor, tier)
    services.self_assess(ev, actor=actor, points={int(k): D(v) for k, v in manual_points(ev).items()})
    return services.evaluation_submit(ev, actor=actor)


def reviewed(w, ev, officer):
    return services.evaluation_review(ev, actor=officer, points={}, reasons={}, onsite_check_on=TODAY(),
                                      onsite_notes="查阅台账，核查无误")


# --- scope ---------------------------------------------------------------------------------------

@pytest.fixture
def both_towns(setup):
    w = setup
    w.ev_a = submitted(w)
    w.ev_a2 = started(w, ent=w.ent_a2, actor=w.officer_a)
    w.ev_b = submitted(w, ent=w.ent_b, actor=w.officer_b)
    w.survey_a = services.survey_open(actor=w.union_a, enterprise=w.ent_a, opens_on=TODAY(), closes_on=TODAY() + timedelta(days=7),
                                      round=w.round, min_responses=1)
    w.survey_b = services.survey_open(actor=w.officer_b, enterprise=w.ent_b, opens_on=TODAY(),
                                      closes_on=TODAY() + timedelta(days=7), round=w.round, min_responses=1)
    for ev, officer in ((w.ev_a, w.officer_a), (w.ev_b, w.officer_b)):
        services.evaluation_approve(reviewed(w, ev, officer), actor=w.admin)
        Evaluation.objects.filter(pk=ev.pk).update(publicity_from=TODAY() - timedelta(days=10),
                                                   publicity_until=TODAY() - timedelta(days=3))
        services.evaluation_certify(ev, actor=w.admin)
    w.cert_a, w.cert_b = Certification.objects.get(enterprise=w.ent_a), Certification.objects.get(enterprise=w.ent_b)
    return w


def test_town_b_sees_nothing_of_town_a(both_towns, login):
    w = both_towns
    client = login(w.officer_b)
    for route, own, foreign in (("evaluations", w.ev_b, w.ev_a), ("certifications", w.cert_b, w.cert_a),
                                ("surveys", w.survey_b, w.survey_a)):
        body = ok(client.get(f"{API}/{route}/"))
        assert ids(body) == {own.pk}, route
        assert "Alpha" not in str(body)
        assert client.get(f"{API}/{route}/{foreign.pk}/").status_code == 404
        ok(client.get(f"{API}/{route}/{own.pk}/"))
    assert client.get(f"{API}/surveys/{w.survey_a.pk}/result/").status_code == 404
    assert ok(client.get(f"{API}/evaluations/", {"town": w.town_a.pk}))["results"] == []
    # Town A's evaluation answers 404 to every action and is left as it was.
    before = model_to_dict(Evaluation.objects.get(pk=w.ev_a2.pk))
    for route in ("self-assess", "submit", "return", "review", "approve", "reject", "certify", "answer-objection"):
        assert client.get(f"{API}/evaluations/{w.ev_a2.pk}/{route}/").status_code == 404
        assert post(client, f"{API}/evaluations/{w.ev_a2.pk}/{route}/", {"note": "x"}).status_code == 404
    assert model_to_dict(Evaluation.objects.get(pk=w.ev_a2.pk)) == before
    # Opening an application for town A's enterprise: the enterprise does not exist for town B.
    response = post(client, f"{API}/evaluations/", {"round": w.round.pk, "enterprise": w.ent_a2.pk, "tier": w.county_tier.pk})
    assert response.status_code == 400 and "enterprise" in response.json()
    assert Evaluation.objects.count() == 3
    # The county's rows are the same for everyone.
    assert len(ok(client.get(f"{API}/standards/"))["results"]) == 1
    assert len(ok(client.get(f"{API}/tiers/"))["results"]) == 4
    assert ids(ok(client.get(f"{API}/rounds/"))) == {w.round.pk}


def test_union_officer_sees_only_their_enterprise_and_worker_nothing(both_towns, login):
    w = both_towns
    client = login(w.union_a)
    assert ids(ok(client.get(f"{API}/evaluations/"))) == {w.ev_a.pk}
    assert client.get(f"{API}/evaluations/{w.ev_a2.pk}/").status_code == 404
    assert ids(ok(client.get(f"{API}/certifications/"))) == {w.cert_a.pk}
    assert ids(ok(client.get(f"{API}/surveys/"))) == {w.survey_a.pk}
    # The county's rows they apply under are theirs to read.
    assert ids(ok(client.get(f"{API}/rounds/"))) == {w.round.pk} and len(ok(client.get(f"{API}/tiers/"))["results"]) == 4
    detail = ok(client.get(f"{API}/certifications/{w.cert_a.pk}/"))
    assert detail["reviews"] == []  # county review tasks are not the union officer's
    round_ = ok(login(w.officer_b).get(f"{API}/rounds/{w.round.pk}/"))
    assert round_["evaluations"]["certified"] == 1 and sum(round_["evaluations"].values()) == 1  # town B's own

    worker = login(w.worker_user)
    # A kind of record the worker cannot see at all does not exist for them (as on the pages).
    for route in ("standards", "tiers", "rounds", "evaluations", "certifications", f"evaluations/{w.ev_a.pk}",
                  f"certifications/{w.cert_a.pk}", f"surveys/{w.survey_b.pk}/result"):
        assert worker.get(f"{API}/{route}/").status_code == 404, route
    # Surveys: at most those of the worker's own enterprise (which they answer), counts only.
    response = worker.get(f"{API}/surveys/")
    assert response.status_code == 404 or ids(response.json()) == {w.survey_a.pk}
    response = worker.get(f"{API}/surveys/{w.survey_a.pk}/result/")
    assert response.status_code == 404 or response.json()["responses"] == 0
    response = post(worker, f"{API}/evaluations/", {"round": w.round.pk, "enterprise": w.ent_a.pk, "tier": w.county_tier.pk})
    assert response.status_code == 404 and Evaluation.objects.count() == 3


# --- the flow through the API --------------------------------------------------------------------

def test_the_round_through_the_api(setup, login):
    w = setup
    union, officer, county = login(w.union_a), login(w.officer_a), login(w.admin)
    body = ok(post(union, f"{API}/evaluations/", {"round": w.round.pk, "enterprise": w.ent_a.pk,
                                                  "tier": w.county_tier.pk}), 201)
    ev = Evaluation.objects.get(pk=body["id"])
    assert body["status"] == "draft" and body["enterprise_class_code"] == "large"
    scores = {row["code"]: row for row in body["scores"]}
    assert scores["A1"]["is_computed"] and scores["A1"]["figures"]["rate"] == "100.0"
    assert scores["A1"]["computed_points"] == "8.0" and scores["A2"]["computed_points"] is None
    assert "self-assess" in body["available_actions"] and "submit" in body["available_actions"]
    url = f"{API}/evaluations/{ev.pk}"

    # Scores above the maximum: 400 keyed by the score, nothing saved.
    a2 = Indicator.objects.get(code="A2")
    points = manual_points(ev)
    response = post(union, f"{url}/self-assess/", {"points": {**points, str(a2.pk): "14.5"}})
    assert response.status_code == 400 and set(response.json()) == {f"score-{a2.pk}"}
    assert not IndicatorScore.objects.filter(evaluation=ev, self_points__isnull=False).exists()
    response = post(union, f"{url}/self-assess/", {"points": {"A2": 3}})
    assert response.status_code == 400 and "points" in response.json()
    # Submitting with manual indicators unscored names each of them.
    response = post(union, f"{url}/submit/")
    assert response.status_code == 400 and f"score-{a2.pk}" in response.json()
    body = ok(post(union, f"{url}/self-assess/", {"points": points, "evidence": {str(a2.pk): "集体合同文本及备案回执"}}))
    assert {row["code"]: row for row in body["scores"]}["A2"]["evidence"] == "集体合同文本及备案回执"
    assert ok(union.get(f"{url}/submit/"))["allowed"] is True
    body = ok(post(union, f"{url}/submit/"))
    assert body["status"] == "submitted" and D(body["self_score"]) == D("95.0")  # no survey yet: G1 scores 0

    # The union officer may not review; the town must give reasons and the on-site check.
    check = ok(union.get(f"{url}/review/"))
    assert check["allowed"] is False and check["reason"]
    assert post(union, f"{url}/review/", {"onsite_check_on": TODAY().isoformat(), "onsite_notes": "x"}).status_code == 400
    before = model_to_dict(Evaluation.objects.get(pk=ev.pk))
    response = post(officer, f"{url}/review/", {"points": {str(a2.pk): 10}})
    assert response.status_code == 400
    assert {f"score-{a2.pk}", "onsite_check_on", "onsite_notes"} <= set(response.json())
    assert model_to_dict(Evaluation.objects.get(pk=ev.pk)) == before
    assert not IndicatorScore.objects.filter(evaluation=ev, review_points__isnull=False).exists()
    body = ok(post(officer, f"{url}/review/", {"points": {str(a2.pk): 10}, "reasons": {str(a2.pk): "集体合同覆盖率仅75%"},
                                              "onsite_check_on": TODAY().isoformat(), "onsite_notes": "抽查合同20份"}))
    assert body["status"] == "reviewed" and D(body["review_score"]) == D("91.0")
    assert {row["code"]: row for row in body["scores"]}["A2"]["review_reason"] == "集体合同覆盖率仅75%"

    # Only the county approves; publicity follows.
    assert ok(officer.get(f"{url}/approve/"))["allowed"] is False
    assert post(officer, f"{url}/approve/").status_code == 400
    body = ok(post(county, f"{url}/approve/"))
    assert body["status"] == "publicity" and body["publicity_from"] == TODAY().isoformat()

    # An objection (from the public page) must be answered before the certificate.
    objection = services.objection_lodge(ev, text="该企业曾拖欠加班费", contact="13800001111")
    response = post(county, f"{url}/certify/")
    assert response.status_code == 400 and {"publicity_until", "objections"} <= set(response.json())
    assert ok(county.get(f"{url}/certify/"))["allowed"] is False
    body = ok(county.get(f"{url}/"))
    assert body["objections"][0]["contact"] != "13800001111" and "answer-objection" in body["available_actions"]
    assert post(officer, f"{url}/answer-objection/", {"objection": objection.pk, "answer": "x"}).status_code == 403
    response = post(county, f"{url}/answer-objection/", {"objection": objection.pk, "answer": ""})
    assert response.status_code == 400 and "answer" in response.json()
    ok(post(county, f"{url}/answer-objection/", {"objection": objection.pk, "answer": "经核查已补发", "upheld": False}))
    assert Objection.objects.get(pk=objection.pk).answered_on == TODAY()
    # The publicity period over: the certificate.
    Evaluation.objects.filter(pk=ev.pk).update(publicity_from=TODAY() - timedelta(days=10), publicity_until=TODAY() - timedelta(days=3))
    assert ok(county.get(f"{url}/certify/"))["allowed"] is True
    body = ok(post(county, f"{url}/certify/"))
    assert body["status"] == "certified" and body["certification"]
    cert = ok(union.get(f"{API}/certifications/{body['certification']}/"))
    assert cert["tier_code"] == "county" and cert["status"] == "valid" and cert["enterprise"] == w.ent_a.pk


def test_return_and_reject_need_a_reason(setup, login):
    w = setup
    ev = submitted(w)
    officer, county = login(w.officer_a), login(w.admin)
    response = post(officer, f"{API}/evaluations/{ev.pk}/return/", {"note": " "})
    assert response.status_code == 400 and "note" in response.json()
    assert Evaluation.objects.get(pk=ev.pk).status == "submitted"
    assert ok(post(officer, f"{API}/evaluations/{ev.pk}/return/", {"note": "补充集体合同备案材料"}))["status"] == "returned"
    # Returned: the enterprise corrects and submits again; the county rejects with a reason.
    union = login(w.union_a)
    assert ok(union.get(f"{API}/evaluations/{ev.pk}/self-assess/"))["allowed"] is True
    ok(post(union, f"{API}/evaluations/{ev.pk}/submit/"))
    reviewed(w, ev, w.officer_a)
    assert post(county, f"{API}/evaluations/{ev.pk}/reject/").status_code == 400
    body = ok(post(county, f"{API}/evaluations/{ev.pk}/reject/", {"note": "现场核查发现超时加班"}))
    assert body["status"] == "rejected" and body["decision_note"] == "现场核查发现超时加班"
    assert body["available_actions"] == []


def test_approving_a_tier_whose_prerequisite_is_not_held(setup, login):
    w = setup
    ev = reviewed(w, submitted(w, tier=Tier.objects.get(code="city")), w.officer_a)
    county = login(w.admin)
    check = ok(county.get(f"{API}/evaluations/{ev.pk}/approve/"))
    assert check["allowed"] is False and "365" in check["reason"]
    before = model_to_dict(Evaluation.objects.get(pk=ev.pk))
    response = post(county, f"{API}/evaluations/{ev.pk}/approve/")
    assert response.status_code == 400 and set(response.json()) == {"tier"}
    assert model_to_dict(Evaluation.objects.get(pk=ev.pk)) == before


def test_a_second_survey_response_and_a_late_objection_are_refused(setup, login):
    w = setup
    survey = services.survey_open(actor=w.union_a, enterprise=w.ent_a, opens_on=TODAY(), closes_on=TODAY() + timedelta(days=7),
                                  round=w.round, min_responses=2)
    questions = list(survey.questions.all())
    services.survey_answer(survey, user=w.worker_user, answers={q.pk: 4 for q in questions})
    # One response of the two needed: no counts yet (one person's answers could be read off them).
    body = ok(login(w.union_a).get(f"{API}/surveys/{survey.pk}/result/"))
    assert body["responses"] == 1 and not body["valid"] and body["questions"][0]["counts"] == [None] * 5
    with pytest.raises(ValidationError) as err:
        services.survey_answer(survey, user=w.worker_user, answers={q.pk: 1 for q in questions})
    assert "survey" in err.value.message_dict
    assert sum(SurveyTally.objects.values_list("count", flat=True)) == len(questions)
    # A second worker answers: the result is counts only.
    peer = Worker.objects.create(id_number=id_number("330621", "19920202", 901), name="职工乙")
    Employment.objects.create(worker=peer, enterprise=w.ent_a, start_date=TODAY() - timedelta(days=400), contract_signed=True,
                              insured=True)
    from tests.conftest import make_user

    peer.user = make_user("peer_worker", "worker")
    peer.save()
    services.survey_answer(survey, user=peer.user, answers={q.pk: 5 if i else 2 for i, q in enumerate(questions)})
    body = ok(login(w.union_a).get(f"{API}/surveys/{survey.pk}/result/"))
    # Valid, but open and below the anonymity floor: still no counts (issue 13 item 18).
    assert body["responses"] == 2 and body["valid"] is True and body["shown"] is False and body["share"] is None
    assert body["questions"][0]["counts"] == [None] * 5
    # Closed with the floor's 5 responses: the counts.
    for i, value in enumerate((5, 5, 5)):
        extra = Worker.objects.create(id_number=id_number("330621", "19920303", 910 + i), name=f"职工{i}")
        Employment.objects.create(worker=extra, enterprise=w.ent_a, start_date=TODAY() - timedelta(days=400),
                                  contract_signed=True, insured=True)
        extra.user = make_user(f"extra_worker_{i}", "worker")
        extra.save()
        services.survey_answer(survey, user=extra.user, answers={q.pk: value for q in questions})
    Survey.objects.filter(pk=survey.pk).update(closes_on=TODAY() - timedelta(days=1))
    body = ok(login(w.union_a).get(f"{API}/surveys/{survey.pk}/result/"))
    assert body["responses"] == 5 and body["shown"] is True and body["closed"] is True
    assert body["questions"][0]["counts"] == [0, 1, 0, 1, 3] and body["questions"][1]["counts"] == [0, 0, 0, 1, 4]
    assert D(body["share"]) == D("96.7")  # 29 of 30 answers satisfied
    text = str(body)
    assert w.worker_a.name not in text and "worker" not in text and "participation" not in text

    # An objection after the publicity period is refused, and answering another evaluation's objection.
    ev = services.evaluation_approve(reviewed(w, submitted(w), w.officer_a), actor=w.admin)
    objection = services.objection_lodge(ev, text="异议")
    ev_b = services.evaluation_approve(reviewed(w, submitted(w, ent=w.ent_b, actor=w.officer_b), w.officer_b), actor=w.admin)
    with pytest.raises(ValidationError) as err:
        services.objection_lodge(ev, text="迟到的异议", today=ev.publicity_until + timedelta(days=1))
    assert "text" in err.value.message_dict and Objection.objects.count() == 1
    response = post(login(w.admin), f"{API}/evaluations/{ev_b.pk}/answer-objection/", {"objection": objection.pk, "answer": "x"})
    assert response.status_code == 400 and "objection" in response.json()
    assert Objection.objects.get(pk=objection.pk).answered_on is None


def test_standard_is_read_with_its_classes_indicators_and_vetoes(setup, login):
    body = ok(login(setup.officer_a).get(f"{API}/standards/"))["results"][0]
    assert {c["code"] for c in body["classes"]} == {"large", "medium", "small"}
    indicators = [i for g in body["groups"] for i in g["indicators"]]
    assert {"A1", "A2", "G1"} <= {i["code"] for i in indicators}
    a1s = next(i for i in indicators if i["code"] == "A1s")
    assert a1s["classes"] == ["small"] and a1s["method"] == "contract_rate" and a1s["is_computed"]
    assert {v["code"] for v in body["vetoes"]} == {"V1", "V2", "V3", "V4", "V5"}
    tiers = ok(login(setup.officer_a).get(f"{API}/tiers/"))["results"]
    assert [t["code"] for t in tiers] == ["compliant", "county", "city", "province"]
    assert tiers[2]["prerequisite_code"] == "county"
    # Read only: the county's rows change on the pages, not through this API.
    assert post(login(setup.admin), f"{API}/tiers/{tiers[0]['id']}/", {"min_score": 1}).status_code == 405


def test_schema_lists_the_harmony_routes(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    paths = yaml.safe_load((tmp_path / "schema.yaml").read_text())["paths"]
    for route in ("standards/", "tiers/", "rounds/", "evaluations/", "evaluations/{id}/self-assess/",
                  "evaluations/{id}/answer-objection/", "certifications/{id}/", "surveys/{id}/result/"):
        assert f"{API}/{route}" in paths, route


def test_recheck_through_the_api(world):
    from django.utils import timezone
    from rest_framework.test import APIClient

    from concord.harmony.models import Certification
    from tests.test_scope_matrix import harmony_samples

    cert = harmony_samples(world)[Certification][0]
    client = APIClient()
    client.force_authenticate(world.admin)
    url = f"/api/harmony/certifications/{cert.pk}/recheck/"
    bad = client.post(url, {"checked_on": "2099-01-01", "passed": True, "note": ""}, format="json")
    assert bad.status_code == 400 and {"checked_on", "note"} <= set(bad.json())
    ok = client.post(url, {"checked_on": timezone.localdate().isoformat(), "passed": True, "note": "复审合格"}, format="json")
    assert ok.status_code == 200, ok.content
    assert Certification.objects.get(pk=cert.pk).next_recheck_on != cert.next_recheck_on
    town = APIClient()
    town.force_authenticate(world.officer_a)
    assert town.post(url, {"checked_on": timezone.localdate().isoformat(), "passed": False, "note": "x"}, format="json").status_code == 403
    assert Certification.objects.get(pk=cert.pk).status == "valid"
