import django_filters
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        model = ChangeLogEntry
        fields = ["q", "action", "content_type", "timestamp"]


class AccessLogFilter(SearchFilterSet):
    search_fields = ("object_repr", "request_id")

    class Meta:
        model = AccessLog
        fields = ["q", "field"]


class EventFilter(SearchFilterSet):
    search_fields = ("object_repr", "verb", "summary")

    class Meta:
        model = Event
        fields = ["q", "verb"]
