"""Measures of harmonious-enterprise creation over what the user sees: coverage of certified
enterprises by town, class and tier, the current round's progress, the score distribution and
certified enterprises that later had disputes or alerts.

Every figure is a grouped aggregate: the number of queries does not depend on the number of
enterprises, evaluations or certificates (the benchmark compares county and small scale).
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import reduce

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.models import Region
from concord.core.scope import can, narrowed
from concord.registry.models import Enterprise

from .models import Certification, CertificationStatus, EnterpriseClass, Evaluation, EvaluationStatus, Round, Tier

# Score bands of the histogram: (label, from, below); the last band includes 100.
SCORE_BANDS = [("<60", None, 60), ("60–69", 60, 70), ("70–79", 70, 80), ("80–84", 80, 85), ("85–89", 85, 90),
               ("90–100", 90, None)]
LATER_ROWS = 50  # certified enterprises with later disputes or alerts shown on the page


@dataclass
class Measures:
    today: date
    round: Round | None
    tiers: list = field(default_factory=list)           # [Tier]
    classes: list = field(default_factory=list)         # [class name]
    towns: list = field(default_factory=list)           # [{"town", "enterprises", "certified", "share", "by_tier"}]
    total_enterprises: int = 0
    total_certified: int = 0
    by_class_tier: list = field(default_factory=list)   # [(class name, [n per tier], total)]
    statuses: list = field(default_factory=list)        # [(status, label)]
    progress: list = field(default_factory=list)        # [(town name, [n per status], total)]
    progress_totals: list = field(default_factory=list)
    histogram: list = field(default_factory=list)       # [(band label, n)]
    scored: int = 0
    later_total: int = 0
    later_disputes: int = 0
    later_alerts: int = 0
    later_rows: list = field(default_factory=list)      # [Certification with cases_after, alerts_after]
    cases_known: bool = True
    alerts_known: bool = True

    @property
    def applications(self):
        return sum(self.progress_totals)

    @property
    def share(self):
        return _share(self.total_certified, self.total_enterprises)


def _share(part, whole):
    return None if not whole else (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


def current_round(user):
    """The open round of the latest year, else the latest round."""
    rounds = Round.objects.visible_to(user).select_related("standard").order_by("-is_open", "-year")
    return rounds.first()


def valid_certifications(user, today):
    return Certification.objects.visible_to(user).filter(status=CertificationStatus.VALID, valid_until__gte=today)


def measures(user, today: date | None = None) -> Measures:
    today = today or timezone.localdate()
    rnd = current_round(user)
    m = Measures(today=today, round=rnd, tiers=list(Tier.objects.visible_to(user).order_by("rank")))
    tier_index = {t.pk: i for i, t in enumerate(m.tiers)}
    names = _coverage(m, user, today, tier_index)
    _round(m, user, rnd, names)
    _later(m, user)
    return m


def _coverage(m, user, today, tier_index):
    """Two queries: the towns with their numbers of enterprises and of certified enterprises (an
    enterprise holding two tiers counts once), each counted through the town's index (a handful of
    towns, whatever the number of enterprises); and valid titles grouped by town, tier and class."""
    valid = valid_certifications(user, today)
    towns = (Region.objects.annotate(
        n_enterprises=_count_of(Enterprise.objects.visible_to(user).filter(region=OuterRef("pk")), "region_id"),
        n_certified=_count_of(valid.filter(region=OuterRef("pk")), "region_id", Count("enterprise_id", distinct=True)),
    ).values_list("pk", "name", "n_enterprises", "n_certified").order_by())
    groups = (valid.values_list("region_id", "tier_id", "evaluation__enterprise_class__name").annotate(n=Count("pk"))
              .order_by())
    tiers, rows = {}, {}
    # A role that reads no county rows (an enterprise union officer) gets the totals without tiers.
    for region_id, tier_id, name, n in groups:
        if tier_id in tier_index:
            tiers.setdefault(region_id, [0] * len(m.tiers))[tier_index[tier_id]] += n
            rows.setdefault(name or "—", [0] * len(m.tiers))[tier_index[tier_id]] += n
    for region_id, name, ents, cert in sorted(towns, key=lambda row: row[1]):
        if not ents and not cert:
            continue  # a town outside the user's scope, or without enterprises
        m.towns.append({"town": name, "enterprises": ents, "certified": cert,
                        "share": _share(cert, ents), "by_tier": tiers.get(region_id, [0] * len(m.tiers))})
    m.total_enterprises = sum(row["enterprises"] for row in m.towns)
    m.total_certified = sum(row["certified"] for row in m.towns)
    order = list(EnterpriseClass.objects.visible_to(user).order_by("-min_head_count").values_list("name", flat=True))
    m.classes = sorted(rows, key=lambda n: order.index(n) if n in order else len(order))
    m.by_class_tier = [(name, rows[name], sum(rows[name])) for name in m.classes]
    return {region_id: name for region_id, name, _ents, _cert in towns}


def _round(m, user, rnd, names):
    """The current round's applications by town and status, and their final scores (the town's
    reviewed score, else the self-assessed one) in bands: one grouped query."""
    m.statuses = list(EvaluationStatus.choices)
    index = {value: i for i, (value, _label) in enumerate(m.statuses)}
    m.progress_totals = [0] * len(m.statuses)
    m.histogram = [(label, 0) for label, _lo, _hi in SCORE_BANDS]
    if rnd is None:
        return
    score = Coalesce("review_score", "self_score", output_field=DecimalField(max_digits=5, decimal_places=1))
    bands = {}
    for i, (_label, lo, hi) in enumerate(SCORE_BANDS):  # a missing score is in no band (NULL compares false)
        cond = Q()
        if lo is not None:
            cond &= Q(final__gte=lo)
        if hi is not None:
            cond &= Q(final__lt=hi)
        bands[f"b{i}"] = Count("pk", filter=cond)
    # Grouped by the town's id (the round, town, status and scores index answers it alone).
    rows = (Evaluation.objects.visible_to(user).filter(round=rnd).annotate(final=score)
            .values_list("region_id", "status").annotate(n=Count("pk"), **bands).order_by())
    towns, counts = {}, [0] * len(SCORE_BANDS)
    for region_id, status, n, *scored in rows:
        towns.setdefault(names[region_id], [0] * len(m.statuses))[index[status]] += n
        m.progress_totals[index[status]] += n
        counts = [a + b for a, b in zip(counts, scored)]
    m.progress = [(name, row, sum(row)) for name, row in sorted(towns.items())]
    m.histogram = [(label, counts[i]) for i, (label, _lo, _hi) in enumerate(SCORE_BANDS)]
    m.scored = sum(counts)


def _later(m, user):
    """Certified enterprises (any title status) with a dispute case received, or an alert raised,
    on or after the day of certification: counted in one query by the dates each certificate keeps
    (``later_case_on``, ``later_alert_on``, see services.refresh_later), so the cost does not grow
    with cases or alerts; the latest such certificates in another, walking them by date, with the
    numbers of cases and alerts the user sees after certification counted for those rows only.
    A user whose view of cases or alerts a role filter narrows gets "—" for that kind: the stored
    dates count every case and alert of the enterprise."""
    from concord.alerts.models import Alert
    from concord.disputes.models import Case

    m.cases_known = can(user, Case) and not narrowed(user, Case)
    m.alerts_known = can(user, Alert) and not narrowed(user, Alert)
    kinds = {}
    if m.cases_known:
        kinds["later_disputes"] = Q(later_case_on__isnull=False)
    if m.alerts_known:
        kinds["later_alerts"] = Q(later_alert_on__isnull=False)
    if not kinds:
        return
    either = reduce(operator.or_, kinds.values())
    certs = Certification.objects.visible_to(user)
    counts = certs.aggregate(later_total=Count("pk", filter=either),
                             **{name: Count("pk", filter=q) for name, q in kinds.items()})
    for name, n in counts.items():
        setattr(m, name, n)
    zero = Value(0, output_field=IntegerField())
    cases = Case.objects.visible_to(user).filter(respondent_id=OuterRef("enterprise_id"),
                                                 received_on__gte=OuterRef("certified_on"))
    alerts = Alert.objects.visible_to(user).filter(enterprise_id=OuterRef("enterprise_id"),
                                                   raised_on__gte=OuterRef("certified_on"))
    rows = certs.filter(either).annotate(
        cases_after=_count_of(cases, "respondent_id") if m.cases_known else zero,
        alerts_after=_count_of(alerts, "enterprise_id") if m.alerts_known else zero)
    m.later_rows = list(rows.select_related("enterprise", "region", "tier").order_by("-certified_on", "-pk")[:LATER_ROWS])


def _count_of(qs, key, count=None):
    """A correlated subquery: ``count`` (default: the rows) of ``qs``, which names an OuterRef, as
    an integer (0 when there are none)."""
    counted = qs.order_by().values(key).annotate(n=count or Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0, output_field=IntegerField()))


def export_rows(m: Measures):
    """The measures as rows (header first), for the CSV and Excel export."""
    tier_names = [t.name for t in m.tiers]
    yield [_("Measure"), _("Value")]
    yield [_("Date"), m.today.isoformat()]
    yield [_("Enterprises"), m.total_enterprises]
    yield [_("Certified enterprises (valid titles)"), m.total_certified]
    yield [_("Coverage (%)"), "" if m.share is None else m.share]
    yield []
    yield [_("Town"), _("Enterprises"), _("Certified"), _("Coverage (%)"), *tier_names]
    for row in m.towns:
        yield [row["town"], row["enterprises"], row["certified"], "" if row["share"] is None else row["share"], *row["by_tier"]]
    yield []
    yield [_("Enterprise class"), *tier_names, _("Total")]
    for name, counts, total in m.by_class_tier:
        yield [name, *counts, total]
    yield []
    yield [_("Round"), str(m.round) if m.round else "—"]
    yield [_("Town"), *[label for _value, label in m.statuses], _("Total")]
    for name, counts, total in m.progress:
        yield [name, *counts, total]
    yield [_("Total"), *m.progress_totals, sum(m.progress_totals)]
    yield []
    yield [_("Final score"), _("Evaluations")]
    for label, n in m.histogram:
        yield [label, n]
    yield []
    yield [_("Certified enterprises with a later dispute or alert"), m.later_total]
    yield [_("With a dispute case after certification"), m.later_disputes if m.cases_known else ""]
    yield [_("With an alert after certification"), m.later_alerts if m.alerts_known else ""]
    yield [_("Enterprise"), _("Certificate number"), _("Tier"), _("Certified on"), _("Status"),
           _("Cases after certification"), _("Alerts after certification")]
    for c in m.later_rows:
        yield [c.enterprise.name, c.number, c.tier.name, c.certified_on.isoformat(), c.get_status_display(),
               c.cases_after if m.cases_known else "", c.alerts_after if m.alerts_known else ""]
