"""Table tests of the harmonious-enterprise rules (pure functions, no database)."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from concord.core.workdays import WorkCalendar
from concord.harmony import rules
from concord.harmony.rules import ClassRow, Figures, Held, TierRow


@pytest.mark.parametrize("rate, points", [
    (100, D("8.0")), (D("99.5"), D("7.9")), (95, D("7.0")), (60, D("0.0")), (0, D("0.0")), (None, D("0.0"))])
def test_contract_rate_loses_a_fifth_of_a_point_per_point_below_100(rate, points):
    assert rules.rate_points(rate, 8) == points


@pytest.mark.parametrize("coverage, points", [(95, D("14.0")), (80, D("14.0")), (79, D("7.0")), (50, D("7.0")), (49, D("0.0"))])
def test_collective_contract_bands(coverage, points):
    assert rules.band_points(coverage, 14, [(80, 1), (50, "0.5")]) == points


@pytest.mark.parametrize("method, figures, points, shown", [
    (rules.CONTRACT_RATE, Figures(employments=200, contracts=190), D("19.0"), {"rate": D("95.0")}),
    (rules.CONTRACT_RATE, Figures(), D("0.0"), {"rate": None}),
    (rules.INSURANCE_RATE, Figures(employments=100, insured=92), D("15.0"), {"rate": D("92.0")}),
    (rules.INSURANCE_RATE, Figures(employments=100, insured=75), D("7.5"), {"rate": D("75.0")}),
    (rules.WAGES_ON_TIME, Figures(arrears_signals=0), D("15.0"), {"arrears_signals": 0}),
    (rules.WAGES_ON_TIME, Figures(arrears_signals=2), D("0.0"), {}),
    (rules.DISPUTES, Figures(cases=3), D("7.0"), {"cases": 3}),
    (rules.DISPUTES, Figures(cases=1, collective_cases=1), D("0.0"), {"collective_cases": 1}),
    (rules.ALERT_LEVEL, Figures(alert_level="yellow"), D("5.0"), {"level": "yellow"}),
    (rules.ALERT_LEVEL, Figures(alert_level="red"), D("0.0"), {}),
    (rules.UNION_CONGRESS, Figures(has_union=True), D("3.0"), {"union": True, "congress": False}),
    (rules.SATISFACTION, Figures(satisfaction=D("85.0"), responses=40), D("8.5"), {"share": D("85.0")}),
    (rules.SATISFACTION, Figures(satisfaction=None, responses=3), D("0.0"), {"share": None}),
])
def test_computed_indicators(method, figures, points, shown):
    max_points = {rules.CONTRACT_RATE: 20, rules.INSURANCE_RATE: 15, rules.WAGES_ON_TIME: 15, rules.DISPUTES: 10,
                  rules.ALERT_LEVEL: 10, rules.UNION_CONGRESS: 6, rules.SATISFACTION: 10}[method]
    params = {"per_point": "0.2"} if method == rules.CONTRACT_RATE else {}
    got, figures_shown = rules.compute(method, figures, max_points, params)
    assert got == points
    assert shown.items() <= figures_shown.items()


def test_manual_is_not_computed():
    with pytest.raises(ValueError):
        rules.compute(rules.MANUAL, Figures(), 10)


@pytest.mark.parametrize("satisfied, responses, minimum, share", [(45, 50, 30, D("90.0")), (10, 29, 30, None), (0, 0, 0, None)])
def test_satisfaction_needs_enough_responses(satisfied, responses, minimum, share):
    assert rules.satisfaction_share(satisfied, responses, minimum) == share


CLASSES = [ClassRow("large", 100), ClassRow("medium", 30, 99), ClassRow("small", 0, 29)]


@pytest.mark.parametrize("head, code", [(0, "small"), (29, "small"), (30, "medium"), (99, "medium"), (100, "large"), (5000, "large")])
def test_class_by_head_count(head, code):
    assert rules.class_for(head, CLASSES).code == code


@pytest.mark.parametrize("points, maximum, problem", [(8, 8, None), (D("8.1"), 8, "above_maximum"), (-1, 8, "negative_points"), (None, 8, None)])
def test_points_within_the_maximum(points, maximum, problem):
    assert rules.points_problem(points, maximum) == problem


@pytest.mark.parametrize("own, reviewed, reason, problem", [
    (8, 8, "", None), (8, 6, "", "reason_required"), (8, 6, "现场抽查3份合同未签", None), (None, 6, "", None)])
def test_a_changed_score_needs_a_reason(own, reviewed, reason, problem):
    assert rules.review_problem(own, reviewed, reason) == problem


TODAY = date(2026, 11, 24)
COUNTY = TierRow("county", 1, D(80))
CITY = TierRow("city", 2, D(85), prerequisite="county")


@pytest.mark.parametrize("tier, score, held, vetoes, problem", [
    (COUNTY, 82, [], 0, None),
    (COUNTY, 79, [], 0, "score_below_minimum"),
    (COUNTY, 95, [], 1, "veto"),
    (CITY, 90, [Held("county", TODAY - timedelta(days=400), TODAY + timedelta(days=600))], 0, None),
    (CITY, 90, [Held("county", TODAY - timedelta(days=100), TODAY + timedelta(days=900))], 0, "prerequisite_missing"),
    (CITY, 90, [Held("county", TODAY - timedelta(days=400), TODAY + timedelta(days=600), "suspended")], 0, "prerequisite_missing"),
    (CITY, 90, [Held("county", TODAY - timedelta(days=1200), TODAY - timedelta(days=10))], 0, "prerequisite_missing"),
    (CITY, 84, [Held("county", TODAY - timedelta(days=400), TODAY + timedelta(days=600))], 0, "score_below_minimum"),
])
def test_tier_prerequisites(tier, score, held, vetoes, problem):
    assert rules.tier_problem(tier, score, held, vetoes, TODAY) == problem


@pytest.mark.parametrize("occurred, days, active", [
    (TODAY - timedelta(days=700), 730, True), (TODAY - timedelta(days=731), 730, False), (TODAY + timedelta(days=1), 730, False)])
def test_veto_look_back(occurred, days, active):
    assert rules.veto_active(occurred, TODAY, days) is active


def test_validity_and_recheck_dates():
    assert rules.valid_until(date(2026, 12, 1), 3) == date(2029, 11, 30)
    assert rules.valid_until(date(2028, 2, 29), 1) == date(2029, 2, 27)
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2026, 12, 15), 12) == date(2027, 12, 15)


def test_publicity_is_five_working_days_around_holidays():
    # A calendar shaped like a National Day week: 1–7 October off, Saturday 10 October a make-up workday.
    holidays = frozenset(date(2026, 10, d) for d in range(1, 8))
    cal = WorkCalendar(frozenset({2026}), holidays, frozenset({date(2026, 10, 10)}))
    assert rules.publicity_end(date(2026, 9, 28), cal.add_working_days) == date(2026, 10, 9)  # Mon 28, Tue 29, Wed 30, Thu 8, Fri 9
    assert rules.publicity_end(date(2026, 11, 23), cal.add_working_days) == date(2026, 11, 27)
    assert rules.objection_open(date(2026, 11, 27), date(2026, 11, 23), date(2026, 11, 27))
    assert not rules.objection_open(date(2026, 11, 28), date(2026, 11, 23), date(2026, 11, 27))
    assert rules.satisfaction_veto(D("59.9")) and not rules.satisfaction_veto(D(60)) and not rules.satisfaction_veto(None)


@pytest.mark.parametrize("value, satisfied", [(1, False), (3, False), (4, True), (5, True)])
def test_four_and_five_count_as_satisfied(value, satisfied):
    assert rules.is_satisfied(value) is satisfied


@pytest.mark.parametrize("method, params, english, chinese", [
    (rules.CONTRACT_RATE, {"target": 100, "per_point": "0.2"},
     "Full points at a signing rate of 100% or more; points off per percentage point below: 0.2.",
     "签订率达到 100% 及以上得满分，每低 1 个百分点扣 0.2 分。"),
    (rules.INSURANCE_RATE, {"bands": [[80, 1], [50, "0.5"]]},
     "Insured share at least 80%: 100% of the points, at least 50%: 50% of the points; below that, no points.",
     "参保率不低于 80% 得 100% 的分值、不低于 50% 得 50% 的分值；低于此不得分。"),
    (rules.DISPUTES, {}, "Points off per dispute case: 1; none at all after a collective dispute.",
     "每件劳动争议案件扣 1 分；发生集体劳动争议的不得分。"),
    (rules.MANUAL, {}, "", ""),
], ids=["contract-rate", "insurance-rate", "disputes", "manual"])
def test_an_indicators_parameters_read_as_a_sentence(method, params, english, chinese):
    """The standard's page shows the parameters as a sentence, never the stored JSON."""
    from django.utils import translation

    with translation.override("en"):
        assert rules.params_sentence(method, params) == english
    with translation.override("zh-hans"):
        assert rules.params_sentence(method, params) == chinese
