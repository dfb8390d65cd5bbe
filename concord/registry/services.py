"""State changes of the registry that are more than one form's save."""
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import Employment, Enterprise


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
