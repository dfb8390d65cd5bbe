"""API filters of the registry. The same selectors as the pages, so a filter means the same thing
(and costs the same) in the browser and through the API."""
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework.exceptions import Throttled, ValidationError

from concord.core import audit

from concord.core.models import Region

from .. import codes, selectors
from ..filters import enterprise_lookup
from ..models import Employment, Enterprise, Worker

TOWN_HELP = _("Region id, or its 6-, 9- or 12-digit administrative code; a county or town covers everything under it.")
ENTERPRISE_HELP = _("Enterprise id or unified social credit code.")


class RegionKeyMixin:
    def region(self, value) -> Region:
        """The region a ``town`` value names, among those the caller may see (otherwise a 400)."""
        user = getattr(self.request, "user", None)
        region = selectors.region_from_key(value, Region.objects.visible_to(user))
        if region is None:
            raise ValidationError({"town": [_("No region with this id or code is in your scope.")]})
        return region


class EnterpriseFilter(RegionKeyMixin, filters.FilterSet):
    town = filters.CharFilter(method="filter_town", help_text=TOWN_HELP)
    industry = filters.CharFilter(
        method="filter_industry",
        help_text=_("GB/T 4754 code: a section letter (e.g. C) also matches its divisions (C17, C17D…)."),
    )

    class Meta:
        model = Enterprise
        fields = ["town", "industry", "size_class", "ownership", "has_union", "has_mediation_committee",
                  "has_workers_congress", "is_key_enterprise", "credit_code"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(region__path__startswith=self.region(value).path)

    def filter_industry(self, queryset, name, value):
        covered = selectors.industry_codes(value)
        if not covered:
            raise ValidationError({"industry": [_("Unknown industry code.")]})
        return queryset.filter(industry__in=covered)


class WorkerFilter(RegionKeyMixin, filters.FilterSet):
    town = filters.CharFilter(method="filter_town", help_text=TOWN_HELP)
    enterprise = filters.CharFilter(method="filter_enterprise", help_text=ENTERPRISE_HELP)
    generation = filters.ChoiceFilter(choices=codes.Generation.choices, method="filter_generation")
    has_contract = filters.BooleanFilter(method="filter_contract", help_text=_("The current employment has a signed labour contract."))
    insured = filters.BooleanFilter(method="filter_insured", help_text=_("The current employment is socially insured."))
    id_number = filters.CharFilter(method="filter_id_number", help_text=_("Exact ID number."))
    phone = filters.CharFilter(method="filter_phone", help_text=_("Exact mobile number."))
    name = filters.CharFilter(method="filter_name", help_text=_("Any part of the name."))

    class Meta:
        model = Worker
        fields = ["town", "enterprise", "is_migrant", "generation", "education", "sex", "hukou_province",
                  "has_contract", "insured", "id_number", "phone", "name"]

    def filter_town(self, queryset, name, value):
        return selectors.workers_in_region(queryset, self.region(value))

    def filter_enterprise(self, queryset, name, value):
        return selectors.workers_at_enterprise(queryset, **enterprise_lookup(value))

    def filter_generation(self, queryset, name, value):
        return selectors.filter_generation(queryset, value)

    def filter_contract(self, queryset, name, value):
        return selectors.workers_with_current(queryset, contract_signed=value)

    def filter_insured(self, queryset, name, value):
        return selectors.workers_with_current(queryset, insured=value)

    def filter_id_number(self, queryset, name, value):
        return self._exact(queryset, "id_number", "".join(value.split()).upper())

    def filter_phone(self, queryset, name, value):
        return self._exact(queryset, "phone", "".join(value.split()))

    def _exact(self, queryset, field, value):
        # Logged and rate-limited for roles that may not reveal (core.audit.exact_lookup): 429 past the limit.
        try:
            return audit.exact_lookup(self.request, queryset, field=field, value=value)
        except audit.LookupRefused as exc:
            raise Throttled(detail=exc.message)

    def filter_name(self, queryset, name, value):
        value = value.strip()
        return selectors.workers_named(queryset, value) if value else queryset


class EmploymentFilter(RegionKeyMixin, filters.FilterSet):
    town = filters.CharFilter(method="filter_town", help_text=TOWN_HELP)
    enterprise = filters.CharFilter(method="filter_enterprise", help_text=ENTERPRISE_HELP)
    current = filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", help_text=_("Still employed (no end date)."))

    class Meta:
        model = Employment
        fields = ["worker", "enterprise", "town", "contract_signed", "contract_type", "insured", "current"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(enterprise__region__path__startswith=self.region(value).path)

    def filter_enterprise(self, queryset, name, value):
        return queryset.filter(**enterprise_lookup(value))
