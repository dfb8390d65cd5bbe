"""The partner-department file of risk signals (kind "risk_signals").

One spec writes the template, reads the import (concord/alerts/importers.py) and writes the signal
list's export, so an export re-imports (its computed signals are refused: Concord derives those
itself). One row is one signal: an enterprise by its unified social credit code, the kind, the
date, and the figures the kind needs (months of arrears, a count of complaints or findings).
"""
from django.utils.translation import gettext as _, gettext_lazy

from concord.core import imports
from concord.core.imports import CellError, Choice, Column, Date, FileKind, FileSpec, Number, Text
from concord.registry.io import CreditCode

from . import rules
from .models import RiskSignal, SignalKind

# Kinds a partner department reports; the computed ones (layoffs, turnover, disputes) are Concord's own.
IMPORT_KINDS = [(value, label) for value, label in SignalKind.choices if value not in rules.COMPUTED_KINDS]


def _label(name):
    return RiskSignal._meta.get_field(name).verbose_name


class Figure(Number):
    """A signal's figure: a number that may be negative here, so that the plausibility rules
    (``rules.value_problem``) refuse it with the message the form and the API give."""

    def __init__(self, max_digits, decimal_places):
        super().__init__(max_digits, decimal_places, min_value=None)


class Count(Number):
    """A whole number of people."""

    def __init__(self):
        super().__init__(9, 2, min_value=None)

    def __call__(self, value):
        number = super().__call__(value)
        if number != number.to_integral_value():
            raise CellError(_("Give a whole number."))
        return int(number)

    def describe(self):
        return _("Whole number, e.g. 35.")

    def export(self, value):
        return "" if value is None else int(value)


# The short names partner departments' own lists use, besides Concord's labels and codes.
KIND_ALIASES = {
    "欠薪": rules.WAGE_ARREARS, "拖欠工资": rules.WAGE_ARREARS, "欠缴社会保险费": rules.SOCIAL_INSURANCE_ARREARS,
    "欠保": rules.SOCIAL_INSURANCE_ARREARS, "欠缴税款": rules.TAX_ARREARS, "欠费（电）": rules.POWER_ARREARS,
    "欠电费": rules.POWER_ARREARS, "欠水费": rules.WATER_ARREARS, "停产": rules.PRODUCTION_HALT,
    "半停产": rules.PRODUCTION_HALT, "老板失联": rules.OWNER_UNREACHABLE, "欠薪投诉": rules.HOTLINE_COMPLAINT,
}


class SignalKindChoice(Choice):
    """An importable kind by its code, its label (in either language) or a partner's short name;
    a computed kind gets its own message."""

    def __call__(self, value):
        code = imports._normalise(imports._as_text(value))
        aliases = {imports._normalise(k): v for k, v in KIND_ALIASES.items()}
        if code in aliases:
            return aliases[code]
        computed = {imports._normalise(k) for k in rules.COMPUTED_KINDS}
        computed |= {imports._normalise(str(label)) for k, label in SignalKind.choices if k in rules.COMPUTED_KINDS}
        if code in computed:
            raise CellError(_("This kind of signal is computed by Concord from its own data."))
        return super().__call__(value)


def _enterprise_name(signal):
    return signal.enterprise.name


def _town(signal):
    return signal.region.name


SIGNAL_FILE = FileSpec(
    "risk_signals",
    gettext_lazy("Risk signals"),
    [
        Column("enterprise_code", gettext_lazy("unified social credit code"), CreditCode(), required=True,
               get=lambda s: s.enterprise.credit_code,
               help=gettext_lazy("The enterprise, registered in your area.")),
        Column("enterprise_name", gettext_lazy("enterprise"), readonly=True, get=_enterprise_name),
        Column("kind", gettext_lazy("signal kind"), SignalKindChoice(IMPORT_KINDS), required=True),
        Column("observed_on", gettext_lazy("signal date"), Date(), required=True,
               help=gettext_lazy("The date the partner department found or reported it; not in the future.")),
        Column("value", gettext_lazy("months or count"), Figure(9, 2),
               help=gettext_lazy("Months of arrears for the arrears kinds; the number of complaints or findings for "
                                 "hotline complaints and inspection findings; empty for the other kinds.")),
        Column("amount", _label("amount"), Figure(14, 2),
               help=gettext_lazy("Amount owed, in yuan (optional).")),
        Column("workers_affected", _label("workers_affected"), Count()),
        Column("evidence", gettext_lazy("evidence or notes"), Text()),
        Column("expires_on", _label("expires_on"), Date(),
               help=gettext_lazy("Empty: the signal counts for 90 days from its date.")),
        Column("town", gettext_lazy("town"), readonly=True, get=_town),
        Column("source", _label("source"), readonly=True, get=lambda s: s.get_source_display()),
    ],
)


def export_signals(queryset, *, user, unmasked):
    return queryset.select_related("enterprise", "region").order_by("pk").iterator(chunk_size=2000)


imports.register(FileKind("risk_signals", SIGNAL_FILE, RiskSignal, export_signals,
                          "alerts:signal_import", "alerts:signal_import_template", "alerts:signal_import_batch"))
