"""Forms of the registry. The rules they apply live in ``rules.py`` and the models' ``clean()``
(employment dates and contract: ``rules.employment_problems``), so the API refuses the same input
with the same messages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core import masking
from concord.core.audit import record_access

from . import rules
from .models import Employment, Enterprise, Worker

# Reasons of rules.id_number_problem, said to the person who typed the number.
ID_NUMBER_MESSAGES = {
    "length": _("An ID number has 18 characters."),
    "invalid": _("An ID number is 17 digits followed by a digit or the letter X."),
    "birthday": _("The birth date in the ID number (characters 7 to 14) is not a real date."),
    "location": _("The first two digits of the ID number are not a province code."),
    "checksum": _("The check character (the 18th) does not match the other 17: a digit is probably mistyped."),
    "region": _("The first six digits of the ID number are not a region code that has existed since 1980 (GB/T 2260)."),
    "future": _("The birth date in the ID number is in the future."),
}


# A number already registered: said plainly when the person is in the user's scope (they can open
# the record anyway); otherwise one neutral sentence, the same whatever makes the number unusable
# here, so that the form does not tell a town that the person is registered in another one.
ID_NUMBER_TAKEN_VISIBLE = _("A worker with this ID number is already registered: open their record to add an employment.")
ID_NUMBER_CANNOT_REGISTER = _(
    "This ID number cannot be registered here. If the person works for an enterprise in your area, ask the county "
    "federation of trade unions to add the employment."
)
REFUSED_PURPOSE = "registration_refused"


def id_number_taken(value, user, *, exclude_pk=None, request=None):
    """The message refusing ``value`` as a new (or changed) worker's ID number, or None when no
    other worker has it. A refusal about a person outside the user's scope is written to the
    personal-data access log (who tried, which record), so the county sees who probes numbers."""
    others = Worker.objects.filter(id_number=value)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    existing = others.first()
    if existing is None:
        return None
    if user is not None and Worker.objects.visible_to(user).filter(pk=existing.pk).exists():
        return ID_NUMBER_TAKEN_VISIBLE
    record_access(actor=user if getattr(user, "is_authenticated", False) else None, target=existing,
                  field="id_number", purpose=REFUSED_PURPOSE, request=request)
    return ID_NUMBER_CANNOT_REGISTER


class CompactCharField(forms.CharField):
    """Identifiers typed or pasted with spaces or hyphens ("138 0000 1111", "9133-0603…")."""

    def to_python(self, value):
        value = super().to_python(value)
        return rules.compact(value) if value else value

    def widget_attrs(self, widget):
        # No maxlength in the page: the browser would cut a pasted "138 0000 1111" short.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def _date_widget():
    # type=date inputs only accept ISO dates, whatever the language's display format.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["credit_code", "name", "region", "address", "industry", "ownership", "size_class",
                  "legal_representative", "legal_representative_title", "contact_name", "contact_phone", "has_union",
                  "has_mediation_committee", "has_workers_congress", "is_key_enterprise"]
        field_classes = {"credit_code": CompactCharField, "contact_phone": CompactCharField}
        widgets = {"credit_code": forms.TextInput(attrs={"autocomplete": "off"})}

    def clean_credit_code(self):
        return rules.normalise_credit_code(self.cleaned_data["credit_code"])


class WorkerForm(forms.ModelForm):
    class Meta:
        model = Worker
        fields = ["id_number", "name", "phone", "hukou_province", "hukou_city", "is_migrant", "education", "ethnicity",
                  "address"]
        field_classes = {"id_number": CompactCharField, "phone": CompactCharField}
        widgets = {"id_number": forms.TextInput(attrs={"autocomplete": "off"})}
        help_texts = {
            "hukou_province": _("Leave blank to take it from the ID number."),
            "hukou_city": _("Leave blank to take it from the ID number."),
            "is_migrant": _("Household registration outside the county's prefecture."),
        }

    # Set by the page (views.WorkerAdd, WorkerEdit): who is asking, for the duplicate check.
    request = None

    def clean_id_number(self):
        value = rules.normalise_id_number(self.cleaned_data["id_number"])
        problem = rules.id_number_problem(value)
        if problem:
            raise forms.ValidationError(ID_NUMBER_MESSAGES[problem], code=problem)
        if value != self.instance.id_number:
            taken = id_number_taken(value, getattr(self.request, "user", None), exclude_pk=self.instance.pk,
                                    request=self.request)
            if taken:
                raise forms.ValidationError(taken, code="taken")
        return value

    def validate_unique(self):
        # The ID number's uniqueness is clean_id_number's (its message must not reveal a person
        # outside the scope); the model's own check would say "already exists".
        exclude = self._get_validation_exclusions() | {"id_number"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as exc:
            self._update_errors(exc)


class WorkerByIdNumberField(forms.ModelChoiceField):
    """A worker typed in by ID number: a county has 1.2 million workers, too many for a list."""

    default_error_messages = {"invalid_choice": _("No worker with this ID number is in your scope.")}

    def __init__(self, queryset, **kwargs):
        # Room for separators typed or pasted ("330621-19880101-0225"); they are removed on cleaning.
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 32, "autocomplete": "off"}))
        kwargs["to_field_name"] = "id_number"
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        return super().to_python(rules.normalise_id_number(value) if isinstance(value, str) else value)


class EnterpriseByCreditCodeField(forms.ModelChoiceField):
    """An enterprise typed in by credit code: a county has 25,000 enterprises."""

    default_error_messages = {"invalid_choice": _("No enterprise with this credit code is in your scope.")}

    def __init__(self, queryset, **kwargs):
        # Room for separators typed or pasted ("330621-19880101-0225"); they are removed on cleaning.
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 32, "autocomplete": "off"}))
        kwargs["to_field_name"] = "credit_code"
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        return super().to_python(rules.normalise_credit_code(value) if isinstance(value, str) else value)


class FixedWorkerField(forms.ModelChoiceField):
    """The one worker an employment belongs to, shown by name and masked ID number."""

    def label_from_instance(self, obj):
        return f"{obj.name} ({masking.mask_id_number(obj.id_number)})"


class WorkerCreateForm(WorkerForm):
    """A new worker together with their current employment.

    A worker enters a town's (or an enterprise union's) scope through an employment, so a worker
    saved without one would be outside every scope, the adding officer's included."""

    enterprise = EnterpriseByCreditCodeField(queryset=Enterprise.objects.all(), label=_("enterprise's credit code"))
    start_date = forms.DateField(label=_("start date"), widget=_date_widget())
    position = forms.CharField(label=_("position"), max_length=64, required=False)

    employment_fields = ("enterprise", "start_date", "position")

    def clean(self):
        cleaned = super().clean()
        employment = self.employment(worker=None)
        try:
            # The employment rules (e.g. a start date in the future), as the employment form applies them.
            employment.full_clean(exclude=["worker"], validate_unique=False, validate_constraints=False)
        except forms.ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field in self.employment_fields and field not in self.errors:
                    self.add_error(field, errors)
        return cleaned

    def employment(self, worker):
        data = self.cleaned_data
        return Employment(worker=worker, enterprise=data.get("enterprise"), start_date=data.get("start_date"),
                          position=data.get("position", ""))

    def save(self, commit=True):
        worker = super().save(commit=commit)
        if commit:
            employment = self.employment(worker)
            employment.full_clean()
            employment.save()
        return worker


class EmploymentForm(forms.ModelForm):
    """``worker`` is typed by ID number when adding; it is fixed (a one-row choice) when editing
    or when the page was opened from a worker, so the full ID number is never written into the page."""

    class Meta:
        model = Employment
        fields = ["worker", "enterprise", "start_date", "end_date", "position", "contract_signed", "contract_type",
                  "contract_start", "contract_end", "insured", "monthly_wage"]
        field_classes = {"worker": WorkerByIdNumberField, "enterprise": EnterpriseByCreditCodeField}
        widgets = {name: _date_widget() for name in ("start_date", "end_date", "contract_start", "contract_end")}
        labels = {"worker": _("worker's ID number"), "enterprise": _("enterprise's credit code")}
        help_texts = {"end_date": _("Leave blank while the worker is still employed.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fixed = self.instance.worker_id if self.instance.pk else self.initial.get("worker")
        if isinstance(fixed, Worker):
            fixed = fixed.pk
        if fixed:
            self.fields["worker"] = FixedWorkerField(
                queryset=Worker.objects.filter(pk=fixed), empty_label=None, label=_("worker"),
            )
