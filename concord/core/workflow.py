"""The one workflow mechanism (STYLE.md 7): a model declares its transitions in one table, and
``transition`` is the only way its state changes.

A transition has a name, the states it leaves, the state it enters (None: the state stays, e.g.
an escalation changes the level, not the status) and the roles that may take it. ``transition``
locks the row (SELECT … FOR UPDATE), checks the state, the actor's role and scope and the model's
own guard (``workflow_guard``), applies the caller's changes, validates, saves, records a domain
event for the timeline and queues side effects for after the commit.

Transitions are named rather than addressed by target state because several of them share a
target (accept and escalate both leave a case open) and the name is what the timeline, the API
action and the permission table talk about.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .scope import CHANGE, user_roles


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str | None
    roles: frozenset
    label: str
    # A note (reason) is required, e.g. rejecting or withdrawing.
    needs_note: bool = False


class Workflow:
    def __init__(self, field: str, transitions: list[Transition]):
        self.field = field
        self.transitions = {t.name: t for t in transitions}

    def __getitem__(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise TransitionRefused(_("Unknown action: %(name)s.") % {"name": name}) from None

    def available(self, obj, user) -> list[Transition]:
        """The transitions ``user`` may take on ``obj`` now (for buttons and the API's hints)."""
        return [t for t in self.transitions.values() if refusal(obj, t, user) is None]


class TransitionRefused(ValidationError):
    """The transition is not allowed now (wrong state, role, level); nothing was changed."""


def refusal(obj, t: Transition, actor) -> str | None:
    """Why ``actor`` may not take ``t`` on ``obj`` (in its current, possibly stale, state), or None."""
    wf = type(obj).workflow
    state = getattr(obj, wf.field)
    if state not in t.sources:
        label = getattr(obj, f"get_{wf.field}_display")()
        return _("“%(action)s” is not possible while the %(what)s is “%(state)s”.") % {
            "action": t.label, "what": type(obj)._meta.verbose_name, "state": label}
    # The system (periodic jobs, actor None) needs no role; the model's guard still applies.
    if actor is not None and not actor.is_superuser and not (user_roles(actor) & t.roles):
        return _("Your role may not “%(action)s”.") % {"action": t.label}
    guard = getattr(obj, "workflow_guard", None)
    if guard is not None:
        return guard(t, actor)
    return None


def transition(obj, name: str, *, actor, note: str = "", apply: Callable | None = None, data: dict | None = None,
               after_commit: Callable | None = None):
    """Take transition ``name`` on ``obj``; returns the saved (locked, fresh) row.

    ``apply(row)`` sets the fields the transition changes and may raise ValidationError; ``actor``
    None is the system. Raises TransitionRefused (nothing changed) when the state, role, scope or
    guard forbids it, ValidationError when the changes are invalid; either way the transaction
    rolls back.
    """
    model = type(obj)
    wf = model.workflow
    t = wf[name]
    with transaction.atomic():
        row = model._base_manager.select_for_update().get(pk=obj.pk)
        if actor is not None and not actor.is_superuser:
            if not model._default_manager.visible_to(actor, CHANGE).filter(pk=row.pk).exists():
                raise PermissionDenied(_("This %(what)s is outside your scope.") % {"what": model._meta.verbose_name})
        reason = refusal(row, t, actor)
        if reason:
            raise TransitionRefused(reason)
        if t.needs_note and not note.strip():
            raise TransitionRefused({"note": _("Give a reason.")})
        before = getattr(row, wf.field)
        if apply is not None:
            apply(row)
        if t.target is not None:
            setattr(row, wf.field, t.target)
        # Uniqueness and constraints are the database's to enforce; fields and clean() are checked here.
        row.full_clean(validate_unique=False, validate_constraints=False)
        row.save()
        audit.record_event(
            actor=actor, verb=f"{model._meta.model_name}.{t.name}", target=row, summary=note or str(t.label),
            data={"from": before, "to": getattr(row, wf.field), "by": "system" if actor is None else "user",
                  **(data or {})},
        )
        if after_commit is not None:
            transaction.on_commit(lambda: after_commit(row))
    return row
