"""The alert workflow, on the platform's one mechanism (``concord.core.workflow``).

open → handling (the first disposal action is the first response) → closed (销号, with an outcome)
``act`` records a further disposal action and keeps the status; ``escalate`` (the system, when the
response deadline passes unattended, or the town by hand) assigns the county; ``raise_level`` (the
system) lifts an open alert when the enterprise's level rises further.
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.scope import Role
from concord.core.workflow import Transition, Workflow

OPEN, HANDLING, CLOSED = "open", "handling", "closed"
LIVE = frozenset({OPEN, HANDLING})
HANDLERS = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER})


def _t(name, sources, target, roles, label, needs_note=False):
    return Transition(name, frozenset(sources), target, frozenset(roles), label, needs_note)


ALERT_WORKFLOW = Workflow("status", [
    _t("respond", {OPEN}, HANDLING, HANDLERS, gettext_lazy("Record the first response")),
    _t("act", {HANDLING}, None, HANDLERS, gettext_lazy("Record a disposal action")),
    _t("escalate", LIVE, None, HANDLERS, gettext_lazy("Escalate to the county"), needs_note=True),
    _t("raise_level", LIVE, None, frozenset(), gettext_lazy("Level raised")),
    _t("close", LIVE, CLOSED, HANDLERS, gettext_lazy("Close the alert")),
])


def guard(alert, t, actor) -> str | None:
    if t.name == "escalate" and alert.escalated_on:
        return _("The alert has already been escalated to the county.")
    if t.name == "close" and alert.status == OPEN:
        return _("Record at least one disposal action before closing the alert.")
    return None
