"""Forms of the early-warning pages. They parse input; the rules are in services, rules and the
models' clean, so the API and the import refuse the same input with the same messages."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from concord.disputes.forms import EnterpriseField

from . import rules, selectors
from .models import ActionKind, AlertOutcome, LevelPolicy, ScoringRule, SignalKind, SignalSource

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Kinds a person reports; the computed ones come from Concord's own data.
MANUAL_KINDS = [(value, label) for value, label in SignalKind.choices if value not in rules.COMPUTED_KINDS]
MANUAL_SOURCES = [(value, label) for value, label in SignalSource.choices
                  if value in (SignalSource.MANUAL, SignalSource.HOTLINE, SignalSource.INSPECTION)]


class MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.held_on:%Y-%m-%d} · {obj.region} · {obj.place}"


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("disposal action"), choices=[("", "—")] + ActionKind.choices)
    done_on = forms.DateField(label=_("date"), widget=DATE, initial=timezone.localdate)
    summary = forms.CharField(label=_("what was done and found"), widget=forms.Textarea(attrs={"rows": 3}))
    meeting = MeetingChoice(label=_("tripartite meeting"), queryset=None, required=False,
                            help_text=_("Only for a tripartite meeting action: the meeting recorded in Concord."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = selectors.meeting_choices(user)


class EscalateForm(forms.Form):
    note = forms.CharField(label=_("why the county is needed"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("disposal outcome"), choices=[("", "—")] + AlertOutcome.choices)
    outcome_note = forms.CharField(label=_("outcome details"), widget=forms.Textarea(attrs={"rows": 3}))
    closed_on = forms.DateField(label=pgettext_lazy("alert", "closed on"), widget=DATE, initial=timezone.localdate, required=False)


class SignalForm(forms.Form):
    enterprise = EnterpriseField(label=_("enterprise (name or credit code)"))
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—")] + MANUAL_KINDS)
    source = forms.ChoiceField(label=_("source"), choices=MANUAL_SOURCES, initial=SignalSource.MANUAL)
    observed_on = forms.DateField(label=_("date"), widget=DATE, initial=timezone.localdate)
    value = forms.DecimalField(label=_("value"), required=False, max_digits=9, decimal_places=2,
                               help_text=_("Months of arrears, or the number of complaints or findings; "
                                           "empty for a production halt, an unreachable owner or a report."))
    amount = forms.DecimalField(label=_("amount (yuan)"), required=False, max_digits=14, decimal_places=2)
    workers_affected = forms.IntegerField(label=_("workers affected"), required=False)
    evidence = forms.CharField(label=_("evidence"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    expires_on = forms.DateField(label=_("expires on"), required=False, widget=DATE,
                                 help_text=_("Empty: the signal counts for 90 days."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].user = user


class ScoringRuleForm(forms.ModelForm):
    class Meta:
        model = ScoringRule
        fields = ["kind", "at_least", "below", "window_days", "points", "min_level", "label", "source", "is_active"]


class LevelPolicyForm(forms.ModelForm):
    class Meta:
        model = LevelPolicy
        fields = ["min_points", "response_days", "raises_alert", "county", "source"]
