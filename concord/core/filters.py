import django_filters
from django.core import validators
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field

# The widest integer any supported database stores (a signed 64-bit column): a value past it
# cannot be sent in a query at all (SQLite raises OverflowError, PostgreSQL a DataError).
INT64 = (-(2**63), 2**63 - 1)
_INTEGER_TYPES = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                  "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField"}
_NUMERIC_TYPES = {"DecimalField", "FloatField"}


def _column_range(model_field):
    """(min, max) of the integer column a filter compares with, following relations to the key
    they point at; None for a column that is not an integer (decimal amounts, text)."""
    target = model_field
    for _hop in range(5):
        nxt = getattr(target, "target_field", None) if getattr(target, "is_relation", False) else None
        if nxt is None or nxt is target:
            break
        target = nxt
    try:
        internal = target.get_internal_type()
    except AttributeError:
        return INT64
    if internal in _INTEGER_TYPES:
        low, high = connection.ops.integer_field_range(internal)
        return (INT64[0] if low is None else low, INT64[1] if high is None else high)
    return None if internal in _NUMERIC_TYPES else INT64


def _in_range(value, bounds) -> bool:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True  # not an integer at all: the field's own validation refuses it
    return bounds[0] <= number <= bounds[1]


class BoundedModelChoiceField(filter_fields.ModelChoiceField):
    """A record chosen by id: an id no database column can hold is "not one of the choices",
    refused before it reaches a query."""

    def to_python(self, value):
        if value not in self.empty_values and not _in_range(value, INT64):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(filter_fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value or ():
            if not _in_range(item, INT64):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item})
        return super()._check_values(value)


def bound_filters(filterset):
    """Make every numeric and record-choice filter of ``filterset`` refuse values that no column
    can hold (``?enterprise=9223372036854775808``, ``?round=-9223372036854775809``): the form then
    says the value is invalid (a 400 on the API, an empty list on the pages) instead of the query
    failing with a server error. Applied to every filter set the pages and the API build."""
    model = getattr(filterset._meta, "model", None)
    for flt in filterset.filters.values():
        if getattr(flt, "_concord_bounded", False):
            continue
        flt._concord_bounded = True
        if isinstance(flt, django_filters.ModelMultipleChoiceFilter):
            flt.field_class = BoundedModelMultipleChoiceField
        elif isinstance(flt, django_filters.ModelChoiceFilter):
            flt.field_class = BoundedModelChoiceField
        elif isinstance(flt, django_filters.NumberFilter):
            bounds = INT64
            if model is not None and flt.field_name and not flt.method:
                try:
                    model_field = get_model_field(model, flt.field_name)
                except FieldDoesNotExist:
                    model_field = None
                if model_field is not None:
                    bounds = _column_range(model_field)
            if bounds is not None:
                flt.extra["validators"] = [*flt.extra.get("validators", ()), validators.MinValueValidator(bounds[0]),
                                           validators.MaxValueValidator(bounds[1])]
    return filterset


class BoundedFilterBackend(DjangoFilterBackend):
    """django-filter's API backend with ``bound_filters`` applied to the filter set it builds."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        return bound_filters(filterset) if filterset is not None else None


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
            # A form field built earlier on the class's filter (the API schema reads them) was copied
            # with it and would ignore the changes below: build it again from them.
            flt.__dict__.pop("_field", None)
            empty_choice_reads_all(flt)
            if isinstance(flt, django_filters.BooleanFilter) and "widget" not in flt.extra:
                flt.extra["widget"] = AnyYesNo
            declared = getattr(flt, "queryset", None)
            if declared is not None and not callable(declared) and hasattr(declared.model, "scope"):
                # Keep the filter's own narrowing (e.g. towns only) and add the scope on top.
                flt.queryset = lambda req, qs=declared: qs.visible_to(req.user)
        bound_filters(self)


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
