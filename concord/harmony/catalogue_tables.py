"""Tables of the veto, county-review and survey lists (pages and exports)."""
import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concord.core.tables import ConcordTable

from . import selectors
from .models import CountyReview, Survey, VetoEvent


class VetoEventTable(ConcordTable):
    occurred_on = tables.DateColumn(format="Y-m-d", linkify=lambda record: reverse("harmony:vetoevent_detail", args=[record.pk]))
    enterprise = tables.Column(order_by=("enterprise__name",), linkify=lambda record: record.enterprise.get_absolute_url())
    credit_code = tables.Column(verbose_name=_("credit code"), accessor="enterprise__credit_code", orderable=False)
    region = tables.Column(verbose_name=_("town"), orderable=False)
    item = tables.Column(order_by=("item__code",))
    origin = tables.Column(verbose_name=_("origin"), accessor="key", orderable=False, empty_values=())
    description = tables.Column(orderable=False)

    class Meta(ConcordTable.Meta):
        model = VetoEvent
        fields = ("occurred_on", "enterprise", "credit_code", "region", "item", "origin", "description")

    def render_origin(self, record):
        return _("Detected") if record.key else _("Recorded by hand")

    def render_description(self, record):
        # Scoped once for the rows shown (the page, or every row of an export).
        if getattr(self, "_scoped", None) is None:
            page = getattr(self, "page", None)
            rows = [getattr(r, "record", r) for r in (page.object_list if page is not None else self.data)]
            selectors.scope_veto_descriptions(rows, self.request.user)
            self._scoped = {r.pk: r.description for r in rows}
        return self._scoped.get(record.pk, record.description)

    def value_description(self, record):
        return self.render_description(record)

    def value_origin(self, record):
        return self.render_origin(record)


class ReviewTable(ConcordTable):
    opened_on = tables.DateColumn(format="Y-m-d", linkify=lambda record: reverse("harmony:countyreview_detail", args=[record.pk]))
    certification = tables.Column(verbose_name=_("certificate number"), accessor="certification__number", orderable=False)
    enterprise = tables.Column(verbose_name=_("enterprise"), accessor="certification__enterprise__name", orderable=False)
    region = tables.Column(verbose_name=_("town"), accessor="certification__region__name", orderable=False)
    tier = tables.Column(verbose_name=_("tier"), accessor="certification__tier__name", orderable=False)
    veto = tables.Column(verbose_name=_("veto item"), accessor="veto_event__item__text", orderable=False)
    closed_on = tables.DateColumn(format="Y-m-d")
    decision = tables.Column(empty_values=())

    class Meta(ConcordTable.Meta):
        model = CountyReview
        fields = ("opened_on", "certification", "enterprise", "region", "tier", "veto", "decision", "closed_on")
        row_attrs = {"class": lambda record: "" if record.closed_on else "table-warning review-open"}

    def render_decision(self, record, value):
        if not record.closed_on:
            return format_html('<span class="badge text-bg-warning">{}</span>', _("To decide"))
        return record.get_decision_display()

    def value_decision(self, record, value):
        return record.get_decision_display() if record.closed_on else _("To decide")


class SurveyTable(ConcordTable):
    enterprise = tables.Column(order_by=("enterprise__name",),
                               linkify=lambda record: reverse("harmony:survey_detail", args=[record.pk]))
    region = tables.Column(verbose_name=_("town"), orderable=False)
    opens_on = tables.DateColumn(format="Y-m-d")
    closes_on = tables.DateColumn(format="Y-m-d")
    responses = tables.Column()
    min_responses = tables.Column()
    answer = tables.Column(verbose_name=_("worker's page"), accessor="pk", orderable=False, attrs={"export": False},
                           linkify=lambda record: reverse("harmony:survey_answer", args=[record.pk]))

    class Meta(ConcordTable.Meta):
        model = Survey
        fields = ("enterprise", "region", "opens_on", "closes_on", "responses", "min_responses", "answer")

    def render_answer(self):
        return _("Open")


class WorkerSurveyTable(ConcordTable):
    """A worker's view: the surveys of their enterprise, to answer."""

    enterprise = tables.Column(orderable=False)
    opens_on = tables.DateColumn(format="Y-m-d")
    closes_on = tables.DateColumn(format="Y-m-d")
    answer = tables.Column(verbose_name="", accessor="pk", orderable=False,
                           linkify=lambda record: reverse("harmony:survey_answer", args=[record.pk]))

    class Meta(ConcordTable.Meta):
        model = Survey
        fields = ("enterprise", "opens_on", "closes_on", "answer")

    def render_answer(self):
        return _("Answer the survey")
