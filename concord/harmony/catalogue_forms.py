"""Forms of the standards, tiers, vetoes, county reviews and surveys pages. They parse input; the
rules are in services, rules and the models' clean, so the API refuses the same input with the
same messages."""
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.disputes.forms import EnterpriseField

from .models import Indicator, Round, Standard, Tier, VetoItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StandardForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = ["name", "version", "effective_from", "is_active", "source", "survey_min_responses",
                  "satisfaction_veto_below", "period_days"]
        widgets = {"effective_from": DATE}

    def clean_satisfaction_veto_below(self):
        value = self.cleaned_data["satisfaction_veto_below"]
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise ValidationError(_("A share between 0 and 100."))
        return value


class IndicatorForm(forms.ModelForm):
    """An indicator of one standard: its group and classes are chosen among that standard's."""

    class Meta:
        model = Indicator
        fields = ["group", "code", "text", "max_points", "method", "params", "guidance", "classes", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "guidance": forms.Textarea(attrs={"rows": 2}),
                   "classes": forms.CheckboxSelectMultiple}
        help_texts = {
            "classes": _("None ticked: the indicator applies to every class."),
            "params": _("For computed methods, as JSON: target and per_point for the signing rate, bands for the "
                        "insurance rate, per_case for disputes; empty for manual ones. The standard's page shows "
                        "them as a sentence."),
        }

    def __init__(self, *args, standard=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard or (self.instance.group.standard if self.instance.pk else None)
        self.fields["group"].queryset = self.standard.groups.all()
        self.fields["classes"].queryset = self.standard.classes.all()

    def clean_max_points(self):
        value = self.cleaned_data["max_points"]
        if value is not None and not Decimal(0) < value <= Decimal(100):
            raise ValidationError(_("More than 0 and at most 100 points."))
        return value

    def clean_params(self):
        value = self.cleaned_data.get("params")
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise ValidationError(_('Parameters are an object such as {"per_case": 1}.'))
        return value

    def clean(self):
        data = super().clean()
        code, group = data.get("code"), data.get("group")
        if code and group is not None:
            clash = Indicator.objects.filter(group__standard_id=group.standard_id, code=code).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("code", _("Another indicator of this standard has this code."))
        return data


class VetoItemForm(forms.ModelForm):
    class Meta:
        model = VetoItem
        fields = ["code", "text", "detection", "look_back_days"]

    def __init__(self, *args, standard=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.standard = standard or self.instance.standard

    def clean(self):
        data = super().clean()
        code = data.get("code")
        if code and VetoItem.objects.filter(standard=self.standard, code=code).exclude(pk=self.instance.pk).exists():
            self.add_error("code", _("Another veto item of this standard has this code."))
        if data.get("look_back_days") == 0:
            self.add_error("look_back_days", _("At least one day."))
        return data


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "min_score", "prerequisite", "prerequisite_days", "validity_years", "recheck_months"]

    def clean_min_score(self):
        value = self.cleaned_data["min_score"]
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise ValidationError(_("A score between 0 and 100."))
        return value

    def clean_validity_years(self):
        value = self.cleaned_data["validity_years"]
        if not value:
            raise ValidationError(_("At least one year."))
        return value

    def clean_recheck_months(self):
        value = self.cleaned_data["recheck_months"]
        if not value:
            raise ValidationError(_("At least one month."))
        return value

    def clean_prerequisite(self):
        tier = self.cleaned_data.get("prerequisite")
        if tier is not None and tier.rank >= self.instance.rank:
            raise ValidationError(_("The tier to hold first must be a lower tier."))
        return tier


class VetoRecordForm(forms.Form):
    enterprise = EnterpriseField(label=_("enterprise (name or credit code)"))
    item = forms.ModelChoiceField(label=_("veto item"), queryset=VetoItem.objects.none())
    occurred_on = forms.DateField(label=_("occurred on"), widget=DATE, initial=timezone.localdate)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].user = user
        self.fields["item"].queryset = (VetoItem.objects.visible_to(user).filter(standard__is_active=True)
                                        .select_related("standard").order_by("standard", "code"))


class ReviewDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), widget=forms.RadioSelect,
                                 choices=[("restore", _("Restore the title")), ("revoke", _("Revoke the title"))])
    note = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class SurveyOpenForm(forms.Form):
    enterprise = EnterpriseField(label=_("enterprise (name or credit code)"))
    round = forms.ModelChoiceField(label=_("round"), queryset=Round.objects.none(), required=False,
                                   help_text=_("The round's standard gives the minimum number of responses."))
    opens_on = forms.DateField(label=_("opens on"), widget=DATE, initial=timezone.localdate)
    closes_on = forms.DateField(label=_("closes on"), widget=DATE)
    min_responses = forms.IntegerField(label=_("minimum responses"), required=False, min_value=1, max_value=10000,
                                       help_text=_("Empty: the standard's minimum."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].user = user
        self.fields["round"].queryset = Round.objects.visible_to(user).order_by("-year")


class SurveyAnswerForm(forms.Form):
    """One 1–5 choice per question (field ``q<question id>``)."""

    SCALE = [(5, _("Very satisfied")), (4, _("Satisfied")), (3, _("Neutral")), (2, _("Dissatisfied")),
             (1, _("Very dissatisfied"))]

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for q in questions:
            self.fields[f"q{q.pk}"] = forms.TypedChoiceField(
                label=q.text, choices=self.SCALE, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer from 1 to 5.")})

    def answers(self):
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}
