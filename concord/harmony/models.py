"""Harmonious-enterprise creation (劳动关系和谐企业创建): the county's standard as versioned data
(enterprise classes, indicator groups and indicators, veto items), tiers, the annual round and its
evaluations with indicator scores, publicity objections, certifications, veto events, county review
tasks and the anonymous worker-satisfaction survey.

Standards, tiers and rounds are county rows (every staff role reads them, the county administrator
writes them). Evaluations, certifications and veto events are scoped by the enterprise's town and,
for its union officer, by the enterprise.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concord.core.scope import STAFF_ROLES, Role, ScopedManager, ScopeSpec

from . import rules, workflow

COUNTY_ONLY = frozenset({Role.COUNTY_ADMIN})
EVALUATION_WRITERS = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.UNION_OFFICER})
COUNTY_DATA = ScopeSpec(county_level_only=True, shared_read=True, view_roles=STAFF_ROLES, write_roles=COUNTY_ONLY)


class Method(models.TextChoices):
    MANUAL = rules.MANUAL, _("Manual, with evidence")
    CONTRACT_RATE = rules.CONTRACT_RATE, _("Labour-contract signing rate")
    INSURANCE_RATE = rules.INSURANCE_RATE, _("Social-insurance rate")
    WAGES_ON_TIME = rules.WAGES_ON_TIME, _("Wages on time (no arrears signal)")
    DISPUTES = rules.DISPUTES, _("Dispute cases against the enterprise")
    ALERT_LEVEL = rules.ALERT_LEVEL, _("Early-warning level")
    UNION_CONGRESS = rules.UNION_CONGRESS, _("Union and workers' congress")
    SATISFACTION = rules.SATISFACTION, _("Worker satisfaction survey")


class Detection(models.TextChoices):
    MANUAL = rules.VETO_MANUAL, _("Recorded by hand")
    COLLECTIVE_DISPUTE = rules.VETO_COLLECTIVE_DISPUTE, _("A collective dispute case")
    RED_WAGE_ALERT = rules.VETO_RED_WAGE_ALERT, _("A red wage-arrears alert")
    LOW_SATISFACTION = rules.VETO_LOW_SATISFACTION, _("Satisfaction below the threshold")


class Standard(models.Model):
    name = models.CharField(_("name"), max_length=128)
    version = models.CharField(_("version"), max_length=16)
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    # Survey: a result counts from this many responses; below this share of satisfied answers it vetoes.
    survey_min_responses = models.PositiveSmallIntegerField(_("minimum survey responses"), default=30)
    satisfaction_veto_below = models.DecimalField(_("satisfaction veto below (%)"), max_digits=5, decimal_places=1, default=60)
    # The period computed indicators look at (days before the evaluation).
    period_days = models.PositiveSmallIntegerField(_("period of computed indicators (days)"), default=365)

    objects = ScopedManager()
    scope = COUNTY_DATA

    class Meta:
        verbose_name = _("evaluation standard")
        verbose_name_plural = _("evaluation standards")
        ordering = ["-effective_from", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="harmony_standard_version")]

    def __str__(self):
        return f"{self.name}（{self.version}）"

    def get_absolute_url(self):
        return reverse("harmony:standard_detail", args=[self.pk])


class EnterpriseClass(models.Model):
    """Classified guidance (分类指导): a head-count band with its own indicators and weights."""

    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="classes")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=64)
    min_head_count = models.PositiveIntegerField(_("head count from"), default=0)
    max_head_count = models.PositiveIntegerField(_("head count up to"), null=True, blank=True)

    objects = ScopedManager()
    scope = COUNTY_DATA

    class Meta:
        verbose_name = _("enterprise class")
        verbose_name_plural = _("enterprise classes")
        ordering = ["standard", "-min_head_count"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="harmony_class_code")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.max_head_count is not None and self.max_head_count < self.min_head_count:
            raise ValidationError({"max_head_count": _("The upper bound is below the lower bound.")})

    def as_row(self):
        return rules.ClassRow(self.code, self.min_head_count, self.max_head_count, self.pk)


class IndicatorGroup(models.Model):
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=128)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager()
    scope = COUNTY_DATA

    class Meta:
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator groups")
        ordering = ["standard", "order", "pk"]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    group = models.ForeignKey(IndicatorGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=16)
    text = models.TextField(_("indicator"))
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    method = models.CharField(_("scoring method"), max_length=24, choices=Method.choices, default=Method.MANUAL)
    params = models.JSONField(_("method parameters"), default=dict, blank=True)
    guidance = models.TextField(_("how it is scored"), blank=True)
    # Empty: every class; otherwise only these classes (different indicators and weights per class).
    classes = models.ManyToManyField(EnterpriseClass, verbose_name=_("enterprise classes"), blank=True,
                                     related_name="indicators")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedManager()
    scope = COUNTY_DATA

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["group__order", "order", "pk"]

    def __str__(self):
        return f"{self.code} {self.text[:40]}"

    @property
    def is_computed(self):
        return self.method in rules.COMPUTED

    @property
    def params_text(self):
        return rules.params_sentence(self.method, self.params)


class VetoItem(models.Model):
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="vetoes")
    code = models.CharField(_("code"), max_length=16)
    text = models.CharField(_("veto item"), max_length=255)
    detection = models.CharField(_("detection"), max_length=24, choices=Detection.choices, default=Detection.MANUAL)
    look_back_days = models.PositiveIntegerField(_("look-back (days)"), default=730)

    objects = ScopedManager()
    scope = COUNTY_DATA

    class Meta:
        verbose_name = _("veto item")
        verbose_name_plural = _("veto items")
        ordering = ["standard", "code"]

    def __str__(self):
        return self.text


class Tier(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True)
    min_score = models.DecimalField(_("minimum score"), max_digits=5, decimal_places=1)
    prerequisite = models.ForeignKey("self", verbose_name=_("tier to hold first"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    prerequisite_days = models.PositiveIntegerField(_("held for at least (days)"), default=365)
    validity_years = models.PositiveSmallIntegerField(_("valid for (years)"), default=3)
    recheck_months = models.PositiveSmallIntegerField(_("re-check every (months)"), default=12)

    objects = ScopedManager()
    scope = COUNTY_DATA

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["rank"]

    def __str__(self):
        return self.name

    def as_row(self):
        return rules.TierRow(self.code, self.rank, self.min_score, self.prerequisite.code if self.prerequisite_id else None,
                             self.prerequisite_days, self.validity_years, self.recheck_months, self.pk)


class Round(models.Model):
    """The county's annual creation round."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name = models.CharField(_("name"), max_length=128)
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="rounds")
    opens_on = models.DateField(_("opens on"))
    self_assessment_due = models.DateField(_("self-assessment due"))
    review_due = models.DateField(_("town review due"))
    approval_due = models.DateField(_("county approval due"))
    is_open = models.BooleanField(_("open"), default=True)

    objects = ScopedManager()
    scope = COUNTY_DATA

    class Meta:
        verbose_name = _("creation round")
        verbose_name_plural = _("creation rounds")
        ordering = ["-year"]

    def __str__(self):
        return self.name

    def clean(self):
        dates = [self.opens_on, self.self_assessment_due, self.review_due, self.approval_due]
        if all(dates) and dates != sorted(dates):
            raise ValidationError(_("The round's dates must follow each other: opening, self-assessment, review, approval."))

    def get_absolute_url(self):
        return reverse("harmony:round_detail", args=[self.pk])


class EvaluationStatus(models.TextChoices):
    DRAFT = workflow.DRAFT, _("Self-assessment")
    SUBMITTED = workflow.SUBMITTED, _("Submitted to the town")
    REVIEWED = workflow.REVIEWED, _("Reviewed by the town")
    PUBLICITY = workflow.PUBLICITY, _("In publicity")
    CERTIFIED = workflow.CERTIFIED, _("Certified")
    RETURNED = workflow.RETURNED, _("Returned for correction")
    REJECTED = workflow.REJECTED, _("Not approved")
    WITHDRAWN = workflow.WITHDRAWN, _("Withdrawn")


class Evaluation(models.Model):
    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="evaluations")
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="evaluations")
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    enterprise_class = models.ForeignKey(EnterpriseClass, verbose_name=_("enterprise class"), on_delete=models.PROTECT,
                                         related_name="+")
    tier = models.ForeignKey(Tier, verbose_name=_("tier applied for"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT,
                              db_index=True)
    head_count = models.PositiveIntegerField(_("head count"), default=0)
    self_score = models.DecimalField(_("self-assessed score"), max_digits=5, decimal_places=1, null=True, blank=True)
    review_score = models.DecimalField(_("reviewed score"), max_digits=5, decimal_places=1, null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    onsite_check_on = models.DateField(_("on-site check on"), null=True, blank=True)
    onsite_notes = models.TextField(_("on-site check findings"), blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    publicity_from = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_until = models.DateField(_("publicity until"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), enterprise="enterprise", view_roles=STAFF_ROLES,
                      write_roles=EVALUATION_WRITERS)
    workflow = workflow.EVALUATION_WORKFLOW

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-round__year", "enterprise__name"]
        constraints = [models.UniqueConstraint(fields=["round", "enterprise"], name="harmony_one_evaluation_per_round")]
        indexes = [
            models.Index(fields=["round", "status"]),
            models.Index(fields=["region", "round"]),
            # The round's progress by town and its scores on the measures page, read from the index alone.
            models.Index(fields=["round", "region", "status", "review_score", "self_score"],
                         name="harmony_eval_round_town_idx"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.round.year}"

    def get_absolute_url(self):
        return reverse("harmony:evaluation_detail", args=[self.pk])

    def audit_anchor(self):
        return self.region.path, self.enterprise_id

    @property
    def score(self):
        return self.review_score if self.review_score is not None else self.self_score


class IndicatorScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    # Computed indicators: the points and the figures they came from (shown next to them).
    computed_points = models.DecimalField(_("computed points"), max_digits=5, decimal_places=1, null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    self_points = models.DecimalField(_("self-assessed points"), max_digits=5, decimal_places=1, null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    review_points = models.DecimalField(_("reviewed points"), max_digits=5, decimal_places=1, null=True, blank=True)
    review_reason = models.TextField(_("reason for the change"), blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("evaluation__region__path",), enterprise="evaluation__enterprise",
                      view_roles=STAFF_ROLES, write_roles=EVALUATION_WRITERS)

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["indicator__group__order", "indicator__order", "indicator__pk"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "indicator"], name="harmony_score_once")]

    def __str__(self):
        return f"{self.indicator.code}: {self.points}"

    @property
    def points(self):
        for value in (self.review_points, self.self_points, self.computed_points):
            if value is not None:
                return value
        return None


class Objection(models.Model):
    """An objection lodged on the public publicity page (no login), which the county must answer."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE,
                                   related_name="objections")
    lodged_on = models.DateField(_("lodged on"))
    text = models.TextField(_("objection"))
    contact = models.CharField(_("contact (optional)"), max_length=64, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    upheld = models.BooleanField(_("upheld"), default=False)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("evaluation__region__path",), view_roles=STAFF_ROLES, write_roles=COUNTY_ONLY)
    personal_fields = {"contact": "phone"}

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["lodged_on", "pk"]

    def __str__(self):
        return f"{self.evaluation} · {self.lodged_on}"


class CertificationStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Certification(models.Model):
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="certifications")
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="certifications")
    evaluation = models.OneToOneField(Evaluation, verbose_name=_("evaluation"), on_delete=models.PROTECT,
                                      related_name="certification")
    certified_on = models.DateField(_("certified on"))
    valid_until = models.DateField(_("valid until"))
    next_recheck_on = models.DateField(_("next re-check"))
    status = models.CharField(_("status"), max_length=12, choices=CertificationStatus.choices,
                              default=CertificationStatus.VALID, db_index=True)
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    # The first dispute case received, and the first alert raised, against the enterprise on or
    # after the day of certification; kept by services.refresh_later whenever a case, an alert or a
    # certificate is created or deleted, so that the measures count "certified, then a dispute or an
    # alert" by these columns instead of probing the cases and alerts once per certificate.
    later_case_on = models.DateField(null=True, blank=True, editable=False)
    later_alert_on = models.DateField(null=True, blank=True, editable=False)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), enterprise="enterprise", view_roles=STAFF_ROLES,
                      write_roles=COUNTY_ONLY)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-certified_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            # The measures page lists the latest certificates that later had a case or an alert.
            models.Index(fields=["certified_on"], name="harmony_cert_certified_on_idx"),
            # Certified enterprises per town (the measures page counts them town by town).
            models.Index(fields=["region", "status", "valid_until", "enterprise"], name="harmony_cert_town_valid_idx"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("harmony:certification_detail", args=[self.pk])

    def audit_anchor(self):
        return self.region.path, self.enterprise_id

    def as_held(self):
        return rules.Held(self.tier.code, self.certified_on, self.valid_until, self.status)


class VetoEvent(models.Model):
    """Something that vetoes an enterprise within the item's look-back: detected from Concord's data
    (a collective case, a red wage-arrears alert, low satisfaction) or recorded by the county."""

    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="veto_events")
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    item = models.ForeignKey(VetoItem, verbose_name=_("veto item"), on_delete=models.PROTECT, related_name="events")
    occurred_on = models.DateField(_("occurred on"))
    description = models.TextField(_("description"))
    # Detected events carry a key (e.g. "case:12") so that detection never records one twice.
    key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), view_roles=STAFF_ROLES - {Role.UNION_OFFICER},
                      write_roles=frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER}))

    class Meta:
        verbose_name = _("veto event")
        verbose_name_plural = _("veto events")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.item} · {self.occurred_on}"

    def audit_anchor(self):
        return self.region.path, self.enterprise_id


class CountyReview(models.Model):
    """The county's task to review a title after a veto event during its validity."""

    certification = models.ForeignKey(Certification, verbose_name=_("certification"), on_delete=models.CASCADE,
                                      related_name="reviews")
    veto_event = models.ForeignKey(VetoEvent, verbose_name=_("veto event"), on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=12, blank=True,
                                choices=[("restore", _("Restore the title")), ("revoke", _("Revoke the title"))])
    note = models.TextField(_("note"), blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("certification__region__path",), view_roles=STAFF_ROLES - {Role.UNION_OFFICER},
                      write_roles=COUNTY_ONLY)

    class Meta:
        verbose_name = _("county review task")
        verbose_name_plural = _("county review tasks")
        ordering = ["closed_on", "-opened_on"]
        constraints = [models.UniqueConstraint(fields=["certification", "veto_event"], name="harmony_review_once")]

    def __str__(self):
        return f"{self.certification} · {self.opened_on}"


# --- the anonymous worker-satisfaction survey ----------------------------------------------------------

class Survey(models.Model):
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="surveys")
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+",
                               editable=False)
    round = models.ForeignKey(Round, verbose_name=_("round"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="surveys")
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    min_responses = models.PositiveSmallIntegerField(_("minimum responses"), default=30)
    responses = models.PositiveIntegerField(_("responses"), default=0, editable=False)

    objects = ScopedManager()
    # The enterprise's current workers see its surveys (to answer them), never more than that.
    scope = ScopeSpec(regions=("region__path",), enterprise="enterprise",
                      worker_user="enterprise__employments__worker__user", multi_valued=True,
                      role_filters={Role.WORKER: Q(enterprise__employments__end_date__isnull=True)},
                      view_roles=STAFF_ROLES | {Role.WORKER}, write_roles=EVALUATION_WRITERS)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-opens_on", "-pk"]

    def __str__(self):
        return f"{self.enterprise} · {self.opens_on:%Y-%m}"

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The survey closes before it opens.")})

    def audit_anchor(self):
        return self.region.path, self.enterprise_id


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=255)
    # The answer that counts as satisfied for the overall share: 4 and 5 on a 1–5 scale.
    counts_for_satisfaction = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class SurveyParticipation(models.Model):
    """That a worker answered (one response each), never what they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    worker = models.ForeignKey("registry.Worker", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "worker"], name="harmony_one_response_per_worker")]


class SurveyTally(models.Model):
    """Answers as counts per question and value: no row can be tied to a respondent."""

    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="tallies")
    value = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="harmony_tally_once"),
            models.CheckConstraint(condition=Q(value__gte=1) & Q(value__lte=5), name="harmony_tally_scale"),
        ]


# --- evidence files of manual indicators ----------------------------------------------------------

class EvaluationEvidence(models.Model):
    """A file the applicant attaches to a manual indicator of an evaluation (checked by the dispute
    evidence rules: type by name and first bytes, at most 10 MB); every viewer of the evaluation
    downloads it."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE,
                                   related_name="evidence_files")
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="harmony/evidence/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("evaluation__region__path",), enterprise="evaluation__enterprise",
                      view_roles=STAFF_ROLES, write_roles=EVALUATION_WRITERS)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("harmony:evidence_download", args=[self.pk])

    def audit_anchor(self):
        return self.evaluation.audit_anchor()
