from django import forms, template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def bootstrap(field):
    """Render a bound field's widget with Bootstrap classes and error state."""
    widget = field.field.widget
    blank_choice_says_choose(field.field)
    if isinstance(widget, (forms.CheckboxInput,)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


DASHES = "---------"


def blank_choice_says_choose(formfield) -> None:
    """A form drop-down's empty choice reads "Choose…" (请选择), not django's "---------" (filters
    say "All" instead: ``core.filters.empty_choice_reads_all``). Every form and filter widget is
    rendered through ``bootstrap``, so this is the one place."""
    if getattr(formfield, "empty_label", None) == DASHES:
        formfield.empty_label = _("Choose…")
    if isinstance(formfield, forms.ChoiceField) and not isinstance(formfield, forms.ModelChoiceField):
        choices = list(formfield.choices)
        if any(value == "" and label == DASHES for value, label in choices):
            formfield.choices = [(value, _("Choose…") if value == "" and label == DASHES else label) for value, label in choices]


@register.filter
def is_checkbox(field):
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def amount(value, places=2):
    """12000 → "12,000.00": money with thousands separators (core.tables.amount)."""
    from concord.core.tables import amount as _amount

    try:
        return _amount(value, int(places))
    except (TypeError, ValueError):
        return value


@register.filter
def wan(value):
    """An amount in yuan shown in 万元 (ten thousand yuan), two decimals with separators:
    1234500 → "123.45", as the federation's statistical reports write money."""
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(value) / 10000:,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return value
