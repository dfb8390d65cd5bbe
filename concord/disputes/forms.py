"""Forms of the disputes pages. They parse input; the rules are in services and rules, so the API
refuses the same input with the same messages."""
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.registry.forms import CompactCharField
from concord.registry.models import Enterprise
from concord.registry.selectors import enterprise_label, labelled_code  # noqa: F401  (the suggestions' format)

from . import rules
from .models import AGREEMENT_OUTCOMES, REFERRAL_OUTCOMES, ConfirmationResult, Outcome, ReferralKind, Source, Subcategory
from .services import ClaimantInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STAFF_SOURCES = [(v, label) for v, label in Source.choices if v != Source.ONLINE]


def parse_claimant_lines(text: str) -> tuple[list[ClaimantInput], list[str]]:
    """One claimant per line: "name, ID number[, phone][, 代表 / R]" (commas, tabs or Chinese commas).
    Returns the claimants and the problems, each naming its line."""
    people, problems = [], []
    for row, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        rep = False
        if parts and parts[-1].upper() in ("R", "代表", "REP"):
            rep, parts = True, parts[:-1]
        if len(parts) < 2:
            problems.append(_("Line %(row)s: write the name and the ID number, separated by a comma.") % {"row": row})
            continue
        people.append(ClaimantInput(parts[0], parts[1].replace(" ", ""), parts[2].replace(" ", "") if len(parts) > 2 else "", rep))
    return people, problems


class EnterpriseInput(forms.TextInput):
    """A text input with a type-ahead: while the user types a name, the enterprises of their scope
    that match are offered in a datalist (``concord/suggest.js`` asks ``registry:enterprise_suggest``;
    no inline script, so the Content-Security-Policy needs no exception). Without JavaScript it is a
    plain text field taking a name or a credit code."""

    template_name = "disputes/widgets/enterprise_input.html"

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        ctx["widget"]["suggest_url"] = reverse("registry:enterprise_suggest")
        return ctx


class EnterpriseField(CompactCharField):
    """An enterprise among those the user sees (a county has 25,000: too many for a list), chosen by
    name with the type-ahead, or typed: a unified social credit code, the exact name, a suggestion's
    "name（code）", or a part of a name that only one enterprise in scope has."""

    widget = EnterpriseInput

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        kwargs.setdefault("help_text", _("Type part of the name and choose from the list, or give the credit code."))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return (value or "").strip()

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        visible = Enterprise.objects.visible_to(self.user)
        code = labelled_code(value)
        if code:
            match = list(visible.filter(credit_code=code)[:2])
        elif value.isdigit() and len(value) < 18:
            match = list(visible.filter(pk=int(value))[:2])
        else:
            match = list(visible.filter(credit_code=value.upper())[:2]) or list(visible.filter(name=value)[:2])
        if not match and not code and len(value) >= 2:
            match = list(visible.filter(name__icontains=value)[:2])
            if len(match) > 1:
                raise ValidationError(_("Several enterprises in your scope have “%(text)s” in their name: choose one "
                                        "from the list or type more of the name.") % {"text": value})
        if len(match) != 1:
            raise ValidationError(_("No single enterprise in your scope has this credit code or name."))
        return match[0]


class CaseFields(forms.Form):
    category = forms.TypedChoiceField(label=_("category"), choices=rules.CATEGORY_CHOICES, coerce=int)
    subcategory = forms.ChoiceField(label=_("sub-category"), choices=Subcategory.choices)
    amount_claimed = forms.DecimalField(label=_("amount claimed (yuan)"), required=False, max_digits=14, decimal_places=2)
    facts = forms.CharField(label=_("facts and claims"), widget=forms.Textarea(attrs={"rows": 4}))
    knew_on = forms.DateField(label=_("date the worker knew of the infringement"), required=False, widget=DATE)
    employment_ended_on = forms.DateField(label=_("employment ended on"), required=False, widget=DATE)
    evidence = forms.FileField(label=_("evidence (PDF, JPEG, PNG, Word, Excel; up to 10 MB)"), required=False)
    confirm_duplicate = forms.BooleanField(label=_("File anyway (this is not a repeat of the earlier filing)"), required=False)

    def clean_amount_claimed(self):
        value = self.cleaned_data.get("amount_claimed")
        if value is not None:
            problem = rules.amount_problem(value)
            if problem:
                raise ValidationError(rules.message(problem, cap=rules.parameter("amount_cap", timezone.localdate())))
        return value

    def clean(self):
        cleaned = super().clean()
        sub, cat = cleaned.get("subcategory"), cleaned.get("category")
        if sub and cat and rules.SUBCATEGORY_CATEGORY.get(sub) != cat:
            self.add_error("subcategory", _("This sub-category belongs to another category."))
        return cleaned


class CaseIntakeForm(CaseFields):
    """Staff intake from any channel but the worker's own online form."""

    source = forms.ChoiceField(label=_("channel"), choices=STAFF_SOURCES)
    received_on = forms.DateField(label=_("received on"), widget=DATE, initial=timezone.localdate)
    respondent = EnterpriseField(label=_("respondent enterprise (name or credit code)"))
    claimant_lines = forms.CharField(
        label=_("claimants"), widget=forms.Textarea(attrs={"rows": 5, "placeholder": "张三, 330621199001011234, 13800001111\n李四, 522422199503120118, , 代表"}),
        help_text=_("One per line: name, ID number, mobile phone (optional); end the line with “代表” for an elected "
                    "representative. Ten or more claimants make a collective case; it may elect 3–5 representatives "
                    "(optional)."))
    collective = forms.BooleanField(label=_("collective case"), required=False,
                                    help_text=_("Tick to confirm a collective case; it is refused below ten claimants."))
    court_referral_kind = forms.ChoiceField(label=_("kind of court referral"), choices=[("", "—")] + ReferralKind.choices, required=False)
    court_case_number = forms.CharField(label=_("court case number"), required=False, max_length=64)
    court_received_on = forms.DateField(label=_("referral received on"), required=False, widget=DATE)

    field_order = ["source", "received_on", "respondent", "claimant_lines", "collective", "category", "subcategory",
                   "amount_claimed", "facts", "knew_on", "employment_ended_on", "court_referral_kind", "court_case_number",
                   "court_received_on", "evidence", "confirm_duplicate"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent"].user = user

    def clean_claimant_lines(self):
        people, problems = parse_claimant_lines(self.cleaned_data["claimant_lines"])
        if problems:
            raise ValidationError(problems)
        self.cleaned_data["claimants"] = people
        return self.cleaned_data["claimant_lines"]


class CaseOnlineForm(CaseFields):
    """A worker's own complaint, on a phone: the enterprise is one they work or worked for."""

    respondent = forms.ModelChoiceField(label=_("enterprise"), queryset=Enterprise.objects.none(), empty_label=None)
    field_order = ["respondent", "subcategory", "category", "amount_claimed", "facts", "knew_on", "employment_ended_on",
                   "evidence", "confirm_duplicate"]

    def __init__(self, *args, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        ids = worker.employments.values("enterprise") if worker is not None else []
        self.fields["respondent"].queryset = Enterprise.objects.filter(pk__in=ids).order_by("name")
        self.fields["category"].widget = forms.HiddenInput()
        self.fields["category"].required = False
        self.fields["subcategory"].label = _("what is the dispute about")

    def clean(self):
        sub = self.cleaned_data.get("subcategory")
        if sub:
            self.cleaned_data["category"] = rules.SUBCATEGORY_CATEGORY[sub]
            self.errors.pop("category", None)
        return super().clean()


# --- actions on a case (one small form per transition) ---------------------------------------------

class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(NoteForm):
    accepted_on = forms.DateField(label=_("accepted on"), widget=DATE, initial=timezone.localdate)
    session_at = forms.DateTimeField(
        label=_("mediation session scheduled at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Printed on the acceptance notices; left empty, the notices leave it to be written in by hand."))
    session_place = forms.CharField(label=_("mediation session place"), required=False, max_length=128,
                                    help_text=_("Left empty: the mediation body's address."))


class ConsultForm(NoteForm):
    requested_on = forms.DateField(label=_("consultation requested on"), widget=DATE, initial=timezone.localdate)


class AssignForm(forms.Form):
    mediator = forms.ModelChoiceField(label=_("mediator"), queryset=None)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = choices


class ExtendForm(NoteForm):
    days = forms.IntegerField(label=_("days to add"), min_value=1)
    consent = forms.BooleanField(label=_("both parties agreed to the extension"), required=False)


class AgreeForm(NoteForm):
    signed_on = forms.DateField(label=_("signed on"), widget=DATE, initial=timezone.localdate)
    effective_on = forms.DateField(label=_("takes effect on"), widget=DATE, initial=timezone.localdate)
    amount = forms.DecimalField(label=_("agreed amount (yuan)"), max_digits=14, decimal_places=2)
    facts_found = forms.CharField(label=_("facts established"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Left empty, the agreement states the facts and claims of the case."))
    responsibility = forms.CharField(label=_("each party's responsibility"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    terms = forms.CharField(label=_("terms"), widget=forms.Textarea(attrs={"rows": 3}))
    schedule = forms.CharField(
        label=_("payment schedule"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026年12月20日，15000，银行转账，申请人工资卡账户\n2027-01-20, 4,000"}),
        help_text=_("One payment per line: due date, amount, and optionally the way and the place of payment "
                    "(e.g. 2026年12月20日，15000 or 2026-12-20, 15,000, bank transfer, the claimant's wage card). "
                    "Leave empty for a single payment on the day it takes effect."))
    mediator_name = forms.CharField(label=_("presiding mediator (full name)"), required=False, max_length=64,
                                    help_text=_("The person who signs the agreement as mediator; left empty, the "
                                                "case's mediator."))

    def clean_schedule(self):
        plan, problems = [], []
        for row, line in enumerate(self.cleaned_data["schedule"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                plan.append(rules.parse_schedule_line(line))
            except rules.RuleRefused as exc:
                problems.append(_("Line %(row)s: %(problem)s.") % {"row": row, "problem": exc})
        if problems:
            raise ValidationError(problems)
        return plan

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("schedule") and cleaned.get("amount") and cleaned.get("effective_on"):
            cleaned["schedule"] = [(cleaned["effective_on"], cleaned["amount"], "", "")]
        return cleaned


class ConfirmationRequestForm(NoteForm):
    requested_on = forms.DateField(label=_("applied on"), widget=DATE, initial=timezone.localdate)


class ConfirmationResultForm(NoteForm):
    # No value is chosen in advance: the court liaison picks what the ruling says.
    result = forms.ChoiceField(label=_("result"), choices=[("", _("— choose —"))] + ConfirmationResult.choices)
    ruling_number = forms.CharField(label=_("ruling number"), max_length=64,
                                    widget=forms.TextInput(attrs={"placeholder": "（2026）浙0603民特123号"}))
    ruled_on = forms.DateField(label=_("ruled on"), widget=DATE)
    field_order = ["result", "ruling_number", "ruled_on", "note"]


class PaymentOrderForm(NoteForm):
    applied_on = forms.DateField(label=_("applied on"), widget=DATE, initial=timezone.localdate)


class CloseForm(NoteForm):
    outcome = forms.ChoiceField(label=_("outcome"), choices=[(o.value, o.label) for o in AGREEMENT_OUTCOMES])


class ReferForm(NoteForm):
    outcome = forms.ChoiceField(label=_("referred to"), choices=[(o.value, o.label) for o in REFERRAL_OUTCOMES])


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("date"), widget=DATE, initial=timezone.localdate)
    place = forms.CharField(label=_("place"), max_length=128)
    participants = forms.CharField(label=_("participants"), widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("paid on"), widget=DATE, initial=timezone.localdate)
    paid_amount = forms.DecimalField(label=_("amount paid (yuan)"), max_digits=14, decimal_places=2)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("file (PDF, JPEG, PNG, Word, Excel; up to 10 MB)"))
    description = forms.CharField(label=_("description"), required=False, max_length=255)


__all__ = ["Outcome"]
