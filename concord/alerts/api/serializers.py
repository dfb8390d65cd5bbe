"""API serializers of early warning.

Reads: signals, enterprise risk with its explanation and level history, alerts with their actions
and timeline. Writes: one input serializer per write; they only parse types, the rules and their
messages are the services' (concord/alerts/services.py), so the API refuses what the pages and the
import refuse, with the same words. Scoring rules and level policies are edited through the
models' ``clean`` (``ScopedSerializer``).
"""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concord.core.api.base import ScopedSerializer
from concord.core.audit import verb_label
from concord.core.scope import VIEW
from concord.registry.models import Enterprise

from .. import io, rules
from ..models import (
    ActionKind, Alert, AlertAction, AlertOutcome, AlertStatus, EnterpriseRisk, Level, LevelPolicy, RiskChange,
    RiskSignal, ScoringRule, SignalKind, SignalSource,
)

# Sources a person or partner system gives when reporting through the API (the partner-file
# source belongs to the import, the computed ones to the scan).
API_SOURCES = [(v, label) for v, label in SignalSource.choices
               if v in (SignalSource.API, SignalSource.MANUAL, SignalSource.HOTLINE, SignalSource.INSPECTION)]


def _values(values, blank=False):
    """A read-only choice's schema as a plain string whose description lists the values: the same
    field names (``level``, ``kind``, ``status``…) carry other choices elsewhere in the API, and
    drf-spectacular would otherwise give the same name to several enums (a warning)."""
    listed = ", ".join(str(v) for v in values) + (_(", or blank") if blank else "")
    return extend_schema_field({"type": "string", "description": str(_("One of: %(values)s.")) % {"values": listed}})


@_values(rules.LEVELS, blank=True)
class LevelField(serializers.CharField):
    """A risk level (blue, yellow, orange, red) or blank for none."""


@_values(rules.KINDS)
class SignalKindField(serializers.CharField):
    """A signal kind (concord/alerts/rules.py)."""


@_values(SignalSource.values)
class SignalSourceField(serializers.CharField):
    pass


@_values(AlertStatus.values)
class AlertStatusField(serializers.CharField):
    pass


@_values(AlertOutcome.values, blank=True)
class OutcomeField(serializers.CharField):
    pass


@_values(ActionKind.values)
class ActionKindField(serializers.CharField):
    pass


@_values([v for v, _label in API_SOURCES])
class ApiSourceField(serializers.ChoiceField):
    """Who reports a signal through the API (a plain string in the schema: see ``_values``)."""


def level_label(level) -> str:
    return str(Level(level).label) if level else str(_("No risk"))


def kind_label(kind) -> str:
    try:
        return str(SignalKind(kind).label)
    except ValueError:
        return kind


# --- signals -------------------------------------------------------------------------------------

class RiskSignalSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind = SignalKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    source = SignalSourceField(read_only=True)
    is_active = serializers.SerializerMethodField(help_text=_("The signal counts today (from its date to its expiry)."))

    class Meta:
        model = RiskSignal
        fields = ["id", "enterprise", "enterprise_name", "credit_code", "region", "region_name", "kind", "kind_label",
                  "source", "observed_on", "value", "amount", "workers_affected", "evidence", "expires_on", "is_active",
                  "reported_by", "import_batch", "created_at"]
        read_only_fields = fields

    def get_is_active(self, obj) -> bool:
        return obj.observed_on <= timezone.localdate() <= obj.expires_on


class SignalCreateSerializer(serializers.Serializer):
    """Report one signal (``services.signal_record``: checked and the enterprise reassessed at once)."""

    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), help_text=_("Enterprise id."))
    kind = serializers.ChoiceField(choices=io.IMPORT_KINDS)
    observed_on = serializers.DateField()
    value = serializers.DecimalField(max_digits=9, decimal_places=2, required=False, allow_null=True,
                                     help_text=_("Months of arrears, or the number of complaints or findings."))
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    workers_affected = serializers.IntegerField(required=False, allow_null=True)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")
    expires_on = serializers.DateField(required=False, allow_null=True,
                                       help_text=_("Empty: the signal counts for 90 days from its date."))
    source = ApiSourceField(choices=API_SOURCES, default=SignalSource.API)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = Enterprise.objects.visible_to(request.user, VIEW)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV (UTF-8 or GB18030)."))


class RowProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text=_("As the spreadsheet shows it (the header is row 1); null for the whole file."))
    column = serializers.CharField(help_text=_("The column's header, or blank for the whole row or file."))
    message = serializers.CharField()
    sheet = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    file_name = serializers.CharField()
    rows = serializers.IntegerField()
    ok = serializers.BooleanField()
    committed = serializers.BooleanField()
    created = serializers.IntegerField(help_text=_("Signals added (or that a commit would add)."))
    unchanged = serializers.IntegerField(help_text=_("Rows repeating a signal already recorded."))
    errors = RowProblemSerializer(many=True)
    notices = RowProblemSerializer(many=True)
    batch = serializers.IntegerField(allow_null=True, help_text=_("The import batch (commits only)."))
    assessment = serializers.DictField(child=serializers.IntegerField(), help_text=_("Enterprises reassessed, levels changed, alerts raised and lifted (commits only)."))

    @staticmethod
    def from_result(result):
        def rows(items):
            return [{"row": e.row, "column": e.column, "message": e.message, "sheet": e.sheet} for e in items]

        return {"file_name": result.file_name, "rows": result.rows, "ok": result.ok, "committed": result.committed,
                "created": result.created if result.ok else 0, "unchanged": result.unchanged if result.ok else 0,
                "errors": rows(result.errors), "notices": rows(result.notices),
                "batch": result.batch.pk if result.batch is not None else None,
                "assessment": (result.counts or {}).get("assessment", {}) if result.committed else {}}


# --- enterprise risk -----------------------------------------------------------------------------

class ExplanationRowSerializer(serializers.Serializer):
    """Why an enterprise has its level: each active signal, the rule it met and its points."""

    signal = serializers.IntegerField()
    kind = SignalKindField()
    kind_label = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    observed_on = serializers.DateField()
    rule = serializers.IntegerField(allow_null=True)
    rule_label = serializers.CharField()
    points = serializers.IntegerField()
    min_level = LevelField()
    counted = serializers.BooleanField(help_text=_("False: a stronger signal of the same kind counted instead."))


def explanation(rows):
    return [{**row, "kind_label": kind_label(row.get("kind", ""))} for row in rows or ()]


class RiskChangeSerializer(serializers.ModelSerializer):
    previous_level = LevelField(read_only=True)
    level = LevelField(read_only=True)

    class Meta:
        model = RiskChange
        fields = ["id", "changed_on", "previous_level", "level", "score"]
        read_only_fields = fields


class EnterpriseRiskSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    level = LevelField(read_only=True)
    level_label = serializers.SerializerMethodField()

    class Meta:
        model = EnterpriseRisk
        fields = ["id", "enterprise", "enterprise_name", "credit_code", "region", "region_name", "score", "level",
                  "level_label", "level_since", "assessed_on"]
        read_only_fields = fields

    def get_level_label(self, obj) -> str:
        return level_label(obj.level)


class EnterpriseRiskDetailSerializer(EnterpriseRiskSerializer):
    """One enterprise's risk: adds the explanation and its recent level changes."""

    explanation = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField(help_text=_("The latest level changes, newest first."))

    class Meta(EnterpriseRiskSerializer.Meta):
        fields = EnterpriseRiskSerializer.Meta.fields + ["explanation", "changes"]
        read_only_fields = fields

    @extend_schema_field(ExplanationRowSerializer(many=True))
    def get_explanation(self, obj):
        return ExplanationRowSerializer(explanation(obj.explanation), many=True).data

    @extend_schema_field(RiskChangeSerializer(many=True))
    def get_changes(self, obj):
        request = self.context.get("request")
        rows = RiskChange.objects.visible_to(request.user).filter(enterprise_id=obj.enterprise_id)[:20]
        return RiskChangeSerializer(rows, many=True).data


# --- alerts --------------------------------------------------------------------------------------

def is_overdue(alert, today=None) -> bool:
    """No response by the deadline: still open (the first action moves it to "being handled")."""
    return alert.status == AlertStatus.OPEN and alert.deadline < (today or timezone.localdate())


class AlertSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    level = LevelField(read_only=True)
    status = AlertStatusField(read_only=True)
    outcome = OutcomeField(read_only=True)
    is_overdue = serializers.SerializerMethodField(help_text=_("Open with no response after its deadline."))

    class Meta:
        model = Alert
        fields = ["id", "number", "enterprise", "enterprise_name", "credit_code", "region", "region_name", "level",
                  "status", "score", "reason", "raised_on", "deadline", "is_overdue", "county_assigned", "escalated_on",
                  "first_response_on", "closed_on", "outcome", "outcome_note", "case", "created_at", "updated_at"]
        read_only_fields = fields

    def get_is_overdue(self, obj) -> bool:
        return is_overdue(obj)


class AlertActionSerializer(serializers.ModelSerializer):
    kind = ActionKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = AlertAction
        fields = ["id", "alert", "kind", "kind_label", "done_on", "summary", "meeting", "recorded_by", "recorded_by_name",
                  "created_at"]
        read_only_fields = fields

    def get_recorded_by_name(self, obj) -> str:
        return str(obj.recorded_by) if obj.recorded_by_id else ""


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    verb = serializers.CharField()
    label = serializers.CharField()
    summary = serializers.CharField()
    actor = serializers.CharField(help_text=_("Blank for the system."))


class AlertDetailSerializer(AlertSerializer):
    """One alert: adds why it was raised, its disposal actions, its timeline and what the caller may do."""

    explanation = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField(
        help_text=_("Transitions the caller may take now: respond and act are POST /api/alerts/{id}/actions/, "
                    "escalate and close their own routes."))

    class Meta(AlertSerializer.Meta):
        fields = AlertSerializer.Meta.fields + ["explanation", "actions", "timeline", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(ExplanationRowSerializer(many=True))
    def get_explanation(self, obj):
        return ExplanationRowSerializer(explanation(obj.explanation), many=True).data

    @extend_schema_field(AlertActionSerializer(many=True))
    def get_actions(self, obj):
        rows = AlertAction.objects.filter(alert=obj).select_related("recorded_by").order_by("done_on", "pk")
        return AlertActionSerializer(rows, many=True).data

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, obj):
        from django.contrib.contenttypes.models import ContentType

        from concord.core.models import Event

        request = self.context.get("request")
        events = (Event.objects.visible_to(request.user)
                  .filter(content_type=ContentType.objects.get_for_model(Alert), object_id=str(obj.pk))
                  .select_related("actor").order_by("created_at", "pk"))
        return TimelineEntrySerializer([
            {"at": e.created_at, "verb": e.verb, "label": str(verb_label(e.verb)), "summary": e.summary,
             "actor": str(e.actor) if e.actor_id else ""} for e in events], many=True).data

    def get_available_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None or not Alert.objects.visible_to(request.user, "change").filter(pk=obj.pk).exists():
            return []
        return [t.name for t in obj.workflow.available(obj, request.user)]


class ActionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    done_on = serializers.DateField(required=False, help_text=_("Today when left out."))
    summary = serializers.CharField(allow_blank=True, help_text=_("What was done and found."))
    meeting = serializers.IntegerField(required=False, allow_null=True,
                                       help_text=_("A tripartite meeting recorded in Concord (tripartite meeting actions only)."))


class EscalateInputSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, help_text=_("Why the county is needed."))


class CloseInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AlertOutcome.choices)
    note = serializers.CharField(allow_blank=True, help_text=_("The outcome's details."))
    closed_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today when left out."))


# --- the county's tables -----------------------------------------------------------------------

class ScoringRuleSerializer(ScopedSerializer):
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    min_level = serializers.ChoiceField(choices=[("", "")] + Level.choices, required=False, allow_blank=True)

    class Meta:
        model = ScoringRule
        fields = ["id", "kind", "at_least", "below", "window_days", "points", "min_level", "label", "source", "is_active",
                  "updated_at"]
        read_only_fields = ["id", "updated_at"]


class LevelPolicySerializer(ScopedSerializer):
    level = LevelField(read_only=True)

    class Meta:
        model = LevelPolicy
        fields = ["id", "level", "min_points", "response_days", "raises_alert", "county", "source"]
        read_only_fields = ["id", "level"]


