"""State changes of the registry that are more than one form's save."""
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from concord.core.audit import record_event, register_verbs
from concord.core.models import AccessLog, Event, Notification
from concord.core.scope import CHANGE, Role, assignments_of

from .models import Employment, Enterprise, Worker

register_verbs({"worker.erase": gettext_lazy("Personal data erased")})


def refresh_workforce(enterprise_ids=None) -> int:
    """Recompute the stored head count and migrant count from open employments.

    ``enterprise_ids``: only these enterprises (after an edit or an import); None: all of them
    (after the demo generator). One UPDATE with correlated subqueries, so it runs in the database
    on both SQLite and PostgreSQL, however many enterprises there are."""
    open_rows = Employment.objects.filter(enterprise=OuterRef("pk"), end_date__isnull=True).order_by()
    counts = open_rows.values("enterprise").annotate(
        n=Count("pk"), m=Count("pk", filter=Q(worker__is_migrant=True))
    )
    qs = Enterprise.objects.all()
    if enterprise_ids is not None:
        ids = list(set(enterprise_ids))
        if not ids:
            return 0
        qs = qs.filter(pk__in=ids)
    return qs.update(
        head_count=Coalesce(Subquery(counts.values("n")[:1]), 0),
        migrant_count=Coalesce(Subquery(counts.values("m")[:1]), 0),
    )


# --- erasure of a worker's personal data ---------------------------------------------------------

def may_erase(user) -> bool:
    """Only the county administrator erases (an assignment at the county, the root of the tree)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(a.role == Role.COUNTY_ADMIN and a.region_id and a.region.parent_id is None for a in assignments_of(user))


@transaction.atomic
def worker_erase(worker, *, actor, reason: str) -> Worker:
    """Remove a worker's personal data and keep an anonymised row (docs/registry.md, "Erasure").

    The row stays because cases, survey participations and employment history point to it (a
    deletion would be refused by them, or would rewrite the enterprises' history and head counts).
    What goes: the name, the ID number (so that it can be registered again), the phone, the
    household city, the day and month of birth, the positions held, the sign-in account; the
    person's name in the change log, the events and the access log. What stays: sex, birth year,
    household province, migrant status, education and the employment dates, which the statistics
    count. Case files keep their parties as recorded (the mediation archive is the mediation
    body's record, not the registry's). One event ``worker.erase`` records who erased whom and why."""
    from auditlog.context import disable_auditlog

    if not may_erase(actor):
        raise PermissionDenied(_("Only the county administrator erases a worker's personal data."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the erasure (e.g. the person's request and its date).")})
    worker = Worker.objects.visible_to(actor, CHANGE).select_for_update().filter(pk=worker.pk).first()
    if worker is None:
        raise PermissionDenied(_("This worker is outside your scope."))
    if worker.erased_at:
        raise ValidationError({"reason": _("This worker's personal data has already been erased.")})
    label = f"#{worker.pk}"
    ct_workers = ContentType.objects.get_for_model(Worker)
    with disable_auditlog():
        account = worker.user
        worker.name = label
        worker.id_number = f"X{worker.pk:017d}"  # unique and never a valid ID number (no province starts with X)
        worker.phone = ""
        worker.hukou_city = ""
        worker.birth_date = worker.birth_date.replace(month=1, day=1)
        worker.user = None
        worker.erased_at = timezone.now()
        Worker.objects.filter(pk=worker.pk).update(
            name=worker.name, id_number=worker.id_number, phone="", hukou_city="", birth_date=worker.birth_date,
            user=None, erased_at=worker.erased_at,
        )
        Employment.objects.filter(worker=worker).update(position="")
        if account is not None:
            type(account).objects.filter(pk=account.pk).update(
                username=f"erased-{account.pk}", name="", phone="", email="", first_name="", last_name="",
                is_active=False, password="!",
            )
        # The audit trail keeps who did what and when, without the person.
        LogEntry.objects.filter(content_type=ct_workers, object_pk=str(worker.pk)).update(
            object_repr=label, changes={}, changes_text="", serialized_data=None)
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Employment),
                                object_pk__in=[str(pk) for pk in worker.employments.values_list("pk", flat=True)]
                                ).update(object_repr=label, changes={}, changes_text="", serialized_data=None)
        Event.objects.filter(content_type=ct_workers, object_id=str(worker.pk)).update(object_repr=label)
        AccessLog.objects.filter(content_type=ct_workers, object_id=str(worker.pk)).update(object_repr=label)
    if account is not None:
        Notification.objects.filter(recipient_id=account.pk).delete()  # the account's inbox goes with it
    record_event(actor=actor, verb="worker.erase", target=worker, summary=_("Personal data erased"),
                 data={"reason": reason[:500]})
    return worker


# --- the enterprise facts that feed its harmony score ----------------------------------------------

# Facts the harmonious-enterprise indicators score (harmony/rules.py: organisation points, the key
# enterprises' inspections): the enterprise's own union must not set them for itself. The town or
# the county sets them (later: the democracy pillar's congress sessions).
KEY_FLAGS = ("has_workers_congress", "is_key_enterprise")
KEY_FLAG_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER})

register_verbs({"enterprise.flags": gettext_lazy("Scored facts changed")})


def may_set_key_flags(user, region=None) -> bool:
    """Whether ``user`` sets the scored facts of an enterprise in ``region`` (any of theirs when None)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(a.role in KEY_FLAG_ROLES and a.region_id and (region is None or region.path.startswith(a.region.path))
               for a in assignments_of(user))


def key_flags_of(enterprise) -> dict:
    if enterprise is None or enterprise.pk is None:
        return {name: Enterprise._meta.get_field(name).default for name in KEY_FLAGS}
    return dict(Enterprise.objects.filter(pk=enterprise.pk).values(*KEY_FLAGS).get())


def record_key_flag_changes(enterprise, before: dict, *, actor) -> None:
    """One timeline event when a save changed a scored fact (before → after per fact)."""
    changed = {name: [before[name], getattr(enterprise, name)] for name in KEY_FLAGS if before[name] != getattr(enterprise, name)}
    if not changed:
        return
    labels = ", ".join(f"{Enterprise._meta.get_field(name).verbose_name}: {_('Yes') if new else _('No')}"
                       for name, (_old, new) in changed.items())
    record_event(actor=actor, verb="enterprise.flags", target=enterprise, summary=labels, data=changed)
