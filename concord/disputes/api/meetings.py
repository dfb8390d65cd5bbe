"""Tripartite meetings and legal settings API.

- ``/api/tripartite-meetings/``: CRUD; each meeting reads with its follow-up actions; ``cases`` and
  ``enterprises`` are lists of ids, each checked against the caller's scope.
- ``/api/follow-up-actions/``: CRUD; ``POST /api/follow-up-actions/{id}/done/`` marks one done
  (``{"done_on": "YYYY-MM-DD"}``, today when left out); a GET there answers whether it may be.
- ``/api/legal-settings/``: CRUD for county administrators, readable by staff of the county.

Writes go through the functions of ``meetings`` (the pages use the same), which validate the
model, re-check the scope and record the meeting's events.
"""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from concord.core.api.base import ScopedModelViewSet, ScopedSerializer
from concord.core.scope import CHANGE
from concord.registry.models import Enterprise

from .. import meetings as meeting_services
from ..models import Case, FollowUpAction, LegalSetting, TripartiteMeeting


def _as_api_error(exc):
    return ValidationError(serializers.as_serializer_error(exc))


class FollowUpActionSerializer(ScopedSerializer):
    state = serializers.SerializerMethodField(help_text=_("done, overdue or open"))

    class Meta:
        model = FollowUpAction
        fields = ["id", "meeting", "description", "owner", "due_on", "done_on", "state"]

    def get_state(self, obj) -> str:
        return meeting_services.action_state(obj)

    def create(self, validated_data):
        try:
            return meeting_services.followup_add(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _as_api_error(exc)

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            return meeting_services.followup_save(instance, actor=self.context["request"].user)
        except DjangoValidationError as exc:
            raise _as_api_error(exc)


class NestedActionSerializer(FollowUpActionSerializer):
    class Meta(FollowUpActionSerializer.Meta):
        fields = ["id", "description", "owner", "due_on", "done_on", "state"]
        read_only_fields = fields


class TripartiteMeetingSerializer(ScopedSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    cases = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Case.objects.all(), help_text=_("Ids of linked cases in your scope."),
        error_messages={"does_not_exist": _("No case with id {pk_value} is in your scope.")})
    enterprises = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Enterprise.objects.all(), help_text=_("Ids of linked enterprises in your scope."),
        error_messages={"does_not_exist": _("No enterprise with id {pk_value} is in your scope.")})
    actions = NestedActionSerializer(many=True, read_only=True)
    created_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = TripartiteMeeting
        fields = ["id", "region", "region_name", "held_on", "place", "labour_bureau", "union", "employers", "topics",
                  "decisions", "cases", "enterprises", "actions", "created_by", "created_at"]
        read_only_fields = ["created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Only the linked records the caller may see (a county meeting may link several towns' records).
        user = self.context["request"].user
        data["cases"] = list(Case.objects.visible_to(user).filter(meetings=instance).values_list("pk", flat=True))
        data["enterprises"] = list(Enterprise.objects.visible_to(user).filter(meetings=instance).values_list("pk", flat=True))
        return data

    def _save(self, meeting, validated_data):
        cases = validated_data.pop("cases", None)
        enterprises = validated_data.pop("enterprises", None)
        for name, value in validated_data.items():
            setattr(meeting, name, value)
        try:
            return meeting_services.meeting_save(meeting, actor=self.context["request"].user, cases=cases, enterprises=enterprises)
        except DjangoValidationError as exc:
            raise _as_api_error(exc)

    def create(self, validated_data):
        return self._save(TripartiteMeeting(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class LegalSettingSerializer(ScopedSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    key_label = serializers.CharField(source="get_key_display", read_only=True)

    class Meta:
        model = LegalSetting
        fields = ["id", "region", "region_name", "key", "key_label", "value", "source", "effective_from", "effective_to"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        key = attrs.get("key", getattr(self.instance, "key", None))
        value = attrs.get("value", getattr(self.instance, "value", None))
        problem = meeting_services.setting_value_problem(key, value)
        if problem:
            raise ValidationError({"value": [problem]})
        return attrs


class TripartiteMeetingViewSet(ScopedModelViewSet):
    """Tripartite meetings (labour bureau, union, employers) in the caller's scope, newest first, each
    with its follow-up actions. Filters: ``region`` (id), ``held_on``."""

    queryset = TripartiteMeeting.objects.all()
    serializer_class = TripartiteMeetingSerializer
    select_related = ("region", "created_by")
    filterset_fields = {"region": ["exact"], "held_on": ["exact", "gte", "lte"]}
    search_fields = ["place", "topics"]
    ordering_fields = ["held_on"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("actions")


class DoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today when left out."))


class FollowUpActionViewSet(ScopedModelViewSet):
    """Follow-up actions of the meetings in the caller's scope, by due date. Filters: ``meeting``,
    ``done`` (true/false)."""

    queryset = FollowUpAction.objects.all()
    serializer_class = FollowUpActionSerializer
    select_related = ("meeting",)
    filterset_fields = {"meeting": ["exact"], "done_on": ["isnull"], "due_on": ["gte", "lte"]}
    ordering_fields = ["due_on"]

    @extend_schema(request=DoneSerializer, responses={200: FollowUpActionSerializer})
    @action(detail=True, methods=["get", "post"])
    def done(self, request, pk=None, format=None):
        """GET: whether the action may be marked done now. POST ``{"done_on"}`` (today when left out): mark it done."""
        followup = self.get_object()
        if request.method == "GET":
            may = FollowUpAction.objects.visible_to(request.user, CHANGE).filter(pk=followup.pk).exists()
            reason = None
            if not may:
                reason = str(_("You may not change this action."))
            elif followup.done_on:
                reason = str(_("This action was already marked done on %(day)s.") % {"day": followup.done_on.isoformat()})
            return Response({"action": "done", "allowed": reason is None, "reason": reason})
        data = DoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            followup = meeting_services.followup_done(followup, actor=request.user, done_on=data.validated_data.get("done_on"))
        except DjangoValidationError as exc:
            raise _as_api_error(exc)
        return Response(FollowUpActionSerializer(followup, context=self.get_serializer_context()).data, status=status.HTTP_200_OK)


class LegalSettingViewSet(ScopedModelViewSet):
    """A county's own values of the legal parameters (over the law's defaults) with source and the
    period in force. Written by county administrators; two values of one parameter may not overlap."""

    queryset = LegalSetting.objects.all()
    serializer_class = LegalSettingSerializer
    select_related = ("region",)
    filterset_fields = ["region", "key"]
    ordering_fields = ["key", "effective_from"]


def register(router):
    router.register("tripartite-meetings", TripartiteMeetingViewSet)
    router.register("follow-up-actions", FollowUpActionViewSet)
    router.register("legal-settings", LegalSettingViewSet)
