"""Reads of the registry used by pages, the API and later pillars. Each takes the requesting user
and starts from ``visible_to``; none counts a county-sized set (see docs/registry.md, Performance)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
import re

from django.db.models import Avg, Count, DateField, Exists, F, Func, OuterRef, Q, Subquery

from concord.core.models import Region

from . import codes, rules
from .models import Employment, Enterprise, Worker, WorkerNameGram

# The databases whose triggers keep ``WorkerNameGram`` (migration 0005); elsewhere a name search
# reads the names themselves.
NAME_GRAM_VENDORS = frozenset({"sqlite", "postgresql"})

# The upper end of a prefix range: the largest code point sorts after every character a name can
# hold, in SQLite's binary order and PostgreSQL's C and ICU collations alike (U+FFFF would miss the
# rare-character names written with supplementary-plane CJK characters).
_PREFIX_END = "\U0010ffff"
_ID_QUERY = re.compile(r"^\d{17}[\dX]$")
_PHONE_QUERY = re.compile(r"^1\d{10}$")


# --- worker search -------------------------------------------------------------------------------

def classify_worker_query(text: str) -> tuple[str, str]:
    """What a worker search box entry is: ("id_number", upper-cased ID), ("phone", digits),
    ("name", prefix) or ("", "") for an empty entry.

    ID numbers and phones match exactly, never partially, so the box cannot be used to probe
    personal data digit by digit; names match by any part (``name_search_q``)."""
    value = (text or "").strip()
    if not value:
        return "", ""
    compact = value.replace(" ", "").upper()
    if _ID_QUERY.match(compact):
        return "id_number", compact
    if _PHONE_QUERY.match(compact):
        return "phone", compact
    return "name", value


def name_prefix_q(prefix: str, field: str = "name") -> Q:
    """``field`` starts with ``prefix`` as an index range (``>= prefix AND < prefix + U+10FFFF``).

    ``__startswith`` becomes ``LIKE 'x%'``, which SQLite answers from an index only with a
    case-insensitive collation and PostgreSQL only with ``text_pattern_ops`` or the C collation."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _PREFIX_END})


def _gram_lookup(text: str) -> tuple[str, str | None]:
    """(the one gram looked up, the whole entry when the name must also contain it)."""
    value = text.strip()
    return rules.name_query_gram(value), (value if len(value) > rules.NAME_GRAM_MAX else None)


def name_search_q(text: str, field: str = "") -> Q:
    """Rows whose worker's name contains ``text`` (any part; A–Z without regard to case), as
    ``worker IN (workers with the entry's first one or two characters)``, for lists ordered by
    something else (employments). ``field`` is the path to the worker, e.g. ``"worker"``."""
    from django.db import connection

    gram, whole = _gram_lookup(text)
    prefix = f"{field}__" if field else ""
    if connection.vendor not in NAME_GRAM_VENDORS:
        return Q(**{f"{prefix}name__icontains": text.strip()})
    pk = f"{field}_id" if field else "pk"
    query = Q(**{f"{pk}__in": WorkerNameGram.objects.filter(gram=gram).values("worker_id")})
    if whole:
        query &= Q(**{f"{prefix}name__icontains": whole})
    return query


def workers_named(queryset, text: str):
    """Workers whose name contains ``text``, in the worker list's order (name, pk), read from the
    gram index in that order: joined on ``(gram, name, worker)``, the database walks one gram's
    entries by name and stops after a page, for a rare gram and a gram in every twentieth name
    alike (a plain ``worker IN (…)`` would sort all of a common gram's workers first)."""
    from django.db import connection

    gram, whole = _gram_lookup(text)
    if connection.vendor not in NAME_GRAM_VENDORS:
        return queryset.filter(name__icontains=text.strip())
    queryset = queryset.filter(name_grams__gram=gram).order_by("name_grams__name", "name_grams__worker_id")
    return queryset.filter(name__icontains=whole) if whole else queryset


def search_workers(queryset, text: str):
    kind, value = classify_worker_query(text)
    if kind == "id_number":
        return queryset.filter(id_number=value)
    if kind == "phone":
        return queryset.filter(phone=value)
    if kind == "name":
        return workers_named(queryset, value)
    return queryset


def current_employments(**lookups):
    """Open employments, as the inner query of an ``Exists`` or ``pk__in`` filter on workers."""
    return Employment.objects.filter(end_date__isnull=True, **lookups).order_by()


def workers_in_region(queryset, region: Region):
    """Workers whose current employment is at an enterprise under ``region``.

    ``Exists`` (a semi-join probed per worker) lets the database walk the list's ordering index
    and stop after one page, since a town holds a large share of all workers."""
    return queryset.filter(
        Exists(current_employments(worker=OuterRef("pk"), enterprise__region__path__startswith=region.path))
    )


def workers_at_enterprise(queryset, enterprise=None, **enterprise_lookup):
    """Workers currently employed by ``enterprise`` (or the one matching ``enterprise_lookup``,
    e.g. ``enterprise__credit_code=…``).

    ``pk IN (…)`` rather than ``Exists``: one enterprise holds few workers, so the database should
    start from its (enterprise, end_date) index, not walk all workers and probe each."""
    lookup = {"enterprise": enterprise} if enterprise is not None else enterprise_lookup
    return queryset.filter(pk__in=current_employments(**lookup).values("worker_id"))


def workers_with_current(queryset, **conditions):
    """Workers with a current employment matching ``conditions`` (e.g. contract_signed=True)."""
    return queryset.filter(Exists(current_employments(worker=OuterRef("pk"), **conditions)))


def workers_without_current(queryset, **conditions):
    return queryset.filter(~Exists(current_employments(worker=OuterRef("pk"), **conditions)))


def generation_q(code: str, field: str = "birth_date") -> Q:
    """Birth-date range of a generation code (an indexed range, not a computed column)."""
    start, end = rules.generation_range(code)
    q = Q()
    if start:
        q &= Q(**{f"{field}__gte": start})
    if end:
        q &= Q(**{f"{field}__lt": end})
    return q


class _Unindexed(Func):
    """The column itself; on SQLite written ``+column``, which keeps the planner off its index.

    SQLite has no statistics on value ranges, so it takes any range on an indexed column for a
    narrow one: a generation filter (a third of all workers) would read that third through the
    birth-date index and sort it by name, where walking the name index stops after one page."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


# Generations that hold a large share of any workforce; a rare one (post-10s) is better read
# through the birth-date index.
_WIDE_GENERATIONS = {codes.Generation.EARLIER, codes.Generation.POST_80S, codes.Generation.POST_90S, codes.Generation.POST_00S}


def filter_generation(queryset, code: str):
    if code in _WIDE_GENERATIONS:
        queryset = queryset.alias(_born=_Unindexed("birth_date", output_field=DateField()))
        return queryset.filter(generation_q(code, "_born"))
    return queryset.filter(generation_q(code))


def with_current_enterprise(queryset, user):
    """Annotate ``current_enterprise_name`` with the latest open employment the user may see.

    A correlated subquery evaluated for the page's rows only; it goes through the employment's
    own scope, so an officer never sees the name of an enterprise outside their town."""
    visible = Employment.objects.visible_to(user).filter(worker=OuterRef("pk"), end_date__isnull=True)
    return queryset.annotate(
        current_enterprise_name=Subquery(visible.order_by("-start_date", "-pk").values("enterprise__name")[:1])
    )


# --- enterprise filters --------------------------------------------------------------------------

def industry_codes(code: str) -> list[str]:
    """The stored industry codes a filter value covers: a section letter ("C") covers its divisions
    and classes (C17, C17D, …); a division ("C17") covers its classes (C17D). An ``IN`` list, so an
    index answers it on both databases (``LIKE 'C%'`` would not on SQLite)."""
    code = (code or "").strip().upper()
    if not code:
        return []
    return sorted(c for c in codes.INDUSTRY_CODES if c.startswith(code))


def region_from_key(value, queryset=None) -> Region | None:
    """A region by id or by its 6-, 9- or 12-digit administrative code (the API's ``town``)."""
    queryset = queryset if queryset is not None else Region.objects.all()
    value = str(value or "").strip()
    if not value.isdigit():
        return None
    lookup = {"code": value} if len(value) >= 6 else {"pk": int(value)}
    return queryset.filter(**lookup).first()


# --- enterprise 360 ------------------------------------------------------------------------------

@dataclass
class Workforce:
    head_count: int
    migrants: int
    migrant_share: float | None
    generations: list[tuple[str, str, int]]  # (code, label, count)
    origins: list[tuple[str, str, int]]  # (province code, name, count), largest first
    contract_signed: int
    contract_rate: float | None
    insured: int
    insured_rate: float | None
    wage_known: int
    average_wage: Decimal | None

    @property
    def locals(self) -> int:
        return self.head_count - self.migrants


def _rate(part, whole):
    return part / whole if whole else None


def enterprise_workforce(enterprise: Enterprise, user, top_origins: int = 8) -> Workforce:
    """Workforce figures of one enterprise from its open employments, in two aggregate queries
    that read only that enterprise's rows through the (enterprise, end_date) index."""
    rows = Employment.objects.visible_to(user).filter(enterprise=enterprise, end_date__isnull=True).order_by()
    generation_counts = {
        f"gen_{g.value}": Count("pk", filter=generation_q(g.value, "worker__birth_date")) for g in codes.Generation
    }
    totals = rows.aggregate(
        head=Count("pk"),
        migrants=Count("pk", filter=Q(worker__is_migrant=True)),
        signed=Count("pk", filter=Q(contract_signed=True)),
        insured=Count("pk", filter=Q(insured=True)),
        wage_known=Count("monthly_wage"),
        average_wage=Avg("monthly_wage"),
        **generation_counts,
    )
    head = totals["head"]
    origins = []
    if head:
        by_province = (
            rows.values("worker__hukou_province").annotate(n=Count("pk")).order_by("-n", "worker__hukou_province")
        )
        for row in by_province[:top_origins]:
            code = row["worker__hukou_province"] or ""
            origins.append((code, codes.PROVINCES.get(code, "") if code else "", row["n"]))
    average = totals["average_wage"]
    return Workforce(
        head_count=head,
        migrants=totals["migrants"],
        migrant_share=_rate(totals["migrants"], head),
        generations=[(g.value, str(g.label), totals[f"gen_{g.value}"]) for g in codes.Generation],
        origins=origins,
        contract_signed=totals["signed"],
        contract_rate=_rate(totals["signed"], head),
        insured=totals["insured"],
        insured_rate=_rate(totals["insured"], head),
        wage_known=totals["wage_known"],
        average_wage=Decimal(average).quantize(Decimal("0.01")) if average is not None else None,
    )


def enterprise_current_workforce(enterprise: Enterprise, user, limit: int = 50):
    """The first ``limit`` current employments of an enterprise with their workers, newest first."""
    return list(
        Employment.objects.visible_to(user)
        .filter(enterprise=enterprise, end_date__isnull=True)
        .select_related("worker")
        .order_by("-start_date", "-pk")[:limit]
    )


def worker_employments(worker: Worker, user):
    """All the worker's employments the user may see, current ones first."""
    return list(
        Employment.objects.visible_to(user)
        .filter(worker=worker)
        .select_related("enterprise__region")
        .order_by(F("end_date").desc(nulls_first=True), "-start_date", "-pk")
    )


# --- choosing an enterprise by name (the type-ahead of every enterprise field) ----------------------

SUGGESTIONS = 15
# "Alpha纺织有限公司（91330603MA2BXXXXXX）": what a suggestion puts in the field, read back by the
# field (disputes.forms.EnterpriseField), so that a name shared by two enterprises stays one choice.
_LABELLED = re.compile(r"^(?P<name>.*?)\s*[（(]\s*(?P<code>[0-9A-Z]{18})\s*[）)]\s*$")


def enterprise_label(enterprise) -> str:
    return f"{enterprise.name}（{enterprise.credit_code}）"


def labelled_code(text: str) -> str | None:
    """The credit code of a suggestion's text ("name（code）"), or None."""
    match = _LABELLED.match((text or "").strip().upper())
    return match["code"] if match else None


def enterprise_suggestions(user, text: str, limit: int = SUGGESTIONS) -> list:
    """Enterprises in ``user``'s scope whose name contains ``text`` (or whose credit code starts with
    it), by name; nothing for an empty entry. A LIKE over the scope's names: a county's 25,000
    names are read in a few milliseconds, and the page asks at most once per pause in typing."""
    text = (text or "").strip()
    if not text:
        return []
    query = Q(name__icontains=text)
    code = text.upper().replace(" ", "")
    if re.fullmatch(r"[0-9A-Z]{4,18}", code):
        query |= Q(credit_code__startswith=code)
    return list(Enterprise.objects.visible_to(user).filter(query).select_related("region").order_by("name", "pk")[:limit])
