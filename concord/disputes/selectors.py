"""Reads of the disputes pillar, always through the scope (``visible_to``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from concord.core.scope import CHANGE, VIEW, can

from . import parameters, rules, services, workflow
from .models import Case, Claimant, Level, Status


def cases(user, action=VIEW):
    return Case.objects.visible_to(user, action)


def case_list(user):
    return cases(user).select_related("respondent", "region", "mediator")


def case_for(user, pk, action=VIEW):
    return cases(user, action).select_related("respondent__region", "region", "mediator", "filed_by").filter(pk=pk).first()


@dataclass
class LegalHelpers:
    deadline: date | None
    days_left: int | None
    limitation_date: date | None
    limitation_text: str
    final_award_limit: Decimal | None
    within_final_award: bool | None
    consultation_reply_due: date | None
    review_windows: dict | None

    @property
    def overdue_days(self):
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def legal_helpers(case, today: date | None = None) -> LegalHelpers:
    """The legal dates and limits shown on a case (computed, never stored except the limitation
    date of a referred case)."""
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    table = services.legal_table(case.region)
    limitation = case.limitation_date or services.limitation_of(case)
    if limitation is not None:
        text = ""
    elif case.subcategory == "wage_arrears" and not case.employment_ended_on:
        text = _("No limit while the employment lasts; one year from its end.")
    else:
        text = _("Record the date the worker knew of the infringement to compute it.")
    limit = within = None
    try:
        tier = int(rules.parameter("minimum_wage_tier", case.received_on, table))
        limit = rules.final_award_limit(case.received_on, tier, table=table)
        if case.amount_claimed is not None:
            within = case.amount_claimed <= limit
    except parameters.ParameterNotInForce:
        pass
    agreement = getattr(case, "agreement", None)
    windows = rules.review_windows(agreement.effective_on, table=table, holiday_extends=services.holiday_extends) if agreement else None
    reply_due = None
    if case.consultation_requested_on:
        reply_due = rules.consultation_reply_due(case.consultation_requested_on, table=table,
                                                 holiday_extends=services.holiday_extends)
    running = case.status in workflow.RUNNING or case.status == Status.RECEIVED
    return LegalHelpers(
        deadline=case.deadline if running else None,
        days_left=(case.deadline - today).days if running and case.deadline else None,
        limitation_date=limitation, limitation_text=text, final_award_limit=limit, within_final_award=within,
        consultation_reply_due=reply_due, review_windows=windows,
    )


def case_events(case, limit=50):
    """The case's own domain events, for a claimant who may see the case (not the change log)."""
    from django.contrib.contenttypes.models import ContentType

    from concord.core.models import Event

    ct = ContentType.objects.get_for_model(Case)
    from concord.core.audit import verb_label

    return [{"time": e.created_at, "kind": "event", "label": verb_label(e.verb), "text": e.summary}
            for e in Event.objects.filter(content_type=ct, object_id=str(case.pk)).order_by("-created_at", "-pk")[:limit]]


def claimants_of(case):
    return list(Claimant.objects.filter(case=case).select_related("worker"))


def mediator_choices(case, user):
    """Users who handle ``case`` at its level and whom ``user`` may see (for the assign form)."""
    from concord.core.models import RoleAssignment, User

    ids = [a.user_id for a in RoleAssignment.objects.filter(is_active=True, role__in=workflow.HANDLERS).select_related("region", "user")
           if workflow.covers(a, case) and workflow.handles(a.user, case)]
    return User.objects.filter(pk__in=ids, is_active=True).order_by("name", "username")


# --- measures -------------------------------------------------------------------------------------

@dataclass
class Measures:
    year: int
    total: int
    collective: int
    open: int
    overdue: int
    resolved: int
    enterprise_share: float | None
    town_or_below_share: float | None
    average_days: float | None
    amount_claimed: Decimal
    amount_recovered: Decimal
    by_month: list  # [(month, individual, collective)]
    by_level: list  # [(level label, resolved count)]


def measures(user, year: int, today: date | None = None) -> Measures:
    """The disputes measures over the cases ``user`` sees, received in ``year``: three aggregate
    queries whatever the number of cases."""
    today = today or timezone.localdate()
    qs = cases(user).filter(received_on__gte=date(year, 1, 1), received_on__lt=date(year + 1, 1, 1))
    totals = qs.aggregate(
        total=Count("pk"),
        collective=Count("pk", filter=Q(is_collective=True)),
        open=Count("pk", filter=~Q(status__in=[Status.REJECTED, Status.WITHDRAWN, Status.CLOSED])),
        overdue=Count("pk", filter=Q(status__in=workflow.RUNNING, deadline__lt=today)),
        resolved=Count("pk", filter=~Q(resolved_level="")),
        at_enterprise=Count("pk", filter=Q(resolved_level=Level.ENTERPRISE)),
        at_town=Count("pk", filter=Q(resolved_level=Level.TOWN)),
        average_days=Avg("resolution_days"),
        claimed=Sum("amount_claimed"),
        recovered=Sum("amount_recovered"),
    )
    months = {m: [0, 0] for m in range(1, 13)}
    for row in qs.annotate(month=ExtractMonth("received_on")).values("month", "is_collective").annotate(n=Count("pk")).order_by():
        months[row["month"]][1 if row["is_collective"] else 0] += row["n"]
    resolved = totals["resolved"]
    share = (lambda n: n / resolved) if resolved else (lambda n: None)
    return Measures(
        year=year, total=totals["total"], collective=totals["collective"], open=totals["open"], overdue=totals["overdue"],
        resolved=resolved, enterprise_share=share(totals["at_enterprise"]),
        town_or_below_share=share(totals["at_enterprise"] + totals["at_town"]),
        average_days=round(totals["average_days"], 1) if totals["average_days"] is not None else None,
        amount_claimed=totals["claimed"] or Decimal(0), amount_recovered=totals["recovered"] or Decimal(0),
        by_month=[(m, *months[m]) for m in range(1, 13)],
        by_level=[(Level(Level.ENTERPRISE).label, totals["at_enterprise"]), (Level(Level.TOWN).label, totals["at_town"]),
                  (Level(Level.COUNTY).label, resolved - totals["at_enterprise"] - totals["at_town"])],
    )


def measure_years(user):
    today = timezone.localdate()
    return list(range(today.year, today.year - 5, -1))


def cases_of_enterprise(enterprise, user, limit=10):
    if not can(user, Case):
        return None
    qs = cases(user).filter(respondent=enterprise)
    return {"rows": list(qs.order_by("-received_on", "-pk")[:limit]),
            "counts": qs.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status__in=workflow.RUNNING | {Status.RECEIVED})))}


def cases_of_worker(worker, user, limit=10):
    if not can(user, Case):
        return None
    qs = cases(user).filter(claimants__worker=worker).select_related("respondent")
    return {"rows": list(qs.order_by("-received_on", "-pk")[:limit])}


def may_change(user, case) -> bool:
    return cases(user, CHANGE).filter(pk=case.pk).exists()


__all__ = ["timedelta"]
