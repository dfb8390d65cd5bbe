"""Demo early warning of the demo county: half a year of risk signals, then the real scan and the
real alert services over that half year, so that enterprise risks, level changes and alerts are
exactly what Concord itself would have made of the signals.

Called by ``seed.seed`` after the dispute cases, inside the same transaction with the change log
paused. Deterministic for a given seed and day (the window ends on the day of seeding, as the
dispute cases do).

1. **Signals** (``plan_signals``): partner departments' lists (the power company weekly, water
   every two weeks, social insurance and tax monthly, the wage-payment monitoring platform
   weekly), 12351 hotline summaries, labour-inspection findings, production halts, owners who
   cannot be reached and towns' manual reports, as *episodes*: an enterprise in arrears is on
   each list until it pays, its arrears growing meanwhile. About eight signals per enterprise
   (200,000 at county scale, the benchmark's size), written with batched INSERTs.
2. **The half year, replayed** (``Replay``): every two weeks ``services.scan(day)`` (computed
   signals from employments and cases, every enterprise assessed, alerts raised, lifted and
   escalated); between scans each new alert is handled as planned when it was raised (first
   response within or after its deadline, one to three disposal actions, closure with an outcome)
   through ``services.action_record`` and ``services.alert_close``. Timeline rows are stamped with
   the day they describe. Recent alerts are still open or being handled.
3. **The story**: an enterprise of 钱清街道 reported five weeks ago for wage arrears of under a
   month (yellow alert; the town officer ``town_qianqing`` visited, talked with the employer and
   closed it as under control), reported yesterday with arrears of over two months: red today,
   with an open red alert for the town (``story_enterprise``).
4. ``services.scan(today)`` once more, so a scan run after seeding changes nothing.
"""
from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from decimal import Decimal
import heapq
from itertools import accumulate
import random
import time

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone, translation

from concord.alerts import rules, services
from concord.alerts.models import (
    ActionKind, Alert, AlertAction, AlertOutcome, AlertStatus, RiskSignal, SignalSource,
)
from concord.core.models import Event, Notification, Region, User
from concord.disputes.models import Case
from concord.registry.models import Employment, Enterprise

from . import seed as base

WINDOW_DAYS = 182  # half a year of signals up to the day of seeding
SCAN_EVERY_DAYS = 14  # the replayed scans (the real job runs every 6 hours)
SIGNALS_PER_ENTERPRISE = 8
SIGNAL_COUNTS = {"tiny": 400, "small": 2_400, "county": 200_000}
STORY_YELLOW_DAYS_AGO = 35
STORY_EVIDENCE = ("工资支付监控平台：拖欠{workers}名职工{months}个月工资约{amount}元", )


@dataclass(frozen=True)
class Feed:
    """A source of signals of one kind: who reports, how often (days; 0 = one report), its share
    of all signal rows, the mean number of reports of one episode, and the days a report counts."""

    kind: str
    source: str
    every: int
    share: float
    reports: float
    valid: int


# Shares of the signal rows (basis in docs/demo-data.md): the utilities' and social insurance's
# arrears lists are long and frequent, so they are most of the rows; wage arrears, rarer and
# shorter, are the commonest cause of alerts.
FEEDS = (
    Feed(rules.POWER_ARREARS, SignalSource.PARTNER_FILE, 7, 0.58, 12, 30),
    Feed(rules.WATER_ARREARS, SignalSource.PARTNER_FILE, 14, 0.16, 6, 30),
    Feed(rules.SOCIAL_INSURANCE_ARREARS, SignalSource.PARTNER_FILE, 30, 0.10, 4, 45),
    Feed(rules.TAX_ARREARS, SignalSource.PARTNER_FILE, 30, 0.08, 4, 45),
    Feed(rules.WAGE_ARREARS, SignalSource.PARTNER_FILE, 7, 0.025, 6, 21),
    Feed(rules.HOTLINE_COMPLAINT, SignalSource.HOTLINE, 30, 0.01, 1.5, 45),
    Feed(rules.INSPECTION_FINDING, SignalSource.INSPECTION, 0, 0.006, 1, 60),
    Feed(rules.PRODUCTION_HALT, SignalSource.PARTNER_FILE, 0, 0.0006, 1, 60),
    Feed(rules.OWNER_UNREACHABLE, SignalSource.MANUAL, 0, 0.0001, 1, 90),
    Feed(rules.MANUAL_REPORT, SignalSource.MANUAL, 0, 0.0003, 1, 90),
)
# Kinds that need employees (a complaint, a finding or arrears of pay need someone to be owed).
STAFF_KINDS = frozenset({rules.WAGE_ARREARS, rules.SOCIAL_INSURANCE_ARREARS, rules.HOTLINE_COMPLAINT,
                         rules.INSPECTION_FINDING})
EVIDENCE = {
    rules.POWER_ARREARS: "供电公司欠费清单：欠缴电费{months}个月，约{amount}元",
    rules.WATER_ARREARS: "水务集团欠费名单：欠缴水费{months}个月，约{amount}元",
    rules.SOCIAL_INSURANCE_ARREARS: "社保中心欠费名单：欠缴社会保险费{months}个月，约{amount}元",
    rules.TAX_ARREARS: "税务局欠税名单：欠缴税款{months}个月，约{amount}元",
    rules.WAGE_ARREARS: STORY_EVIDENCE[0],
    rules.HOTLINE_COMPLAINT: "12351热线：本月{count}次来电反映工资发放、加班费等问题",
    rules.INSPECTION_FINDING: "劳动保障监察日常巡查：发现{count}项问题（未签劳动合同、超时加班、工资台账不全等）",
    rules.PRODUCTION_HALT: "供电公司用电监测：连续两周用电量下降八成以上，疑似停产",
    rules.OWNER_UNREACHABLE: "镇街走访：企业法定代表人电话无法接通，厂区无人值守",
    rules.MANUAL_REPORT: "镇街维权站走访发现：企业订单明显减少，职工反映工资发放推迟",
}
# Months overdue on a partner's first listing, and the chance the arrears grow by the next list.
START_MONTHS = {
    rules.POWER_ARREARS: ({"0.5": 92, "1": 6, "2": 2}, 0.05),
    rules.WATER_ARREARS: ({"0.5": 92, "1": 6, "2": 2}, 0.08),
    rules.TAX_ARREARS: ({"0.5": 78, "1": 17, "2": 5}, 0.2),
    rules.SOCIAL_INSURANCE_ARREARS: ({"0.5": 78, "1": 17, "2": 4, "3": 1}, 0.25),
}
MONTHLY_FEE = {rules.POWER_ARREARS: 9_000, rules.WATER_ARREARS: 1_500, rules.TAX_ARREARS: 12_000}
FRAGILITY_SIGMA = 0.6
WAGE = 5_500  # yuan a month per worker, for the amounts in arrears

# How alerts are handled (planned when raised): days to the first response as a share of the
# level's deadline, late responses, further actions and how long to closure.
LATE_SHARE = 0.12
ACTIONS_FIRST = {ActionKind.VISIT: 80, ActionKind.EMPLOYER_TALK: 20}
ACTIONS_MORE = {
    ActionKind.EMPLOYER_TALK: 35, ActionKind.WAGE_GUARANTEE: 15, ActionKind.TRIPARTITE_MEETING: 15,
    ActionKind.INSPECTION_REFERRAL: 12, ActionKind.PROPERTY_PRESERVATION: 5, ActionKind.OTHER: 18,
}
SUMMARIES = {
    ActionKind.VISIT: "维权站走访企业，核实{reason}，查看工资台账和考勤记录，听取职工意见",
    ActionKind.EMPLOYER_TALK: "约谈企业负责人，告知法律责任，企业承诺限期解决",
    ActionKind.TRIPARTITE_MEETING: "召集人社、工会、企业三方协调，商定工资清偿方案和时间表",
    ActionKind.WAGE_GUARANTEE: "督促企业补足工资保证金，落实欠薪应急周转金预案",
    ActionKind.PROPERTY_PRESERVATION: "协助职工向法院申请诉前财产保全，查封企业设备",
    ActionKind.INSPECTION_REFERRAL: "移送劳动保障监察大队调查处理",
    ActionKind.OTHER: "联系供电、税务部门了解企业经营状况，跟踪订单和资金情况",
}
OUTCOMES = {AlertOutcome.RESOLVED: 55, AlertOutcome.CONTROLLED: 30, AlertOutcome.REFERRED: 10,
            AlertOutcome.NO_RISK: 5}
OUTCOME_NOTES = {
    AlertOutcome.RESOLVED: "企业已补发拖欠款项，职工情绪稳定，风险消除",
    AlertOutcome.CONTROLLED: "企业制定清偿计划并按期履行，维权站持续跟踪",
    AlertOutcome.REFERRED: "已移送劳动保障监察部门依法处理",
    AlertOutcome.NO_RISK: "经核实企业生产经营正常，未发现劳动关系风险",
}
SIGNAL_COLUMNS = ("id", "enterprise_id", "region_id", "kind", "source", "observed_on", "value", "amount",
                  "workers_affected", "evidence", "expires_on", "key", "reported_by_id", "created_at")


def signal_count(scale) -> int:
    for name, params in base.SCALES.items():
        if scale == name or scale == params:
            return SIGNAL_COUNTS[name]
    return max(50, scale.enterprises * SIGNALS_PER_ENTERPRISE)


def _weighted(table):
    keys = tuple(table)
    return keys, list(accumulate(table[k] for k in keys))


def _pick(rng, cum_table):
    keys, cum = cum_table
    return keys[bisect(cum, rng.random() * cum[-1])]


def story_enterprise():
    """The enterprise of the demo's story: in 钱清街道, with staff, not the union officer's
    enterprise, with no dispute case and nobody leaving in the last months (so nothing but the
    story's signals moves its level)."""
    today = timezone.localdate()
    demo = base.demo_enterprise()
    since = today - timedelta(days=WINDOW_DAYS + 30)
    busy = set(Case.objects.filter(received_on__gte=since).values_list("respondent_id", flat=True))
    busy |= set(Employment.objects.filter(end_date__gte=since).values_list("enterprise_id", flat=True))
    candidates = list(Enterprise.objects.filter(region__code=base.QIANQING, head_count__gt=0)
                      .exclude(pk=getattr(demo, "pk", None)).order_by("pk").values_list("pk", "head_count"))

    def rank(row):
        pk, head = row
        return (pk in busy, not 30 <= head <= 300, pk)
    return Enterprise.objects.get(pk=min(candidates, key=rank)[0]) if candidates else None


class SignalPlanner:
    def __init__(self, rng, today: date, n: int, enterprises, story_pk):
        self.rng, self.today, self.n = rng, today, n
        self.first = today - timedelta(days=WINDOW_DAYS - 1)
        # Trouble clusters: an enterprise in arrears with one partner is often in arrears with others.
        self.enterprises = [e for e in enterprises if e[0] != story_pk]
        fragility = [rng.lognormvariate(0, FRAGILITY_SIGMA) for _ in self.enterprises]
        self.cum = list(accumulate(fragility))
        self.staffed = [e for e in self.enterprises if e[2] > 0]
        self.staffed_cum = list(accumulate(f for e, f in zip(self.enterprises, fragility) if e[2] > 0))
        self.feeds = _weighted({feed: feed.share / feed.reports for feed in FEEDS})
        self.report_days = {}
        for feed in FEEDS:
            if feed.every:
                # The lists of one feed arrive on the same day of the week or month.
                offset = rng.randrange(feed.every)
                self.report_days[feed.kind] = [self.first + timedelta(days=d)
                                               for d in range(offset, WINDOW_DAYS, feed.every)]

    def enterprise(self, staff: bool):
        pool, cum = (self.staffed, self.staffed_cum) if staff else (self.enterprises, self.cum)
        return pool[bisect(cum, self.rng.random() * cum[-1])]

    def plan(self) -> list[tuple]:
        rng = self.rng
        rows = []
        while len(rows) < self.n:
            feed = _pick(rng, self.feeds)
            ent = self.enterprise(feed.kind in STAFF_KINDS)
            rows.extend(self.episode(feed, ent))
        rows = rows[: self.n]
        rows.sort(key=lambda r: (r[1], r[0][0], r[2]))
        return rows

    def episode(self, feed, ent) -> list[tuple]:
        """(enterprise row, observed_on, kind, source, value, amount, workers, evidence, expires_on) per report."""
        rng = self.rng
        pk, region, head = ent
        if feed.every:
            days = self.report_days[feed.kind]
            start = rng.randrange(len(days))
            length = 1 + int(rng.expovariate(1 / max(feed.reports - 1, 0.01))) if feed.reports > 1 else 1
            days = days[start:start + length]
        else:
            days = [self.first + timedelta(days=rng.randrange(WINDOW_DAYS))]
        out = []
        kind = feed.kind
        if kind == rules.WAGE_ARREARS:
            months = Decimal(str(round(rng.uniform(0.2, 0.9), 1)))
            workers = max(1, min(head, round(head * rng.uniform(0.15, 1.0))))
            for day in days:
                amount = (workers * WAGE * months / 100).quantize(Decimal(1)) * 100
                out.append((ent, day, kind, feed.source, months, amount, workers,
                            EVIDENCE[kind].format(workers=workers, months=months.normalize(), amount=f"{amount:,.0f}"),
                            day + timedelta(days=feed.valid)))
                months += Decimal(feed.every) / 30
                months = months.quantize(Decimal("0.1"))
        elif kind in rules.MONTH_KINDS:
            # Most listed accounts are less than a month overdue: on the list, but below every rule.
            start, grow = START_MONTHS[kind]
            months = Decimal(_pick(rng, _weighted(start)))
            for day in days:
                fee = MONTHLY_FEE.get(kind) or max(1, head) * 1_200
                amount = Decimal(int(fee * months * Decimal(str(rng.uniform(0.7, 1.3)))) // 100 * 100)
                out.append((ent, day, kind, feed.source, months, amount, None,
                            EVIDENCE[kind].format(months=months.normalize(), amount=f"{amount:,.0f}"),
                            day + timedelta(days=feed.valid)))
                # Routine late payers (under a month) stay so; real arrears grow.
                if months >= 1 and rng.random() < grow:
                    months += 1
        elif kind in (rules.HOTLINE_COMPLAINT, rules.INSPECTION_FINDING):
            weights = {1: 78, 2: 18, 3: 3, 4: 1} if kind == rules.HOTLINE_COMPLAINT else {1: 60, 2: 28, 3: 12}
            for day in days:
                count = _pick(rng, _weighted(weights))
                out.append((ent, day, kind, feed.source, Decimal(count), None, None, EVIDENCE[kind].format(count=count),
                            day + timedelta(days=feed.valid)))
        else:
            for day in days:
                out.append((ent, day, kind, feed.source, None, None, None, EVIDENCE[kind],
                            day + timedelta(days=feed.valid)))
        return out


@dataclass(order=True)
class _Step:
    day: date
    order: int
    what: str = field(compare=False)
    alert: int = field(compare=False)
    kind: str = field(compare=False, default="")
    outcome: str = field(compare=False, default="")


class Replay:
    """The half year replayed day by day: scans, the handling of each alert as planned, the story."""

    def __init__(self, rng, today: date, say, story):
        self.rng, self.today, self.say = rng, today, say
        self.story = story
        self.began = time.monotonic()
        users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in base.ACCOUNTS])}
        self.admin = users.get("county_admin")
        towns = {r.code: r.pk for r in Region.objects.filter(code__in=[base.QIANQING, base.KEQIAO])}
        self.officers = {towns[base.QIANQING]: users.get("town_qianqing"), towns[base.KEQIAO]: users.get("town_keqiao")}
        self.steps: list[_Step] = []
        self.counter = 0
        self.last_planned = self._last(Alert)
        self.now = timezone.now()
        self.marks = {model: self._last(model) for model in (Event, Alert, AlertAction, RiskSignal)}
        self.stats = {"scans": 0, "actions": 0, "closed": 0}
        self.scan_days: list[date] = []
        self.escalation_planned = False

    @staticmethod
    def _last(model) -> int:
        return model.objects.aggregate(m=Max("pk"))["m"] or 0

    def actor_for(self, alert):
        return self.officers.get(alert.region_id) or self.admin

    def stamp(self, day: date):
        return timezone.make_aware(datetime.combine(day, dtime(10, 0)))

    def backdate(self, day: date) -> None:
        """Rows written while replaying ``day`` carry that day's time, not the time of seeding."""
        moment = self.stamp(day)
        for model in (Event, Alert, AlertAction, RiskSignal):
            mark = self.marks[model]
            last = self._last(model)
            if last > mark:
                model.objects.filter(pk__gt=mark).update(created_at=moment)
                self.marks[model] = last
        Alert.objects.filter(updated_at__gte=self.now).update(updated_at=moment)

    def push(self, day, what, alert, **extra):
        self.counter += 1
        heapq.heappush(self.steps, _Step(day, self.counter, what, alert, **extra))

    def plan_alerts(self) -> None:
        """Plan the handling of every alert raised since the last call (not the story's)."""
        rng = self.rng
        for alert in Alert.objects.filter(pk__gt=self.last_planned).order_by("pk").only(
                "pk", "level", "deadline", "raised_on", "enterprise_id"):
            self.last_planned = alert.pk
            if self.story is not None and alert.enterprise_id == self.story.pk:
                continue
            raised = alert.raised_on
            allowed = max(0, (alert.deadline - raised).days)
            if rng.random() < LATE_SHARE:
                first = alert.deadline + timedelta(days=2 + rng.randrange(10))
            else:
                first = raised + timedelta(days=rng.randint(0, allowed))
            # One yellow or blue alert waits past a scan after its deadline, so that whatever the
            # day of seeding the demo shows an escalation by the job (late answers alone may all
            # fall between two scans). The random draws stay the same; only that day moves.
            later_scan = next((d for d in self.scan_days if d > alert.deadline), None)
            if not self.escalation_planned and alert.level in ("blue", "yellow") and later_scan and later_scan < self.today:
                first = max(first, later_scan + timedelta(days=1))
                self.escalation_planned = True
            self.push(first, "act", alert.pk, kind=_pick(rng, _weighted(ACTIONS_FIRST)))
            when = first
            for _n in range(rng.choice((0, 1, 1, 2, 2, 3))):
                when += timedelta(days=1 + rng.randrange(10))
                self.push(when, "act", alert.pk, kind=_pick(rng, _weighted(ACTIONS_MORE)))
            when += timedelta(days=1 + int(rng.expovariate(1 / 8)))
            self.push(when, "close", alert.pk, outcome=_pick(rng, _weighted(OUTCOMES)))

    def do(self, step: _Step) -> None:
        alert = Alert.objects.select_related("enterprise", "region").get(pk=step.alert)
        if alert.status == AlertStatus.CLOSED:
            return
        actor = self.actor_for(alert)
        if step.what == "act":
            reason = alert.reason or alert.enterprise.name
            services.action_record(alert, actor=actor, kind=step.kind, done_on=step.day, today=step.day,
                                   summary=SUMMARIES[step.kind].format(reason=reason[:60]))
            self.stats["actions"] += 1
        elif alert.status == AlertStatus.HANDLING:
            services.alert_close(alert, actor=actor, outcome=step.outcome, note=OUTCOME_NOTES[step.outcome],
                                 closed_on=step.day, today=step.day)
            self.stats["closed"] += 1

    def story_steps(self) -> dict[date, list]:
        """The story's reports and the town officer's handling of its yellow alert, by day."""
        if self.story is None:
            return {}
        ent, today = self.story, self.today
        workers = max(1, min(ent.head_count, round(ent.head_count * 0.6)))
        yellow_day = today - timedelta(days=STORY_YELLOW_DAYS_AGO)

        def report(months, day, observed):
            def run():
                amount = (workers * WAGE * months / 100).quantize(Decimal(1)) * 100
                services.signal_record(
                    actor=self.admin, enterprise=ent, kind=rules.WAGE_ARREARS, observed_on=observed, value=months,
                    amount=amount, workers_affected=workers, source=SignalSource.PARTNER_FILE, today=day,
                    evidence=STORY_EVIDENCE[0].format(workers=workers, months=months.normalize(), amount=f"{amount:,.0f}"))
            return run

        def handle(kind, day, summary=None, close=None):
            def run():
                alert = Alert.objects.filter(enterprise=ent).exclude(status=AlertStatus.CLOSED).first()
                officer = self.officers.get(ent.region_id) or self.admin
                if alert is None:
                    return
                if close:
                    services.alert_close(alert, actor=officer, outcome=close, note=summary, closed_on=day, today=day)
                else:
                    services.action_record(alert, actor=officer, kind=kind, done_on=day, today=day, summary=summary)
            return run

        d = yellow_day
        return {
            d: [report(Decimal("0.5"), d, d)],
            d + timedelta(days=1): [handle(ActionKind.VISIT, d + timedelta(days=1),
                                           "维权站走访企业，核实拖欠半个月工资的情况，企业称货款未回笼")],
            d + timedelta(days=3): [handle(ActionKind.EMPLOYER_TALK, d + timedelta(days=3),
                                           "约谈企业负责人，企业承诺本月底前补发拖欠工资")],
            d + timedelta(days=6): [handle(None, d + timedelta(days=6), "企业承诺月底前补发，维权站持续跟踪",
                                           close=AlertOutcome.CONTROLLED)],
            today: [report(Decimal("2.2"), today, today - timedelta(days=1))],
        }

    def run(self) -> dict:
        today = self.today
        first = today - timedelta(days=WINDOW_DAYS - 1)
        scans = [first + timedelta(days=d) for d in range(SCAN_EVERY_DAYS - 1, WINDOW_DAYS - 1, SCAN_EVERY_DAYS)]
        story = self.story_steps()
        self.scan_days = scans
        for day in sorted(set(scans) | {d for d in story if d < today}):
            # Handling due before this day, then the day's scan, its new alerts' plans, the story.
            self.handle_until(day - timedelta(days=1))
            if day in scans:
                services.scan(day)
                self.stats["scans"] += 1
                self.plan_alerts()
            for run in story.get(day, ()):
                run()
                self.plan_alerts()
            self.handle_until(day)
            if day in scans and self.stats["scans"] % 4 == 0:
                self.say(f"early warning replayed to {day.isoformat()}: {Alert.objects.count():,} alerts "
                         f"({time.monotonic() - self.began:.0f} s)")
        self.handle_until(today - timedelta(days=1))
        # Today: the story's red report, then the day's scan (which finds nothing more to do for it).
        for run in story.get(today, ()):
            run()
        result = services.scan(today)
        self.stats["scans"] += 1
        return {**self.stats, "today_scan": result}

    def handle_until(self, last: date) -> None:
        while self.steps and self.steps[0].day <= last:
            day = self.steps[0].day
            while self.steps and self.steps[0].day == day:
                self.do(heapq.heappop(self.steps))
            self.backdate(day)
        self.backdate(last)


def seed_alerts(scale, seed_value: int, *, today: date | None = None, use_copy: bool = False, progress=None) -> dict:
    """Load the demo county's risk signals and replay half a year of early warning over them."""
    say = progress or (lambda line: None)
    today = today or timezone.localdate()
    began = time.monotonic()
    rng = random.Random(seed_value * 104_729 + 5)
    use_copy = use_copy and connection.vendor == "postgresql"
    sqlite = connection.vendor == "sqlite"
    notified_from = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
    with translation.override("zh-hans"):
        story = story_enterprise()
        enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "region_id", "head_count"))
        planner = SignalPlanner(rng, today, signal_count(scale), enterprises, getattr(story, "pk", None))
        rows = planner.plan()
        dv = date.isoformat if sqlite else (lambda d: d)
        pk = base._next_id(RiskSignal)
        stamps = {}
        with connection.cursor() as cursor:
            writer = base._TableWriter(cursor, RiskSignal, SIGNAL_COLUMNS, use_copy=use_copy)
            batch = []
            for ent, day, kind, source, value, amount, workers, evidence, expires in rows:
                if day not in stamps:
                    stamps[day] = connection.ops.adapt_datetimefield_value(
                        timezone.make_aware(datetime.combine(day, dtime(8, 0))))
                batch.append((pk, ent[0], ent[1], kind, source, dv(day), value, amount, workers, evidence, dv(expires),
                              None, None, stamps[day]))
                pk += 1
                if len(batch) >= 10_000:
                    writer.extend(batch)
                    batch = []
            writer.extend(batch)
            writer.flush()
            if connection.vendor == "postgresql":
                from django.core.management.color import no_style

                for statement in connection.ops.sequence_reset_sql(no_style(), [RiskSignal]):
                    cursor.execute(statement)
        say(f"risk signals: {writer.count:,} ({time.monotonic() - began:.0f} s)")
        replay = Replay(rng, today, say, story)
        stats = replay.run()
        say(f"early warning: {Alert.objects.count():,} alerts, {stats['actions']:,} actions, {stats['closed']:,} closed, "
            f"{stats['scans']} scans ({time.monotonic() - began:.0f} s)")

    def quiet_old_notifications():
        # The replayed half year's notifications were read at the time; the last fortnight's open
        # alerts stay unread for their handlers.
        recent = [a.get_absolute_url() for a in Alert.objects.exclude(status=AlertStatus.CLOSED).filter(
            raised_on__gte=today - timedelta(days=14)).only("pk")]
        Notification.objects.filter(pk__gt=notified_from, read_at__isnull=True).exclude(url__in=recent).update(
            read_at=timezone.now())

    transaction.on_commit(quiet_old_notifications)
    return {"signals": writer.count, "alerts": Alert.objects.count(), "story": getattr(story, "pk", None),
            "seconds": time.monotonic() - began, **stats}
