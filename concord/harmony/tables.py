"""Tables of the creation round's pages (list pages and exports)."""
import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concord.core.tables import ConcordTable

from .models import Certification, Evaluation, Round


def _status_badge(record, value):
    return format_html('<span class="badge text-bg-light border status-{}">{}</span>', record.status, value)


class RoundTable(ConcordTable):
    name = tables.Column(linkify=True)
    standard = tables.Column(orderable=False)
    opens_on = tables.DateColumn(format="Y-m-d")
    self_assessment_due = tables.DateColumn(format="Y-m-d")
    review_due = tables.DateColumn(format="Y-m-d")
    approval_due = tables.DateColumn(format="Y-m-d")
    applications = tables.Column(verbose_name=_("applications"), orderable=False)
    is_open = tables.BooleanColumn()

    class Meta(ConcordTable.Meta):
        model = Round
        fields = ("year", "name", "standard", "opens_on", "self_assessment_due", "review_due", "approval_due",
                  "applications", "is_open")


class EvaluationTable(ConcordTable):
    enterprise = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("enterprise__name",))
    round = tables.Column(accessor="round__year", verbose_name=_("round"))
    region = tables.Column(verbose_name=_("town"), orderable=False)
    enterprise_class = tables.Column(orderable=False)
    tier = tables.Column(orderable=False)
    score = tables.Column(verbose_name=_("score"), accessor="self_score", order_by=("review_score", "self_score"))
    submitted_on = tables.DateColumn(format="Y-m-d")
    publicity_until = tables.DateColumn(format="Y-m-d")

    class Meta(ConcordTable.Meta):
        model = Evaluation
        fields = ("enterprise", "round", "region", "enterprise_class", "head_count", "tier", "status", "score",
                  "submitted_on", "publicity_until")

    def render_status(self, record, value):
        return _status_badge(record, value)

    def render_score(self, record):
        return record.score if record.score is not None else "—"

    def value_score(self, record):
        return record.score

    def value_status(self, record, value):
        return value


class CertificationTable(ConcordTable):
    number = tables.Column(linkify=True)
    enterprise = tables.Column(order_by=("enterprise__name",))
    region = tables.Column(verbose_name=_("town"), orderable=False)
    tier = tables.Column(order_by=("tier__rank",))
    certified_on = tables.DateColumn(format="Y-m-d")
    valid_until = tables.DateColumn(format="Y-m-d")
    next_recheck_on = tables.DateColumn(format="Y-m-d")

    class Meta(ConcordTable.Meta):
        model = Certification
        fields = ("number", "enterprise", "region", "tier", "certified_on", "valid_until", "next_recheck_on", "status")
        row_attrs = {"class": lambda record: "table-warning" if record.status == "suspended" else ""}

    def render_status(self, record, value):
        return _status_badge(record, value)

    def value_status(self, record, value):
        return value
