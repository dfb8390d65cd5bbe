"""Reads of the creation round's pages, always through the scope (``visible_to``) except the public
publicity page, which shows only what a publicity notice shows (no personal data). Each read is a
fixed number of queries whatever the number of rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from concord.core.scope import ADD, CHANGE, VIEW, can, user_roles

from . import rules, services, workflow
from .models import (
    CountyReview, Evaluation, EvaluationStatus, IndicatorScore, Method, Objection, Round, Tier,
)

# The statuses in the order the round's progress shows them.
PROGRESS = [workflow.DRAFT, workflow.RETURNED, workflow.SUBMITTED, workflow.REVIEWED, workflow.PUBLICITY,
            workflow.CERTIFIED, workflow.REJECTED, workflow.WITHDRAWN]
PROGRESS_COLORS = {workflow.DRAFT: "secondary", workflow.RETURNED: "warning", workflow.SUBMITTED: "info",
                   workflow.REVIEWED: "primary", workflow.PUBLICITY: "dark", workflow.CERTIFIED: "success",
                   workflow.REJECTED: "danger", workflow.WITHDRAWN: "light"}


def url_or_empty(name: str, *args) -> str:
    """The URL of a page another part of the app may provide (e.g. the county review tasks)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def may_change(user, obj) -> bool:
    return type(obj)._default_manager.visible_to(user, CHANGE).filter(pk=obj.pk).exists()


def evaluations(user, action=VIEW):
    return Evaluation.objects.visible_to(user, action)


# --- the round ------------------------------------------------------------------------------------

def round_progress(round_, user) -> dict:
    """Applications of the round the user sees, by status (one grouped query)."""
    counts = dict(evaluations(user).filter(round=round_).values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    rows = [{"status": s, "label": EvaluationStatus(s).label, "count": counts.get(s, 0), "color": PROGRESS_COLORS[s],
             "percent": round(counts.get(s, 0) * 100 / total) if total else 0} for s in PROGRESS]
    return {"rows": rows, "total": total}


def deadlines(round_, today: date) -> list[dict]:
    rows = []
    for name in ("opens_on", "self_assessment_due", "review_due", "approval_due"):
        day = getattr(round_, name)
        rows.append({"name": name, "label": Round._meta.get_field(name).verbose_name, "day": day,
                     "days_left": (day - today).days, "past": day < today})
    return rows


def may_apply(user, round_, today: date) -> bool:
    """Whether the user may open applications in this round now (the service checks each one)."""
    if not (round_.is_open and today <= round_.self_assessment_due):
        return False
    return user.is_superuser or (can(user, Evaluation, ADD) and bool(workflow.APPLICANTS & user_roles(user)))


def tiers():
    return list(Tier.objects.select_related("prerequisite").order_by("rank"))


# --- the evaluation -------------------------------------------------------------------------------

def _yes_no(value) -> str:
    return _("yes") if value else _("no")


def figure_text(method: str, figures: dict) -> str:
    """The figures a computed indicator's points came from, as a reader reads them."""
    f = figures or {}
    if method == Method.CONTRACT_RATE:
        if f.get("rate") is None:
            return _("No current employment recorded")
        return _("Signing rate %(rate)s%% (%(part)s/%(whole)s)") % {
            "rate": f["rate"], "part": f.get("signed", 0), "whole": f.get("employments", 0)}
    if method == Method.INSURANCE_RATE:
        if f.get("rate") is None:
            return _("No current employment recorded")
        return _("Insured %(rate)s%% (%(part)s/%(whole)s)") % {
            "rate": f["rate"], "part": f.get("insured", 0), "whole": f.get("employments", 0)}
    if method == Method.WAGES_ON_TIME:
        return _("%(n)s wage-arrears signals in the period") % {"n": f.get("arrears_signals", 0)}
    if method == Method.DISPUTES:
        return _("%(n)s dispute cases, %(c)s collective") % {"n": f.get("cases", 0), "c": f.get("collective_cases", 0)}
    if method == Method.ALERT_LEVEL:
        level = f.get("level") or ""
        if not level:
            return _("Early-warning level: no risk")
        from concord.alerts.models import Level

        try:
            label = Level(level).label
        except ValueError:
            label = level
        return _("Early-warning level: %(level)s") % {"level": label}
    if method == Method.UNION_CONGRESS:
        return _("Union: %(union)s; workers' congress: %(congress)s") % {
            "union": _yes_no(f.get("union")), "congress": _yes_no(f.get("congress"))}
    if method == Method.SATISFACTION:
        if f.get("share") is None:
            return _("No valid survey result")
        return _("Satisfied %(share)s%% of %(n)s responses") % {"share": f["share"], "n": f.get("responses", 0)}
    return ""


@dataclass
class ScoreGroup:
    name: str
    rows: list = field(default_factory=list)
    max_points: Decimal = Decimal(0)


def score_groups(evaluation) -> tuple[list[ScoreGroup], dict]:
    """The evaluation's scores by indicator group (one query), with each computed indicator's
    figures in words, and the totals."""
    scores = list(IndicatorScore.objects.filter(evaluation=evaluation).select_related("indicator__group")
                  .order_by("indicator__group__order", "indicator__group_id", "indicator__order", "indicator__pk"))
    groups: dict[int, ScoreGroup] = {}
    for s in scores:
        g = groups.setdefault(s.indicator.group_id, ScoreGroup(s.indicator.group.name))
        s.computed = s.indicator.is_computed
        s.figure_text = figure_text(s.indicator.method, s.figures) if s.computed else ""
        s.before = s.self_points if s.self_points is not None else s.computed_points
        s.changed = s.review_points is not None and s.review_points != s.before
        g.rows.append(s)
        g.max_points += s.indicator.max_points
    totals = {
        "max": sum((s.indicator.max_points for s in scores), Decimal(0)),
        "self": services.total(scores, "self_points"),
        "review": services.total(scores, "review_points") if evaluation.review_score is not None else None,
        "unscored": sum(1 for s in scores if not s.computed and s.self_points is None),
    }
    return list(groups.values()), totals


def objections(evaluation, user):
    return list(Objection.objects.visible_to(user).filter(evaluation=evaluation).select_related("answered_by"))


def approval_problem(evaluation, today: date) -> str:
    """What would stop the county's approval now (tier score, prerequisite, vetoes), for a hint."""
    if evaluation.status != EvaluationStatus.REVIEWED:
        return ""
    return services.approval_problem(evaluation, today) or ""


# --- the public publicity page --------------------------------------------------------------------

def in_publicity(today: date):
    """Applications in publicity today: only the fields a publicity notice shows."""
    return (Evaluation.objects.filter(status=EvaluationStatus.PUBLICITY, publicity_from__lte=today,
                                      publicity_until__gte=today)
            .select_related("enterprise", "region", "tier", "round")
            .only("pk", "status", "publicity_from", "publicity_until", "self_score", "review_score",
                  "enterprise__name", "region__name", "tier__name", "round__year", "round__name")
            .order_by("publicity_until", "region__path", "enterprise__name"))


def objection_open(evaluation, today: date) -> bool:
    return evaluation.status == EvaluationStatus.PUBLICITY and rules.objection_open(
        today, evaluation.publicity_from, evaluation.publicity_until)


# --- certificates ---------------------------------------------------------------------------------

def county_reviews(certification, user):
    rows = list(CountyReview.objects.visible_to(user).filter(certification=certification)
                .select_related("veto_event__item").order_by("-opened_on", "-pk"))
    scope_veto_descriptions([r.veto_event for r in rows], user)
    for r in rows:
        r.url = url_or_empty("harmony:countyreview_detail", r.pk)
    return rows


def county_region(region):
    """The county above a town (the issuing federation is the county's)."""
    return region.ancestors().first() or region


# --- veto events: descriptions scoped like the records they name ---------------------------------

# A detected veto event's key names its source (services._detected: "veto:<item>:<kind>:<pk>"); its
# description names that record (a case or alert number, a survey's share). A reader who may not
# open the record reads a description without it (issue 13: the court liaison saw the numbers of
# cases that are not court referrals, and of alerts).
VETO_SOURCES = {"case": ("disputes", "Case"), "alert": ("alerts", "Alert"), "survey": ("harmony", "Survey")}


def _hidden_source(kind):
    return {
        "case": _("A dispute case outside your scope (see the veto item)."),
        "alert": _("An early-warning alert outside your scope (see the veto item)."),
        "survey": _("A satisfaction survey outside your scope (see the veto item)."),
    }[kind]


def veto_source(key: str | None):
    """(kind, pk) of the record a detected veto event names, or None (recorded by hand)."""
    parts = (key or "").split(":")
    if len(parts) == 4 and parts[0] == "veto" and parts[2] in VETO_SOURCES and parts[3].isdigit():
        return parts[2], int(parts[3])
    return None


def scope_veto_descriptions(events, user):
    """Replace, in memory, the description of each event whose named record ``user`` may not view
    (one query per kind of record, whatever the number of events); returns the events."""
    from django.apps import apps

    events = [e for e in events if e is not None]
    wanted = {}
    for e in events:
        source = veto_source(e.key)
        if source:
            wanted.setdefault(source[0], set()).add(source[1])
    visible = {}
    for kind, pks in wanted.items():
        model = apps.get_model(*VETO_SOURCES[kind])
        visible[kind] = set(model.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))
    for e in events:
        source = veto_source(e.key)
        if source and source[1] not in visible[source[0]]:
            e.description = str(_hidden_source(source[0]))
    return events
