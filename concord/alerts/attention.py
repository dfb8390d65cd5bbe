"""The early-warning items of the home page: alerts waiting for a first response and those past
their response deadline: a town's open alerts (the town responds first, even when the county is
informed as well), and for the county those assigned to it, as its inbox opens. One query for both
counts; the links open the inbox filtered to exactly those rows."""
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from concord.core.attention import Attention, provider
from concord.core.scope import user_roles

from . import selectors, workflow
from .models import AlertStatus


@provider
def alerts_due(user):
    if not (user.is_superuser or user_roles(user) & workflow.HANDLERS):
        return []
    county = selectors.is_county_user(user)
    rows = selectors.alerts(user).filter(status=AlertStatus.OPEN)
    base = {"status": AlertStatus.OPEN.value}
    if county:
        rows, base = rows.filter(county_assigned=True), {**base, "county_assigned": "true"}
    counts = rows.aggregate(due=Count("pk"), overdue=Count("pk", filter=Q(selectors.overdue_q(timezone.localdate()))))
    url = reverse("alerts:alert_list") + "?"
    return [
        Attention(_("Alerts waiting for a first response"), counts["due"], url + urlencode(base), "warning"),
        Attention(_("Alerts past their response deadline"), counts["overdue"],
                  url + urlencode({**base, "overdue": "true"}), "danger"),
    ]
