import django_filters
from django.utils.translation import gettext_lazy as _


class AnyYesNo(django_filters.widgets.BooleanWidget):
    """A yes/no filter whose empty choice reads "all" (django's NullBooleanSelect says "Unknown",
    which users read as "records where this is not known")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))


def empty_choice_reads_all(flt) -> None:
    """The empty choice of a filter's drop-down reads "All" (全部), not django-filter's "---------":
    choosing it means "do not filter by this". A label a filter sets itself is kept."""
    from django_filters.conf import settings as filter_settings

    dash = filter_settings.EMPTY_CHOICE_LABEL
    if isinstance(flt, django_filters.ChoiceFilter) and flt.extra.get("empty_label", dash) == dash:
        flt.extra["empty_label"] = _("All")


class ScopedFilterSet(django_filters.FilterSet):
    """Every choice list in a filter offers only rows the user may see (the scope mechanism)."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        for flt in self.filters.values():
            empty_choice_reads_all(flt)
            if isinstance(flt, django_filters.BooleanFilter) and "widget" not in flt.extra:
                flt.extra["widget"] = AnyYesNo
            declared = getattr(flt, "queryset", None)
            if declared is not None and not callable(declared) and hasattr(declared.model, "scope"):
                # Keep the filter's own narrowing (e.g. towns only) and add the scope on top.
                flt.queryset = lambda req, qs=declared: qs.visible_to(req.user)


class ExactLookupMixin:
    """For a list filter that searches by a full ID number or phone: the search goes through
    ``audit.exact_lookup`` (logged and rate-limited for roles that may not reveal). A refusal is
    said as a message and matches nothing; the list's export reads ``lookup_refused``."""

    lookup_refused = False

    def exact(self, queryset, field, value, lookup=None):
        from django.contrib import messages

        from . import audit

        try:
            return audit.exact_lookup(self.request, queryset, field=field, value=value, lookup=lookup)
        except audit.LookupRefused as exc:
            self.lookup_refused = True
            if self.request is not None:
                messages.error(self.request, exc.message)
            return queryset.none()


class SearchFilterSet(ScopedFilterSet):
    """Adds a free-text ``q`` over ``search_fields``."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{field: value}) if field.endswith("__exact") else Q(**{f"{field}__icontains": value})
        return queryset.filter(query)
