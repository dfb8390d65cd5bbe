"""The demo county generator: deterministic, valid identifiers, realistic shares, accounts attached."""
from collections import Counter
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
    for model in (AlertAction, Alert, RiskChange, EnterpriseRisk, RiskSignal):  # early warning holds on to enterprises
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
