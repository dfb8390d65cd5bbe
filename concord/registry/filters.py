import django_filters
from django.utils.translation import gettext_lazy as _

from concord.core.filters import SearchFilterSet
from concord.core.models import Region

from .models import Employment, Enterprise, Worker


class EnterpriseFilter(SearchFilterSet):
    search_fields = ("name", "credit_code")
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.filter(kind__in=["town", "community"]), label=_("town"))

    class Meta:
        model = Enterprise
        fields = ["q", "region", "has_union"]


class WorkerFilter(SearchFilterSet):
    # ID numbers and phones match exactly: a partial match would let anyone probe personal data.
    search_fields = ("name", "id_number__exact", "phone__exact")

    class Meta:
        model = Worker
        fields = ["q", "sex", "is_migrant"]


class EmploymentFilter(SearchFilterSet):
    search_fields = ("worker__name", "enterprise__name", "position")
    current = django_filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label=_("current"))

    class Meta:
        model = Employment
        fields = ["q", "enterprise", "current"]
