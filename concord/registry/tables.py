"""Tables of the registry's lists (and their exports). At county scale a list may only be sorted
by an indexed column, so most columns are not orderable."""
import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concord.core.scope import VIEW, can
from concord.core.tables import BoundedLazyPaginator, ConcordTable, MaskedColumn

from .models import Employment, Enterprise, Worker


class NoCountPaginator(BoundedLazyPaginator):
    """Pages without ``COUNT(*)``: it reads one row past the page to know whether a next page
    exists. Counting 1.2 million filtered rows to number the pages would cost more than the page."""

    counts_rows = False


class PercentColumn(tables.Column):
    def render(self, value):
        return f"{value * 100:.1f}%"

    def value(self, value):
        return round(value * 100, 1)


class EnterpriseTable(ConcordTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name=_("town"), order_by=("region__path", "name"))
    industry = tables.Column(orderable=False)
    migrant_share = PercentColumn(verbose_name=_("migrant share"), orderable=False)

    class Meta(ConcordTable.Meta):
        model = Enterprise
        fields = ("credit_code", "name", "region", "industry", "size_class", "head_count", "migrant_share",
                  "has_union", "is_key_enterprise")


class WorkerTable(ConcordTable):
    name = tables.Column(linkify=True)
    id_number = MaskedColumn("id_number", orderable=False)
    phone = MaskedColumn("phone", orderable=False)
    sex = tables.Column(orderable=False)
    # The year only, and not sortable: the order of a year's workers would tell their birth days.
    birth_date = MaskedColumn("birth_date", orderable=False)
    generation = tables.Column(verbose_name=_("generation"), accessor="get_generation_display", orderable=False)
    hukou_province = tables.Column(orderable=False)
    is_migrant = tables.BooleanColumn(orderable=False)
    education = tables.Column(orderable=False)
    current_enterprise = tables.Column(verbose_name=_("current enterprise"), accessor="current_enterprise_name",
                                       orderable=False)

    class Meta(ConcordTable.Meta):
        model = Worker
        fields = ("name", "id_number", "phone", "sex", "birth_date", "generation", "hukou_province", "is_migrant",
                  "education", "current_enterprise")


class EmploymentTable(ConcordTable):
    worker = tables.Column(linkify=True, orderable=False)
    enterprise = tables.Column(orderable=False)
    position = tables.Column(orderable=False)
    start_date = tables.DateColumn(orderable=False)
    end_date = tables.DateColumn(orderable=False)
    contract_signed = tables.BooleanColumn(orderable=False)
    contract_type = tables.Column(orderable=False)
    insured = tables.BooleanColumn(orderable=False)
    monthly_wage = tables.Column(orderable=False)
    detail = tables.Column(linkify=True, accessor="pk", verbose_name=_("record"), orderable=False)

    class Meta(ConcordTable.Meta):
        model = Employment
        fields = ("worker", "enterprise", "position", "start_date", "end_date", "contract_signed", "contract_type",
                  "insured", "monthly_wage", "detail")

    def render_detail(self, value):
        return _("Open")

    def render_enterprise(self, value):
        # Linked only for a user who may open enterprise pages: a worker sees their employer's
        # name on their own employment, and its page would answer 404 (issue 14, no dead ends).
        if not hasattr(self, "_enterprise_links"):
            request = getattr(self, "request", None)
            self._enterprise_links = request is not None and can(request.user, Enterprise, VIEW)
        if self._enterprise_links:
            return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value)
        return str(value)

    def value_detail(self, value):
        return value
