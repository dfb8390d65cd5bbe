"""Pure rules of early warning: which scoring rule a signal meets, an enterprise's score and level
with its explanation, response deadlines, plausibility of partner figures, turnover and layoffs.

No models, no database. Rules and level policies arrive as plain rows (``RuleRow``, ``LevelRow``):
the database's ``ScoringRule`` and ``LevelPolicy`` tables in production, ``DEFAULT_RULES`` and
``DEFAULT_LEVELS`` in table tests and as the migration's seed. Local practice behind the defaults
is in ../shared/DOMAIN.md ("Early warning") and docs/alerts.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

# Levels, lowest first. "" is "no risk" (no active signal met a rule).
NONE, BLUE, YELLOW, ORANGE, RED = "", "blue", "yellow", "orange", "red"
LEVELS = (BLUE, YELLOW, ORANGE, RED)
RANK = {NONE: 0, BLUE: 1, YELLOW: 2, ORANGE: 3, RED: 4}

# Signal kinds. ``value`` means, per kind: months (arrears), workers (layoffs), percent of head
# count (turnover), claimants (collective case), cases (repeated disputes), count (complaints,
# findings); production halt, owner unreachable and a manual report need no value.
WAGE_ARREARS = "wage_arrears"
SOCIAL_INSURANCE_ARREARS = "social_insurance_arrears"
TAX_ARREARS = "tax_arrears"
POWER_ARREARS = "power_arrears"
WATER_ARREARS = "water_arrears"
PRODUCTION_HALT = "production_halt"
OWNER_UNREACHABLE = "owner_unreachable"
MASS_LAYOFF = "mass_layoff"
ABNORMAL_TURNOVER = "abnormal_turnover"
COLLECTIVE_DISPUTE = "collective_dispute"
REPEATED_DISPUTES = "repeated_disputes"
HOTLINE_COMPLAINT = "hotline_complaint"
INSPECTION_FINDING = "inspection_finding"
MANUAL_REPORT = "manual_report"
KINDS = (WAGE_ARREARS, SOCIAL_INSURANCE_ARREARS, TAX_ARREARS, POWER_ARREARS, WATER_ARREARS, PRODUCTION_HALT,
         OWNER_UNREACHABLE, MASS_LAYOFF, ABNORMAL_TURNOVER, COLLECTIVE_DISPUTE, REPEATED_DISPUTES, HOTLINE_COMPLAINT,
         INSPECTION_FINDING, MANUAL_REPORT)
# Kinds computed by the scan from Concord's own data (employments, dispute cases), never imported.
COMPUTED_KINDS = frozenset({MASS_LAYOFF, ABNORMAL_TURNOVER, COLLECTIVE_DISPUTE, REPEATED_DISPUTES})
MONTH_KINDS = frozenset({WAGE_ARREARS, SOCIAL_INSURANCE_ARREARS, TAX_ARREARS, POWER_ARREARS, WATER_ARREARS})
# Kinds whose signal must carry a value (the rules' bands are on it).
VALUE_KINDS = MONTH_KINDS | {MASS_LAYOFF, ABNORMAL_TURNOVER, COLLECTIVE_DISPUTE, REPEATED_DISPUTES, HOTLINE_COMPLAINT,
                             INSPECTION_FINDING}

# Days a signal counts when its source gives no expiry: partner departments report monthly, so a
# report older than a quarter is stale; a collective case weighs for half a year.
DEFAULT_VALID_DAYS = {COLLECTIVE_DISPUTE: 180}
VALID_DAYS = 90

# Plausibility of partner figures (refused on import and entry): arrears beyond 10 years, or more
# than 50,000 yuan per affected worker per month of arrears (several times any local wage).
MAX_MONTHS = Decimal("120")
MAX_YUAN_PER_WORKER_MONTH = Decimal("50000")

# Computed signals (docs/alerts.md).
# Layoffs: 劳动合同法 art. 41 — a reduction (经济性裁员) of 20 or more workers, or of fewer than 20
# that are 10 % or more of all workers. The article has no head-count floor and no observation
# period. The registry does not record why an employment ended, so a reduction is read as the
# employments that end on one day; each mass-layoff scoring row may instead count the departures of
# a period (``RuleRow.window_days``) and set a floor (``at_least``) — a local choice, not the law.
LAYOFF_MIN_WORKERS = 20                 # art. 41
LAYOFF_MIN_SHARE = Decimal("0.10")      # art. 41
LAYOFF_LOOKBACK_DAYS = 30               # a one-day reduction counts while it is this recent
# The local rule of the seed (inactive): departures of 30 days, at least 10 people (the rule
# Concord used before issue 13).
LOCAL_LAYOFF_WINDOW_DAYS = 30
LOCAL_LAYOFF_FLOOR = 10
# Turnover is departures in 90 days as a share of the head count, counted from 30 employees up;
# repeated disputes are 3 or more cases received in 90 days.
TURNOVER_WINDOW_DAYS = 90
TURNOVER_MIN_HEAD_COUNT = 30
TURNOVER_MIN_PERCENT = Decimal("30")
DISPUTE_WINDOW_DAYS = 90
REPEATED_MIN_CASES = 3


@dataclass(frozen=True)
class RuleRow:
    """A scoring rule: a signal of ``kind`` whose value lies in [at_least, below) scores ``points``
    and lifts the level to at least ``min_level``. A bound of None is open."""

    kind: str
    points: int
    min_level: str = NONE
    at_least: Decimal | None = None
    below: Decimal | None = None
    label: str = ""
    pk: int | None = None
    # Mass layoffs only: departures counted over this many days as one reduction; None = those that
    # end on the same day (the statutory reading, see LAYOFF_* above).
    window_days: int | None = None
    source: str = ""


@dataclass(frozen=True)
class LevelRow:
    """A level: reached from ``min_points``; an alert of this level must be answered within
    ``response_days``; ``raises_alert`` and ``county`` say whether it raises an alert and whether the
    county is assigned too."""

    level: str
    min_points: int
    response_days: int
    raises_alert: bool = True
    county: bool = False
    source: str = ""


@dataclass(frozen=True)
class SignalRow:
    pk: int
    kind: str
    value: Decimal | None
    observed_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class Contribution:
    signal: int
    kind: str
    value: Decimal | None
    observed_on: date
    rule: int | None
    rule_label: str
    points: int
    min_level: str
    counted: bool  # False: a stronger signal of the same kind counted instead


@dataclass
class Assessment:
    score: int = 0
    level: str = NONE
    contributions: list[Contribution] = field(default_factory=list)

    def explanation(self) -> list[dict]:
        """JSON-ready rows, strongest first, for the stored explanation."""
        return [
            {"signal": c.signal, "kind": c.kind, "value": None if c.value is None else str(c.value),
             "observed_on": c.observed_on.isoformat(), "rule": c.rule, "rule_label": c.rule_label, "points": c.points,
             "min_level": c.min_level, "counted": c.counted}
            for c in sorted(self.contributions, key=lambda c: (not c.counted, -c.points, -RANK[c.min_level], c.signal))
        ]


D = Decimal
# Defaults from local practice (DOMAIN.md): wage arrears under 1 month yellow, 1–2 months orange,
# over 2 months red ("over 2 months" read as 2 months or more); a collective case red; an owner
# who cannot be reached red; a production halt orange. Points place combinations between levels.
# Each row's source is its own basis (the page shows it per rule): a statute where one applies,
# else what the default rests on and that it is not law.
DEFAULT_RULES = (
    RuleRow(WAGE_ARREARS, 30, YELLOW, D(0), D(1), "欠薪不足1个月（黄色）",
            source="默认值，地方欠薪预警实践：欠薪不足1个月为黄色（见 docs/alerts.md）"),
    RuleRow(WAGE_ARREARS, 60, ORANGE, D(1), D(2), "欠薪1至2个月（橙色）",
            source="默认值，地方欠薪预警实践：欠薪1至2个月为橙色（见 docs/alerts.md）"),
    RuleRow(WAGE_ARREARS, 90, RED, D(2), None, "欠薪2个月以上（红色）",
            source="默认值，地方欠薪预警实践：欠薪2个月以上为红色（“2个月以上”含满2个月，见 docs/alerts.md）"),
    RuleRow(SOCIAL_INSURANCE_ARREARS, 20, NONE, D(1), D(3), "欠缴社保1至3个月",
            source="默认值，非法定：社保经办机构报送的欠缴1至3个月，单独不预警，与其他信号叠加"),
    RuleRow(SOCIAL_INSURANCE_ARREARS, 40, YELLOW, D(3), None, "欠缴社保3个月以上",
            source="默认值，非法定：社保经办机构报送的欠缴3个月以上，至少黄色"),
    RuleRow(TAX_ARREARS, 20, NONE, D(1), None, "欠税",
            source="默认值，非法定：税务部门报送的欠税，经营困难的信号，与其他信号叠加"),
    RuleRow(POWER_ARREARS, 20, NONE, D(1), None, "欠缴电费",
            source="默认值，非法定：供电企业报送的欠缴电费，常先于停产出现，与其他信号叠加"),
    RuleRow(WATER_ARREARS, 10, NONE, D(1), None, "欠缴水费",
            source="默认值，非法定：供水企业报送的欠缴水费，与其他信号叠加"),
    RuleRow(PRODUCTION_HALT, 60, ORANGE, None, None, "停产、半停产",
            source="默认值，地方预警实践：停产、半停产的企业至少橙色，县级同时掌握"),
    RuleRow(OWNER_UNREACHABLE, 100, RED, None, None, "企业主失联",
            source="默认值，地方欠薪预警实践：企业主失联即为红色，须1日内处置"),
    RuleRow(MASS_LAYOFF, 40, YELLOW, D(1), None, "经济性裁员规模：同日减员20人以上，或不足20人但占职工总数10%以上",
            source="劳动合同法第四十一条：裁减人员二十人以上或者裁减不足二十人但占企业职工总数百分之十以上（法定标准，"
                   "无人数下限、无观察期；登记系统不记录离职原因，同日结束的劳动关系视为一次裁减）"),
    RuleRow(ABNORMAL_TURNOVER, 20, NONE, TURNOVER_MIN_PERCENT, None, "90天内人员异常流动",
            source="默认值，非法定：30人以上企业90天内离职达期初人数30%，系统据用工登记计算"),
    RuleRow(COLLECTIVE_DISPUTE, 100, RED, D(10), None, "集体劳动争议（红色）",
            source="劳动者一方十人以上的集体争议（劳动争议调解仲裁法第七条）；定为红色是本地默认，立案即计"),
    RuleRow(REPEATED_DISPUTES, 30, YELLOW, D(REPEATED_MIN_CASES), D(6), "90天内多起劳动争议",
            source="默认值，非法定：90天内受理3至5起劳动争议，系统据争议案件计算"),
    RuleRow(REPEATED_DISPUTES, 60, ORANGE, D(6), None, "90天内6起以上劳动争议",
            source="默认值，非法定：90天内受理6起以上劳动争议，系统据争议案件计算"),
    RuleRow(HOTLINE_COMPLAINT, 10, NONE, D(1), D(3), "12351热线投诉",
            source="默认值，非法定：12351职工服务热线投诉1至2次"),
    RuleRow(HOTLINE_COMPLAINT, 30, YELLOW, D(3), None, "12351热线多次投诉",
            source="默认值，非法定：12351职工服务热线投诉3次以上，至少黄色"),
    RuleRow(INSPECTION_FINDING, 20, NONE, D(1), None, "劳动监察发现问题",
            source="默认值，非法定：劳动保障监察机构报送的检查发现问题"),
    RuleRow(MANUAL_REPORT, 30, YELLOW, None, None, "镇街上报风险",
            source="默认值，非法定：镇街维权站上报的风险，至少黄色"),
)
# Local rules seeded inactive beside the defaults: a county that wants them switches them on (and,
# to tighten, the statutory row off). Each says that it is a local choice.
LOCAL_RULES = (
    RuleRow(MASS_LAYOFF, 40, YELLOW, D(LOCAL_LAYOFF_FLOOR), None, "本地规则：30天内累计减员10人以上且达到法定规模",
            window_days=LOCAL_LAYOFF_WINDOW_DAYS,
            source="地方选择，非法定：在劳动合同法第四十一条的规模（20人以上或占职工总数10%以上）之上，"
                   "另加10人的下限和30天的累计期；第四十一条本身没有这两项"),
)
# Points to reach each level, response deadlines (red 1 day, orange 3, yellow 7) and who is
# assigned: the town always, the county as well for orange and red. Blue is watched, not alerted.
DEFAULT_LEVELS = (
    LevelRow(BLUE, 1, 0, raises_alert=False, source="默认值：有信号但未达黄色，列入关注名单，不发预警"),
    LevelRow(YELLOW, 30, 7, source="默认值，地方欠薪预警实践：黄色预警7日内响应，由镇街处置"),
    LevelRow(ORANGE, 60, 3, county=True, source="默认值，地方欠薪预警实践：橙色预警3日内响应，镇街处置，县级同时负责"),
    LevelRow(RED, 90, 1, county=True, source="默认值，地方欠薪预警实践：红色预警1日内响应，县级同时负责"),
)


def is_active(signal: SignalRow, today: date) -> bool:
    """A signal counts from its date until its expiry (inclusive)."""
    return signal.observed_on <= today and (signal.expires_on is None or today <= signal.expires_on)


def default_expiry(kind: str, observed_on: date) -> date:
    return observed_on + timedelta(days=DEFAULT_VALID_DAYS.get(kind, VALID_DAYS))


def rule_matches(rule: RuleRow, kind: str, value: Decimal | None) -> bool:
    if rule.kind != kind:
        return False
    if rule.at_least is None and rule.below is None:
        return True
    if value is None:
        return False
    return (rule.at_least is None or value >= rule.at_least) and (rule.below is None or value < rule.below)


def best_rule(rules, kind: str, value) -> RuleRow | None:
    """The strongest rule a signal meets (highest level, then points): overlapping bands never add up."""
    matched = [r for r in rules if rule_matches(r, kind, value)]
    return max(matched, key=lambda r: (RANK[r.min_level], r.points), default=None)


def level_for_points(points: int, levels) -> str:
    reached = [row for row in levels if points >= row.min_points and row.min_points > 0]
    return max(reached, key=lambda row: row.min_points).level if reached else NONE


def assess(signals, rules, levels, today: date) -> Assessment:
    """An enterprise's score and level from its signals.

    Each active signal meets at most one rule (the strongest). Per kind only the strongest signal
    counts (a partner reporting the same arrears every month must not add up); different kinds add
    up. The level is the higher of the level the points reach and every counted rule's minimum
    level. Every active signal appears in the explanation, counted or not."""
    result = Assessment()
    best_by_kind: dict[str, Contribution] = {}
    candidates = []
    for s in signals:
        if not is_active(s, today):
            continue
        rule = best_rule(rules, s.kind, s.value)
        if rule is None:
            continue
        c = Contribution(s.pk, s.kind, s.value, s.observed_on, rule.pk, rule.label, rule.points, rule.min_level, True)
        candidates.append(c)
        held = best_by_kind.get(s.kind)
        if held is None or (c.points, RANK[c.min_level], c.observed_on, c.signal) > (
                held.points, RANK[held.min_level], held.observed_on, held.signal):
            best_by_kind[s.kind] = c
    counted = {c.signal for c in best_by_kind.values()}
    for c in candidates:
        result.contributions.append(c if c.signal in counted else Contribution(**{**c.__dict__, "counted": False}))
    result.score = sum(c.points for c in best_by_kind.values())
    level = level_for_points(result.score, levels)
    for c in best_by_kind.values():
        if RANK[c.min_level] > RANK[level]:
            level = c.min_level
    result.level = level
    return result


def rises(old: str, new: str) -> bool:
    return RANK[new] > RANK[old]


def policy(levels, level: str) -> LevelRow | None:
    return next((row for row in levels if row.level == level), None)


def response_deadline(raised_on: date, level: str, levels) -> date:
    row = policy(levels, level)
    return raised_on + timedelta(days=row.response_days if row else 1)


def raises_alert(level: str, levels) -> bool:
    row = policy(levels, level)
    return bool(row and row.raises_alert)


def county_assigned(level: str, levels) -> bool:
    row = policy(levels, level)
    return bool(row and row.county)


# --- plausibility of a signal's figures -----------------------------------------------------------

def value_problem(kind: str, value, amount, workers, head_count: int | None = None) -> str | None:
    """A message code (see ``MESSAGES``) when a signal's figures are impossible, else None."""
    if kind not in KINDS:
        return "unknown_kind"
    for figure in (value, amount, workers):
        if figure is not None and figure < 0:
            return "negative"
    if kind in VALUE_KINDS and value is None:
        return "value_required"
    if kind in MONTH_KINDS and value is not None and value > MAX_MONTHS:
        return "too_many_months"
    if kind == ABNORMAL_TURNOVER and value is not None and value > 100:
        return "percent_over_100"
    if workers is not None and head_count and workers > head_count * 2:
        return "more_workers_than_staff"
    if kind == WAGE_ARREARS and amount:
        months = max(Decimal(value or 0), Decimal(1))
        people = max(int(workers or head_count or 1), 1)
        if Decimal(amount) > MAX_YUAN_PER_WORKER_MONTH * months * people:
            return "implausible_amount"
    return None


# --- computed signals -----------------------------------------------------------------------------

def is_statutory_layoff(left: int, head_count: int) -> bool:
    """劳动合同法 art. 41: 20 or more workers, or fewer that are 10 % or more of all workers (the
    staff before the reduction: the head count is after the departures)."""
    staff = head_count + left
    if left <= 0:
        return False
    return left >= LAYOFF_MIN_WORKERS or Decimal(left) / staff >= LAYOFF_MIN_SHARE


def layoff_value(left: int, head_count: int, floor: int | Decimal | None = None) -> int | None:
    """Workers let go when that is a layoff by art. 41 and, if a local rule sets one, reaches its
    floor (None otherwise)."""
    if not is_statutory_layoff(left, head_count):
        return None
    if floor is not None and left < floor:
        return None
    return left


def layoff_count(departures: dict, today: date, window_days: int | None) -> int:
    """Departures one layoff rule counts on ``today`` from ``departures`` ({end date: number}):
    with a window, those ending in the last ``window_days`` days; without one, the largest number
    ending on one day in the last LAYOFF_LOOKBACK_DAYS days (one reduction)."""
    if window_days:
        since = today - timedelta(days=window_days)
        return sum(n for day, n in departures.items() if since <= day <= today)
    since = today - timedelta(days=LAYOFF_LOOKBACK_DAYS)
    return max((n for day, n in departures.items() if since <= day <= today), default=0)


def layoff_windows(rules) -> set:
    """The counting periods the mass-layoff rules need (None = one day)."""
    return {r.window_days for r in rules if r.kind == MASS_LAYOFF}


def layoff_signal(departures: dict, head_count: int, today: date, rules) -> tuple[int, RuleRow] | None:
    """The layoff an enterprise's departures make under the active mass-layoff ``rules``, as
    (workers, the rule it meets), or None. A rule is met when its count (``layoff_count``) is a
    statutory layoff and lies in its band (``at_least`` is its floor); the strongest rule met wins,
    then the larger count."""
    met = []
    for rule in rules:
        if rule.kind != MASS_LAYOFF:
            continue
        left = layoff_count(departures, today, rule.window_days)
        if layoff_value(left, head_count, rule.at_least) and (rule.below is None or left < rule.below):
            met.append((RANK[rule.min_level], rule.points, left, rule))
    if not met:
        return None
    best = max(met, key=lambda m: m[:3])
    return best[2], best[3]


def turnover_percent(left_in_window: int, head_count: int) -> Decimal | None:
    """Departures in the window as a percent of the staff at its start, when abnormal (None otherwise)."""
    staff = head_count + left_in_window
    if staff < TURNOVER_MIN_HEAD_COUNT or not left_in_window:
        return None
    percent = (Decimal(left_in_window) * 100 / staff).quantize(Decimal("0.1"))
    return percent if percent >= TURNOVER_MIN_PERCENT else None


def repeated_disputes(cases_in_window: int) -> int | None:
    return cases_in_window if cases_in_window >= REPEATED_MIN_CASES else None


# --- measures -------------------------------------------------------------------------------------

def prevented(raised_on: date, closed_on: date | None, case_dates, today: date,
              window_days: int = DISPUTE_WINDOW_DAYS) -> bool | None:
    """Whether a closed alert prevented a dispute: no case was received against the enterprise from
    the day the alert was raised until ``window_days`` after it was closed. None while that is not
    yet known (the alert is open, or its window has not passed and no case arose so far)."""
    if closed_on is None:
        return None
    end = closed_on + timedelta(days=window_days)
    if any(raised_on <= d <= end for d in case_dates):
        return False
    return True if today > end else None
