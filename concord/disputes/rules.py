"""Pure rules of labour-dispute handling: thresholds, deadlines, limitation, final-award limit.

No models, no database: every number comes from a parameter table (``parameters.DEFAULTS`` unless
the caller passes a county's table) looked up on the relevant date, so a revised law or a county's
own value applies from its effective date.

Counting days (民法典 art. 201–203, as restated): a period in days or years starts the day AFTER
the event (the event's own day is not counted), so the last day of "within N days of X" is
X + N calendar days; a period in years ends on the same month and day, or the last day of the
month when that day does not exist (29 February). If the last day is a statutory holiday, the day
after the holiday ends is the last day: the date functions take ``holiday_extends(last_day) ->
date`` for that, defaulting to the identity (no calendar). Pass
``concord.core.workdays.current_calendar().first_workday_from`` to apply China's holiday calendar (a
year without a loaded notice is counted on the provisional calendar of statutory holidays).
"""
import re
import unicodedata
from datetime import date, timedelta
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from .parameters import DEFAULTS, parameter  # noqa: F401  (re-exported for callers)

# Dispute categories, law art. 2 items (1)–(6).
LABOUR_RELATIONSHIP = 1     # confirming a labour relationship
LABOUR_CONTRACT = 2         # concluding, performing, changing, rescinding, ending a contract
DISMISSAL_RESIGNATION = 3   # removal from payroll, dismissal, resignation, leaving
CONDITIONS_INSURANCE = 4    # hours, rest and leave, social insurance, welfare, training, protection
PAY_COMPENSATION = 5        # pay, work-injury medical costs, economic compensation, damages
OTHER_BY_LAW = 6            # other disputes set by law
CATEGORIES = (LABOUR_RELATIONSHIP, LABOUR_CONTRACT, DISMISSAL_RESIGNATION, CONDITIONS_INSURANCE,
              PAY_COMPENSATION, OTHER_BY_LAW)
CATEGORY_CHOICES = [
    (LABOUR_RELATIONSHIP, _("(1) Confirming a labour relationship")),
    (LABOUR_CONTRACT, _("(2) Concluding, performing, changing or ending a labour contract")),
    (DISMISSAL_RESIGNATION, _("(3) Removal, dismissal, resignation or leaving")),
    (CONDITIONS_INSURANCE, _("(4) Hours, rest, social insurance, welfare, training, protection")),
    (PAY_COMPENSATION, _("(5) Pay, work-injury medical costs, compensation or damages")),
    (OTHER_BY_LAW, _("(6) Other disputes set by law")),
]
# Sub-category → the law's category (the sub-categories are the county's own breakdown).
SUBCATEGORY_CATEGORY = {
    "labour_relationship": LABOUR_RELATIONSHIP,
    "contract": LABOUR_CONTRACT,
    "dismissal": DISMISSAL_RESIGNATION,
    "hours_leave": CONDITIONS_INSURANCE,
    "social_insurance": CONDITIONS_INSURANCE,
    "safety": CONDITIONS_INSURANCE,
    "wage_arrears": PAY_COMPENSATION,
    "overtime_pay": PAY_COMPENSATION,
    "compensation": PAY_COMPENSATION,
    "work_injury": PAY_COMPENSATION,
    "other": OTHER_BY_LAW,
}

# Court referral kinds.
PRE_FILING = "pre_filing"    # 委派: referred before the case is filed
POST_FILING = "post_filing"  # 委托: referred after filing
SIMPLIFIED = "simplified"    # 委托 under the simplified procedure
REFERRAL_DAYS_KEY = {
    PRE_FILING: "court_pre_filing_days",
    POST_FILING: "court_post_filing_days",
    SIMPLIFIED: "court_simplified_days",
}

MESSAGES = {
    "representatives_too_few": _("Representatives are optional; when a collective case names them, it names at least "
                                 "%(min)s."),
    "representatives_too_many": _("A collective case may have at most %(max)s elected representatives."),
    "count_negative": _("A number of people cannot be negative."),
    "dates_out_of_order": _("The date %(later)s is before %(earlier)s."),
    "unknown_referral_kind": _("Unknown kind of court referral: %(kind)s."),
    "extension_negative": _("A deadline extension cannot be negative."),
    "extension_without_consent": _("A deadline extension needs the consent of both parties."),
    "extension_over_cap": _("A deadline extension may be at most %(cap)s days."),
    "unknown_category": _("Unknown dispute category: %(category)s."),
    "wage_arrears_category": _("Wage arrears belong to the category pay and compensation."),
    "amount_not_a_number": _("The amount is not a number."),
    "amount_negative": _("The amount cannot be negative."),
    "amount_absurd": _("The amount is above %(cap)s yuan; check it."),
    "payment_line": _("write the due date, a comma and the amount, e.g. 2026-12-20, 15000 or 2026年12月20日，15000"),
    "payment_date": _("“%(value)s” is not a date; write e.g. 2026-12-20 or 2026年12月20日"),
    "payment_year": _("“%(value)s” has no year; write e.g. 2026年12月20日"),
    "payment_amount": _("“%(value)s” is not an amount; write e.g. 15000, 15,000.50 or 1.5万元"),
}


def message(code: str, **params) -> str:
    """The user's-language text of a message code."""
    text = str(MESSAGES[code])  # translated now, in the active language
    return text % params if params else text


class RuleRefused(ValueError):
    """Input a rule refuses: ``code`` is a key of MESSAGES, ``params`` fill its text."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(message(code, **params))


def _same_day(day: date) -> date:
    return day


def period_end(start: date, days: int, holiday_extends=_same_day) -> date:
    """Last day of "within ``days`` days of ``start``": day 1 is the day after ``start``."""
    return holiday_extends(start + timedelta(days=days))


def add_years(start: date, years: int) -> date:
    """The same month and day ``years`` later; 28 February when 29 February does not exist."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _count(value: int) -> int:
    if value < 0:
        raise RuleRefused("count_negative")
    return value


# --- collective cases ---------------------------------------------------------------------------

def is_collective(claimant_count: int, *, on: date | None = None, table=DEFAULTS) -> bool:
    """Ten or more claimants (law art. 7) make a case collective."""
    return _count(claimant_count) >= parameter("collective_threshold", on or date.today(), table)


def representatives_problem(count: int, *, on: date | None = None, table=DEFAULTS) -> str | None:
    """Why ``count`` elected representatives is not allowed, or None when it is. Representatives
    are optional (law art. 7 "可以"): none is allowed; named ones must be 3–5 (the parameters).
    Codes: "representatives_too_few", "representatives_too_many" (texts in MESSAGES)."""
    on = on or date.today()
    if _count(count) == 0:
        return None
    if count < parameter("representatives_min", on, table):
        return "representatives_too_few"
    if count > parameter("representatives_max", on, table):
        return "representatives_too_many"
    return None


# --- consultation and mediation -----------------------------------------------------------------

def mediation_deadline(accepted_on: date, *, table=DEFAULTS, holiday_extends=_same_day) -> date:
    """Last day of mediation: 15 calendar days after acceptance (law art. 14), day 1 the next day."""
    return period_end(accepted_on, parameter("mediation_days", accepted_on, table), holiday_extends)


def consultation_reply_due(requested_on: date, *, table=DEFAULTS, holiday_extends=_same_day) -> date:
    """Last day for the other side to reply to a request to consult (5 days)."""
    return period_end(requested_on, parameter("consultation_reply_days", requested_on, table), holiday_extends)


def consultation_refused(requested_on: date, today: date, *, replied: bool = False, table=DEFAULTS,
                         holiday_extends=_same_day) -> bool:
    """No reply by the end of the reply period counts as refusal; True from the day after it."""
    if today < requested_on:
        raise RuleRefused("dates_out_of_order", later=requested_on.isoformat(), earlier=today.isoformat())
    if replied:
        return False
    return today > consultation_reply_due(requested_on, table=table, holiday_extends=holiday_extends)


# --- court-referred mediation -------------------------------------------------------------------

def court_deadline(referral_kind: str, received_on: date, extension_days: int = 0, consent: bool = False, *,
                   table=DEFAULTS, holiday_extends=_same_day) -> date:
    """Last day of a court-referred mediation: 30 days (委派), 15 (委托), 7 (simplified) after the
    referral is received, plus an extension both parties agreed to. 法释〔2016〕14号 art. 27 sets no
    cap on an agreed extension: the "court_extension_cap_days" parameter is None (no cap) unless a
    county records its local court's cap.
    The extension adds calendar days to the period; the holiday rule applies to the final last day.
    Refuses (RuleRefused) an unknown kind, a negative extension, one without consent, one over the cap.
    """
    key = REFERRAL_DAYS_KEY.get(referral_kind)
    if key is None:
        raise RuleRefused("unknown_referral_kind", kind=referral_kind)
    if extension_days < 0:
        raise RuleRefused("extension_negative")
    if extension_days:
        if not consent:
            raise RuleRefused("extension_without_consent")
        cap = parameter("court_extension_cap_days", received_on, table)
        if cap is not None and extension_days > cap:
            raise RuleRefused("extension_over_cap", cap=cap)
    days = parameter(key, received_on, table) + extension_days
    return period_end(received_on, days, holiday_extends)


# --- arbitration --------------------------------------------------------------------------------

def arbitration_limitation(category: int, knew_on: date, employment_ended_on: date | None = None,
                           wage_arrears: bool = False, *, table=DEFAULTS,
                           holiday_extends=_same_day) -> date | None:
    """Last day to apply for arbitration (law art. 27), or None when there is no limit.

    One year from the day the party knew or should have known of the infringement (``knew_on``;
    after an interruption pass the day the period restarts). Wage arrears (category 5) while the
    employment lasts have no limit (None); once it has ended, one year from its end.
    """
    if category not in CATEGORIES:
        raise RuleRefused("unknown_category", category=category)
    if wage_arrears:
        if category != PAY_COMPENSATION:
            raise RuleRefused("wage_arrears_category")
        if employment_ended_on is None:
            return None
        start = employment_ended_on
    else:
        start = knew_on
    years = parameter("arbitration_limitation_years", start, table)
    return holiday_extends(add_years(start, years))


def final_award_date(received_on: date, closed_on: date | None = None, *, today: date) -> date:
    """The day whose minimum wage sets a case's final-award limit (docs/disputes-rules.md).

    Law art. 47 speaks of "the local monthly minimum wage standard" without a date; we read it, as
    is common, as the standard in force when the arbitration application is made. A case in
    Concord is before arbitration: the application can be made no earlier than the day mediation
    ends, so a closed case uses its closing day and a running one today (the limit of an
    application made now); never a day before the case was received."""
    day = closed_on if closed_on is not None else today
    return max(day, received_on)


def final_award_limit(on: date, region_tier: int | None = None, *, table=DEFAULTS) -> Decimal:
    """12 × the monthly minimum wage of ``region_tier`` in force on ``on`` (law art. 47). Without
    a tier, the county's tier in force on ``on`` (the "minimum_wage_tier" parameter)."""
    if region_tier is None:
        region_tier = int(parameter("minimum_wage_tier", on, table))
    multiple = parameter("final_award_multiple", on, table)
    wage = parameter(f"minimum_wage_monthly.tier{region_tier}", on, table)
    return Decimal(multiple) * Decimal(wage)


def within_final_award(amount, on: date, region_tier: int, *, table=DEFAULTS) -> bool:
    """Whether a money claim is within the final-award limit (≤ 12 × monthly minimum wage).
    Pass each claim item separately: the courts read the limit per item."""
    value = _amount(amount)
    return value <= final_award_limit(on, region_tier, table=table)


# --- agreements ---------------------------------------------------------------------------------

def review_windows(agreement_effective_on: date, *, table=DEFAULTS, holiday_extends=_same_day) -> dict:
    """Last days to apply jointly for arbitration review (15 days) and judicial confirmation
    (30 days) of a mediation agreement, counted from the day after it takes effect."""
    day = agreement_effective_on
    return {
        "arbitration_review": period_end(day, parameter("arbitration_review_days", day, table), holiday_extends),
        "judicial_confirmation": period_end(day, parameter("judicial_confirmation_days", day, table),
                                            holiday_extends),
    }


# --- amounts ------------------------------------------------------------------------------------

def _to_decimal(amount) -> Decimal | None:
    if isinstance(amount, bool) or amount is None:
        return None
    try:
        value = Decimal(str(amount).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def amount_problem(amount, *, cap=None, on: date | None = None, table=DEFAULTS) -> str | None:
    """Why ``amount`` (yuan) is not a plausible claimed amount, or None. ``cap`` defaults to the
    "amount_cap" parameter. Codes: "amount_not_a_number", "amount_negative", "amount_absurd"."""
    value = _to_decimal(amount)
    if value is None:
        return "amount_not_a_number"
    if value < 0:
        return "amount_negative"
    limit = Decimal(cap) if cap is not None else Decimal(parameter("amount_cap", on or date.today(), table))
    if value > limit:
        return "amount_absurd"
    return None


def _amount(amount) -> Decimal:
    problem = amount_problem(amount, cap=Decimal("Infinity"))
    if problem:
        raise RuleRefused(problem)
    return _to_decimal(amount)


# --- parameters a county may set ----------------------------------------------------------------

PARAMETER_CHOICES = [
    ("collective_threshold", _("Claimants that make a case collective")),
    ("representatives_min", _("Fewest representatives of a collective case")),
    ("representatives_max", _("Most representatives of a collective case")),
    ("consultation_reply_days", _("Days to reply to a request to consult")),
    ("mediation_days", _("Days of mediation")),
    ("arbitration_review_days", _("Days to apply for arbitration review of an agreement")),
    ("judicial_confirmation_days", _("Days to apply for judicial confirmation")),
    ("court_pre_filing_days", _("Days of a pre-filing court referral")),
    ("court_post_filing_days", _("Days of a post-filing court referral")),
    ("court_simplified_days", _("Days of a simplified-procedure court referral")),
    ("court_extension_cap_days", _("Most days a court deadline may be extended")),
    ("arbitration_limitation_years", _("Years to apply for arbitration")),
    ("final_award_multiple", _("Final-award limit in monthly minimum wages")),
    ("minimum_wage_monthly.tier1", _("Monthly minimum wage, tier 1")),
    ("minimum_wage_monthly.tier2", _("Monthly minimum wage, tier 2")),
    ("minimum_wage_monthly.tier3", _("Monthly minimum wage, tier 3")),
    ("minimum_wage_tier", _("Minimum-wage tier of the county (1–3)")),
    ("amount_cap", _("Highest plausible claimed amount")),
]


# --- levels -------------------------------------------------------------------------------------

ENTERPRISE_LEVEL, TOWN_LEVEL, COUNTY_LEVEL = "enterprise", "town", "county"
LEVELS = (ENTERPRISE_LEVEL, TOWN_LEVEL, COUNTY_LEVEL)


def starting_level(*, collective: bool, court_referral: bool, has_mediation_committee: bool) -> str:
    """Where a new case starts: "small matters stay in the factory" where the enterprise has a
    mediation committee; collective cases and court referrals start at the town."""
    if collective or court_referral or not has_mediation_committee:
        return TOWN_LEVEL
    return ENTERPRISE_LEVEL


def next_level(level: str) -> str | None:
    """The level an unresolved case escalates to, or None at the top."""
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def handles_level(assignment_level: str, case_level: str) -> bool:
    """Whether an officer assigned at ``assignment_level`` (enterprise / town / county) handles a
    case at ``case_level``: an enterprise union handles its enterprise level only; a town handles
    the enterprise and town levels of its enterprises; the county every level."""
    return LEVELS.index(case_level) <= LEVELS.index(assignment_level) and (
        assignment_level != ENTERPRISE_LEVEL or case_level == ENTERPRISE_LEVEL)


def is_duplicate_filing(earlier_filed_at, now, *, window_hours: int = 24) -> bool:
    """A filing by the same worker against the same enterprise in the same category within 24 hours
    of an earlier one is probably a duplicate (warned, not refused)."""
    return earlier_filed_at is not None and timedelta(0) <= now - earlier_filed_at <= timedelta(hours=window_hours)


# --- searching cases ----------------------------------------------------------------------------

# Court case numbers are written with half-width, full-width or hexagonal brackets
# (（2026）浙0603民初8348号, (2026)浙0603民初8348号, 〔2026〕…); the search compares them in one form.
OPEN_BRACKETS = "（〔[【"
CLOSE_BRACKETS = "）〕]】"


def search_text(text: str) -> str:
    """A search box entry in the form the case search compares: NFKC (full-width digits, letters and
    brackets become half-width), the other bracket forms as ``(`` and ``)``, no spaces."""
    value = unicodedata.normalize("NFKC", text or "")
    for char in OPEN_BRACKETS:
        value = value.replace(char, "(")
    for char in CLOSE_BRACKETS:
        value = value.replace(char, ")")
    return "".join(value.split())


# --- what a worker brings -----------------------------------------------------------------------

ALWAYS_BRING = (_("Your resident ID card"), _("Your labour contract, if you signed one"))
WHAT_TO_BRING = {
    "wage_arrears": (_("Pay slips or bank statements of wages paid"), _("Attendance records or work photos of the unpaid months")),
    "overtime_pay": (_("Attendance or shift records showing the overtime"), _("Pay slips")),
    "compensation": (_("The notice ending your employment"), _("Pay slips of the last twelve months")),
    "work_injury": (_("The work-injury determination"), _("Medical records and receipts")),
    "social_insurance": (_("Your social insurance statement"),),
    "dismissal": (_("The dismissal notice or messages about it"),),
    "labour_relationship": (_("Anything showing you worked there: work card, pay records, messages"),),
}


def what_to_bring(subcategory: str) -> tuple:
    return ALWAYS_BRING + WHAT_TO_BRING.get(subcategory, ())


# --- a payment schedule typed by hand ---------------------------------------------------------------
# One line per payment: a due date, a separator, an amount. People write dates the ISO way
# (2026-12-20), with slashes or dots (2026/12/20, 2026.12.20) or in Chinese (2026年12月20日), and
# amounts with thousands separators, a currency sign or unit (15,000 / ￥15000 / 15000元 / 1.5万元).
# Full-width digits and punctuation (２０２６，１５０００) are read as their ASCII forms (NFKC). A date
# without a year (12月20日) is refused rather than guessed: a schedule is part of a legal
# agreement, and the year at a turn of the year is exactly what a guess gets wrong.
_DATE = re.compile(r"(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})(?:\s*日)?")
_NO_YEAR = re.compile(r"\d{1,2}\s*(?:月|[-/.])\s*\d{1,2}(?:\s*日)?")
_SEPARATOR = re.compile(r"[\s,;:、]+")
_AMOUNT = re.compile(r"(?:人民币|rmb|¥|\$)?\s*(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<wan>万)?\s*(?:元|yuan)?",
                     re.IGNORECASE)


def parse_payment_line(line: str) -> tuple[date, Decimal]:
    """``(due date, amount)`` of one schedule line; RuleRefused (payment_*) names what is wrong."""
    text = unicodedata.normalize("NFKC", line or "").strip()
    if not text:
        raise RuleRefused("payment_line")
    match = _DATE.match(text)
    if match is None:
        head = _SEPARATOR.split(text, 1)[0]
        raise RuleRefused("payment_year" if _NO_YEAR.fullmatch(head) else "payment_date", value=head)
    try:
        due = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise RuleRefused("payment_date", value=match.group(0).strip()) from None
    rest = text[match.end():]
    separator = _SEPARATOR.match(rest)
    start = separator.end() if separator else 0 if match.group(0).endswith("日") else None  # 日 ends a date
    if start is None or not rest[start:].strip():
        raise RuleRefused("payment_line")
    raw = rest[start:].strip()
    amount = _AMOUNT.fullmatch(raw)
    if amount is None:
        raise RuleRefused("payment_amount", value=raw)
    value = Decimal(amount["n"].replace(",", ""))
    if amount["wan"]:
        value *= 10000
    if value != value.quantize(Decimal("0.01")):  # below a fen: a typing slip
        raise RuleRefused("payment_amount", value=raw)
    return due, value.quantize(Decimal("0.01"))


_FIELD_SEPARATOR = re.compile(r"[,，]")
_NUMERIC_FIELD = re.compile(r"[\s\d.,，]*")


def parse_schedule_line(line: str) -> tuple[date, Decimal, str, str]:
    """``(due date, amount, way, place)`` of one schedule line: ``parse_payment_line``'s date and
    amount, then at most two comma-separated texts for the way and the place of payment. A comma may
    also group thousands ("15,000"), so the longest head that parses as date and amount wins and the
    texts after it must not be bare numbers."""
    fields = _FIELD_SEPARATOR.split(line or "")
    for cut in range(len(fields), 0, -1):
        tail = [f.strip() for f in fields[cut:]]
        if len(tail) > 2 or any(f and _NUMERIC_FIELD.fullmatch(f) for f in tail):
            continue
        try:
            due, amount = parse_payment_line(",".join(fields[:cut]))
        except RuleRefused:
            continue
        way, place = (tail + ["", ""])[:2]
        return due, amount, way, place
    parse_payment_line(line)  # raises the reason the date and amount alone are refused
    raise RuleRefused("payment_line")
