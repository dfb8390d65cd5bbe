"""Demo dispute cases of the demo county: three years of cases up to the day the seed runs, the
demo accounts' own cases, a few tripartite meetings and one example legal setting.

Called by ``seed.seed`` after the registry and the demo accounts exist, inside the same
transaction with the change log paused. Deterministic for a given seed and day: cases run up to
``today`` (the day of seeding by default, so that deadlines are live on the day of the demo; the
registry describes ``seed.AS_OF``). The figures and their basis are in docs/demo-data.md.

Each case is planned (respondent, channel, sub-category, claimants, fate), then its life is
simulated step by step (filed, accepted, consultation, mediation, escalations, agreement and
payments, confirmation or payment order, closure or referral); only the steps on or before
``today`` happen, so recent cases are open in whatever status their plan has reached. Every step
also becomes a domain event (the case timeline), as the services would have written it. Rows are
written with the generator's batched INSERTs (``seed._TableWriter``; COPY on PostgreSQL when
asked), which also lets the rows carry their own creation times.
"""
from __future__ import annotations

from bisect import bisect
from datetime import date, datetime, time as dtime, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
import json
import math
from operator import itemgetter
import random
import time

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concord.core.models import Event, Region, Sequence, User
from concord.disputes import rules, services
from concord.disputes.models import (
    Agreement, Case, CaseDocument, Claimant, FollowUpAction, Installment, LegalSetting, MediationSession, Outcome,
    Source, TripartiteMeeting,
)
from concord.registry.models import Employment, Enterprise, Worker

from . import seed as base

YEARS = 3
# Cases per scale: Keqiao's about 20,000 a year at county size, proportionally fewer below.
CASE_COUNTS = {"tiny": 60, "small": 600, "county": 60_000}
CASES_PER_WORKER = 0.05  # custom scales: 60,000 cases over three years for 1.2 million workers

SUBCATEGORY_WEIGHTS = {
    "wage_arrears": 45, "compensation": 14, "overtime_pay": 10, "social_insurance": 8, "dismissal": 8,
    "work_injury": 6, "contract": 5, "labour_relationship": 2, "hours_leave": 1, "safety": 0.5, "other": 0.5,
}
# Collective disputes are overwhelmingly about unpaid wages.
COLLECTIVE_SUBCATEGORY_WEIGHTS = {"wage_arrears": 80, "overtime_pay": 8, "social_insurance": 7, "compensation": 5}
SOURCE_WEIGHTS = {"walk_in": 38, "hotline": 20, "online": 15, "letters_visits": 8, "labour_inspection": 14,
                  "court_delegated": 5}
REFERRAL_KIND_WEIGHTS = {rules.PRE_FILING: 65, rules.POST_FILING: 25, rules.SIMPLIFIED: 10}
COLLECTIVE_SHARE = 0.05
FATE_WEIGHTS = {"agreement": 72, "failed": 13, "withdrawn": 11, "rejected": 4}
AGREEMENT_OUTCOME_WEIGHTS = {Outcome.PERFORMED: 86, Outcome.CONFIRMED: 9, Outcome.PAYMENT_ORDER: 5}
REFERRAL_WEIGHTS = {Outcome.ARBITRATION: 62, Outcome.LITIGATION: 13, Outcome.LEGAL_AID: 25}
ESCALATION_WEIGHTS = {0: 89, 1: 9.5, 2: 1.5}
CONSULTATION_SHARE = 0.12
# Open cases past their deadline below county level (the escalation job's input) and cases due
# within three days, as shares of all cases.
OVERDUE_SHARE = 0.007
DUE_SOON_SHARE = 0.003
# Per claimant (yuan): lowest, highest, median of a log-normal; None: no money claim.
AMOUNTS = {
    "wage_arrears": (3_000, 60_000, 12_000), "compensation": (8_000, 150_000, 30_000),
    "overtime_pay": (1_500, 30_000, 6_000), "social_insurance": (3_000, 50_000, 12_000),
    "dismissal": (5_000, 100_000, 25_000), "work_injury": (10_000, 300_000, 50_000),
    "contract": (2_000, 50_000, 10_000), "hours_leave": (1_000, 15_000, 4_000), "safety": (1_000, 30_000, 5_000),
    "other": (1_000, 30_000, 5_000), "labour_relationship": None,
}
# Month → relative number of cases received: arrears peak before the Spring Festival.
MONTH_WEIGHTS = {1: 1.45, 2: 0.75, 3: 0.95, 4: 0.95, 5: 0.95, 6: 1.0, 7: 0.95, 8: 0.9, 9: 0.95, 10: 0.9,
                 11: 1.1, 12: 1.4}
GROWTH_PER_YEAR = 0.06

FACTS = {
    "wage_arrears": "申请人自{start}起在被申请人处从事{position}工作，被申请人拖欠{months}个月工资，经多次催讨未果，请求支付拖欠工资。",
    "compensation": "被申请人单方解除劳动合同，未依法支付经济补偿，申请人请求支付经济补偿金。",
    "overtime_pay": "申请人长期每日工作十一小时以上、周末无休，被申请人未足额支付加班工资，请求补发。",
    "social_insurance": "被申请人未为申请人足额缴纳社会保险费，申请人请求补缴并赔偿损失。",
    "dismissal": "被申请人以旷工为由将申请人辞退，申请人认为属违法解除，请求支付赔偿金。",
    "work_injury": "申请人在{position}岗位作业时受伤，已认定为工伤，请求被申请人支付医疗费及停工留薪期工资。",
    "contract": "被申请人入职后超过一个月未与申请人签订书面劳动合同，请求支付二倍工资差额。",
    "labour_relationship": "申请人在被申请人处工作，被申请人否认双方存在劳动关系，请求确认劳动关系。",
    "hours_leave": "被申请人未安排申请人休带薪年休假，也未支付相应工资报酬，请求支付。",
    "safety": "被申请人未按规定发放劳动防护用品，申请人请求改善劳动条件并赔偿损失。",
    "other": "申请人与被申请人就培训服务期违约金发生争议，请求依法处理。",
}
TERMS = "被申请人同意向申请人支付{what}共计{amount}元，{plan}；申请人放弃其他请求，双方就本争议再无其他纠纷。"
WHAT = {"wage_arrears": "拖欠工资", "compensation": "经济补偿金", "overtime_pay": "加班工资", "social_insurance": "社会保险损失",
        "dismissal": "赔偿金", "work_injury": "工伤医疗费及停工留薪期工资", "contract": "二倍工资差额", "hours_leave": "年休假工资",
        "safety": "赔偿款", "other": "款项", "labour_relationship": "款项"}
REJECTION_REASONS = ("不属于劳动争议受理范围（承包合同纠纷）", "申请人已就同一事项申请劳动仲裁", "被申请人不在本辖区")
FAIL_REASONS = ("双方对补偿金额分歧较大，调解不成", "被申请人拒不到场", "申请人坚持仲裁")
WITHDRAW_REASONS = ("企业已主动支付，申请人撤回申请", "双方自行和解", "申请人决定直接申请仲裁")
SESSION_SUMMARIES = ("听取双方陈述，核对考勤及工资发放记录", "释法明理，提出调解方案", "双方就支付金额和期限基本达成一致",
                     "企业提交工资台账，约定下次调解时间")
MEETING_TOPICS = (
    ("岁末年初根治欠薪专项行动部署", "各镇街排查在建项目和重点企业工资支付情况，建立欠薪隐患台账"),
    ("印染行业集中整治中的职工安置", "整治关停企业须提前三十日公布安置方案，工会全程参与"),
    ("春节前集体劳动争议预警与处置", "对涉及十人以上的欠薪纠纷实行镇街领导包案"),
    ("化纤企业加班工资集体协商推进", "推动重点企业签订工资专项集体合同"),
    ("外来务工人员社保参保扩面", "人社、工会联合开展社保政策进企业宣讲"),
)
FOLLOW_UPS = ("排查重点企业工资支付情况并报送台账", "督促涉事企业制定欠薪清偿计划", "组织调解员业务培训",
              "向企业发放工资支付提示函", "跟踪落实集体合同签订进度")
# Every case gets its timeline events up to this many cases; beyond, the last RECENT_EVENT_DAYS'
# cases, open cases and the demo accounts' cases do.
ALL_EVENTS_UP_TO = 5_000
RECENT_EVENT_DAYS = 180
COURT_MARK = {rules.PRE_FILING: "民诉前调", rules.POST_FILING: "民初", rules.SIMPLIFIED: "民初"}
EXAMPLE_SETTING = ("court_extension_cap_days", Decimal("30"), "示例：本地法院规定", date(2024, 1, 1))


def case_count(scale) -> int:
    """Cases for a scale: the named scales' figure, else proportional to the workers."""
    for name, params in base.SCALES.items():
        if scale == name or scale == params:
            return CASE_COUNTS[name]
    return max(10, round(scale.workers * CASES_PER_WORKER))


def _pick(rng, table: dict):
    keys, cum = _cum(table)
    return keys[bisect(cum, rng.random() * cum[-1])]


@lru_cache(maxsize=None)
def _cum_cached(items):
    keys = tuple(k for k, _w in items)
    return keys, list(accumulate(w for _k, w in items))


def _cum(table: dict):
    return _cum_cached(tuple(table.items()))


class _Rows:
    """Rows of one table as dicts keyed by column, written with the generator's batched INSERTs;
    a column a row leaves out takes the field's default."""

    def __init__(self, cursor, model, use_copy):
        fields = model._meta.concrete_fields
        self.columns = tuple(f.column for f in fields)
        self.defaults = {f.column: (None if f.primary_key else f.get_default()) for f in fields}
        self.getter = itemgetter(*self.columns)
        self.writer = base._TableWriter(cursor, model, self.columns, chunk=10_000, use_copy=use_copy)
        self.model = model

    def add(self, row: dict):
        try:
            values = self.getter(row)
        except KeyError:
            values = tuple(row[c] if c in row else self.defaults[c] for c in self.columns)
        self.writer.extend([values])

    def flush(self):
        self.writer.flush()

    @property
    def count(self):
        return self.writer.count + len(self.writer.rows)


class DisputeSeeder:
    def __init__(self, scale, seed_value: int, today: date, *, use_copy=False, say=None):
        self.n = case_count(scale)
        self.all_events = self.n <= ALL_EVENTS_UP_TO
        # A stream of its own, so the registry's rows stay what they were for the seed.
        self.rng = random.Random(seed_value * 7919 + 13)
        self.today = today
        self.use_copy = use_copy and connection.vendor == "postgresql"
        self.say = say or (lambda line: None)
        self.county = Region.objects.get(code=base.COUNTY_CODE)
        self.county_key = self.county.path.split("/", 1)[0]
        self.table = services.legal_table(self.county)
        self.extends = services.holiday_extends
        towns = Region.objects.filter(parent=self.county)
        self.towns = {r.pk: r for r in towns}
        self.users = {u.username: u.pk for u in User.objects.filter(username__in=[a[0] for a in base.ACCOUNTS])}
        self.town_users = {r.pk: self.users.get(name) for r in towns
                           for name, code in (("town_qianqing", base.QIANQING), ("town_keqiao", base.KEQIAO))
                           if r.code == code}
        self.demo_enterprise = base.demo_enterprise()
        self.demo_worker = Worker.objects.filter(user__username="worker_demo").first()
        self.case_ct = ContentType.objects.get_for_model(Case).pk
        self.enterprise_ct = ContentType.objects.get_for_model(Enterprise).pk
        self.ops, self.vendor = connection.ops, connection.vendor
        # The services' own texts (already in the catalogue), translated once.
        self.text = {
            "filed": _("Case filed (%(source)s)"),
            "escalated": _("Deadline passed without agreement: escalated automatically"),
            "extended": _("%(days)s days, agreed by both parties"),
            "session": _("Mediation session on %(day)s"),
            "payment": _("Payment of %(amount)s yuan recorded"),
            "collective": _("Collective dispute filed: %(number)s, %(count)s workers"),
        }
        self.labels = {name: str(t.label) for name, t in Case.workflow.transitions.items()}
        self.source_labels = {value: str(text) for value, text in Source.choices}

    # --- dates ---------------------------------------------------------------------------------

    @lru_cache(maxsize=None)
    def mediation_deadline(self, start: date) -> date:
        return rules.mediation_deadline(start, table=self.table, holiday_extends=self.extends)

    @lru_cache(maxsize=None)
    def court_deadline(self, kind: str, received: date, extension: int) -> date:
        return rules.court_deadline(kind, received, extension, consent=True, table=self.table,
                                    holiday_extends=self.extends)

    def received_day(self) -> date:
        """A day in the last three years: more cases lately and before the Spring Festival."""
        rng, today = self.rng, self.today
        span = YEARS * 365
        top = max(MONTH_WEIGHTS.values()) * (1 + GROWTH_PER_YEAR * YEARS)
        while True:
            back = rng.randrange(span)
            day = today - timedelta(days=back)
            weight = MONTH_WEIGHTS[day.month] * (1 + GROWTH_PER_YEAR * (YEARS - back / 365))
            if rng.random() * top < weight:
                return day

    @lru_cache(maxsize=None)
    def stamp(self, day: date, order: int = 0):
        moment = datetime.combine(day, dtime(9, 0)) + timedelta(minutes=7 * order)
        return self.ops.adapt_datetimefield_value(timezone.make_aware(moment))

    def json(self, data: dict):
        if self.use_copy or self.vendor == "sqlite":
            return json.dumps(data, ensure_ascii=False)
        return self.ops.adapt_json_value(data, None)

    # --- planning ------------------------------------------------------------------------------

    def plan(self) -> list[dict]:
        rng = self.rng
        enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "region_id", "has_mediation_committee",
                                                                         "head_count", "name"))
        self.enterprises = {e[0]: e for e in enterprises}
        individual = [e for e in enterprises if e[3] > 0]
        collective = [e for e in enterprises if e[3] >= 15]
        # Smaller firms have more disputes per worker than large ones: weight by head count^0.8.
        ind_cum = list(accumulate(e[3] ** 0.8 for e in individual))
        col_cum = list(accumulate(e[3] for e in collective))
        plans = []
        for _case in range(self.n):
            is_collective = bool(collective) and rng.random() < COLLECTIVE_SHARE
            if is_collective:
                ent = collective[bisect(col_cum, rng.random() * col_cum[-1])]
                count = min(40, 10 + int(rng.expovariate(1 / 7)), ent[3])
                sub = _pick(rng, COLLECTIVE_SUBCATEGORY_WEIGHTS)
            else:
                ent = individual[bisect(ind_cum, rng.random() * ind_cum[-1])]
                draw = rng.random()
                count = 1 if draw < 0.88 else 2 + rng.randrange(3) if draw < 0.97 else 5 + rng.randrange(5)
                count = min(count, ent[3], 9)
                sub = _pick(rng, SUBCATEGORY_WEIGHTS)
            plans.append({"ent": ent, "collective": is_collective, "count": count, "sub": sub,
                          "source": _pick(rng, SOURCE_WEIGHTS), "received": self.received_day(),
                          "fate": _pick(rng, FATE_WEIGHTS)})
        # Cases left past their deadline (the escalation job has not run since) and cases due soon.
        candidates = [p for p in plans if p["source"] != "court_delegated"]
        rng.shuffle(candidates)
        overdue = max(1, round(self.n * OVERDUE_SHARE))
        soon = max(1, round(self.n * DUE_SOON_SHARE))
        for p in candidates[:overdue]:
            p["special"] = "overdue"
        for p in candidates[overdue:overdue + soon]:
            p["special"] = "due_soon"
        return plans

    def pools(self, plans) -> dict:
        """Claimant candidates per respondent: a random sample of its employees (reservoir over one
        pass of the employment table), as many as its planned cases need."""
        rng = self.rng
        need: dict[int, int] = {}
        for p in plans:
            need[p["ent"][0]] = need.get(p["ent"][0], 0) + p["count"]
        seen: dict[int, int] = {}
        pools: dict[int, list] = {k: [] for k in need}
        skip = self.demo_worker.pk if self.demo_worker else None
        e, w = Employment._meta.db_table, Worker._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                # The start date as text: parsed only for the few rows kept, not for every employment.
                f"SELECT e.enterprise_id, e.worker_id, CAST(e.start_date AS TEXT), NULL, w.name, w.id_number, w.phone, "
                f"e.position "
                f"FROM {e} e JOIN {w} w ON w.id = e.worker_id ORDER BY e.id")
            while True:
                rows = cursor.fetchmany(50_000)
                if not rows:
                    break
                for row in rows:
                    ent = row[0]
                    k = need.get(ent)
                    if k is None or row[1] == skip:
                        continue
                    c = seen[ent] = seen.get(ent, 0) + 1
                    pool = pools[ent]
                    if len(pool) < k:
                        pool.append(row)
                    else:
                        j = rng.randrange(c)
                        if j < k:
                            pool[j] = row
        for pool in pools.values():
            rng.shuffle(pool)
        return {ent: (pool, list(pool)) for ent, pool in pools.items()}

    @staticmethod
    def _date(value):
        return value if isinstance(value, date) or value is None else date.fromisoformat(str(value)[:10])

    def claimants_from(self, pools: tuple, count: int, received: date) -> list[tuple]:
        """``count`` different workers, preferring those employed there before the case was received
        and those not yet in another case (a small firm's workers may claim again)."""
        pool, everyone = pools
        chosen, rest = [], []
        while pool and len(chosen) < count:
            row = pool.pop()
            start = self._date(row[2])
            (chosen if start is None or start <= received else rest).append(row)
        missing = count - len(chosen)
        chosen += rest[:missing]
        pool.extend(rest[missing:])
        if len(chosen) < count:
            taken = {row[1] for row in chosen}
            chosen += [row for row in everyone if row[1] not in taken][: count - len(chosen)]
        return chosen

    # --- featured cases of the demo accounts ------------------------------------------------------

    def _staff_of(self, enterprise, count, exclude=()):
        rows = (Employment.objects.filter(enterprise=enterprise, end_date__isnull=True).exclude(worker_id__in=exclude)
                .order_by("worker_id").values_list("enterprise_id", "worker_id", "start_date", "end_date", "worker__name",
                                                   "worker__id_number", "worker__phone", "position")[:count])
        return list(rows)

    def featured(self) -> list[dict]:
        """The demo accounts' cases: fixed plans so that each account has something to see and do."""
        t = self.today
        out = []
        ent = self.demo_enterprise
        me = self.demo_worker
        mine = None
        if me is not None:
            job = Employment.objects.filter(worker=me, enterprise=ent).order_by("-start_date").values_list(
                "enterprise_id", "worker_id", "start_date", "end_date", "worker__name", "worker__id_number",
                "worker__phone", "position").first()
            mine = [job] if job else None
        skip = [me.pk] if me else []
        if ent is not None:
            e = self.enterprises[ent.pk]
            staff = self._staff_of(ent, 30, skip)
            union = self.users.get("union_demo")

            def one(i):
                return [staff[i % len(staff)]] if staff else mine

            # union_demo: enterprise-level cases in each open status (its enterprise has a committee).
            out += [
                {"ent": e, "claimants": one(0), "sub": "wage_arrears", "source": "walk_in", "received": t,
                 "fate": "agreement", "accept_delay": 1, "filed_by": union},
                {"ent": e, "claimants": one(1), "sub": "overtime_pay", "source": "hotline", "received": t - timedelta(2),
                 "fate": "agreement", "accept_delay": 1, "mediation_delay": 3, "filed_by": union},
                {"ent": e, "claimants": one(2), "sub": "compensation", "source": "walk_in", "received": t - timedelta(4),
                 "fate": "agreement", "accept_delay": 1, "consult": True, "mediation_delay": 7, "filed_by": union},
                {"ent": e, "claimants": one(3), "sub": "social_insurance", "source": "walk_in",
                 "received": t - timedelta(14), "fate": "agreement", "special": "due_soon", "filed_by": union},
            ]
            if mine:
                # worker_demo: open in mediation at the enterprise, closed with an agreement, and collective.
                out.append({"ent": e, "claimants": mine, "sub": "wage_arrears", "source": "online",
                            "received": t - timedelta(6), "fate": "agreement", "accept_delay": 1, "mediation_delay": 1,
                            "end_after": 40, "filed_by": self.users.get("worker_demo"), "session_days": [t - timedelta(2)]})
                hired = mine[0][2] or t - timedelta(400)
                out.append({"ent": e, "claimants": mine, "sub": "overtime_pay", "source": "walk_in",
                            "received": min(t - timedelta(90), max(t - timedelta(200), hired + timedelta(60))), "fate": "agreement", "outcome": Outcome.PERFORMED,
                            "installments": 2, "escalations": 0, "filed_by": union})
                crowd = mine + staff[4:4 + 14]
                if len(crowd) >= 10:
                    out.append({"ent": e, "claimants": crowd, "collective": True, "reps": 3, "sub": "wage_arrears",
                                "source": "walk_in", "received": t - timedelta(40), "fate": "agreement",
                                "accept_delay": 0, "mediation_delay": 1, "end_after": 9, "installments": 3,
                                "escalations": 0, "pay_late": True, "filed_by": self.users.get("town_qianqing")})
        # court_demo: court referrals open in several statuses and some closed with the result reported.
        for code in (base.QIANQING, base.KEQIAO):
            firms = [x for x in self.enterprises.values() if self.towns.get(x[1]) and self.towns[x[1]].code == code
                     and x[3] >= 6 and (ent is None or x[0] != ent.pk)]
            if not firms:
                continue
            f1, f2 = firms[0], firms[min(1, len(firms) - 1)]
            court = self.users.get("court_demo")
            plans = [
                (f1, rules.PRE_FILING, t, "agreement", {"accept_delay": 1}),
                (f1, rules.POST_FILING, t - timedelta(5), "agreement", {"accept_delay": 0, "end_after": 30}),
                (f2, rules.PRE_FILING, t - timedelta(20), "agreement", {"accept_delay": 0, "end_after": 28}),
                (f2, rules.PRE_FILING, t - timedelta(150), "agreement", {"outcome": Outcome.CONFIRMED}),
                (f1, rules.POST_FILING, t - timedelta(90), "failed", {}),
                (f2, rules.SIMPLIFIED, t - timedelta(60), "agreement", {"outcome": Outcome.PERFORMED}),
            ]
            for i, (firm, kind, received, fate, extra) in enumerate(plans):
                out.append({"ent": firm, "claimants": self._staff_of(firm, i + 1, skip)[i:] or None, "sub": "wage_arrears",
                            "source": "court_delegated", "kind": kind, "received": received, "fate": fate,
                            "escalations": 0, "filed_by": court, **extra})
            if code == base.KEQIAO:
                # Escalated to the county and in mediation there; a failed case waiting to be referred.
                out.append({"ent": f1, "claimants": self._staff_of(f1, 2, skip)[1:] or None, "sub": "compensation",
                            "source": "walk_in", "received": t - timedelta(25), "fate": "agreement", "accept_delay": 1,
                            "mediation_delay": 0, "escalations": 1, "force_level": "town", "end_after": 30})
                out.append({"ent": f2, "claimants": self._staff_of(f2, 3, skip)[2:] or None, "sub": "dismissal",
                            "source": "letters_visits", "received": t - timedelta(20), "fate": "failed",
                            "accept_delay": 1, "mediation_delay": 1, "end_after": 16, "refer_after": 5,
                            "escalations": 0})
        return [dict(p, featured=True) for p in out if p.get("claimants")]

    # --- one case's life -------------------------------------------------------------------------

    def special_dates(self, p: dict) -> None:
        """Dates of a case left 1–3 days past its deadline, or due in 0–3 days: worked back from the
        deadline (15 days after acceptance, moved past holidays)."""
        rng, today = self.rng, self.today
        target = (today - timedelta(days=1 + rng.randrange(3)) if p["special"] == "overdue"
                  else today + timedelta(days=rng.randrange(4)))
        accepted = target - timedelta(days=15)
        while self.mediation_deadline(accepted) > target:
            accepted -= timedelta(days=1)
        p["accepted"] = accepted
        p["received"] = accepted - timedelta(days=rng.randrange(2))

    def handler(self, level, ent) -> int | None:
        """A demo user who handles the case at ``level`` (for mediators and event actors), if any."""
        if level == "enterprise":
            return self.users.get("union_demo") if self.demo_enterprise and ent[0] == self.demo_enterprise.pk else None
        if level == "town":
            return self.town_users.get(ent[1])
        return self.users.get("county_admin")

    def build(self, p: dict, pk: int, number: str, out: "_Out") -> None:
        rng, today = self.rng, self.today
        ent = p["ent"]
        town = self.towns[ent[1]]
        source, sub = p["source"], p["sub"]
        court = source == "court_delegated"
        people = p["claimants"]
        count = len(people)
        is_collective = p.get("collective", False) and rules.is_collective(count, on=p["received"], table=self.table)
        if p.get("force_level"):
            level = p["force_level"]
        else:
            level = rules.starting_level(collective=is_collective, court_referral=court,
                                         has_mediation_committee=ent[2])
        r = p["received"]
        special = p.get("special")
        fate = p["fate"] if not special else "agreement"
        if court and fate == "rejected":
            fate = "agreement"  # a court's referral is not turned away
        kind = p.get("kind") or (_pick(rng, REFERRAL_KIND_WEIGHTS) if court else "")
        amounts = AMOUNTS[sub]
        per_worker = []
        if amounts:
            lo, hi, median = amounts
            for _person in people:
                value = median * math.exp(rng.gauss(0, 0.7))
                per_worker.append(int(min(hi, max(lo, value)) // 10 * 10))
        claimed = Decimal(sum(per_worker)) if per_worker else None
        knew_on = r - timedelta(days=3 + int(rng.expovariate(1 / 40))) if sub != "wage_arrears" else None
        ended_on = r - timedelta(days=2 + rng.randrange(60)) if sub in ("compensation", "dismissal") else None
        if knew_on and ended_on:
            knew_on = ended_on
        months = 1 + min(11, int(rng.expovariate(1 / 2.5)))
        start = self._date(people[0][2])
        facts = FACTS[sub].format(start=f"{start:%Y年%m月}" if start else "入职", position=people[0][7] or "操作工",
                                  months=months)
        if is_collective:
            facts = f"{count}名职工集体反映：" + facts.replace("申请人", "申请人等")
        c = {
            "id": pk, "number": number, "source": source, "respondent_id": ent[0], "region_id": ent[1], "level": level,
            "status": "received", "category": rules.SUBCATEGORY_CATEGORY[sub], "subcategory": sub,
            "amount_claimed": claimed, "facts": facts, "knew_on": knew_on, "employment_ended_on": ended_on,
            "is_collective": is_collective, "claimant_count": count, "is_priority": is_collective,
            "mediator_id": None, "filed_by_id": p.get("filed_by", self.town_users.get(ent[1]) if source in (
                "walk_in", "letters_visits") else None),
            "received_on": r, "accepted_on": None, "deadline": None, "reminded_for": None, "escalations": 0,
            "rejection_reason": "", "consultation_requested_on": None, "court_referral_kind": kind,
            "court_case_number": "", "court_received_on": r if court else None, "court_extension_days": 0,
            "court_result_reported_on": None, "confirmation_requested_on": None, "confirmation_result": "",
            "confirmation_ruling_number": "", "confirmation_ruled_on": None, "payment_order_applied_on": None, "outcome": "", "limitation_date": None, "resolved_level": "",
            "resolved_on": None, "resolution_days": None, "closed_on": None, "amount_recovered": Decimal("0"),
            "created_at": self.stamp(r), "updated_at": None,
        }
        if court:
            c["court_case_number"] = f"（{r.year}）浙0603{COURT_MARK[kind]}{1000 + rng.randrange(8999)}号"
            c["deadline"] = self.court_deadline(kind, r, 0)
        reps = p.get("reps", 3 + rng.randrange(3)) if is_collective else 0
        claimant_rows = [
            {"case_id": pk, "worker_id": row[1], "name": row[4], "id_number": row[5], "phone": row[6] or "",
             "is_representative": i < reps}
            for i, row in enumerate(people)
        ]

        steps = []  # (day, verb, summary, data, change, actor)

        def step(day, verb, change=None, summary="", data=None, actor="handler"):
            steps.append((day, len(steps), verb, change, summary, data or {}, actor))

        def status_to(target, **fields):
            def change(s):
                data = {"from": s["status"], "to": target}
                s["status"] = target
                s.update(fields)
                return data
            return change

        label = self.labels
        step(r, "case.file", None, self.text["filed"] % {"source": self.source_labels[source]},
             {"source": source, "claimants": count, "level": level}, actor=c["filed_by_id"])
        if fate == "rejected":
            day = r + timedelta(days=rng.randrange(4))
            reason = rng.choice(REJECTION_REASONS)
            step(day, "case.reject", status_to("rejected", rejection_reason=reason, closed_on=day), reason)
        else:
            accepted = p.get("accepted") or r + timedelta(
                days=p.get("accept_delay", 0 if court else (0, 0, 0, 1, 1, 2, 3)[rng.randrange(7)]))
            deadline = c["deadline"] if court else self.mediation_deadline(accepted)
            step(accepted, "case.accept", status_to("accepted", accepted_on=accepted, deadline=deadline), label["accept"])
            phase = accepted
            consult = p.get("consult", not court and rng.random() < CONSULTATION_SHARE)
            if consult:
                step(accepted, "case.consult", status_to("consultation", consultation_requested_on=accepted),
                     label["consult"])
            delay = p.get("mediation_delay", (2 + rng.randrange(5)) if consult else rng.randrange(3))
            mediation = accepted + timedelta(days=delay)
            step(mediation, "case.mediate", status_to("mediation"), label["mediate"])
            escalations = p.get("escalations", _pick(rng, ESCALATION_WEIGHTS))
            if special or court:
                escalations = 0
            phase = mediation
            current = level
            for _round in range(escalations):
                nxt = rules.next_level(current)
                if nxt is None:
                    break
                automatic = rng.random() < 0.6 or "escalations" in p
                esc_day = deadline + timedelta(days=1) if automatic else phase + timedelta(
                    days=2 + rng.randrange(max(1, (deadline - phase).days - 1)))
                deadline = self.mediation_deadline(esc_day)

                def escalate(s, nxt=nxt, deadline=deadline, prev=current, automatic=automatic):
                    s.update(level=nxt, escalations=s["escalations"] + 1, mediator_id=None, deadline=deadline)
                    return {"from": s["status"], "to": s["status"], "from_level": prev, "to_level": nxt,
                            "automatic": automatic}
                step(esc_day, "case.escalate", escalate,
                     self.text["escalated"] if automatic else "案情复杂，提请上级调解",
                     actor=None if automatic else "handler")
                current, phase = nxt, esc_day
            if court and rng.random() < 0.12 and "end_after" not in p:
                extension = rng.choice((10, 15, 20, 30))
                deadline = self.court_deadline(kind, r, extension)

                def extend(s, extension=extension, deadline=deadline):
                    s.update(court_extension_days=extension, deadline=deadline)
                    return {"from": s["status"], "to": s["status"], "days": extension}
                step(phase + timedelta(days=5), "case.extend", extend, self.text["extended"] % {"days": extension})
            span = max(1, (deadline - phase).days)
            if special:
                end = today + timedelta(days=60)  # not resolved yet
            elif "end_after" in p:
                end = phase + timedelta(days=p["end_after"])
            else:
                end = phase + timedelta(days=1 + int(rng.triangular(0, span - 1, span * 0.35)))
            end = max(end, mediation)
            sessions = p.get("session_days") or sorted({
                mediation + timedelta(days=rng.randrange(max(1, (end - mediation).days + 1)))
                for _session in range(1 + rng.randrange(3))})
            for day in sessions:
                if day <= end:
                    place = (f"{ent[4]}劳动争议调解委员会" if current == "enterprise" and level == "enterprise"
                             else f"{town.name}人民调解委员会调解室")

                    def session(s, day=day, place=place):
                        out.session(c, day, place, people[0][4], rng.choice(SESSION_SUMMARIES))
                    step(day, "case.session", session, self.text["session"] % {"day": day.isoformat()})
            if fate == "withdrawn":
                reason = rng.choice(WITHDRAW_REASONS)
                step(end, "case.withdraw", status_to("withdrawn", closed_on=end), reason, actor=None)
            elif fate == "failed":
                reason = rng.choice(FAIL_REASONS)
                step(end, "case.fail", status_to("failed", resolved_on=None), reason)
                outcome = Outcome.RETURNED_TO_COURT if court else p.get("outcome") or _pick(rng, REFERRAL_WEIGHTS)
                refer_day = end + timedelta(days=p.get("refer_after", rng.randrange(6)))

                def refer(s, outcome=outcome, day=refer_day):
                    s.update(outcome=outcome, closed_on=day, limitation_date=self.limitation(s))
                    if court:
                        s["court_result_reported_on"] = day
                    s["status"] = "closed"
                    out.document(c, day, "referral_letter")
                    return {"from": "failed", "to": "closed", "outcome": str(outcome)}
                step(refer_day, "case.refer", refer, str(Outcome(outcome).label))
            else:
                self.agreement(p, c, step, end, claimed, court, sub, out)
        # At county size only recent, open and the demo accounts' cases get a timeline (keeps the seed
        # fast); the smaller scales give every case one.
        timeline = (self.all_events or p.get("featured") or p.get("special") is not None
                    or (today - r).days <= RECENT_EVENT_DAYS or any(s[0] > today for s in steps))
        # Happen only the steps up to today.
        steps.sort(key=lambda s: (s[0], s[1]))
        state = c
        last = r
        for order, (day, _i, verb, change, summary, data, actor) in enumerate(steps):
            if day > today:
                break
            if actor == "handler":
                actor = self.handler(state["level"], ent)
            extra = change(state) if change else None
            if verb == "case.mediate" and state["mediator_id"] is None and state["level"] != "county":
                state["mediator_id"] = self.handler(state["level"], ent)
            if verb == "case.escalate":
                state["mediator_id"] = None
            payload = {**data, **(extra or {})}
            if "from" in payload:  # a transition, as core.workflow.transition records it
                payload["by"] = "system" if actor is None else "user"
            if timeline:
                out.event(state, ent, town, day, order, verb, summary, payload, actor)
            last = day
            if verb == "case.file" and is_collective:
                out.collective_signal(state, ent, town, day, order, count)
        c["updated_at"] = self.stamp(last, 60)
        out.case(c, claimant_rows)

    def agreement(self, p, c, step, end, claimed, court, sub, out):
        rng = self.rng
        outcome = p.get("outcome") or _pick(rng, AGREEMENT_OUTCOME_WEIGHTS)
        if claimed:
            amount = max(Decimal(100), (claimed * Decimal(str(rng.uniform(0.6, 1.0))) / 100).quantize(Decimal(1)) * 100)
        else:
            amount = Decimal(0)
        signed = end
        effective = signed if rng.random() < 0.8 else signed + timedelta(days=1 + rng.randrange(3))
        parts = p.get("installments") or (1 if rng.random() < 0.7 else 2 + rng.randrange(2) if rng.random() < 0.7
                                          else 4 + rng.randrange(3))
        if outcome == Outcome.PAYMENT_ORDER:
            parts = max(parts, 2)
            if not claimed:
                outcome = Outcome.PERFORMED  # nothing to pay, nothing to order
        plan = []
        if amount > 0:
            share = (amount / parts).quantize(Decimal("0.01"))
            first_due = effective + timedelta(days=rng.randrange(11))
            for k in range(parts):
                due = first_due + timedelta(days=30 * k)
                plan.append([due, share if k < parts - 1 else amount - share * (parts - 1), None, None])
        what = WHAT[sub]
        plan_text = (f"于{plan[0][0]:%Y年%m月%d日}前一次付清" if len(plan) == 1 else
                     f"分{len(plan)}期支付，首期于{plan[0][0]:%Y年%m月%d日}前支付" if plan else "无需支付款项")
        terms = TERMS.format(what=what, amount=f"{amount:,.0f}", plan=plan_text)
        missed = len(plan) - 1 if outcome == Outcome.PAYMENT_ORDER and plan else None
        if p.get("pay_late") and len(plan) > 1:
            missed = len(plan) - 1

        def agree(s):
            s.update(status="agreement", resolved_level=s["level"], resolved_on=signed,
                     resolution_days=(signed - s["received_on"]).days)
            out.agreement(c, signed, effective, amount, terms, plan)
            out.document(c, signed, "mediation_agreement")
            return {"from": "mediation", "to": "agreement", "amount": str(amount)}
        step(signed, "case.agree", agree, str(Case.workflow["agree"].label))
        paid_days = []
        for index, row in enumerate(plan):
            if index == missed:
                continue
            day = max(signed, row[0] + timedelta(days=rng.randrange(-3, 6)))
            paid_days.append(day)

            def pay(s, row=row, day=day):
                row[2], row[3] = day, row[1]
                s["amount_recovered"] = s["amount_recovered"] + row[1]
                return {"amount": str(row[1])}
            step(day, "case.payment", pay, self.text["payment"] % {"amount": row[1]})
        last_paid = max(paid_days, default=effective)
        if outcome == Outcome.CONFIRMED:
            requested = effective + timedelta(days=1 + rng.randrange(20))
            result_day = requested + timedelta(days=5 + rng.randrange(15))
            step(requested, "case.request_confirmation",
                 lambda s, d=requested: s.update(confirmation_requested_on=d) or {"from": "agreement", "to": "agreement"},
                 str(Case.workflow["request_confirmation"].label))
            # The ruling's number from the case's own sequence (no further random draw: the demo's
            # other figures stay as documented).
            ruling = f"（{result_day.year}）浙0603民特{int(c['number'].rsplit('-', 1)[-1]) % 10000:04d}号"
            step(result_day, "case.record_confirmation",
                 lambda s, d=result_day, n=ruling: s.update(confirmation_result="confirmed", confirmation_ruling_number=n,
                                                            confirmation_ruled_on=d)
                 or {"result": "confirmed", "ruling_number": n, "ruled_on": d.isoformat()}, "裁定确认调解协议有效",
                 actor=self.users.get("court_demo") if court else None)
            close_day = max(result_day, last_paid) + timedelta(days=rng.randrange(5))
        elif outcome == Outcome.PAYMENT_ORDER and missed is not None:
            applied = plan[missed][0] + timedelta(days=10 + rng.randrange(30))
            step(applied, "case.payment_order",
                 lambda s, d=applied: s.update(payment_order_applied_on=d) or {"from": "agreement", "to": "agreement"},
                 "企业逾期未付，申请支付令")
            close_day = applied + timedelta(days=1 + rng.randrange(10))
        else:
            close_day = last_paid + timedelta(days=rng.randrange(6))
        if p.get("pay_late"):
            return  # still waiting for the last payment

        def close(s, day=close_day):
            s.update(status="closed", outcome=outcome, closed_on=day)
            if court:
                s["court_result_reported_on"] = day
            return {"from": "agreement", "to": "closed", "outcome": str(outcome)}
        step(close_day, "case.close", close, str(Outcome(outcome).label))

    def limitation(self, s) -> date | None:
        """As services.limitation_of, with the county's table read once."""
        if not s["knew_on"] and not (s["subcategory"] == "wage_arrears" and s["employment_ended_on"]):
            return None
        try:
            return rules.arbitration_limitation(
                s["category"], s["knew_on"] or s["employment_ended_on"], s["employment_ended_on"],
                wage_arrears=s["subcategory"] == "wage_arrears", table=self.table, holiday_extends=self.extends)
        except rules.RuleRefused:
            return None

    # --- the run ---------------------------------------------------------------------------------

    def mediation_bodies(self):
        """Demo addresses and telephones of the towns' and the county's mediation bodies, which the
        acceptance notices print (invented: a street number per town, a 0575-8000xxxx number)."""
        for region in [self.county, *self.towns.values()]:
            if not region.mediation_address:
                Region.objects.filter(pk=region.pk).update(
                    mediation_address=f"{region.name}人民路{int(region.code[-3:]) or 1}号便民服务中心",
                    mediation_phone=f"0575-8000{region.code[-4:]}")

    def run(self) -> dict:
        began = time.monotonic()
        self.mediation_bodies()
        plans = self.plan()
        pools = self.pools(plans)
        for p in plans:
            p["claimants"] = self.claimants_from(pools[p["ent"][0]], p["count"], p["received"])
        plans = [p for p in plans if p["claimants"]] + self.featured()
        for p in plans:
            if p.get("special"):
                self.special_dates(p)
        plans.sort(key=lambda p: p["received"])
        self.say(f"cases planned: {len(plans):,} ({time.monotonic() - began:.0f} s)")
        out = _Out(self)
        counters: dict[int, int] = {}
        names = {}
        for p in plans:
            year = p["received"].year
            if year not in counters:
                name = f"case:{self.county_key}:{year}"
                names[year] = name
                counters[year] = Sequence.objects.filter(name=name).values_list("last", flat=True).first() or 0
            counters[year] += 1
            self.build(p, out.next_pk(Case), f"{self.county_key}-{year}-{counters[year]:06d}", out)
        out.flush()
        for year, name in names.items():
            Sequence.objects.update_or_create(name=name, defaults={"last": counters[year]})
        for name, last in out.doc_counters.items():
            Sequence.objects.update_or_create(name=name, defaults={"last": last})
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(out.tables)):
                    cursor.execute(statement)
        meetings = self.meetings()
        setting = self.example_setting()
        counts = {model.__name__: rows.count for model, rows in out.tables.items()}
        self.say(f"cases: {counts.get('Case', 0):,}, claimants: {counts.get('Claimant', 0):,}, events: "
                 f"{counts.get('Event', 0):,} ({time.monotonic() - began:.0f} s)")
        return {"cases": counts.get("Case", 0), "counts": counts, "meetings": meetings, "settings": setting,
                "seconds": time.monotonic() - began}

    def meetings(self) -> int:
        """A handful of tripartite meetings at county and town level, with linked cases, enterprises
        and follow-up actions (some done, some overdue)."""
        rng, today = self.rng, self.today
        admin = self.users.get("county_admin")
        places = []
        for code in (None, base.QIANQING, base.KEQIAO, None, "330603011"):
            region = self.county if code is None else next((r for r in self.towns.values() if r.code == code), None)
            if region is not None:
                places.append(region)
        made = 0
        for i, region in enumerate(places):
            held = today - timedelta(days=20 + 75 * i)
            topic, decision = MEETING_TOPICS[i % len(MEETING_TOPICS)]
            meeting = TripartiteMeeting.objects.create(
                region=region, held_on=held, place=f"{region.name}{'人力社保局' if region.kind == 'county' else '便民服务中心'}会议室",
                labour_bureau="人力社保局劳动关系科", union=f"{'区总工会' if region.kind == 'county' else region.name + '总工会'}",
                employers="区企业联合会、工商业联合会", topics=topic, decisions=decision,
                created_by_id=admin if region.kind == "county" else self.town_users.get(region.pk) or admin,
            )
            cases = Case.objects.filter(region__path__startswith=region.path, is_collective=True,
                                        received_on__lte=held).order_by("-received_on")[:3]
            meeting.cases.set(list(cases))
            meeting.enterprises.set(sorted({c.respondent_id for c in cases}))
            for k in range(2 + rng.randrange(2)):
                due = held + timedelta(days=14 + 15 * k)
                done = due - timedelta(days=rng.randrange(10)) if due < today and (k == 0 or rng.random() < 0.5) else None
                FollowUpAction.objects.create(meeting=meeting, description=FOLLOW_UPS[(i + k) % len(FOLLOW_UPS)],
                                              owner=("人力社保局", "区总工会", "镇街维权站")[k % 3], due_on=due, done_on=done)
            made += 1
        return made

    def example_setting(self) -> int:
        key, value, source, since = EXAMPLE_SETTING
        LegalSetting.objects.update_or_create(region=self.county, key=key, effective_from=since,
                                              defaults={"value": value, "source": source})
        return 1


class _Out:
    """The rows of the run, per table, with their next primary keys and document counters."""

    def __init__(self, seeder: DisputeSeeder):
        self.s = seeder
        cursor = connection.cursor()
        self.cursor = cursor
        self.tables = {model: _Rows(cursor, model, seeder.use_copy)
                       for model in (Case, Claimant, MediationSession, Agreement, Installment, CaseDocument, Event)}
        self.pks = {model: base._next_id(model) for model in self.tables}
        self.doc_counters: dict[str, int] = {}
        self._pending: list = []
        self.county_initial = seeder.county.name[:1]

    def next_pk(self, model) -> int:
        pk = self.pks[model]
        self.pks[model] = pk + 1
        return pk

    def case(self, c, claimants):
        self.tables[Case].add(c)
        for row in claimants:
            self.tables[Claimant].add(dict(row, id=self.next_pk(Claimant)))

    def session(self, c, day, place, claimant, summary):
        self.tables[MediationSession].add({
            "id": self.next_pk(MediationSession), "case_id": c["id"], "created_by_id": c["mediator_id"],
            "created_at": self.s.stamp(day, 30), "held_on": day, "place": place[:128],
            "participants": f"申请人{claimant}，被申请人委托代理人，调解员", "summary": summary})

    def agreement(self, c, signed, effective, amount, terms, plan):
        pk = self.next_pk(Agreement)
        self.tables[Agreement].add({
            "id": pk, "case_id": c["id"], "created_by_id": c["mediator_id"], "created_at": self.s.stamp(signed, 40),
            "signed_on": signed, "effective_on": effective, "amount": amount, "terms": terms})
        # Payments are filled in as their steps happen; the rows are written at the end.
        self._pending.append((pk, plan))

    def document(self, c, day, kind):
        name = f"doc:{kind}:{self.s.county.code}:{day.year}"
        seq = self.doc_counters[name] = self.doc_counters.get(name, 0) + 1
        mark = services.DOCUMENT_MARKS[kind]
        self.tables[CaseDocument].add({
            "id": self.next_pk(CaseDocument), "case_id": c["id"], "created_by_id": c["mediator_id"],
            "created_at": self.s.stamp(day, 50), "kind": kind,
            "number": f"{self.county_initial}工{mark}〔{day.year}〕{seq:04d}号"})

    def event(self, c, ent, town, day, order, verb, summary, data, actor):
        self.tables[Event].add({
            "id": self.next_pk(Event), "created_at": self.s.stamp(day, order), "actor_id": actor, "verb": verb,
            "content_type_id": self.s.case_ct, "object_id": str(c["id"]), "object_repr": c["number"],
            "region_path": town.path, "enterprise_id": ent[0], "summary": summary[:255], "data": self.s.json(data),
            "request_id": ""})

    def collective_signal(self, c, ent, town, day, order, count):
        self.tables[Event].add({
            "id": self.next_pk(Event), "created_at": self.s.stamp(day, order), "actor_id": c["filed_by_id"],
            "verb": services.COLLECTIVE_SIGNAL_VERB, "content_type_id": self.s.enterprise_ct, "object_id": str(ent[0]),
            "object_repr": ent[4][:255], "region_path": town.path, "enterprise_id": ent[0],
            "summary": (self.s.text["collective"]
                        % {"number": c["number"], "count": count})[:255],
            "data": self.s.json({"case": c["id"], "claimants": count}), "request_id": ""})

    def flush_installments(self):
        for agreement_pk, plan in self._pending:
            for due, amount, paid_on, paid in plan:
                self.tables[Installment].add({"id": self.next_pk(Installment), "agreement_id": agreement_pk,
                                              "due_on": due, "amount": amount, "paid_on": paid_on, "paid_amount": paid})
        self._pending = []

    def flush(self):
        self.flush_installments()
        # Parents before children (foreign keys are checked at commit on SQLite, at once elsewhere).
        for rows in self.tables.values():
            rows.flush()
        self.cursor.close()


def seed_disputes(scale, seed_value: int, *, today: date | None = None, use_copy: bool = False, progress=None) -> dict:
    """Load the demo county's dispute cases (after the registry and the demo accounts)."""
    services.forget_calendar()  # the calendar was loaded in this transaction
    with translation.override("zh-hans"):
        return DisputeSeeder(scale, seed_value, today or timezone.localdate(), use_copy=use_copy, say=progress).run()
