"""Table building blocks shared by every app."""
import django_tables2 as tables
from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_tables2 import utils as tables_utils
from django_tables2.paginators import LazyPaginator

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


def amount(value, places: int = 2) -> str:
    """An amount with thousands separators ("12,000.00"), as people read money; "—" for none."""
    if value in (None, ""):
        return "—"
    return f"{value:,.{places}f}"


class MaskedColumn(tables.Column):
    """Shows personal data masked unless the table was built to reveal it (a logged export)."""

    def __init__(self, kind, *args, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        return value if getattr(table, "unmasked", False) else masking.mask(self.kind, value)

    def value(self, value, table, **kwargs):
        return self.render(value, table)


DEFAULT_MAX_PER_PAGE = 200
# Row offsets past this are not a page of any list (a signed 64-bit SQL offset overflows near 9.2e18).
MAX_OFFSET = 10**12


def max_per_page() -> int:
    """The most rows one page of a list renders, whatever ``?per_page`` asks (setting
    ``CONCORD_MAX_PER_PAGE``, default 200): a page of thousands of rows costs the server and the
    browser more than paging does."""
    return int(getattr(settings, "CONCORD_MAX_PER_PAGE", DEFAULT_MAX_PER_PAGE))


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

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        # ``?per_page`` comes from the URL: zero or negative means the default, more than the
        # cap means the cap. Every list page pages through here (RequestConfig calls it).
        default = self._meta.per_page
        if not isinstance(per_page, int) or per_page < 1:
            per_page = default
        per_page = min(per_page, max_per_page())
        if isinstance(page, int) and not 1 <= page <= MAX_OFFSET // per_page:
            page = 1 if page < 1 else MAX_OFFSET // per_page  # past the end: the paginator shows the last page
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


class BoundedLazyPaginator(LazyPaginator):
    """django-tables2's counting-free paginator with page numbers bounded: a page whose row offset
    could not be sent to the database (``?page=99999999999999999999999``) is an empty page (the
    API answers 404 as for any page past the end) instead of an SQL overflow."""

    def validate_number(self, number):
        number = super().validate_number(number)
        if (number - 1) * self.per_page > MAX_OFFSET:
            raise EmptyPage(_("That page contains no results"))
        return number
