"""Harmonious-enterprise services: the round's workflow from self-assessment to certificate, bad
input refused with nothing changed, vetoes and their consequences, the anonymous survey."""
from datetime import date, timedelta
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from concord.core.workflow import TransitionRefused
from concord.harmony import services
from concord.harmony.models import (
    Certification, CountyReview, Evaluation, Indicator, IndicatorScore, Round, Standard, SurveyParticipation, SurveyTally,
    Tier, VetoEvent, VetoItem,
)
from concord.registry.models import Employment, Enterprise, Worker
from tests.conftest import id_number
from tests.disputes_helpers import file_case

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 16)  # a Monday


@pytest.fixture
def setup(world):
    call_command("load_calendar", from_package=True, stdout=StringIO())
    standard = Standard.objects.get()
    rnd = Round.objects.create(year=2026, name="2026年度劳动关系和谐企业创建", standard=standard, opens_on=date(2026, 9, 1),
                               self_assessment_due=date(2026, 12, 31), review_due=date(2027, 1, 31), approval_due=date(2027, 2, 28))
    Enterprise.objects.filter(pk=world.ent_a.pk).update(head_count=120, has_union=True, has_workers_congress=True)
    world.ent_a.refresh_from_db()
    # Ten current employments (the world's own and nine more), nine with a contract, all insured.
    Employment.objects.filter(pk=world.emp_a.pk).update(contract_signed=True, insured=True)
    workers = [Worker.objects.create(id_number=id_number("330621", "19900101", 700 + i), name=f"职工{i}") for i in range(9)]
    Employment.objects.bulk_create([Employment(worker=w, enterprise=world.ent_a, start_date=date(2024, 1, 1),
                                               contract_signed=i < 8, insured=True) for i, w in enumerate(workers)])
    world.round, world.standard = rnd, standard
    world.county_tier = Tier.objects.get(code="county")
    return world


def manual_points(evaluation, value=None):
    return {s.indicator_id: value if value is not None else s.indicator.max_points
            for s in evaluation.scores.select_related("indicator") if not s.indicator.is_computed}


def submitted(w, **kw):
    ev = services.evaluation_start(actor=w.union_a, round=w.round, enterprise=w.ent_a, tier=w.county_tier, today=TODAY)
    services.self_assess(ev, actor=w.union_a, points=manual_points(ev), evidence={})
    return services.evaluation_submit(ev, actor=w.union_a, today=TODAY)


def test_start_prefills_computed_indicators_for_the_class(setup):
    w = setup
    ev = services.evaluation_start(actor=w.union_a, round=w.round, enterprise=w.ent_a, tier=w.county_tier, today=TODAY)
    assert ev.enterprise_class.code == "large" and ev.status == "draft"
    scores = {s.indicator.code: s for s in ev.scores.select_related("indicator")}
    assert "A1s" not in scores and {"A1", "A2", "B1", "C1", "E1", "F1", "F2", "G1"} <= set(scores)
    # 9 of 10 contracts signed: 90 %, 10 points short at 0.2 → 6 of 8.
    assert (scores["A1"].computed_points, scores["A1"].figures["rate"]) == (D("6.0"), "90.0")
    assert scores["C1"].computed_points == 15 and scores["E1"].computed_points == 6
    assert scores["G1"].computed_points == 0 and scores["G1"].figures["share"] is None  # no survey yet
    assert sum(s.indicator.max_points for s in scores.values()) == 100
    with pytest.raises(ValidationError):  # one application per round
        services.evaluation_start(actor=w.union_a, round=w.round, enterprise=w.ent_a, tier=w.county_tier, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.evaluation_start(actor=w.officer_b, round=w.round, enterprise=w.ent_a2, tier=w.county_tier, today=TODAY)


def test_scores_above_the_maximum_and_computed_scores_are_refused(setup):
    w = setup
    ev = services.evaluation_start(actor=w.union_a, round=w.round, enterprise=w.ent_a, tier=w.county_tier, today=TODAY)
    a2 = Indicator.objects.get(code="A2")
    a1 = Indicator.objects.get(code="A1")
    with pytest.raises(ValidationError) as err:
        services.self_assess(ev, actor=w.union_a, points={a2.pk: D("14.5"), a1.pk: 8})
    assert set(err.value.message_dict) == {f"score-{a2.pk}", f"score-{a1.pk}"}
    assert not IndicatorScore.objects.filter(evaluation=ev, self_points__isnull=False).exists()
    with pytest.raises(ValidationError) as err:  # manual indicators unscored
        services.evaluation_submit(ev, actor=w.union_a, today=TODAY)
    assert f"score-{a2.pk}" in err.value.message_dict
    assert Evaluation.objects.get(pk=ev.pk).status == "draft"


def test_the_round_from_self_assessment_to_certificate(setup, django_capture_on_commit_callbacks):
    w = setup
    ev = submitted(w)
    assert ev.status == "submitted" and ev.self_score == D("93.0")  # 100 − 2 (90 % contracts) − 5 (no survey yet)
    a2 = Indicator.objects.get(code="A2")
    # The town changes a score: a reason is required, and the on-site check.
    with pytest.raises(ValidationError) as err:
        services.evaluation_review(ev, actor=w.officer_a, points={a2.pk: 10}, reasons={}, onsite_check_on=None,
                                   onsite_notes="", today=TODAY)
    assert {f"score-{a2.pk}", "onsite_check_on", "onsite_notes"} <= set(err.value.message_dict)
    assert Evaluation.objects.get(pk=ev.pk).status == "submitted"
    with pytest.raises(TransitionRefused):  # the union officer may not review
        services.evaluation_review(ev, actor=w.union_a, points={}, reasons={}, onsite_check_on=TODAY, onsite_notes="x", today=TODAY)
    ev = services.evaluation_review(ev, actor=w.officer_a, points={a2.pk: 10}, reasons={a2.pk: "集体合同覆盖率仅75%"},
                                    onsite_check_on=TODAY, onsite_notes="查阅台账，抽查合同20份", today=TODAY)
    assert ev.status == "reviewed" and ev.review_score == ev.self_score - 4
    with pytest.raises(TransitionRefused):  # the town may not approve
        services.evaluation_approve(ev, actor=w.officer_a, today=TODAY)
    ev = services.evaluation_approve(ev, actor=w.admin, today=TODAY)
    assert (ev.status, ev.publicity_from, ev.publicity_until) == ("publicity", TODAY, date(2026, 11, 20))
    # Objections during publicity must be answered; after it, none is taken.
    objection = services.objection_lodge(ev, text="该企业曾拖欠加班费", contact="13800001111", today=TODAY + timedelta(days=1))
    with pytest.raises(ValidationError):
        services.objection_lodge(ev, text="迟到的异议", today=date(2026, 11, 21))
    with pytest.raises(ValidationError) as err:
        services.evaluation_certify(ev, actor=w.admin, today=date(2026, 11, 20))
    assert {"publicity_until", "objections"} <= set(err.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.objection_answer(objection, actor=w.officer_a, answer="x", upheld=False)
    services.objection_answer(objection, actor=w.admin, answer="经核查已于2026年3月补发", upheld=False, today=date(2026, 11, 19))
    cert = services.evaluation_certify(ev, actor=w.admin, today=date(2026, 11, 23))
    assert cert.number == "330603-HX-2026-0001" and cert.tier.code == "county"
    assert (cert.valid_until, cert.next_recheck_on, cert.status) == (date(2029, 11, 22), date(2027, 11, 23), "valid")
    assert Evaluation.objects.get(pk=ev.pk).status == "certified"

    # A later collective dispute suspends the title at once and opens a county review.
    with django_capture_on_commit_callbacks(execute=True):
        file_case(w, n=12, reps=3)
    cert.refresh_from_db()
    assert cert.status == "suspended"
    review = CountyReview.objects.get(certification=cert)
    assert VetoEvent.objects.get().item.code == "V3"
    services.detect_vetoes()  # detection finds the same event: nothing new
    assert VetoEvent.objects.count() == 1
    with pytest.raises(ValidationError):
        services.review_decide(review, actor=w.admin, decision="revoke", note="")
    services.review_decide(review, actor=w.admin, decision="revoke", note="集体争议系企业拖欠工资引发")
    cert.refresh_from_db()
    assert cert.status == "revoked"


def test_approval_checks_tier_prerequisites_and_vetoes(setup):
    w = setup
    ev = submitted(w)
    city = Tier.objects.get(code="city")
    Evaluation.objects.filter(pk=ev.pk).update(tier=city)
    ev = services.evaluation_review(ev, actor=w.officer_a, points={}, reasons={}, onsite_check_on=TODAY, onsite_notes="核查无误", today=TODAY)
    with pytest.raises(ValidationError) as err:
        services.evaluation_approve(ev, actor=w.admin, today=TODAY)
    assert "tier" in err.value.message_dict
    assert Evaluation.objects.get(pk=ev.pk).status == "reviewed"
    Evaluation.objects.filter(pk=ev.pk).update(tier=w.county_tier)
    services.veto_record(actor=w.admin, enterprise=w.ent_a, item=VetoItem.objects.get(code="V1"),
                         occurred_on=TODAY - timedelta(days=30), description="劳动监察查实使用童工1名", today=TODAY)
    with pytest.raises(ValidationError) as err:
        services.evaluation_approve(ev, actor=w.admin, today=TODAY)
    assert "veto" in str(err.value.message_dict["tier"]) or "一票否决" in str(err.value.message_dict["tier"])


def test_survey_is_anonymous_and_one_response_per_worker(setup, login):
    w = setup
    survey = services.survey_open(actor=w.union_a, enterprise=w.ent_a, opens_on=TODAY, closes_on=TODAY + timedelta(days=14),
                                  round=w.round, min_responses=2)
    questions = list(survey.questions.all())
    services.survey_answer(survey, user=w.worker_user, answers={q.pk: 5 for q in questions}, today=TODAY)
    with pytest.raises(ValidationError) as again:
        services.survey_answer(survey, user=w.worker_user, answers={q.pk: 1 for q in questions}, today=TODAY)
    assert list(again.value.message_dict) == ["survey"]
    with pytest.raises(ValidationError) as err:
        services.survey_answer(survey, user=w.worker_user, answers={questions[0].pk: 9}, today=TODAY)
    # Each question out of range or missing is named; the answer of 9 is refused before anything is stored.
    assert set(err.value.message_dict) == {f"q{q.pk}" for q in questions}
    with pytest.raises(PermissionDenied):
        services.survey_answer(survey, user=w.officer_a, answers={q.pk: 5 for q in questions}, today=TODAY)
    survey.refresh_from_db()
    assert survey.responses == 1 and SurveyParticipation.objects.count() == 1
    assert sum(SurveyTally.objects.values_list("count", flat=True)) == len(questions)
    # The tallies carry no respondent: only question, value and count.
    assert {f.name for f in SurveyTally._meta.concrete_fields} == {"id", "question", "value", "count"}
    result = services.survey_result(survey)
    assert not result["valid"] and result["share"] is None  # 1 of the 2 responses needed


def test_figures_need_the_same_queries_for_one_or_many_surveys(setup, django_assert_max_num_queries):
    w = setup
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(ents):
        with CaptureQueriesContext(connection) as ctx:
            services.figures_for([e.pk for e in ents], w.standard, TODAY)
        return len(ctx.captured_queries)

    for ent in (w.ent_a, w.ent_a2):
        services.survey_open(actor=w.admin, enterprise=ent, opens_on=TODAY - timedelta(days=20), closes_on=TODAY - timedelta(days=5))
    assert queries([w.ent_a]) == queries([w.ent_a, w.ent_a2, w.ent_b])


def test_yearly_recheck_passes_or_revokes(setup, login):
    w = setup
    ev = submitted(w)
    ev = services.evaluation_review(ev, actor=w.officer_a, points={}, reasons={}, onsite_check_on=TODAY, onsite_notes="核查无误", today=TODAY)
    ev = services.evaluation_approve(ev, actor=w.admin, today=TODAY)
    cert = services.evaluation_certify(ev, actor=w.admin, today=date(2026, 11, 23))
    checked = date(2027, 11, 20)
    with pytest.raises(ValidationError) as err:
        services.recheck_record(cert, actor=w.admin, checked_on=checked, passed=True, note="", today=checked)
    assert "note" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.recheck_record(cert, actor=w.officer_a, checked_on=checked, passed=True, note="复审合格", today=checked)
    cert = services.recheck_record(cert, actor=w.admin, checked_on=checked, passed=True, note="复审合格", today=checked)
    assert (cert.status, cert.next_recheck_on) == ("valid", date(2028, 11, 20))
    # Through the page: a failed re-check revokes the title; bad input changes nothing.
    client = login(w.admin)
    url = f"/harmony/certifications/{cert.pk}/recheck/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"checked_on": "2099-01-01", "passed": "no", "note": "x"})
    assert bad.status_code == 400 and Certification.objects.get(pk=cert.pk).status == "valid"
    from django.utils import timezone

    done = client.post(url, {"checked_on": timezone.localdate().isoformat(), "passed": "no", "note": "复审发现未缴社保"})
    assert done.status_code == 302 and Certification.objects.get(pk=cert.pk).status == "revoked"
