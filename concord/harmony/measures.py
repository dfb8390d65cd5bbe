"""Measures of harmonious-enterprise creation over what the user sees: coverage of certified
enterprises by town, class and tier, the current round's progress, the score distribution and
certified enterprises that later had disputes or alerts.

Every figure is a grouped aggregate: the number of queries does not depend on the number of
enterprises, evaluations or certificates (the benchmark compares county and small scale).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.models import Region
from concord.core.scope import can
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
    _coverage(m, user, today, tier_index)
    _progress(m, user, rnd)
    _histogram(m, user, rnd)
    _later(m, user)
    return m


def _coverage(m, user, today, tier_index):
    valid = valid_certifications(user, today)
    # Enterprises per town, certified enterprises per town (an enterprise holding two tiers counts once)
    # and titles per town and tier, per class and tier: four grouped queries.
    enterprises = dict(Enterprise.objects.visible_to(user).values_list("region_id").annotate(n=Count("pk")).order_by())
    certified = dict(valid.values_list("region_id").annotate(n=Count("enterprise_id", distinct=True)).order_by())
    by_town_tier = valid.values_list("region_id", "tier_id").annotate(n=Count("pk")).order_by()
    by_class_tier = (valid.values_list("evaluation__enterprise_class__name", "tier_id").annotate(n=Count("pk"))
                     .order_by())
    ids = set(enterprises) | set(certified)
    names = dict(Region.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    tiers = {}
    # A role that reads no county rows (an enterprise union officer) gets the totals without tiers.
    for region_id, tier_id, n in by_town_tier:
        if tier_id in tier_index:
            tiers.setdefault(region_id, [0] * len(m.tiers))[tier_index[tier_id]] += n
    for region_id in sorted(ids, key=lambda pk: names.get(pk, "")):
        ents, cert = enterprises.get(region_id, 0), certified.get(region_id, 0)
        m.towns.append({"town": names.get(region_id, "—"), "enterprises": ents, "certified": cert,
                        "share": _share(cert, ents), "by_tier": tiers.get(region_id, [0] * len(m.tiers))})
    m.total_enterprises = sum(enterprises.values())
    m.total_certified = sum(certified.values())
    rows = {}
    for name, tier_id, n in by_class_tier:
        if tier_id in tier_index:
            rows.setdefault(name or "—", [0] * len(m.tiers))[tier_index[tier_id]] += n
    order = list(EnterpriseClass.objects.visible_to(user).order_by("-min_head_count").values_list("name", flat=True))
    m.classes = sorted(rows, key=lambda n: order.index(n) if n in order else len(order))
    m.by_class_tier = [(name, rows[name], sum(rows[name])) for name in m.classes]


def _progress(m, user, rnd):
    m.statuses = list(EvaluationStatus.choices)
    index = {value: i for i, (value, _label) in enumerate(m.statuses)}
    m.progress_totals = [0] * len(m.statuses)
    if rnd is None:
        return
    rows = (Evaluation.objects.visible_to(user).filter(round=rnd).values_list("region__name", "status")
            .annotate(n=Count("pk")).order_by())
    towns = {}
    for name, status, n in rows:
        towns.setdefault(name, [0] * len(m.statuses))[index[status]] += n
        m.progress_totals[index[status]] += n
    m.progress = [(name, counts, sum(counts)) for name, counts in sorted(towns.items())]


def _histogram(m, user, rnd):
    """Final scores (the town's reviewed score, else the self-assessed one) of the round's
    evaluations that have one, in bands: one query."""
    if rnd is None:
        m.histogram = [(label, 0) for label, _lo, _hi in SCORE_BANDS]
        return
    score = Coalesce("review_score", "self_score", output_field=DecimalField(max_digits=5, decimal_places=1))
    qs = Evaluation.objects.visible_to(user).filter(round=rnd).annotate(final=score).filter(final__isnull=False)
    aggregates = {}
    for i, (label, lo, hi) in enumerate(SCORE_BANDS):
        cond = Q()
        if lo is not None:
            cond &= Q(final__gte=lo)
        if hi is not None:
            cond &= Q(final__lt=hi)
        aggregates[f"b{i}"] = Count("pk", filter=cond)
    counts = qs.aggregate(**aggregates)
    m.histogram = [(label, counts[f"b{i}"] or 0) for i, (label, _lo, _hi) in enumerate(SCORE_BANDS)]
    m.scored = sum(n for _label, n in m.histogram)


def _later(m, user):
    """Certified enterprises (any title status) with a dispute case received, or an alert raised,
    on or after the day of certification: counts in one query, the first rows in another."""
    from concord.alerts.models import Alert
    from concord.disputes.models import Case

    certs = Certification.objects.visible_to(user)
    zero = Value(0, output_field=IntegerField())
    if can(user, Case):
        cases = (Case.objects.visible_to(user).filter(respondent_id=OuterRef("enterprise_id"),
                                                       received_on__gte=OuterRef("certified_on"))
                 .order_by().values("respondent_id").annotate(n=Count("pk")).values("n"))
        certs = certs.annotate(cases_after=Coalesce(Subquery(cases, output_field=IntegerField()), zero))
    else:
        certs = certs.annotate(cases_after=zero)
    m.alerts_known = can(user, Alert)
    if m.alerts_known:
        alerts = (Alert.objects.visible_to(user).filter(enterprise_id=OuterRef("enterprise_id"),
                                                        raised_on__gte=OuterRef("certified_on"))
                  .order_by().values("enterprise_id").annotate(n=Count("pk")).values("n"))
        certs = certs.annotate(alerts_after=Coalesce(Subquery(alerts, output_field=IntegerField()), zero))
    else:
        certs = certs.annotate(alerts_after=zero)
    later = certs.filter(Q(cases_after__gt=0) | Q(alerts_after__gt=0))
    totals = later.aggregate(total=Count("pk"), disputes=Count("pk", filter=Q(cases_after__gt=0)),
                             alerts=Count("pk", filter=Q(alerts_after__gt=0)))
    m.later_total, m.later_disputes, m.later_alerts = totals["total"], totals["disputes"], totals["alerts"]
    m.later_rows = list(later.select_related("enterprise", "region", "tier").order_by("-certified_on", "-pk")[:LATER_ROWS])


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
    yield [_("With a dispute case after certification"), m.later_disputes]
    yield [_("With an alert after certification"), m.later_alerts]
    yield [_("Enterprise"), _("Certificate number"), _("Tier"), _("Certified on"), _("Status"),
           _("Cases after certification"), _("Alerts after certification")]
    for c in m.later_rows:
        yield [c.enterprise.name, c.number, c.tier.name, c.certified_on.isoformat(), c.get_status_display(),
               c.cases_after, c.alerts_after]
