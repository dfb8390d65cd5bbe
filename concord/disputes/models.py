"""Dispute cases and what hangs off them: claimants, evidence, mediation sessions, agreements and
payments, generated documents, tripartite meetings and the county's own legal parameters.

Cases are scoped by the respondent enterprise's town (``region``), which never changes when a case
is escalated, so the town keeps seeing its cases at county level; the level says who handles it.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concord.core import masking
from concord.core.scope import STAFF_ROLES, Role, ScopedManager, ScopeSpec
from concord.registry.models import validate_id_number

from . import rules, workflow

# Who writes case records at all; the transition table narrows it per action and level.
CASE_WRITE_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.UNION_OFFICER, Role.MEDIATOR, Role.COURT_LIAISON})
# A claimant acts on their own case too (withdraw, add evidence); the transition table says what.
CASE_ACTORS = CASE_WRITE_ROLES | {Role.WORKER}
COURT_ONLY = Q(source="court_delegated")


class Level(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    TOWN = "town", _("Town")
    COUNTY = "county", _("County")


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("12351 hotline")
    ONLINE = "online", _("Online (worker)")
    LETTERS_VISITS = "letters_visits", _("Letters and visits")
    LABOUR_INSPECTION = "labour_inspection", _("Labour-inspection referral")
    COURT_DELEGATED = "court_delegated", _("Court referral")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")
    CONSULTATION = "consultation", _("Consultation")
    MEDIATION = "mediation", _("Mediation")
    AGREEMENT = "agreement", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED, Status.CONSULTATION, Status.MEDIATION)
# Statuses whose deadline runs (the 15 days, or the court's deadline).
RUNNING_STATUSES = (Status.ACCEPTED, Status.CONSULTATION, Status.MEDIATION)
FINISHED_STATUSES = (Status.REJECTED, Status.WITHDRAWN, Status.CLOSED)


class Subcategory(models.TextChoices):
    # Each belongs to one of the law's art. 2 categories (rules.SUBCATEGORY_CATEGORY).
    LABOUR_RELATIONSHIP = "labour_relationship", _("Confirming a labour relationship")
    CONTRACT = "contract", _("Labour contract (signing, changing, ending)")
    DISMISSAL = "dismissal", _("Dismissal or resignation")
    HOURS_LEAVE = "hours_leave", _("Working hours, rest and leave")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance and welfare")
    SAFETY = "safety", _("Labour protection and safety")
    WAGE_ARREARS = "wage_arrears", _("Wage arrears")
    OVERTIME_PAY = "overtime_pay", _("Overtime pay")
    COMPENSATION = "compensation", _("Economic compensation or damages")
    WORK_INJURY = "work_injury", _("Work-injury medical costs")
    OTHER = "other", _("Other disputes set by law")


class ReferralKind(models.TextChoices):
    PRE_FILING = rules.PRE_FILING, _("Pre-filing referral (30 days)")
    POST_FILING = rules.POST_FILING, _("Post-filing referral (15 days)")
    SIMPLIFIED = rules.SIMPLIFIED, _("Post-filing, simplified procedure (7 days)")


class Outcome(models.TextChoices):
    PERFORMED = "performed", _("Agreement performed")
    CONFIRMED = "confirmed", _("Judicially confirmed")
    PAYMENT_ORDER = "payment_order", _("Payment order applied for")
    ARBITRATION = "arbitration", _("Referred to arbitration")
    LITIGATION = "litigation", _("Referred to litigation")
    LEGAL_AID = "legal_aid", _("Referred to legal aid")
    RETURNED_TO_COURT = "returned_to_court", _("Returned to the court")


REFERRAL_OUTCOMES = (Outcome.ARBITRATION, Outcome.LITIGATION, Outcome.LEGAL_AID, Outcome.RETURNED_TO_COURT)
AGREEMENT_OUTCOMES = (Outcome.PERFORMED, Outcome.CONFIRMED, Outcome.PAYMENT_ORDER)


class ConfirmationResult(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=32, unique=True, editable=False)
    source = models.CharField(_("channel"), max_length=20, choices=Source.choices, db_index=True)
    respondent = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("respondent enterprise"), on_delete=models.PROTECT, related_name="dispute_cases"
    )
    # The respondent's town: the scope anchor (kept when the case moves up a level).
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+", editable=False)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    category = models.PositiveSmallIntegerField(_("category"), choices=rules.CATEGORY_CHOICES)
    subcategory = models.CharField(_("sub-category"), max_length=24, choices=Subcategory.choices)
    amount_claimed = models.DecimalField(
        _("amount claimed (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    facts = models.TextField(_("facts and claims"))
    knew_on = models.DateField(_("date the worker knew of the infringement"), null=True, blank=True)
    employment_ended_on = models.DateField(_("employment ended on"), null=True, blank=True)
    is_collective = models.BooleanField(_("collective case"), default=False, editable=False, db_index=True)
    claimant_count = models.PositiveIntegerField(_("claimants"), default=0, editable=False)
    is_priority = models.BooleanField(_("priority"), default=False)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mediator"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    received_on = models.DateField(_("received on"), db_index=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    # The deadline a reminder was last sent for: the reminder job sends one per deadline.
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0, editable=False)
    rejection_reason = models.TextField(_("reason not accepted"), blank=True)
    consultation_requested_on = models.DateField(_("consultation requested on"), null=True, blank=True)
    # The first mediation session as scheduled on acceptance: the acceptance notices give it to both parties.
    session_at = models.DateTimeField(_("mediation session scheduled at"), null=True, blank=True)
    session_place = models.CharField(_("mediation session place"), max_length=128, blank=True)
    # Court referral (green channel).
    court_referral_kind = models.CharField(_("kind of court referral"), max_length=16, choices=ReferralKind.choices, blank=True)
    court_case_number = models.CharField(_("court case number"), max_length=64, blank=True)
    court_received_on = models.DateField(_("referral received on"), null=True, blank=True)
    court_extension_days = models.PositiveSmallIntegerField(_("extension agreed (days)"), default=0)
    court_result_reported_on = models.DateField(_("result reported to the court on"), null=True, blank=True)
    # After an agreement.
    confirmation_requested_on = models.DateField(_("judicial confirmation applied for on"), null=True, blank=True)
    confirmation_result = models.CharField(_("judicial confirmation"), max_length=12, choices=ConfirmationResult.choices, blank=True)
    # The court's ruling (民事裁定书) that confirms the agreement or refuses the application: its
    # number, e.g. "（2026）浙0603民特123号", and its date (人民调解法 art. 33).
    confirmation_ruling_number = models.CharField(_("ruling number"), max_length=64, blank=True)
    confirmation_ruled_on = models.DateField(_("ruled on"), null=True, blank=True)
    payment_order_applied_on = models.DateField(_("payment order applied for on"), null=True, blank=True)
    # The end.
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, db_index=True)
    limitation_date = models.DateField(_("last day to apply for arbitration"), null=True, blank=True)
    resolved_level = models.CharField(_("resolved at level"), max_length=12, choices=Level.choices, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    # Days from receipt to agreement, stored when the agreement is recorded so the measures page
    # averages one column instead of subtracting dates (which the two databases do differently).
    resolution_days = models.PositiveIntegerField(_("days to resolve"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    amount_recovered = models.DecimalField(
        _("amount recovered (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("region__path",),
        enterprise="respondent",
        worker_user="claimants__worker__user",
        view_roles=STAFF_ROLES | {Role.WORKER},
        write_roles=CASE_ACTORS,
        multi_valued=True,
        role_filters={Role.COURT_LIAISON: COURT_ONLY},
    )
    workflow = workflow.CASE_WORKFLOW

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["region", "received_on"]),
            # "Did this enterprise have a case on or after a day" in one seek, town check included
            # (harmony measures: certified enterprises with a later dispute).
            models.Index(fields=["respondent", "received_on", "region"], name="disputes_case_resp_recv_idx"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("disputes:case_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.subcategory and self.category and rules.SUBCATEGORY_CATEGORY.get(self.subcategory) != self.category:
            errors["subcategory"] = _("This sub-category belongs to another category.")
        problem = self.amount_claimed is not None and rules.amount_problem(self.amount_claimed, on=self.received_on)
        if problem:
            errors["amount_claimed"] = rules.message(problem, cap=rules.parameter("amount_cap", self.received_on))
        for earlier, later in (("received_on", "accepted_on"), ("received_on", "closed_on"), ("knew_on", "received_on"),
                               ("court_received_on", "closed_on")):
            a, b = getattr(self, earlier), getattr(self, later)
            if a and b and b < a:
                errors[later] = rules.message("dates_out_of_order", later=b.isoformat(), earlier=a.isoformat())
        if self.source == Source.COURT_DELEGATED and not (self.court_referral_kind and self.court_received_on):
            errors["court_referral_kind"] = _("A court referral needs its kind and the date it was received.")
        if self.source != Source.COURT_DELEGATED and self.court_referral_kind:
            errors["court_referral_kind"] = _("Only a court referral has a kind of referral.")
        if self.level == Level.ENTERPRISE and self.respondent_id and not self.respondent.has_mediation_committee:
            errors["level"] = _("The enterprise has no mediation committee: the case starts at the town.")
        if self.is_collective and self.level == Level.ENTERPRISE:
            errors["level"] = _("A collective case starts no lower than the town.")
        if errors:
            raise ValidationError(errors)

    def audit_anchor(self):
        return self.region.path, self.respondent_id

    def workflow_guard(self, t, actor):
        return workflow.guard(self, t, actor)

    @property
    def is_open(self):
        return self.status not in FINISHED_STATUSES

    @property
    def is_court_referral(self):
        return self.source == Source.COURT_DELEGATED


# The databases whose triggers keep ``CaseTally`` (migration 0003); elsewhere the measures are
# aggregated from the cases themselves.
TALLY_VENDORS = frozenset({"sqlite", "postgresql"})
TALLY_KEY = ("month", "is_collective", "status", "resolved_level", "region")
TALLY_SUMS = ("cases", "days_sum", "days_count", "claimed_cents", "recovered_cents")


class CaseTally(models.Model):
    """Cases per town, month received, collective or not, status and level of resolution, with
    their sums: the measures page adds up these rows (a few per town and month) instead of every
    case of the year.

    Kept by database triggers on the case table (migration 0003_casetally), in the transaction of
    each write, so every write counts: the services, bulk ``update()`` calls, the demo generator's
    batched INSERTs and raw SQL alike. The application never writes it. Amounts are in fen (cents),
    so sums stay exact. Scoped like the cases by their town, for region roles only."""

    # No index of its own: the key's indexes have it (a town is never deleted while it has cases).
    region = models.ForeignKey("core.Region", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    month = models.DateField(_("month received"))  # its first day
    is_collective = models.BooleanField(_("collective case"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    resolved_level = models.CharField(_("resolved at level"), max_length=12, choices=Level.choices, blank=True)
    # Plain integers (no CHECK >= 0): a trigger subtracts before it removes an emptied row.
    cases = models.IntegerField(_("cases"), default=0)
    days_sum = models.BigIntegerField(_("days to resolve, summed"), default=0)
    days_count = models.IntegerField(_("cases with days to resolve"), default=0)
    claimed_cents = models.BigIntegerField(_("amount claimed (fen)"), default=0)
    recovered_cents = models.BigIntegerField(_("amount recovered (fen)"), default=0)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), view_roles=Case.scope.view_roles - {Role.WORKER}, write_roles=frozenset())

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")
        constraints = [models.UniqueConstraint(fields=TALLY_KEY, name="disputes_casetally_key")]
        # The measures of a year read one range of this index in the order they group by, and
        # nothing else (the sums are in it).
        indexes = [models.Index(fields=[*TALLY_KEY, *TALLY_SUMS], name="disputes_casetally_sums")]

    def __str__(self):
        return f"{self.region_id} · {self.month:%Y-%m} · {self.status} · {self.cases}"


class Claimant(models.Model):
    """A worker on the claiming side: linked to the registry when known, always with a checked ID."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="claimants")
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("worker"), null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    name = models.CharField(_("full name"), max_length=64)
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validate_id_number])
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    is_representative = models.BooleanField(_("elected representative"), default=False)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("case__region__path",), enterprise="case__respondent", worker_user="worker__user",
        view_roles=STAFF_ROLES | {Role.WORKER}, write_roles=CASE_WRITE_ROLES,
        role_filters={Role.COURT_LIAISON: Q(case__source="court_delegated")},
    )
    personal_fields = {"id_number": masking.ID_NUMBER, "phone": masking.PHONE}

    class Meta:
        verbose_name = _("claimant")
        verbose_name_plural = _("claimants")
        ordering = ["-is_representative", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "id_number"], name="disputes_claimant_once_per_case")]

    def __str__(self):
        return self.name

    @property
    def id_number_masked(self):
        return masking.mask_id_number(self.id_number)


def evidence_path(instance, filename):
    return f"evidence/{instance.case_id}/{filename}"


class Evidence(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("case__region__path",), enterprise="case__respondent", worker_user="case__claimants__worker__user",
        view_roles=STAFF_ROLES | {Role.WORKER}, write_roles=CASE_WRITE_ROLES | {Role.WORKER}, multi_valued=True,
        role_filters={Role.COURT_LIAISON: Q(case__source="court_delegated")},
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.file_name

    def audit_anchor(self):
        return self.case.audit_anchor()


class CaseScoped(models.Model):
    """Records of one case, scoped like it."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("case__region__path",), enterprise="case__respondent", worker_user="case__claimants__worker__user",
        view_roles=STAFF_ROLES | {Role.WORKER}, write_roles=CASE_WRITE_ROLES, multi_valued=True,
        role_filters={Role.COURT_LIAISON: Q(case__source="court_delegated")},
    )

    class Meta:
        abstract = True

    def audit_anchor(self):
        return self.case.audit_anchor()

    def get_absolute_url(self):
        return self.case.get_absolute_url()


class MediationSession(CaseScoped):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=128)
    participants = models.TextField(_("participants"))
    summary = models.TextField(_("summary"))

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.case} · {self.held_on:%Y-%m-%d}"


class Agreement(CaseScoped):
    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="agreement")
    signed_on = models.DateField(_("signed on"))
    effective_on = models.DateField(_("takes effect on"))
    amount = models.DecimalField(_("agreed amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    terms = models.TextField(_("terms"))
    # What the standard agreement states besides the terms: the facts as established in mediation (the
    # case's own facts are the claim), each party's responsibility, and the mediator who presided, as a
    # person (the case's mediator is a sign-in account, which may be a station's office account).
    facts_found = models.TextField(_("facts established"), blank=True)
    responsibility = models.TextField(_("each party's responsibility"), blank=True)
    mediator_name = models.CharField(_("presiding mediator (full name)"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["-signed_on", "-pk"]

    def __str__(self):
        return f"{self.case} · {_('agreement')}"

    def clean(self):
        if self.signed_on and self.effective_on and self.effective_on < self.signed_on:
            raise ValidationError({"effective_on": rules.message(
                "dates_out_of_order", later=self.effective_on.isoformat(), earlier=self.signed_on.isoformat())})


class Installment(models.Model):
    """One payment the agreement schedules, and what was paid."""

    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="installments")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount due (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    # How and where this payment is made (e.g. 银行转账至申请人工资卡; 本中心), printed per instalment.
    method = models.CharField(_("way of performance"), max_length=64, blank=True)
    place = models.CharField(_("place of performance"), max_length=128, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_amount = models.DecimalField(_("amount paid (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                      validators=[MinValueValidator(Decimal("0"))])

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("agreement__case__region__path",), enterprise="agreement__case__respondent",
        worker_user="agreement__case__claimants__worker__user", view_roles=STAFF_ROLES | {Role.WORKER},
        write_roles=CASE_WRITE_ROLES, multi_valued=True,
        role_filters={Role.COURT_LIAISON: Q(agreement__case__source="court_delegated")},
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.due_on:%Y-%m-%d} · {self.amount}"

    def audit_anchor(self):
        return self.agreement.case.audit_anchor()

    def get_absolute_url(self):
        return self.agreement.case.get_absolute_url()

    @property
    def is_missed(self):
        from django.utils import timezone

        return self.paid_on is None and self.due_on < timezone.localdate()


class DocumentKind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", _("Acceptance notice")
    MEDIATION_AGREEMENT = "mediation_agreement", _("Mediation agreement")
    REFERRAL_LETTER = "referral_letter", _("Referral letter")


class CaseDocument(CaseScoped):
    """A generated document's number, given once per case and kind; the file is rendered from the
    case on each download, so it always shows the recorded facts."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    number = models.CharField(_("document number"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="disputes_document_once_per_kind")]

    def __str__(self):
        return self.number


class TripartiteMeeting(models.Model):
    """A meeting of the labour bureau, the union and the employers' organisation (三方协调)."""

    region = models.ForeignKey("core.Region", verbose_name=_("level"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=128)
    labour_bureau = models.CharField(_("labour bureau attendees"), max_length=255)
    union = models.CharField(_("union attendees"), max_length=255)
    employers = models.CharField(_("employers' organisation attendees"), max_length=255)
    topics = models.TextField(_("topics"))
    decisions = models.TextField(_("decisions"), blank=True)
    cases = models.ManyToManyField(Case, verbose_name=_("linked cases"), blank=True, related_name="meetings")
    enterprises = models.ManyToManyField("registry.Enterprise", verbose_name=_("linked enterprises"), blank=True, related_name="meetings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("region__path",), view_roles=STAFF_ROLES - {Role.UNION_OFFICER},
        write_roles=frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.LABOUR_LIAISON}),
    )

    class Meta:
        verbose_name = _("tripartite meeting")
        verbose_name_plural = _("tripartite meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} · {self.region}"

    def get_absolute_url(self):
        return reverse("disputes:tripartitemeeting_detail", args=[self.pk])

    def clean(self):
        if self.region_id and self.region.kind not in ("county", "town"):
            raise ValidationError({"region": _("Tripartite meetings are held at county or town level.")})


class FollowUpAction(models.Model):
    meeting = models.ForeignKey(TripartiteMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=255)
    owner = models.CharField(_("owner"), max_length=64)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("meeting__region__path",), view_roles=STAFF_ROLES - {Role.UNION_OFFICER},
        write_roles=frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.LABOUR_LIAISON}),
    )

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()


class LegalSetting(models.Model):
    """A county's own value of a legal parameter, with its source and the period it is in force;
    laid over ``parameters.DEFAULTS`` (``parameters.with_overrides``) for the county's cases."""

    region = models.ForeignKey("core.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("parameter"), max_length=48, choices=rules.PARAMETER_CHOICES)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=255)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until (inclusive)"), null=True, blank=True)

    objects = ScopedManager()
    # Towns read the county's settings their cases follow; the county writes them.
    scope = ScopeSpec(regions=("region__path",), write_roles=frozenset({Role.COUNTY_ADMIN}), ancestors_read=True)

    class Meta:
        verbose_name = _("legal parameter setting")
        verbose_name_plural = _("legal parameter settings")
        ordering = ["key", "-effective_from"]

    def __str__(self):
        return f"{self.get_key_display()} = {self.value}"

    def get_absolute_url(self):
        return reverse("disputes:legalsetting_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = rules.message(
                "dates_out_of_order", later=self.effective_to.isoformat(), earlier=self.effective_from.isoformat())
        if self.value is not None and self.value < 0:
            errors["value"] = rules.message("amount_negative")
        if self.region_id and self.region.kind != "county":
            errors["region"] = _("Legal parameters are set for a county.")
        if not errors and self.key and self.region_id and self.effective_from:
            clash = LegalSetting.objects.filter(region_id=self.region_id, key=self.key).exclude(pk=self.pk)
            for other in clash:
                if (other.effective_to is None or other.effective_to >= self.effective_from) and \
                        (self.effective_to is None or self.effective_to >= other.effective_from):
                    errors["effective_from"] = _("Another value of this parameter is in force in the same period.")
                    break
        if errors:
            raise ValidationError(errors)
