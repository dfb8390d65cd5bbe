"""Filters of the veto, county-review and survey lists; every choice list is scoped (ScopedFilterSet)."""
import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.filters import SearchFilterSet
from concord.core.models import Region

from .models import CountyReview, Survey, SurveyParticipation, VetoEvent, VetoItem


def _town_filter(field_name="region"):
    return django_filters.ModelChoiceFilter(label=_("town"), field_name=field_name,
                                            queryset=Region.objects.filter(kind=Region.Kind.TOWN))


class VetoEventFilter(SearchFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code__exact", "description")
    town = _town_filter()
    item = django_filters.ModelChoiceFilter(label=_("veto item"), queryset=VetoItem.objects.filter(standard__is_active=True))
    origin = django_filters.ChoiceFilter(label=_("origin"), method="filter_origin", empty_label=_("All"),
                                         choices=[("detected", _("Detected")), ("manual", _("Recorded by hand"))])

    class Meta:
        model = VetoEvent
        fields = ["q", "town", "item", "origin"]

    def filter_origin(self, qs, name, value):
        if value == "detected":
            return qs.filter(key__isnull=False)
        if value == "manual":
            return qs.filter(key__isnull=True)
        return qs


class ReviewFilter(SearchFilterSet):
    search_fields = ("certification__number__exact", "certification__enterprise__name")
    town = _town_filter("certification__region")
    open = django_filters.BooleanFilter(label=_("to decide"), field_name="closed_on", lookup_expr="isnull")

    class Meta:
        model = CountyReview
        fields = ["q", "town", "open"]


def survey_awaiting_q(user, today):
    """Surveys open today that ``user`` (a worker) has not answered yet."""
    answered = SurveyParticipation.objects.filter(survey=OuterRef("pk"), worker__user=user)
    return Q(opens_on__lte=today, closes_on__gte=today) & ~Exists(answered)


class SurveyFilter(SearchFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code__exact")
    town = _town_filter()
    # The worker's home-page link (concord/harmony/attention.py).
    awaiting = django_filters.ChoiceFilter(label=_("waiting for"), choices=[("me", _("me"))], empty_label=_("All"),
                                           method="filter_awaiting")

    class Meta:
        model = Survey
        fields = ["q", "town", "awaiting"]

    def filter_awaiting(self, qs, name, value):
        if value == "me" and self.request is not None:
            return qs.filter(survey_awaiting_q(self.request.user, timezone.localdate()))
        return qs
