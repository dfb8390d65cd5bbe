"""The evaluation workflow of a creation round, on the platform's one mechanism.

draft (self-assessment) → submitted → reviewed (town: scores adjusted with reasons, on-site check)
→ publicity (county approval; 5 working days on the public page, objections answered) → certified
returned (the town sends it back for correction) → submitted again; rejected; withdrawn.
The conditions that depend on data (every manual indicator scored, tier prerequisites, vetoes,
the publicity period over and every objection answered) are checked by the services, which name
the field at fault.
"""
from django.utils.translation import gettext_lazy

from concord.core.scope import Role
from concord.core.workflow import Transition, Workflow

DRAFT, SUBMITTED, REVIEWED, PUBLICITY = "draft", "submitted", "reviewed", "publicity"
CERTIFIED, RETURNED, REJECTED, WITHDRAWN = "certified", "returned", "rejected", "withdrawn"
APPLICANTS = frozenset({Role.UNION_OFFICER, Role.TOWN_OFFICER, Role.COUNTY_ADMIN})
TOWN = frozenset({Role.TOWN_OFFICER, Role.COUNTY_ADMIN})
COUNTY = frozenset({Role.COUNTY_ADMIN})


def _t(name, sources, target, roles, label, needs_note=False):
    return Transition(name, frozenset(sources), target, frozenset(roles), label, needs_note)


EVALUATION_WORKFLOW = Workflow("status", [
    _t("submit", {DRAFT, RETURNED}, SUBMITTED, APPLICANTS, gettext_lazy("Submit the application")),
    _t("return", {SUBMITTED}, RETURNED, TOWN, gettext_lazy("Return for correction"), needs_note=True),
    _t("review", {SUBMITTED}, REVIEWED, TOWN, gettext_lazy("Record the town review")),
    _t("approve", {REVIEWED}, PUBLICITY, COUNTY, gettext_lazy("Approve and publish")),
    _t("reject", {REVIEWED, PUBLICITY}, REJECTED, COUNTY, gettext_lazy("Do not approve"), needs_note=True),
    _t("certify", {PUBLICITY}, CERTIFIED, COUNTY, gettext_lazy("Certify")),
    _t("withdraw", {DRAFT, RETURNED, SUBMITTED}, WITHDRAWN, APPLICANTS, gettext_lazy("Withdraw"), needs_note=True),
])

