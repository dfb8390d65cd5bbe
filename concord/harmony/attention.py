"""The harmonious-enterprise items of the home page: applications to review (town), to approve and
objections to answer (county), county review tasks to decide, applications returned to the
enterprise for correction, and the open survey a worker has not answered. One query per item, over
the user's scope; each links to the list filtered to exactly those rows."""
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from concord.core.attention import Attention, provider
from concord.core.scope import Role, can, user_roles

from .catalogue_filters import survey_awaiting_q
from .filters import open_objections_q
from .models import CountyReview, Evaluation, EvaluationStatus, Survey


def _url(name, **params):
    return reverse(name) + "?" + urlencode(params)


def _evaluations(user, status, label, level="warning", **extra):
    count = Evaluation.objects.visible_to(user).filter(status=status, **extra).count()
    return Attention(label, count, _url("harmony:evaluation_list", status=status), level)


@provider
def harmony_items(user):
    roles = user_roles(user)
    items = []
    if Role.TOWN_OFFICER in roles:
        items.append(_evaluations(user, EvaluationStatus.SUBMITTED, _("Applications to review")))
    if Role.COUNTY_ADMIN in roles or user.is_superuser:
        items.append(_evaluations(user, EvaluationStatus.REVIEWED, _("Applications to approve")))
        objections = Evaluation.objects.visible_to(user).filter(open_objections_q(), status=EvaluationStatus.PUBLICITY).count()
        items.append(Attention(_("Applications in publicity with an objection to answer"), objections,
                               _url("harmony:evaluation_list", status=EvaluationStatus.PUBLICITY, open_objections="true"),
                               "danger"))
        if can(user, CountyReview):
            reviews = CountyReview.objects.visible_to(user).filter(closed_on__isnull=True).count()
            items.append(Attention(_("County review tasks to decide"), reviews,
                                   _url("harmony:countyreview_list", open="true"), "warning"))
    if Role.UNION_OFFICER in roles:
        items.append(_evaluations(user, EvaluationStatus.RETURNED, _("Applications returned for correction"), "danger"))
    if Role.WORKER in roles:
        count = Survey.objects.visible_to(user).filter(survey_awaiting_q(user, timezone.localdate())).count()
        items.append(Attention(_("Satisfaction surveys waiting for your answer"), count,
                               _url("harmony:survey_list", awaiting="me"), "primary"))
    return items
