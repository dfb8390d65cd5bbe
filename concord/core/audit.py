"""Audit, layer two: domain events written by services, and the personal-data access log.

Layer one, the generic change log of every create/update/delete with before/after values, is
django-auditlog (registered per model in each app's ``apps.py``; see ``register_audited``).
"""
import re

from auditlog.cid import get_cid
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils.translation import gettext as _, pgettext, pgettext_lazy

from . import masking


def register_audited(model, **options):
    """Put a model under the change log. Every concrete model of Concord's apps must be registered
    (a test checks); personal fields are masked in the log itself."""
    personal = list(getattr(model, "personal_fields", {}))
    if personal:
        options.setdefault("mask_fields", personal)
        # The project's one masking rule, not auditlog's own (which keeps the last half).
        options.setdefault("mask_callable", "concord.core.masking.mask_value")
    auditlog.register(model, **options)


def field_label(model, name: str):
    """What a page calls ``model``'s field ``name``: its verbose name (入职日期, not ``start_date``).
    The change log stores raw field names and keeps rows of fields since renamed or removed: those
    keep their stored name rather than fail."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return name
    if getattr(field, "verbose_name", None):
        return field.verbose_name
    # A reverse relation (``evidence_files``, ``role_assignments``) is named by the related rows.
    related = getattr(field, "related_model", None)
    return related._meta.verbose_name_plural if related is not None else name


def model_label(content_type):
    """A change-log entry's kind of record by the model's verbose name (职工, not ``registry | worker``)."""
    model = content_type.model_class() if content_type is not None else None
    return model._meta.verbose_name if model is not None else getattr(content_type, "model", "")


# auditlog calls its action column "action", which this catalogue already says for an alert's
# disposal action (事项); in the change log it is the kind of change (操作: 新增, 修改, 删除).
CHANGE_ACTION_LABEL = pgettext_lazy("change log", "action")


def audited_content_types():
    """(content type id, the model's verbose name) of every model under the change log, for the
    change log's "type" filter (not ``app | model`` of every content type Django knows)."""
    types = ContentType.objects.get_for_models(*auditlog.get_models())
    return sorted(((ct.pk, model._meta.verbose_name) for model, ct in types.items()), key=lambda item: str(item[1]))


def changed_fields(entry) -> str:
    """The fields a change-log entry changed, by their labels, in the reader's list style
    (``状态、受理日期、期限``; English ``status, accepted on, deadline``). Stored rows are not rewritten:
    the names are translated when shown."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    return pgettext("separator between the items of a list", ", ").join(str(field_label(model, n)) for n in entry.changes_dict)


# Human labels of domain-event verbs, registered by the apps that write them (timelines show these).
VERB_LABELS: dict = {}


def register_verbs(labels: dict) -> None:
    VERB_LABELS.update(labels)


def verb_label(verb: str):
    return VERB_LABELS.get(verb, verb)


def _resolve(obj, lookup):
    for part in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def scope_anchor(obj) -> tuple[str, int | None]:
    """The region path and enterprise id that scope rows derived from ``obj`` (events, access log)."""
    if hasattr(obj, "audit_anchor"):
        return obj.audit_anchor()
    spec = getattr(type(obj), "scope", None)
    if spec is None or spec.multi_valued:
        return "", None
    path = next((p for p in (_resolve(obj, lk) for lk in spec.regions) if p), "")
    enterprise = _resolve(obj, spec.enterprise) if spec.enterprise else None
    return path or "", getattr(enterprise, "pk", enterprise)


def record_event(*, actor, verb: str, target, summary: str = "", data: dict | None = None):
    from .models import Event

    path, enterprise_id = scope_anchor(target)
    return Event.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        object_repr=str(target)[:255],
        region_path=path,
        enterprise_id=enterprise_id,
        summary=summary[:255],
        data=data or {},
        request_id=get_cid() or "",
    )


# Purposes of access-log entries (AccessLog.purpose); exports are "export:<format>".
VIEW, EDIT, SEARCH, SEARCH_REFUSED = "view", "edit", "search", "search_refused"


def actor_path(user) -> str:
    """The region path that covers all of ``user``'s assignments (their common ancestor), so that
    an entry about no one record (an export, a search) is read by the administrators and auditors
    above the actor. Empty for a user with no region (superusers only read those)."""
    from .scope import assignments_of

    paths = []
    for a in assignments_of(user):
        region = a.region if a.region_id else (a.enterprise.region if a.enterprise_id else None)
        if region is not None:
            paths.append(region.path)
    if not paths:
        return ""
    common = paths[0].split("/")
    for path in paths[1:]:
        parts = path.split("/")
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    joined = "/".join(p for p in common if p)
    return joined + "/" if joined else ""


def record_access(*, actor, target, field: str, purpose: str = VIEW, count: int = 1, request=None, model=None,
                  label: str = "", filters: dict | None = None):
    """Log that ``actor`` saw the full value of ``field`` (of ``target``, or of ``count`` rows of
    ``model``: ``label`` names the list, ``filters`` the query that chose the rows)."""
    from .models import AccessLog

    if target is not None:
        path, _anchor = scope_anchor(target)
        ct = ContentType.objects.get_for_model(target)
        object_id, object_repr = str(target.pk), str(target)[:255]
    else:
        path, ct, object_id = actor_path(actor), ContentType.objects.get_for_model(model), ""
        object_repr = (label or str(model._meta.verbose_name_plural))[:255]
    return AccessLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        content_type=ct,
        object_id=object_id,
        object_repr=object_repr,
        field=field,
        purpose=purpose,
        count=count,
        filters=filters or {},
        region_path=path,
        request_id=get_cid() or "",
        remote_addr=(request.META.get("REMOTE_ADDR") if request else None),
    )


def masked_query(params) -> dict:
    """The query parameters of a list (a QueryDict or dict), for the access log: paging and export
    switches left out, and any value shaped like an ID or mobile number masked by the one rule."""
    skip = {"export", "unmask", "page", "per_page"}
    items = params.lists() if hasattr(params, "lists") else ((k, [v]) for k, v in params.items())
    out = {}
    for key, values in items:
        values = [v for v in values if v not in ("", None)]
        if key in skip or not values:
            continue
        shown = [masking.mask_value(v) if _looks_personal(v) else v for v in values]
        out[key] = shown[0] if len(shown) == 1 else shown
    return out


_PERSONAL_SHAPE = re.compile(r"^(\d{17}[\dXx]|\d{15}|1\d{10})$")  # an ID number (18 or old 15) or a mobile number


def _looks_personal(value) -> bool:
    return bool(_PERSONAL_SHAPE.match("".join(str(value).split())))


# Exact-match searches on ID numbers and phones by roles that may not reveal: the search answers
# "does this number exist here", which confirms a guess of a masked value. Each one is logged, and
# a user gets at most CONCORD_EXACT_LOOKUP_LIMIT (100) of them per CONCORD_EXACT_LOOKUP_WINDOW seconds
# (a day), counted in the cache (docs/privacy.md).
def lookup_limit() -> tuple[int, int]:
    return (getattr(settings, "CONCORD_EXACT_LOOKUP_LIMIT", 100), getattr(settings, "CONCORD_EXACT_LOOKUP_WINDOW", 24 * 3600))


class LookupRefused(Exception):
    """Past the limit of exact searches; ``message`` is said to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _take_lookup(user) -> bool:
    limit, window = lookup_limit()
    key = f"concord:exact-lookup:{user.pk}"
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        used = 1
    return used <= limit


def exact_lookup(request, queryset, *, field: str, value: str, lookup: str | None = None):
    """``queryset`` filtered on ``lookup`` (default ``field``) equal to ``value``, the one way any
    list, export or API filter searches by a full ID number or phone. For a user who may not
    reveal, the search is logged (with its masked value and how many rows matched) and counted;
    past the limit it is refused (logged too) with ``LookupRefused``."""
    matched = queryset.filter(**{lookup or field: value})
    user = getattr(request, "user", None)
    if user is None or masking.may_reveal(user):
        return matched
    allowed = _take_lookup(user)
    record_access(
        actor=user, target=None, model=queryset.model, field=field,
        purpose=SEARCH if allowed else SEARCH_REFUSED, count=matched.count() if allowed else 0,
        request=request, label=masking.mask_value(value), filters=masked_query(request.GET),
    )
    if not allowed:
        raise LookupRefused(_(
            "Too many searches by full ID number or mobile number: a role that may not see full personal "
            "data may make at most %(limit)s a day. Each search is recorded in the personal-data access log."
        ) % {"limit": lookup_limit()[0]})
    return matched
