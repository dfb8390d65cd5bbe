"""The demo county generator: deterministic, valid identifiers, realistic shares, accounts attached."""
from collections import Counter, defaultdict
from datetime import date
import hashlib
import random
import re
from statistics import median

import pytest
from django.core.management import call_command
from django.utils import timezone

from concord.alerts import services as alert_services
from concord.alerts.models import Alert, AlertAction, EnterpriseRisk, RiskChange, RiskSignal
from concord.core.models import Event, Region, Sequence, User
from concord.demo import alerts_seed, disputes_seed, seed
from concord.disputes import selectors, services
from concord.disputes.models import Case, CaseDocument, FollowUpAction, LegalSetting, TripartiteMeeting
from concord.registry import codes, rules
from concord.registry.models import Employment, Enterprise, Worker

from tests.conftest import id_number

TOWNS = [(index + 1, code, f"town{index}") for index, code in enumerate(sorted(seed.TOWN_WEIGHTS))]


def generated_digest(scale, seed_value):
    generator = seed.Generator(scale, seed_value, TOWNS, (1, 1, 1), "2026-01-01 00:00:00")
    digest = hashlib.sha256()
    digest.update(repr(generator.enterprise_rows()).encode())
    for workers, employments in generator.people_rows():
        digest.update(repr(workers).encode())
        digest.update(repr(employments).encode())
    return digest.hexdigest()


def database_digest():
    digest = hashlib.sha256()
    for row in Enterprise.objects.order_by("credit_code").values_list(
        "credit_code", "name", "region__code", "address", "industry", "ownership", "size_class", "legal_representative",
        "contact_phone", "has_union", "has_mediation_committee", "has_workers_congress", "is_key_enterprise",
        "head_count", "migrant_count",
    ):
        digest.update(repr(row).encode())
    for row in Worker.objects.order_by("id_number").values_list(
        "id_number", "name", "phone", "sex", "birth_date", "hukou_province", "hukou_city", "is_migrant", "education",
    ):
        digest.update(repr(row).encode())
    for row in Employment.objects.order_by("worker__id_number", "start_date").values_list(
        "worker__id_number", "enterprise__credit_code", "start_date", "end_date", "position", "contract_signed",
        "contract_type", "contract_start", "contract_end", "insured", "monthly_wage",
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_generator_is_deterministic_for_a_seed():
    tiny = seed.SCALES["tiny"]
    assert generated_digest(tiny, 5) == generated_digest(tiny, 5)
    assert generated_digest(tiny, 5) != generated_digest(tiny, 6)


@pytest.mark.django_db
def test_same_seed_gives_the_same_rows_in_the_database():
    seed.seed("tiny", 11)
    first = database_digest()
    from concord.harmony.models import (
        Certification, CountyReview, Evaluation, Round, Survey, SurveyParticipation, VetoEvent,
    )

    # Harmony and early warning hold on to enterprises.
    for model in (CountyReview, Certification, Evaluation, Round, SurveyParticipation, Survey, VetoEvent,
                  AlertAction, Alert, RiskChange, EnterpriseRisk, RiskSignal):
        model.objects.all().delete()
    Case.objects.all().delete()  # cases hold on to their workers and respondents
    Worker.objects.update(user=None)
    for model in (Employment, Worker):
        model.objects.all().delete()
    User.objects.all().delete()  # role assignments go with their users
    Enterprise.objects.all().delete()
    seed.seed("tiny", 11)
    assert database_digest() == first


@pytest.fixture
def small(db):
    return seed.seed("small", 2026)


def test_identifiers_are_valid_and_unique(small):
    numbers = list(Worker.objects.values_list("id_number", "sex", "birth_date", "hukou_province", "hukou_city", "is_migrant"))
    assert len(numbers) == len({n[0] for n in numbers}) == 10_000
    for number, sex, born, province, city, migrant in numbers:
        assert rules.id_number_problem(number) is None, number
        assert rules.sex_from_id(number) == sex and rules.birth_date_from_id(number) == born
        assert (province, city) == (rules.hukou_province_from_id(number), rules.hukou_city_from_id(number)) and city
        assert migrant == rules.is_migrant_default(number[:6], seed.COUNTY_CODE), number
    credit = list(Enterprise.objects.values_list("credit_code", flat=True))
    assert len(credit) == len(set(credit)) == 304
    assert all(rules.credit_code_valid(c) and c[2:8] in {"330621", "330603"} for c in credit)
    phones = list(Worker.objects.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones)
    # The model's own validators accept a sample of every table.
    for obj in [*Enterprise.objects.all()[:40], *Worker.objects.all()[:200], *Employment.objects.all()[:200]]:
        obj.full_clean()


def test_organisation_code_check_character():
    # GB 11714: the organisation code inside the example code 91110000600037341L ends in its check character 1.
    rng = random.Random(1)
    assert _org_check("60003734") == "1"
    for _ in range(200):
        code = seed.org_code(rng, new_style=rng.random() < 0.5)
        assert code[-1] == _org_check(code[:8])


def _org_check(body):
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def test_shares_and_rates_are_realistic(small):
    scale = seed.SCALES["small"]
    assert Worker.objects.filter(is_migrant=True).count() == scale.migrants
    current = Employment.objects.filter(end_date__isnull=True)
    assert current.count() == scale.workers  # everyone employed once, now
    assert current.values("worker").distinct().count() == scale.workers
    ended_workers = Employment.objects.filter(end_date__isnull=False).values("worker").distinct().count()
    assert 0.12 < ended_workers / scale.workers < 0.19
    signed = current.filter(contract_signed=True).count() / scale.workers
    insured = current.filter(insured=True).count() / scale.workers
    assert 0.85 <= signed <= 0.95 and 0.70 <= insured <= 0.85
    wages = list(Employment.objects.values_list("monthly_wage", flat=True))
    assert min(wages) >= 2070 and 4000 <= median(wages) <= 9000
    generations = Counter(rules.generation_of(b) for b in Worker.objects.values_list("birth_date", flat=True))
    assert (generations["1980"] + generations["1990"]) / scale.workers > 0.55
    assert generations["earlier"] > 0 and generations["2000"] > 0 and not generations["2010"]
    origins = Counter(Worker.objects.filter(is_migrant=True).values_list("hukou_province", flat=True))
    assert [p for p, _n in origins.most_common(3)] == ["34", "52", "36"]  # Anhui, Guizhou, Jiangxi lead
    assert Worker.objects.filter(is_migrant=False).exclude(hukou_city="绍兴市").count() == 0
    education = Counter(Worker.objects.filter(is_migrant=True).values_list("education", flat=True))
    assert education.most_common(1)[0][0] == "junior"

    enterprises = list(Enterprise.objects.all())
    assert sum(e.head_count for e in enterprises) == scale.workers
    assert sum(e.migrant_count for e in enterprises) == scale.migrants
    assert all(e.size_class == seed.size_class_of(e.head_count) for e in enterprises)
    assert 0.6 <= sum(e.has_union for e in enterprises) / len(enterprises) <= 0.8
    industries = Counter(e.industry for e in enterprises)
    assert sum(industries[c] for c in ("C17", "C17D", "C18", "C28")) / len(enterprises) > 0.6
    assert set(industries) <= codes.INDUSTRY_CODES
    towns = Counter(e.region.code for e in enterprises)
    assert len(towns) == 16 and towns["330603009"] > towns["330603109"]  # 钱清 ≫ 稽东
    assert Counter(e.ownership for e in enterprises).most_common(1)[0][0] in {"private", "limited"}


def test_employments_obey_the_rules(small):
    born = dict(Worker.objects.values_list("pk", "birth_date"))
    for e in Employment.objects.all():
        assert not rules.employment_problems(
            start_date=e.start_date, end_date=e.end_date, contract_signed=e.contract_signed,
            contract_type=e.contract_type, contract_start=e.contract_start, contract_end=e.contract_end,
            today=seed.AS_OF,
        ), e.pk
        age = (e.start_date - born[e.worker_id]).days / 365.25
        assert 16 <= age <= 60, e.pk
    tenure_open = Employment.objects.filter(contract_type="open_ended", end_date__isnull=True)
    assert tenure_open.exists() and Employment.objects.filter(contract_type="fixed_term").count() > tenure_open.count()


def test_demo_accounts_attach_to_real_records(small):
    union = User.objects.get(username="union_demo").role_assignments.get().enterprise
    assert union.region.code == seed.QIANQING
    assert union.has_union and union.has_mediation_committee and union.has_workers_congress and union.head_count >= 20
    worker = User.objects.get(username="worker_demo").worker
    assert worker.is_migrant and worker.employments.filter(enterprise=union, end_date__isnull=True).exists()
    assert User.objects.get(username="town_qianqing").role_assignments.get().region.code == seed.QIANQING
    assert User.objects.get(username="county_admin").check_password(seed.DEMO_PASSWORD)


@pytest.mark.django_db
def test_seed_demo_command_with_a_custom_scale():
    call_command("seed_demo", enterprises=20, workers=300, migrants=100, seed=3)
    assert Enterprise.objects.count() == 20 and Worker.objects.count() == 300
    assert Worker.objects.filter(is_migrant=True).count() == 100
    assert Region.objects.filter(kind="town").count() == 16
    assert set(Enterprise.objects.values_list("region__code", flat=True)) == set(seed.TOWN_WEIGHTS)
    call_command("seed_demo", scale="small")  # already loaded: only the accounts are checked
    assert Worker.objects.count() == 300


def test_custom_scale_refuses_impossible_sizes():
    with pytest.raises(ValueError):
        seed.custom_scale(10, 300)
    with pytest.raises(ValueError):
        seed.custom_scale(20, 10)
    assert seed.custom_scale(20, 1200).migrants == 760


def test_origin_codes_name_a_city_in_every_year():
    prefectures = rules.prefectures()
    for province, counties in seed.ORIGINS.items():
        for name, segments in counties:
            for year in range(1985, timezone.now().year + 1):
                code = seed.code_in_year(segments, year)
                assert len(code) == 6 and code[:4] in prefectures, (name, year, code)
                assert code[:2] in codes.PROVINCES
                local = code.startswith("3306")
                assert local == (province == "LOCAL"), (name, code)
    assert seed.code_in_year(dict(seed.ORIGINS["52"])["大方县"], 1995) == "522422"  # 毕节地区 until 2011
    assert seed.code_in_year(dict(seed.ORIGINS["52"])["大方县"], 2011) == "520521"
    assert seed.code_in_year(dict(seed.ORIGINS["LOCAL"])["柯桥区"], 1990) == "330621"  # 绍兴县 until 2013


def test_prefecture_table_covers_every_province():
    table = rules.prefectures()
    mainland = {code for code in codes.PROVINCES if code not in {"71", "81", "82"}}
    assert {code[:2] for code in table} == mainland
    facts = {"5224": "毕节市", "3623": "上饶市", "5321": "昭通市", "4127": "周口市", "3412": "阜阳市", "3421": "阜阳市",
             "1101": "北京市", "5001": "重庆市", "5002": "重庆市", "3306": "绍兴市", "3712": "济南市", "5222": "铜仁市",
             "6540": "伊犁哈萨克自治州", "4190": "济源市"}
    assert {code: table[code] for code in facts} == facts
    with open(rules._PREFECTURES_FILE, encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    rows = [line.rstrip("\n").split(",") for line in lines[1:]]
    assert len(rows) == len({r[0] for r in rows})
    current = [r for r in rows if not r[2] and r[0][:2] not in {"11", "12", "31", "50"} and not r[0].endswith("90")]
    # 333 prefecture-level divisions: 293 cities, 7 prefectures, 30 autonomous prefectures, 3 leagues.
    assert len(current) == 333


# --- Dispute cases ------------------------------------------------------------------------------

@pytest.fixture
def tiny(db):
    return seed.seed("tiny", 2026)


def test_demo_cases_have_the_required_mix(tiny):
    cases = Case.objects.select_related("respondent", "region")
    assert cases.count() == tiny["cases"] >= disputes_seed.CASE_COUNTS["tiny"]
    subcategories = Counter(cases.values_list("subcategory", flat=True))
    assert subcategories.most_common(1)[0][0] == "wage_arrears" and len(subcategories) >= 5
    collective = [c for c in cases if c.is_collective]
    assert collective
    for case in collective:
        reps = case.claimants.filter(is_representative=True).count()
        assert 3 <= reps <= 5 and 10 <= case.claimant_count <= 40 and case.level != "enterprise", case.number
    court = [c for c in cases if c.source == "court_delegated"]
    assert len(court) >= 3
    assert all(c.court_referral_kind and c.court_received_on and "浙0603" in c.court_case_number for c in court)
    statuses = Counter(c.status for c in cases)
    assert {"received", "accepted", "consultation", "mediation", "agreement", "closed", "withdrawn"} <= set(statuses)
    assert statuses["closed"] > len(cases) / 2  # three years back: most are finished
    assert {c.level for c in cases if c.escalations} and all(
        c.level != "enterprise" for c in cases if c.escalations)
    # Every case passes the model's own checks; agreements add up.
    for case in cases:
        case.full_clean()
        assert case.claimant_count == case.claimants.count()
        for claimant in case.claimants.select_related("worker"):
            assert (claimant.name, claimant.id_number) == (claimant.worker.name, claimant.worker.id_number)
            assert claimant.worker.employments.filter(enterprise=case.respondent_id).exists()
        agreement = getattr(case, "agreement", None)
        if agreement is not None:
            agreement.full_clean()
            assert case.resolution_days == (agreement.signed_on - case.received_on).days
            assert case.resolved_level and case.resolved_on == agreement.signed_on
            payments = list(agreement.installments.all())
            assert sum(i.amount for i in payments) == agreement.amount
            assert sum(i.paid_amount or 0 for i in payments) == case.amount_recovered
        if case.outcome == "confirmed":
            assert case.confirmation_result == "confirmed"


def test_demo_cases_include_overdue_and_due_soon_cases(tiny):
    today = timezone.localdate()
    overdue = list(services.overdue_cases(today))
    assert overdue and all(c.level != "county" and c.deadline < today for c in overdue)
    assert len(overdue) <= max(2, Case.objects.count() * 0.02)
    assert Case.objects.filter(status__in=["accepted", "consultation", "mediation"], deadline__gte=today,
                               deadline__lte=today + timezone.timedelta(days=3)).exists()
    # The escalation job finds exactly those and moves them up.
    assert services.escalate_overdue(today) == f"escalated {len(overdue)}, skipped 0"
    assert not services.overdue_cases(today).exists()


def test_demo_accounts_see_their_cases(tiny):
    today = timezone.localdate()
    worker = User.objects.get(username="worker_demo")
    mine = list(Case.objects.visible_to(worker))
    assert 2 <= len(mine) <= 3
    open_case = next(c for c in mine if c.status == "mediation")
    assert open_case.level == "enterprise" and open_case.deadline > today
    closed = next(c for c in mine if c.status == "closed")
    assert closed.outcome == "performed" and CaseDocument.objects.filter(case=closed, kind="mediation_agreement").exists()
    assert any(c.is_collective for c in mine)
    for case in mine:
        assert selectors.case_events(case)  # the timeline is not empty

    court = User.objects.get(username="court_demo")
    referred = list(Case.objects.visible_to(court))
    assert referred and all(c.source == "court_delegated" for c in referred)
    assert sum(c.is_open for c in referred) >= 3
    assert any(c.status == "closed" and c.court_result_reported_on for c in referred)

    union = User.objects.get(username="union_demo")
    enterprise = union.role_assignments.get().enterprise
    assert enterprise.has_mediation_committee
    handled = Case.objects.visible_to(union).filter(level="enterprise", status__in=["received", "accepted", "consultation",
                                                                                    "mediation"])
    assert handled.count() >= 3 and {c.respondent_id for c in handled} == {enterprise.pk}


def test_case_numbers_continue_from_the_sequence(tiny):
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    year = timezone.localdate().year
    last = Sequence.objects.get(name=f"case:{seed.COUNTY_CODE}:{year}").last
    assert f"{seed.COUNTY_CODE}-{year}-{last:06d}" in numbers
    assert not Case.objects.filter(number__gt=f"{seed.COUNTY_CODE}-{year}-{last:06d}",
                                   number__startswith=f"{seed.COUNTY_CODE}-{year}-").exists()
    officer = User.objects.get(username="county_admin")
    respondent = Enterprise.objects.order_by("pk").first()
    case = services.case_file(
        actor=officer, source="walk_in", respondent=respondent, category=5, subcategory="wage_arrears",
        facts="拖欠两个月工资", amount_claimed=9000,
        claimants=[services.ClaimantInput("新申请人", id_number("340000", "19950101", 7))])
    assert case.number == f"{seed.COUNTY_CODE}-{year}-{last + 1:06d}"


def test_meetings_events_and_the_example_setting(tiny):
    meetings = TripartiteMeeting.objects.select_related("region")
    assert meetings.count() >= 3 and {m.region.kind for m in meetings} == {"county", "town"}
    assert any(m.cases.exists() and m.enterprises.exists() for m in meetings)
    today = timezone.localdate()
    assert FollowUpAction.objects.filter(done_on__isnull=False).exists()
    assert FollowUpAction.objects.filter(done_on__isnull=True, due_on__lt=today).exists()
    setting = LegalSetting.objects.get()
    assert (setting.key, setting.value, setting.effective_from) == ("court_extension_cap_days", 30, date(2024, 1, 1))
    assert setting.source.startswith("示例")
    # Every scale below the county gives each case its timeline, as the services would have.
    filed = Event.objects.filter(verb="case.file").count()
    assert filed == Case.objects.count()
    assert Event.objects.filter(verb="case.agree").count() == Case.objects.filter(agreement__isnull=False).count()


# --- Early warning --------------------------------------------------------------------------------

def test_demo_story_enterprise_goes_from_yellow_to_red_with_an_open_alert(tiny):
    today = timezone.localdate()
    story = Enterprise.objects.get(pk=tiny["alerts_story"])
    assert story.region.code == seed.QIANQING
    officer = User.objects.get(username="town_qianqing")
    changes = list(RiskChange.objects.filter(enterprise=story).order_by("changed_on", "pk")
                   .values_list("previous_level", "level", "changed_on"))
    yellow_day = today - timezone.timedelta(days=alerts_seed.STORY_YELLOW_DAYS_AGO)
    assert changes == [("", "yellow", yellow_day), ("yellow", "red", today)]
    risk = EnterpriseRisk.objects.get(enterprise=story)
    assert risk.level == "red" and risk.score == 90
    counted = [row for row in risk.explanation if row["counted"]]
    assert [(row["kind"], row["value"], row["min_level"]) for row in counted] == [("wage_arrears", "2.20", "red")]
    # The yellow alert: visited, talked with the employer, closed as under control by the town.
    yellow = Alert.objects.get(enterprise=story, level="yellow")
    assert yellow.status == "closed" and yellow.outcome == "controlled" and yellow.raised_on == yellow_day
    assert list(yellow.actions.values_list("kind", "recorded_by__username")) == [
        ("visit", "town_qianqing"), ("employer_talk", "town_qianqing")]
    # The red alert: open, raised today, due tomorrow, in the town officer's inbox (and the county's).
    red = Alert.objects.visible_to(officer).get(enterprise=story, status="open")
    assert (red.level, red.raised_on, red.deadline, red.county_assigned) == ("red", today, today + timezone.timedelta(days=1), True)
    assert red.reason == "欠薪2个月以上（红色）"
    # Timeline events carry the day they describe.
    raised = Event.objects.get(verb="alert.raise", object_id=str(yellow.pk))
    assert timezone.localtime(raised.created_at).date() == yellow_day


def test_demo_early_warning_is_what_the_services_make_of_the_signals(tiny):
    today = timezone.localdate()
    partner = RiskSignal.objects.exclude(kind__in=["collective_dispute", "repeated_disputes", "mass_layoff",
                                                   "abnormal_turnover"])
    assert partner.count() == alerts_seed.SIGNAL_COUNTS["tiny"] + 2  # and the story's two reports
    assert partner.filter(observed_on__lt=today - timezone.timedelta(days=alerts_seed.WINDOW_DAYS)).count() == 0
    assert all(s.expires_on >= s.observed_on for s in partner)
    for signal in partner.order_by("pk")[:300]:
        assert not alert_services.signal_problems(signal, today), signal.pk
    # Every alert went through the workflow: handled ones have a first response, closed ones an outcome.
    for alert in Alert.objects.all():
        actions = alert.actions.count()
        if alert.status == "closed":
            assert alert.outcome and alert.closed_on and actions >= 1, alert.number
        if alert.status == "handling":
            assert alert.first_response_on and actions >= 1, alert.number
        if alert.status == "open":
            assert not actions and alert.first_response_on is None, alert.number
        if alert.escalated_on:
            assert alert.county_assigned
        assert alert.raised_on <= today
    # A scan after seeding finds nothing to do: the seed ended with the same scan.
    before = (EnterpriseRisk.objects.count(), RiskChange.objects.count(), Alert.objects.count(), Event.objects.count())
    result = alert_services.scan(today)
    assert re.fullmatch(r"signals 0, assessed \d+, changed 0, raised 0, lifted 0, escalated 0", result), result
    assert (EnterpriseRisk.objects.count(), RiskChange.objects.count(), Alert.objects.count(),
            Event.objects.count()) == before


def test_demo_early_warning_level_mix(small):
    risks = Counter(EnterpriseRisk.objects.values_list("level", flat=True))
    enterprises = Enterprise.objects.count()
    # Most enterprises carry no or a blue risk; yellow is more common than orange; some are red.
    assert risks["blue"] > risks["yellow"] > risks["orange"] > 0 and risks["red"] > 0
    assert (risks["yellow"] + risks["orange"] + risks["red"]) / enterprises < 0.25
    alerts = Counter(Alert.objects.values_list("level", flat=True))
    assert alerts["yellow"] > alerts["orange"] > 0 and alerts["red"] > 0
    statuses = Counter(Alert.objects.values_list("status", flat=True))
    assert statuses["closed"] > statuses["open"] + statuses["handling"] > 0
    assert Alert.objects.filter(escalated_on__isnull=False).exists()
    # Wage arrears are the commonest cause of alerts.
    causes = Counter(row["kind"] for a in Alert.objects.all() for row in a.explanation if row["counted"])
    assert causes.most_common(1)[0][0] == "wage_arrears"
    kinds = Counter(RiskSignal.objects.values_list("kind", flat=True))
    assert {"wage_arrears", "social_insurance_arrears", "tax_arrears", "power_arrears", "water_arrears",
            "production_halt", "hotline_complaint", "inspection_finding"} <= set(kinds)
    assert AlertAction.objects.filter(recorded_by__username="town_qianqing").exists()


# --- Harmonious-enterprise creation ---------------------------------------------------------------

def harmony_problems(today=None) -> list[str]:
    """What would be inconsistent in the seeded harmony data (also run by hand on a county database)."""
    from concord.harmony import rules as hrules, services as hservices
    from concord.harmony.models import Certification, Evaluation, IndicatorScore, SurveyParticipation, SurveyTally
    from concord.harmony.models import Survey

    today = today or timezone.localdate()
    problems = []
    scores = defaultdict(list)
    for row in IndicatorScore.objects.values_list("evaluation_id", "computed_points", "self_points", "review_points",
                                                  "review_reason", "indicator__max_points", "indicator__method"):
        scores[row[0]].append(row[1:])
    for ev in Evaluation.objects.select_related("tier", "round").iterator():
        rows = scores[ev.pk]
        if not rows:
            problems.append(f"{ev.pk}: no scores")
            continue
        for computed, own, review, reason, maximum, method in rows:
            for value in (computed, own, review):
                if value is not None and not 0 <= value <= maximum:
                    problems.append(f"{ev.pk}: points {value} outside 0..{maximum}")
            if (method == "manual") != (computed is None):
                problems.append(f"{ev.pk}: computed points on a manual indicator or none on a computed one")
            if review is not None and review != (own if own is not None else computed) and not reason:
                problems.append(f"{ev.pk}: a review change without a reason")
        own_total = sum((own if own is not None else computed or 0) for computed, own, *_r in rows)
        review_total = sum((r if r is not None else own if own is not None else computed or 0) for computed, own, r, *_x in rows)
        status = ev.status
        if status != "draft" and status != "withdrawn" and ev.self_score != own_total:
            problems.append(f"{ev.pk}: self score {ev.self_score} is not the sum {own_total}")
        if ev.review_score is not None and ev.review_score != review_total:
            problems.append(f"{ev.pk}: review score {ev.review_score} is not the sum {review_total}")
        if status == "draft" and (ev.submitted_on or ev.self_score is not None):
            problems.append(f"{ev.pk}: a draft with a submission")
        if status in ("submitted", "returned", "reviewed", "publicity", "certified") and not ev.submitted_on:
            problems.append(f"{ev.pk}: {status} without a submission date")
        if status in ("reviewed", "publicity", "certified"):
            if not (ev.submitted_on <= ev.onsite_check_on <= ev.reviewed_on <= today and ev.onsite_notes):
                problems.append(f"{ev.pk}: review dates out of order")
        if status in ("publicity", "certified"):
            if not (ev.reviewed_on <= ev.approved_on == ev.publicity_from <= ev.publicity_until):
                problems.append(f"{ev.pk}: approval dates out of order")
            if ev.review_score < ev.tier.min_score:
                problems.append(f"{ev.pk}: approved below the tier's minimum")
        if status == "publicity" and not hrules.objection_open(today, ev.publicity_from, ev.publicity_until):
            problems.append(f"{ev.pk}: in publicity but the period is not running")
        if status == "certified":
            cert = Certification.objects.filter(evaluation=ev).first()
            if cert is None or not ev.publicity_until < cert.certified_on <= today:
                problems.append(f"{ev.pk}: certified without a certificate after publicity")
        if status == "rejected" and not ev.decision_note:
            problems.append(f"{ev.pk}: rejected without a reason")
        if ev.submitted_on and not ev.round.opens_on <= ev.submitted_on <= max(ev.round.self_assessment_due, today):
            problems.append(f"{ev.pk}: submitted outside the round")
    for cert in Certification.objects.select_related("tier", "evaluation"):
        if cert.evaluation.status != "certified" or cert.enterprise_id != cert.evaluation.enterprise_id:
            problems.append(f"{cert.number}: its evaluation is not certified")
        if cert.valid_until != hrules.valid_until(cert.certified_on, cert.tier.validity_years):
            problems.append(f"{cert.number}: validity")
        if (cert.status == "expired") != (cert.valid_until < today):
            problems.append(f"{cert.number}: {cert.status} but valid until {cert.valid_until}")
        if cert.status == "valid" and hservices.active_vetoes(cert.enterprise_id, today):
            problems.append(f"{cert.number}: valid with an active veto")
    for survey in Survey.objects.all():
        answered = SurveyParticipation.objects.filter(survey=survey).count()
        if survey.responses != answered:
            problems.append(f"survey {survey.pk}: {survey.responses} responses, {answered} participations")
        for question in survey.questions.all():
            total = sum(SurveyTally.objects.filter(question=question).values_list("count", flat=True))
            if total != answered:
                problems.append(f"survey {survey.pk}: question {question.pk} has {total} answers of {answered}")
    return problems


def test_demo_harmony_round_tells_the_story(tiny):
    from concord.harmony import services as hservices
    from concord.harmony.models import Certification, CountyReview, Evaluation, Objection, Round, Survey, VetoEvent

    today = timezone.localdate()
    rnd = Round.objects.get(year=today.year)
    assert rnd.is_open and rnd.opens_on < today - timezone.timedelta(days=50) and rnd.self_assessment_due > today
    assert tiny["harmony"]["round"] == rnd.pk
    statuses = Counter(Evaluation.objects.filter(round=rnd).values_list("status", flat=True))
    assert {"draft", "submitted", "reviewed", "publicity", "certified", "returned", "rejected"} <= set(statuses)
    # union_demo's enterprise is in self-assessment, part of it scored: the demo user continues.
    union = User.objects.get(username="union_demo")
    mine = Evaluation.objects.visible_to(union).get(round=rnd)
    assert mine.enterprise == union.role_assignments.get().enterprise and mine.status == "draft"
    assert mine.scores.filter(indicator__method="manual", self_points__isnull=True).exists()
    assert mine.scores.filter(indicator__method="manual", self_points__isnull=False).exists()
    # The town officer has one to review and the county one to approve, in 钱清.
    town = User.objects.get(username="town_qianqing")
    assert Evaluation.objects.visible_to(town).filter(round=rnd, status="submitted").exists()
    assert Evaluation.objects.visible_to(town).filter(round=rnd, status="reviewed").exists()
    # In publicity now: one objection answered, one waiting for the county.
    story = Evaluation.objects.filter(round=rnd, status="publicity", objections__isnull=False).distinct().get()
    objections = list(Objection.objects.filter(evaluation=story).order_by("pk"))
    assert [o.answered_on is not None for o in objections] == [True, False]
    assert story.publicity_from <= today <= story.publicity_until
    # Certificates of earlier years: valid ones, expired ones, and one suspended with an open county review.
    certs = Counter(Certification.objects.filter(evaluation__round__year__lt=today.year).values_list("status", flat=True))
    assert certs["valid"] > 0 and certs["expired"] > 0 and certs["suspended"] == 1
    review = CountyReview.objects.get()
    assert review.closed_on is None and review.certification.status == "suspended"
    assert Certification.objects.filter(evaluation__round=rnd, status="valid").exists()
    assert VetoEvent.objects.filter(item__code="V1").exists() and VetoEvent.objects.filter(item__code="V2").exists()
    # Surveys with responses; the demo worker's enterprise has one open that they have not answered.
    assert Survey.objects.filter(responses__gt=0, closes_on__lt=today).exists()
    open_survey = Survey.objects.get(enterprise=mine.enterprise, closes_on__gte=today)
    assert open_survey.responses > 0
    assert not open_survey.participations.filter(worker__user__username="worker_demo").exists()
    # The daily jobs after seeding find nothing new.
    events = VetoEvent.objects.count()
    assert hservices.detect_vetoes(today) == 0 and VetoEvent.objects.count() == events
    assert hservices.expire_and_remind(today) == "expired 0, reminded 0"


def test_demo_harmony_is_consistent(tiny):
    assert harmony_problems() == []


def test_demo_harmony_scale(small):
    from concord.harmony.models import Certification, Evaluation, Round

    today = timezone.localdate()
    applying = Evaluation.objects.filter(round__year=today.year).count()
    assert 0.15 < applying / Enterprise.objects.count() < 0.25
    assert Round.objects.filter(year__lt=today.year, is_open=False).count() == 4
    assert Certification.objects.count() > applying // 2
    assert harmony_problems() == []


def test_demo_mediation_bodies_have_an_address_and_telephone(tiny):
    """The acceptance notices print the body's address and telephone: the demo county has them."""
    from concord.core.models import Region

    bodies = Region.objects.filter(kind__in=["county", "town"], path__startswith=f"{seed.COUNTY_CODE}/")
    assert bodies.count() > 1 and not bodies.filter(mediation_address="").exists()
    assert not bodies.filter(mediation_phone="").exists()
