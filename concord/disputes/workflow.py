"""The case workflow: every transition, the roles that may take it, and the level rule.

received → accepted | rejected
accepted → consultation (optional) → mediation → agreement | failed | withdrawn
agreement → closed (performed, judicially confirmed, payment order)
failed → closed (referred to arbitration, litigation, legal aid, or back to the court)
Escalation, mediator assignment, court-deadline extension, judicial-confirmation and payment-order
steps keep the status and change other fields. The state field is ``Case.status``; services call
``concord.core.workflow.transition`` with the names below.
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.scope import ENTERPRISE_ROLES, REGION_ROLES, Role, assignments_of
from concord.core.workflow import Transition, Workflow

from . import rules

RECEIVED, ACCEPTED, REJECTED = "received", "accepted", "rejected"
CONSULTATION, MEDIATION, AGREEMENT = "consultation", "mediation", "agreement"
FAILED, WITHDRAWN, CLOSED = "failed", "withdrawn", "closed"
RUNNING = frozenset({ACCEPTED, CONSULTATION, MEDIATION})

# Handlers mediate; the court liaison follows court referrals; a worker may withdraw their own case.
HANDLERS = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.UNION_OFFICER, Role.MEDIATOR})
COURT = frozenset({Role.COURT_LIAISON, Role.COUNTY_ADMIN})


def _t(name, sources, target, roles, label, needs_note=False):
    return Transition(name, frozenset(sources), target, frozenset(roles), label, needs_note)


CASE_WORKFLOW = Workflow("status", [
    _t("accept", {RECEIVED}, ACCEPTED, HANDLERS, gettext_lazy("Accept")),
    _t("reject", {RECEIVED}, REJECTED, HANDLERS, gettext_lazy("Do not accept"), needs_note=True),
    _t("consult", {ACCEPTED}, CONSULTATION, HANDLERS, gettext_lazy("Start consultation")),
    _t("mediate", {ACCEPTED, CONSULTATION}, MEDIATION, HANDLERS, gettext_lazy("Start mediation")),
    _t("assign", {RECEIVED} | RUNNING, None, HANDLERS, gettext_lazy("Assign a mediator")),
    _t("escalate", {RECEIVED} | RUNNING, None, HANDLERS, gettext_lazy("Escalate"), needs_note=True),
    _t("extend", RUNNING, None, HANDLERS | COURT, gettext_lazy("Extend the court deadline")),
    _t("agree", {CONSULTATION, MEDIATION}, AGREEMENT, HANDLERS, gettext_lazy("Record an agreement")),
    _t("fail", {CONSULTATION, MEDIATION}, FAILED, HANDLERS, gettext_lazy("Mediation failed"), needs_note=True),
    _t("withdraw", {RECEIVED} | RUNNING, WITHDRAWN, HANDLERS | {Role.WORKER}, gettext_lazy("Withdraw"), needs_note=True),
    _t("request_confirmation", {AGREEMENT}, None, HANDLERS, gettext_lazy("Apply for judicial confirmation")),
    _t("record_confirmation", {AGREEMENT}, None, COURT, gettext_lazy("Record the judicial confirmation")),
    _t("payment_order", {AGREEMENT}, None, HANDLERS, gettext_lazy("Apply for a payment order")),
    _t("close", {AGREEMENT}, CLOSED, HANDLERS, gettext_lazy("Close the case")),
    _t("refer", {FAILED}, CLOSED, HANDLERS, gettext_lazy("Refer and close")),
])

# Transitions the level rule does not apply to (the court's own steps, a worker's withdrawal).
LEVEL_FREE = {"record_confirmation"}


def assignment_level(assignment) -> str | None:
    if assignment.role in ENTERPRISE_ROLES:
        return rules.ENTERPRISE_LEVEL
    if assignment.role in REGION_ROLES and assignment.region_id:
        return rules.COUNTY_LEVEL if assignment.region.parent_id is None else rules.TOWN_LEVEL
    return None


def covers(assignment, case) -> bool:
    if assignment.role in ENTERPRISE_ROLES:
        return assignment.enterprise_id == case.respondent_id
    if assignment.role in REGION_ROLES and assignment.region_id:
        return case.region.path.startswith(assignment.region.path)
    return False


def handles(actor, case, roles=HANDLERS) -> bool:
    """Whether ``actor`` holds a handling role whose scope covers ``case`` at its current level."""
    if actor.is_superuser:
        return True
    return any(
        a.role in roles and covers(a, case) and rules.handles_level(assignment_level(a), case.level)
        for a in assignments_of(actor)
    )


def guard(case, t, actor) -> str | None:
    """The case's own conditions on a transition (after state and role passed); ``actor`` None is
    the system."""
    if t.name == "escalate" and rules.next_level(case.level) is None:
        return _("The case is already at county level.")
    if t.name == "extend" and not case.is_court_referral:
        return _("Only a court referral has a court deadline to extend.")
    if t.name == "extend" and _extension_cap_reached(case):
        return _("The court deadline is already extended by the most days allowed.")
    # A step whose effect is already recorded is neither offered nor taken again: taking it again
    # would overwrite the recorded date or ruling (issue 14).
    if t.name == "request_confirmation" and case.confirmation_requested_on:
        return _("Judicial confirmation was already applied for on %(day)s.") % {
            "day": case.confirmation_requested_on.isoformat()}
    if t.name == "record_confirmation" and case.confirmation_result:
        return _("The court's ruling is already recorded: %(result)s.") % {"result": case.get_confirmation_result_display()}
    if t.name == "record_confirmation" and not case.confirmation_requested_on:
        return _("No application for judicial confirmation has been recorded.")
    if t.name == "payment_order" and case.payment_order_applied_on:
        return _("A payment order was already applied for on %(day)s.") % {"day": case.payment_order_applied_on.isoformat()}
    if t.name == "payment_order" and not _has_missed_payment(case):
        return _("A payment order is for a missed agreed payment; none is missed.")
    if actor is None:  # the system: the case's own conditions only, no level rule
        return None
    if t.name == "withdraw" and not actor.is_superuser and {a.role for a in assignments_of(actor)} == {Role.WORKER}:
        return None  # a claimant withdraws their own case at any level (scope already checked)
    if t.name in LEVEL_FREE or t.name == "extend" and _is_court_user(actor):
        return None
    if not handles(actor, case):
        return _("The case is handled at %(level)s level; your role does not handle it there.") % {
            "level": case.get_level_display()}
    return None


def _is_court_user(actor) -> bool:
    return any(a.role == Role.COURT_LIAISON for a in assignments_of(actor))


def _extension_cap_reached(case) -> bool:
    from .services import legal_table  # services import this module

    if not case.court_received_on:
        return False
    cap = rules.parameter("court_extension_cap_days", case.court_received_on, legal_table(case.region))
    return cap is not None and case.court_extension_days >= cap


def _has_missed_payment(case) -> bool:
    agreement = getattr(case, "agreement", None)
    return agreement is not None and any(i.is_missed for i in agreement.installments.all())
