import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concord.core.models import CalendarYear
from concord.core.tables import ConcordTable, amount
from concord.core.templatetags.workdays import provisional_badge

from .models import RUNNING_STATUSES, Case


def case_overdue(case, today=None) -> bool:
    """A running case (accepted, consultation, mediation) whose deadline has passed."""
    return bool(case.status in RUNNING_STATUSES and case.deadline and case.deadline < (today or timezone.localdate()))


def case_row_class(case) -> str:
    if case_overdue(case):
        return "table-danger case-overdue"
    return "table-warning" if case.is_priority and case.is_open else ""


class CaseTable(ConcordTable):
    number = tables.Column(linkify=True)
    respondent = tables.Column(orderable=False)
    region = tables.Column(verbose_name=_("town"), orderable=False)
    subcategory = tables.Column(orderable=False)
    is_collective = tables.BooleanColumn(orderable=False)
    deadline = tables.DateColumn(format="Y-m-d")
    received_on = tables.DateColumn(format="Y-m-d")

    class Meta(ConcordTable.Meta):
        model = Case
        fields = ("number", "received_on", "respondent", "region", "subcategory", "claimant_count", "is_collective",
                  "level", "status", "deadline", "amount_claimed")
        row_attrs = {"class": lambda record: case_row_class(record)}

    def render_amount_claimed(self, value):
        return amount(value)

    def value_amount_claimed(self, value):
        return value  # the export keeps the plain number

    def render_deadline(self, value):
        # A deadline in a year without a loaded holiday schedule is provisional (core/workdays.py).
        if value is None:
            return "—"
        if not hasattr(self, "_calendar_years"):
            self._calendar_years = set(CalendarYear.objects.values_list("year", flat=True))
        text = value.strftime("%Y-%m-%d")
        return text if value.year in self._calendar_years else format_html("{}{}", text, provisional_badge(value))

    def value_deadline(self, value):
        return value.strftime("%Y-%m-%d") if value else ""

    def render_status(self, record, value):
        return format_html('<span class="badge text-bg-light border status-{}">{}</span>', record.status, value)
