"""State changes of harmonious-enterprise creation (STYLE.md 4): starting an evaluation with its
computed indicators prefilled, self-assessment, submission, town review, county approval and
publicity, objections, certification, veto events with their consequences, and the anonymous
satisfaction survey.

Every status change goes through ``concord.core.workflow.transition``; bad input raises
ValidationError keyed by field (a score's field is ``score-<indicator id>``) and changes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core import audit, notify
from concord.core.models import RoleAssignment
from concord.core.scope import CHANGE, Role, ensure_in_scope
from concord.core.sequences import next_value
from concord.core.workdays import CalendarMissing, current_calendar
from concord.core.workflow import transition
from concord.disputes import evidence as evidence_rules
from concord.registry.models import Employment, Enterprise, Worker

from . import rules
from .models import (
    Certification, CertificationStatus, CountyReview, Detection, Evaluation, EvaluationEvidence, EvaluationStatus, Indicator,
    IndicatorScore, Objection, Survey, SurveyParticipation, SurveyQuestion, SurveyTally, VetoEvent, VetoItem,
)

MESSAGES = {
    "above_maximum": "%(points)s is above the indicator's maximum of %(max)s points.",
    "negative_points": "Points cannot be negative.",
    "reason_required": "Say why the score changed (the self-assessment gave %(self)s).",
    "veto": "A veto item applies to this enterprise within its look-back period.",
    "score_below_minimum": "The score %(score)s is below the tier's minimum of %(min)s.",
    "prerequisite_missing": "This tier needs the lower tier held for at least %(days)s days.",
}


def message(code, **values):
    return _(MESSAGES[code]) % values


# --- figures for computed indicators --------------------------------------------------------------

def figures_for(enterprise_ids, standard, today: date) -> dict[int, rules.Figures]:
    """Concord's figures for each enterprise over the standard's period, in a fixed number of queries
    whatever the number of enterprises (grouped aggregates, in chunks)."""
    from concord.alerts.models import EnterpriseRisk, RiskSignal
    from concord.disputes.models import Case

    since = today - timedelta(days=standard.period_days)
    ids = list(enterprise_ids)
    data = defaultdict(dict)
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for row in (Employment.objects.filter(enterprise_id__in=chunk, end_date__isnull=True).values("enterprise_id")
                    .annotate(n=Count("pk"), signed=Count("pk", filter=Q(contract_signed=True)),
                              insured=Count("pk", filter=Q(insured=True)))):
            data[row["enterprise_id"]].update(employments=row["n"], contracts=row["signed"], insured=row["insured"])
        for row in (RiskSignal.objects.filter(enterprise_id__in=chunk, kind="wage_arrears", observed_on__gte=since,
                                              observed_on__lte=today).values("enterprise_id").annotate(n=Count("pk"))):
            data[row["enterprise_id"]]["arrears_signals"] = row["n"]
        for row in (Case.objects.filter(respondent_id__in=chunk, received_on__gte=since, received_on__lte=today)
                    .values("respondent_id").annotate(n=Count("pk"), collective=Count("pk", filter=Q(is_collective=True)))):
            data[row["respondent_id"]].update(cases=row["n"], collective_cases=row["collective"])
        for ent, level in EnterpriseRisk.objects.filter(enterprise_id__in=chunk).values_list("enterprise_id", "level"):
            data[ent]["alert_level"] = level
        for ent, union, congress in Enterprise.objects.filter(pk__in=chunk).values_list("pk", "has_union", "has_workers_congress"):
            data[ent].update(has_union=union, has_congress=congress)
        latest = {}
        for survey in (Survey.objects.filter(enterprise_id__in=chunk, closes_on__lte=today, closes_on__gte=since)
                       .order_by("enterprise_id", "-closes_on", "-pk")):
            latest.setdefault(survey.enterprise_id, survey)
        shares = satisfaction_shares(latest.values())
        for ent, survey in latest.items():
            data[ent].update(satisfaction=shares.get(survey.pk), responses=survey.responses)
    return {ent: rules.Figures(**data.get(ent, {})) for ent in ids}


def satisfaction_shares(surveys) -> dict[int, Decimal | None]:
    """``satisfaction_of`` for many surveys in one grouped query."""
    surveys = list(surveys)
    counts = defaultdict(lambda: [0, 0])  # survey id → [answers, satisfied]
    rows = (SurveyTally.objects.filter(question__survey__in=[s.pk for s in surveys], question__counts_for_satisfaction=True)
            .values_list("question__survey_id", "value", "count"))
    for survey_id, value, count in rows:
        counts[survey_id][0] += count
        counts[survey_id][1] += count if rules.is_satisfied(value) else 0
    out = {}
    for s in surveys:
        answers, satisfied = counts[s.pk]
        out[s.pk] = (rules.satisfaction_share(satisfied, answers, 1)
                     if s.responses >= max(s.min_responses, 1) and answers else None)
    return out


def satisfaction_of(survey) -> Decimal | None:
    """The share of satisfied answers (4 or 5 of 5) over the questions that count, when valid."""
    return satisfaction_shares([survey])[survey.pk]


def applicable_indicators(standard, enterprise_class):
    return (Indicator.objects.filter(group__standard=standard)
            .filter(Q(classes__isnull=True) | Q(classes=enterprise_class)).distinct()
            .select_related("group").order_by("group__order", "order", "pk"))


# --- the evaluation ---------------------------------------------------------------------------------

@transaction.atomic
def evaluation_start(*, actor, round, enterprise, tier, today: date | None = None) -> Evaluation:
    """Open an enterprise's application in a round: its class by head count, one score row per
    applicable indicator, computed indicators prefilled with their figures."""
    today = today or timezone.localdate()
    if not Enterprise.objects.visible_to(actor, CHANGE).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("This enterprise is outside your scope."))
    if not round.is_open or today > round.self_assessment_due:
        raise ValidationError({"round": _("The round is closed for applications.")})
    if Evaluation.objects.filter(round=round, enterprise=enterprise).exists():
        raise ValidationError({"enterprise": _("The enterprise already has an application in this round.")})
    classes = [c.as_row() for c in round.standard.classes.all()]
    row = rules.class_for(enterprise.head_count, classes)
    if row is None:
        raise ValidationError({"enterprise": _("No enterprise class of the standard covers a head count of %(n)s.") % {
            "n": enterprise.head_count}})
    evaluation = Evaluation.objects.create(
        round=round, enterprise=enterprise, region_id=enterprise.region_id, enterprise_class_id=row.pk, tier=tier,
        head_count=enterprise.head_count, created_by=actor)
    figures = figures_for([enterprise.pk], round.standard, today)[enterprise.pk]
    IndicatorScore.objects.bulk_create([
        _score_row(evaluation, indicator, figures) for indicator in applicable_indicators(round.standard, evaluation.enterprise_class)
    ])
    ensure_in_scope(evaluation, actor, CHANGE)
    audit.record_event(actor=actor, verb="evaluation.start", target=evaluation,
                       summary=_("Application for %(tier)s opened") % {"tier": tier.name})
    return evaluation


def _score_row(evaluation, indicator, figures) -> IndicatorScore:
    score = IndicatorScore(evaluation=evaluation, indicator=indicator)
    if indicator.is_computed:
        points, shown = rules.compute(indicator.method, figures, indicator.max_points, indicator.params)
        score.computed_points = points
        score.figures = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in shown.items()}
    return score


@transaction.atomic
def refresh_computed(evaluation, *, today: date | None = None) -> Evaluation:
    """Recompute the computed indicators from today's data (while the enterprise is still assessing)."""
    today = today or timezone.localdate()
    figures = figures_for([evaluation.enterprise_id], evaluation.round.standard, today)[evaluation.enterprise_id]
    for score in evaluation.scores.select_related("indicator"):
        if score.indicator.is_computed:
            fresh = _score_row(evaluation, score.indicator, figures)
            IndicatorScore.objects.filter(pk=score.pk).update(computed_points=fresh.computed_points, figures=fresh.figures)
    return evaluation


def _check_points(scores, points_of, errors):
    for score in scores:
        points = points_of.get(score.indicator_id)
        code = rules.points_problem(points, score.indicator.max_points)
        if code:
            errors[f"score-{score.indicator_id}"] = [message(code, points=points, max=score.indicator.max_points)]


@transaction.atomic
def self_assess(evaluation, *, actor, points: dict, evidence: dict | None = None) -> Evaluation:
    """Record the self-assessed points of manual indicators (indicator id → points) with evidence."""
    evidence = evidence or {}
    row = _locked_for(evaluation, actor, {EvaluationStatus.DRAFT, EvaluationStatus.RETURNED},
                      _("The self-assessment can only change before submission."))
    scores = list(row.scores.select_related("indicator"))
    errors = {}
    by_id = {s.indicator_id: s for s in scores}
    for indicator_id in points:
        score = by_id.get(int(indicator_id))
        if score is None:
            errors[f"score-{indicator_id}"] = [_("This indicator is not part of the application.")]
        elif score.indicator.is_computed:
            errors[f"score-{indicator_id}"] = [_("This indicator is computed from Concord's data.")]
    _check_points(scores, {int(k): v for k, v in points.items()}, errors)
    if errors:
        raise ValidationError(errors)
    for indicator_id, value in points.items():
        score = by_id[int(indicator_id)]
        score.self_points = value
        score.evidence = (evidence.get(indicator_id) or evidence.get(int(indicator_id)) or score.evidence or "").strip()
        score.save(update_fields=["self_points", "evidence"])
    audit.record_event(actor=actor, verb="evaluation.self_assess", target=row, summary=_("Self-assessment saved"))
    return row


def _locked_for(evaluation, actor, statuses, refusal):
    row = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not Evaluation.objects.visible_to(actor, CHANGE).filter(pk=row.pk).exists():
        raise PermissionDenied(_("This evaluation is outside your scope."))
    if row.status not in statuses:
        raise ValidationError({"status": refusal})
    return row


def total(scores, field: str) -> Decimal:
    """The sum of ``field`` points (falling back to the computed points)."""
    out = Decimal(0)
    for s in scores:
        value = getattr(s, field)
        if value is None and field == "review_points":
            value = s.self_points if s.self_points is not None else s.computed_points
        elif value is None:
            value = s.computed_points
        out += value or 0
    return out


def evaluation_submit(evaluation, *, actor, today: date | None = None) -> Evaluation:
    today = today or timezone.localdate()
    scores = list(IndicatorScore.objects.filter(evaluation=evaluation).select_related("indicator"))
    missing = [s for s in scores if not s.indicator.is_computed and s.self_points is None]
    if missing:
        raise ValidationError({f"score-{s.indicator_id}": [_("Score this indicator before submitting.")] for s in missing})
    if today > evaluation.round.self_assessment_due:
        raise ValidationError({"round": _("The self-assessment deadline (%(day)s) has passed.") % {
            "day": evaluation.round.self_assessment_due.isoformat()}})

    def apply(row):
        row.self_score = total(scores, "self_points")
        row.submitted_on = today

    row = transition(evaluation, "submit", actor=actor, apply=apply)
    notify.notify(_town_officers(row), _text(row, _("Application submitted for review")), row.get_absolute_url())
    return row


def evaluation_return(evaluation, *, actor, note: str) -> Evaluation:
    row = transition(evaluation, "return", actor=actor, note=note)
    notify.notify(_union_officers(row), _text(row, _("Returned for correction: %(note)s") % {"note": note}), row.get_absolute_url())
    return row


def evaluation_review(evaluation, *, actor, points: dict, reasons: dict, onsite_check_on: date | None,
                      onsite_notes: str, today: date | None = None) -> Evaluation:
    """The town's review: adjusted points (indicator id → points) each with a reason when changed,
    and the on-site check."""
    today = today or timezone.localdate()
    scores = list(IndicatorScore.objects.filter(evaluation=evaluation).select_related("indicator"))
    points = {int(k): v for k, v in points.items()}
    reasons = {int(k): (v or "").strip() for k, v in reasons.items()}
    errors = {}
    _check_points(scores, points, errors)
    for s in scores:
        if s.indicator_id in points and f"score-{s.indicator_id}" not in errors:
            before = s.self_points if s.self_points is not None else s.computed_points
            code = rules.review_problem(before, points[s.indicator_id], reasons.get(s.indicator_id, ""))
            if code:
                errors[f"score-{s.indicator_id}"] = [message(code, self=before)]
    if not onsite_check_on:
        errors["onsite_check_on"] = [_("Record the date of the on-site check.")]
    elif onsite_check_on > today:
        errors["onsite_check_on"] = [_("The date cannot be in the future.")]
    elif evaluation.submitted_on and onsite_check_on < evaluation.round.opens_on:
        errors["onsite_check_on"] = [_("The on-site check cannot be before the round opened.")]
    if not (onsite_notes or "").strip():
        errors["onsite_notes"] = [_("Record what the on-site check found.")]
    if errors:
        raise ValidationError(errors)

    def apply(row):
        for s in scores:
            if s.indicator_id in points:
                s.review_points, s.review_reason = points[s.indicator_id], reasons.get(s.indicator_id, "")
                s.save(update_fields=["review_points", "review_reason"])
        row.review_score = total(scores, "review_points")
        row.onsite_check_on, row.onsite_notes, row.reviewed_on = onsite_check_on, onsite_notes.strip(), today

    changed = sum(1 for s in scores if s.indicator_id in points and points[s.indicator_id] != (
        s.self_points if s.self_points is not None else s.computed_points))
    row = transition(evaluation, "review", actor=actor, apply=apply,
                     note=_("Reviewed: %(n)s scores changed") % {"n": changed})
    notify.notify(_county_admins(row), _text(row, _("Reviewed by the town, for approval")), row.get_absolute_url())
    return row


def held_titles(enterprise_id, today: date) -> list[rules.Held]:
    return [c.as_held() for c in Certification.objects.filter(enterprise_id=enterprise_id).select_related("tier")]


def active_vetoes(enterprise_id, today: date):
    events = VetoEvent.objects.filter(enterprise_id=enterprise_id).select_related("item")
    return [e for e in events if rules.veto_active(e.occurred_on, today, e.item.look_back_days)]


def approval_problem(evaluation, today: date) -> str | None:
    tier = evaluation.tier
    code = rules.tier_problem(tier.as_row(), evaluation.score, held_titles(evaluation.enterprise_id, today),
                              len(active_vetoes(evaluation.enterprise_id, today)), today)
    if code is None:
        return None
    return message(code, score=evaluation.score, min=tier.min_score, days=tier.prerequisite_days)


def evaluation_approve(evaluation, *, actor, today: date | None = None) -> Evaluation:
    """County approval: tier prerequisites and vetoes checked, then 5 working days of publicity."""
    today = today or timezone.localdate()
    evaluation = Evaluation.objects.select_related("tier__prerequisite", "round").get(pk=evaluation.pk)
    problem = approval_problem(evaluation, today)
    if problem:
        raise ValidationError({"tier": problem})
    try:
        until = rules.publicity_end(today, current_calendar().add_working_days)
    except CalendarMissing as exc:
        raise ValidationError({"publicity_until": str(exc)}) from None

    def apply(row):
        row.approved_on, row.publicity_from, row.publicity_until = today, today, until

    return transition(evaluation, "approve", actor=actor, apply=apply,
                      note=_("Approved; publicity until %(day)s") % {"day": until.isoformat()})


PUBLICITY_RECOMPUTED_VERB = "evaluation.publicity_recomputed"


def recompute_deadlines(calendar, actor=None) -> int:
    """After the working-day calendar changed: the last day of every publicity still running,
    counted again from its first day. Only an evaluation whose last day moves is saved, with a
    timeline event (idempotent). Returns how many moved."""
    moved = 0
    running = Evaluation.objects.filter(status=EvaluationStatus.PUBLICITY, publicity_from__isnull=False).order_by("pk")
    for evaluation in running:
        try:
            new = rules.publicity_end(evaluation.publicity_from, calendar.add_working_days)
        except CalendarMissing:
            continue
        if new == evaluation.publicity_until:
            continue
        with transaction.atomic():
            row = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
            old, row.publicity_until = row.publicity_until, new
            row.save(update_fields=["publicity_until"])
            audit.record_event(
                actor=actor, verb=PUBLICITY_RECOMPUTED_VERB, target=row,
                summary=_("Publicity now ends on %(new)s (was %(old)s): the working-day calendar changed") % {
                    "old": old.isoformat() if old else "—", "new": new.isoformat()},
                data={"from": old.isoformat() if old else None, "to": new.isoformat(),
                      "provisional": calendar.is_provisional(new)})
        moved += 1
    return moved


def evaluation_reject(evaluation, *, actor, note: str) -> Evaluation:
    row = transition(evaluation, "reject", actor=actor, note=note, apply=lambda r: setattr(r, "decision_note", note.strip()))
    notify.notify(_union_officers(row) + _town_officers(row), _text(row, _("Not approved: %(note)s") % {"note": note}),
                  row.get_absolute_url())
    return row


@transaction.atomic
def objection_lodge(evaluation, *, text: str, contact: str = "", today: date | None = None) -> Objection:
    """An objection from the public page (no login): only during the publicity period."""
    today = today or timezone.localdate()
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    errors = {}
    if evaluation.status != EvaluationStatus.PUBLICITY or not rules.objection_open(
            today, evaluation.publicity_from, evaluation.publicity_until):
        errors["text"] = [_("Objections are accepted only during the publicity period.")]
    elif not (text or "").strip():
        errors["text"] = [_("Write the objection.")]
    elif len(text) > 2000:
        errors["text"] = [_("Keep the objection under 2,000 characters.")]
    if contact and len(contact) > 64:
        errors["contact"] = [_("Keep the contact under 64 characters.")]
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(evaluation=evaluation, lodged_on=today, text=text.strip(), contact=contact.strip())
    audit.record_event(actor=None, verb="evaluation.objection", target=evaluation, summary=_("Objection lodged"))
    notify.notify(_county_admins(evaluation), _text(evaluation, _("Objection lodged during publicity")),
                  evaluation.get_absolute_url())
    return objection


@transaction.atomic
def objection_answer(objection, *, actor, answer: str, upheld: bool, today: date | None = None) -> Objection:
    today = today or timezone.localdate()
    if not Objection.objects.visible_to(actor, CHANGE).filter(pk=objection.pk).exists():
        raise PermissionDenied(_("Only the county answers objections."))
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("Write the answer.")]})
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_on:  # answered once: a second answer would overwrite the first
        raise ValidationError({"answer": [_("This objection was already answered on %(day)s.") % {
            "day": objection.answered_on.isoformat()}]})
    objection.answer, objection.upheld, objection.answered_on, objection.answered_by = answer.strip(), upheld, today, actor
    objection.save()
    audit.record_event(actor=actor, verb="evaluation.answer", target=objection.evaluation,
                       summary=_("Objection upheld") if upheld else _("Objection answered"))
    return objection


def evaluation_certify(evaluation, *, actor, today: date | None = None) -> Certification:
    """After publicity with every objection answered and none upheld: the certificate."""
    today = today or timezone.localdate()
    evaluation = Evaluation.objects.select_related("tier", "enterprise__region").get(pk=evaluation.pk)
    errors = {}
    if evaluation.publicity_until and today <= evaluation.publicity_until:
        errors["publicity_until"] = [_("Publicity runs until %(day)s.") % {"day": evaluation.publicity_until.isoformat()}]
    if evaluation.objections.filter(answered_on__isnull=True).exists():
        errors["objections"] = [_("Answer every objection first.")]
    elif evaluation.objections.filter(upheld=True).exists():
        errors["objections"] = [_("An objection was upheld: the application cannot be certified.")]
    if errors:
        raise ValidationError(errors)
    holder = {}

    def apply(row):
        tier = evaluation.tier
        county = evaluation.enterprise.region.path.split("/", 1)[0]
        number = f"{county}-HX-{today.year}-{next_value(f'harmony:{county}:{today.year}'):04d}"
        holder["cert"] = Certification.objects.create(
            number=number, enterprise=evaluation.enterprise, region_id=evaluation.region_id, tier=tier, evaluation=row,
            certified_on=today, valid_until=rules.valid_until(today, tier.validity_years),
            next_recheck_on=rules.add_months(today, tier.recheck_months))

    row = transition(evaluation, "certify", actor=actor, apply=apply)
    cert = holder["cert"]
    audit.record_event(actor=actor, verb="certification.issue", target=cert,
                       summary=_("Certified %(tier)s until %(day)s") % {"tier": cert.tier.name, "day": cert.valid_until.isoformat()})
    notify.notify(_union_officers(row) + _town_officers(row), _text(row, _("Certified: %(number)s") % {"number": cert.number}),
                  cert.get_absolute_url())
    return cert


# --- vetoes and their consequences ------------------------------------------------------------------

@transaction.atomic
def veto_record(*, actor, enterprise, item, occurred_on: date, description: str, key: str | None = None,
                today: date | None = None) -> VetoEvent:
    """Record a veto event (by hand, or detected with a ``key``) and apply its consequences."""
    today = today or timezone.localdate()
    errors = {}
    if occurred_on > today:
        errors["occurred_on"] = [_("The date cannot be in the future.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what happened.")]
    if errors:
        raise ValidationError(errors)
    if actor is not None and not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("This enterprise is outside your scope."))
    if key and VetoEvent.objects.filter(key=key).exists():
        return VetoEvent.objects.get(key=key)
    event = VetoEvent.objects.create(enterprise=enterprise, region_id=enterprise.region_id, item=item,
                                     occurred_on=occurred_on, description=description.strip(), key=key,
                                     recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    if actor is not None:
        ensure_in_scope(event, actor, CHANGE)
    audit.record_event(actor=actor, verb="veto.record", target=enterprise,
                       summary=_("Veto item: %(item)s") % {"item": item.text})
    _apply_veto(event, today)
    return event


def _veto_reason(event) -> str:
    """The suspended title's reason: a detected event's description names a case, an alert or a
    survey that not every reader of the title may open, so the title gives the item and the day."""
    if not event.key:
        return event.description[:500]
    return f"{event.item.text} · {event.occurred_on:%Y-%m-%d}"[:500]


def _apply_veto(event, today):
    """A veto during a title's validity suspends it and opens a county review task."""
    for cert in Certification.objects.filter(enterprise_id=event.enterprise_id, status=CertificationStatus.VALID,
                                             certified_on__lte=event.occurred_on + timedelta(days=event.item.look_back_days),
                                             valid_until__gte=event.occurred_on):
        Certification.objects.filter(pk=cert.pk).update(status=CertificationStatus.SUSPENDED, status_changed_on=today,
                                                         status_reason=_veto_reason(event))
        CountyReview.objects.get_or_create(certification=cert, veto_event=event, defaults={"opened_on": today})
        audit.record_event(actor=None, verb="certification.suspend", target=cert,
                           summary=_("Title suspended: %(item)s") % {"item": event.item.text})
        notify.notify(_county_admins(cert), f"{cert.number} · {cert.enterprise.name} · " + _("Title suspended, review needed"),
                      cert.get_absolute_url())


@transaction.atomic
def review_decide(review, *, actor, decision: str, note: str, today: date | None = None) -> CountyReview:
    today = today or timezone.localdate()
    if not CountyReview.objects.visible_to(actor, CHANGE).filter(pk=review.pk).exists():
        raise PermissionDenied(_("Only the county decides a review."))
    errors = {}
    if decision not in ("restore", "revoke"):
        errors["decision"] = [_("Choose restore or revoke.")]
    if not (note or "").strip():
        errors["note"] = [_("Give the reasons for the decision.")]
    if review.closed_on:
        errors["decision"] = [_("This review is already decided.")]
    if errors:
        raise ValidationError(errors)
    review.decision, review.note, review.closed_on = decision, note.strip(), today
    review.save()
    status = CertificationStatus.VALID if decision == "restore" else CertificationStatus.REVOKED
    Certification.objects.filter(pk=review.certification_id).update(status=status, status_changed_on=today,
                                                                   status_reason=note.strip()[:500])
    audit.record_event(actor=actor, verb=f"certification.{decision}", target=review.certification, summary=note.strip()[:255])
    return review


def detect_vetoes(today: date | None = None) -> int:
    """Veto events found in Concord's data (idempotent: each carries a key): collective cases, red
    wage-arrears alerts and valid survey results under the standard's threshold."""
    from concord.alerts.models import Alert
    from concord.disputes.models import Case

    today = today or timezone.localdate()
    made = 0
    items = defaultdict(list)
    for item in VetoItem.objects.filter(standard__is_active=True).exclude(detection=Detection.MANUAL).select_related("standard"):
        items[item.detection].append(item)
    for item in items[Detection.COLLECTIVE_DISPUTE]:
        since = today - timedelta(days=item.look_back_days)
        for case in Case.objects.filter(is_collective=True, received_on__gte=since, received_on__lte=today).select_related("respondent"):
            made += _detected(item, case.respondent, case.received_on, f"veto:{item.pk}:case:{case.pk}",
                              _("Collective dispute case %(number)s") % {"number": case.number}, today)
    for item in items[Detection.RED_WAGE_ALERT]:
        since = today - timedelta(days=item.look_back_days)
        red = Alert.objects.filter(level="red", raised_on__gte=since, raised_on__lte=today,
                                   explanation__icontains="wage_arrears").select_related("enterprise")
        for alert in red:
            made += _detected(item, alert.enterprise, alert.raised_on, f"veto:{item.pk}:alert:{alert.pk}",
                              _("Red wage-arrears alert %(number)s") % {"number": alert.number}, today)
    for item in items[Detection.LOW_SATISFACTION]:
        since = today - timedelta(days=item.look_back_days)
        for survey in Survey.objects.filter(closes_on__gte=since, closes_on__lte=today).select_related("enterprise"):
            share = satisfaction_of(survey)
            if rules.satisfaction_veto(share, item.standard.satisfaction_veto_below):
                made += _detected(item, survey.enterprise, survey.closes_on, f"veto:{item.pk}:survey:{survey.pk}",
                                  _("Worker satisfaction %(share)s%%") % {"share": share}, today)
    return made


def _detected(item, enterprise, occurred_on, key, description, today) -> int:
    if VetoEvent.objects.filter(key=key).exists():
        return 0
    veto_record(actor=None, enterprise=enterprise, item=item, occurred_on=occurred_on, description=description, key=key,
                today=today)
    return 1


def on_collective_case(sender, case, **kwargs):
    """A collective case suspends the enterprise's title at once (receiver of the disputes signal)."""
    today = timezone.localdate()
    for item in VetoItem.objects.filter(standard__is_active=True, detection=Detection.COLLECTIVE_DISPUTE):
        _detected(item, case.respondent, min(case.received_on, today), f"veto:{item.pk}:case:{case.pk}",
                  _("Collective dispute case %(number)s") % {"number": case.number}, today)


# --- later disputes and alerts of certified enterprises -------------------------------------------

def refresh_later(enterprise_ids=None) -> int:
    """Set each certificate's first case received and first alert raised on or after its day of
    certification, for the certificates of these enterprises (all when None): one UPDATE, each
    date one seek of the enterprise's cases or alerts by date. Returns the certificates updated."""
    from concord.alerts.models import Alert
    from concord.disputes.models import Case

    def first(qs, day):
        return Subquery(qs.order_by(day).values(day)[:1])

    certs = Certification.objects.all()
    if enterprise_ids is not None:
        certs = certs.filter(enterprise_id__in=list(enterprise_ids))
    return certs.update(
        later_case_on=first(Case.objects.filter(respondent_id=OuterRef("enterprise_id"),
                                                received_on__gte=OuterRef("certified_on")), "received_on"),
        later_alert_on=first(Alert.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                                  raised_on__gte=OuterRef("certified_on")), "raised_on"))


def refresh_later_on(sender, instance, created=True, **kwargs):
    """Receiver: a case or an alert created or deleted, or a certificate created, refreshes the
    certificates of its enterprise. Other saves are skipped: no service changes a case's respondent
    or day received, an alert's enterprise or day raised, or a certificate's day of certification."""
    if created:
        refresh_later([getattr(instance, "respondent_id", None) or instance.enterprise_id])


def expire_and_remind(today: date | None = None) -> str:
    """Titles past their validity expire; titles due for a re-check within 30 days are reminded once."""
    today = today or timezone.localdate()
    expired = Certification.objects.filter(status=CertificationStatus.VALID, valid_until__lt=today).update(
        status=CertificationStatus.EXPIRED, status_changed_on=today)
    reminded = 0
    due = (Certification.objects.filter(status=CertificationStatus.VALID, next_recheck_on__lte=today + timedelta(days=30))
           .exclude(reminded_for=F("next_recheck_on")).select_related("enterprise", "region"))
    for cert in due:
        with transaction.atomic():
            if Certification.objects.filter(pk=cert.pk).exclude(reminded_for=cert.next_recheck_on).update(
                    reminded_for=cert.next_recheck_on):
                notify.notify(_county_admins(cert) + _town_officers(cert),
                              f"{cert.number} · {cert.enterprise.name} · " + _("Re-check due by %(day)s") % {
                                  "day": cert.next_recheck_on.isoformat()}, cert.get_absolute_url())
                reminded += 1
    return f"expired {expired}, reminded {reminded}"


# --- the anonymous survey ---------------------------------------------------------------------------

SATISFACTION_QUESTIONS = (
    "您对本企业按时足额发放工资的情况是否满意？",
    "您对本企业劳动合同签订和社会保险缴纳的情况是否满意？",
    "您对本企业的工作时间、休息休假安排是否满意？",
    "您对本企业的劳动安全卫生条件是否满意？",
    "您对本企业工会和职工代表大会维护职工权益的情况是否满意？",
    "总体而言，您对本企业的劳动关系是否满意？",
)


@transaction.atomic
def survey_open(*, actor, enterprise, opens_on: date, closes_on: date, round=None, min_responses: int | None = None,
                questions=SATISFACTION_QUESTIONS) -> Survey:
    if not Enterprise.objects.visible_to(actor, CHANGE).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("This enterprise is outside your scope."))
    minimum = min_responses if min_responses is not None else (round.standard.survey_min_responses if round else 30)
    survey = Survey(enterprise=enterprise, region_id=enterprise.region_id, round=round, opens_on=opens_on,
                    closes_on=closes_on, min_responses=minimum)
    survey.full_clean(exclude=["region"])
    survey.save()
    SurveyQuestion.objects.bulk_create([SurveyQuestion(survey=survey, order=i, text=q) for i, q in enumerate(questions)])
    audit.record_event(actor=actor, verb="survey.open", target=survey, summary=_("Satisfaction survey opened"))
    return survey


def survey_answer(survey, *, user, answers: dict, today: date | None = None) -> None:
    """One response per worker of the enterprise: who answered is recorded apart from the answers,
    which only add to per-question counts (nothing ties an answer to a person)."""
    today = today or timezone.localdate()
    worker = Worker.objects.filter(user=user).first() if getattr(user, "is_authenticated", False) else None
    if worker is None or not Employment.objects.filter(worker=worker, enterprise_id=survey.enterprise_id,
                                                       end_date__isnull=True).exists():
        raise PermissionDenied(_("The survey is for the enterprise's current workers."))
    if not survey.opens_on <= today <= survey.closes_on:
        raise ValidationError({"survey": _("The survey is not open.")})
    questions = list(survey.questions.all())
    errors = {}
    clean = {}
    for q in questions:
        raw = answers.get(q.pk, answers.get(str(q.pk)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= 5:
            errors[f"q{q.pk}"] = [_("Choose an answer from 1 to 5.")]
        else:
            clean[q.pk] = value
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            SurveyParticipation.objects.create(survey=survey, worker=worker)
            for qid, value in clean.items():
                tally, _created = SurveyTally.objects.get_or_create(question_id=qid, value=value)
                SurveyTally.objects.filter(pk=tally.pk).update(count=F("count") + 1)
            Survey.objects.filter(pk=survey.pk).update(responses=F("responses") + 1)
    except IntegrityError:
        raise ValidationError({"survey": _("You have already answered this survey.")}) from None


def survey_result(survey, today: date | None = None) -> dict:
    """Per question: counts of each answer and the satisfied share; overall: the share when valid.
    ``shown`` is False while the survey is open or below the anonymity floor
    (rules.survey_result_shown): then every count and share is None, in the page and the API alike."""
    today = today or timezone.localdate()
    shown = rules.survey_result_shown(survey.closes_on, today, survey.responses)
    counts = defaultdict(dict)
    if shown:
        for qid, value, count in SurveyTally.objects.filter(question__survey=survey).values_list("question_id", "value", "count"):
            counts[qid][value] = count
    questions = []
    for q in survey.questions.all():
        row = counts.get(q.pk, {})
        n = sum(row.values())
        questions.append({"question": q, "counts": [row.get(v, 0) for v in range(1, 6)] if shown else [None] * 5,
                          "answers": n if shown else None,
                          "satisfied": rules.satisfaction_share(sum(c for v, c in row.items() if rules.is_satisfied(v)), n, 1)
                          if shown else None})
    share = satisfaction_of(survey) if shown else None
    return {"questions": questions, "responses": survey.responses, "shown": shown, "closed": today > survey.closes_on,
            "valid": survey.responses >= max(survey.min_responses, 1), "share": share,
            "min_responses": survey.min_responses}


# --- who is told --------------------------------------------------------------------------------------

def _text(evaluation, text):
    return f"{evaluation.enterprise.name} · {evaluation.round.year} · {text}"


def _users(q):
    return [a.user for a in RoleAssignment.objects.filter(q, is_active=True, user__is_active=True).select_related("user")]


def _town_officers(obj):
    return _users(Q(role=Role.TOWN_OFFICER, region_id=obj.region_id))


def _union_officers(obj):
    return _users(Q(role=Role.UNION_OFFICER, enterprise_id=obj.enterprise_id))


def _county_admins(obj):
    return _users(Q(role=Role.COUNTY_ADMIN, region__parent__isnull=True))


# --- evidence files of manual indicators ----------------------------------------------------------

# Timeline labels of the evidence events (registered here: apps.py only lists the audited models).
audit.register_verbs({"evaluation.evidence_add": gettext_lazy("Evidence file attached"),
                      "evaluation.evidence_remove": gettext_lazy("Evidence file removed")})
EVIDENCE_OPEN = {EvaluationStatus.DRAFT, EvaluationStatus.RETURNED}


@transaction.atomic
def evidence_add(evaluation, *, actor, indicator, upload, description: str = "") -> EvaluationEvidence:
    """Attach ``upload`` to a manual indicator of ``evaluation`` while the applicant may still change
    it (draft or returned). The file is checked by the dispute evidence rules (type by name and first
    bytes, at most 10 MB); nothing is stored when it is refused."""
    row = _locked_for(evaluation, actor, EVIDENCE_OPEN, _("Evidence files can only change before submission."))
    indicator_id = getattr(indicator, "pk", indicator)
    score = (IndicatorScore.objects.filter(evaluation=row, indicator_id=indicator_id).select_related("indicator").first()
             if str(indicator_id or "").isdigit() else None)
    errors = {}
    if score is None:
        errors["indicator"] = [_("Choose an indicator of this application.")]
    elif score.indicator.is_computed:
        errors["indicator"] = [_("This indicator is computed from Concord's data: it takes no evidence files.")]
    if upload is None:
        errors["file"] = [_("Choose a file to attach.")]
    else:
        head = upload.read(16)
        upload.seek(0)
        problem = evidence_rules.problem(upload.name, upload.size, head)
        if problem:
            errors["file"] = [problem]
    if errors:
        raise ValidationError(errors)
    item = EvaluationEvidence(evaluation=row, indicator=score.indicator, file=upload, file_name=upload.name[:255],
                              content_type=evidence_rules.content_type(upload.name), size=upload.size,
                              description=(description or "").strip()[:255], uploaded_by=actor)
    item.save()
    audit.record_event(actor=actor, verb="evaluation.evidence_add", target=row,
                       summary=_("Evidence file attached to %(code)s: %(name)s") % {
                           "code": score.indicator.code, "name": item.file_name},
                       data={"evidence": item.pk, "indicator": score.indicator_id, "size": item.size})
    return item


@transaction.atomic
def evidence_remove(item, *, actor) -> None:
    """Remove an evidence file while its evaluation is in draft or returned (the file goes after commit)."""
    row = _locked_for(item.evaluation, actor, EVIDENCE_OPEN, _("Evidence files can only change before submission."))
    item = EvaluationEvidence.objects.select_related("indicator").get(pk=item.pk, evaluation=row)
    name, code, stored = item.file_name, item.indicator.code, item.file.name
    storage = item.file.storage
    item.delete()
    transaction.on_commit(lambda: storage.delete(stored))
    audit.record_event(actor=actor, verb="evaluation.evidence_remove", target=row,
                       summary=_("Evidence file removed from %(code)s: %(name)s") % {"code": code, "name": name},
                       data={"indicator": item.indicator_id})


# --- the yearly re-check (复审) ----------------------------------------------------------------------

@transaction.atomic
def recheck_record(cert, *, actor, checked_on: date, passed: bool, note: str, today: date | None = None) -> Certification:
    """The county's re-check of a valid title: passed moves the next re-check on by the tier's
    interval (never past the validity); failed revokes the title (dynamic management, 动态管理)."""
    today = today or timezone.localdate()
    cert = Certification.objects.select_for_update().select_related("tier", "enterprise").get(pk=cert.pk)
    if not Certification.objects.visible_to(actor, CHANGE).filter(pk=cert.pk).exists():
        raise PermissionDenied(_("Only the county records re-checks."))
    errors = {}
    if cert.status != CertificationStatus.VALID:
        errors["status"] = [_("Only a valid title is re-checked.")]
    if checked_on is None:
        errors["checked_on"] = [_("Give the date of the re-check.")]
    elif checked_on > today:
        errors["checked_on"] = [_("The date cannot be in the future.")]
    elif checked_on < cert.certified_on:
        errors["checked_on"] = [_("The re-check cannot be before the certification.")]
    if not (note or "").strip():
        errors["note"] = [_("Record what the re-check found.")]
    if errors:
        raise ValidationError(errors)
    if passed:
        cert.next_recheck_on = min(rules.add_months(checked_on, cert.tier.recheck_months), cert.valid_until)
        cert.save(update_fields=["next_recheck_on"])
        summary = _("Re-check passed; next by %(day)s") % {"day": cert.next_recheck_on.isoformat()}
    else:
        cert.status, cert.status_changed_on, cert.status_reason = CertificationStatus.REVOKED, today, note.strip()[:500]
        cert.save(update_fields=["status", "status_changed_on", "status_reason"])
        summary = _("Re-check failed; title revoked")
    audit.record_event(actor=actor, verb="certification.recheck", target=cert, summary=summary,
                       data={"passed": passed, "checked_on": checked_on.isoformat(), "note": note.strip()[:500]})
    notify.notify(_union_officers(cert) + _town_officers(cert), f"{cert.number} · {summary}", cert.get_absolute_url())
    return cert

