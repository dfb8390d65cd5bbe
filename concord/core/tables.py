"""Table building blocks shared by every app."""
import django_tables2 as tables
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_tables2 import utils as tables_utils

from . import masking

# django-tables2 asks ``inspect.signature`` which arguments a column's render, value and link
# callables take, once per cell (about 40 µs: 25 rows of 11 columns cost the alert inbox 10 ms).
# The answer depends on the function only, so it is kept per function (per underlying function
# for bound methods); callables that cannot be keys are asked every time.
_SIGNATURES: dict = {}
_SIGNATURES_MAX = 4096  # a bound, should a page make new lambdas per request
_signature = tables_utils.signature


def cached_signature(fn):
    func = getattr(fn, "__func__", None)
    key = ("bound", func) if func is not None else fn
    try:
        return _SIGNATURES[key]
    except KeyError:
        if len(_SIGNATURES) >= _SIGNATURES_MAX:
            _SIGNATURES.clear()
        found = _SIGNATURES[key] = _signature(fn)
        return found
    except TypeError:  # not hashable
        return _signature(fn)


tables_utils.signature = cached_signature


class MaskedColumn(tables.Column):
    """Shows personal data masked unless the table was built to reveal it (a logged export)."""

    def __init__(self, kind, *args, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        return value if getattr(table, "unmasked", False) else masking.mask(self.kind, value)

    def value(self, value, table, **kwargs):
        return self.render(value, table)


class ConcordTable(tables.Table):
    """Base table: bootstrap styling, links to the detail page from the first column."""

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = _("No records match.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Headers start with a capital, as django-tables2 does for the model's own verbose names but
        # not for a column's explicit one (``_("town")``); Chinese is unchanged.
        for bound in self.columns:
            if bound.column.verbose_name:
                bound.column.verbose_name = capfirst(bound.column.verbose_name)
