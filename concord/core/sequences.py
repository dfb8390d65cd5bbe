"""Gap-free counters for numbers people quote (case numbers, document numbers)."""
from django.db import transaction

from .models import Sequence


def next_value(name: str) -> int:
    """The next value of the counter ``name`` (1 for a new counter).

    The row is created with INSERT … ON CONFLICT DO NOTHING, so two first callers do not collide,
    then locked with SELECT … FOR UPDATE and incremented: callers serialise on the row until their
    transaction ends, which is what makes the number unique and the sequence gap-free when the
    caller's transaction commits (a rolled-back caller takes its increment back with it)."""
    with transaction.atomic():
        Sequence.objects.bulk_create([Sequence(name=name)], ignore_conflicts=True)
        row = Sequence.objects.select_for_update().get(name=name)
        row.last += 1
        row.save(update_fields=["last"])
        return row.last
