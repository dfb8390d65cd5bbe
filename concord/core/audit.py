"""Audit, layer two: domain events written by services, and the personal-data access log.

Layer one, the generic change log of every create/update/delete with before/after values, is
django-auditlog (registered per model in each app's ``apps.py``; see ``register_audited``).
"""
from auditlog.cid import get_cid
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType


def register_audited(model, **options):
    """Put a model under the change log. Every concrete model of Concord's apps must be registered
    (a test checks); personal fields are masked in the log itself."""
    personal = list(getattr(model, "personal_fields", {}))
    if personal:
        options.setdefault("mask_fields", personal)
    auditlog.register(model, **options)


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


def record_access(*, actor, target, field: str, purpose: str = "view", count: int = 1, request=None, model=None):
    """Log that ``actor`` saw the full value of ``field`` (of ``target``, or of ``count`` rows of ``model``)."""
    from .models import AccessLog

    if target is not None:
        path, _ = scope_anchor(target)
        ct = ContentType.objects.get_for_model(target)
        object_id, object_repr = str(target.pk), str(target)[:255]
    else:
        path, ct, object_id, object_repr = "", ContentType.objects.get_for_model(model), "", f"{count}"
    return AccessLog.objects.create(
        actor=actor,
        content_type=ct,
        object_id=object_id,
        object_repr=object_repr,
        field=field,
        purpose=purpose,
        count=count,
        region_path=path,
        request_id=get_cid() or "",
        remote_addr=(request.META.get("REMOTE_ADDR") if request else None),
    )
