"""Reads of the disputes pillar, always through the scope (``visible_to``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from concord.core.scope import CHANGE, REGION_ROLES, VIEW, assignments_of, can

from . import parameters, rules, services, workflow
from .models import FINISHED_STATUSES, OPEN_STATUSES, TALLY_VENDORS, Case, CaseTally, Claimant, Level, Status

OPEN_STATUSES_LIST = [str(s) for s in OPEN_STATUSES]


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
    final_award_on: date | None  # the day whose minimum wage the limit uses (rules.final_award_date)
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
    # The standard in force when the arbitration application is (or would be) made, with the
    # county's tier on that day (law art. 47; docs/disputes-rules.md).
    award_on = rules.final_award_date(case.received_on, case.closed_on, today=today)
    try:
        limit = rules.final_award_limit(award_on, table=table)
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
        final_award_on=award_on if limit is not None else None,
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


def measures(user, year: int, today: date | None = None, *, source: str | None = None) -> Measures:
    """The disputes measures over the cases ``user`` sees, received in ``year``: two queries
    whatever the number of cases.

    The counts and sums come from the case tally (``CaseTally``, a few rows per town and month, kept
    by the database) when it answers for the user, else from the cases themselves, grouped the same
    way; ``source`` ("tally" or "cases") forces one (tests compare the two). The overdue count
    depends on today, so it is always counted on the cases (the running ones, through the status
    and deadline index)."""
    today = today or timezone.localdate()
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    if (source or ("tally" if tally_answers(user) else "cases")) == "tally":
        groups = (
            CaseTally.objects.visible_to(user).filter(month__gte=start, month__lt=end)
            .values("month", "is_collective", "status", "resolved_level")
            .annotate(n=Sum("cases"), days=Sum("days_sum"), days_n=Sum("days_count"),
                      claimed_cents=Sum("claimed_cents"), recovered_cents=Sum("recovered_cents"))
            .order_by()
        )
    else:
        groups = (
            cases(user).filter(received_on__gte=start, received_on__lt=end)
            .values("is_collective", "status", "resolved_level", month=TruncMonth("received_on"))
            .annotate(n=Count("pk"), days=Sum("resolution_days"), days_n=Count("resolution_days"),
                      claimed=Sum("amount_claimed"), recovered=Sum("amount_recovered"))
            .order_by()
        )
    overdue = cases(user).filter(received_on__gte=start, received_on__lt=end, status__in=workflow.RUNNING,
                                 deadline__lt=today).count()
    return _fold(year, groups, overdue)


def tally_answers(user) -> bool:
    """Whether the case tally gives ``user`` the same figures as their cases: on a database whose
    triggers keep it, for a user who reaches cases by region only (a region role without a role
    filter, e.g. not the court liaison, who sees court referrals only; not a union officer, whose
    scope is one enterprise)."""
    if connection.vendor not in TALLY_VENDORS:
        return False
    if user.is_superuser:
        return True
    spec = Case.scope
    roles = {a.role for a in assignments_of(user) if a.role in spec.view_roles}
    return bool(roles) and roles <= REGION_ROLES and not roles & spec.role_filters.keys()


def _fen(value) -> int:
    return int((Decimal(value) * 100).to_integral_value()) if value is not None else 0


def _fold(year: int, groups, overdue: int) -> Measures:
    total = collective = open_ = resolved = at_enterprise = at_town = days = days_n = claimed = recovered = 0
    months = {m: [0, 0] for m in range(1, 13)}
    for g in groups:
        n = g["n"] or 0
        total += n
        months[g["month"].month][1 if g["is_collective"] else 0] += n
        if g["is_collective"]:
            collective += n
        if g["status"] not in FINISHED_STATUSES:
            open_ += n
        if g["resolved_level"]:
            resolved += n
            at_enterprise += n if g["resolved_level"] == Level.ENTERPRISE else 0
            at_town += n if g["resolved_level"] == Level.TOWN else 0
        days += g["days"] or 0
        days_n += g["days_n"] or 0
        if "claimed_cents" in g:  # the tally keeps fen
            claimed += g["claimed_cents"] or 0
            recovered += g["recovered_cents"] or 0
        else:
            claimed += _fen(g["claimed"])
            recovered += _fen(g["recovered"])
    share = (lambda n: n / resolved) if resolved else (lambda n: None)
    money = lambda fen: Decimal(fen).scaleb(-2) if fen else Decimal(0)  # noqa: E731
    return Measures(
        year=year, total=total, collective=collective, open=open_, overdue=overdue,
        resolved=resolved, enterprise_share=share(at_enterprise), town_or_below_share=share(at_enterprise + at_town),
        average_days=round(days / days_n, 1) if days_n else None,
        amount_claimed=money(claimed), amount_recovered=money(recovered),
        by_month=[(m, *months[m]) for m in range(1, 13)],
        by_level=[(Level(Level.ENTERPRISE).label, at_enterprise), (Level(Level.TOWN).label, at_town),
                  (Level(Level.COUNTY).label, resolved - at_enterprise - at_town)],
    )


def measure_years(user):
    today = timezone.localdate()
    return list(range(today.year, today.year - 5, -1))


PANEL_FIELDS = ("number", "received_on", "is_collective", "subcategory", "level", "status", "respondent")


def cases_of_enterprise(enterprise, user, limit=10):
    if not can(user, Case):
        return None
    qs = cases(user).filter(respondent=enterprise)
    rows = qs.only(*PANEL_FIELDS).order_by("-received_on", "-pk")[:limit]  # not the long texts of each case
    return {"rows": list(rows),
            "counts": qs.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status__in=workflow.RUNNING | {Status.RECEIVED})))}


def cases_of_worker(worker, user, limit=10):
    if not can(user, Case):
        return None
    qs = cases(user).filter(claimants__worker=worker).select_related("respondent")
    return {"rows": list(qs.order_by("-received_on", "-pk")[:limit])}


def may_change(user, case) -> bool:
    return cases(user, CHANGE).filter(pk=case.pk).exists()


__all__ = ["timedelta"]


# --- what waits for the user (home page, the case list's "waiting for me") ------------------------

# A running case is "near its deadline" from three days before it (the 15-day mediation period
# leaves a handler little room: three days is the last working week's warning).
DEADLINE_NEAR_DAYS = 3


def handling_levels(user) -> set[str]:
    """The levels the user's handling assignments work at (enterprise, town or county)."""
    if user.is_superuser:
        return {Level.ENTERPRISE, Level.TOWN, Level.COUNTY}
    return {lvl for a in assignments_of(user) if a.role in workflow.HANDLERS
            for lvl in [workflow.assignment_level(a)] if lvl}


def awaiting_q(user) -> Q:
    """Open cases that wait for ``user``: at the level their handling role works at, or assigned to
    them as mediator. The scope (``visible_to``) still applies on top."""
    return Q(status__in=OPEN_STATUSES_LIST) & (Q(level__in=sorted(handling_levels(user))) | Q(mediator=user))


def deadline_near_q(today: date) -> Q:
    return Q(status__in=sorted(workflow.RUNNING), deadline__gte=today,
             deadline__lte=today + timedelta(days=DEADLINE_NEAR_DAYS))


def confirmation_pending_q() -> Q:
    """Agreements whose judicial confirmation was applied for and is not yet recorded."""
    return Q(status=Status.AGREEMENT, confirmation_requested_on__isnull=False, confirmation_result="")


def awaiting_counts(user, today: date) -> dict:
    """The home page's case counts, in one query: received (to accept), running, near the deadline
    and past it, of the cases waiting for ``user``."""
    running = Q(status__in=sorted(workflow.RUNNING))
    return cases(user).filter(awaiting_q(user)).aggregate(
        received=Count("pk", filter=Q(status=Status.RECEIVED)),
        running=Count("pk", filter=running),
        near=Count("pk", filter=deadline_near_q(today)),
        overdue=Count("pk", filter=running & Q(deadline__lt=today)),
    )
