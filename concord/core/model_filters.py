import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .audit import CHANGE_ACTION_LABEL, audited_content_types
from .filters import SearchFilterSet
from .models import AccessLog, ChangeLogEntry, Event, Region, RoleAssignment, User
from .scope import Role


class RegionFilter(SearchFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = Region
        fields = ["q", "kind", "parent"]


class UserFilter(SearchFilterSet):
    search_fields = ("username", "name")
    role = django_filters.ChoiceFilter(field_name="role_assignments__role", choices=Role.choices, label=_("role"), distinct=True)

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]


class RoleAssignmentFilter(SearchFilterSet):
    search_fields = ("user__username", "user__name")

    class Meta:
        model = RoleAssignment
        fields = ["q", "role", "region", "is_active"]


class ChangeLogFilter(SearchFilterSet):
    search_fields = ("object_repr", "cid")
    timestamp = django_filters.DateFromToRangeFilter(label=_("date"))
    action = django_filters.ChoiceFilter(choices=ChangeLogEntry.Action.choices, label=CHANGE_ACTION_LABEL)
    content_type = django_filters.ChoiceFilter(choices=audited_content_types, label=_("type"))

    class Meta:
        model = ChangeLogEntry
        fields = ["q", "action", "content_type", "timestamp"]


def personal_field_choices():
    """(field name, its label) of every personal field of every model: the access log's ``field``
    holds the names, people choose by the label (身份证号, 手机号码)."""
    from django.apps import apps

    labels = {}
    for model in apps.get_models():
        for name in getattr(model, "personal_fields", {}):
            labels.setdefault(name, model._meta.get_field(name).verbose_name)
    return sorted(labels.items(), key=lambda item: str(item[1]))


def purpose_label(purpose: str):
    if purpose.startswith("export:"):
        return _("export (%(format)s)") % {"format": purpose.split(":", 1)[1].upper()}
    return dict(PURPOSES).get(purpose.split(":", 1)[0], purpose)


PURPOSES = [
    ("view", _("shown on a page")),
    ("edit", _("shown in an edit form")),
    ("export", _("export with full personal data")),
    ("search", _("exact search")),
    ("search_refused", _("exact search refused")),
    ("document", _("printed in a document")),
]


class AccessLogFilter(SearchFilterSet):
    search_fields = ("object_repr", "request_id")
    field = django_filters.ChoiceFilter(choices=personal_field_choices, method="filter_field", label=_("field"))
    purpose = django_filters.ChoiceFilter(choices=PURPOSES, method="filter_purpose", label=_("purpose"))
    created_at = django_filters.DateFromToRangeFilter(label=_("date"))

    class Meta:
        model = AccessLog
        fields = ["q", "field", "purpose", "created_at"]

    def filter_field(self, queryset, name, value):
        # An export names all the list's personal fields: "id_number,phone".
        return queryset.filter(
            Q(field=value) | Q(field__startswith=f"{value},") | Q(field__endswith=f",{value}") | Q(field__contains=f",{value},")
        )

    def filter_purpose(self, queryset, name, value):
        # Exports and documents carry a suffix: "export:csv", "document:acceptance_notice".
        return queryset.filter(Q(purpose=value) | Q(purpose__startswith=f"{value}:"))


class EventFilter(SearchFilterSet):
    search_fields = ("object_repr", "verb", "summary")

    class Meta:
        model = Event
        fields = ["q", "verb"]
