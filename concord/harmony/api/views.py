"""Harmonious-enterprise API under /api/harmony/: the county's standards (with classes, indicator
groups, indicators and veto items), tiers and rounds (every staff role reads them), evaluations
(list, read with scores and the figures of computed indicators, open one, and one route per
action: self-assess, submit, return, review, approve, reject, certify, answer-objection),
certifications (read, with the county's review tasks) and surveys with their result (counts only).

Every write goes through concord/harmony/services.py, which holds the rules and checks role and
scope. A record outside the caller's scope is 404; one the caller sees but may not change is 403
(the service's PermissionDenied) or a 400 naming the refusal (a role the workflow does not allow);
bad input is 400 with field-keyed messages in the caller's language (a score's key is
``score-<indicator id>``), and changes nothing. Evaluations are never edited or deleted directly
(PUT, PATCH and DELETE answer 405): every change is an action. A GET on an action's route answers
whether the caller may take it now, and why not.
"""
import django_filters
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from concord.core.api.actions import TownFilterMixin, action_check, add_action_routes, refusals
from concord.core.api.base import ScopedReadOnlyViewSet
from concord.core.scope import ADD, CHANGE, VIEW, can, user_roles
from concord.core.workflow import refusal

from .. import services, workflow
from ..models import (
    Certification, CertificationStatus, Evaluation, EvaluationStatus, Objection, Round, Standard, Survey, Tier,
)
from . import serializers as s

FILTERS = [DjangoFilterBackend, OrderingFilter]


# --- the county's rows ----------------------------------------------------------------------------

class StandardViewSet(ScopedReadOnlyViewSet):
    """Evaluation standards (newest first), each with its enterprise classes, indicator groups and
    indicators (scoring method, parameters, the classes they apply to) and veto items. Filter:
    ``is_active``."""

    queryset = Standard.objects.all()
    serializer_class = s.StandardSerializer
    filterset_fields = ["is_active"]
    filter_backends = FILTERS
    ordering_fields = ["effective_from"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            "classes", "vetoes", "groups__indicators__classes").order_by("-effective_from", "name")


class TierViewSet(ScopedReadOnlyViewSet):
    """Tiers from the lowest: the minimum score, the tier to hold first and for how long, validity
    and re-check period."""

    queryset = Tier.objects.all()
    serializer_class = s.TierSerializer
    filter_backends = []
    select_related = ("prerequisite",)

    def get_queryset(self):
        return super().get_queryset().order_by("rank")


class RoundViewSet(ScopedReadOnlyViewSet):
    """The county's annual creation rounds, newest first. Filter: ``is_open``. One round adds its
    evaluations counted by status (those the caller sees)."""

    queryset = Round.objects.all()
    serializer_class = s.RoundSerializer
    filterset_fields = ["is_open", "year"]
    filter_backends = FILTERS
    ordering_fields = ["year"]
    select_related = ("standard",)

    def get_queryset(self):
        return super().get_queryset().order_by("-year")

    def get_serializer_class(self):
        return s.RoundDetailSerializer if self.action == "retrieve" else s.RoundSerializer


# --- evaluations ----------------------------------------------------------------------------------

class EvaluationApiFilter(TownFilterMixin):
    status = django_filters.MultipleChoiceFilter(choices=EvaluationStatus.choices)
    enterprise = django_filters.NumberFilter(field_name="enterprise", help_text=gettext_lazy("Enterprise id."))
    round = django_filters.NumberFilter(field_name="round", help_text=gettext_lazy("Round id."))
    year = django_filters.NumberFilter(field_name="round__year", help_text=gettext_lazy("The round's year."))
    tier = django_filters.NumberFilter(field_name="tier", help_text=gettext_lazy("Tier id."))
    enterprise_class = django_filters.NumberFilter(field_name="enterprise_class",
                                                   help_text=gettext_lazy("Enterprise class id."))

    class Meta:
        model = Evaluation
        fields = ["round", "year", "status", "town", "enterprise", "tier", "enterprise_class"]


def _objection(evaluation, pk):
    row = Objection.objects.filter(evaluation=evaluation, pk=pk).first()
    if row is None:
        raise ValidationError({"objection": [_("This is not an objection to this evaluation.")]})
    return row


# Route → (workflow transition or None, input serializer, label, service call with the validated data).
ACTIONS = {
    "self-assess": (None, s.SelfAssessSerializer, gettext_lazy("Save the self-assessment"),
                    lambda ev, actor, d: services.self_assess(ev, actor=actor, points=d["points"], evidence=d["evidence"])),
    "submit": ("submit", s.EmptySerializer, None, lambda ev, actor, d: services.evaluation_submit(ev, actor=actor)),
    "return": ("return", s.NoteSerializer, None, lambda ev, actor, d: services.evaluation_return(ev, actor=actor, note=d["note"])),
    "review": ("review", s.ReviewSerializer, None, lambda ev, actor, d: services.evaluation_review(
        ev, actor=actor, points=d["points"], reasons=d["reasons"], onsite_check_on=d["onsite_check_on"],
        onsite_notes=d["onsite_notes"])),
    "approve": ("approve", s.EmptySerializer, None, lambda ev, actor, d: services.evaluation_approve(ev, actor=actor)),
    "reject": ("reject", s.NoteSerializer, None, lambda ev, actor, d: services.evaluation_reject(ev, actor=actor, note=d["note"])),
    "certify": ("certify", s.EmptySerializer, None, lambda ev, actor, d: services.evaluation_certify(ev, actor=actor)),
    "answer-objection": (None, s.AnswerObjectionSerializer, gettext_lazy("Answer an objection"),
                         lambda ev, actor, d: services.objection_answer(
                             _objection(ev, d["objection"]), actor=actor, answer=d["answer"], upheld=d["upheld"])),
}
EDITABLE = {EvaluationStatus.DRAFT, EvaluationStatus.RETURNED}


def action_refusal(evaluation, route, user) -> str | None:
    """Why ``user`` may not take the action now (workflow, role, scope, and the data the services
    check: tier and vetoes before approval, publicity and objections before certification), or None."""
    today = timezone.localdate()
    name = ACTIONS[route][0]
    if route == "answer-objection":
        if not can(user, Objection, CHANGE):
            return _("Only the county answers objections.")
        if not Objection.objects.visible_to(user, CHANGE).filter(evaluation=evaluation).exists():
            return _("No objection has been lodged.")
        if not evaluation.objections.filter(answered_on__isnull=True).exists():
            return _("Every objection has been answered.")
        return None
    if not Evaluation.objects.visible_to(user, CHANGE).filter(pk=evaluation.pk).exists():
        return _("This evaluation is outside your scope.")
    if route == "self-assess":
        if evaluation.status not in EDITABLE:
            return _("The self-assessment can only change before submission.")
        if not (user.is_superuser or user_roles(user) & workflow.APPLICANTS):
            return _("Your role may not assess.")
        return None
    reason = refusal(evaluation, Evaluation.workflow[name], user)
    if reason is None and name == "approve":
        reason = services.approval_problem(evaluation, today)
    if reason is None and name == "certify":
        if evaluation.publicity_until and today <= evaluation.publicity_until:
            reason = _("Publicity runs until %(day)s.") % {"day": evaluation.publicity_until.isoformat()}
        elif evaluation.objections.filter(answered_on__isnull=True).exists():
            reason = _("Answer every objection first.")
    return reason


def allowed_actions(evaluation, user) -> list[str]:
    return [route for route in ACTIONS if action_refusal(evaluation, route, user) is None]


def _label(route):
    name, label = ACTIONS[route][0], ACTIONS[route][2]
    return label if label is not None else Evaluation.workflow[name].label


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Evaluations in the caller's scope (a town's enterprises; a union officer's own enterprise),
    latest round first. Filters: ``round``, ``year``, ``status`` (repeatable), ``town`` (region id),
    ``enterprise``, ``tier``, ``enterprise_class``; ``ordering`` by ``submitted_on``, ``self_score``,
    ``review_score`` or the enterprise's name. One evaluation adds its scores (computed indicators
    with the figures they came from), the on-site check, objections (contacts masked), its
    certificate and the actions the caller may take now. POST opens an application
    (``round``, ``enterprise``, ``tier``); each action has its own route."""

    concord_api = True
    queryset = Evaluation.objects.all()
    serializer_class = s.EvaluationSerializer
    filterset_class = EvaluationApiFilter
    filter_backends = FILTERS
    ordering_fields = ["submitted_on", "self_score", "review_score", "enterprise__name"]

    def get_queryset(self):
        # Reads and actions fetch through VIEW: an evaluation the caller sees but may not change
        # reaches the service, whose refusal answers; one outside the scope is 404.
        return (Evaluation.objects.visible_to(self.request.user, VIEW)
                .select_related("round", "enterprise", "region", "enterprise_class", "tier")
                .order_by("-round__year", "enterprise__name", "pk"))

    def get_serializer_class(self):
        if self.action == "create":
            return s.EvaluationCreateSerializer
        return s.EvaluationDetailSerializer if self.action != "list" else s.EvaluationSerializer

    def detail_response(self, evaluation, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().filter(pk=evaluation.pk).first() or evaluation
        return Response(s.EvaluationDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=s.EvaluationCreateSerializer, responses={201: s.EvaluationDetailSerializer})
    def create(self, request, *args, **kwargs):
        if not can(request.user, Evaluation, ADD):
            self.permission_denied(request, message=_("Your role may not open applications."))
        data = s.EvaluationCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        d = data.validated_data
        with refusals():
            evaluation = services.evaluation_start(actor=request.user, round=d["round"], enterprise=d["enterprise"],
                                                   tier=d["tier"])
        return self.detail_response(evaluation, status.HTTP_201_CREATED)

    def run_action(self, request, route):
        evaluation = self.get_object()
        if request.method == "GET":
            return action_check(route, _label(route), action_refusal(evaluation, route, request.user))
        _name, serializer_class, _label_text, call = ACTIONS[route]
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals(), transaction.atomic():
            call(evaluation, request.user, data.validated_data)
        return self.detail_response(evaluation)


add_action_routes(EvaluationViewSet, {route: serializer for route, (_name, serializer, _text, _call) in ACTIONS.items()},
                  detail_serializer=s.EvaluationDetailSerializer, noun="evaluation")


# --- certifications and surveys -------------------------------------------------------------------

class CertificationApiFilter(TownFilterMixin):
    status = django_filters.MultipleChoiceFilter(choices=CertificationStatus.choices)
    enterprise = django_filters.NumberFilter(field_name="enterprise", help_text=gettext_lazy("Enterprise id."))
    tier = django_filters.NumberFilter(field_name="tier", help_text=gettext_lazy("Tier id."))
    valid_until_before = django_filters.DateFilter(field_name="valid_until", lookup_expr="lt",
                                                   help_text=gettext_lazy("Valid until a day before this one."))

    class Meta:
        model = Certification
        fields = ["status", "town", "enterprise", "tier", "valid_until_before"]


class CertificationViewSet(ScopedReadOnlyViewSet):
    """Certificates in the caller's scope, newest first. Filters: ``status`` (repeatable), ``town``,
    ``enterprise``, ``tier``, ``valid_until_before``; ``ordering`` by ``certified_on``,
    ``valid_until`` or ``next_recheck_on``. One certificate adds the county's review tasks after
    veto events (for the roles that see them)."""

    queryset = Certification.objects.all()
    serializer_class = s.CertificationSerializer
    filterset_class = CertificationApiFilter
    filter_backends = FILTERS
    ordering_fields = ["certified_on", "valid_until", "next_recheck_on"]
    select_related = ("enterprise", "region", "tier")

    def get_queryset(self):
        return super().get_queryset().order_by("-certified_on", "-pk")

    def get_serializer_class(self):
        return s.CertificationDetailSerializer if self.action != "list" else s.CertificationSerializer

    @extend_schema(request=s.RecheckSerializer, responses=s.CertificationDetailSerializer, filters=False)
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def recheck(self, request, pk=None, format=None):
        """The county's yearly re-check: ``passed`` true moves the next re-check on; false revokes the
        title. GET says whether the caller may record it now."""
        cert = self.get_object()
        if request.method == "GET":
            reason = None
            if not Certification.objects.visible_to(request.user, CHANGE).filter(pk=cert.pk).exists():
                reason = _("Only the county records re-checks.")
            elif cert.status != "valid":
                reason = _("Only a valid title is re-checked.")
            return action_check("recheck", _("Record the re-check"), reason)
        data = s.RecheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            cert = services.recheck_record(cert, actor=request.user, **data.validated_data)
        return Response(s.CertificationDetailSerializer(cert, context=self.get_serializer_context()).data)


class SurveyApiFilter(TownFilterMixin):
    enterprise = django_filters.NumberFilter(field_name="enterprise", help_text=gettext_lazy("Enterprise id."))
    round = django_filters.NumberFilter(field_name="round", help_text=gettext_lazy("Round id."))

    class Meta:
        model = Survey
        fields = ["enterprise", "round", "town"]


class SurveyViewSet(ScopedReadOnlyViewSet):
    """Satisfaction surveys in the caller's scope, newest first. Filters: ``enterprise``, ``round``,
    ``town``. ``GET {id}/result/``: the per-question counts and the satisfied share (no answer is
    tied to anyone). An enterprise's current workers see its surveys too. The counts and shares are
    shown once the survey has closed and has at least 5 responses (``shown``; null before), so that
    neither a small group's answers nor one worker's (by the difference before and after they
    answer) can be read off them."""

    queryset = Survey.objects.all()
    serializer_class = s.SurveySerializer
    filterset_class = SurveyApiFilter
    filter_backends = FILTERS
    ordering_fields = ["opens_on", "closes_on"]
    select_related = ("enterprise", "region")

    def get_queryset(self):
        return super().get_queryset().order_by("-opens_on", "-pk")

    @extend_schema(responses=s.SurveyResultSerializer, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def result(self, request, pk=None, format=None):
        """Per question: how many answered 1 to 5 and the satisfied share; overall: the share once
        enough workers answered."""
        survey = self.get_object()
        result = services.survey_result(survey)
        return Response(s.SurveyResultSerializer(s.SurveyResultSerializer.from_result(survey, result)).data)


def register(router):
    router.register("harmony/standards", StandardViewSet, basename="harmony-standard")
    router.register("harmony/tiers", TierViewSet, basename="harmony-tier")
    router.register("harmony/rounds", RoundViewSet, basename="harmony-round")
    router.register("harmony/evaluations", EvaluationViewSet, basename="harmony-evaluation")
    router.register("harmony/certifications", CertificationViewSet, basename="harmony-certification")
    router.register("harmony/surveys", SurveyViewSet, basename="harmony-survey")
