"""State changes of early warning (STYLE.md 4): recording signals, assessing enterprises, raising
and disposing of alerts, and the periodic scan.

- ``signal_record`` validates, scope-checks and writes one signal, then reassesses its enterprise
  at once (an incremental scan); the partner-file importer (importers.py) writes many and
  reassesses them together.
- ``assess`` turns active signals into each enterprise's score, level and explanation with the
  pure ``rules.assess``; it writes only what changed (idempotent), records level changes and
  raises an alert when a level rises to one that raises alerts, or lifts the open alert's level.
- ``compute_signals`` derives signals from Concord's own data (layoffs and turnover from
  employments, collective and repeated disputes from cases), keyed so each scan updates its row.
- ``scan`` = compute_signals + assess every enterprise + escalate alerts past their response
  deadline with no response. It is a periodic job (periodic.py) and a Celery task.
- Alert transitions go through ``concord.core.workflow.transition`` (lock, role, scope, guard,
  event for the timeline).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, notify
from concord.core.imports import bulk_insert, bulk_update
from concord.core.models import RoleAssignment
from concord.core.scope import ADD, CHANGE, Role, can, ensure_in_scope
from concord.core.sequences import next_value
from concord.core.workflow import TransitionRefused, transition
from concord.registry.models import Employment, Enterprise

from . import rules
from .models import (
    ActionKind, Alert, AlertAction, AlertOutcome, AlertStatus, EnterpriseRisk, LevelPolicy, RiskChange, RiskSignal,
    ScoringRule, SignalSource,
)

SIGNAL_VERB = "risk.signal"
LEVEL_VERB = "risk.level"


# --- the county's tables ----------------------------------------------------------------------------

def rule_rows() -> list[rules.RuleRow]:
    """The county's active rules; with no rule at all (a fresh or emptied table) the defaults apply,
    as for the level policies. Deactivating every rule, by contrast, scores nothing."""
    if not ScoringRule.objects.exists():
        return list(rules.DEFAULT_RULES)
    return [r.as_row() for r in ScoringRule.objects.filter(is_active=True)]


def level_rows() -> list[rules.LevelRow]:
    rows = [p.as_row() for p in LevelPolicy.objects.all()]
    return rows or list(rules.DEFAULT_LEVELS)


# --- signals ----------------------------------------------------------------------------------------

def _signal(enterprise, *, kind, observed_on, value=None, amount=None, workers_affected=None, evidence="",
            expires_on=None, source=SignalSource.MANUAL, actor=None, key=None, batch=None) -> RiskSignal:
    return RiskSignal(
        enterprise=enterprise, region_id=enterprise.region_id, kind=kind, source=source, observed_on=observed_on,
        value=value, amount=amount, workers_affected=workers_affected, evidence=evidence,
        expires_on=expires_on or rules.default_expiry(kind, observed_on), key=key,
        reported_by=actor if getattr(actor, "is_authenticated", False) else None, import_batch=batch,
    )


def signal_problems(signal: RiskSignal, today: date) -> dict[str, list[str]]:
    """Field → messages for one signal (entry, API and import share these)."""
    errors: dict[str, list[str]] = {}
    try:
        signal.full_clean(exclude=["region", "key"], validate_unique=False)
    except ValidationError as exc:
        errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    if signal.observed_on and signal.observed_on > today:
        errors.setdefault("observed_on", []).append(_("The date cannot be in the future."))
    if signal.kind in rules.COMPUTED_KINDS and signal.source not in (SignalSource.REGISTRY, SignalSource.DISPUTES):
        errors.setdefault("kind", []).append(_("This kind of signal is computed by Concord from its own data."))
    return errors


@transaction.atomic
def signal_record(*, actor, enterprise, kind: str, observed_on: date, value=None, amount=None, workers_affected=None,
                  evidence: str = "", expires_on: date | None = None, source: str = SignalSource.MANUAL,
                  today: date | None = None) -> RiskSignal:
    """Record one signal reported by a person or partner system and reassess its enterprise."""
    today = today or timezone.localdate()
    if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("This enterprise is outside your scope.")})
    if not can(actor, RiskSignal, ADD):
        raise PermissionDenied(_("Your role may not report risk signals."))
    signal = _signal(enterprise, kind=kind, observed_on=observed_on, value=value, amount=amount,
                     workers_affected=workers_affected, evidence=evidence, expires_on=expires_on, source=source,
                     actor=actor)
    errors = signal_problems(signal, today)
    if errors:
        raise ValidationError(errors)
    signal.save()
    ensure_in_scope(signal, actor, CHANGE)
    audit.record_event(actor=actor, verb=SIGNAL_VERB, target=enterprise,
                       summary=_("Risk signal: %(signal)s") % {"signal": describe(signal)},
                       data={"signal": signal.pk, "kind": kind, "value": None if value is None else str(value)})
    assess([enterprise.pk], today=today)
    return signal


def describe(signal) -> str:
    unit = signal.value_unit
    value = "" if signal.value is None else f" {signal.value.normalize():f}{' ' + str(unit) if unit and unit != '%' else unit}"
    return f"{signal.get_kind_display()}{value}"


# --- assessment ---------------------------------------------------------------------------------

def _active_signals(enterprise_ids, today):
    rows = RiskSignal.objects.filter(observed_on__lte=today, expires_on__gte=today)
    if enterprise_ids is not None:
        rows = rows.filter(enterprise_id__in=enterprise_ids)
    by_enterprise = defaultdict(list)
    for pk, ent, kind, value, observed, expires in rows.values_list(
            "pk", "enterprise_id", "kind", "value", "observed_on", "expires_on").iterator(chunk_size=5000):
        by_enterprise[ent].append(rules.SignalRow(pk, kind, value, observed, expires))
    return by_enterprise


def _chunks(items, size=900):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def assess(enterprise_ids=None, *, today: date | None = None) -> dict:
    """Reassess ``enterprise_ids`` (every enterprise with signals or a level when None).

    Returns counts: assessed, changed, raised, lifted. Writes only rows whose score, level or
    explanation changed, so a second run the same day changes nothing."""
    today = today or timezone.localdate()
    rule_table, levels = rule_rows(), level_rows()
    with transaction.atomic():
        signals = _active_signals(enterprise_ids, today)
        existing_qs = EnterpriseRisk.objects.all()
        if enterprise_ids is not None:
            ids = list(enterprise_ids)
            existing = {}
            for chunk in _chunks(ids):
                existing.update({r.enterprise_id: r for r in existing_qs.filter(enterprise_id__in=chunk)})
        else:
            existing = {r.enterprise_id: r for r in existing_qs.iterator(chunk_size=5000)}
            ids = set(signals) | set(existing)
        regions = {}
        missing = [pk for pk in ids if pk not in existing]
        for chunk in _chunks(missing):
            regions.update(Enterprise.objects.filter(pk__in=chunk).values_list("pk", "region_id"))
        create, update, changes, rising = [], [], [], []
        for ent in ids:
            result = rules.assess(signals.get(ent, ()), rule_table, levels, today)
            explanation = result.explanation()
            risk = existing.get(ent)
            if risk is None:
                if result.level == rules.NONE:
                    continue
                risk = EnterpriseRisk(enterprise_id=ent, region_id=regions[ent], score=result.score, level=result.level,
                                      explanation=explanation, level_since=today, assessed_on=today)
                create.append(risk)
                old_level = rules.NONE
            else:
                if (risk.score, risk.level, risk.explanation) == (result.score, result.level, explanation):
                    continue
                old_level = risk.level
                if old_level != result.level:
                    risk.level_since = today
                risk.score, risk.level, risk.explanation, risk.assessed_on = (
                    result.score, result.level, explanation, today)
                update.append(risk)
            if old_level != result.level:
                changes.append(RiskChange(enterprise_id=ent, region_id=risk.region_id, changed_on=today,
                                          previous_level=old_level, level=result.level, score=result.score,
                                          explanation=explanation))
                if rules.rises(old_level, result.level) and rules.raises_alert(result.level, levels):
                    rising.append((risk, old_level))
        if create:
            bulk_insert(EnterpriseRisk, [{f.attname: getattr(r, f.attname) for f in EnterpriseRisk._meta.concrete_fields
                                          if not f.primary_key} for r in create])
        if update:
            bulk_update(EnterpriseRisk, update, ["score", "level", "explanation", "level_since", "assessed_on"])
        if changes:
            RiskChange.objects.bulk_create(changes, batch_size=1000)
        raised = lifted = 0
        for risk, old_level in rising:
            if raise_alert(risk, today=today, levels=levels, previous=old_level) == "raised":
                raised += 1
            else:
                lifted += 1
    return {"assessed": len(ids), "changed": len(create) + len(update), "raised": raised, "lifted": lifted}


def _reason(explanation) -> str:
    counted = [row for row in explanation if row["counted"]]
    return "；".join(row["rule_label"] for row in counted)[:255]


def raise_alert(risk, *, today: date, levels, previous: str = "") -> str:
    """Raise an alert for ``risk`` (its level just rose), or lift the enterprise's open alert.
    Returns "raised" or "lifted"."""
    open_alert = Alert.objects.filter(enterprise_id=risk.enterprise_id).exclude(status=AlertStatus.CLOSED).first()
    deadline = rules.response_deadline(today, risk.level, levels)
    county = rules.county_assigned(risk.level, levels)
    if open_alert is not None:
        if not rules.rises(open_alert.level, risk.level):
            return "lifted"

        def lift(row):
            row.level, row.score, row.explanation, row.reason = risk.level, risk.score, risk.explanation, _reason(risk.explanation)
            row.deadline = min(row.deadline, deadline) if row.first_response_on is None else row.deadline
            row.county_assigned = row.county_assigned or county

        alert = transition(open_alert, "raise_level", actor=None, apply=lift,
                           note=_("Level raised to %(level)s (score %(score)s)") % {
                               "level": _level_label(risk.level), "score": risk.score},
                           data={"level": risk.level, "previous": open_alert.level})
        _notify_alert(alert, _("Alert level raised to %(level)s") % {"level": _level_label(risk.level)})
        return "lifted"
    enterprise = Enterprise.objects.select_related("region").get(pk=risk.enterprise_id)
    county_code = enterprise.region.path.split("/", 1)[0]
    number = f"{county_code}-YJ-{today.year}-{next_value(f'alert:{county_code}:{today.year}'):05d}"
    case_id = None
    collective = [row for row in risk.explanation if row["counted"] and row["kind"] == rules.COLLECTIVE_DISPUTE]
    if collective:
        case_id = RiskSignal.objects.filter(pk=collective[0]["signal"]).values_list("key", flat=True).first()
        case_id = int(case_id.split(":")[1]) if case_id and case_id.startswith("case:") else None
    alert = Alert.objects.create(
        number=number, enterprise=enterprise, region_id=enterprise.region_id, level=risk.level, score=risk.score,
        reason=_reason(risk.explanation) or _level_label(risk.level), explanation=risk.explanation, raised_on=today,
        deadline=deadline, county_assigned=county, case_id=case_id,
    )
    audit.record_event(actor=None, verb="alert.raise", target=alert,
                       summary=_("Alert raised: %(level)s, respond by %(day)s") % {
                           "level": _level_label(risk.level), "day": deadline.isoformat()},
                       data={"level": risk.level, "previous": previous, "score": risk.score})
    _notify_alert(alert, _("New %(level)s alert, respond by %(day)s") % {
        "level": _level_label(risk.level), "day": deadline.isoformat()})
    return "raised"


def _level_label(level):
    from .models import Level

    return str(Level(level).label) if level else _("no risk")


def alert_handlers(alert, *, county: bool | None = None):
    """The town's officers, and the county administrators when the county is assigned."""
    path = alert.region.path
    county_path = path.split("/", 1)[0] + "/"
    q = Q(role=Role.TOWN_OFFICER, region__path=path)
    if alert.county_assigned if county is None else county:
        q |= Q(role=Role.COUNTY_ADMIN, region__path=county_path)
    rows = RoleAssignment.objects.filter(q, is_active=True, user__is_active=True).select_related("user")
    return [a.user for a in rows]


def _notify_alert(alert, text):
    notify.notify(alert_handlers(alert), f"{alert.number} · {alert.enterprise.name} · {text}", alert.get_absolute_url())


# --- alert disposal -------------------------------------------------------------------------------

@transaction.atomic
def action_record(alert, *, actor, kind: str, done_on: date, summary: str, meeting=None,
                  today: date | None = None) -> AlertAction:
    """Record a disposal action; the first one is the alert's first response."""
    today = today or timezone.localdate()
    errors = {}
    if kind not in ActionKind.values:
        errors["kind"] = [_("Choose an action.")]
    if not (summary or "").strip():
        errors["summary"] = [_("Say what was done and found.")]
    if done_on is None:
        errors["done_on"] = [_("Give the date.")]
    elif done_on > today:
        errors["done_on"] = [_("The date cannot be in the future.")]
    elif done_on < alert.raised_on:
        errors["done_on"] = [_("The action cannot be before the alert was raised (%(day)s).") % {"day": alert.raised_on.isoformat()}]
    if meeting is not None and kind != ActionKind.TRIPARTITE_MEETING:
        errors["meeting"] = [_("Only a tripartite meeting action links a meeting.")]
    if meeting is not None:
        from concord.disputes.models import TripartiteMeeting

        if not TripartiteMeeting.objects.visible_to(actor).filter(pk=meeting.pk).exists():
            errors["meeting"] = [_("This meeting is outside your scope.")]
    if errors:
        raise ValidationError(errors)
    # The stored status (the caller's copy may be stale); the transition re-checks it under a lock.
    status = Alert.objects.filter(pk=alert.pk).values_list("status", flat=True).first()
    name = "respond" if status == AlertStatus.OPEN else "act"
    label = ActionKind(kind).label

    def apply(row):
        if row.first_response_on is None:
            row.first_response_on = done_on

    transition(alert, name, actor=actor, apply=apply, note=f"{label}：{summary.strip()}"[:255],
               data={"kind": kind, "done_on": done_on.isoformat()})
    action = AlertAction.objects.create(alert=alert, kind=kind, done_on=done_on, summary=summary.strip(),
                                        meeting=meeting, recorded_by=actor)
    ensure_in_scope(action, actor, CHANGE)
    return action


def alert_escalate(alert, *, actor, note: str, today: date | None = None) -> Alert:
    """Assign the county (a town asking for help, or the system when the deadline passed unattended)."""
    today = today or timezone.localdate()

    def apply(row):
        row.escalated_on = today
        row.county_assigned = True

    row = transition(alert, "escalate", actor=actor, note=note, apply=apply)
    _notify_alert(row, _("Escalated to the county: %(note)s") % {"note": note})
    return row


def alert_close(alert, *, actor, outcome: str, note: str = "", closed_on: date | None = None,
                today: date | None = None) -> Alert:
    """Close (销号) with an outcome."""
    today = today or timezone.localdate()
    closed_on = closed_on or today
    errors = {}
    if outcome not in AlertOutcome.values:
        errors["outcome"] = [_("Closing an alert needs its outcome.")]
    if not (note or "").strip():
        errors["outcome_note"] = [_("Describe the outcome.")]
    if closed_on > today:
        errors["closed_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)

    def apply(row):
        row.outcome, row.outcome_note, row.closed_on = outcome, note.strip(), closed_on

    return transition(alert, "close", actor=actor, apply=apply, note=f"{AlertOutcome(outcome).label}：{note.strip()}"[:255],
                      data={"outcome": outcome})


def unattended(today: date):
    """Alerts past their response deadline with no response, not yet escalated."""
    return Alert.objects.filter(status=AlertStatus.OPEN, deadline__lt=today, first_response_on__isnull=True,
                                escalated_on__isnull=True)


def escalate_unattended(today: date | None = None) -> int:
    today = today or timezone.localdate()
    moved = 0
    for pk in list(unattended(today).values_list("pk", flat=True)):
        try:
            alert_escalate(Alert(pk=pk), actor=None, today=today,
                           note=_("No response by the deadline: escalated automatically"))
            moved += 1
        except (ValidationError, TransitionRefused):
            pass
    return moved


# --- computed signals ---------------------------------------------------------------------------

def _upsert_computed(wanted: dict[str, tuple], kinds, today) -> int:
    """``wanted``: key → (enterprise_id, region_id, kind, value, source, evidence). Existing computed
    signals of ``kinds`` with the same key are updated when their value changed; those no longer
    wanted stop counting (expire yesterday)."""
    current = {}
    for row in RiskSignal.objects.filter(kind__in=kinds, key__isnull=False, expires_on__gte=today).only(
            "pk", "key", "value", "expires_on", "observed_on", "evidence"):
        current[row.key] = row
    create, update = [], []
    for key, (ent, region, kind, value, source, evidence) in wanted.items():
        value = Decimal(value)
        row = current.pop(key, None)
        if row is None:
            create.append({"enterprise_id": ent, "region_id": region, "kind": kind, "source": source,
                           "observed_on": today, "value": value, "evidence": evidence, "key": key,
                           "expires_on": rules.default_expiry(kind, today)})
        elif row.value != value:
            row.value, row.evidence, row.observed_on = value, evidence, today
            row.expires_on = rules.default_expiry(kind, today)
            update.append(row)
    stale = list(current.values())
    for row in stale:
        row.expires_on = today - timedelta(days=1)
    # A key that was used before and expired: reuse the row.
    if create:
        old = {r.key: r for r in RiskSignal.objects.filter(key__in=[c["key"] for c in create])}
        for item in list(create):
            row = old.get(item["key"])
            if row is not None:
                for name, value in item.items():
                    setattr(row, name, value)
                update.append(row)
                create.remove(item)
    bulk_insert(RiskSignal, create)
    bulk_update(RiskSignal, update, ["value", "evidence", "observed_on", "expires_on", "enterprise_id", "region_id"])
    bulk_update(RiskSignal, stale, ["expires_on"])
    return len(create) + len(update) + len(stale)


def compute_signals(today: date | None = None) -> int:
    """Derive this day's computed signals; returns the number of signal rows written."""
    from concord.disputes.models import Case

    today = today or timezone.localdate()
    regions = dict(Enterprise.objects.values_list("pk", "region_id"))
    heads = dict(Enterprise.objects.values_list("pk", "head_count"))
    wanted = {}
    turnover_since = today - timedelta(days=rules.TURNOVER_WINDOW_DAYS)
    left = (Employment.objects.filter(end_date__gte=turnover_since, end_date__lte=today).values("enterprise_id")
            .annotate(n90=Count("pk")))
    # Layoffs: each active mass-layoff rule counts the departures of one day (art. 41's reduction)
    # or of its own period (a local rule); departures per enterprise and end date feed them all.
    layoff_rules = [r for r in rule_rows() if r.kind == rules.MASS_LAYOFF]
    windows = rules.layoff_windows(layoff_rules)
    since = today - timedelta(days=max([rules.LAYOFF_LOOKBACK_DAYS] + [w for w in windows if w]))
    departures: dict[int, dict] = {}
    if layoff_rules:
        for row in (Employment.objects.filter(end_date__gte=since, end_date__lte=today)
                    .values("enterprise_id", "end_date").annotate(n=Count("pk"))):
            departures.setdefault(row["enterprise_id"], {})[row["end_date"]] = row["n"]
    for ent, by_day in departures.items():
        found = rules.layoff_signal(by_day, heads.get(ent, 0), today, layoff_rules)
        if found:
            laid_off, rule = found
            if rule.window_days:
                text = _("%(n)s employments ended in %(days)s days") % {"n": laid_off, "days": rule.window_days}
            else:
                text = _("%(n)s employments ended on one day in the last %(days)s days") % {
                    "n": laid_off, "days": rules.LAYOFF_LOOKBACK_DAYS}
            wanted[f"layoff:{ent}"] = (ent, regions[ent], rules.MASS_LAYOFF, laid_off, SignalSource.REGISTRY,
                                       f"{text} · {rule.label}")
    for row in left:
        ent, head = row["enterprise_id"], heads.get(row["enterprise_id"], 0)
        percent = rules.turnover_percent(row["n90"], head)
        if percent:
            wanted[f"turnover:{ent}"] = (ent, regions[ent], rules.ABNORMAL_TURNOVER, percent, SignalSource.REGISTRY,
                                         _("%(n)s of %(staff)s employees left in %(days)s days") % {
                                             "n": row["n90"], "staff": head + row["n90"], "days": rules.TURNOVER_WINDOW_DAYS})
    since = today - timedelta(days=rules.DISPUTE_WINDOW_DAYS)
    recent = Case.objects.filter(received_on__gte=since, received_on__lte=today)
    for row in recent.values("respondent_id").annotate(n=Count("pk")).filter(n__gte=rules.REPEATED_MIN_CASES):
        ent = row["respondent_id"]
        wanted[f"disputes:{ent}"] = (ent, regions[ent], rules.REPEATED_DISPUTES, row["n"], SignalSource.DISPUTES,
                                     _("%(n)s dispute cases received in %(days)s days") % {"n": row["n"], "days": rules.DISPUTE_WINDOW_DAYS})
    written = _upsert_computed(wanted, [rules.MASS_LAYOFF, rules.ABNORMAL_TURNOVER, rules.REPEATED_DISPUTES], today)
    # Collective cases: one signal per case, raised when the case is filed (collective_signal) and
    # kept here for cases filed another way (e.g. the demo generator).
    for case in Case.objects.filter(is_collective=True, received_on__gte=today - timedelta(
            days=rules.DEFAULT_VALID_DAYS[rules.COLLECTIVE_DISPUTE]), received_on__lte=today).exclude(
            pk__in=_collective_case_ids()).select_related("respondent"):
        collective_signal(case, today=today, reassess=False)
        written += 1
    return written


def _collective_case_ids():
    keys = RiskSignal.objects.filter(kind=rules.COLLECTIVE_DISPUTE, key__startswith="case:").values_list("key", flat=True)
    return [int(k.split(":", 1)[1]) for k in keys]


def collective_signal(case, *, today: date | None = None, reassess: bool = True) -> RiskSignal:
    """The early-warning signal of a collective case (red at once, by the default rules)."""
    today = today or timezone.localdate()
    key = f"case:{case.pk}"
    signal = RiskSignal.objects.filter(key=key).first()
    if signal is None:
        signal = _signal(case.respondent, kind=rules.COLLECTIVE_DISPUTE, observed_on=min(case.received_on, today),
                         value=Decimal(case.claimant_count), workers_affected=case.claimant_count,
                         amount=case.amount_claimed, source=SignalSource.DISPUTES, key=key,
                         evidence=_("Collective dispute case %(number)s, %(count)s claimants") % {
                             "number": case.number, "count": case.claimant_count})
        signal.save()
    if reassess:
        assess([case.respondent_id], today=today)
    return signal


def on_collective_case(sender, case, **kwargs):
    """Receiver of ``concord.disputes.services.collective_case_filed``."""
    collective_signal(case)


# --- the scan -----------------------------------------------------------------------------------

def scan(today: date | None = None) -> str:
    """The periodic scan: computed signals, every enterprise reassessed, unattended alerts escalated.
    Idempotent: a second run the same day writes nothing and raises nothing."""
    today = today or timezone.localdate()
    written = compute_signals(today)
    result = assess(None, today=today)
    escalated = escalate_unattended(today)
    return (f"signals {written}, assessed {result['assessed']}, changed {result['changed']}, "
            f"raised {result['raised']}, lifted {result['lifted']}, escalated {escalated}")
