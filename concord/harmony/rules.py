"""Pure rules of harmonious-enterprise creation (劳动关系和谐企业创建): indicator scoring methods,
enterprise classes, veto items, tiers and their prerequisites, publicity and validity periods.

No models, no database: callers pass figures, rows and a working-day calendar. Real local examples
behind the defaults are in ../shared/DOMAIN.md ("Harmonious-enterprise evaluation") and
docs/harmony.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

D = Decimal
ONE_PLACE = D("0.1")

# Scoring methods: manual (with evidence) or computed from Concord's own data.
MANUAL = "manual"
CONTRACT_RATE = "contract_rate"          # labour contracts signed, % of current employments
INSURANCE_RATE = "insurance_rate"        # social insurance, % of current employments
WAGES_ON_TIME = "wages_on_time"          # no wage-arrears signal in the period
DISPUTES = "disputes"                    # cases against the enterprise in the period; a collective case scores 0
ALERT_LEVEL = "alert_level"              # the early-warning level now
UNION_CONGRESS = "union_congress"        # a union and a workers' congress (registry flags)
SATISFACTION = "satisfaction"            # the workers' satisfaction survey
METHODS = (MANUAL, CONTRACT_RATE, INSURANCE_RATE, WAGES_ON_TIME, DISPUTES, ALERT_LEVEL, UNION_CONGRESS, SATISFACTION)
COMPUTED = frozenset(METHODS) - {MANUAL}

# Veto detections.
VETO_MANUAL = "manual"
VETO_COLLECTIVE_DISPUTE = "collective_dispute"   # a collective case against the enterprise
VETO_RED_WAGE_ALERT = "red_wage_alert"           # a red early-warning alert raised for wage arrears
VETO_LOW_SATISFACTION = "low_satisfaction"       # a valid survey result under the threshold
VETO_DETECTIONS = (VETO_MANUAL, VETO_COLLECTIVE_DISPUTE, VETO_RED_WAGE_ALERT, VETO_LOW_SATISFACTION)


def _round(value) -> Decimal:
    return D(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _clamp(points, max_points) -> Decimal:
    return _round(min(max(D(points), D(0)), D(max_points)))


def rate_points(rate, max_points, *, target=100, per_point=D("0.2")) -> Decimal:
    """Full points at or above ``target`` %; ``per_point`` off for each percentage point below
    (e.g. contract signing: 8 points, 100 % required, 0.2 off per point below)."""
    if rate is None:
        return D(0)
    short = max(D(target) - D(rate), D(0))
    return _clamp(D(max_points) - short * D(per_point), max_points)


def band_points(value, max_points, bands) -> Decimal:
    """``bands``: (at least, share of the points) from the highest; below every band: 0
    (e.g. collective-contract coverage: ≥ 80 % full, 50–80 % half)."""
    if value is None:
        return D(0)
    for at_least, share in sorted(bands, key=lambda b: D(b[0]), reverse=True):
        if D(value) >= D(at_least):
            return _clamp(D(max_points) * D(share), max_points)
    return D(0)


def wages_on_time_points(arrears_signals: int, max_points) -> Decimal:
    return _round(max_points) if not arrears_signals else D(0)


def disputes_points(cases: int, collective_cases: int, max_points, *, per_case=D(1)) -> Decimal:
    """Points off per case against the enterprise in the period; none at all after a collective case."""
    if collective_cases:
        return D(0)
    return _clamp(D(max_points) - D(cases) * D(per_case), max_points)


ALERT_SHARE = {"": D(1), "blue": D(1), "yellow": D("0.5"), "orange": D(0), "red": D(0)}


def alert_points(level: str, max_points) -> Decimal:
    return _clamp(D(max_points) * ALERT_SHARE.get(level or "", D(0)), max_points)


def union_congress_points(has_union: bool, has_congress: bool, max_points) -> Decimal:
    """Half the points each for a union and a workers' congress (the registry's flags until the
    democracy pillar keeps congress sessions)."""
    return _round(D(max_points) * (D(int(bool(has_union))) + D(int(bool(has_congress)))) / 2)


# Answers are on a 1–5 scale (5: very satisfied); 4 and 5 count as satisfied.
SATISFIED_FROM = 4
# Per-question counts stay hidden below this many responses, whatever the standard's minimum for a
# valid result: with one or two answers the counts would show what those workers answered.
ANONYMITY_FLOOR = 5


def survey_result_shown(closes_on, today, responses: int) -> bool:
    """Whether a survey's counts and shares may be shown: once it has closed, and from
    ANONYMITY_FLOOR responses. While it is open, reading the result before and after one worker
    answers would give that worker's answers (the difference); after the close no answer comes."""
    return today > closes_on and responses >= ANONYMITY_FLOOR


def is_satisfied(value: int) -> bool:
    return value >= SATISFIED_FROM


def satisfaction_share(satisfied: int, responses: int, min_responses: int) -> Decimal | None:
    """The share of satisfied answers in %, or None when too few workers answered for a valid result."""
    if responses < max(min_responses, 1):
        return None
    return _round(D(satisfied) * 100 / responses)


def satisfaction_points(share, max_points) -> Decimal:
    """Points in proportion to the satisfied share; no valid survey result scores 0."""
    if share is None:
        return D(0)
    return _clamp(D(max_points) * D(share) / 100, max_points)


@dataclass(frozen=True)
class Figures:
    """What Concord knows about an enterprise for the period (selectors fill it)."""

    employments: int = 0
    contracts: int = 0
    insured: int = 0
    arrears_signals: int = 0
    cases: int = 0
    collective_cases: int = 0
    alert_level: str = ""
    has_union: bool = False
    has_congress: bool = False
    satisfaction: Decimal | None = None  # valid result only
    responses: int = 0


def percent(part: int, whole: int) -> Decimal | None:
    return None if not whole else _round(D(part) * 100 / whole)


def compute(method: str, figures: Figures, max_points, params: dict | None = None) -> tuple[Decimal, dict]:
    """Points of a computed indicator and the figures shown next to them."""
    params = params or {}
    if method == CONTRACT_RATE:
        rate = percent(figures.contracts, figures.employments)
        return rate_points(rate, max_points, target=params.get("target", 100), per_point=D(str(params.get("per_point", "0.2")))), {
            "rate": rate, "signed": figures.contracts, "employments": figures.employments}
    if method == INSURANCE_RATE:
        rate = percent(figures.insured, figures.employments)
        bands = params.get("bands") or [(90, 1), (70, "0.5")]
        return band_points(rate, max_points, bands), {"rate": rate, "insured": figures.insured, "employments": figures.employments}
    if method == WAGES_ON_TIME:
        return wages_on_time_points(figures.arrears_signals, max_points), {"arrears_signals": figures.arrears_signals}
    if method == DISPUTES:
        return disputes_points(figures.cases, figures.collective_cases, max_points,
                               per_case=D(str(params.get("per_case", 1)))), {
            "cases": figures.cases, "collective_cases": figures.collective_cases}
    if method == ALERT_LEVEL:
        return alert_points(figures.alert_level, max_points), {"level": figures.alert_level}
    if method == UNION_CONGRESS:
        return union_congress_points(figures.has_union, figures.has_congress, max_points), {
            "union": figures.has_union, "congress": figures.has_congress}
    if method == SATISFACTION:
        return satisfaction_points(figures.satisfaction, max_points), {
            "share": figures.satisfaction, "responses": figures.responses}
    raise ValueError(f"not a computed method: {method}")


def params_sentence(method: str, params: dict | None) -> str:
    """An indicator's method parameters as the sentence a reader needs (the standard's page shows
    this, never the stored JSON): the defaults ``compute`` uses fill what the parameters leave out."""
    from django.utils.translation import gettext as _, pgettext

    params = params or {}
    if method == CONTRACT_RATE:
        return _("Full points at a signing rate of %(target)s%% or more; points off per percentage point below: %(per_point)s.") % {
            "target": params.get("target", 100), "per_point": params.get("per_point", "0.2")}
    if method == INSURANCE_RATE:
        bands = sorted(params.get("bands") or [(90, 1), (70, "0.5")], key=lambda b: D(b[0]), reverse=True)
        parts = [_("at least %(rate)s%%: %(share)s%% of the points") % {"rate": at_least, "share": format((D(share) * 100).normalize(), "f")}
                 for at_least, share in bands]
        return _("Insured share %(bands)s; below that, no points.") % {
            "bands": pgettext("separator between the items of a list", ", ").join(parts)}
    if method == DISPUTES:
        return _("Points off per dispute case: %(per_case)s; none at all after a collective dispute.") % {
            "per_case": params.get("per_case", 1)}
    return ""


# Every class of a standard totals this many points# Every class of a standard totals this many points (the 100-point scales of DOMAIN.md).
FULL_MARKS = 100


# --- enterprise classes ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ClassRow:
    code: str
    min_head_count: int
    max_head_count: int | None = None  # inclusive; None: no upper bound
    pk: int | None = None


def class_for(head_count: int, classes) -> ClassRow | None:
    """The class whose head-count band holds ``head_count`` (classified guidance, 分类指导)."""
    for row in sorted(classes, key=lambda c: c.min_head_count, reverse=True):
        if head_count >= row.min_head_count and (row.max_head_count is None or head_count <= row.max_head_count):
            return row
    return None


# --- scores and review ----------------------------------------------------------------------------

def points_problem(points, max_points) -> str | None:
    if points is None:
        return None
    if D(points) < 0:
        return "negative_points"
    if D(points) > D(max_points):
        return "above_maximum"
    return None


def review_problem(self_points, review_points, reason: str) -> str | None:
    """A town reviewer who changes a self-assessed score must say why."""
    if review_points is not None and self_points is not None and D(review_points) != D(self_points) and not (reason or "").strip():
        return "reason_required"
    return None


# --- vetoes ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VetoRow:
    code: str
    detection: str
    look_back_days: int
    pk: int | None = None


def veto_active(occurred_on: date, today: date, look_back_days: int) -> bool:
    """A veto event weighs within its look-back period (e.g. 2–3 years)."""
    return today - timedelta(days=look_back_days) <= occurred_on <= today


def satisfaction_veto(share, threshold=D(60)) -> bool:
    return share is not None and D(share) < D(threshold)


# --- tiers ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TierRow:
    code: str
    rank: int
    min_score: Decimal
    prerequisite: str | None = None  # code of the tier to hold first
    prerequisite_days: int = 365
    validity_years: int = 3
    recheck_months: int = 12
    pk: int | None = None


@dataclass(frozen=True)
class Held:
    tier: str
    certified_on: date
    valid_until: date
    status: str = "valid"


def tier_problem(tier: TierRow, score, held, vetoes: int, today: date) -> str | None:
    """Why ``tier`` cannot be granted (a message code), or None."""
    if vetoes:
        return "veto"
    if score is None or D(score) < D(tier.min_score):
        return "score_below_minimum"
    if tier.prerequisite:
        since = today - timedelta(days=tier.prerequisite_days)
        if not any(h.tier == tier.prerequisite and h.status == "valid" and h.certified_on <= since and h.valid_until >= today
                   for h in held):
            return "prerequisite_missing"
    return None


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def valid_until(certified_on: date, years: int) -> date:
    """The last day of validity: the day before the same date ``years`` later."""
    return add_years(certified_on, years) - timedelta(days=1)


# --- publicity ------------------------------------------------------------------------------------

PUBLICITY_WORKING_DAYS = 5  # Shaoxing practice: 5 working days of public notice before naming


def publicity_end(start: date, add_working_days, days: int = PUBLICITY_WORKING_DAYS) -> date:
    """The last day of publicity: ``days`` working days counting ``start`` when it is a working day.
    ``add_working_days(day, n)`` is the calendar's (``WorkCalendar.add_working_days``)."""
    return add_working_days(start - timedelta(days=1), days)


def objection_open(day: date, start: date | None, end: date | None) -> bool:
    return bool(start and end and start <= day <= end)
