"""Table building blocks shared by every app."""
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from . import masking


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
