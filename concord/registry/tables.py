import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from concord.core.tables import ConcordTable, MaskedColumn

from .models import Employment, Enterprise, Worker


class EnterpriseTable(ConcordTable):
    name = tables.Column(linkify=True)

    class Meta(ConcordTable.Meta):
        model = Enterprise
        fields = ("credit_code", "name", "region", "address", "has_union")


class WorkerTable(ConcordTable):
    name = tables.Column(linkify=True)
    id_number = MaskedColumn("id_number")
    phone = MaskedColumn("phone")

    class Meta(ConcordTable.Meta):
        model = Worker
        fields = ("name", "id_number", "phone", "sex", "birth_date", "is_migrant")


class EmploymentTable(ConcordTable):
    worker = tables.Column(linkify=True)
    enterprise = tables.Column(linkify=True)
    detail = tables.Column(linkify=True, accessor="pk", verbose_name=_("record"), orderable=False)

    class Meta(ConcordTable.Meta):
        model = Employment
        fields = ("worker", "enterprise", "position", "start_date", "end_date", "detail")

    def render_detail(self, value):
        return _("Open")

    def value_detail(self, value):
        return value
