from django import forms, template

register = template.Library()


@register.filter
def bootstrap(field):
    """Render a bound field's widget with Bootstrap classes and error state."""
    widget = field.field.widget
    if isinstance(widget, (forms.CheckboxInput,)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


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
