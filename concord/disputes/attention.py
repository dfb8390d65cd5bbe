"""The disputes items of the home page's "needs your attention": the cases waiting for the user
and, for the court liaison, the judicial confirmations applied for. Each count is one query over
the user's scope and links to the case list filtered to exactly those rows."""
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from concord.core.attention import Attention, provider
from concord.core.scope import Role, user_roles

from . import selectors, workflow
from .models import Status


def case_list_url(**params) -> str:
    return reverse("disputes:case_list") + "?" + urlencode(params, doseq=True)


@provider
def cases_waiting(user):
    if not (user.is_superuser or user_roles(user) & workflow.HANDLERS):
        return []
    counts = selectors.awaiting_counts(user, timezone.localdate())
    running = sorted(workflow.RUNNING)
    return [
        Attention(_("Cases waiting for acceptance"), counts["received"],
                  case_list_url(awaiting="me", status=Status.RECEIVED.value), "primary"),
        Attention(_("Cases in mediation at your level"), counts["running"],
                  case_list_url(awaiting="me", status=running), "info"),
        Attention(_("Cases near their deadline"), counts["near"],
                  case_list_url(awaiting="me", deadline_near="true"), "warning"),
        Attention(_("Cases past their deadline"), counts["overdue"],
                  case_list_url(awaiting="me", overdue="true"), "danger"),
    ]


@provider
def confirmations_requested(user):
    if Role.COURT_LIAISON not in user_roles(user):
        return []
    count = selectors.cases(user).filter(selectors.confirmation_pending_q()).count()
    return [Attention(_("Judicial confirmations applied for"), count,
                      case_list_url(awaiting_confirmation="true"), "primary")]
