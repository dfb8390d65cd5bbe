"""Filters of the registry's list pages. Each one is written so that the database can answer it
from an index at county scale (25,000 enterprises, 1.2 million workers); see docs/registry.md."""
import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.core.filters import ExactLookupMixin, SearchFilterSet
from concord.core.models import Region

from . import codes, selectors
from .models import Employment, Enterprise, Worker


def _towns():
    return Region.objects.filter(kind=Region.Kind.TOWN)


def enterprise_lookup(value: str, path: str = "enterprise") -> dict:
    """Filter kwargs for an enterprise given by credit code, or by id (as links and the API send it)."""
    value = value.strip().upper()
    if value.isdigit() and len(value) < 18:
        return {f"{path}_id": int(value)}
    return {f"{path}__credit_code": value}


class EnterpriseKeyFilter(django_filters.CharFilter):
    """An enterprise by its unified social credit code or its id.

    A text box rather than a choice list: a county has 25,000 enterprises. It filters through a
    join on the unique credit code, so it adds no query; the list's own scope still applies."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("enterprise (credit code)"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 18, "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value or not value.strip():
            return qs
        if self.method is not None:
            return self.get_method(qs)(qs, self.field_name, value)
        return qs.filter(**enterprise_lookup(value, self.field_name))


class EnterpriseFilter(SearchFilterSet):
    # Named after the model field (links and tests use ?region=); offers towns, covers their communities.
    region = django_filters.ModelChoiceFilter(queryset=_towns(), method="filter_town", label=_("town"))
    industry = django_filters.ChoiceFilter(choices=codes.INDUSTRIES, method="filter_industry", label=_("industry"))
    size_class = django_filters.ChoiceFilter(choices=codes.SizeClass.choices, label=_("size class"))

    class Meta:
        model = Enterprise
        fields = ["q", "region", "industry", "size_class", "has_union", "has_mediation_committee",
                  "has_workers_congress", "is_key_enterprise"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(credit_code=value.upper()))

    def filter_town(self, queryset, name, region):
        # A town covers the enterprises registered in its communities too.
        return queryset.filter(region__path__startswith=region.path)

    def filter_industry(self, queryset, name, value):
        return queryset.filter(industry__in=selectors.industry_codes(value))


class WorkerFilter(ExactLookupMixin, SearchFilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("ID number, mobile or name"),
        help_text=_("A full ID number or mobile number, or any part of a name."),
        widget=forms.TextInput(attrs={"placeholder": _("Full ID number, mobile, or any part of a name")}),
    )
    town = django_filters.ModelChoiceFilter(queryset=_towns(), method="filter_town", label=_("town"))
    enterprise = EnterpriseKeyFilter(method="filter_enterprise")
    generation = django_filters.ChoiceFilter(choices=codes.Generation.choices, method="filter_generation", label=_("generation"))
    contract_signed = django_filters.BooleanFilter(method="filter_contract", label=_("labour contract signed"))
    insured = django_filters.BooleanFilter(method="filter_insured", label=_("social insurance"))

    class Meta:
        model = Worker
        fields = ["q", "town", "enterprise", "is_migrant", "generation", "education", "sex", "hukou_province",
                  "contract_signed", "insured"]

    def search(self, queryset, name, value):
        kind, compact = selectors.classify_worker_query(value)
        if kind in ("id_number", "phone"):  # an exact match answers "is this number here": logged, limited
            return self.exact(queryset, kind, compact)
        return selectors.search_workers(queryset, value)

    def filter_town(self, queryset, name, region):
        return selectors.workers_in_region(queryset, region)

    def filter_enterprise(self, queryset, name, value):
        return selectors.workers_at_enterprise(queryset, **enterprise_lookup(value))

    def filter_generation(self, queryset, name, value):
        return selectors.filter_generation(queryset, value)

    def filter_contract(self, queryset, name, value):
        return selectors.workers_with_current(queryset, contract_signed=value)

    def filter_insured(self, queryset, name, value):
        return selectors.workers_with_current(queryset, insured=value)


class EmploymentFilter(ExactLookupMixin, SearchFilterSet):
    q = django_filters.CharFilter(method="search", label=_("worker's ID number, mobile or name"))
    town = django_filters.ModelChoiceFilter(queryset=_towns(), method="filter_town", label=_("town"))
    enterprise = EnterpriseKeyFilter()
    worker = django_filters.NumberFilter(field_name="worker_id", widget=forms.HiddenInput)
    current = django_filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label=_("current"))
    contract_type = django_filters.ChoiceFilter(choices=codes.ContractType.choices, label=_("contract type"))

    class Meta:
        model = Employment
        fields = ["q", "town", "enterprise", "worker", "current", "contract_signed", "contract_type", "insured"]

    def search(self, queryset, name, value):
        kind, value = selectors.classify_worker_query(value)
        if kind in ("id_number", "phone"):
            return self.exact(queryset, kind, value, lookup=f"worker__{kind}")
        if kind == "name":
            return queryset.filter(selectors.name_search_q(value, "worker"))
        return queryset

    def filter_town(self, queryset, name, region):
        return queryset.filter(enterprise__region__path__startswith=region.path)
