import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AccessLog, CalendarDay, CalendarYear, ChangeLogEntry, Event, JobRun, Region, RoleAssignment, User
from .tables import ConcordTable, MaskedColumn


class RegionTable(ConcordTable):
    name = tables.Column(linkify=True)

    class Meta(ConcordTable.Meta):
        model = Region
        fields = ("code", "name", "kind", "parent")


class UserTable(ConcordTable):
    username = tables.Column(linkify=True)
    phone = MaskedColumn("phone")
    roles = tables.Column(verbose_name=_("roles"), empty_values=(), orderable=False)

    class Meta(ConcordTable.Meta):
        model = User
        fields = ("username", "name", "phone", "is_active", "last_login")

    def render_roles(self, record):
        return "; ".join(str(a) for a in record.role_assignments.all())

    def value_roles(self, record):
        return self.render_roles(record)


class RoleAssignmentTable(ConcordTable):
    user = tables.Column(linkify=True)

    class Meta(ConcordTable.Meta):
        model = RoleAssignment
        fields = ("user", "role", "region", "enterprise", "is_active", "created_at")


class ChangeLogTable(ConcordTable):
    timestamp = tables.DateTimeColumn(linkify=True, format="Y-m-d H:i:s")
    object = tables.Column(accessor="object_repr", verbose_name=_("object"))
    model = tables.Column(accessor="content_type", verbose_name=_("type"), orderable=False)
    changed = tables.Column(verbose_name=_("fields"), empty_values=(), orderable=False)
    action = tables.Column(verbose_name=audit.CHANGE_ACTION_LABEL)

    class Meta(ConcordTable.Meta):
        model = ChangeLogEntry
        fields = ("timestamp", "actor", "action", "model", "object", "changed", "cid", "remote_addr")

    def render_model(self, value):
        return audit.model_label(value)

    def render_changed(self, record):
        return audit.changed_fields(record)

    def value_changed(self, record):
        return self.render_changed(record)


class AccessLogTable(ConcordTable):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i:s")
    content_type = tables.Column(verbose_name=_("type"), orderable=False)
    object_repr = tables.Column(verbose_name=_("record or list"))
    filters = tables.Column(verbose_name=_("filters"), empty_values=(), orderable=False)

    class Meta(ConcordTable.Meta):
        model = AccessLog
        fields = ("created_at", "actor", "purpose", "content_type", "object_repr", "field", "filters", "count",
                  "request_id", "remote_addr")

    def render_content_type(self, value):
        return value.model_class()._meta.verbose_name if value and value.model_class() else value

    def render_field(self, value):
        from .model_filters import personal_field_choices

        labels = dict(personal_field_choices())
        return "、".join(str(labels.get(name, name)) for name in value.split(",") if name)

    def render_purpose(self, value):
        from .model_filters import purpose_label

        return purpose_label(value)

    def render_filters(self, record):
        return "; ".join(f"{k}={v}" for k, v in (record.filters or {}).items()) or "—"

    def value_content_type(self, value):
        return self.render_content_type(value)

    def value_field(self, value):
        return self.render_field(value)

    def value_purpose(self, value):
        return self.render_purpose(value)

    def value_filters(self, record):
        return self.render_filters(record)


class EventTable(ConcordTable):
    class Meta(ConcordTable.Meta):
        model = Event
        fields = ("created_at", "actor", "verb", "object_repr", "summary", "request_id")


class JobRunTable(ConcordTable):
    class Meta(ConcordTable.Meta):
        model = JobRun
        fields = ("name", "status", "last_started", "last_finished", "runs", "detail")


class CalendarYearTable(ConcordTable):
    year = tables.Column(linkify=True)

    class Meta(ConcordTable.Meta):
        model = CalendarYear
        fields = ("year", "source")

    def render_source(self, record):
        return record.source_label

    def value_source(self, record):
        return record.source


class CalendarDayTable(ConcordTable):
    date = tables.Column(linkify=True)

    class Meta(ConcordTable.Meta):
        model = CalendarDay
        fields = ("date", "kind", "name")
