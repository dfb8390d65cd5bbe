"""Keep each enterprise's stored head count in step with single-row employment changes.

Bulk paths (imports, the demo generator) bypass signals and call services.refresh_workforce once."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Employment, Worker


def _refresh_later(enterprise_ids):
    from .services import refresh_workforce

    transaction.on_commit(lambda: refresh_workforce(enterprise_ids))


@receiver(pre_save, sender=Employment)
def employment_moving(sender, instance, raw=False, **kwargs):
    """Remember the enterprise an edited employment had: moving it changes two head counts."""
    if instance.pk and not raw:
        instance._enterprise_before = (
            Employment.objects.filter(pk=instance.pk).values_list("enterprise_id", flat=True).first()
        )


@receiver(post_save, sender=Employment)
@receiver(post_delete, sender=Employment)
def employment_changed(sender, instance, **kwargs):
    before = getattr(instance, "_enterprise_before", None)
    _refresh_later([instance.enterprise_id] + ([before] if before and before != instance.enterprise_id else []))


@receiver(post_save, sender=Worker)
def worker_changed(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields and "is_migrant" not in update_fields):
        return
    _refresh_later(list(instance.employments.filter(end_date__isnull=True).values_list("enterprise_id", flat=True)))
