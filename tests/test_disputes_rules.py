"""Table tests of the dispute rules (concord/disputes/rules.py) and legal parameters
(concord/disputes/parameters.py). Pure: no database."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from concord.disputes import parameters as P
from concord.disputes import rules as R
from concord.disputes.parameters import DEFAULTS, LegalParameter, ParameterNotInForce, parameter

D = date
TODAY = D(2026, 3, 2)


def next_monday(day):
    """A stand-in holiday rule for the tests: Saturday and Sunday move to the Monday after."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


# --- parameters ---------------------------------------------------------------------------------

def test_defaults_have_sources_and_unique_periods():
    for row in DEFAULTS:
        assert row.source and row.unit and row.effective_from
        assert row.effective_to is None or row.effective_to >= row.effective_from
    # A key may have several dated rows (a revised standard), never two in force on one day.
    for row in DEFAULTS:
        for other in DEFAULTS:
            if other is not row and other.key == row.key:
                assert not row.in_force_on(other.effective_from), (row.key, other.effective_from)


@pytest.mark.parametrize(
    "key, on, value",
    [
        ("collective_threshold", D(2008, 5, 1), 10),  # first day of the law
        ("representatives_min", TODAY, 3),
        ("representatives_max", TODAY, 5),
        ("consultation_reply_days", TODAY, 5),
        ("mediation_days", TODAY, 15),
        ("arbitration_review_days", TODAY, 15),
        ("judicial_confirmation_days", TODAY, 30),
        ("court_pre_filing_days", TODAY, 30),
        ("court_post_filing_days", TODAY, 15),
        ("court_simplified_days", TODAY, 7),
        ("court_extension_cap_days", TODAY, None),  # art. 27: no cap unless a local court sets one
        ("arbitration_limitation_years", TODAY, 1),
        ("final_award_multiple", TODAY, 12),
        ("minimum_wage_monthly.tier1", D(2021, 8, 1), Decimal("2280")),
        ("minimum_wage_monthly.tier2", D(2021, 8, 1), Decimal("2070")),
        ("minimum_wage_monthly.tier3", D(2023, 12, 31), Decimal("1840")),
        # Zhejiang's standard from 2024-01-01 (Xinhua, 2024-01-16); the 2021 rows govern the days before.
        ("minimum_wage_monthly.tier1", D(2024, 1, 1), Decimal("2490")),
        ("minimum_wage_monthly.tier2", D(2024, 1, 1), Decimal("2260")),
        ("minimum_wage_monthly.tier3", TODAY, Decimal("2010")),
        ("minimum_wage_monthly.tier1", D(2023, 12, 31), Decimal("2280")),
        ("minimum_wage_monthly.tier2", D(2023, 12, 31), Decimal("2070")),
        ("minimum_wage_tier", D(2023, 12, 31), 2),
        ("minimum_wage_tier", D(2024, 1, 1), 2),
    ],
)
def test_parameter_defaults(key, on, value):
    assert parameter(key, on) == value


@pytest.mark.parametrize(
    "key, on, reason",
    [
        ("collective_threshold", D(2008, 4, 30), "not_in_force"),  # the day before the law
        ("minimum_wage_monthly.tier2", D(2021, 7, 31), "not_in_force"),  # before the seeded standard
        ("no_such_parameter", TODAY, "unknown"),
        ("minimum_wage_monthly.tier4", TODAY, "unknown"),  # Zhejiang has three tiers since 2021
    ],
)
def test_parameter_not_in_force(key, on, reason):
    with pytest.raises(ParameterNotInForce) as caught:
        parameter(key, on)
    assert caught.value.reason == reason and key in str(caught.value)


WAGES = (
    LegalParameter("minimum_wage_monthly.tier2", Decimal("2070"), P.YUAN_PER_MONTH, "old", D(2021, 8, 1),
                   D(2025, 12, 31)),
    LegalParameter("minimum_wage_monthly.tier2", Decimal("2300"), P.YUAN_PER_MONTH, "new", D(2026, 1, 1)),
    LegalParameter("final_award_multiple", 12, P.TIMES, "law", D(2008, 5, 1)),
)


@pytest.mark.parametrize(
    "on, value",
    [(D(2021, 8, 1), Decimal("2070")), (D(2025, 12, 31), Decimal("2070")), (D(2026, 1, 1), Decimal("2300"))],
)
def test_parameter_effective_date_switch(on, value):
    assert parameter("minimum_wage_monthly.tier2", on, WAGES) == value


def test_overlapping_values_are_an_error():
    table = WAGES + (LegalParameter("minimum_wage_monthly.tier2", 1, P.YUAN, "dup", D(2025, 6, 1)),)
    with pytest.raises(ParameterNotInForce) as caught:
        parameter("minimum_wage_monthly.tier2", D(2025, 7, 1), table)
    assert caught.value.reason == "overlap"


@pytest.mark.parametrize(
    "on, value",
    [
        (D(2026, 12, 31), 15),  # before the county's own value: the law's default
        (D(2027, 1, 1), 10),
        (D(2027, 6, 30), 10),
        (D(2027, 7, 1), 15),  # the county's value ended: back to the default
    ],
)
def test_county_override(on, value):
    county = LegalParameter("mediation_days", 10, P.DAYS, "county decision 2026-12", D(2027, 1, 1), D(2027, 6, 30))
    table = P.with_overrides([county])
    assert parameter("mediation_days", on, table) == value
    assert parameter("collective_threshold", on, table) == 10  # other keys untouched


# --- collective cases ---------------------------------------------------------------------------

@pytest.mark.parametrize("count, expected", [(0, False), (1, False), (9, False), (10, True), (23, True)])
def test_is_collective(count, expected):
    assert R.is_collective(count, on=TODAY) is expected


def test_is_collective_refuses_negative():
    with pytest.raises(R.RuleRefused) as caught:
        R.is_collective(-1, on=TODAY)
    assert caught.value.code == "count_negative"


@pytest.mark.parametrize(
    "count, problem",
    [(0, None),  # representatives are optional (law art. 7 "可以")
     (1, "representatives_too_few"), (2, "representatives_too_few"), (3, None), (4, None), (5, None),
     (6, "representatives_too_many")],
)
def test_representatives_problem(count, problem):
    assert R.representatives_problem(count, on=TODAY) == problem
    if problem:
        assert R.message(problem, min=3, max=5)


# --- consultation and mediation -----------------------------------------------------------------

@pytest.mark.parametrize(
    "accepted_on, last_day",
    [
        (D(2026, 3, 1), D(2026, 3, 16)),   # day 1 is 2 March
        (D(2024, 2, 20), D(2024, 3, 6)),   # leap year: 29 February counts
        (D(2023, 2, 20), D(2023, 3, 7)),
        (D(2025, 12, 25), D(2026, 1, 9)),  # across the year
    ],
)
def test_mediation_deadline(accepted_on, last_day):
    assert R.mediation_deadline(accepted_on) == last_day


def test_mediation_deadline_on_a_holiday_moves_on():
    # 2026-03-07 is a Saturday: the stand-in holiday rule moves it to Monday 9 March.
    assert R.mediation_deadline(D(2026, 2, 20)) == D(2026, 3, 7)
    assert R.mediation_deadline(D(2026, 2, 20), holiday_extends=next_monday) == D(2026, 3, 9)


@pytest.mark.parametrize(
    "requested_on, today, replied, refused",
    [
        (D(2026, 3, 2), D(2026, 3, 2), False, False),
        (D(2026, 3, 2), D(2026, 3, 7), False, False),  # the fifth day: still time
        (D(2026, 3, 2), D(2026, 3, 8), False, True),   # the sixth day: refused
        (D(2026, 3, 2), D(2026, 3, 20), True, False),  # they replied
        (D(2024, 2, 26), D(2024, 3, 2), False, False),  # leap year: 29 February counts, 2 March is day 5
        (D(2024, 2, 26), D(2024, 3, 3), False, True),
        (D(2023, 2, 26), D(2023, 3, 3), False, False),  # common year: 3 March is day 5
    ],
)
def test_consultation_refused(requested_on, today, replied, refused):
    assert R.consultation_refused(requested_on, today, replied=replied) is refused


def test_consultation_dates_out_of_order():
    with pytest.raises(R.RuleRefused) as caught:
        R.consultation_refused(D(2026, 3, 2), D(2026, 3, 1))
    assert caught.value.code == "dates_out_of_order"


# --- court-referred mediation -------------------------------------------------------------------

@pytest.mark.parametrize(
    "kind, received_on, extension, consent, last_day",
    [
        (R.PRE_FILING, D(2026, 3, 1), 0, False, D(2026, 3, 31)),
        (R.POST_FILING, D(2026, 3, 1), 0, False, D(2026, 3, 16)),
        (R.SIMPLIFIED, D(2026, 3, 1), 0, False, D(2026, 3, 8)),
        (R.PRE_FILING, D(2024, 2, 1), 0, False, D(2024, 3, 2)),    # leap February
        (R.PRE_FILING, D(2026, 3, 1), 30, True, D(2026, 4, 30)),
        (R.PRE_FILING, D(2026, 3, 1), 31, True, D(2026, 5, 1)),    # art. 27: no cap by default
        (R.POST_FILING, D(2026, 3, 1), 90, True, D(2026, 6, 14)),
        (R.POST_FILING, D(2026, 3, 1), 10, True, D(2026, 3, 26)),
    ],
)
def test_court_deadline(kind, received_on, extension, consent, last_day):
    assert R.court_deadline(kind, received_on, extension, consent) == last_day


@pytest.mark.parametrize(
    "kind, extension, consent, code",
    [
        (R.PRE_FILING, 10, False, "extension_without_consent"),
        (R.SIMPLIFIED, -1, True, "extension_negative"),
        ("appeal", 0, False, "unknown_referral_kind"),
    ],
)
def test_court_deadline_refusals(kind, extension, consent, code):
    with pytest.raises(R.RuleRefused) as caught:
        R.court_deadline(kind, D(2026, 3, 1), extension, consent)
    assert caught.value.code == code and str(caught.value)


@pytest.mark.parametrize("extension, refused", [(30, False), (31, True), (45, True)])
def test_a_local_court_cap_applies_when_set(extension, refused):
    table = P.with_overrides([LegalParameter("court_extension_cap_days", 30, P.DAYS, "local court rule", D(2024, 1, 1))])
    if refused:
        with pytest.raises(R.RuleRefused) as caught:
            R.court_deadline(R.PRE_FILING, D(2026, 3, 1), extension, True, table=table)
        assert caught.value.code == "extension_over_cap" and "30" in str(caught.value)
    else:
        assert R.court_deadline(R.PRE_FILING, D(2026, 3, 1), extension, True, table=table) == D(2026, 4, 30)
    # Before the court's rule took effect there is no cap.
    assert R.court_deadline(R.PRE_FILING, D(2023, 12, 1), extension, True, table=table)


# --- arbitration limitation ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "category, knew_on, ended_on, arrears, last_day",
    [
        (R.LABOUR_CONTRACT, D(2025, 3, 10), None, False, D(2026, 3, 10)),
        (R.DISMISSAL_RESIGNATION, D(2024, 2, 29), None, False, D(2025, 2, 28)),  # no 29 Feb: month end
        (R.PAY_COMPENSATION, D(2023, 2, 28), None, False, D(2024, 2, 28)),
        (R.PAY_COMPENSATION, D(2020, 1, 5), None, True, None),                   # employed: no limit
        (R.PAY_COMPENSATION, D(2020, 1, 5), D(2025, 6, 30), True, D(2026, 6, 30)),  # a year after the end
        (R.PAY_COMPENSATION, D(2025, 1, 5), D(2024, 2, 29), True, D(2025, 2, 28)),
        (R.CONDITIONS_INSURANCE, D(2025, 3, 10), D(2025, 1, 1), False, D(2026, 3, 10)),  # end irrelevant
    ],
)
def test_arbitration_limitation(category, knew_on, ended_on, arrears, last_day):
    assert R.arbitration_limitation(category, knew_on, ended_on, arrears) == last_day


def test_arbitration_limitation_holiday():
    # 2026-03-07 is a Saturday.
    assert R.arbitration_limitation(R.LABOUR_CONTRACT, D(2025, 3, 7), holiday_extends=next_monday) == D(2026, 3, 9)


@pytest.mark.parametrize(
    "category, arrears, code",
    [(7, False, "unknown_category"), (0, False, "unknown_category"), (R.LABOUR_CONTRACT, True, "wage_arrears_category")],
)
def test_arbitration_limitation_refusals(category, arrears, code):
    with pytest.raises(R.RuleRefused) as caught:
        R.arbitration_limitation(category, D(2025, 1, 1), None, arrears)
    assert caught.value.code == code


# --- final award --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "amount, on, tier, within",
    [
        (24840, D(2023, 12, 31), 2, True),             # 12 × 2,070 exactly (Keqiao), the 2021 standard's last day
        ("24840.01", D(2023, 12, 31), 2, False),
        (Decimal("27360"), D(2023, 12, 31), 1, True),  # 12 × 2,280
        (27361, D(2023, 12, 31), 1, False),
        (22080, D(2023, 12, 31), 3, True),             # 12 × 1,840
        (22081, D(2023, 12, 31), 3, False),
        (27120, D(2024, 1, 1), 2, True),               # 12 × 2,260 from 2024-01-01
        ("27120.01", D(2024, 1, 1), 2, False),
        (24841, D(2024, 1, 1), 2, True),               # above the old limit, within the new one
        (29880, D(2026, 3, 1), 1, True),               # 12 × 2,490
        (29881, D(2026, 3, 1), 1, False),
        (24120, D(2026, 3, 1), 3, True),               # 12 × 2,010
        (24121, D(2026, 3, 1), 3, False),
        (0, D(2026, 3, 1), 2, True),
        (24840, D(2021, 8, 1), P.KEQIAO_WAGE_TIER, True),  # the first day of the 2021 standard
    ],
)
def test_within_final_award(amount, on, tier, within):
    assert R.within_final_award(amount, on, tier) is within


@pytest.mark.parametrize(
    "amount, on, within",
    [(25000, D(2025, 12, 31), False), (25000, D(2026, 1, 1), True), (27600, D(2026, 1, 1), True),
     (27601, D(2026, 1, 1), False)],
)
def test_within_final_award_follows_the_wage_in_force(amount, on, within):
    assert R.within_final_award(amount, on, 2, table=WAGES) is within


@pytest.mark.parametrize(
    "on, limit",
    [(D(2021, 8, 1), Decimal("24840")), (D(2023, 12, 31), Decimal("24840")), (D(2024, 1, 1), Decimal("27120")),
     (TODAY, Decimal("27120"))],
)
def test_final_award_limit_uses_the_county_tier_in_force(on, limit):
    assert R.final_award_limit(on) == limit  # no tier given: the "minimum_wage_tier" row of that day


def test_the_county_tier_is_a_dated_setting():
    # A county moved to tier 1 from 2024-01-01 (its own row): earlier days keep tier 2.
    table = P.with_overrides([LegalParameter("minimum_wage_tier", 1, P.TIMES, "county", D(2024, 1, 1))])
    assert R.final_award_limit(D(2023, 12, 31), table=table) == Decimal("24840")
    assert R.final_award_limit(D(2024, 1, 1), table=table) == Decimal("29880")


@pytest.mark.parametrize(
    "received_on, closed_on, today, day",
    [
        (D(2023, 12, 20), D(2023, 12, 31), D(2026, 3, 2), D(2023, 12, 31)),  # closed: the day mediation ended
        (D(2023, 12, 20), D(2024, 1, 1), D(2026, 3, 2), D(2024, 1, 1)),
        (D(2023, 12, 25), None, D(2023, 12, 31), D(2023, 12, 31)),          # running: an application made today
        (D(2023, 12, 25), None, D(2024, 1, 1), D(2024, 1, 1)),
        (D(2024, 1, 5), None, D(2024, 1, 1), D(2024, 1, 5)),                # never before the case was received
    ],
)
def test_final_award_date(received_on, closed_on, today, day):
    assert R.final_award_date(received_on, closed_on, today=today) == day


def test_within_final_award_without_a_wage_in_force():
    with pytest.raises(ParameterNotInForce):
        R.within_final_award(1000, D(2021, 7, 31), 2)


@pytest.mark.parametrize("amount, code", [(-1, "amount_negative"), ("abc", "amount_not_a_number")])
def test_within_final_award_refuses_bad_amounts(amount, code):
    with pytest.raises(R.RuleRefused) as caught:
        R.within_final_award(amount, D(2026, 3, 1), 2)
    assert caught.value.code == code


# --- agreements ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "effective_on, review, confirmation",
    [
        (D(2026, 3, 1), D(2026, 3, 16), D(2026, 3, 31)),
        (D(2024, 2, 14), D(2024, 2, 29), D(2024, 3, 15)),  # leap year
        (D(2023, 2, 14), D(2023, 3, 1), D(2023, 3, 16)),
        (D(2026, 12, 20), D(2027, 1, 4), D(2027, 1, 19)),
    ],
)
def test_review_windows(effective_on, review, confirmation):
    assert R.review_windows(effective_on) == {"arbitration_review": review, "judicial_confirmation": confirmation}


def test_review_windows_holiday():
    # 2026-03-14 (review) and 2026-03-29 (confirmation) are a Saturday and a Sunday.
    windows = R.review_windows(D(2026, 2, 27), holiday_extends=next_monday)
    assert windows == {"arbitration_review": D(2026, 3, 16), "judicial_confirmation": D(2026, 3, 30)}


# --- amounts ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "amount, cap, problem",
    [
        (0, None, None),
        (Decimal("12345.67"), None, None),
        ("1,500", None, None),
        (100_000_000, None, None),           # the default cap itself
        (100_000_001, None, "amount_absurd"),
        (-0.01, None, "amount_negative"),
        (5001, 5000, "amount_absurd"),        # a configurable cap
        (5000, 5000, None),
        ("", None, "amount_not_a_number"),
        (None, None, "amount_not_a_number"),
        ("NaN", None, "amount_not_a_number"),
        ("Infinity", None, "amount_not_a_number"),
        (True, None, "amount_not_a_number"),
    ],
)
def test_amount_problem(amount, cap, problem):
    assert R.amount_problem(amount, cap=cap, on=TODAY) == problem


def test_rules_import_no_models():
    """The rules stay pure: neither module imports a model (read from their source)."""
    import ast
    from pathlib import Path

    for module in (R, parameters_module()):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if "models" in m or m.startswith("django.db")], module.__name__
    assert R.message("amount_absurd", cap=100) and R.message("extension_without_consent")


def parameters_module():
    from concord.disputes import parameters

    return parameters


def test_every_legal_default_has_a_translated_unit_and_basis():
    """The legal-settings page says 日 / 人 / 元 and names each default's basis in the reader's language."""
    from django.utils import translation

    from concord.disputes import parameters

    with translation.override("zh-hans"):
        for row in parameters.DEFAULTS:
            assert row.unit_text != row.unit, row.unit
            assert str(row.basis) != row.source and ("《" in str(row.basis) or "浙江省" in str(row.basis) or "本地" in str(row.basis)), row.key
        assert str(parameters.unit_label(parameters.DAYS)) == "日"
