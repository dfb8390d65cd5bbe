"""API serializers of harmonious-enterprise creation.

Reads: the county's standard (classes, indicator groups, indicators, veto items), tiers, rounds,
evaluations with their indicator scores and the figures behind the computed ones, certifications
and survey results (counts only). Writes: one input serializer per action; they only parse types,
the rules and their messages are the services' (concord/harmony/services.py), so the API refuses
what the pages refuse, with the same words.
"""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concord.core.api.provisional import ProvisionalField
from concord.core.masking import mask
from concord.core.scope import CHANGE, VIEW
from concord.registry.models import Enterprise

from .. import rules
from ..models import (
    Certification, CertificationStatus, CountyReview, EnterpriseClass, Evaluation, EvaluationEvidence, EvaluationStatus,
    Indicator, IndicatorGroup, IndicatorScore, Objection, Round, Standard, Survey, Tier, VetoItem,
)


def _values(values, blank=False):
    """A read-only choice's schema as a plain string whose description lists the values (the same
    field names carry other choices elsewhere in the API: one enum name each would collide)."""
    listed = ", ".join(str(v) for v in values) + (_(", or blank") if blank else "")
    return extend_schema_field({"type": "string", "description": str(_("One of: %(values)s.")) % {"values": listed}})


@_values(EvaluationStatus.values)
class EvaluationStatusField(serializers.CharField):
    pass


@_values(CertificationStatus.values)
class CertificationStatusField(serializers.CharField):
    pass


@_values(rules.METHODS)
class MethodField(serializers.CharField):
    pass


@_values(rules.VETO_DETECTIONS)
class DetectionField(serializers.CharField):
    pass


@_values(["restore", "revoke"], blank=True)
class DecisionField(serializers.CharField):
    pass


# --- the standard -----------------------------------------------------------------------------------

class EnterpriseClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnterpriseClass
        fields = ["id", "code", "name", "min_head_count", "max_head_count"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    method = MethodField(read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    is_computed = serializers.BooleanField(read_only=True, help_text=_("Scored from Concord's own data."))
    classes = serializers.SerializerMethodField(help_text=_("Codes of the classes it applies to; empty: every class."))

    class Meta:
        model = Indicator
        fields = ["id", "code", "text", "max_points", "method", "method_label", "is_computed", "params", "guidance",
                  "classes", "order"]
        read_only_fields = fields

    def get_classes(self, obj) -> list[str]:
        return [c.code for c in obj.classes.all()]


class IndicatorGroupSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = IndicatorGroup
        fields = ["id", "name", "order", "indicators"]
        read_only_fields = fields


class VetoItemSerializer(serializers.ModelSerializer):
    detection = DetectionField(read_only=True)
    detection_label = serializers.CharField(source="get_detection_display", read_only=True)

    class Meta:
        model = VetoItem
        fields = ["id", "code", "text", "detection", "detection_label", "look_back_days"]
        read_only_fields = fields


class StandardSerializer(serializers.ModelSerializer):
    classes = EnterpriseClassSerializer(many=True, read_only=True)
    groups = IndicatorGroupSerializer(many=True, read_only=True)
    vetoes = VetoItemSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = ["id", "name", "version", "effective_from", "is_active", "source", "survey_min_responses",
                  "satisfaction_veto_below", "period_days", "classes", "groups", "vetoes"]
        read_only_fields = fields


class TierSerializer(serializers.ModelSerializer):
    prerequisite_code = serializers.CharField(source="prerequisite.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Tier
        fields = ["id", "code", "name", "rank", "min_score", "prerequisite", "prerequisite_code", "prerequisite_days",
                  "validity_years", "recheck_months"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    standard_name = serializers.CharField(source="standard.__str__", read_only=True)

    class Meta:
        model = Round
        fields = ["id", "year", "name", "standard", "standard_name", "opens_on", "self_assessment_due", "review_due",
                  "approval_due", "is_open"]
        read_only_fields = fields


class RoundDetailSerializer(RoundSerializer):
    evaluations = serializers.SerializerMethodField(
        help_text=_("The round's evaluations the caller sees, counted by status."))

    class Meta(RoundSerializer.Meta):
        fields = RoundSerializer.Meta.fields + ["evaluations"]
        read_only_fields = fields

    def get_evaluations(self, obj) -> dict[str, int]:
        from django.db.models import Count

        request = self.context.get("request")
        rows = (Evaluation.objects.visible_to(request.user, VIEW).filter(round=obj).order_by()
                .values_list("status").annotate(n=Count("pk")))
        counts = {status: 0 for status in EvaluationStatus.values}
        counts.update(dict(rows))
        return counts


# --- evaluations ------------------------------------------------------------------------------------

class EvaluationSerializer(serializers.ModelSerializer):
    round_year = serializers.IntegerField(source="round.year", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    enterprise_class_code = serializers.CharField(source="enterprise_class.code", read_only=True)
    tier_code = serializers.CharField(source="tier.code", read_only=True)
    status = EvaluationStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True, allow_null=True,
                                     help_text=_("The reviewed score once reviewed, else the self-assessed one."))
    publicity_until_provisional = ProvisionalField(source="publicity_until")

    class Meta:
        model = Evaluation
        fields = ["id", "round", "round_year", "enterprise", "enterprise_name", "credit_code", "region", "region_name",
                  "enterprise_class", "enterprise_class_code", "tier", "tier_code", "status", "status_label",
                  "head_count", "self_score", "review_score", "score", "submitted_on", "reviewed_on", "approved_on",
                  "publicity_from", "publicity_until", "publicity_until_provisional", "created_at", "updated_at"]
        read_only_fields = fields


class IndicatorScoreSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="indicator.code", read_only=True)
    text = serializers.CharField(source="indicator.text", read_only=True)
    group = serializers.CharField(source="indicator.group.name", read_only=True)
    max_points = serializers.DecimalField(source="indicator.max_points", max_digits=5, decimal_places=1, read_only=True)
    method = MethodField(source="indicator.method", read_only=True)
    is_computed = serializers.BooleanField(source="indicator.is_computed", read_only=True)
    points = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True, allow_null=True,
                                      help_text=_("Reviewed, else self-assessed, else computed points."))
    field = serializers.SerializerMethodField(help_text=_("The key naming this score in a 400 answer."))

    class Meta:
        model = IndicatorScore
        fields = ["id", "indicator", "code", "text", "group", "max_points", "method", "is_computed", "computed_points",
                  "figures", "self_points", "evidence", "review_points", "review_reason", "points", "field"]
        read_only_fields = fields

    def get_field(self, obj) -> str:
        return f"score-{obj.indicator_id}"


class ObjectionSerializer(serializers.ModelSerializer):
    contact = serializers.SerializerMethodField(help_text=_("Masked."))
    answered_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = ["id", "lodged_on", "text", "contact", "answer", "answered_on", "answered_by", "answered_by_name", "upheld"]
        read_only_fields = fields

    def get_contact(self, obj) -> str:
        return mask("phone", obj.contact) if obj.contact else ""

    def get_answered_by_name(self, obj) -> str:
        return str(obj.answered_by) if obj.answered_by_id else ""


class EvidenceFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="file_name", read_only=True)
    size = serializers.IntegerField(read_only=True, help_text=_("Bytes."))
    download_url = serializers.SerializerMethodField(help_text=_("The file, for whoever sees the evaluation."))

    class Meta:
        model = EvaluationEvidence
        fields = ["id", "name", "size", "indicator", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        url = reverse("harmony:evidence_download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class EvaluationDetailSerializer(EvaluationSerializer):
    """One evaluation: adds its scores (with the figures of computed indicators), the on-site check,
    its objections, its certificate and the actions the caller may take now."""

    scores = serializers.SerializerMethodField()
    evidence_files = serializers.SerializerMethodField(help_text=_("Evidence files attached to manual indicators."))
    objections = serializers.SerializerMethodField()
    certification = serializers.SerializerMethodField(help_text=_("The certificate's id once certified."))
    available_actions = serializers.SerializerMethodField(
        help_text=_("Actions the caller may take now (each is POST /api/harmony/evaluations/{id}/<action>/)."))

    class Meta(EvaluationSerializer.Meta):
        fields = EvaluationSerializer.Meta.fields + [
            "onsite_check_on", "onsite_notes", "decision_note", "scores", "evidence_files", "objections", "certification",
            "available_actions"]
        read_only_fields = fields

    @extend_schema_field(IndicatorScoreSerializer(many=True))
    def get_scores(self, obj):
        rows = IndicatorScore.objects.filter(evaluation=obj).select_related("indicator__group")
        return IndicatorScoreSerializer(rows, many=True).data

    @extend_schema_field(EvidenceFileSerializer(many=True))
    def get_evidence_files(self, obj):
        rows = EvaluationEvidence.objects.filter(evaluation=obj).order_by("created_at", "pk")
        return EvidenceFileSerializer(rows, many=True, context=self.context).data

    @extend_schema_field(ObjectionSerializer(many=True))
    def get_objections(self, obj):
        rows = Objection.objects.filter(evaluation=obj).select_related("answered_by")
        return ObjectionSerializer(rows, many=True).data

    def get_certification(self, obj) -> int | None:
        return Certification.objects.filter(evaluation=obj).values_list("pk", flat=True).first()

    def get_available_actions(self, obj) -> list[str]:
        from .views import allowed_actions

        request = self.context.get("request")
        return allowed_actions(obj, request.user) if request is not None else []


class EvaluationCreateSerializer(serializers.Serializer):
    """Open an application (``services.evaluation_start``): its class by head count, computed
    indicators prefilled."""

    round = serializers.PrimaryKeyRelatedField(queryset=Round.objects.all(), help_text=_("Round id."))
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), help_text=_("Enterprise id."))
    tier = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all(), help_text=_("Tier applied for (id)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["round"].queryset = Round.objects.visible_to(request.user, VIEW)
            self.fields["tier"].queryset = Tier.objects.visible_to(request.user, VIEW)
            self.fields["enterprise"].queryset = Enterprise.objects.visible_to(request.user, CHANGE)


class _PointsField(serializers.DictField):
    """Indicator id → points (one decimal place)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.DecimalField(max_digits=5, decimal_places=1), **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return {_indicator_id(k): v for k, v in value.items()}


class _TextsField(serializers.DictField):
    """Indicator id → text."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(allow_blank=True), **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return {_indicator_id(k): v for k, v in value.items()}


def _indicator_id(key) -> int:
    try:
        return int(str(key))
    except ValueError:
        raise serializers.ValidationError(_("“%(key)s” is not an indicator id.") % {"key": key}) from None


class SelfAssessSerializer(serializers.Serializer):
    points = _PointsField(help_text=_("Indicator id → self-assessed points of a manual indicator."))
    evidence = _TextsField(required=False, default=dict, help_text=_("Indicator id → the evidence for its points."))


class ReviewSerializer(serializers.Serializer):
    points = _PointsField(required=False, default=dict,
                          help_text=_("Indicator id → reviewed points; leave an indicator out to keep its score."))
    reasons = _TextsField(required=False, default=dict,
                          help_text=_("Indicator id → why its score changed (required for every change)."))
    onsite_check_on = serializers.DateField(required=False, allow_null=True, default=None)
    onsite_notes = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    # Required by the workflow (its message names ``note``), so an empty one is passed through to it.
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("The reason (required)."))


class EmptySerializer(serializers.Serializer):
    pass


class AnswerObjectionSerializer(serializers.Serializer):
    objection = serializers.IntegerField(help_text=_("The objection's id (one of this evaluation's)."))
    answer = serializers.CharField(allow_blank=True)
    upheld = serializers.BooleanField(default=False, help_text=_("Upheld: the application cannot be certified."))


# --- certifications ---------------------------------------------------------------------------------

class CountyReviewSerializer(serializers.ModelSerializer):
    decision = DecisionField(read_only=True)
    veto = serializers.CharField(source="veto_event.item.text", read_only=True)
    veto_description = serializers.CharField(source="veto_event.description", read_only=True)
    occurred_on = serializers.DateField(source="veto_event.occurred_on", read_only=True)

    class Meta:
        model = CountyReview
        fields = ["id", "veto_event", "veto", "veto_description", "occurred_on", "opened_on", "closed_on", "decision", "note"]
        read_only_fields = fields


class CertificationSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    tier_code = serializers.CharField(source="tier.code", read_only=True)
    tier_name = serializers.CharField(source="tier.name", read_only=True)
    status = CertificationStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "number", "enterprise", "enterprise_name", "credit_code", "region", "region_name", "tier",
                  "tier_code", "tier_name", "evaluation", "certified_on", "valid_until", "next_recheck_on", "status",
                  "status_label", "status_changed_on", "status_reason"]
        read_only_fields = fields


class CertificationDetailSerializer(CertificationSerializer):
    reviews = serializers.SerializerMethodField(
        help_text=_("County review tasks after veto events (empty for roles that do not see them)."))

    class Meta(CertificationSerializer.Meta):
        fields = CertificationSerializer.Meta.fields + ["reviews"]
        read_only_fields = fields

    @extend_schema_field(CountyReviewSerializer(many=True))
    def get_reviews(self, obj):
        request = self.context.get("request")
        rows = (CountyReview.objects.visible_to(request.user, VIEW).filter(certification=obj)
                .select_related("veto_event__item").order_by("opened_on", "pk"))
        return CountyReviewSerializer(rows, many=True).data


# --- surveys ---------------------------------------------------------------------------------------

class SurveySerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "enterprise", "enterprise_name", "region", "region_name", "round", "opens_on", "closes_on",
                  "min_responses", "responses"]
        read_only_fields = fields


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    text = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField(allow_null=True), help_text=_(
        "How many answered 1, 2, 3, 4 and 5 (5: very satisfied); null until the survey has its minimum responses."))
    answers = serializers.IntegerField(allow_null=True)
    satisfied = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True,
                                         help_text=_("Share of 4 and 5 answers (%)."))


class SurveyResultSerializer(serializers.Serializer):
    """Counts only: who answered is kept apart and never shown."""

    survey = serializers.IntegerField()
    responses = serializers.IntegerField()
    min_responses = serializers.IntegerField()
    valid = serializers.BooleanField(help_text=_("Enough responses for a result."))
    closed = serializers.BooleanField(help_text=_("The survey has closed: no answer comes any more."))
    shown = serializers.BooleanField(
        help_text=_("Counts and shares are given: the survey has closed and has at least 5 responses (null until then)."))
    share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True,
                                     help_text=_("Satisfied share (%) over the questions that count, when valid."))
    questions = QuestionResultSerializer(many=True)

    @staticmethod
    def from_result(survey, result):
        return {"survey": survey.pk, "responses": result["responses"], "min_responses": result["min_responses"],
                "valid": result["valid"], "closed": result["closed"], "shown": result["shown"], "share": result["share"],
                "questions": [{"question": q["question"].pk, "text": q["question"].text, "counts": q["counts"],
                               "answers": q["answers"], "satisfied": q["satisfied"]} for q in result["questions"]]}


class RecheckSerializer(serializers.Serializer):
    checked_on = serializers.DateField(help_text=_("The day of the re-check."))
    passed = serializers.BooleanField(help_text=_("True: the title stays; false: it is revoked."))
    note = serializers.CharField(help_text=_("What the re-check found."), allow_blank=True)
