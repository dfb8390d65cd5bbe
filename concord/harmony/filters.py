import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from concord.core.filters import SearchFilterSet
from concord.core.models import Region

from .models import (
    Certification, CertificationStatus, EnterpriseClass, Evaluation, EvaluationStatus, Objection, Round, Tier,
)


def open_objections_q():
    """Evaluations with an objection not yet answered (the county must answer before certifying)."""
    return Exists(Objection.objects.filter(evaluation=OuterRef("pk"), answered_on__isnull=True))


class RoundFilter(SearchFilterSet):
    search_fields = ("name",)
    is_open = django_filters.BooleanFilter()

    class Meta:
        model = Round
        fields = ["q", "is_open"]


class EvaluationFilter(SearchFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code__exact")
    round = django_filters.ModelChoiceFilter(queryset=Round.objects.all())
    town = django_filters.ModelChoiceFilter(label=_("town"), field_name="region",
                                            queryset=Region.objects.filter(kind=Region.Kind.TOWN))
    status = django_filters.ChoiceFilter(choices=EvaluationStatus.choices)
    tier = django_filters.ModelChoiceFilter(queryset=Tier.objects.all())
    enterprise_class = django_filters.ModelChoiceFilter(queryset=EnterpriseClass.objects.select_related("standard"))
    open_objections = django_filters.BooleanFilter(label=_("objection to answer"), method="filter_open_objections")

    class Meta:
        model = Evaluation
        fields = ["q", "round", "town", "status", "tier", "enterprise_class", "open_objections"]

    def filter_open_objections(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(open_objections_q()) if value else qs.exclude(open_objections_q())


class RoundEvaluationFilter(EvaluationFilter):
    """The round page's list: the round is the page's."""

    class Meta(EvaluationFilter.Meta):
        fields = ["q", "town", "status", "tier", "enterprise_class", "open_objections"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("round", None)


class CertificationFilter(SearchFilterSet):
    search_fields = ("number__exact", "enterprise__name", "enterprise__credit_code__exact")
    town = django_filters.ModelChoiceFilter(label=_("town"), field_name="region",
                                            queryset=Region.objects.filter(kind=Region.Kind.TOWN))
    tier = django_filters.ModelChoiceFilter(queryset=Tier.objects.all())
    status = django_filters.ChoiceFilter(choices=CertificationStatus.choices)
    valid_on = django_filters.DateFilter(label=_("valid on"), method="filter_valid_on")

    class Meta:
        model = Certification
        fields = ["q", "town", "tier", "status"]

    def filter_valid_on(self, qs, name, value):
        return qs.filter(certified_on__lte=value, valid_until__gte=value) if value else qs
