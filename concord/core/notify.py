"""Notifications: written after the triggering transaction commits, read by their recipient only."""
from django.db import transaction
from django.utils import timezone

from .models import Notification


def notify(users, text: str, url: str = "") -> None:
    """Queue one notification per distinct active user, written when the current transaction commits."""
    recipients = {u.pk: u for u in users if u is not None and getattr(u, "is_active", False)}

    def write():
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, text=str(text)[:255], url=url) for pk in recipients]
        )

    if recipients:
        transaction.on_commit(write)


def for_user(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return for_user(user).filter(read_at__isnull=True).count()


def mark_read(user, pk=None) -> int:
    rows = for_user(user).filter(read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())
