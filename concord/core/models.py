"""Organisation tree, users and role assignments, domain events, access log and job runs."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from auditlog.models import LogEntry

from . import masking
from .scope import ALL_ROLES, ENTERPRISE_ROLES, REGION_ROLES, SELF_ROLES, STAFF_ROLES, Role, ScopedManager, ScopedQuerySet, ScopeSpec


class Region(models.Model):
    """A node of the organisation tree: county → town / sub-district → community.

    ``path`` is the materialised path of administrative codes ending in "/", e.g.
    ``330603/330603009/``, so "everything under a node" is an indexed prefix match.
    """

    class Kind(models.TextChoices):
        COUNTY = "county", _("County / district")
        TOWN = "town", _("Town / sub-district")
        COMMUNITY = "community", _("Village / community")

    code = models.CharField(
        _("administrative code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{6}(\d{3}(\d{3})?)?$", _("Use a 6, 9 or 12 digit administrative code."))],
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    # The region's mediation body (the town's rights-protection station, the county federation's
    # centre): where its documents tell the parties to come and whom to call (受理通知书).
    mediation_address = models.CharField(_("mediation body's address"), max_length=255, blank=True)
    mediation_phone = models.CharField(
        _("mediation body's telephone"), max_length=20, blank=True,
        validators=[RegexValidator(r"^[0-9][0-9 -]{4,18}[0-9]$", _("Enter a telephone number: digits, spaces or hyphens."))],
    )

    objects = ScopedManager()
    scope = ScopeSpec(regions=("path",), write_roles=frozenset({Role.COUNTY_ADMIN}))

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def clean(self):
        expected_parent = {self.Kind.COUNTY: None, self.Kind.TOWN: self.Kind.COUNTY, self.Kind.COMMUNITY: self.Kind.TOWN}
        want = expected_parent.get(self.kind)
        if want is None and self.parent_id:
            raise ValidationError({"parent": _("A county has no parent.")})
        if want is not None and (self.parent is None or self.parent.kind != want):
            raise ValidationError({"parent": _("This kind of region must sit under a %(kind)s.") % {"kind": self.Kind(want).label}})

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = f"{self.parent.path if self.parent_id else ''}{self.code}/"
        self.depth = self.path.count("/") - 1
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moving a node moves its subtree: rewrite descendants' paths in one pass.
            for node in Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                node.path = self.path + node.path[len(old_path):]
                node.depth = node.path.count("/") - 1
                super(Region, node).save(update_fields=["path", "depth"])

    def get_absolute_url(self):
        return reverse("core:region_detail", args=[self.pk])

    def ancestors(self):
        codes = self.path.strip("/").split("/")[:-1]
        return Region.objects.filter(code__in=codes).order_by("depth")


class ConcordUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Roles and scope come from ``RoleAssignment`` rows."""

    name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(
        _("mobile phone"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))],
    )

    objects = ConcordUserManager()
    # Users are visible where one of their assignments is: by region, or through the enterprise's town.
    scope = ScopeSpec(
        regions=("role_assignments__region__path", "role_assignments__enterprise__region__path"),
        view_roles=frozenset({Role.COUNTY_ADMIN, Role.AUDITOR}),
        write_roles=frozenset({Role.COUNTY_ADMIN}),
        multi_valued=True,
    )
    personal_fields = {"phone": masking.PHONE}

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.name or self.username

    def get_absolute_url(self):
        return reverse("core:user_detail", args=[self.pk])


class RoleAssignment(models.Model):
    """A role held by a user over a scope: a region node or one enterprise (or, for a worker, themself)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("enterprise"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("region__path", "enterprise__region__path"),
        view_roles=frozenset({Role.COUNTY_ADMIN, Role.AUDITOR}),
        write_roles=frozenset({Role.COUNTY_ADMIN}),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region", "enterprise"], name="core_roleassignment_unique"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self):
        if self.enterprise_id:
            return str(self.enterprise)
        if self.region_id:
            return str(self.region)
        return _("own records")

    def clean(self):
        if self.role in REGION_ROLES and (not self.region_id or self.enterprise_id):
            raise ValidationError({"region": _("This role is held over a region: choose a region and no enterprise.")})
        if self.role in ENTERPRISE_ROLES and (not self.enterprise_id or self.region_id):
            raise ValidationError({"enterprise": _("This role is held over one enterprise: choose an enterprise and no region.")})
        if self.role in SELF_ROLES and self.region_id:
            raise ValidationError({"region": _("A worker's scope is their own records: leave the region empty.")})

    def get_absolute_url(self):
        return reverse("core:user_detail", args=[self.user_id])


class Event(models.Model):
    """A domain event written by a service: the base of every timeline (case, claim, evaluation…)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(_("event"), max_length=64, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    # The target's region path at the time, so the timeline is scoped like its object.
    region_path = models.CharField(max_length=255, blank=True, db_index=True)
    enterprise_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = ScopedManager()
    # The region and enterprise at the time, and the subject's own scope now: an event is read only
    # by those who may view its subject (a court liaison reads court-referred cases' events only).
    # Some events also name a record in their details (an enterprise's "collective dispute filed" names
    # the case): those are read only by who may view that record too.
    scope = ScopeSpec(regions=("region_path",), enterprise="enterprise_id", write_roles=frozenset(),
                      subject=("content_type", "object_id"),
                      named=(("data", "case", "disputes.Case"), ("data", "alert", "alerts.Alert")))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.verb} · {self.object_repr}"


class AccessLog(models.Model):
    """Written whenever a full ID number or phone number is revealed to someone (a reveal, an
    export with full personal data), and for each exact search by one by a role that may not
    reveal (``core.audit.exact_lookup``). ``field`` names the personal fields, comma-separated."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("revealed to"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=255)
    field = models.CharField(_("field"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=32, default="view")
    count = models.PositiveIntegerField(_("records"), default=1)
    # An export's or a search's query (personal values in it masked): which rows were chosen.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    region_path = models.CharField(max_length=255, blank=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(
        regions=("region_path",), view_roles=frozenset({Role.COUNTY_ADMIN, Role.AUDITOR}), write_roles=frozenset()
    )

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data access log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.actor} · {self.object_repr} · {self.field}"


class ChangeLogEntry(LogEntry):
    """The change log (django-auditlog's entries) seen through the scope mechanism."""

    objects = ScopedManager()
    scope = ScopeSpec(
        county_level_only=True, view_roles=frozenset({Role.COUNTY_ADMIN, Role.AUDITOR}), write_roles=frozenset()
    )

    class Meta:
        proxy = True
        ordering = ["-timestamp", "-pk"]
        verbose_name = _("change-log entry")
        verbose_name_plural = _("change log")

    def get_absolute_url(self):
        return reverse("core:changelogentry_detail", args=[self.pk])


class JobRun(models.Model):
    """The last run of each periodic job, so cron and Celery beat agree on what is due."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_started = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished = models.DateTimeField(_("last finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    objects = ScopedManager()
    scope = ScopeSpec(
        county_level_only=True, view_roles=frozenset({Role.COUNTY_ADMIN, Role.AUDITOR}), write_roles=frozenset()
    )

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self):
        return self.name


__all__ = ["Region", "User", "RoleAssignment", "Event", "AccessLog", "ChangeLogEntry", "JobRun", "ALL_ROLES", "STAFF_ROLES"]


class ImportBatch(models.Model):
    """One committed (or refused) import of a spreadsheet file: who, which file, what it did.

    Bulk writes bypass the change log's signals, so the batch is the audit record of the rows it
    created (``created_ids``, compact id ranges per model); rows it updated get change-log entries
    with before and after written by the importer. Dry runs write nothing, not even a batch.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind of file"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    # Kept for a background commit (storage shared with the workers); empty for command-line imports.
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created = models.PositiveIntegerField(_("records added"), default=0)
    updated = models.PositiveIntegerField(_("records changed"), default=0)
    unchanged = models.PositiveIntegerField(_("records unchanged"), default=0)
    counts = models.JSONField(_("counts per record type"), default=dict, blank=True)
    created_ids = models.JSONField(_("created records"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    notices = models.JSONField(_("notices"), default=list, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The importer's scope at the time, so the batch is seen by the importer's town and the county.
    region_path = models.CharField(max_length=255, blank=True, db_index=True)
    enterprise_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("duration (s)"), null=True, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(regions=("region_path",), enterprise="enterprise_id", write_roles=frozenset())

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        from .imports import KINDS

        kind = KINDS.get(self.kind)
        return reverse(kind.batch_url, args=[self.pk]) if kind else ""

    @property
    def in_progress(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


__all__.append("ImportBatch")


class CalendarYear(models.Model):
    """A year whose official holiday schedule is loaded completely (see core/workdays.py)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=255, help_text=_("The State Council notice, or the package it came from."))

    objects = ScopedManager()
    scope = ScopeSpec(county_level_only=True, write_roles=frozenset({Role.COUNTY_ADMIN}))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("working-day calendar")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)

    def get_absolute_url(self):
        return reverse("core:calendaryear_detail", args=[self.pk])

    @property
    def source_label(self):
        """The source as a reader says it: a year loaded from the ``chinesecalendar`` package stores
        the package's name and version (``load_calendar --from-package``); the page names the
        notices it restates. A source typed in by hand is shown as typed."""
        if self.source.startswith("chinesecalendar"):
            version = self.source[len("chinesecalendar"):].strip()
            return _("General Office of the State Council holiday notices (as collected by the chinesecalendar package %(version)s)") % {
                "version": version}
        return self.source


class CalendarDay(models.Model):
    """An exception to the week: a holiday on a weekday, or a make-up workday on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (day off)")
        WORKDAY = "workday", _("Make-up workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)

    objects = ScopedManager()
    scope = ScopeSpec(county_level_only=True, write_roles=frozenset({Role.COUNTY_ADMIN}))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("core:calendarday_detail", args=[self.pk])

    def clean(self):
        weekend = self.date is not None and self.date.weekday() >= 5
        if self.kind == self.Kind.HOLIDAY and weekend:
            raise ValidationError({"date": _("A weekend day is already off: record only holidays that fall on weekdays.")})
        if self.kind == self.Kind.WORKDAY and self.date is not None and not weekend:
            raise ValidationError({"date": _("A make-up workday falls on a Saturday or Sunday.")})


class Sequence(models.Model):
    """A named counter (case numbers per county and year, document numbers per kind and year).

    ``core.sequences.next_value`` creates the row if needed and increments it under a row lock, so
    concurrent requests on PostgreSQL never get the same value; there is no page for it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    last = models.PositiveIntegerField(_("last value"), default=0)

    objects = ScopedManager()
    scope = ScopeSpec(county_level_only=True, view_roles=frozenset({Role.COUNTY_ADMIN}), write_roles=frozenset())

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.name}: {self.last}"


class Notification(models.Model):
    """A message to one user (deadline reminders, escalations, assignments).

    An inbox is personal: a user reads only their own notifications (``for_user``); they are not
    region-scoped records, so they have no ScopeSpec and no list in the scope matrix."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    text = models.CharField(_("message"), max_length=255)
    url = models.CharField(_("link"), max_length=255, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.text


__all__ += ["CalendarYear", "CalendarDay", "Sequence", "Notification"]
