"""State changes of dispute cases: one function per business action (STYLE.md 4).

Every status change goes through ``concord.core.workflow.transition`` (lock, checks, event,
after-commit notifications); intake and the records of a case (sessions, payments, evidence,
documents) are written here too, inside a transaction, re-checked against the actor's scope.
Bad input raises ValidationError with field-keyed messages in the user's language and changes
nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, notify
from concord.core.models import RoleAssignment
from concord.core.scope import CHANGE, VIEW, Role, ensure_in_scope, user_roles
from concord.core.sequences import next_value
from concord.core.workflow import TransitionRefused, transition
from concord.core.workdays import CalendarMissing, current_calendar
from concord.registry import rules as registry_rules
from concord.registry.models import Employment, Enterprise, Worker

from . import evidence as evidence_rules
from . import parameters, rules, workflow
from .models import (
    AGREEMENT_OUTCOMES, REFERRAL_OUTCOMES, Agreement, Case, CaseDocument, Claimant, DocumentKind, Evidence,
    Installment, LegalSetting, Level, MediationSession, Outcome, Source,
)

# Sent when a collective case is filed: the early-warning pillar turns it into a risk signal.
collective_case_filed = Signal()
COLLECTIVE_SIGNAL_VERB = "risk.collective_dispute"


# --- legal parameters and calendar ----------------------------------------------------------------

def county_of(region):
    return region.path.split("/", 1)[0]


def _typed(key, value):
    """A setting is stored as a decimal; a parameter counted in whole days, years, people or times
    is used as an int (``timedelta`` takes no Decimal) — by its unit, since a default may be None
    (no court extension cap)."""
    unit = next((row.unit for row in parameters.DEFAULTS if row.key == key), None)
    return int(value) if unit in parameters.WHOLE_UNITS else value


def legal_table(region):
    """The legal parameters for cases of ``region``: the county's own settings over the defaults."""
    code = county_of(region)
    rows = [
        parameters.LegalParameter(s.key, _typed(s.key, s.value), "", s.source, s.effective_from, s.effective_to)
        for s in LegalSetting.objects.filter(region__code=code)
    ]
    return parameters.with_overrides(rows) if rows else parameters.DEFAULTS


_CALENDAR: dict = {}


def _calendar():
    """The stored calendar, read at most once a minute per process (a few hundred rows); saving a
    calendar row clears it (apps.py)."""
    now = timezone.now()
    cached = _CALENDAR.get("value")
    if cached is None or now - cached[0] > timedelta(minutes=1):
        cached = _CALENDAR["value"] = (now, current_calendar())
    return cached[1]


def forget_calendar(**kwargs):
    _CALENDAR.clear()


def holiday_extends(day: date) -> date:
    """A last day that falls on a day off (an official holiday or a weekend not made a workday)
    moves to the next working day (民法典 art. 203). A year whose schedule is not loaded is counted
    on the provisional calendar (statutory holidays and weekends; the date is shown as provisional
    and recomputed when the notice is loaded). Only a year before the statutes the calendar knows
    (before 2014, long past) keeps the day as counted."""
    try:
        return _calendar().first_workday_from(day)
    except CalendarMissing:
        return day


def _refused(exc: rules.RuleRefused, field: str) -> ValidationError:
    return ValidationError({field: str(exc)})


def mediation_deadline(case, start: date) -> date:
    table = legal_table(case.region)
    if case.is_court_referral:
        try:
            return rules.court_deadline(case.court_referral_kind, case.court_received_on, case.court_extension_days,
                                        consent=True, table=table, holiday_extends=holiday_extends)
        except rules.RuleRefused as exc:
            raise _refused(exc, "court_referral_kind")
    return rules.mediation_deadline(start, table=table, holiday_extends=holiday_extends)


DEADLINE_RECOMPUTED_VERB = "case.deadline_recomputed"


def _period_start(case) -> date | None:
    """The day a case's present period counts from: the court's receipt for a referral, else the
    acceptance or the last escalation after it (the period starts again at the new level)."""
    if case.is_court_referral:
        return case.court_received_on
    start = case.accepted_on
    if case.escalations and start:
        from django.contrib.contenttypes.models import ContentType

        from concord.core.models import Event

        events = Event.objects.filter(content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk),
                                      verb="case.escalate").order_by("-created_at", "-pk")
        for event in events[:1]:
            escalated = event.data.get("period_from") or timezone.localdate(event.created_at).isoformat()
            start = max(start, date.fromisoformat(escalated))
    return start


def recompute_deadlines(calendar, actor=None) -> int:
    """After the working-day calendar changed: the deadline of every case still running, counted
    again from the start of its period. A case whose deadline moves is saved with a timeline event;
    the others are not touched (so running it twice changes nothing). Returns how many moved."""
    forget_calendar()
    moved = 0
    running = (Case.objects.filter(status__in=workflow.RUNNING | {workflow.RECEIVED}, deadline__isnull=False)
               .select_related("region").order_by("pk"))
    for case in running:
        start = _period_start(case)
        if start is None:
            continue
        try:
            new = mediation_deadline(case, start)
        except ValidationError:  # a referral its stored numbers no longer allow: left as it was
            continue
        if new == case.deadline:
            continue
        with transaction.atomic():
            row = Case.objects.select_for_update().get(pk=case.pk)
            old, row.deadline = row.deadline, new
            row.save(update_fields=["deadline"])
            audit.record_event(
                actor=actor, verb=DEADLINE_RECOMPUTED_VERB, target=row,
                summary=_("Deadline moved from %(old)s to %(new)s: the working-day calendar changed") % {
                    "old": old.isoformat(), "new": new.isoformat()},
                data={"from": old.isoformat(), "to": new.isoformat(), "period_from": start.isoformat(),
                      "provisional": calendar.is_provisional(new)})
        moved += 1
    return moved


# --- who handles a case -----------------------------------------------------------------------------

def handlers_of(case, level: str | None = None):
    """Active users who handle ``case`` at ``level`` (its current level by default), for notices."""
    level = level or case.level
    if level == Level.ENTERPRISE:
        rows = RoleAssignment.objects.filter(role=Role.UNION_OFFICER, enterprise_id=case.respondent_id)
    else:
        path = case.region.path if level == Level.TOWN else case.region.path.split("/", 1)[0] + "/"
        rows = RoleAssignment.objects.filter(role__in=[Role.TOWN_OFFICER, Role.MEDIATOR, Role.COUNTY_ADMIN], region__path=path)
    return [a.user for a in rows.filter(is_active=True, user__is_active=True).select_related("user")]


def _case_text(case, text):
    return f"{case.number} · {text}"


# --- intake ------------------------------------------------------------------------------------

@dataclass
class ClaimantInput:
    name: str
    id_number: str
    phone: str = ""
    is_representative: bool = False


class DuplicateFiling(ValidationError):
    """A filing that repeats one made in the last 24 hours; confirm to file it anyway."""

    def __init__(self, existing):
        self.existing = existing
        super().__init__(
            {"confirm_duplicate": _("Case %(number)s was filed for the same worker, enterprise and category in the "
                                    "last 24 hours. Check it; tick “file anyway” if this is a new dispute.")
             % {"number": existing.number}})


def claimant_problems(claimants: list[ClaimantInput]) -> list[str]:
    """Problems of the claimant list, each naming its row (1-based)."""
    problems, seen = [], {}
    if not claimants:
        return [_("A case needs at least one claimant.")]
    for row, c in enumerate(claimants, start=1):
        if not (c.name or "").strip():
            problems.append(_("Claimant %(row)s: the name is missing.") % {"row": row})
        number = (c.id_number or "").strip().upper()
        if not registry_rules.id_number_valid(number):
            problems.append(_("Claimant %(row)s: “%(value)s” is not a valid resident ID number.") % {"row": row, "value": number})
        elif number in seen:
            problems.append(_("Claimant %(row)s: the same ID number as claimant %(other)s.") % {"row": row, "other": seen[number]})
        else:
            seen[number] = row
        if c.phone and not re.fullmatch(r"1[3-9]\d{9}", c.phone):
            problems.append(_("Claimant %(row)s: “%(value)s” is not an 11-digit mobile number.") % {"row": row, "value": c.phone})
    return problems


def _may_file(actor, source, respondent, claimants) -> None:
    roles = user_roles(actor)
    if actor.is_superuser:
        return
    if roles == {Role.WORKER}:
        worker = Worker.objects.filter(user=actor).first()
        if source != Source.ONLINE or worker is None:
            raise PermissionDenied(_("A worker files online, for themself."))
        if [c.id_number.upper() for c in claimants] != [worker.id_number]:
            raise ValidationError({"claimants": _("Online, a worker files only for themself.")})
        if not Employment.objects.filter(worker=worker, enterprise=respondent).exists():
            raise ValidationError({"respondent": _("Choose an enterprise you work or worked for.")})
        return
    if not Enterprise.objects.visible_to(actor).filter(pk=respondent.pk).exists():
        raise ValidationError({"respondent": _("This enterprise is outside your scope.")})
    if roles & {Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.UNION_OFFICER, Role.MEDIATOR}:
        return
    if Role.COURT_LIAISON in roles and source == Source.COURT_DELEGATED:
        return
    raise PermissionDenied(_("Your role may not file this kind of case."))


@transaction.atomic
def case_file(*, actor, source: str, respondent, category: int, subcategory: str, facts: str,
              claimants: list[ClaimantInput], amount_claimed=None, knew_on=None, employment_ended_on=None,
              received_on: date | None = None, collective: bool | None = None, court_referral_kind: str = "",
              court_case_number: str = "", court_received_on: date | None = None,
              confirm_duplicate: bool = False) -> Case:
    """Register a new case from any channel. ``collective`` True asserts the case is collective (refused
    below the threshold); None lets the number of claimants decide."""
    today = timezone.localdate()
    received_on = received_on or today
    claimants = [ClaimantInput(c.name.strip(), c.id_number.strip().upper(), (c.phone or "").strip(), bool(c.is_representative))
                 for c in claimants]
    _may_file(actor, source, respondent, claimants)
    errors: dict[str, list[str]] = {}
    if received_on > today:
        errors.setdefault("received_on", []).append(_("The date received cannot be in the future."))
    problems = claimant_problems(claimants)
    if problems:
        errors["claimants"] = problems
    table = legal_table(respondent.region)
    count = len(claimants)
    is_collective = rules.is_collective(count, on=received_on, table=table)
    reps = sum(c.is_representative for c in claimants)
    threshold = rules.parameter("collective_threshold", received_on, table)
    if collective and not is_collective:
        errors.setdefault("claimants", []).append(
            _("A collective case needs at least %(min)s claimants; this one has %(count)s.") % {"min": threshold, "count": count})
    elif is_collective and reps:  # representatives are optional (law art. 7); when named, 3–5
        problem = rules.representatives_problem(reps, on=received_on, table=table)
        if problem:
            errors.setdefault("claimants", []).append(rules.message(
                problem, min=rules.parameter("representatives_min", received_on, table),
                max=rules.parameter("representatives_max", received_on, table)))
    elif reps:
        errors.setdefault("claimants", []).append(
            _("Only a collective case (%(min)s or more claimants) elects representatives.") % {"min": threshold})
    if errors:
        raise ValidationError(errors)

    if not confirm_duplicate:
        since = timezone.now() - timedelta(hours=24)
        earlier = (Case.objects.filter(respondent=respondent, category=category, created_at__gte=since,
                                       claimants__id_number__in=[c.id_number for c in claimants])
                   .order_by("-created_at").first())
        if earlier is not None and rules.is_duplicate_filing(earlier.created_at, timezone.now()):
            raise DuplicateFiling(earlier)

    court = source == Source.COURT_DELEGATED
    case = Case(
        source=source, respondent=respondent, region=respondent.region, category=category, subcategory=subcategory,
        facts=facts, amount_claimed=amount_claimed, knew_on=knew_on, employment_ended_on=employment_ended_on,
        received_on=received_on, is_collective=is_collective, claimant_count=count, is_priority=is_collective,
        level=rules.starting_level(collective=is_collective, court_referral=court,
                                   has_mediation_committee=respondent.has_mediation_committee),
        court_referral_kind=court_referral_kind if court else "", court_case_number=court_case_number if court else "",
        court_received_on=court_received_on if court else None, filed_by=actor,
    )
    case.number = "pending"
    case.full_clean(exclude=["number"])
    if court:
        case.deadline = mediation_deadline(case, case.court_received_on)
    county = county_of(respondent.region)
    case.number = f"{county}-{received_on.year}-{next_value(f'case:{county}:{received_on.year}'):06d}"
    case.save()
    workers = dict(Worker.objects.filter(id_number__in=[c.id_number for c in claimants]).values_list("id_number", "pk"))
    Claimant.objects.bulk_create([
        Claimant(case=case, worker_id=workers.get(c.id_number), name=c.name, id_number=c.id_number, phone=c.phone,
                 is_representative=c.is_representative)
        for c in claimants
    ])
    ensure_in_scope(case, actor, VIEW)
    audit.record_event(actor=actor, verb="case.file", target=case, summary=_("Case filed (%(source)s)") % {"source": case.get_source_display()},
                       data={"source": source, "claimants": count, "level": case.level})
    if is_collective:
        audit.record_event(actor=actor, verb=COLLECTIVE_SIGNAL_VERB, target=respondent,
                           summary=_("Collective dispute filed: %(number)s, %(count)s workers") % {"number": case.number, "count": count},
                           data={"case": case.pk, "claimants": count})
        transaction.on_commit(lambda: collective_case_filed.send(sender=Case, case=case))
    notify.notify(handlers_of(case), _case_text(case, _("New case to accept")), case.get_absolute_url())
    return case


# --- the workflow ---------------------------------------------------------------------------------

def _go(case, name, *, actor, note="", apply=None, data=None, after_commit=None):
    try:
        return transition(case, name, actor=actor, note=note, apply=apply, data=data, after_commit=after_commit)
    except rules.RuleRefused as exc:
        raise ValidationError(str(exc))


def case_accept(case, *, actor, accepted_on: date | None = None, note: str = "", session_at=None,
                session_place: str = "") -> Case:
    """Accept the case; ``session_at`` and ``session_place`` schedule the first mediation session, which
    the acceptance notices give to both parties."""
    accepted_on = accepted_on or timezone.localdate()

    def apply(row):
        if accepted_on > timezone.localdate():
            raise ValidationError({"accepted_on": _("The date accepted cannot be in the future.")})
        if session_at is not None and timezone.localdate(session_at) < accepted_on:
            raise ValidationError({"session_at": _("The mediation session cannot be before the case is accepted.")})
        row.accepted_on = accepted_on
        row.deadline = mediation_deadline(row, accepted_on)
        row.session_at = session_at
        row.session_place = (session_place or "").strip()

    return _go(case, "accept", actor=actor, note=note, apply=apply,
               after_commit=lambda row: notify.notify([row.filed_by, *_claimant_users(row)],
                                                      _case_text(row, _("Your case was accepted")), row.get_absolute_url()))


def case_reject(case, *, actor, reason: str) -> Case:
    def apply(row):
        row.rejection_reason = reason
        row.closed_on = timezone.localdate()

    return _go(case, "reject", actor=actor, note=reason, apply=apply,
               after_commit=lambda row: notify.notify(_claimant_users(row), _case_text(row, _("Your case was not accepted")),
                                                      row.get_absolute_url()))


def case_consult(case, *, actor, requested_on: date | None = None, note: str = "") -> Case:
    def apply(row):
        row.consultation_requested_on = requested_on or timezone.localdate()

    return _go(case, "consult", actor=actor, note=note, apply=apply)


def case_mediate(case, *, actor, note: str = "") -> Case:
    return _go(case, "mediate", actor=actor, note=note)


def case_assign(case, *, actor, mediator) -> Case:
    def apply(row):
        if mediator is None or not workflow.handles(mediator, row):
            raise ValidationError({"mediator": _("Choose someone who handles cases at this level.")})
        if row.mediator_id == mediator.pk:  # nothing to change: no event, no second notice
            raise ValidationError({"mediator": _("%(name)s is already the case's mediator.") % {"name": mediator}})
        row.mediator = mediator

    return _go(case, "assign", actor=actor, note=str(mediator), apply=apply, data={"mediator": getattr(mediator, "pk", None)},
               after_commit=lambda row: notify.notify([mediator], _case_text(row, _("A case was assigned to you")),
                                                      row.get_absolute_url()))


def case_escalate(case, *, actor, note: str, today: date | None = None) -> Case:
    """Hand the case to the next level; its mediation period starts again there (a court referral
    keeps the court's deadline). ``actor`` None is the escalation job."""
    today = today or timezone.localdate()
    old, data = {}, {"automatic": actor is None}

    def apply(row):
        old["level"], old["mediator"] = row.level, row.mediator
        row.level = rules.next_level(row.level)
        data.update(from_level=old["level"], to_level=row.level)
        row.escalations += 1
        row.mediator = None
        row.reminded_for = None
        if row.status != workflow.RECEIVED and not row.is_court_referral:
            row.deadline = mediation_deadline(row, today)
            data["period_from"] = today.isoformat()  # where the period restarts (recompute_deadlines)

    def after(row):
        text = _case_text(row, _("Escalated to %(level)s level") % {"level": row.get_level_display()})
        notify.notify([*handlers_of(row), *handlers_of(row, old["level"]), old["mediator"], *_claimant_users(row)],
                      text, row.get_absolute_url())

    return _go(case, "escalate", actor=actor, note=note, apply=apply, data=data, after_commit=after)


def case_extend(case, *, actor, days: int, consent: bool, note: str = "") -> Case:
    def apply(row):
        total = row.court_extension_days + int(days)
        try:
            rules.court_deadline(row.court_referral_kind, row.court_received_on, total, consent=consent,
                                 table=legal_table(row.region))
        except rules.RuleRefused as exc:
            raise ValidationError({"days": str(exc)} if exc.code != "extension_without_consent" else {"consent": str(exc)})
        if int(days) <= 0:
            raise ValidationError({"days": _("Give the number of days to add.")})
        row.court_extension_days = total
        row.deadline = mediation_deadline(row, row.court_received_on)
        row.reminded_for = None

    return _go(case, "extend", actor=actor, note=note or _("%(days)s days, agreed by both parties") % {"days": days},
               apply=apply, data={"days": days})


def case_agree(case, *, actor, signed_on: date, effective_on: date, amount, terms: str,
               installments: list[tuple] = (), note: str = "", facts_found: str = "", responsibility: str = "",
               mediator_name: str = "") -> Case:
    """Record the mediation agreement and its payment schedule (the schedule adds up to the amount).
    Each instalment is ``(due_on, amount)`` or ``(due_on, amount, way, place)`` of performance;
    ``mediator_name`` is the presiding mediator as a person (default: the case's mediator's full name)."""
    installments = [tuple(item) + ("", "")[len(item) - 2:] for item in installments]

    def apply(row):
        errors = {}
        problem = rules.amount_problem(amount, on=signed_on)
        if problem:
            errors["amount"] = rules.message(problem, cap=rules.parameter("amount_cap", signed_on))
        if signed_on > timezone.localdate():
            errors["signed_on"] = _("The agreement cannot be signed in the future.")
        if row.accepted_on and signed_on < row.accepted_on:
            errors["signed_on"] = rules.message("dates_out_of_order", later=signed_on.isoformat(), earlier=row.accepted_on.isoformat())
        # Without a schedule the whole amount is due the day the agreement takes effect.
        plan = list(installments) or ([(effective_on, amount, "", "")] if not problem and Decimal(str(amount)) > 0 else [])
        for i, (due_on, part, _way, _place) in enumerate(plan, start=1):
            if due_on < signed_on:
                errors.setdefault("installments", []).append(
                    _("Payment %(row)s: due before the agreement was signed.") % {"row": i})
            if rules.amount_problem(part, on=signed_on) or Decimal(str(part)) <= 0:
                errors.setdefault("installments", []).append(_("Payment %(row)s: enter a positive amount.") % {"row": i})
        if not problem and plan and not errors.get("installments") and sum(Decimal(str(p[1])) for p in plan) != Decimal(str(amount)):
            errors.setdefault("installments", []).append(_("The payments add up to %(sum)s, not the agreed %(amount)s.") % {
                "sum": sum(Decimal(str(p[1])) for p in plan), "amount": amount})
        if errors:
            raise ValidationError(errors)
        presiding = (mediator_name or "").strip() or (row.mediator.name if row.mediator_id else "")
        agreement = Agreement(case=row, signed_on=signed_on, effective_on=effective_on, amount=amount, terms=terms,
                              facts_found=(facts_found or "").strip(), responsibility=(responsibility or "").strip(),
                              mediator_name=presiding, created_by=actor)
        agreement.full_clean()
        agreement.save()
        items = [Installment(agreement=agreement, due_on=d, amount=p, method=(way or "").strip(), place=(where or "").strip())
                 for d, p, way, where in plan]
        for i, item in enumerate(items, start=1):
            try:
                item.full_clean(exclude=["agreement"])
            except ValidationError as exc:
                raise ValidationError({"installments": [_("Payment %(row)s: %(problem)s") % {"row": i, "problem": m}
                                                        for m in exc.messages]})
        Installment.objects.bulk_create(items)
        row.resolved_level = row.level
        row.resolved_on = signed_on
        row.resolution_days = (signed_on - row.received_on).days

    return _go(case, "agree", actor=actor, note=note, apply=apply, data={"amount": str(amount)},
               after_commit=lambda row: notify.notify(_claimant_users(row), _case_text(row, _("An agreement was recorded")),
                                                      row.get_absolute_url()))


def case_fail(case, *, actor, reason: str) -> Case:
    def apply(row):
        row.resolved_on = None

    return _go(case, "fail", actor=actor, note=reason, apply=apply)


def case_withdraw(case, *, actor, reason: str) -> Case:
    def apply(row):
        row.closed_on = timezone.localdate()

    return _go(case, "withdraw", actor=actor, note=reason, apply=apply)


def case_request_confirmation(case, *, actor, requested_on: date | None = None) -> Case:
    requested_on = requested_on or timezone.localdate()

    def apply(row):
        window = rules.review_windows(row.agreement.effective_on, table=legal_table(row.region),
                                      holiday_extends=holiday_extends)["judicial_confirmation"]
        if requested_on > window:
            raise ValidationError({"requested_on": _("The window for judicial confirmation ended on %(day)s.") % {"day": window.isoformat()}})
        if requested_on < row.agreement.effective_on:
            raise ValidationError({"requested_on": rules.message(
                "dates_out_of_order", later=requested_on.isoformat(), earlier=row.agreement.effective_on.isoformat())})
        row.confirmation_requested_on = requested_on

    return _go(case, "request_confirmation", actor=actor, apply=apply,
               after_commit=lambda row: notify.notify(
                   court_liaisons_of(row), _case_text(row, _("Judicial confirmation requested")),
                   reverse("disputes:case_list") + "?awaiting_confirmation=true"))


def court_liaisons_of(case):
    """Active court liaisons whose scope covers ``case`` and who may open it (a liaison sees court
    referrals only, so another case's application goes to the county, who records it too)."""
    rows = (RoleAssignment.objects.filter(role=Role.COURT_LIAISON, is_active=True, user__is_active=True)
            .select_related("user", "region"))
    users = {a.user for a in rows if a.region_id is None or case.region.path.startswith(a.region.path)}
    return [u for u in users if Case.objects.visible_to(u, CHANGE).filter(pk=case.pk).exists()]


def case_record_confirmation(case, *, actor, result: str, ruling_number: str = "", ruled_on: date | None = None,
                             note: str = "") -> Case:
    """The court's ruling: confirmed or refused, with the ruling's number and date (both required)."""
    ruling_number = (ruling_number or "").strip()

    def apply(row):
        errors = {}
        if result not in ("confirmed", "refused"):
            errors["result"] = _("Choose confirmed or refused.")
        if not ruling_number:
            errors["ruling_number"] = _("Give the number of the court's ruling.")
        if ruled_on is None:
            errors["ruled_on"] = _("Give the date of the court's ruling.")
        elif ruled_on > timezone.localdate():
            errors["ruled_on"] = _("The date of the ruling cannot be in the future.")
        elif row.confirmation_requested_on and ruled_on < row.confirmation_requested_on:
            errors["ruled_on"] = rules.message("dates_out_of_order", later=ruled_on.isoformat(),
                                               earlier=row.confirmation_requested_on.isoformat())
        if errors:
            raise ValidationError(errors)
        row.confirmation_result = result
        row.confirmation_ruling_number = ruling_number
        row.confirmation_ruled_on = ruled_on

    return _go(case, "record_confirmation", actor=actor, note=note or ruling_number, apply=apply,
               data={"result": result, "ruling_number": ruling_number,
                     "ruled_on": ruled_on.isoformat() if ruled_on else None})


def case_payment_order(case, *, actor, applied_on: date | None = None, note: str = "") -> Case:
    def apply(row):
        row.payment_order_applied_on = applied_on or timezone.localdate()

    return _go(case, "payment_order", actor=actor, note=note, apply=apply)


def case_close(case, *, actor, outcome: str, note: str = "", closed_on: date | None = None) -> Case:
    def apply(row):
        if outcome not in AGREEMENT_OUTCOMES:
            raise ValidationError({"outcome": _("Choose how the agreement ended.")})
        if outcome == Outcome.CONFIRMED and row.confirmation_result != "confirmed":
            raise ValidationError({"outcome": _("The court has not confirmed the agreement.")})
        if outcome == Outcome.PAYMENT_ORDER and not row.payment_order_applied_on:
            raise ValidationError({"outcome": _("No payment order has been applied for.")})
        _finish(row, outcome, closed_on)

    return _go(case, "close", actor=actor, note=note, apply=apply, data={"outcome": outcome})


def case_refer(case, *, actor, outcome: str, note: str = "", closed_on: date | None = None) -> Case:
    def apply(row):
        if outcome not in REFERRAL_OUTCOMES:
            raise ValidationError({"outcome": _("Choose where the case is referred.")})
        if outcome == Outcome.RETURNED_TO_COURT and not row.is_court_referral:
            raise ValidationError({"outcome": _("Only a court referral goes back to the court.")})
        row.limitation_date = limitation_of(row)
        _finish(row, outcome, closed_on)

    return _go(case, "refer", actor=actor, note=note, apply=apply, data={"outcome": outcome})


def _finish(row, outcome, closed_on):
    row.outcome = outcome
    row.closed_on = closed_on or timezone.localdate()
    if row.is_court_referral:
        row.court_result_reported_on = row.closed_on


def limitation_of(case) -> date | None:
    """The last day to apply for arbitration, or None (no limit, or the day the worker knew is unknown)."""
    if not case.knew_on and not (case.subcategory == "wage_arrears" and case.employment_ended_on):
        return None
    try:
        return rules.arbitration_limitation(
            case.category, case.knew_on or case.employment_ended_on, case.employment_ended_on,
            wage_arrears=case.subcategory == "wage_arrears", table=legal_table(case.region), holiday_extends=holiday_extends)
    except rules.RuleRefused:
        return None


def _claimant_users(case):
    return [c.worker.user for c in case.claimants.select_related("worker__user") if c.worker_id and c.worker.user_id]


# --- records of a case ----------------------------------------------------------------------------

def _ensure_handles(case, actor):
    if not Case.objects.visible_to(actor, CHANGE).filter(pk=case.pk).exists():
        raise PermissionDenied(_("This case is outside your scope."))
    if not workflow.handles(actor, case):
        raise TransitionRefused(_("The case is handled at %(level)s level; your role does not handle it there.") % {
            "level": case.get_level_display()})


@transaction.atomic
def session_add(case, *, actor, held_on: date, place: str, participants: str, summary: str) -> MediationSession:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _ensure_handles(case, actor)
    if case.status not in workflow.RUNNING:
        raise TransitionRefused(_("Sessions are recorded while the case is being handled."))
    if held_on > timezone.localdate() or (case.accepted_on and held_on < case.accepted_on):
        raise ValidationError({"held_on": _("The session date must lie between acceptance and today.")})
    session = MediationSession(case=case, held_on=held_on, place=place, participants=participants, summary=summary,
                               created_by=actor)
    session.full_clean()
    session.save()
    audit.record_event(actor=actor, verb="case.session", target=case, summary=_("Mediation session on %(day)s") % {"day": held_on.isoformat()})
    return session


@transaction.atomic
def installment_pay(installment, *, actor, paid_on: date, paid_amount) -> Installment:
    installment = Installment.objects.select_for_update().select_related("agreement__case").get(pk=installment.pk)
    case = installment.agreement.case
    _ensure_handles(case, actor)
    problem = rules.amount_problem(paid_amount, on=paid_on)
    if problem or Decimal(str(paid_amount)) <= 0:
        raise ValidationError({"paid_amount": rules.message(problem, cap=rules.parameter("amount_cap", paid_on)) if problem
                               else _("Enter the amount paid.")})
    if paid_on > timezone.localdate() or paid_on < installment.agreement.signed_on:
        raise ValidationError({"paid_on": _("The payment date must lie between the agreement and today.")})
    installment.paid_on, installment.paid_amount = paid_on, Decimal(str(paid_amount))
    installment.full_clean()
    installment.save(update_fields=["paid_on", "paid_amount"])
    recovered = Installment.objects.filter(agreement=installment.agreement).aggregate(s=Sum("paid_amount"))["s"] or 0
    Case.objects.filter(pk=case.pk).update(amount_recovered=recovered, updated_at=timezone.now())
    audit.record_event(actor=actor, verb="case.payment", target=case,
                       summary=_("Payment of %(amount)s yuan recorded") % {"amount": installment.paid_amount},
                       data={"installment": installment.pk, "amount": str(installment.paid_amount)})
    return installment


@transaction.atomic
def evidence_add(case, *, actor, upload, description: str = "") -> Evidence:
    if not Case.objects.visible_to(actor, VIEW).filter(pk=case.pk).exists() or not _may_add_evidence(actor, case):
        raise PermissionDenied(_("This case is outside your scope."))
    head = upload.read(16)
    upload.seek(0)
    problem = evidence_rules.problem(upload.name, upload.size, head)
    if problem:
        raise ValidationError({"file": problem})
    item = Evidence(case=case, file=upload, file_name=upload.name[:255], content_type=evidence_rules.content_type(upload.name),
                    size=upload.size, description=description, uploaded_by=actor)
    item.save()
    audit.record_event(actor=actor, verb="case.evidence", target=case, summary=_("Evidence added: %(name)s") % {"name": item.file_name})
    return item


def _may_add_evidence(actor, case) -> bool:
    if actor.is_superuser:
        return True
    if user_roles(actor) == {Role.WORKER}:
        return case.is_open
    return Case.objects.visible_to(actor, CHANGE).filter(pk=case.pk).exists()


DOCUMENT_MARKS = {
    DocumentKind.ACCEPTANCE_NOTICE: "调受",
    DocumentKind.MEDIATION_AGREEMENT: "调协",
    DocumentKind.REFERRAL_LETTER: "调转",
}


def document_ready(case, kind: str) -> str | None:
    """Why the document of ``kind`` cannot be issued yet (or any more), or None."""
    if kind == DocumentKind.ACCEPTANCE_NOTICE and not case.accepted_on:
        return _("The case has not been accepted.")
    if kind == DocumentKind.ACCEPTANCE_NOTICE and not case.is_open:
        # A notice invites the parties to a mediation that has ended; the one issued stays downloadable.
        return _("The case is closed: an acceptance notice is no longer issued.")
    if kind == DocumentKind.MEDIATION_AGREEMENT and not hasattr(case, "agreement"):
        return _("No agreement has been recorded.")
    if kind == DocumentKind.REFERRAL_LETTER and case.outcome not in REFERRAL_OUTCOMES:
        return _("The case has not been referred.")
    return None


def document_issuer_refusal(actor, case) -> str | None:
    """Why ``actor`` may not issue the case's documents, or None. A document speaks for the mediation
    body of the case's current level, so only someone who handles the case there issues it (the
    workflow's level rule, ``workflow.handles``): seeing or changing the case is not enough (a union
    officer sees its enterprise's town-level cases, the court liaison changes court referrals)."""
    if not Case.objects.visible_to(actor, CHANGE).filter(pk=case.pk).exists() or not workflow.handles(actor, case):
        return _("Only the body handling the case issues its documents (the case is at %(level)s level).") % {
            "level": case.get_level_display()}
    return None


@transaction.atomic
def document_issue(case, *, actor, kind: str) -> CaseDocument:
    """The case's document of ``kind``, numbered on first issue (e.g. 柯工调协〔2026〕0007号). Refused,
    with no number taken, to anyone but the handling body."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Unknown document.")})
    refusal = document_issuer_refusal(actor, case)
    if refusal:
        raise PermissionDenied(refusal)
    existing = CaseDocument.objects.filter(case=case, kind=kind).first()
    if existing is not None:
        return existing
    problem = document_ready(case, kind)
    if problem:
        raise ValidationError({"kind": problem})
    county = case.region.ancestors().first() or case.region
    year = timezone.localdate().year
    seq = next_value(f"doc:{kind}:{county.code}:{year}")
    number = f"{county.name[:1]}工{DOCUMENT_MARKS[kind]}〔{year}〕{seq:04d}号"
    document = CaseDocument.objects.create(case=case, kind=kind, number=number, created_by=actor)
    audit.record_event(actor=actor, verb="case.document", target=case, summary=f"{document.get_kind_display()} {number}")
    return document


# --- periodic jobs --------------------------------------------------------------------------------

REMINDER_DAYS = 3


def overdue_cases(today: date):
    """Running cases past their deadline below county level (what the escalation job moves)."""
    return Case.objects.filter(status__in=workflow.RUNNING, deadline__lt=today).exclude(level=Level.COUNTY)


def escalate_overdue(today: date | None = None) -> str:
    """Move every unresolved case past its deadline up one level. Idempotent: an escalated case gets a
    new deadline at its new level, so running again the same day finds nothing more to do."""
    today = today or timezone.localdate()
    moved = failed = 0
    for pk in list(overdue_cases(today).values_list("pk", flat=True).order_by("pk")):
        case = Case(pk=pk)
        try:
            case_escalate(case, actor=None, note=_("Deadline passed without agreement: escalated automatically"), today=today)
            moved += 1
        except (ValidationError, TransitionRefused):  # the case changed since it was selected
            failed += 1
    return f"escalated {moved}, skipped {failed}"


def send_deadline_reminders(today: date | None = None) -> str:
    """One reminder per case and deadline, REMINDER_DAYS before it, to the mediator and the handlers."""
    today = today or timezone.localdate()
    due = (Case.objects.filter(status__in=workflow.RUNNING, deadline__gte=today,
                               deadline__lte=today + timedelta(days=REMINDER_DAYS))
           .exclude(reminded_for=F("deadline")).select_related("region", "mediator"))
    sent = 0
    for case in due:
        with transaction.atomic():
            updated = Case.objects.filter(pk=case.pk).exclude(reminded_for=case.deadline).update(reminded_for=case.deadline)
            if not updated:
                continue
            notify.notify([case.mediator, *handlers_of(case)],
                          _case_text(case, _("Deadline %(day)s") % {"day": case.deadline.isoformat()}), case.get_absolute_url())
            sent += 1
    return f"reminded {sent}"


def close_unanswered_consultations(today: date | None = None) -> str:
    """No reply to a request to consult within 5 days counts as refusal: the case moves to mediation."""
    today = today or timezone.localdate()
    moved = 0
    for case in Case.objects.filter(status=workflow.CONSULTATION, consultation_requested_on__isnull=False).select_related("region"):
        if rules.consultation_refused(case.consultation_requested_on, today, table=legal_table(case.region)):
            try:
                case_mediate(case, actor=None, note=_("No reply to the request to consult within the period: counts as refusal"))
                moved += 1
            except TransitionRefused:
                pass
    return f"moved {moved}"

