"""Reads of early warning, always through the scope (``visible_to``), each a constant number of
queries whatever the number of rows (select_related, annotations, aggregates)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Case as Choose, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.models import Region
from concord.core.scope import CHANGE, Role, VIEW, assignments_of, can
from concord.registry.models import Enterprise

from . import rules, workflow
from .models import Alert, AlertAction, AlertStatus, EnterpriseRisk, Level, RiskChange, RiskSignal, SignalKind

LEVELS = list(rules.LEVELS)  # lowest first
# The chart colours of the levels (Bootstrap's blue, yellow, orange and red).
COLORS = {rules.BLUE: "#0d6efd", rules.YELLOW: "#ffc107", rules.ORANGE: "#fd7e14", rules.RED: "#dc3545"}
LIVE = list(workflow.LIVE)


def level_label(level: str) -> str:
    return str(Level(level).label) if level else _("No risk")


def kind_label(kind: str) -> str:
    try:
        return str(SignalKind(kind).label)
    except ValueError:
        return kind


def level_rank():
    """An annotation ranking levels (red highest), to order by risk rather than by the level's name."""
    return Choose(*[When(level=lv, then=Value(rules.RANK[lv])) for lv in LEVELS], default=Value(0),
                 output_field=IntegerField())


def is_county_user(user) -> bool:
    """A county administrator (assigned at county level): the inbox opens on the county's alerts."""
    return any(a.role == Role.COUNTY_ADMIN and a.region_id and a.region.parent_id is None for a in assignments_of(user))


def overdue_q(today: date) -> Q:
    """No response by the deadline (an open alert; the first action moves it to 'being handled')."""
    return Q(status=AlertStatus.OPEN, deadline__lt=today)


# --- alerts -----------------------------------------------------------------------------------------

def alerts(user, action=VIEW):
    return Alert.objects.visible_to(user, action)


def alert_list(user):
    return alerts(user).select_related("enterprise", "region")


def may_change(user, alert) -> bool:
    return alerts(user, CHANGE).filter(pk=alert.pk).exists()


def explanation_rows(explanation, user):
    """The stored explanation with labels, and each signal's source and evidence when the user sees
    it (one query)."""
    ids = [row.get("signal") for row in explanation or () if row.get("signal")]
    signals = {s.pk: s for s in RiskSignal.objects.visible_to(user).filter(pk__in=ids)} if ids else {}
    out = []
    for row in explanation or ():
        signal = signals.get(row.get("signal"))
        value = row.get("value")
        unit = signal.value_unit if signal else ""
        out.append({
            **row, "kind_label": kind_label(row.get("kind", "")), "level_label": level_label(row.get("min_level", "")),
            "value_text": "" if value in (None, "") else f"{_number(value)}{'' if not unit else ('%' if unit == '%' else ' ' + str(unit))}",
            "signal_obj": signal,
        })
    return out


def _number(value) -> str:
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def explanation_summary(explanation) -> str:
    return "；".join(row["rule_label"] for row in explanation or () if row.get("counted"))


def alert_actions(alert):
    return list(AlertAction.objects.filter(alert=alert).select_related("meeting__region", "recorded_by"))


def meeting_choices(user):
    """Tripartite meetings the user may link to an action (their scope, newest first)."""
    from concord.disputes.models import TripartiteMeeting

    return TripartiteMeeting.objects.visible_to(user).select_related("region").order_by("-held_on", "-pk")


# --- enterprise risk ----------------------------------------------------------------------------

def regions_in_scope(user):
    """The regions the user sees (a county has about twenty), cached on the user for the request.
    Narrowing risk rows by ``region_id IN (…)`` on top of the scope lets the database count and
    sort them from the (region, level) index instead of reading every enterprise at risk."""
    cached = getattr(user, "_alerts_regions", None)
    if cached is None:
        cached = list(Region.objects.visible_to(user).order_by("code"))
        user._alerts_regions = cached
    return cached


def risks(user):
    return EnterpriseRisk.objects.visible_to(user).filter(region_id__in=[r.pk for r in regions_in_scope(user)])


def risk_counts(user):
    """Rows {town, counts per level, total} over the enterprises the user sees, every town in scope
    listed, and the totals per level (two queries)."""
    regions = regions_in_scope(user)
    towns = [r for r in regions if r.kind == Region.Kind.TOWN]
    counts = {t.pk: {lv: 0 for lv in LEVELS} for t in towns}
    for row in risks(user).filter(level__in=LEVELS).values("region_id", "level").annotate(n=Count("pk")).order_by():
        counts.setdefault(row["region_id"], {lv: 0 for lv in LEVELS})[row["level"]] = row["n"]
    names = {r.pk: r for r in regions}
    rows = [{"town": names[pk], "counts": [counts[pk][lv] for lv in LEVELS],
             "cells": [(lv, counts[pk][lv]) for lv in LEVELS], "total": sum(counts[pk].values())}
            for pk in counts]
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(LEVELS))]
    return rows, totals


def risk_list(user):
    """Enterprises at a level, the highest first. Only the columns the table shows: the sort runs
    over every enterprise at risk in the scope (thousands in a county)."""
    return (risks(user).filter(level__in=LEVELS).select_related("enterprise", "region")
            .only("enterprise__name", "enterprise__credit_code", "region__name", "region__code", "level", "score",
                  "level_since", "assessed_on")
            .annotate(rank=level_rank())
            .order_by("-rank", "-score", "enterprise__name", "pk"))


def with_open_alert(qs, ref="enterprise_id"):
    """Annotate ``open_alert`` and ``open_alert_number`` (for exports, where every row is read)."""
    live = Alert.objects.filter(enterprise=OuterRef(ref), status__in=LIVE)
    return qs.annotate(open_alert=Subquery(live.values("pk")[:1]), open_alert_number=Subquery(live.values("number")[:1]))


def attach_open_alerts(risks, user):
    """Set ``open_alert`` and ``open_alert_number`` on a page of risk rows (one query)."""
    ids = [r.enterprise_id for r in risks]
    found = {}
    if ids:
        found = {ent: (pk, number) for pk, ent, number in alerts(user).filter(enterprise_id__in=ids, status__in=LIVE)
                 .values_list("pk", "enterprise_id", "number")}
    for r in risks:
        r.open_alert, r.open_alert_number = found.get(r.enterprise_id, (None, None))
    return risks


def watch_list(user):
    """Key enterprises and those at orange or red, with their risk, open alert and last signal."""
    if not can(user, EnterpriseRisk):
        return Enterprise.objects.none()
    open_alert = Alert.objects.filter(enterprise=OuterRef("pk")).exclude(status=AlertStatus.CLOSED)
    last_signal = RiskSignal.objects.filter(enterprise=OuterRef("pk")).order_by("-observed_on", "-pk")
    return (Enterprise.objects.visible_to(user)
            .filter(Q(is_key_enterprise=True) | Q(risk__level__in=[rules.ORANGE, rules.RED]))
            .select_related("region", "risk")
            .annotate(rank=Choose(*[When(risk__level=lv, then=Value(rules.RANK[lv])) for lv in LEVELS], default=Value(0),
                                 output_field=IntegerField()),
                      open_alert=Subquery(open_alert.values("pk")[:1]),
                      open_alert_number=Subquery(open_alert.values("number")[:1]),
                      open_alert_level=Subquery(open_alert.values("level")[:1]),
                      last_signal_kind=Subquery(last_signal.values("kind")[:1]),
                      last_signal_on=Subquery(last_signal.values("observed_on")[:1]))
            .order_by("-rank", "-risk__score", "name", "pk"))


def risk_of(enterprise, user):
    return EnterpriseRisk.objects.visible_to(user).filter(enterprise=enterprise).first()


def signals_of(enterprise, user, limit=100):
    return list(RiskSignal.objects.visible_to(user).filter(enterprise=enterprise).order_by("-observed_on", "-pk")[:limit])


def risk_timeline(enterprise, user, signals=None, limit=50):
    """Level changes, signals and alerts of an enterprise, newest first (three queries)."""
    rows = []
    for c in RiskChange.objects.visible_to(user).filter(enterprise=enterprise)[:limit]:
        rows.append({"day": c.changed_on, "order": (c.pk, 2), "kind": "level", "level": c.level,
                     "label": _("Level %(old)s → %(new)s") % {"old": level_label(c.previous_level), "new": level_label(c.level)},
                     "text": _("score %(score)s") % {"score": c.score} + (f" · {explanation_summary(c.explanation)}" if c.explanation else "")})
    for s in (signals if signals is not None else signals_of(enterprise, user, limit))[:limit]:
        rows.append({"day": s.observed_on, "order": (s.pk, 1), "kind": "signal", "level": "",
                     "label": _("Signal: %(kind)s") % {"kind": s.get_kind_display()},
                     "text": " · ".join(p for p in (describe(s), s.get_source_display(), s.evidence) if p)})
    for a in Alert.objects.visible_to(user).filter(enterprise=enterprise).order_by("-raised_on", "-pk")[:limit]:
        rows.append({"day": a.raised_on, "order": (a.pk, 3), "kind": "alert", "level": a.level, "alert": a,
                     "label": _("Alert %(number)s raised") % {"number": a.number},
                     "text": f"{a.get_status_display()} · {a.reason}"})
        if a.closed_on:
            rows.append({"day": a.closed_on, "order": (a.pk, 4), "kind": "alert", "level": "", "alert": a,
                         "label": _("Alert %(number)s closed") % {"number": a.number},
                         "text": f"{a.get_outcome_display()} · {a.outcome_note}"})
    rows.sort(key=lambda r: (r["day"], r["order"][1], r["order"][0]), reverse=True)
    return rows[:limit]


def describe(signal) -> str:
    if signal.value is None:
        return ""
    unit = signal.value_unit
    return f"{_number(signal.value)}{'' if not unit else ('%' if unit == '%' else ' ' + str(unit))}"


def enterprise_panel(enterprise, user, changes=5):
    """The early-warning section of the enterprise 360 page (two queries), or None for roles that
    do not see early-warning data."""
    if not can(user, EnterpriseRisk):
        return None
    risk = risk_of(enterprise, user)
    last = list(RiskChange.objects.visible_to(user).filter(enterprise=enterprise)[:changes])
    return {"risk": risk, "summary": explanation_summary(risk.explanation) if risk else "",
            "changes": [{"row": c, "old": level_label(c.previous_level), "new": level_label(c.level)} for c in last]}


# --- measures -----------------------------------------------------------------------------------

@dataclass
class Measures:
    year: int
    total: int
    by_level: list  # [(level, label, n)]
    by_month: list  # [(month, [n per level])]
    by_town: list  # [(town, [n per level], total)]
    responded: int
    median_days: float | None
    average_days: float | None
    closed: int
    prevented: int
    not_prevented: int
    unknown: int
    open: int
    overdue: int
    levels: list = field(default_factory=list)  # [(level, label)]

    @property
    def prevented_share(self):
        known = self.prevented + self.not_prevented
        return self.prevented / known if known else None


def measures(user, year: int, today: date | None = None) -> Measures:
    """Alerts raised in ``year`` that the user sees: by level, month and town, days to the first
    response, and whether closed alerts prevented a dispute (rules.prevented). A fixed number of
    queries: the aggregates, the alerts' dates, and the case dates at their enterprises."""
    from concord.disputes.models import Case

    today = today or timezone.localdate()
    qs = alerts(user).filter(raised_on__gte=date(year, 1, 1), raised_on__lt=date(year + 1, 1, 1))
    months = {m: {lv: 0 for lv in LEVELS} for m in range(1, 13)}
    towns = defaultdict(lambda: {lv: 0 for lv in LEVELS})
    for row in (qs.annotate(month=ExtractMonth("raised_on")).values("month", "level", "region_id", "region__name")
                .annotate(n=Count("pk")).order_by()):
        if row["level"] in months[row["month"]]:
            months[row["month"]][row["level"]] += row["n"]
            towns[(row["region__name"], row["region_id"])][row["level"]] += row["n"]
    by_level = [(lv, level_label(lv), sum(months[m][lv] for m in months)) for lv in LEVELS]
    totals = qs.aggregate(open=Count("pk", filter=Q(status__in=LIVE)), overdue=Count("pk", filter=overdue_q(today)))
    # Days to the first response and the prevention outcome need each alert's dates.
    rows = list(qs.values_list("enterprise_id", "raised_on", "first_response_on", "closed_on"))
    days = sorted((first - raised).days for _e, raised, first, _c in rows if first is not None)
    closed = [(ent, raised, closed_on) for ent, raised, _f, closed_on in rows if closed_on is not None]
    # Whether a case arose at the enterprise is a fact about the enterprise the user sees the alert
    # of, whoever handles the case: the dates are read without the case scope, nothing else is.
    case_dates = defaultdict(list)
    if closed:
        first_day = min(raised for _e, raised, _c in closed)
        for ent, received in (Case.objects.filter(respondent_id__in=qs.filter(closed_on__isnull=False).values("enterprise_id"),
                                                  received_on__gte=first_day)
                              .values_list("respondent_id", "received_on")):
            case_dates[ent].append(received)
    outcome = {True: 0, False: 0, None: 0}
    for ent, raised, closed_on in closed:
        outcome[rules.prevented(raised, closed_on, case_dates.get(ent, ()), today)] += 1
    return Measures(
        year=year, total=len(rows), by_level=by_level,
        by_month=[(m, [months[m][lv] for lv in LEVELS]) for m in range(1, 13)],
        by_town=[(name, [c[lv] for lv in LEVELS], sum(c.values())) for (name, _pk), c in sorted(towns.items(), key=lambda i: i[0][0] or "")],
        responded=len(days), median_days=float(median(days)) if days else None,
        average_days=round(sum(days) / len(days), 1) if days else None,
        closed=len(closed), prevented=outcome[True], not_prevented=outcome[False], unknown=outcome[None],
        open=totals["open"], overdue=totals["overdue"], levels=[(lv, level_label(lv)) for lv in LEVELS],
    )


def measure_years():
    today = timezone.localdate()
    return list(range(today.year, today.year - 5, -1))



# --- when the rules apply ----------------------------------------------------------------------------

SCAN_JOB = "alerts.scan"


@dataclass(frozen=True)
class ScanSchedule:
    every: timedelta
    last_started: datetime | None
    last_finished: datetime | None
    status: str
    next_due: datetime | None  # None: due now (never run, or overdue), at the job runner's next pass
    running: bool

    @property
    def every_hours(self) -> int:
        return int(self.every.total_seconds() // 3600)


def scan_schedule(now: datetime | None = None) -> ScanSchedule:
    """When the periodic scan (alerts/periodic.py, core/jobs.py) last ran and is next due: a saved
    rule changes levels from then. Read from the job's own row; the times are no one's data, so
    every reader of the rules page may see them (JobRun's scope is for the job list itself)."""
    from concord.core.jobs import JOBS
    from concord.core.models import JobRun

    now = now or timezone.now()
    every = JOBS[SCAN_JOB].every
    run = JobRun.objects.filter(name=SCAN_JOB).first()
    started = run.last_started if run else None
    running = bool(run and run.status == JobRun.Status.RUNNING and started and now - started < every)
    due = started + every if started else None
    return ScanSchedule(every, started, run.last_finished if run else None, run.status if run else "",
                        due if due and due > now else None, running)
