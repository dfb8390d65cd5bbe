"""Forms of the tripartite meeting pages and the legal settings; they read input and write through
``meetings`` (the API uses the same functions)."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from concord.core.models import Region
from concord.core.scope import VIEW
from concord.registry.models import Enterprise

from .meetings import meeting_save, resolve_case_numbers, resolve_credit_codes, setting_value_problem
from .models import Case, LegalSetting, TripartiteMeeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(forms.ModelForm):
    """A meeting; linked cases and enterprises are typed one per line (a county has 60,000 cases
    and 25,000 enterprises: too many for a list) and resolved in the user's scope."""

    case_numbers = forms.CharField(
        label=_("Linked cases"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One case number per line, e.g. 330603-2026-000123."))
    credit_codes = forms.CharField(
        label=_("Linked enterprises"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One unified social credit code per line."))

    class Meta:
        model = TripartiteMeeting
        fields = ["region", "held_on", "place", "labour_bureau", "union", "employers", "topics", "decisions"]
        widgets = {"held_on": DATE, "topics": forms.Textarea(attrs={"rows": 3}), "decisions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Meetings sit at county or town level; the scope narrows further (restrict_form_fields
        # in the view, and here for callers that build the form directly).
        self.fields["region"].queryset = Region.objects.visible_to(user, VIEW).filter(kind__in=["county", "town"])
        self.fields["region"].label = _("County or town")
        if self.instance.pk:
            visible_cases = Case.objects.visible_to(user, VIEW).filter(meetings=self.instance).order_by("number")
            visible_ents = Enterprise.objects.visible_to(user, VIEW).filter(meetings=self.instance).order_by("credit_code")
            self.initial.setdefault("case_numbers", "\n".join(c.number for c in visible_cases))
            self.initial.setdefault("credit_codes", "\n".join(e.credit_code for e in visible_ents))

    def clean_case_numbers(self):
        cases, problems = resolve_case_numbers(self.cleaned_data.get("case_numbers", ""), self.user)
        if problems:
            raise ValidationError(problems)
        return cases

    def clean_credit_codes(self):
        ents, problems = resolve_credit_codes(self.cleaned_data.get("credit_codes", ""), self.user)
        if problems:
            raise ValidationError(problems)
        return ents

    def save(self, commit=True):
        return meeting_save(self.instance, actor=self.user, cases=self.cleaned_data["case_numbers"],
                            enterprises=self.cleaned_data["credit_codes"])


class FollowUpForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=255)
    owner = forms.CharField(label=_("Owner"), max_length=64, help_text=_("The person or body responsible."))
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class DoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE, required=False,
                              help_text=_("Today when left empty."))


class LegalSettingForm(forms.ModelForm):
    class Meta:
        model = LegalSetting
        fields = ["region", "key", "value", "source", "effective_from", "effective_to"]
        widgets = {"effective_from": DATE, "effective_to": DATE}
        help_texts = {
            "source": _("The law, regulation or local decision that sets this value."),
            "effective_to": _("Leave empty while the value stays in force."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Settings belong to a county: its towns' cases follow it.
        self.fields["region"].queryset = Region.objects.visible_to(user, VIEW).filter(kind="county")

    def clean(self):
        cleaned = super().clean()
        problem = setting_value_problem(cleaned.get("key"), cleaned.get("value"))
        if problem:
            self.add_error("value", problem)
        return cleaned
