"""Table tests of the early-warning rules (pure functions, no database)."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from concord.alerts import rules
from concord.alerts.rules import BLUE, NONE, ORANGE, RED, YELLOW, SignalRow

TODAY = date(2026, 11, 24)
RULES = [rules.RuleRow(**{**r.__dict__, "pk": i}) for i, r in enumerate(rules.DEFAULT_RULES, start=1)]
LEVELS = rules.DEFAULT_LEVELS


def sig(pk, kind, value=None, days_ago=1, expires_in=60):
    return SignalRow(pk, kind, None if value is None else D(value), TODAY - timedelta(days=days_ago),
                     TODAY + timedelta(days=expires_in))


@pytest.mark.parametrize("months, level, points", [
    ("0", YELLOW, 30), ("0.5", YELLOW, 30), ("0.99", YELLOW, 30),
    ("1", ORANGE, 60), ("1.5", ORANGE, 60), ("1.99", ORANGE, 60),
    ("2", RED, 90), ("7", RED, 90),
])
def test_wage_arrears_bands_follow_local_practice(months, level, points):
    result = rules.assess([sig(1, rules.WAGE_ARREARS, months)], RULES, LEVELS, TODAY)
    assert (result.level, result.score) == (level, points)


@pytest.mark.parametrize("signals, level, score", [
    ([], NONE, 0),
    ([sig(1, rules.WATER_ARREARS, "1")], BLUE, 10),
    ([sig(1, rules.TAX_ARREARS, "2"), sig(2, rules.POWER_ARREARS, "1")], YELLOW, 40),  # points add up across kinds
    ([sig(1, rules.SOCIAL_INSURANCE_ARREARS, "4"), sig(2, rules.TAX_ARREARS, "2")], ORANGE, 60),
    ([sig(1, rules.COLLECTIVE_DISPUTE, "23")], RED, 100),  # a collective case is red at once
    ([sig(1, rules.OWNER_UNREACHABLE)], RED, 100),
    ([sig(1, rules.PRODUCTION_HALT)], ORANGE, 60),
    ([sig(1, rules.HOTLINE_COMPLAINT, "1")], BLUE, 10),
    ([sig(1, rules.MANUAL_REPORT)], YELLOW, 30),
    # The same kind reported twice counts once (the stronger).
    ([sig(1, rules.WAGE_ARREARS, "0.5"), sig(2, rules.WAGE_ARREARS, "1.5")], ORANGE, 60),
    # Expired and future signals do not count.
    ([sig(1, rules.WAGE_ARREARS, "3", days_ago=100, expires_in=-10)], NONE, 0),
    ([sig(1, rules.WAGE_ARREARS, "3", days_ago=-2)], NONE, 0),
    # A value below every band scores nothing.
    ([sig(1, rules.REPEATED_DISPUTES, "2")], NONE, 0),
])
def test_assessment_levels(signals, level, score):
    result = rules.assess(signals, RULES, LEVELS, TODAY)
    assert (result.level, result.score) == (level, score)


def test_explanation_names_each_signal_and_what_counted():
    result = rules.assess([sig(1, rules.WAGE_ARREARS, "0.5"), sig(2, rules.WAGE_ARREARS, "1.5"),
                           sig(3, rules.TAX_ARREARS, "2")], RULES, LEVELS, TODAY)
    rows = result.explanation()
    assert [(r["signal"], r["points"], r["counted"]) for r in rows] == [(2, 60, True), (3, 20, True), (1, 30, False)]
    assert rows[0]["rule_label"] == "欠薪1至2个月（橙色）" and rows[0]["min_level"] == ORANGE
    assert sum(r["points"] for r in rows if r["counted"]) == result.score == 80


def test_minimum_level_outranks_points():
    # 30 points would be yellow; the collective rule's minimum level is red.
    table = [rules.RuleRow(rules.COLLECTIVE_DISPUTE, 30, RED, D(10), None, "x", 1)]
    assert rules.assess([sig(1, rules.COLLECTIVE_DISPUTE, "10")], table, LEVELS, TODAY).level == RED


@pytest.mark.parametrize("old, new, rises", [(NONE, BLUE, True), (YELLOW, RED, True), (RED, ORANGE, False), (ORANGE, ORANGE, False)])
def test_rises(old, new, rises):
    assert rules.rises(old, new) is rises


@pytest.mark.parametrize("level, days, alert, county", [
    (RED, 1, True, True), (ORANGE, 3, True, True), (YELLOW, 7, True, False), (BLUE, None, False, False)])
def test_level_policies(level, days, alert, county):
    assert rules.raises_alert(level, LEVELS) is alert
    assert rules.county_assigned(level, LEVELS) is county
    if days:
        assert rules.response_deadline(TODAY, level, LEVELS) == TODAY + timedelta(days=days)


@pytest.mark.parametrize("kind, value, amount, workers, head, problem", [
    (rules.WAGE_ARREARS, D(2), D(100000), 20, 30, None),
    (rules.WAGE_ARREARS, D(-1), None, None, 30, "negative"),
    (rules.WAGE_ARREARS, None, None, None, 30, "value_required"),
    (rules.WAGE_ARREARS, D(121), None, None, 30, "too_many_months"),
    (rules.WAGE_ARREARS, D(1), D(5_000_000), 10, 30, "implausible_amount"),
    (rules.WAGE_ARREARS, D(1), D(100), 100, 30, "more_workers_than_staff"),
    (rules.ABNORMAL_TURNOVER, D(120), None, None, 30, "percent_over_100"),
    (rules.PRODUCTION_HALT, None, None, None, 30, None),
    ("volcano", None, None, None, 30, "unknown_kind"),
])
def test_value_problems(kind, value, amount, workers, head, problem):
    assert rules.value_problem(kind, value, amount, workers, head) == problem


@pytest.mark.parametrize("left, head, floor, expected", [
    # 劳动合同法 art. 41: 20 or more, or fewer than 20 that are 10 % or more of all workers.
    (20, 500, None, 20),    # 20 or more, whatever the share
    (19, 500, None, None),  # 19 of 519 is under 10 %
    (12, 80, None, 12),     # 12 of 92 is over 10 %
    (12, 200, None, None),  # 12 of 212 is not
    (9, 10, None, 9),       # 9 of 19: no head-count floor in the article
    (3, 25, None, 3),       # 3 of 28 is 10.7 %
    (2, 18, None, 2),       # 2 of 20 is exactly 10 %
    (2, 19, None, None),    # 2 of 21 is not
    (0, 0, None, None),
    (9, 10, 10, None),      # a local floor of 10 people
    (10, 80, 10, 10),
    (20, 500, 10, 20),
])
def test_layoff(left, head, floor, expected):
    assert rules.layoff_value(left, head, floor) == expected


STATUTORY = next(r for r in RULES if r.kind == rules.MASS_LAYOFF)
LOCAL = rules.RuleRow(**{**rules.LOCAL_RULES[0].__dict__, "pk": 99})


def departures(*pairs):
    """{end date: number} from (days ago, number) pairs."""
    return {TODAY - timedelta(days=ago): n for ago, n in pairs}


@pytest.mark.parametrize("spread, head, rule_set, expected", [
    # The statutory default: one reduction = the employments that end on one day (no period added).
    ([(3, 25)], 100, [STATUTORY], 25),
    ([(3, 3)], 25, [STATUTORY], 3),                          # 3 of 28: art. 41, no floor
    ([(3, 6), (10, 6)], 80, [STATUTORY], None),              # 6 of 86 a day, spread: not one reduction
    ([(3, 12), (10, 1)], 80, [STATUTORY], 12),               # the largest one-day reduction
    ([(31, 25)], 100, [STATUTORY], None),                    # older than the 30 days it counts
    # The local rule: a 30-day count with a floor of 10 people (a local choice).
    ([(3, 6), (10, 6)], 80, [LOCAL], 12),                    # 12 in 30 days, 12 of 92
    ([(3, 3)], 25, [LOCAL], None),                           # under its floor
    ([(3, 6), (40, 6)], 80, [LOCAL], None),                  # only 6 in its 30 days
    ([(3, 3)], 25, [STATUTORY, LOCAL], 3),                   # both on: either may find it
    ([(3, 6), (10, 6)], 80, [STATUTORY, LOCAL], 12),
    ([(3, 25)], 100, [], None),                              # no active mass-layoff rule
])
def test_layoff_signal(spread, head, rule_set, expected):
    found = rules.layoff_signal(departures(*spread), head, TODAY, rule_set)
    assert (found[0] if found else None) == expected


def test_the_statutory_layoff_rule_is_the_default_and_the_local_one_says_so():
    layoff_rows = [r for r in rules.DEFAULT_RULES if r.kind == rules.MASS_LAYOFF]
    assert len(layoff_rows) == 1
    statutory = layoff_rows[0]
    assert statutory.window_days is None and statutory.at_least == 1  # no floor, no period
    assert "第四十一条" in statutory.source and "无人数下限" in statutory.source
    (local,) = rules.LOCAL_RULES
    assert (local.kind, local.window_days, local.at_least) == (rules.MASS_LAYOFF, 30, 10)
    assert local.label.startswith("本地规则") and "非法定" in local.source
    # A layoff signal scores by the rows: 3 people meet the statutory row.
    result = rules.assess([sig(1, rules.MASS_LAYOFF, 3)], RULES, LEVELS, TODAY)
    assert (result.score, result.level) == (40, YELLOW)


@pytest.mark.parametrize("left, head, expected", [
    (30, 70, D("30.0")), (10, 90, None), (15, 10, None), (0, 100, None)])
def test_turnover(left, head, expected):
    assert rules.turnover_percent(left, head) == expected


@pytest.mark.parametrize("raised, closed, cases, today, expected", [
    (date(2026, 1, 1), None, [], TODAY, None),                                   # open: not counted
    (date(2026, 1, 1), date(2026, 1, 10), [], TODAY, True),                      # window passed, no case
    (date(2026, 1, 1), date(2026, 1, 10), [date(2026, 2, 1)], TODAY, False),     # a case within 90 days of closing
    (date(2026, 1, 1), date(2026, 1, 10), [date(2026, 6, 1)], TODAY, True),      # the case came later
    (date(2026, 11, 1), date(2026, 11, 10), [], TODAY, None),                    # window not yet passed
])
def test_prevented(raised, closed, cases, today, expected):
    assert rules.prevented(raised, closed, cases, today) is expected
