"""The legal parameters of labour-dispute handling, as data with their source and effective dates.

Every number the dispute rules use is a ``LegalParameter``: laws are revised and a county may set
its own value (with its source and the date it takes effect), so no rule hard-codes one. DEFAULTS
holds the values of ../shared/DOMAIN.md; the models of the next slice store overrides in the
database and pass their rows (plus these) as ``table`` — see docs/disputes-rules.md.

``effective_to`` is the last day a value is in force (inclusive); None means open-ended.
"""
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _, gettext_lazy

DAYS = "days"
YEARS = "years"
PEOPLE = "people"
YUAN = "yuan"
YUAN_PER_MONTH = "yuan/month"
TIMES = "times"

# Sources, restated (facts, not copied text).
LAW = "劳动争议调解仲裁法 (Labour Dispute Mediation and Arbitration Law, in force 2008-05-01)"
ENTERPRISE_RULES = "企业劳动争议协商调解规定 (人社部令第17号, in force 2012-01-01)"
CASE_RULES = "劳动人事争议仲裁办案规则 (人社部令第33号, in force 2017-07-01)"
PEOPLES_MEDIATION = "人民调解法 art. 33 (in force 2011-01-01); 民事诉讼法, judicial confirmation of mediation agreements"
COURT_REFERRAL = "最高人民法院关于人民法院特邀调解的规定 (法释〔2016〕14号, in force 2016-07-01), court-referred mediation"
# Zhejiang's monthly minimum wage, one row per provincial standard: a revision is one more row, and
# the earlier rows stay (with their last day) for the dates they governed.
ZHEJIANG_WAGE_2021 = ("浙江省最低工资标准, in force 2021-08-01 until 2023-12-31: tiers 1 / 2 / 3 = 2,280 / 2,070 / "
                      "1,840 yuan a month (Shaoxing urban districts incl. Keqiao: tier 2, 2,070)")
ZHEJIANG_WAGE = ("浙江省最低工资标准, in force from 2024-01-01: tiers 1 / 2 / 3 = 2,490 / 2,260 / 2,010 yuan a month "
                 "(reported by Xinhua, 2024-01-16)")

LAW_START = date(2008, 5, 1)
WAGE_2021_LAST_DAY = date(2023, 12, 31)
WAGE_2024 = date(2024, 1, 1)
# Units counted in whole numbers (a setting of such a parameter is used as an int).
WHOLE_UNITS = (DAYS, YEARS, PEOPLE, TIMES)


@dataclass(frozen=True)
class LegalParameter:
    key: str
    value: object
    unit: str
    source: str
    effective_from: date
    effective_to: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def unit_text(self):
        return unit_label(self.unit)

    @property
    def basis(self):
        return basis_label(self)


DEFAULTS: tuple[LegalParameter, ...] = (
    LegalParameter("collective_threshold", 10, PEOPLE,
                   f"{LAW} art. 7: ten or more workers with a common claim", LAW_START),
    # Representatives are optional (art. 7 "可以推举代表"): the range below is checked only when a
    # collective names them. The numbers 3–5 come from the arbitration rules, read here for mediation.
    LegalParameter("representatives_min", 3, PEOPLE,
                   f"{LAW} art. 7: ten or more workers with a common claim MAY (可以) elect representatives — "
                   f"optional; the number 3–5 is that of {CASE_RULES} art. 63, which governs arbitration, applied "
                   "to mediation only when representatives are named", date(2017, 7, 1)),
    LegalParameter("representatives_max", 5, PEOPLE,
                   f"{LAW} art. 7: representatives are optional (可以); when named, at most 5 — the number of "
                   f"{CASE_RULES} art. 63 (arbitration), applied to mediation", date(2017, 7, 1)),
    LegalParameter("consultation_reply_days", 5, DAYS,
                   f"{ENTERPRISE_RULES}: no reply within 5 days to a request to consult counts as refusal",
                   date(2012, 1, 1)),
    LegalParameter("mediation_days", 15, DAYS,
                   f"{LAW} art. 14: no agreement within 15 days of receiving the application → arbitration",
                   LAW_START),
    LegalParameter("arbitration_review_days", 15, DAYS,
                   f"{ENTERPRISE_RULES}: joint application for arbitration review within 15 days of the "
                   "agreement taking effect", date(2012, 1, 1)),
    LegalParameter("judicial_confirmation_days", 30, DAYS,
                   f"{PEOPLES_MEDIATION}: joint application within 30 days of the agreement taking effect",
                   date(2011, 1, 1)),
    LegalParameter("court_pre_filing_days", 30, DAYS,
                   f"{COURT_REFERRAL}: pre-filing referral (委派) 30 days", date(2016, 7, 1)),
    LegalParameter("court_post_filing_days", 15, DAYS,
                   f"{COURT_REFERRAL}: post-filing referral (委托) 15 days", date(2016, 7, 1)),
    LegalParameter("court_simplified_days", 7, DAYS,
                   f"{COURT_REFERRAL}: post-filing referral under simplified procedure 7 days", date(2016, 7, 1)),
    # No value (None) = no cap: art. 27 lets the parties extend by consent without a limit.
    LegalParameter("court_extension_cap_days", None, DAYS,
                   f"{COURT_REFERRAL} art. 27: when both parties agree, the period may be extended and the "
                   "article sets no cap (不受此限) — none by default; a county sets a cap only where the local "
                   "court's own rule sets one", date(2016, 7, 1)),
    LegalParameter("arbitration_limitation_years", 1, YEARS,
                   f"{LAW} art. 27: one year from when the party knew or should have known; wage arrears: "
                   "no limit during employment, one year after it ends", LAW_START),
    LegalParameter("final_award_multiple", 12, TIMES,
                   f"{LAW} art. 47 (1): money claims up to 12 × the local monthly minimum wage are final",
                   LAW_START),
    LegalParameter("minimum_wage_monthly.tier1", Decimal("2280"), YUAN_PER_MONTH, ZHEJIANG_WAGE_2021,
                   date(2021, 8, 1), WAGE_2021_LAST_DAY),
    LegalParameter("minimum_wage_monthly.tier2", Decimal("2070"), YUAN_PER_MONTH, ZHEJIANG_WAGE_2021,
                   date(2021, 8, 1), WAGE_2021_LAST_DAY),
    LegalParameter("minimum_wage_monthly.tier3", Decimal("1840"), YUAN_PER_MONTH, ZHEJIANG_WAGE_2021,
                   date(2021, 8, 1), WAGE_2021_LAST_DAY),
    LegalParameter("minimum_wage_monthly.tier1", Decimal("2490"), YUAN_PER_MONTH, ZHEJIANG_WAGE, WAGE_2024),
    LegalParameter("minimum_wage_monthly.tier2", Decimal("2260"), YUAN_PER_MONTH, ZHEJIANG_WAGE, WAGE_2024),
    LegalParameter("minimum_wage_monthly.tier3", Decimal("2010"), YUAN_PER_MONTH, ZHEJIANG_WAGE, WAGE_2024),
    # The county's tier is dated too: each provincial standard assigns the districts to tiers anew.
    LegalParameter("minimum_wage_tier", 2, TIMES,
                   f"{ZHEJIANG_WAGE_2021}: the county's tier (Keqiao = 2); a county elsewhere sets its own",
                   date(2021, 8, 1), WAGE_2021_LAST_DAY),
    LegalParameter("minimum_wage_tier", 2, TIMES,
                   f"{ZHEJIANG_WAGE}: the county's tier (Keqiao kept at 2 — check it against the provincial "
                   "notice's list of districts and set the county's value if it differs)", WAGE_2024),
    LegalParameter("amount_cap", Decimal("100000000"), YUAN,
                   "Local setting, not law: a claimed amount above this (100 million yuan) is refused as "
                   "implausible — a typing error guard", LAW_START),
)

# What the pages say, in the reader's language: the unit of each value and, per parameter, the short
# name of its legal basis (the long ``source`` above stays the record of the fact; pages show it as
# the basis's tooltip).
UNIT_LABELS = {
    DAYS: gettext_lazy("days"), YEARS: gettext_lazy("years"), PEOPLE: gettext_lazy("people"),
    YUAN: gettext_lazy("yuan"), YUAN_PER_MONTH: gettext_lazy("yuan a month"), TIMES: gettext_lazy("times"),
}
_LAW_BASIS = {
    7: gettext_lazy("Labour Dispute Mediation and Arbitration Law, art. 7"),
    14: gettext_lazy("Labour Dispute Mediation and Arbitration Law, art. 14"),
    27: gettext_lazy("Labour Dispute Mediation and Arbitration Law, art. 27"),
    47: gettext_lazy("Labour Dispute Mediation and Arbitration Law, art. 47 (1)"),
}
_ENTERPRISE_BASIS = gettext_lazy("Provisions on Consultation and Mediation of Enterprise Labour Disputes (MOHRSS Order No. 17)")
_COURT_BASIS = gettext_lazy("SPC Provisions on Specially Invited Mediation (Fa Shi [2016] No. 14)")
BASIS = {
    "collective_threshold": _LAW_BASIS[7],
    "representatives_min": gettext_lazy("Labour Dispute Mediation and Arbitration Law, art. 7; Arbitration Case Rules, art. 63"),
    "representatives_max": gettext_lazy("Labour Dispute Mediation and Arbitration Law, art. 7; Arbitration Case Rules, art. 63"),
    "consultation_reply_days": _ENTERPRISE_BASIS,
    "mediation_days": _LAW_BASIS[14],
    "arbitration_review_days": _ENTERPRISE_BASIS,
    "judicial_confirmation_days": gettext_lazy("People's Mediation Law, art. 33"),
    "court_pre_filing_days": _COURT_BASIS,
    "court_post_filing_days": _COURT_BASIS,
    "court_simplified_days": _COURT_BASIS,
    "court_extension_cap_days": gettext_lazy("SPC Provisions on Specially Invited Mediation (Fa Shi [2016] No. 14), art. 27"),
    "arbitration_limitation_years": _LAW_BASIS[27],
    "final_award_multiple": _LAW_BASIS[47],
    "amount_cap": gettext_lazy("Local setting, not law: a guard against typing errors"),
}


def unit_label(unit: str):
    return UNIT_LABELS.get(unit, unit)


def basis_label(row: LegalParameter):
    """The short, translated name of a default's legal basis (the minimum wage by its standard's dates)."""
    if row.key.startswith("minimum_wage"):
        if row.effective_to == WAGE_2021_LAST_DAY:
            return gettext_lazy("Zhejiang minimum wage standard, 2021-08-01 to 2023-12-31")
        return gettext_lazy("Zhejiang minimum wage standard, from 2024-01-01")
    return BASIS.get(row.key, row.source)


# Keqiao District lies in Shaoxing's urban districts: Zhejiang minimum-wage tier 2.
KEQIAO_WAGE_TIER = 2


class ParameterNotInForce(LookupError):
    """No value of ``key`` is in force on ``on`` (or the key is unknown, or two values overlap)."""

    def __init__(self, key: str, on: date, reason: str = "not_in_force"):
        self.key, self.on, self.reason = key, on, reason
        if reason == "unknown":
            text = _("The legal parameter “%(key)s” is not configured.")
        elif reason == "overlap":
            text = _("The legal parameter “%(key)s” has more than one value in force on %(on)s; "
                     "correct the effective dates.")
        else:
            text = _("No value of the legal parameter “%(key)s” is in force on %(on)s; "
                     "an administrator must add one with its source and effective date.")
        super().__init__(text % {"key": key, "on": on.isoformat()})


def parameter_row(key: str, on: date, table=DEFAULTS) -> LegalParameter:
    """The one row of ``key`` in force on ``on``; ParameterNotInForce when there is none (or two)."""
    rows = [row for row in table if row.key == key]
    if not rows:
        raise ParameterNotInForce(key, on, "unknown")
    in_force = [row for row in rows if row.in_force_on(on)]
    if not in_force:
        raise ParameterNotInForce(key, on)
    if len(in_force) > 1:
        raise ParameterNotInForce(key, on, "overlap")
    return in_force[0]


def parameter(key: str, on: date, table=DEFAULTS):
    """The value of ``key`` in force on ``on``."""
    return parameter_row(key, on, table).value


def with_overrides(overrides, table=DEFAULTS) -> tuple[LegalParameter, ...]:
    """``table`` with a county's own rows laid over it: on a day an override of a key is in force it
    wins; on other days the default still applies (the default rows are cut around the overrides)."""
    overrides = tuple(overrides)
    result = list(overrides)
    for row in table:
        pieces = [row]
        for over in overrides:
            if over.key == row.key:
                pieces = [cut for piece in pieces for cut in _minus(piece, over)]
        result.extend(pieces)
    return tuple(result)


def _minus(row: LegalParameter, over: LegalParameter) -> list[LegalParameter]:
    """The parts of ``row``'s period outside ``over``'s period."""
    one = timedelta(days=1)
    parts = []
    if row.effective_from < over.effective_from:
        end = over.effective_from - one
        if row.effective_to is not None and row.effective_to < end:
            end = row.effective_to
        parts.append(replace(row, effective_to=end))
    if over.effective_to is not None and (row.effective_to is None or row.effective_to > over.effective_to):
        start = max(row.effective_from, over.effective_to + one)
        parts.append(replace(row, effective_from=start))
    return parts
