"""API serializers of the disputes pillar.

Reads: a case with its claimants (ID numbers and phones masked; the full values are never sent),
and on a single case the actions the caller may take and the legal dates. Writes: one input
serializer per action. They only parse types; the rules, and their messages, are the services'
(concord/disputes/services.py), so the API refuses what the pages refuse, with the same words.
"""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concord.core import masking
from concord.core.api.provisional import ProvisionalField
from concord.core.scope import Role, user_roles
from concord.registry.models import Enterprise

from .. import rules
from ..models import (
    AGREEMENT_OUTCOMES, REFERRAL_OUTCOMES, Agreement, Case, CaseDocument, Claimant, ConfirmationResult, DocumentKind,
    Evidence, Installment, Level, MediationSession, ReferralKind, Source, Subcategory,
)

NOTE_HELP = _("Free text recorded on the case's timeline.")


def is_worker_only(user) -> bool:
    return not user.is_superuser and user_roles(user) == {Role.WORKER}


# --- reads ----------------------------------------------------------------------------------------

class ClaimantSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Claimant
        fields = ["id", "name", "worker", "id_number_masked", "phone_masked", "is_representative"]

    def get_id_number_masked(self, obj) -> str:
        return masking.mask_id_number(obj.id_number)

    def get_phone_masked(self, obj) -> str:
        return masking.mask_phone(obj.phone)


@extend_schema_field({"type": "string", "enum": [*Level.values, ""]})
class ResolvedLevelField(serializers.CharField):
    """The level a case was resolved at, or blank. Its schema enum carries no labels, so that
    drf-spectacular does not find the labelled choices of ``level`` under a second name (a warning)."""


class CaseSerializer(serializers.ModelSerializer):
    """A case as lists show it (every field but the computed helpers of the single-case read)."""

    respondent_name = serializers.CharField(source="respondent.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    mediator_name = serializers.SerializerMethodField()
    resolved_level = ResolvedLevelField(read_only=True)
    claimants = ClaimantSerializer(many=True, read_only=True)
    deadline_provisional = ProvisionalField(source="deadline")

    class Meta:
        model = Case
        fields = [
            "id", "number", "source", "respondent", "respondent_name", "region", "region_name", "level", "status",
            "category", "subcategory", "amount_claimed", "facts", "knew_on", "employment_ended_on", "is_collective",
            "claimant_count", "is_priority", "mediator", "mediator_name", "received_on", "accepted_on", "deadline",
            "deadline_provisional", "escalations", "rejection_reason", "consultation_requested_on", "court_referral_kind", "court_case_number",
            "court_received_on", "court_extension_days", "court_result_reported_on", "confirmation_requested_on",
            "confirmation_result", "confirmation_ruling_number", "confirmation_ruled_on", "payment_order_applied_on", "outcome", "limitation_date", "resolved_level",
            "resolved_on", "closed_on", "amount_recovered", "created_at", "updated_at", "claimants",
        ]
        read_only_fields = fields

    def get_mediator_name(self, obj) -> str:
        return str(obj.mediator) if obj.mediator_id else ""


class ReviewWindowsSerializer(serializers.Serializer):
    arbitration_review = serializers.DateField(help_text=_("Last day to apply jointly for arbitration review."))
    judicial_confirmation = serializers.DateField(help_text=_("Last day to apply jointly for judicial confirmation."))


class LegalSerializer(serializers.Serializer):
    """selectors.legal_helpers: the legal dates and limits of a case, computed on each read."""

    deadline = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text=_("Negative when the deadline has passed."))
    limitation_date = serializers.DateField(allow_null=True, help_text=_("Last day to apply for arbitration."))
    limitation_text = serializers.CharField(help_text=_("Why there is no limitation date, when there is none."))
    final_award_limit = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    within_final_award = serializers.BooleanField(allow_null=True)
    final_award_on = serializers.DateField(allow_null=True, help_text=_(
        "The day whose minimum wage the final-award limit uses: the day an arbitration application is made "
        "(closing day of a closed case, today for a running one)."))
    consultation_reply_due = serializers.DateField(allow_null=True)
    review_windows = ReviewWindowsSerializer(allow_null=True)


class InstallmentSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="agreement.case_id", read_only=True)
    case_number = serializers.CharField(source="agreement.case.number", read_only=True)
    is_missed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Installment
        fields = ["id", "agreement", "case", "case_number", "due_on", "amount", "paid_on", "paid_amount", "is_missed"]
        read_only_fields = fields


class ScheduleSerializer(serializers.ModelSerializer):
    """An installment inside its agreement (the agreement and case are the parent's)."""

    is_missed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Installment
        fields = ["id", "due_on", "amount", "paid_on", "paid_amount", "is_missed"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    installments = ScheduleSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = ["id", "case", "case_number", "signed_on", "effective_on", "amount", "terms", "installments", "created_at"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    """One case: adds what the caller may do now, the legal helpers and the agreement."""

    available_actions = serializers.SerializerMethodField(
        help_text=_("Actions the caller may take now; POST /api/cases/{id}/<action>/ (underscores written as hyphens)."))
    legal = serializers.SerializerMethodField()
    agreement = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + ["available_actions", "legal", "agreement"]
        read_only_fields = fields

    def get_available_actions(self, obj) -> list[str]:
        from .. import selectors

        request = self.context.get("request")
        if request is None or not selectors.may_change(request.user, obj):
            return []
        return [t.name for t in obj.workflow.available(obj, request.user)]

    @extend_schema_field(LegalSerializer)
    def get_legal(self, obj):
        from .. import selectors

        return LegalSerializer(selectors.legal_helpers(obj)).data

    @extend_schema_field(AgreementSerializer(allow_null=True))
    def get_agreement(self, obj):
        agreement = getattr(obj, "agreement", None)
        return AgreementSerializer(agreement).data if agreement is not None else None


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationSession
        fields = ["id", "case", "held_on", "place", "participants", "summary", "created_by", "created_at"]
        read_only_fields = ["id", "case", "created_by", "created_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "case", "file_name", "content_type", "size", "description", "uploaded_by", "uploaded_at",
                  "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("disputes:evidence_download", args=[obj.pk])


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx); up to 10 MB."))
    description = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class MonthSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    individual = serializers.IntegerField()
    collective = serializers.IntegerField()


class LevelCountSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)  # named "level" like the case's: one enum
    label = serializers.CharField()
    resolved = serializers.IntegerField()


class MeasuresSerializer(serializers.Serializer):
    """selectors.measures over the cases the caller sees, received in ``year``."""

    year = serializers.IntegerField()
    total = serializers.IntegerField()
    collective = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    resolved = serializers.IntegerField()
    enterprise_share = serializers.FloatField(allow_null=True)
    town_or_below_share = serializers.FloatField(allow_null=True)
    average_days = serializers.FloatField(allow_null=True)
    amount_claimed = serializers.DecimalField(max_digits=16, decimal_places=2)
    amount_recovered = serializers.DecimalField(max_digits=16, decimal_places=2)
    by_month = MonthSerializer(many=True)
    by_level = LevelCountSerializer(many=True)

    @staticmethod
    def from_measures(m) -> dict:
        # selectors.measures lists the levels in this order (enterprise, town, county).
        levels = (Level.ENTERPRISE, Level.TOWN, Level.COUNTY)
        return {
            **{name: getattr(m, name) for name in ("year", "total", "collective", "open", "overdue", "resolved",
                                                    "enterprise_share", "town_or_below_share", "average_days",
                                                    "amount_claimed", "amount_recovered")},
            "by_month": [{"month": month, "individual": a, "collective": b} for month, a, b in m.by_month],
            "by_level": [{"level": code.value, "label": label, "resolved": n} for code, (label, n) in zip(levels, m.by_level)],
        }


# --- intake ---------------------------------------------------------------------------------------

class ClaimantInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, allow_blank=True)
    id_number = serializers.CharField(max_length=18, allow_blank=True)
    phone = serializers.CharField(max_length=11, required=False, allow_blank=True, default="")
    is_representative = serializers.BooleanField(required=False, default=False)


class CaseFileSerializer(serializers.Serializer):
    """Intake. A worker files online for themself: ``source`` and ``claimants`` may be left out (they
    are "online" and the worker). ``category`` follows from ``subcategory`` when left out."""

    source = serializers.ChoiceField(choices=Source.choices, required=False)
    respondent = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none(), help_text=_("Enterprise id."))
    category = serializers.ChoiceField(choices=rules.CATEGORY_CHOICES, required=False)
    subcategory = serializers.ChoiceField(choices=Subcategory.choices)
    facts = serializers.CharField()
    amount_claimed = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    knew_on = serializers.DateField(required=False, allow_null=True)
    employment_ended_on = serializers.DateField(required=False, allow_null=True)
    received_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today when left out."))
    claimants = ClaimantInputSerializer(many=True, required=False)
    collective = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text=_("True asserts a collective case (refused below the threshold); left out, the number of claimants decides."))
    confirm_duplicate = serializers.BooleanField(
        required=False, default=False, help_text=_("File although the same filing was made in the last 24 hours."))
    court_referral_kind = serializers.ChoiceField(choices=ReferralKind.choices, required=False, allow_blank=True, default="")
    court_case_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    court_received_on = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        user = request.user
        field = self.fields["respondent"]
        if is_worker_only(user):
            # A worker files against an enterprise they work or worked for.
            field.queryset = Enterprise.objects.filter(employments__worker__user=user).distinct()
        else:
            field.queryset = Enterprise.objects.visible_to(user)

    def validate(self, attrs):
        user = self.context["request"].user
        errors = {}
        if is_worker_only(user):
            attrs.setdefault("source", Source.ONLINE)
        else:
            if not attrs.get("source"):
                errors["source"] = [_("This field is required.")]
            elif attrs["source"] == Source.ONLINE:
                errors["source"] = [_("The online channel is the worker's own; choose the channel the case came by.")]
            if "claimants" not in attrs:
                errors["claimants"] = [_("This field is required.")]
        if "category" not in attrs and attrs.get("subcategory"):
            attrs["category"] = rules.SUBCATEGORY_CATEGORY[attrs["subcategory"]]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# --- actions --------------------------------------------------------------------------------------

class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=NOTE_HELP)


class ReasonSerializer(serializers.Serializer):
    # Required by the workflow (its message names ``note``), so an empty one is passed through to it.
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("The reason (required)."))


class AcceptSerializer(NoteSerializer):
    accepted_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today when left out."))
    session_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                           help_text=_("When the first mediation session is held (on the acceptance notices)."))
    session_place = serializers.CharField(required=False, allow_blank=True, default="", max_length=128,
                                          help_text=_("Where it is held; left out, the mediation body's address."))


class ConsultSerializer(NoteSerializer):
    requested_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today when left out."))


class AssignSerializer(serializers.Serializer):
    mediator = serializers.IntegerField(help_text=_("User id of someone who handles cases at the case's level."))


class ExtendSerializer(NoteSerializer):
    days = serializers.IntegerField()
    consent = serializers.BooleanField(help_text=_("Both parties agreed to the extension."))


class InstallmentInputSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    method = serializers.CharField(required=False, allow_blank=True, default="", max_length=64,
                                   help_text=_("Way of performance, e.g. 银行转账."))
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=128,
                                  help_text=_("Place of performance."))


class AgreeSerializer(NoteSerializer):
    signed_on = serializers.DateField()
    effective_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    terms = serializers.CharField()
    facts_found = serializers.CharField(required=False, allow_blank=True, default="",
                                        help_text=_("The facts as established; left out, the case's facts and claims."))
    responsibility = serializers.CharField(required=False, allow_blank=True, default="")
    mediator_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=64,
                                          help_text=_("The presiding mediator as a person; left out, the case's mediator."))
    installments = InstallmentInputSerializer(
        many=True, required=False, default=list,
        help_text=_("The payment schedule; left out, one payment of the whole amount on the day it takes effect."))


class ConfirmationRequestSerializer(serializers.Serializer):
    requested_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today when left out."))


class ConfirmationResultSerializer(NoteSerializer):
    result = serializers.ChoiceField(choices=ConfirmationResult.choices)
    ruling_number = serializers.CharField(max_length=64, help_text=_("The number of the court's ruling."))
    ruled_on = serializers.DateField(help_text=_("The date of the court's ruling."))


class PaymentOrderSerializer(NoteSerializer):
    applied_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today when left out."))


class CloseSerializer(NoteSerializer):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in AGREEMENT_OUTCOMES])


class ReferSerializer(NoteSerializer):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in REFERRAL_OUTCOMES])


class PaySerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2)



# --- documents --------------------------------------------------------------------------------------

class DocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    downloads = serializers.SerializerMethodField(help_text=_("The page routes that download the Word and PDF files."))

    class Meta:
        model = CaseDocument
        fields = ["id", "case", "kind", "kind_display", "number", "created_at", "downloads"]
        read_only_fields = fields

    def get_downloads(self, obj) -> dict[str, str]:
        from django.urls import reverse

        url = reverse("disputes:case_document", args=[obj.case_id])
        return {fmt: f"{url}?kind={obj.kind}&format={fmt}" for fmt in ("docx", "pdf")}


class DocumentIssueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
