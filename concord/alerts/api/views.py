"""Early-warning API: /api/risk-signals/ (list, read, report one, import a partner file),
/api/enterprise-risks/ (read, with the explanation and level history), /api/alerts/ (read, with
actions and timeline; record an action, escalate, close), /api/scoring-rules/ and
/api/level-policies/ (every early-warning role reads; a county administrator updates).

Every write goes through concord/alerts/services.py (or the registry's import mechanism), which
hold the rules and check role and scope. A record outside the caller's scope is 404; a role that
sees but may not write is 403; a refused action or bad input is 400 with field-keyed messages in
the caller's language, and changes nothing. Signals and alerts are never edited or deleted
directly (PUT, PATCH and DELETE answer 405). A GET on an alert's action route answers whether the
caller may take it now, and why not.
"""
import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from concord.core.api.actions import (
    ErrorDetailSerializer, TownFilterMixin, action_check, add_action_routes, refusals,
)
from concord.core.api.base import ScopedModelViewSet, ScopedReadOnlyViewSet
from concord.core.scope import CHANGE, VIEW
from concord.core.workflow import refusal
from concord.registry.importers import import_file

from .. import services
from ..importers import KIND
from ..models import Alert, AlertStatus, EnterpriseRisk, Level, LevelPolicy, RiskSignal, ScoringRule, SignalKind
from . import serializers as s

FILTERS = [DjangoFilterBackend, OrderingFilter]


# --- signals ---------------------------------------------------------------------------------------

class SignalApiFilter(TownFilterMixin):
    enterprise = django_filters.NumberFilter(field_name="enterprise", help_text=gettext_lazy("Enterprise id."))
    kind = django_filters.ChoiceFilter(choices=SignalKind.choices)
    active = django_filters.BooleanFilter(method="filter_active",
                                          help_text=gettext_lazy("Counting today (from its date to its expiry)."))

    class Meta:
        model = RiskSignal
        fields = ["enterprise", "kind", "source", "town", "active"]

    def filter_active(self, qs, name, value):
        today = timezone.localdate()
        live = Q(observed_on__lte=today, expires_on__gte=today)
        return qs.filter(live) if value else qs.exclude(live)


def _commit_flag(request) -> bool:
    value = (request.query_params.get("commit") or "false").strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ValidationError({"commit": [_("Write true (import) or false (check only).")]})


class RiskSignalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Risk signals in the caller's scope, newest first. Filters: ``enterprise``, ``kind``,
    ``source``, ``town`` (region id), ``active``; ``ordering`` by ``observed_on`` or ``expires_on``.
    POST reports one signal and reassesses its enterprise at once; ``POST import/`` takes a partner
    department's file."""

    concord_api = True
    queryset = RiskSignal.objects.all()
    serializer_class = s.RiskSignalSerializer
    filterset_class = SignalApiFilter
    filter_backends = FILTERS
    ordering_fields = ["observed_on", "expires_on"]

    def get_queryset(self):
        return RiskSignal.objects.visible_to(self.request.user, VIEW).select_related("enterprise", "region").order_by(
            "-observed_on", "-pk")

    def get_serializer_class(self):
        return s.SignalCreateSerializer if self.action == "create" else s.RiskSignalSerializer

    @extend_schema(request=s.SignalCreateSerializer, responses={201: s.RiskSignalSerializer})
    def create(self, request, *args, **kwargs):
        data = s.SignalCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        d = data.validated_data
        with refusals():
            signal = services.signal_record(
                actor=request.user, enterprise=d["enterprise"], kind=d["kind"], observed_on=d["observed_on"],
                value=d.get("value"), amount=d.get("amount"), workers_affected=d.get("workers_affected"),
                evidence=d.get("evidence") or "", expires_on=d.get("expires_on"), source=d["source"])
        fresh = self.get_queryset().get(pk=signal.pk)
        return Response(s.RiskSignalSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadSerializer},
        parameters=[OpenApiParameter("commit", OpenApiTypes.BOOL, description=gettext_lazy(
            "true: import (all or nothing); false (the default): check only and write nothing."))],
        # 400: the file's problems (ImportResult), or the request's own (no file, a bad ``commit``) as
        # field-keyed messages; 413: larger than the upload limit (core.uploads).
        responses={200: s.ImportResultSerializer, 201: s.ImportResultSerializer,
                   400: OpenApiResponse(response={"anyOf": [{"$ref": "#/components/schemas/ImportResult"},
                                                            {"$ref": "#/components/schemas/ValidationError"}]}),
                   413: ErrorDetailSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None, filter_backends=[],
            parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request, format=None):
        """Check (``?commit=false``, the default) or import (``?commit=true``) a partner department's
        file of risk signals: the template's columns, every problem by row and column. A commit
        writes every row or none and reassesses the enterprises, so alerts rise at once. Answers
        200 for a clean check, 201 for a commit, 400 with the problems when the file is refused."""
        commit = _commit_flag(request)
        upload = s.ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        f = upload.validated_data["file"]
        result = import_file(KIND, f, actor=request.user, filename=f.name, commit=commit)
        code = status.HTTP_400_BAD_REQUEST if not result.ok else status.HTTP_201_CREATED if result.committed else status.HTTP_200_OK
        return Response(s.ImportResultSerializer.from_result(result), status=code)


# --- enterprise risk ------------------------------------------------------------------------------

class RiskApiFilter(TownFilterMixin):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    enterprise = django_filters.NumberFilter(field_name="enterprise", help_text=gettext_lazy("Enterprise id."))

    class Meta:
        model = EnterpriseRisk
        fields = ["level", "town", "enterprise"]


class EnterpriseRiskViewSet(ScopedReadOnlyViewSet):
    """Enterprises' current risk (score and level) in the caller's scope, highest score first.
    Filters: ``level``, ``town`` (region id), ``enterprise``. One enterprise's risk adds why (each
    active signal, the rule it met, its points and whether it counted) and its latest level changes."""

    queryset = EnterpriseRisk.objects.all()
    serializer_class = s.EnterpriseRiskSerializer
    filterset_class = RiskApiFilter
    filter_backends = FILTERS
    ordering_fields = ["score", "level_since", "assessed_on"]
    select_related = ("enterprise", "region")

    def get_queryset(self):
        return super().get_queryset().order_by("-score", "pk")

    def get_serializer_class(self):
        return s.EnterpriseRiskDetailSerializer if self.action == "retrieve" else s.EnterpriseRiskSerializer


# --- alerts ---------------------------------------------------------------------------------------

class AlertApiFilter(TownFilterMixin):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    status = django_filters.MultipleChoiceFilter(choices=AlertStatus.choices)
    county_assigned = django_filters.BooleanFilter()
    overdue = django_filters.BooleanFilter(method="filter_overdue",
                                           help_text=gettext_lazy("Open with no response after its deadline."))
    enterprise = django_filters.NumberFilter(field_name="enterprise", help_text=gettext_lazy("Enterprise id."))

    class Meta:
        model = Alert
        fields = ["level", "status", "town", "county_assigned", "overdue", "enterprise"]

    def filter_overdue(self, qs, name, value):
        late = Q(status=AlertStatus.OPEN, deadline__lt=timezone.localdate())
        return qs.filter(late) if value else qs.exclude(late)


def _meeting(alert, actor, pk):
    """The meeting the caller may link (in their scope); else the service's message."""
    if pk is None:
        return None
    from concord.disputes.models import TripartiteMeeting

    meeting = TripartiteMeeting.objects.visible_to(actor).filter(pk=pk).first()
    if meeting is None:
        raise ValidationError({"meeting": [_("This meeting is outside your scope.")]})
    return meeting


# Route → (transitions it stands for, input serializer, label, service call with the validated data).
ACTIONS = {
    "actions": (("respond", "act"), s.ActionInputSerializer, gettext_lazy("Record a disposal action"),
                lambda alert, actor, d: services.action_record(
                    alert, actor=actor, kind=d["kind"], done_on=d.get("done_on") or timezone.localdate(),
                    summary=d["summary"], meeting=_meeting(alert, actor, d.get("meeting")))),
    "escalate": (("escalate",), s.EscalateInputSerializer, gettext_lazy("Escalate to the county"),
                 lambda alert, actor, d: services.alert_escalate(alert, actor=actor, note=d["note"])),
    "close": (("close",), s.CloseInputSerializer, gettext_lazy("Close the alert"),
              lambda alert, actor, d: services.alert_close(alert, actor=actor, outcome=d["outcome"], note=d["note"],
                                                           closed_on=d.get("closed_on"))),
}


class AlertViewSet(ScopedReadOnlyViewSet):
    """Alerts in the caller's scope, earliest deadline first. Filters: ``level``, ``status``
    (repeatable), ``town`` (region id), ``county_assigned``, ``overdue``, ``enterprise``;
    ``ordering`` by ``deadline``, ``raised_on`` or ``level``. One alert adds its explanation,
    disposal actions, timeline and the transitions the caller may take. ``POST {id}/actions/``
    records a disposal action (the first is the response), ``{id}/escalate/`` and ``{id}/close/``
    the other transitions."""

    queryset = Alert.objects.all()
    serializer_class = s.AlertSerializer
    filterset_class = AlertApiFilter
    filter_backends = FILTERS
    ordering_fields = ["deadline", "raised_on", "level", "score"]
    select_related = ("enterprise", "region")

    def get_queryset(self):
        # Reads and actions fetch through VIEW: an alert the caller sees but may not change reaches
        # the service, whose refusal answers; one outside the scope is 404.
        return super().get_queryset().order_by("deadline", "-pk")

    def get_serializer_class(self):
        return s.AlertDetailSerializer if self.action != "list" else s.AlertSerializer

    def detail_response(self, alert):
        fresh = self.get_queryset().get(pk=alert.pk)
        return Response(s.AlertDetailSerializer(fresh, context=self.get_serializer_context()).data)

    def run_action(self, request, route):
        alert = self.get_object()
        names, serializer_class, label, call = ACTIONS[route]
        if request.method == "GET":
            if not Alert.objects.visible_to(request.user, CHANGE).filter(pk=alert.pk).exists():
                reason = _("This alert is outside your scope.")
            else:
                reasons = [refusal(alert, Alert.workflow[name], request.user) for name in names]
                reason = None if any(r is None for r in reasons) else reasons[0]
            return action_check(route, label, reason)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals({"outcome_note": "note"}):
            call(alert, request.user, data.validated_data)
        return self.detail_response(alert)


add_action_routes(AlertViewSet, {route: serializer for route, (_names, serializer, _label, _call) in ACTIONS.items()},
                  detail_serializer=s.AlertDetailSerializer, noun="alert")


# --- the county's tables ----------------------------------------------------------------------------

class _CountyTableViewSet(ScopedModelViewSet):
    """Read by every early-warning role; updated (PUT/PATCH, through the model's ``clean``) by a
    county administrator. Rows are neither added nor deleted through the API."""

    http_method_names = ["get", "put", "patch", "head", "options"]
    filter_backends = []
    pagination_class = None


class ScoringRuleViewSet(_CountyTableViewSet):
    """The county's scoring table: a signal kind and value band → points and a minimum level.
    A change applies from the next assessment (a new signal, or the daily scan)."""

    queryset = ScoringRule.objects.order_by("kind", "at_least", "pk")
    serializer_class = s.ScoringRuleSerializer


class LevelPolicyViewSet(_CountyTableViewSet):
    """The levels: points from which each is reached, days to respond, whether it raises an alert
    and assigns the county."""

    queryset = LevelPolicy.objects.order_by("min_points")
    serializer_class = s.LevelPolicySerializer


def register(router):
    router.register("risk-signals", RiskSignalViewSet, basename="risk-signal")
    router.register("enterprise-risks", EnterpriseRiskViewSet, basename="enterprise-risk")
    router.register("alerts", AlertViewSet, basename="alert")
    router.register("scoring-rules", ScoringRuleViewSet, basename="scoring-rule")
    router.register("level-policies", LevelPolicyViewSet, basename="level-policy")
