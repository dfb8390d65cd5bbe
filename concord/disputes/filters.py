import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.filters import SearchFilterSet
from concord.core.models import CalendarYear, Region

from . import rules, selectors
from .models import Case, Claimant, Level, Source, Status, Subcategory
from .workflow import RUNNING

SEARCH_LABEL = _("Case number, applicant, enterprise or court case number")


def court_number_normalised(field: str = "court_case_number"):
    """The court's case number with every bracket form written ``(`` / ``)``, as ``rules.search_text``
    writes the search box entry (the court and the demo write full-width brackets, people type
    either)."""
    expr = field
    for chars, plain in ((rules.OPEN_BRACKETS, "("), (rules.CLOSE_BRACKETS, ")")):
        for char in chars:
            expr = Replace(expr, Value(char), Value(plain))
    return expr


def case_search_q(text: str) -> Q | None:
    """Cases whose number, a claimant's name, the respondent's name or the court's case number
    contains ``text`` (None for an empty entry). A scan of the town's or county's cases, which the
    list counts anyway (docs/disputes.md, "Search")."""
    value = rules.search_text(text)
    if not value:
        return None
    claimant = Claimant.objects.filter(case=OuterRef("pk"), name__icontains=value)
    return (Q(number__icontains=value) | Q(respondent__name__icontains=value) | Exists(claimant)
            | Q(court_number_plain__contains=value))


class CaseFilter(SearchFilterSet):
    q = django_filters.CharFilter(
        method="search", label=SEARCH_LABEL,
        widget=forms.TextInput(attrs={"placeholder": SEARCH_LABEL, "title": SEARCH_LABEL}),
        help_text=_("Any part of the case number, an applicant's or the enterprise's name, or the court's case number."),
    )
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
    awaiting_confirmation = django_filters.BooleanFilter(label=_("awaiting confirmation"), method="filter_awaiting_confirmation")
    # The home page's links (concord/disputes/attention.py): the same conditions as its counts.
    awaiting = django_filters.ChoiceFilter(label=_("waiting for"), choices=[("me", _("me"))], empty_label=_("All"),
                                           method="filter_awaiting")
    deadline_near = django_filters.BooleanFilter(label=_("deadline within 3 days"), method="filter_deadline_near")

    class Meta:
        model = Case
        fields = ["q", "town", "status", "level", "source", "subcategory", "is_collective", "overdue",
                  "deadline_provisional", "mine", "awaiting", "deadline_near", "awaiting_confirmation"]

    def search(self, queryset, name, value):
        query = case_search_q(value)
        if query is None:
            return queryset
        return queryset.annotate(court_number_plain=court_number_normalised()).filter(query)

    def filter_overdue(self, qs, name, value):
        late = Q(status__in=RUNNING, deadline__lt=timezone.localdate())
        return qs.filter(late) if value else qs.exclude(late) if value is False else qs

    def filter_provisional(self, qs, name, value):
        # Computed like the mark (core/workdays.py): a deadline in a year with no loaded schedule.
        if value is None:
            return qs
        provisional = Q(deadline__isnull=False) & ~Q(deadline__year__in=CalendarYear.objects.values("year"))
        return qs.filter(provisional) if value else qs.exclude(provisional)

    def filter_awaiting_confirmation(self, qs, name, value):
        awaiting = selectors.confirmation_pending_q()
        return qs.filter(awaiting) if value else qs.exclude(awaiting) if value is False else qs

    def filter_awaiting(self, qs, name, value):
        if value == "me" and self.request is not None:
            return qs.filter(selectors.awaiting_q(self.request.user))
        return qs

    def filter_deadline_near(self, qs, name, value):
        near = selectors.deadline_near_q(timezone.localdate())
        return qs.filter(near) if value else qs.exclude(near) if value is False else qs

    def filter_mine(self, qs, name, value):
        if value and self.request is not None:
            return qs.filter(mediator=self.request.user)
        return qs
