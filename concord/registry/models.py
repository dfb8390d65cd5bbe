"""Who works where: enterprises, workers and their employments.

The platform issue lays the minimum every pillar needs (identity, region, the link between a worker
and an enterprise); the registry issue adds the full set of facts.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concord.core import masking
from concord.core.scope import STAFF_ROLES, Role, ScopedManager, ScopeSpec

from . import codes, rules

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))


def validate_credit_code(value):
    problem = rules.credit_code_problem(value)
    if problem:
        raise ValidationError(rules.CREDIT_CODE_MESSAGES[problem], code=f"credit_code_{problem}")


def validate_id_number(value):
    if not rules.id_number_valid(value):
        raise ValidationError(_("Not a valid resident ID number (18 characters, GB 11643 check digit and birth date)."))


class Enterprise(models.Model):
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("name"), max_length=128, db_index=True)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"kind__in": ["town", "community"]},
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    industry = models.CharField(_("industry"), max_length=4, choices=codes.INDUSTRIES, blank=True, db_index=True)
    ownership = models.CharField(_("ownership type"), max_length=16, choices=codes.Ownership.choices, blank=True)
    size_class = models.CharField(_("size class"), max_length=8, choices=codes.SizeClass.choices, blank=True, db_index=True)
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    # Printed after the representative's name on the mediation agreement (法定代表人：…，职务：…).
    legal_representative_title = models.CharField(_("legal representative's title"), max_length=32, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=11, blank=True, validators=[phone_validator])
    has_union = models.BooleanField(_("has a union"), default=False)
    has_mediation_committee = models.BooleanField(_("has a mediation committee"), default=False)
    has_workers_congress = models.BooleanField(_("has a workers' congress"), default=False)
    is_key_enterprise = models.BooleanField(_("key enterprise"), default=False, db_index=True)
    # Derived from open employments by services.refresh_workforce; stored so lists can sort and
    # filter by them at county scale without counting 1.2 million employments per page.
    head_count = models.PositiveIntegerField(_("head count"), default=0, editable=False)
    migrant_count = models.PositiveIntegerField(_("migrant workers"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), enterprise="pk")
    personal_fields = {"contact_phone": masking.PHONE}

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:enterprise_detail", args=[self.pk])

    @property
    def migrant_share(self):
        """Share of migrant workers in the current workforce (0–1), or None without workers."""
        return self.migrant_count / self.head_count if self.head_count else None


# The employment row a condition on ``employments`` is about is a current one. Its negation (no
# current employment at all) becomes a subquery: Django splits an exclusion across a to-many relation.
CURRENT_EMPLOYMENT = Q(employments__end_date__isnull=True)


class Worker(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    name = models.CharField(_("full name"), max_length=64, db_index=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[phone_validator])
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False, db_index=True)
    # Household registration (户籍地): derived from the ID number's region code when left blank.
    hukou_province = models.CharField(_("household registration province"), max_length=2, choices=codes.PROVINCE_CHOICES, blank=True)
    hukou_city = models.CharField(_("household registration city"), max_length=32, blank=True)
    is_migrant = models.BooleanField(_("migrant worker"), default=False, db_index=True)
    education = models.CharField(_("education"), max_length=16, choices=codes.Education.choices, blank=True)
    # The parties' particulars on the mediation agreement (民族, 住址); optional, typed by staff.
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=codes.ETHNICITY_CHOICES, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Set by services.worker_erase: the row stays (cases and statistics point to it) without the person.
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True, editable=False)

    objects = ScopedManager()
    # Who holds a worker (docs/scope.md, "Workers"): the enterprise union and the town of a current
    # employment; a worker with no current employment stays with the towns they worked in (a
    # dispute is often filed after leaving); one with no employment at all with the county. A past
    # employer's union keeps the past employment row and its cases, never the worker's record
    # (their current phone and employer).
    scope = ScopeSpec(
        regions=("employments__enterprise__region__path",),
        enterprise="employments__enterprise",
        worker_user="user",
        view_roles=STAFF_ROLES | {Role.WORKER},
        multi_valued=True,
        region_link=CURRENT_EMPLOYMENT | ~CURRENT_EMPLOYMENT,
        enterprise_link=CURRENT_EMPLOYMENT,
        unplaced=Q(employments__isnull=True),
    )
    # The birth date is personal too: with it, the ID number's middle is known (docs/privacy.md).
    personal_fields = {"id_number": masking.ID_NUMBER, "phone": masking.PHONE, "birth_date": masking.BIRTH_DATE}

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.derive_from_id()
        super().save(*args, **kwargs)

    def derive_from_id(self):
        """Birth date and sex always follow the ID number; household registration only fills blanks."""
        if self.id_number and rules.id_number_valid(self.id_number):
            self.birth_date = rules.birth_date_from_id(self.id_number)
            self.sex = rules.sex_from_id(self.id_number)
            if not self.hukou_province:
                self.hukou_province = rules.hukou_province_from_id(self.id_number)
            if not self.hukou_city:
                self.hukou_city = rules.hukou_city_from_id(self.id_number)

    def get_absolute_url(self):
        return reverse("registry:worker_detail", args=[self.pk])

    @property
    def generation(self):
        return rules.generation_of(self.birth_date) if self.birth_date else ""

    def get_generation_display(self):
        return codes.Generation(self.generation).label if self.generation else ""

    @property
    def id_number_masked(self):
        return masking.mask_id_number(self.id_number)

    @property
    def phone_masked(self):
        return masking.mask_phone(self.phone)

    @property
    def birth_year(self):
        return self.birth_date.year if self.birth_date else None

    def audit_anchor(self):
        current = self.employments.filter(end_date__isnull=True).select_related("enterprise__region").first()
        if current is None:
            return "", None
        return current.enterprise.region.path, current.enterprise_id



class WorkerNameGram(models.Model):
    """One character or pair of adjacent characters of a worker's name (``rules.name_grams``), with
    the name itself: the index behind searching workers by any part of the name. Its key
    ``(gram, name, worker)`` lists a gram's workers in the worker list's own order (name, pk), so
    a page of matches is a walk of that index that stops after one page, whether the gram is rare
    or in every twentieth name (docs/registry.md, "Searching by any part of a name").

    Written only by database triggers on ``registry_worker`` (migration 0005), in the transaction of
    every write, so the services, imports, the demo generator's batched inserts and raw SQL alike keep
    it; the application never writes it. No foreign-key constraint: the delete trigger removes a
    worker's grams. Not scoped: read only joined to a scoped worker list."""

    gram = models.CharField(max_length=rules.NAME_GRAM_MAX)
    name = models.CharField(max_length=64)
    worker = models.ForeignKey(Worker, on_delete=models.DO_NOTHING, db_constraint=False, related_name="name_grams")

    class Meta:
        # The foreign key's own index on ``worker`` serves the triggers' deletes.
        constraints = [models.UniqueConstraint(fields=["gram", "name", "worker"], name="registry_name_gram_key")]

    def __str__(self):
        return f"{self.gram} · {self.worker_id}"


class Employment(models.Model):
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="employments")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="employments"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=64, blank=True)
    contract_signed = models.BooleanField(_("labour contract signed"), default=False)
    contract_type = models.CharField(_("contract type"), max_length=16, choices=codes.ContractType.choices, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    insured = models.BooleanField(_("social insurance"), default=False)
    monthly_wage = models.DecimalField(
        _("monthly wage (yuan)"), max_digits=9, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("enterprise__region__path",),
        enterprise="enterprise",
        worker_user="worker__user",
        view_roles=STAFF_ROLES | {Role.WORKER},
    )

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["-start_date", "pk"]
        indexes = [models.Index(fields=["enterprise", "end_date"], name="registry_emp_ent_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "enterprise"],
                condition=Q(end_date__isnull=True),
                name="registry_one_open_employment_per_enterprise",
                violation_error_message=_("This worker already has an open employment at this enterprise."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="registry_employment_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.worker} @ {self.enterprise}"

    def clean(self):
        problems = rules.employment_problems(
            start_date=self.start_date, end_date=self.end_date, contract_signed=self.contract_signed,
            contract_type=self.contract_type, contract_start=self.contract_start, contract_end=self.contract_end,
        )
        if problems:
            raise ValidationError({field: rules.EMPLOYMENT_MESSAGES[code] for field, code in problems})

    def get_absolute_url(self):
        return reverse("registry:employment_detail", args=[self.pk])
