"""Early warning: risk signals per enterprise, the scoring rules and level policies (data the county
edits), each enterprise's current risk with its explanation and level history, and alerts with
their disposal actions.

Everything is scoped by the enterprise's town (``region``), copied on write like a case's, so a
town officer reaches their town's signals, risks and alerts and the county reaches all of them.
Union officers and workers do not see early-warning data about their enterprise.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.core.scope import Role, ScopedManager, ScopeSpec

from . import rules, workflow

VIEW_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.LABOUR_LIAISON, Role.AUDITOR})
# Partner departments (through the labour-bureau liaison) and towns report signals; towns and the
# county dispose of alerts.
SIGNAL_WRITE_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.LABOUR_LIAISON})
ALERT_WRITE_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER})
COUNTY_ONLY = frozenset({Role.COUNTY_ADMIN})


class Level(models.TextChoices):
    BLUE = rules.BLUE, _("Blue")
    YELLOW = rules.YELLOW, _("Yellow")
    ORANGE = rules.ORANGE, _("Orange")
    RED = rules.RED, _("Red")


class SignalKind(models.TextChoices):
    WAGE_ARREARS = rules.WAGE_ARREARS, _("Wage arrears")
    SOCIAL_INSURANCE_ARREARS = rules.SOCIAL_INSURANCE_ARREARS, _("Social-insurance arrears")
    TAX_ARREARS = rules.TAX_ARREARS, _("Tax arrears")
    POWER_ARREARS = rules.POWER_ARREARS, _("Electricity arrears")
    WATER_ARREARS = rules.WATER_ARREARS, _("Water arrears")
    PRODUCTION_HALT = rules.PRODUCTION_HALT, _("Production halt")
    OWNER_UNREACHABLE = rules.OWNER_UNREACHABLE, _("Owner unreachable")
    MASS_LAYOFF = rules.MASS_LAYOFF, _("Mass layoff")
    ABNORMAL_TURNOVER = rules.ABNORMAL_TURNOVER, _("Abnormal turnover")
    COLLECTIVE_DISPUTE = rules.COLLECTIVE_DISPUTE, _("Collective dispute")
    REPEATED_DISPUTES = rules.REPEATED_DISPUTES, _("Several disputes within 90 days")
    HOTLINE_COMPLAINT = rules.HOTLINE_COMPLAINT, _("Hotline complaints")
    INSPECTION_FINDING = rules.INSPECTION_FINDING, _("Labour-inspection finding")
    MANUAL_REPORT = rules.MANUAL_REPORT, _("Report by a town officer")


class SignalSource(models.TextChoices):
    PARTNER_FILE = "partner_file", _("Partner department file")
    MANUAL = "manual", _("Entered by hand")
    REGISTRY = "registry", _("Computed from employments")
    DISPUTES = "disputes", _("Computed from dispute cases")
    HOTLINE = "hotline", _("12351 hotline")
    INSPECTION = "inspection", _("Labour inspection")
    API = "api", _("Partner system (API)")


class RiskSignal(models.Model):
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="risk_signals")
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=SignalKind.choices, db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=SignalSource.choices, default=SignalSource.MANUAL)
    observed_on = models.DateField(_("date"))
    # Months of arrears, workers laid off, percent turnover, claimants, cases or complaints (rules.py).
    # Negative figures are refused by rules.value_problem (one message, shared with the import).
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    workers_affected = models.PositiveIntegerField(_("workers affected"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    expires_on = models.DateField(_("expires on"))
    # Computed signals carry a key so that every scan updates the same row instead of adding one.
    key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), view_roles=VIEW_ROLES, write_roles=SIGNAL_WRITE_ROLES)

    class Meta:
        verbose_name = _("risk signal")
        verbose_name_plural = _("risk signals")
        ordering = ["-observed_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "expires_on"]), models.Index(fields=["expires_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.observed_on:%Y-%m-%d}"

    def clean(self):
        errors = {}
        head_count = self.enterprise.head_count if self.enterprise_id else None
        problem = rules.value_problem(self.kind, self.value, self.amount, self.workers_affected, head_count)
        if problem:
            errors[problem_field(problem)] = messages()[problem]
        if self.observed_on and self.expires_on and self.expires_on < self.observed_on:
            errors["expires_on"] = _("The expiry date is before the signal's date.")
        if errors:
            raise ValidationError(errors)

    def audit_anchor(self):
        return self.region.path, self.enterprise_id

    @property
    def value_unit(self):
        return value_unit(self.kind)


def value_unit(kind):
    if kind in rules.MONTH_KINDS:
        return _("months")
    return {
        rules.MASS_LAYOFF: _("workers"), rules.ABNORMAL_TURNOVER: "%", rules.COLLECTIVE_DISPUTE: _("claimants"),
        rules.REPEATED_DISPUTES: _("cases"), rules.HOTLINE_COMPLAINT: _("complaints"),
        rules.INSPECTION_FINDING: _("findings"),
    }.get(kind, "")


def problem_field(code):
    return {"implausible_amount": "amount", "more_workers_than_staff": "workers_affected", "unknown_kind": "kind"}.get(
        code, "value")


def messages():
    """The messages of ``rules.value_problem`` codes, in the user's language."""
    return {
        "unknown_kind": _("Unknown kind of signal."),
        "negative": _("Figures cannot be negative."),
        "value_required": _("This kind of signal needs a value (months, workers, cases or a count)."),
        "too_many_months": _("More than %(max)s months of arrears is not plausible.") % {"max": rules.MAX_MONTHS},
        "percent_over_100": _("Turnover is a percentage of at most 100."),
        "more_workers_than_staff": _("More workers affected than twice the enterprise's head count is not plausible."),
        "implausible_amount": _("The amount is larger than a plausible payroll (over %(cap)s yuan per worker and month).")
        % {"cap": rules.MAX_YUAN_PER_WORKER_MONTH},
    }


class ScoringRule(models.Model):
    """A row of the county's scoring table: a signal kind and value band → points and a minimum level."""

    kind = models.CharField(_("signal kind"), max_length=32, choices=SignalKind.choices)
    at_least = models.DecimalField(_("value at least"), max_digits=9, decimal_places=2, null=True, blank=True)
    below = models.DecimalField(_("value below"), max_digits=9, decimal_places=2, null=True, blank=True)
    # Mass layoffs only (rules.layoff_signal): the departures of this many days count as one
    # reduction; empty = those ending on the same day (劳动合同法 art. 41 has no period).
    window_days = models.PositiveSmallIntegerField(
        _("counted over (days)"), null=True, blank=True,
        help_text=_("Mass layoffs only: departures in this many days count as one reduction (a local choice); "
                    "empty: those ending on the same day."))
    points = models.PositiveSmallIntegerField(_("points"))
    min_level = models.CharField(_("at least level"), max_length=8, choices=Level.choices, blank=True)
    label = models.CharField(_("description"), max_length=128)
    source = models.CharField(_("source"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    # County data without a region: towns read it, only a county administrator changes it.
    scope = ScopeSpec(county_level_only=True, shared_read=True, view_roles=VIEW_ROLES, write_roles=COUNTY_ONLY)

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["kind", "at_least", "pk"]

    def __str__(self):
        return self.label

    def clean(self):
        if self.at_least is not None and self.below is not None and self.below <= self.at_least:
            raise ValidationError({"below": _("The upper bound must be above the lower bound.")})
        if self.kind in rules.VALUE_KINDS and self.at_least is None and self.below is None:
            raise ValidationError({"at_least": _("Give a band of values for this kind of signal.")})
        if self.window_days is not None and self.kind != rules.MASS_LAYOFF:
            raise ValidationError({"window_days": _("Only a mass-layoff rule counts departures over a period.")})
        if self.window_days == 0:
            raise ValidationError({"window_days": _("Give at least one day, or leave it empty for one day.")})

    def as_row(self) -> rules.RuleRow:
        return rules.RuleRow(self.kind, self.points, self.min_level, self.at_least, self.below, self.label, self.pk,
                             window_days=self.window_days, source=self.source)


class LevelPolicy(models.Model):
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices, unique=True)
    min_points = models.PositiveSmallIntegerField(_("points from"))
    response_days = models.PositiveSmallIntegerField(_("days to respond"))
    raises_alert = models.BooleanField(_("raises an alert"), default=True)
    county = models.BooleanField(_("county assigned too"), default=False)
    source = models.CharField(_("source"), max_length=255, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(county_level_only=True, shared_read=True, view_roles=VIEW_ROLES, write_roles=COUNTY_ONLY)

    class Meta:
        verbose_name = _("level policy")
        verbose_name_plural = _("level policies")
        ordering = ["min_points"]

    def __str__(self):
        return self.get_level_display()

    def clean(self):
        if self.raises_alert and not self.response_days:
            raise ValidationError({"response_days": _("A level that raises alerts needs days to respond.")})

    def as_row(self) -> rules.LevelRow:
        return rules.LevelRow(self.level, self.min_points, self.response_days, self.raises_alert, self.county)


class EnterpriseRisk(models.Model):
    """An enterprise's current score and level, as the last assessment left it, with why."""

    enterprise = models.OneToOneField("registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                      related_name="risk")
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+")
    score = models.PositiveIntegerField(_("score"), default=0)
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices, blank=True, db_index=True)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    level_since = models.DateField(_("level since"), null=True, blank=True)
    assessed_on = models.DateField(_("assessed on"))

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), view_roles=VIEW_ROLES, write_roles=frozenset())

    class Meta:
        verbose_name = _("enterprise risk")
        verbose_name_plural = _("enterprise risks")
        indexes = [models.Index(fields=["region", "level"])]

    def __str__(self):
        return f"{self.enterprise} · {self.get_level_display() or '—'}"

    def audit_anchor(self):
        return self.region.path, self.enterprise_id


class RiskChange(models.Model):
    """A change of an enterprise's level: its risk timeline and the measures' history."""

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="risk_changes")
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField(_("date"), db_index=True)
    previous_level = models.CharField(_("previous level"), max_length=8, choices=Level.choices, blank=True)
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices, blank=True)
    score = models.PositiveIntegerField(_("score"))
    explanation = models.JSONField(_("explanation"), default=list, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), view_roles=VIEW_ROLES, write_roles=frozenset())

    class Meta:
        verbose_name = _("risk level change")
        verbose_name_plural = _("risk level changes")
        ordering = ["-changed_on", "-pk"]

    def __str__(self):
        return f"{self.enterprise_id} {self.previous_level or '—'} → {self.level or '—'}"


class AlertStatus(models.TextChoices):
    OPEN = workflow.OPEN, pgettext_lazy("alert status", "Open")
    HANDLING = workflow.HANDLING, _("Being handled")
    CLOSED = workflow.CLOSED, pgettext_lazy("alert status", "Closed")


class AlertOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Risk removed")
    CONTROLLED = "controlled", _("Risk under control")
    REFERRED = "referred", _("Referred to another body")
    NO_RISK = "no_risk", _("No risk found on checking")


class Alert(models.Model):
    number = models.CharField(_("alert number"), max_length=32, unique=True, editable=False)
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="alerts")
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    level = models.CharField(_("risk level"), max_length=8, choices=Level.choices, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN,
                              db_index=True)
    score = models.PositiveIntegerField(_("score"), default=0)
    # Why it was raised: the assessment's explanation at the time.
    reason = models.CharField(_("reason"), max_length=255)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    raised_on = models.DateField(_("raised on"), db_index=True)
    deadline = models.DateField(_("respond by"), db_index=True)
    county_assigned = models.BooleanField(_("county assigned"), default=False, db_index=True)
    escalated_on = models.DateField(_("escalated to the county on"), null=True, blank=True)
    first_response_on = models.DateField(_("first response on"), null=True, blank=True)
    closed_on = models.DateField(pgettext_lazy("alert", "closed on"), null=True, blank=True)
    outcome = models.CharField(_("disposal outcome"), max_length=12, choices=AlertOutcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome details"), blank=True)
    case = models.ForeignKey("disputes.Case", verbose_name=_("dispute case"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), view_roles=VIEW_ROLES, write_roles=ALERT_WRITE_ROLES)
    workflow = workflow.ALERT_WORKFLOW

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["deadline", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["region", "raised_on"]),
                   # "Did this enterprise have an alert on or after a day" (harmony measures).
                   models.Index(fields=["enterprise", "raised_on", "region"], name="alerts_alert_ent_raised_idx")]
        constraints = [
            # One alert at a time per enterprise: a further rise lifts the open alert's level.
            models.UniqueConstraint(fields=["enterprise"], condition=~models.Q(status="closed"),
                                    name="alerts_one_open_alert_per_enterprise"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("alerts:alert_detail", args=[self.pk])

    def clean(self):
        if self.status == AlertStatus.CLOSED and not self.outcome:
            raise ValidationError({"outcome": _("Closing an alert needs its outcome.")})
        if self.closed_on and self.closed_on < self.raised_on:
            raise ValidationError({"closed_on": _("The alert cannot be closed before it was raised.")})

    def audit_anchor(self):
        return self.region.path, self.enterprise_id

    def workflow_guard(self, t, actor):
        return workflow.guard(self, t, actor)

    @property
    def is_open(self):
        return self.status != AlertStatus.CLOSED


class ActionKind(models.TextChoices):
    VISIT = "visit", _("Visit to the enterprise")
    EMPLOYER_TALK = "employer_talk", _("Talk with the employer")
    TRIPARTITE_MEETING = "tripartite_meeting", _("Tripartite meeting")
    WAGE_GUARANTEE = "wage_guarantee", _("Wage-guarantee measures")
    PROPERTY_PRESERVATION = "property_preservation", _("Court property preservation")
    INSPECTION_REFERRAL = "inspection_referral", _("Referral to labour inspection")
    OTHER = "other", _("Other")


class AlertAction(models.Model):
    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("action"), max_length=24, choices=ActionKind.choices)
    done_on = models.DateField(_("date"))
    summary = models.TextField(_("what was done and found"))
    meeting = models.ForeignKey("disputes.TripartiteMeeting", verbose_name=_("tripartite meeting"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("alert__region__path",), view_roles=VIEW_ROLES, write_roles=ALERT_WRITE_ROLES)

    class Meta:
        verbose_name = _("disposal action")
        verbose_name_plural = _("disposal actions")
        ordering = ["done_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.done_on:%Y-%m-%d}"

    def audit_anchor(self):
        return self.alert.region.path, self.alert.enterprise_id
