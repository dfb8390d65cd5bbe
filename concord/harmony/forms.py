"""Forms of the creation round's pages. They parse input; the rules are in services and rules, so the
API refuses the same input with the same messages. A score's field is ``score-<indicator id>``, as
the services name it, so their errors land next to the field."""
from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.scope import CHANGE
from concord.registry.models import Enterprise

from .models import Round, Tier

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
POINTS = {"max_digits": 5, "decimal_places": 1, "required": False}


class RoundForm(forms.ModelForm):
    """The county opens a round; the model's clean() checks that the dates follow each other."""

    class Meta:
        model = Round
        fields = ("year", "name", "standard", "opens_on", "self_assessment_due", "review_due", "approval_due", "is_open")
        widgets = {name: DATE for name in ("opens_on", "self_assessment_due", "review_due", "approval_due")}


class ApplyForm(forms.Form):
    """Open an enterprise's application in the round: the enterprise (by credit code or exact name
    when the user sees many; a list when few, e.g. the union officer's own) and the tier."""

    LIST_LIMIT = 50

    tier = forms.ModelChoiceField(label=_("tier applied for"), queryset=Tier.objects.order_by("rank"))

    def __init__(self, *args, user=None, rounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rounds is not None:
            # The rounds taking applications (county-wide facts: a name and dates).
            self.fields["round"] = forms.ModelChoiceField(label=_("round"), queryset=rounds,
                                                          initial=rounds[0].pk if len(rounds) == 1 else None)
        visible = Enterprise.objects.visible_to(user, CHANGE).order_by("name")
        few = list(visible[:self.LIST_LIMIT + 1])
        if len(few) <= self.LIST_LIMIT:
            self.fields["enterprise"] = forms.ModelChoiceField(label=_("enterprise"), queryset=visible,
                                                               initial=few[0].pk if len(few) == 1 else None)
        else:
            from concord.disputes.forms import EnterpriseField

            self.fields["enterprise"] = EnterpriseField(label=_("enterprise"), user=user, max_length=160)  # a suggestion: name（code）
        self.order_fields(["round", "enterprise", "tier"])


class NoteForm(forms.Form):
    note = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ConfirmForm(forms.Form):
    """A transition without input (approve, certify): the errors of the services go on the form."""


class _ScoreForm(forms.Form):
    def points(self):
        return {int(name[6:]): value for name, value in self.cleaned_data.items()
                if name.startswith("score-") and value is not None}

    def texts(self):
        prefix = f"{self.text_prefix}-"
        return {int(name[len(prefix):]): value for name, value in self.cleaned_data.items() if name.startswith(prefix)}


class SelfAssessForm(_ScoreForm):
    """Points and evidence per manual indicator (computed ones come from Concord's data)."""

    text_prefix = "evidence"

    def __init__(self, *args, scores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.scores = [s for s in scores if not s.indicator.is_computed]
        for s in self.scores:
            self.fields[f"score-{s.indicator_id}"] = forms.DecimalField(
                label=_("points (of %(max)s)") % {"max": s.indicator.max_points}, initial=s.self_points, **POINTS)
            self.fields[f"evidence-{s.indicator_id}"] = forms.CharField(
                label=_("evidence"), required=False, initial=s.evidence, max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(_ScoreForm):
    """The town's review: points per indicator (prefilled with the self-assessment), a reason for
    each changed one, and the on-site check."""

    text_prefix = "reason"
    onsite_check_on = forms.DateField(label=_("on-site check on"), required=False, widget=DATE)
    onsite_notes = forms.CharField(label=_("on-site check findings"), required=False, max_length=4000,
                                   widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, scores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.scores = list(scores)
        for s in self.scores:
            before = s.self_points if s.self_points is not None else s.computed_points
            self.fields[f"score-{s.indicator_id}"] = forms.DecimalField(
                label=_("reviewed points (of %(max)s)") % {"max": s.indicator.max_points},
                initial=s.review_points if s.review_points is not None else before, **POINTS)
            self.fields[f"reason-{s.indicator_id}"] = forms.CharField(
                label=_("reason for the change"), required=False, initial=s.review_reason, max_length=2000)

    def site_fields(self):
        return [self["onsite_check_on"], self["onsite_notes"]]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    upheld = forms.BooleanField(label=_("The objection is upheld (the title cannot be granted)"), required=False)


class ObjectionForm(forms.Form):
    """The public page's objection (no login): the text and, if the person wishes, a contact."""

    evaluation = forms.IntegerField(widget=forms.HiddenInput)
    # The lengths are the service's to check (one message for the page and the API).
    text = forms.CharField(label=_("objection"), widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(label=_("contact (optional)"), required=False,
                              help_text=_("A phone number or e-mail if you want an answer; it is not published."))


class RecheckForm(forms.Form):
    checked_on = forms.DateField(label=_("re-checked on"), widget=DATE)
    passed = forms.TypedChoiceField(label=_("result"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("Passed: the title stays")), ("no", _("Failed: revoke the title"))])
    note = forms.CharField(label=_("what the re-check found"), widget=forms.Textarea(attrs={"rows": 3}))
