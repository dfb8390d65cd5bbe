"""Tables of the early-warning pages (lists and their exports)."""
import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from concord.core.tables import ConcordTable

from . import selectors
from .models import Alert, AlertStatus, EnterpriseRisk, RiskSignal

class AlertsTable(ConcordTable):
    class Meta(ConcordTable.Meta):
        template_name = "alerts/partials/table.html"


# Bootstrap has no orange badge: the orange level uses the theme's orange colour.
BADGE = {"red": "text-bg-danger", "orange": "text-bg-warning", "yellow": "text-bg-warning",
         "blue": "text-bg-primary", "": "text-bg-light border"}


ORANGE_STYLE = mark_safe(' style="background-color: var(--bs-orange) !important; color: #fff !important"')


def level_badge(level, label=None):
    """The level as a coloured badge (the same as the templates' alerts/partials/level.html)."""
    return format_html('<span class="badge {} level-{}"{}>{}</span>', BADGE.get(level or "", BADGE[""]), level or "none",
                       ORANGE_STYLE if level == "orange" else "", label if label is not None else selectors.level_label(level))


def risk_level(record):
    risk = getattr(record, "risk", None)
    return risk.level if risk is not None else ""


class DayColumn(tables.Column):
    """A date as YYYY-MM-DD, rendered in Python: tables2's DateColumn renders a template per cell,
    which costs a list page about a millisecond per row."""

    def render(self, value):
        return value.strftime("%Y-%m-%d")

    def value(self, value):
        return value.strftime("%Y-%m-%d") if value else ""


def is_overdue(alert, today=None):
    return alert.status == AlertStatus.OPEN and alert.deadline < (today or timezone.localdate())


class AlertTable(AlertsTable):
    number = tables.Column(linkify=True)
    level = tables.Column()
    enterprise = tables.Column(orderable=False, linkify=lambda record: reverse("alerts:enterprise_risk", args=[record.enterprise_id]))
    region = tables.Column(verbose_name=_("town"), orderable=False)
    reason = tables.Column(orderable=False)
    raised_on = DayColumn()
    deadline = DayColumn()
    county_assigned = tables.BooleanColumn()
    first_response_on = DayColumn()

    class Meta(AlertsTable.Meta):
        model = Alert
        # The deadline early: on a phone the first columns are what shows.
        fields = ("number", "level", "deadline", "enterprise", "status", "reason", "region", "raised_on",
                  "first_response_on", "county_assigned", "score")
        row_attrs = {"class": lambda record: "table-danger alert-overdue" if is_overdue(record) else "",
                     "data-level": lambda record: record.level}

    def render_level(self, record, value):
        return level_badge(record.level, value)

    def value_level(self, record, value):
        return value

    def render_deadline(self, record, value):
        if is_overdue(record):
            return format_html('<strong class="text-danger">{}</strong> <span class="badge text-bg-danger">{}</span>',
                               value.strftime("%Y-%m-%d"), _("Overdue"))
        return value.strftime("%Y-%m-%d")

    def value_deadline(self, record, value):
        return value.strftime("%Y-%m-%d")

    def render_status(self, record, value):
        return format_html('<span class="badge text-bg-light border status-{}">{}</span>', record.status, value)

    def value_status(self, record, value):
        return value


class RiskTable(AlertsTable):
    enterprise = tables.Column(orderable=False, linkify=lambda record: record.enterprise.get_absolute_url())
    credit_code = tables.Column(verbose_name=_("credit code"), accessor="enterprise__credit_code", orderable=False)
    region = tables.Column(verbose_name=_("town"), orderable=False)
    level = tables.Column(order_by=("rank", "score"))
    score = tables.Column()
    level_since = DayColumn()
    assessed_on = DayColumn()
    open_alert_number = tables.Column(verbose_name=_("open alert"), orderable=False,
                                      linkify=lambda record: record.open_alert and reverse("alerts:alert_detail", args=[record.open_alert]))
    risk = tables.Column(verbose_name=_("risk page"), accessor="enterprise_id", orderable=False, attrs={"export": False},
                         linkify=lambda record: reverse("alerts:enterprise_risk", args=[record.enterprise_id]))

    class Meta(AlertsTable.Meta):
        model = EnterpriseRisk
        fields = ("enterprise", "credit_code", "region", "level", "score", "level_since", "assessed_on", "open_alert_number")
        sequence = ("enterprise", "credit_code", "region", "level", "score", "level_since", "assessed_on",
                    "open_alert_number", "risk")

    def render_level(self, record, value):
        return level_badge(record.level, value)

    def value_level(self, record, value):
        return value

    def render_risk(self, record):
        return _("Explanation")


class WatchTable(AlertsTable):
    name = tables.Column(verbose_name=_("enterprise"), linkify=True, orderable=False)
    region = tables.Column(verbose_name=_("town"), orderable=False)
    is_key_enterprise = tables.BooleanColumn(verbose_name=_("key enterprise"), orderable=False)
    level = tables.Column(verbose_name=_("risk level"), accessor="risk__level", order_by=("rank", "risk__score"))
    score = tables.Column(verbose_name=_("score"), accessor="risk__score", default=0, order_by=("risk__score",))
    open_alert_number = tables.Column(verbose_name=_("open alert"), orderable=False,
                                      linkify=lambda record: record.open_alert and reverse("alerts:alert_detail", args=[record.open_alert]))
    last_signal_kind = tables.Column(verbose_name=_("last signal"), orderable=False)
    last_signal_on = DayColumn(verbose_name=_("last signal on"), orderable=False)
    risk = tables.Column(verbose_name=_("risk page"), accessor="pk", orderable=False, attrs={"export": False},
                         linkify=lambda record: reverse("alerts:enterprise_risk", args=[record.pk]))

    class Meta(AlertsTable.Meta):
        fields = ()
        empty_text = _("No key enterprise and none at orange or red.")

    def render_level(self, record):
        return level_badge(risk_level(record))

    def value_level(self, record):
        return selectors.level_label(risk_level(record))

    def render_last_signal_kind(self, value):
        return selectors.kind_label(value)

    def value_last_signal_kind(self, value):
        return selectors.kind_label(value)

    def render_risk(self, record):
        return _("Explanation")


class SignalTable(AlertsTable):
    observed_on = DayColumn()
    enterprise = tables.Column(orderable=False, linkify=lambda record: reverse("alerts:enterprise_risk", args=[record.enterprise_id]))
    region = tables.Column(verbose_name=_("town"), orderable=False)
    value = tables.Column()
    expires_on = DayColumn()
    active = tables.BooleanColumn(verbose_name=_("active"), accessor="pk", orderable=False)

    class Meta(AlertsTable.Meta):
        model = RiskSignal
        fields = ("observed_on", "enterprise", "region", "kind", "value", "amount", "workers_affected", "source",
                  "evidence", "expires_on", "active")

    def render_value(self, record, value):
        return selectors.describe(record)

    def value_value(self, record, value):
        return value

    def render_evidence(self, value):
        return Truncator(value).chars(40)

    def value_evidence(self, value):
        return value

    def render_active(self, record):
        return _("Yes") if is_active(record) else _("No")

    def value_active(self, record):
        return self.render_active(record)


def is_active(signal, today=None):
    today = today or timezone.localdate()
    return signal.observed_on <= today <= signal.expires_on
