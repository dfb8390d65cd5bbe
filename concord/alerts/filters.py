"""Filters of the early-warning lists; every choice list is scoped (ScopedFilterSet)."""
import django_filters
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.filters import SearchFilterSet
from concord.core.models import Region
from concord.registry.models import Enterprise

from . import selectors
from .models import Alert, AlertStatus, EnterpriseRisk, Level, RiskSignal, SignalKind, SignalSource

LIVE = "live"


def _town_filter():
    return django_filters.ModelChoiceFilter(label=_("town"), field_name="region",
                                            queryset=Region.objects.filter(kind=Region.Kind.TOWN))


class AlertFilter(SearchFilterSet):
    """The inbox opens on the live alerts (open or being handled); a county administrator's opens on
    those assigned to the county. Choosing "all" in a filter lifts its default."""

    search_fields = ("number__exact", "enterprise__name", "enterprise__credit_code__exact")
    status = django_filters.ChoiceFilter(label=_("status"), method="filter_status", empty_label=_("All"),
                                         choices=[(LIVE, _("Open or being handled"))] + AlertStatus.choices)
    level = django_filters.ChoiceFilter(choices=Level.choices, empty_label=_("All"))
    town = _town_filter()
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")
    county_assigned = django_filters.BooleanFilter(label=_("assigned to the county"))

    class Meta:
        model = Alert
        fields = ["q", "status", "level", "town", "overdue", "county_assigned"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        data.setdefault("status", LIVE)
        if request is not None and selectors.is_county_user(request.user):
            data.setdefault("county_assigned", "true")
        super().__init__(data, queryset, request=request, **kwargs)

    def filter_status(self, qs, name, value):
        if value == LIVE:
            return qs.filter(status__in=selectors.LIVE)
        return qs.filter(status=value) if value else qs

    def filter_overdue(self, qs, name, value):
        late = selectors.overdue_q(timezone.localdate())
        return qs.filter(late) if value else qs.exclude(late) if value is False else qs


class RiskFilter(SearchFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code__exact")
    town = _town_filter()
    level = django_filters.ChoiceFilter(choices=Level.choices, empty_label=_("All"))

    class Meta:
        model = EnterpriseRisk
        fields = ["q", "town", "level"]


class WatchFilter(SearchFilterSet):
    search_fields = ("name", "credit_code__exact")
    town = _town_filter()
    level = django_filters.ChoiceFilter(label=_("risk level"), field_name="risk__level", choices=Level.choices,
                                        empty_label=_("All"))
    is_key_enterprise = django_filters.BooleanFilter(label=_("key enterprise"))

    class Meta:
        model = Enterprise
        fields = ["q", "town", "level", "is_key_enterprise"]


class SignalFilter(SearchFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code__exact", "evidence")
    kind = django_filters.ChoiceFilter(choices=SignalKind.choices, empty_label=_("All"))
    source = django_filters.ChoiceFilter(choices=SignalSource.choices, empty_label=_("All"))
    town = _town_filter()
    active = django_filters.BooleanFilter(label=_("active"), method="filter_active")

    class Meta:
        model = RiskSignal
        fields = ["q", "kind", "source", "town", "active"]

    def filter_active(self, qs, name, value):
        today = timezone.localdate()
        if value is None:
            return qs
        from django.db.models import Q

        live = Q(observed_on__lte=today, expires_on__gte=today)
        return qs.filter(live) if value else qs.exclude(live)
