import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.filters import SearchFilterSet
from concord.core.models import CalendarYear, Region

from .models import Case, Level, Source, Status, Subcategory
from .workflow import RUNNING


class CaseFilter(SearchFilterSet):
    search_fields = ("number__exact", "respondent__name__exact")
    town = django_filters.ModelChoiceFilter(label=_("town"), field_name="region",
                                            queryset=Region.objects.filter(kind=Region.Kind.TOWN))
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    level = django_filters.ChoiceFilter(choices=Level.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    subcategory = django_filters.ChoiceFilter(choices=Subcategory.choices)
    is_collective = django_filters.BooleanFilter()
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="filter_overdue")
    deadline_provisional = django_filters.BooleanFilter(label=_("provisional deadline"), method="filter_provisional")
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("received from"))
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("received until"))
    mine = django_filters.BooleanFilter(label=_("assigned to me"), method="filter_mine")
    # The court liaison's queue: applied for judicial confirmation, no ruling recorded yet.
    awaiting_confirmation = django_filters.BooleanFilter(label=_("awaiting confirmation"), method="filter_awaiting")

    class Meta:
        model = Case
        fields = ["q", "town", "status", "level", "source", "subcategory", "is_collective", "overdue",
                  "deadline_provisional", "mine", "awaiting_confirmation"]

    def filter_overdue(self, qs, name, value):
        late = Q(status__in=RUNNING, deadline__lt=timezone.localdate())
        return qs.filter(late) if value else qs.exclude(late) if value is False else qs

    def filter_provisional(self, qs, name, value):
        # Computed like the mark (core/workdays.py): a deadline in a year with no loaded schedule.
        if value is None:
            return qs
        provisional = Q(deadline__isnull=False) & ~Q(deadline__year__in=CalendarYear.objects.values("year"))
        return qs.filter(provisional) if value else qs.exclude(provisional)

    def filter_awaiting(self, qs, name, value):
        awaiting = Q(status=Status.AGREEMENT, confirmation_requested_on__isnull=False, confirmation_result="")
        return qs.filter(awaiting) if value else qs.exclude(awaiting) if value is False else qs

    def filter_mine(self, qs, name, value):
        if value and self.request is not None:
            return qs.filter(mediator=self.request.user)
        return qs
