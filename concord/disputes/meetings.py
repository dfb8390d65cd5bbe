"""Tripartite meetings, their follow-up actions and the county's legal settings: the reading of
input shared by the pages and the API, and the writes both use (the forms are in meeting_forms).

Writes are keyword-only functions with a required ``actor`` (STYLE.md 4): each validates the model
(``full_clean``), saves inside a transaction, re-checks the actor's scope (rolling back on failure)
and records a domain event for the meeting's timeline.
"""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core import audit
from concord.core.scope import ADD, CHANGE, VIEW, ensure_in_scope
from concord.registry.models import Enterprise

from . import parameters
from .models import Case, FollowUpAction, TripartiteMeeting

VERB_HELD = "meeting.held"
VERB_ACTION_ADDED = "meeting.action_added"
VERB_ACTION_DONE = "meeting.action_done"
audit.register_verbs({
    VERB_HELD: _("Tripartite meeting recorded"),
    VERB_ACTION_ADDED: _("Follow-up action agreed"),
    VERB_ACTION_DONE: _("Follow-up action done"),
})

# Parameters counted in whole units: a county may not set 15.5 days or 10.5 people.
WHOLE_UNITS = (parameters.DAYS, parameters.YEARS, parameters.PEOPLE, parameters.TIMES)


# --- reading input --------------------------------------------------------------------------------

def numbered_lines(text: str) -> list[tuple[int, str]]:
    """The non-empty lines of ``text`` with their line numbers (1-based), stripped."""
    return [(row, line.strip()) for row, line in enumerate((text or "").splitlines(), start=1) if line.strip()]


def _resolve(lines, queryset, field, message):
    """Rows of ``queryset`` whose ``field`` equals each line, in one query; a problem per line that
    matches nothing (the queryset is already the caller's scope, so "not found" and "not yours" read
    the same)."""
    wanted = {value for _row, value in lines}
    found = {getattr(obj, field): obj for obj in queryset.filter(**{f"{field}__in": wanted})} if wanted else {}
    rows, problems, seen = [], [], set()
    for row, value in lines:
        obj = found.get(value)
        if obj is None:
            problems.append(message % {"row": row, "value": value})
        elif obj.pk not in seen:
            seen.add(obj.pk)
            rows.append(obj)
    return rows, problems


def resolve_case_numbers(text: str, user) -> tuple[list[Case], list[str]]:
    """Cases named one number per line, among those ``user`` sees."""
    return _resolve(numbered_lines(text), Case.objects.visible_to(user, VIEW), "number",
                    _("Line %(row)s: no case numbered “%(value)s” is in your scope."))


def resolve_credit_codes(text: str, user) -> tuple[list[Enterprise], list[str]]:
    """Enterprises named by unified social credit code one per line, among those ``user`` sees."""
    lines = [(row, value.replace(" ", "").upper()) for row, value in numbered_lines(text)]
    return _resolve(lines, Enterprise.objects.visible_to(user, VIEW), "credit_code",
                    _("Line %(row)s: no enterprise with credit code “%(value)s” is in your scope."))


def setting_value_problem(key: str, value) -> str | None:
    """Why ``value`` cannot be a value of the parameter ``key`` (a count that is not whole), or None."""
    unit = next((row.unit for row in parameters.DEFAULTS if row.key == key), None)
    if value is not None and unit in WHOLE_UNITS and Decimal(value) != Decimal(value).to_integral_value():
        return _("This parameter is counted in whole numbers: give a value without decimals.")
    if key == "minimum_wage_tier" and value is not None and Decimal(value) not in (1, 2, 3):
        return _("The minimum-wage tier is 1, 2 or 3.")
    return None


def action_state(action: FollowUpAction, today=None) -> str:
    """"done", "overdue" (past its due date and not done) or "open"."""
    today = today or timezone.localdate()
    if action.done_on:
        return "done"
    return "overdue" if action.due_on < today else "open"


# --- writes ---------------------------------------------------------------------------------------

def meeting_save(meeting: TripartiteMeeting, *, actor, cases=None, enterprises=None) -> TripartiteMeeting:
    """Save a new or changed meeting and, when given, its linked cases and enterprises (already
    resolved in the actor's scope). Links to records the actor cannot see are kept: an officer
    editing a meeting must not silently drop what a county colleague linked."""
    adding = meeting.pk is None
    meeting.full_clean()
    with transaction.atomic():
        if adding:
            meeting.created_by = actor
        meeting.save()
        for relation, model, chosen in (("cases", Case, cases), ("enterprises", Enterprise, enterprises)):
            if chosen is None:
                continue
            hidden = [] if adding else list(
                getattr(meeting, relation).exclude(pk__in=model.objects.visible_to(actor, VIEW).values("pk")))
            getattr(meeting, relation).set([*chosen, *hidden])
        ensure_in_scope(meeting, actor, ADD if adding else CHANGE)
        if adding:
            audit.record_event(actor=actor, verb=VERB_HELD, target=meeting, summary=meeting.topics[:120],
                               data={"cases": [c.pk for c in cases or ()], "enterprises": [e.pk for e in enterprises or ()]})
    return meeting


def followup_add(meeting: TripartiteMeeting, *, actor, description: str, owner: str, due_on, done_on=None) -> FollowUpAction:
    """Agree a follow-up action at ``meeting``."""
    action = FollowUpAction(meeting=meeting, description=description, owner=owner, due_on=due_on, done_on=done_on)
    action.full_clean()
    with transaction.atomic():
        action.save()
        ensure_in_scope(action, actor, ADD)
        audit.record_event(actor=actor, verb=VERB_ACTION_ADDED, target=meeting,
                           summary=f"{description} · {owner} · {due_on:%Y-%m-%d}", data={"action": action.pk})
        if done_on:
            _record_done(action, actor)
    return action


def followup_done(action: FollowUpAction, *, actor, done_on=None) -> FollowUpAction:
    """Mark an open action done (today unless ``done_on`` is given); never in the future, and not twice."""
    done_on = done_on or timezone.localdate()
    if action.done_on:
        raise ValidationError({"done_on": _("This action was already marked done on %(day)s.") % {
            "day": action.done_on.isoformat()}})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The day an action was done cannot be in the future.")})
    with transaction.atomic():
        action = FollowUpAction.objects.select_for_update().get(pk=action.pk)
        if action.done_on:  # marked by someone else meanwhile
            raise ValidationError({"done_on": _("This action was already marked done on %(day)s.") % {
                "day": action.done_on.isoformat()}})
        action.done_on = done_on
        action.save(update_fields=["done_on"])
        ensure_in_scope(action, actor, CHANGE)
        _record_done(action, actor)
    return action


def followup_save(action: FollowUpAction, *, actor) -> FollowUpAction:
    """Save an edited action (the API's PUT/PATCH); marking it done there is recorded as through
    ``followup_done``."""
    before = FollowUpAction.objects.filter(pk=action.pk).values_list("done_on", flat=True).first()
    action.full_clean()
    if action.done_on and action.done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The day an action was done cannot be in the future.")})
    with transaction.atomic():
        action.save()
        ensure_in_scope(action, actor, CHANGE)
        if action.done_on and not before:
            _record_done(action, actor)
    return action


def _record_done(action, actor):
    audit.record_event(actor=actor, verb=VERB_ACTION_DONE, target=action.meeting,
                       summary=f"{action.description} · {action.done_on:%Y-%m-%d}", data={"action": action.pk})
