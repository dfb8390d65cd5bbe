"""Who works where: enterprises, workers and their employments.

The platform issue lays the minimum every pillar needs (identity, region, the link between a worker
and an enterprise); the registry issue adds the full set of facts.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concord.core import masking
from concord.core.scope import STAFF_ROLES, Role, ScopedManager, ScopeSpec

from . import rules

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))


def validate_credit_code(value):
    if not rules.credit_code_valid(value):
        raise ValidationError(_("Not a valid unified social credit code (18 characters, GB 32100 check character)."))


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
    has_union = models.BooleanField(_("has a union"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region__path",), enterprise="pk")

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:enterprise_detail", args=[self.pk])


class Worker(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    name = models.CharField(_("full name"), max_length=64, db_index=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[phone_validator])
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    is_migrant = models.BooleanField(_("migrant worker"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("employments__enterprise__region__path",),
        enterprise="employments__enterprise",
        worker_user="user",
        view_roles=STAFF_ROLES | {Role.WORKER},
        multi_valued=True,
    )
    personal_fields = {"id_number": masking.ID_NUMBER, "phone": masking.PHONE}

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.id_number and rules.id_number_valid(self.id_number):
            self.birth_date = rules.birth_date_from_id(self.id_number)
            self.sex = rules.sex_from_id(self.id_number)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("registry:worker_detail", args=[self.pk])

    @property
    def id_number_masked(self):
        return masking.mask_id_number(self.id_number)

    @property
    def phone_masked(self):
        return masking.mask_phone(self.phone)

    def audit_anchor(self):
        current = self.employments.filter(end_date__isnull=True).select_related("enterprise__region").first()
        if current is None:
            return "", None
        return current.enterprise.region.path, current.enterprise_id


class Employment(models.Model):
    worker = models.ForeignKey(Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="employments")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="employments"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=64, blank=True)

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

    def get_absolute_url(self):
        return reverse("registry:employment_detail", args=[self.pk])
