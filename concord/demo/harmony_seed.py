"""Demo harmonious-enterprise creation of the demo county: this year's round in progress, four
earlier rounds with their certificates, satisfaction surveys and veto events.

Called by ``seed.seed`` after the early-warning seed, inside the same transaction with the change
log paused. Deterministic for a given seed and day (dates count back from the day of seeding, as the
dispute cases and signals do).

1. **Surveys** (``services.survey_open``): a closed satisfaction survey for about one applicant in
   eight, opened after this year's round; who answered (current workers of the enterprise) and the
   per-question counts are written in bulk, consistent with each other (responses = participations
   = the answers to each question). Most enterprises are 70–95 % satisfied, a few under the 60 %
   veto line, small ones without enough responses for a valid result. An open survey for
   ``union_demo``'s enterprise, with some answers but not the demo worker's.
2. **Vetoes**: ``services.detect_vetoes(today)`` (collective cases, red wage-arrears alerts, low
   satisfaction; the real detection, so the periodic job finds nothing new).
3. **Earlier rounds** (four years back, closed): certified evaluations of enterprises without a veto,
   with their indicator scores and certificates, written in bulk (numbers continue in the
   certificate sequence); those past their validity are expired on the day after it. A county-level
   title held for over a year lets an enterprise apply for the city tier now.
4. **This year's round** (opened about two months ago): about a fifth of the enterprises apply,
   written in bulk with their computed indicators from ``services.figures_for`` (the services'
   figures and rules), manual points, the town's changes with reasons, and dates that follow each
   other; approval only where the score, the tier's prerequisite and the vetoes allow it, otherwise
   rejected with the reason.
5. **The story**, through the services in 钱清街道 (``town_qianqing``): ``union_demo``'s enterprise
   in self-assessment (part of the manual indicators scored: the demo user continues), one submitted
   (for the town's review), one reviewed (for the county's approval), one in publicity now with one
   objection answered and one not, one certified, one returned, one rejected; a title suspended after
   a veto recorded by the county, with its review task open; a veto on an enterprise without a title.
6. ``services.expire_and_remind(today)``: re-check reminders as the daily job would send them.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
import random
import time

from django.utils import timezone, translation

from concord.core.models import RoleAssignment, Sequence, User
from concord.core.scope import Role
from concord.core.sequences import next_value
from concord.core.workdays import current_calendar
from concord.harmony import rules, services
from concord.harmony.models import (
    Certification, CertificationStatus, Evaluation, EvaluationStatus, IndicatorScore, Round, Standard, Survey,
    SurveyParticipation, SurveyQuestion, SurveyTally, Tier, VetoEvent, VetoItem,
)
from concord.registry.models import Employment, Enterprise, Worker

from . import seed as base

D = Decimal
APPLICANT_SHARE = 0.2  # of the county's enterprises, in this year's round (5,000 at county scale)
HISTORY_YEARS = 4
HISTORY_SHARE = 0.3  # of this year's applicants, certified in each earlier round
SURVEY_SHARE = 0.125  # of the applicants, with a closed survey this year
ROUND_OPENED_DAYS_AGO = 60
# This year's applications by step (the rest of the bulk ones; the story adds one of each).
STEPS = {
    EvaluationStatus.DRAFT: 27, EvaluationStatus.SUBMITTED: 22, EvaluationStatus.RETURNED: 5,
    EvaluationStatus.REVIEWED: 14, EvaluationStatus.PUBLICITY: 4, EvaluationStatus.CERTIFIED: 20,
    EvaluationStatus.REJECTED: 5, EvaluationStatus.WITHDRAWN: 3,
}
REVIEW_REASONS = (
    "现场抽查劳动合同，部分合同未载明工作岗位和劳动报酬",
    "工资专项集体合同覆盖率不足80%",
    "考勤记录显示部分车间月加班超过36小时",
    "工资台账不完整，加班工资计算依据不清",
    "女职工特殊保护制度未落实到车间",
)
REJECT_REASONS = (
    "现场核查发现未依法支付加班工资，不予通过",
    "职工代表座谈反映劳动合同续签不及时，经核实属实",
    "申报材料与现场核查情况不符",
)
APPROVAL_NOTES = {
    "veto": "评价期内存在一票否决事项，不予认定",
    "score_below_minimum": "复核得分{score}分，低于申报等次最低分{min}分，不予认定",
    "prerequisite_missing": "未持有下一级和谐企业称号满{days}天，不符合申报条件",
}
WITHDRAW_REASON = "企业因搬迁主动撤回申报"
OBJECTIONS = (
    ("该企业去年曾拖欠部分职工两个月加班费", "经核查，相关加班费已于今年3月足额补发，并有职工签字确认", "13805751234"),
    ("公示企业食堂和宿舍条件较差，请核实", "", ""),
)
SURVEY_SHARES = ((55, 3), (70, 30), (80, 40), (90, 27))  # satisfied share (%) band start, weight


def seed_harmony(scale, seed_value: int, *, use_copy: bool = False, progress=None) -> dict:
    say = progress or (lambda line: None)
    began = time.monotonic()
    with translation.override("zh-hans"):
        out = Builder(seed_value, timezone.localdate()).run(say, began)
    say(f"harmony: {out['evaluations']:,} evaluations this year, {out['certifications']:,} certificates, "
        f"{out['surveys']:,} surveys, {out['vetoes']:,} veto events ({time.monotonic() - began:.0f} s)")
    return out


class Builder:
    def __init__(self, seed_value: int, today: date):
        self.rng = random.Random(f"harmony-{seed_value}")
        self.today = today
        self.calendar = current_calendar()
        self.standard = Standard.objects.filter(is_active=True).order_by("-effective_from").first()
        self.tiers = {t.code: t for t in Tier.objects.select_related("prerequisite")}
        self.classes = list(self.standard.classes.all())
        self.class_rows = [c.as_row() for c in self.classes]
        self.indicators = {c.pk: list(services.applicable_indicators(self.standard, c)) for c in self.classes}
        self.users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in base.ACCOUNTS])}
        union = (RoleAssignment.objects.filter(user__username="union_demo", role=Role.UNION_OFFICER, is_active=True)
                 .select_related("enterprise").first())
        self.demo_enterprise = union.enterprise if union else None
        self.county = base.COUNTY_CODE
        self.numbers = defaultdict(int)  # certificate year → last number written in bulk

    # --- helpers -----------------------------------------------------------------------------------

    def u(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def publicity_end(self, day: date) -> date:
        return rules.publicity_end(day, self.calendar.add_working_days)

    def class_of(self, head_count: int):
        row = rules.class_for(head_count, self.class_rows)
        return row.pk if row else None

    def manual_points(self, indicator, quality: float) -> Decimal:
        """Self-assessed points: most near the maximum, in half points."""
        share = min(1.0, max(0.3, quality + self.rng.uniform(-0.12, 0.08)))
        return (D(str(round(float(indicator.max_points) * share * 2) / 2))).quantize(D("0.1"))

    def scores_for(self, class_pk, figures, quality, *, assessed: bool, partly: bool = False):
        """(score rows as dicts, self total, manual indicator ids) for one evaluation."""
        rows = []
        for ind in self.indicators[class_pk]:
            row = {"indicator": ind, "computed_points": None, "figures": {}, "self_points": None, "evidence": ""}
            if ind.is_computed:
                points, shown = rules.compute(ind.method, figures, ind.max_points, ind.params)
                row["computed_points"] = points
                row["figures"] = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in shown.items()}
            elif assessed and not (partly and self.rng.random() < 0.5):
                row["self_points"] = self.manual_points(ind, quality)
                row["evidence"] = f"见附件：{ind.text[:20]}相关台账和证明材料"
            rows.append(row)
        total = sum((r["self_points"] if r["self_points"] is not None else (r["computed_points"] or D(0))) for r in rows)
        return rows, total

    def review(self, rows, base_total):
        """The town's review: one manual score in four lowered, with a reason; the reviewed total."""
        total = base_total
        manual = [r for r in rows if not r["indicator"].is_computed and r["self_points"]]
        if manual and self.rng.random() < 0.3:
            row = self.rng.choice(manual)
            cut = min(row["self_points"], D(self.u(2, 8)) / 2)
            row["review_points"] = row["self_points"] - cut
            row["review_reason"] = self.rng.choice(REVIEW_REASONS)
            total -= cut
        return total

    def tier_for(self, score, held_county_since: date | None):
        """The tier an enterprise applies for: the city tier once the county's is held for a year."""
        # A margin over the tier's minimum (85, 80): the town's review may lower the score a little.
        if held_county_since and (self.today - held_county_since).days >= 365 and score >= 88:
            return self.tiers["city"]
        if score >= 83:
            return self.tiers["county"]
        return self.tiers["compliant"]

    # --- the run ---------------------------------------------------------------------------------------

    def run(self, say, began) -> dict:
        today = self.today
        self.round = Round.objects.create(
            year=today.year, name=f"{today.year}年度劳动关系和谐企业创建", standard=self.standard,
            opens_on=today - timedelta(days=ROUND_OPENED_DAYS_AGO), self_assessment_due=today + timedelta(days=21),
            review_due=today + timedelta(days=45), approval_due=today + timedelta(days=75))
        enterprises = list(Enterprise.objects.order_by("pk").values_list(
            "pk", "region_id", "region__code", "head_count", "has_union", "has_workers_congress"))
        self.troubled = self.troubled_enterprises()
        story = self.story_enterprises(enterprises)
        taken = {e for e in story.values() if e}
        applicants = self.pick_applicants(enterprises, taken)
        surveys = self.surveys(applicants + [e for e in enterprises if e[0] in taken], taken)
        say(f"harmony surveys: {surveys:,} ({time.monotonic() - began:.0f} s)")
        services.detect_vetoes(today)
        self.vetoed = set(VetoEvent.objects.values_list("enterprise_id", flat=True))
        held = self.history(applicants)
        say(f"harmony earlier rounds: {sum(self.numbers.values()):,} certificates ({time.monotonic() - began:.0f} s)")
        made = self.current_round(applicants, held)
        say(f"harmony this year's round: {made:,} applications ({time.monotonic() - began:.0f} s)")
        self.story(story)
        services.expire_and_remind(today)
        services.refresh_later()  # the certificates were written in bulk, past the receivers
        return {
            "evaluations": Evaluation.objects.filter(round=self.round).count(),
            "certifications": Certification.objects.count(),
            "surveys": Survey.objects.count(),
            "vetoes": VetoEvent.objects.count(),
            "round": self.round.pk,
        }

    def troubled_enterprises(self) -> set[int]:
        """Enterprises a collective case or a red alert would veto: few of them apply."""
        from concord.alerts.models import Alert
        from concord.disputes.models import Case

        since = self.today - timedelta(days=730)
        out = set(Case.objects.filter(is_collective=True, received_on__gte=since).values_list("respondent_id", flat=True))
        return out | set(Alert.objects.filter(level="red", raised_on__gte=since).values_list("enterprise_id", flat=True))

    def story_enterprises(self, enterprises) -> dict:
        """The story's enterprises, in 钱清街道 first, then elsewhere when the town has too few: nothing
        vetoes them and their score reaches a tier (with a union and 30 workers or more where possible)."""
        demo = self.demo_enterprise.pk if self.demo_enterprise else None
        fit = [e for e in enterprises if e[0] != demo and e[0] not in self.troubled and e[3] > 0]
        figures = services.figures_for([e[0] for e in fit], self.standard, self.today)

        def projected(e):
            total = D(-2)
            for ind in self.indicators[self.class_of(e[3])]:
                total += (rules.compute(ind.method, figures[e[0]], ind.max_points, ind.params)[0]
                          if ind.is_computed else ind.max_points)
            return total

        fit.sort(key=lambda e: (projected(e) < 66, e[2] != base.QIANQING, not e[4], e[3] < 30, e[0]))
        names = ("submitted", "reviewed", "publicity", "certified", "returned", "rejected", "suspended", "veto")
        out = {name: (fit[i][0] if i < len(fit) else None) for i, name in enumerate(names)}
        out["draft"] = demo
        return out

    def pick_applicants(self, enterprises, taken) -> list[tuple]:
        """About a fifth of the enterprises, larger ones and those with a union more often."""
        target = round(len(enterprises) * APPLICANT_SHARE)
        scored = []
        for e in enterprises:
            weight = (1.6 if e[4] else 0.7) * (1.4 if e[5] else 1.0) * (1.5 if e[3] >= 100 else 1.0 if e[3] >= 30 else 0.6)
            weight *= 0.1 if e[0] in self.troubled else 1.0
            scored.append((self.rng.random() ** (1 / weight), e))
        chosen = [e for _key, e in sorted(scored, key=lambda x: -x[0]) if e[0] not in taken and e[3] > 0][:target]
        return sorted(chosen)

    # --- surveys ------------------------------------------------------------------------------------

    def surveys(self, pool, taken) -> int:
        admin = self.users["county_admin"]
        chosen = [e for e in pool if self.rng.random() < SURVEY_SHARE]
        workers = defaultdict(list)
        ids = [e[0] for e in chosen] + ([self.demo_enterprise.pk] if self.demo_enterprise else [])
        for start in range(0, len(ids), 900):
            for ent, worker in (Employment.objects.filter(enterprise_id__in=ids[start:start + 900], end_date__isnull=True)
                                .order_by("enterprise_id", "worker_id").values_list("enterprise_id", "worker_id")):
                workers[ent].append(worker)
        by_pk = {e.pk: e for e in Enterprise.objects.filter(pk__in=ids)}
        participations, tallies = [], []
        opened = self.round.opens_on
        for e in chosen:
            staff = workers.get(e[0], [])
            if not staff:
                continue
            opens = opened + timedelta(days=self.u(3, 30))
            survey = services.survey_open(actor=admin, enterprise=by_pk[e[0]], opens_on=opens,
                                          closes_on=opens + timedelta(days=14), round=self.round)
            # The story's enterprises are content (nothing may veto them before the county approves).
            share = D(85 + self.u(0, 9)) if e[0] in taken else self.share()
            self.answers(survey, self.rng.sample(staff, min(len(staff), max(1, round(len(staff) * self.rng.uniform(0.4, 0.8))))),
                         share, participations, tallies)
        if self.demo_enterprise and workers.get(self.demo_enterprise.pk):
            # Open now: some colleagues answered, the demo worker has not yet.
            survey = services.survey_open(actor=admin, enterprise=self.demo_enterprise, opens_on=self.today - timedelta(days=3),
                                          closes_on=self.today + timedelta(days=11), round=self.round)
            demo_worker = Worker.objects.filter(user__username="worker_demo").values_list("pk", flat=True).first()
            staff = [w for w in workers[self.demo_enterprise.pk] if w != demo_worker]
            self.answers(survey, staff[: max(1, len(staff) // 3)], D(85), participations, tallies)
        SurveyParticipation.objects.bulk_create(participations, batch_size=5000)
        SurveyTally.objects.bulk_create(tallies, batch_size=5000)
        return len(chosen)

    def share(self) -> Decimal:
        pick = self.rng.choices([s for s, _w in SURVEY_SHARES], [w for _s, w in SURVEY_SHARES])[0]
        return D(pick + self.u(0, 9))

    def answers(self, survey, respondents, share, participations, tallies):
        """``respondents`` answered every question; about ``share`` % of the answers are 4 or 5."""
        n = len(respondents)
        participations.extend(SurveyParticipation(survey=survey, worker_id=w) for w in respondents)
        for question in SurveyQuestion.objects.filter(survey=survey):
            satisfied = min(n, max(0, round(n * float(share) / 100 + self.rng.uniform(-1.5, 1.5))))
            high = round(satisfied * self.rng.uniform(0.35, 0.6))
            rest = n - satisfied
            three = round(rest * 0.6)
            two = round((rest - three) * 0.7)
            counts = {5: high, 4: satisfied - high, 3: three, 2: two, 1: rest - three - two}
            tallies.extend(SurveyTally(question=question, value=v, count=c) for v, c in counts.items() if c)
        Survey.objects.filter(pk=survey.pk).update(responses=n)

    # --- earlier rounds ---------------------------------------------------------------------------

    def history(self, applicants) -> dict:
        """Earlier rounds' certificates; returns enterprise → {tier code: certified on} of titles
        still valid today."""
        held = defaultdict(dict)
        pool = [e for e in applicants if e[0] not in self.vetoed]
        county_since = {}
        for back in range(HISTORY_YEARS, 0, -1):
            year = self.today.year - back
            rnd = Round.objects.create(
                year=year, name=f"{year}年度劳动关系和谐企业创建", standard=self.standard, opens_on=date(year, 9, 1),
                self_assessment_due=date(year, 10, 31), review_due=date(year, 11, 30), approval_due=date(year, 12, 20),
                is_open=False)
            chosen = sorted(self.rng.sample(pool, min(len(pool), round(len(pool) * HISTORY_SHARE))))
            certified_on = date(year, 12, 20)
            figures = services.figures_for([e[0] for e in chosen], self.standard, certified_on)
            plans = []
            for e in chosen:
                class_pk = self.class_of(e[3])
                quality = self.rng.uniform(0.75, 1.0)
                rows, total = self.scores_for(class_pk, figures[e[0]], quality, assessed=True)
                reviewed = self.review(rows, total)
                since = county_since.get(e[0])
                tier = self.tier_for(reviewed, since if since and (certified_on - since).days >= 365 else None)
                if reviewed < tier.min_score:
                    continue
                if tier.code == "city" and not (since and (certified_on - since).days >= 365):
                    tier = self.tiers["county"]
                submitted = date(year, 10, self.u(1, 28))
                approved = date(year, 12, self.u(1, 5))
                ev = Evaluation(round=rnd, enterprise_id=e[0], region_id=e[1], enterprise_class_id=class_pk, tier=tier,
                                status=EvaluationStatus.CERTIFIED, head_count=e[3], self_score=total, review_score=reviewed,
                                submitted_on=submitted, onsite_check_on=submitted + timedelta(days=self.u(7, 20)),
                                onsite_notes="查阅劳动合同、工资台账和社保缴费记录，召开职工座谈会",
                                reviewed_on=date(year, 11, self.u(20, 30)), approved_on=approved, publicity_from=approved,
                                publicity_until=self.publicity_end(approved))
                plans.append((ev, rows))
                if tier.code == "county":
                    county_since.setdefault(e[0], certified_on)
            self.write(plans)
            certs = []
            for ev, _rows in plans:
                certs.append(self.certificate(ev, certified_on))
            Certification.objects.bulk_create(certs, batch_size=2000)
            for cert in certs:
                if cert.status == CertificationStatus.VALID:
                    held[cert.enterprise_id][cert.tier.code] = cert.certified_on
        self.sequences()
        return held

    def certificate(self, ev, certified_on) -> Certification:
        self.numbers[certified_on.year] += 1
        tier = ev.tier
        until = rules.valid_until(certified_on, tier.validity_years)
        recheck = rules.add_months(certified_on, tier.recheck_months)
        while recheck < self.today - timedelta(days=30) and recheck < until:
            recheck = rules.add_months(recheck, tier.recheck_months)  # the yearly re-checks were done
        expired = until < self.today
        return Certification(
            number=f"{self.county}-HX-{certified_on.year}-{self.numbers[certified_on.year]:04d}", enterprise_id=ev.enterprise_id,
            region_id=ev.region_id, tier=tier, evaluation=ev, certified_on=certified_on, valid_until=until,
            next_recheck_on=min(recheck, until), status=CertificationStatus.EXPIRED if expired else CertificationStatus.VALID,
            status_changed_on=until + timedelta(days=1) if expired else None)

    def sequences(self):
        """The certificate sequence continues after the numbers written in bulk."""
        for year, last in self.numbers.items():
            name = f"harmony:{self.county}:{year}"
            Sequence.objects.bulk_create([Sequence(name=name)], ignore_conflicts=True)
            Sequence.objects.filter(name=name, last__lt=last).update(last=last)

    def write(self, plans):
        """Evaluations and their score rows in bulk."""
        Evaluation.objects.bulk_create([ev for ev, _rows in plans], batch_size=2000)
        scores = []
        for ev, rows in plans:
            for r in rows:
                scores.append(IndicatorScore(
                    evaluation=ev, indicator=r["indicator"], computed_points=r["computed_points"], figures=r["figures"],
                    self_points=r["self_points"], evidence=r["evidence"], review_points=r.get("review_points"),
                    review_reason=r.get("review_reason", "")))
        IndicatorScore.objects.bulk_create(scores, batch_size=5000)

    # --- this year's round --------------------------------------------------------------------------

    def current_round(self, applicants, held) -> int:
        today, opens = self.today, self.round.opens_on
        figures = services.figures_for([e[0] for e in applicants], self.standard, today)
        steps, weights = list(STEPS), list(STEPS.values())
        plans, certified = [], []
        for e in applicants:
            step = self.rng.choices(steps, weights)[0]
            class_pk = self.class_of(e[3])
            quality = self.rng.uniform(0.7, 1.0)
            draft = step == EvaluationStatus.DRAFT
            rows, total = self.scores_for(class_pk, figures[e[0]], quality, assessed=True, partly=draft)
            titles = held.get(e[0], {})
            tier = self.tier_for(total, titles.get("county"))
            ev = Evaluation(round=self.round, enterprise_id=e[0], region_id=e[1], enterprise_class_id=class_pk, tier=tier,
                            status=step, head_count=e[3])
            if not draft:
                ev.self_score = total
                ev.submitted_on = opens + timedelta(days=self.u(3, 20))
            if step == EvaluationStatus.WITHDRAWN:
                ev.decision_note = WITHDRAW_REASON
            if step in (EvaluationStatus.REVIEWED, EvaluationStatus.PUBLICITY, EvaluationStatus.CERTIFIED,
                        EvaluationStatus.REJECTED):
                ev.review_score = self.review(rows, total)
                self.dates(ev, step)
                if step in (EvaluationStatus.PUBLICITY, EvaluationStatus.CERTIFIED):
                    problem = self.approval_problem(e[0], tier, ev.review_score, titles)
                    if problem:  # the county could not approve it: not approved, or not decided yet
                        ev.approved_on = ev.publicity_from = ev.publicity_until = None
                        if self.rng.random() < 0.3:
                            ev.status, ev.decision_note = EvaluationStatus.REJECTED, problem
                        else:
                            ev.status = EvaluationStatus.REVIEWED
                if ev.status == EvaluationStatus.REJECTED and not ev.decision_note:
                    ev.decision_note = self.rng.choice(REJECT_REASONS)
            plans.append((ev, rows))
            if ev.status == EvaluationStatus.CERTIFIED:
                certified.append(ev)
        self.write(plans)
        certs = [self.certificate(ev, min(ev.publicity_until + timedelta(days=self.u(1, 3)), today - timedelta(days=1)))
                 for ev in certified]
        Certification.objects.bulk_create(certs, batch_size=2000)
        self.sequences()
        return len(plans)

    def dates(self, ev, step):
        """Review, approval and publicity dates that follow each other and end before today."""
        today = self.today
        if step == EvaluationStatus.PUBLICITY:
            approved = today - timedelta(days=self.u(0, 3))
            while self.publicity_end(approved) < today:
                approved += timedelta(days=1)
            ev.approved_on = ev.publicity_from = approved
            ev.publicity_until = self.publicity_end(approved)
            ev.reviewed_on = approved - timedelta(days=self.u(1, 6))
        elif step == EvaluationStatus.CERTIFIED:
            certified_by = today - timedelta(days=self.u(2, 12))
            approved = certified_by - timedelta(days=10)
            ev.approved_on = ev.publicity_from = approved
            ev.publicity_until = self.publicity_end(approved)
            ev.reviewed_on = approved - timedelta(days=self.u(1, 6))
        else:  # reviewed, or rejected after review
            ev.reviewed_on = today - timedelta(days=self.u(1, 14))
        ev.submitted_on = min(ev.submitted_on, ev.reviewed_on - timedelta(days=4))
        ev.onsite_check_on = ev.reviewed_on - timedelta(days=self.u(0, 3))
        ev.onsite_notes = "查阅劳动合同、工资台账和社保缴费记录，抽查车间考勤，召开职工座谈会"

    def approval_problem(self, enterprise_id, tier, score, titles) -> str | None:
        """The county's reason not to approve (the services' rule; the note in the demo's Chinese)."""
        held = [rules.Held(code, since, rules.valid_until(since, 3)) for code, since in titles.items()]
        code = rules.tier_problem(tier.as_row(), score, held, int(enterprise_id in self.vetoed), self.today)
        if code is None:
            return None
        return APPROVAL_NOTES[code].format(score=score, min=tier.min_score, days=tier.prerequisite_days)

    # --- the story, through the services ------------------------------------------------------------

    def story(self, story):
        today, u = self.today, self.users
        town, county, union = u.get("town_qianqing"), u["county_admin"], u.get("union_demo")
        opens = self.round.opens_on
        ents = {k: Enterprise.objects.filter(pk=v).first() if v else None for k, v in story.items()}

        def start(ent, actor, day):
            figures = services.figures_for([ent.pk], self.standard, day)[ent.pk]
            class_pk = self.class_of(ent.head_count)
            rows, total = self.scores_for(class_pk, figures, 1.0, assessed=True)
            tier = self.tiers["county"] if total >= 84 else self.tiers["compliant"]
            ev = services.evaluation_start(actor=actor, round=self.round, enterprise=ent, tier=tier, today=day)
            return ev

        def assess(ev, actor, partly=False):
            points, evidence = {}, {}
            for score in ev.scores.select_related("indicator"):
                ind = score.indicator
                if ind.is_computed or (partly and len(points) >= 2):
                    continue
                points[ind.pk] = (ind.max_points - (D(1) if ind.max_points >= 10 else D(0))).quantize(D("0.1"))
                evidence[ind.pk] = f"{ind.text[:24]}：见上传的台账和制度文件"
            services.self_assess(ev, actor=actor, points=points, evidence=evidence)

        def officer_for(ent):
            return town if town and ent.region.code == base.QIANQING else county

        def submitted(ent, day):
            actor = officer_for(ent)
            ev = start(ent, actor, day - timedelta(days=5))
            assess(ev, actor)
            return services.evaluation_submit(ev, actor=actor, today=day)

        def reviewed(ent, day):
            ev = submitted(ent, day - timedelta(days=10))
            return services.evaluation_review(ev, actor=officer_for(ent), points={}, reasons={},
                                              onsite_check_on=day - timedelta(days=2),
                                              onsite_notes="查阅劳动合同和工资台账，抽查考勤记录，与职工代表座谈", today=day)

        if ents["draft"] and union:
            ev = start(ents["draft"], union, opens + timedelta(days=20))
            assess(ev, union, partly=True)
        if ents["submitted"]:
            submitted(ents["submitted"], today - timedelta(days=3))
        if ents["reviewed"]:
            reviewed(ents["reviewed"], today - timedelta(days=2))
        if ents["publicity"]:
            ev = reviewed(ents["publicity"], today - timedelta(days=7))
            ev = services.evaluation_approve(ev, actor=county, today=today)
            (text1, answer1, contact1), (text2, _a, contact2) = OBJECTIONS
            first = services.objection_lodge(ev, text=text1, contact=contact1, today=today)
            services.objection_answer(first, actor=county, answer=answer1, upheld=False, today=today)
            services.objection_lodge(ev, text=text2, contact=contact2, today=today)
        if ents["certified"]:
            ev = reviewed(ents["certified"], today - timedelta(days=20))
            approved = today - timedelta(days=14)
            ev = services.evaluation_approve(ev, actor=county, today=approved)
            services.evaluation_certify(ev, actor=county, today=ev.publicity_until + timedelta(days=1))
        if ents["returned"]:
            ev = submitted(ents["returned"], today - timedelta(days=6))
            services.evaluation_return(ev, actor=officer_for(ents["returned"]),
                                       note="请补充工资专项集体合同备案材料和近三个月工资发放记录")
        if ents["rejected"]:
            ev = reviewed(ents["rejected"], today - timedelta(days=5))
            services.evaluation_reject(ev, actor=county, note=REJECT_REASONS[0])
        if ents["suspended"]:
            self.suspended(ents["suspended"], county)
        if ents["veto"]:
            item = VetoItem.objects.filter(standard=self.standard, code="V1").first()
            if item:
                services.veto_record(actor=county, enterprise=ents["veto"], item=item,
                                     occurred_on=today - timedelta(days=40),
                                     description="劳动保障监察查实该企业使用未满16周岁童工1名，已责令整改并处罚款", today=today)

    def suspended(self, ent, county):
        """A title from two years ago, suspended by a serious accident the county recorded: its review
        task is open."""
        year = self.today.year - 2
        rnd = Round.objects.get(year=year)
        evaluation = Evaluation.objects.filter(round=rnd, enterprise=ent).first()
        if evaluation is None:
            class_pk = self.class_of(ent.head_count)
            figures = services.figures_for([ent.pk], self.standard, date(year, 12, 20))[ent.pk]
            rows, total = self.scores_for(class_pk, figures, 1.0, assessed=True)
            approved = date(year, 12, 2)
            evaluation = Evaluation(
                round=rnd, enterprise=ent, region_id=ent.region_id, enterprise_class_id=class_pk,
                tier=self.tiers["county" if total >= 80 else "compliant"],
                status=EvaluationStatus.CERTIFIED, head_count=ent.head_count, self_score=total, review_score=total,
                submitted_on=date(year, 10, 15), onsite_check_on=date(year, 11, 10), reviewed_on=date(year, 11, 20),
                onsite_notes="查阅劳动合同、工资台账和社保缴费记录", approved_on=approved, publicity_from=approved,
                publicity_until=self.publicity_end(approved))
            self.write([(evaluation, rows)])
            cert = self.certificate(evaluation, date(year, 12, 20))
            cert.number = f"{self.county}-HX-{year}-{next_value(f'harmony:{self.county}:{year}'):04d}"
            cert.save()
        item = VetoItem.objects.filter(standard=self.standard, code="V2").first()
        if item:
            services.veto_record(actor=county, enterprise=ent, item=item, occurred_on=self.today - timedelta(days=12),
                                 description="该企业印染车间发生一起机械伤害事故，造成1名职工重伤，安监部门已立案调查",
                                 today=self.today)

