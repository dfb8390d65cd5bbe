"""Case API: /api/cases/ (list, read, intake and one route per workflow action), /api/installments/
(read, record a payment) and /api/agreements/ (read).

Every write goes through concord/disputes/services.py, which holds the rules and checks role, level
and scope. A case outside the caller's scope is 404; one the caller sees but may not change is 403
(the service's PermissionDenied); a refused action or bad input is 400 with field-keyed messages in
the caller's language, and changes nothing. Cases are never edited or deleted directly (PUT, PATCH
and DELETE answer 405): every change is an action.

A GET on an action's route answers whether the caller may take it now, and why not.
"""
import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from concord.core.api.actions import ActionCheckSerializer, action_check, add_action_routes, refusals
from concord.core.api.base import ScopedReadOnlyViewSet
from concord.core.scope import VIEW
from concord.core.workflow import refusal
from concord.registry.models import Worker

from .. import selectors, services, workflow
from ..filters import CaseFilter
from ..models import Agreement, Case, CaseDocument, Evidence, Installment, MediationSession
from . import serializers as s


class CaseApiFilter(CaseFilter):
    """The case list's filters (the same as the page's) plus the respondent."""

    respondent = django_filters.NumberFilter(field_name="respondent", help_text=gettext_lazy("Enterprise id."))
    # DRF's usual name for the free-text search, the same as ``q``.
    search = django_filters.CharFilter(method="search", help_text=CaseFilter.base_filters["q"].extra["help_text"])

    class Meta(CaseFilter.Meta):
        fields = CaseFilter.Meta.fields + ["received_after", "received_before", "respondent", "search"]


# Action name → (input serializer, service call with the validated data). The route is the name
# with hyphens; the names are those of the transition table (concord/disputes/workflow.py).
def _mediator(case, actor, pk):
    # Only someone who handles the case and whom the caller may choose; otherwise the service's message.
    return selectors.mediator_choices(case, actor).filter(pk=pk).first()


ACTIONS = {
    "accept": (s.AcceptSerializer, lambda case, actor, d: services.case_accept(
        case, actor=actor, accepted_on=d.get("accepted_on"), note=d["note"], session_at=d.get("session_at"),
        session_place=d["session_place"])),
    "reject": (s.ReasonSerializer, lambda case, actor, d: services.case_reject(case, actor=actor, reason=d["note"])),
    "consult": (s.ConsultSerializer, lambda case, actor, d: services.case_consult(
        case, actor=actor, requested_on=d.get("requested_on"), note=d["note"])),
    "mediate": (s.NoteSerializer, lambda case, actor, d: services.case_mediate(case, actor=actor, note=d["note"])),
    "assign": (s.AssignSerializer, lambda case, actor, d: services.case_assign(
        case, actor=actor, mediator=_mediator(case, actor, d["mediator"]))),
    "escalate": (s.ReasonSerializer, lambda case, actor, d: services.case_escalate(case, actor=actor, note=d["note"])),
    "extend": (s.ExtendSerializer, lambda case, actor, d: services.case_extend(
        case, actor=actor, days=d["days"], consent=d["consent"], note=d["note"])),
    "agree": (s.AgreeSerializer, lambda case, actor, d: services.case_agree(
        case, actor=actor, signed_on=d["signed_on"], effective_on=d["effective_on"], amount=d["amount"], terms=d["terms"],
        installments=[(i["due_on"], i["amount"], i["method"], i["place"]) for i in d["installments"]], note=d["note"],
        facts_found=d["facts_found"], responsibility=d["responsibility"], mediator_name=d["mediator_name"])),
    "fail": (s.ReasonSerializer, lambda case, actor, d: services.case_fail(case, actor=actor, reason=d["note"])),
    "withdraw": (s.ReasonSerializer, lambda case, actor, d: services.case_withdraw(case, actor=actor, reason=d["note"])),
    "request_confirmation": (s.ConfirmationRequestSerializer, lambda case, actor, d: services.case_request_confirmation(
        case, actor=actor, requested_on=d.get("requested_on"))),
    "record_confirmation": (s.ConfirmationResultSerializer, lambda case, actor, d: services.case_record_confirmation(
        case, actor=actor, result=d["result"], ruling_number=d["ruling_number"], ruled_on=d["ruled_on"], note=d["note"])),
    "payment_order": (s.PaymentOrderSerializer, lambda case, actor, d: services.case_payment_order(
        case, actor=actor, applied_on=d.get("applied_on"), note=d["note"])),
    "close": (s.CloseSerializer, lambda case, actor, d: services.case_close(case, actor=actor, outcome=d["outcome"], note=d["note"])),
    "refer": (s.ReferSerializer, lambda case, actor, d: services.case_refer(case, actor=actor, outcome=d["outcome"], note=d["note"])),
}


FILTERS = [DjangoFilterBackend, OrderingFilter]


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Dispute cases in the caller's scope, newest first. Filters: ``status`` (repeatable), ``level``,
    ``source``, ``subcategory``, ``town`` (region id), ``is_collective``, ``overdue``,
    ``received_after`` / ``received_before``, ``respondent`` (enterprise id), ``mine`` (assigned to
    me), ``q`` (exact case number or enterprise name); ``ordering`` by ``received_on``, ``deadline``
    or ``number``. Claimants' ID numbers and phones are masked."""

    concord_api = True
    queryset = Case.objects.all()
    serializer_class = s.CaseSerializer
    filterset_class = CaseApiFilter
    filter_backends = FILTERS  # ``q`` (the page's search) stands for the search backend
    ordering_fields = ["received_on", "deadline", "number"]

    def get_queryset(self):
        # Reads and actions fetch through VIEW: a case the caller sees but may not change reaches the
        # service, whose PermissionDenied answers 403; a case outside the scope is 404.
        return (Case.objects.visible_to(self.request.user, VIEW).select_related("respondent", "region", "mediator")
                .prefetch_related("claimants"))

    def get_serializer_class(self):
        if self.action == "create":
            return s.CaseFileSerializer
        return s.CaseDetailSerializer if self.action != "list" else s.CaseSerializer

    def detail_response(self, case, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().filter(pk=case.pk).first() or case
        return Response(s.CaseDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=s.CaseFileSerializer, responses={201: s.CaseDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = s.CaseFileSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        d = data.validated_data
        user = request.user
        if s.is_worker_only(user):
            me = Worker.objects.filter(user=user).first()
            people = d.get("claimants") or ([{"name": me.name, "id_number": me.id_number, "phone": me.phone}] if me else [])
            court = {}  # the online form has no court fields and no backdating
            received_on, collective = None, None
        else:
            people = d["claimants"]
            court = {"court_referral_kind": d["court_referral_kind"], "court_case_number": d["court_case_number"],
                     "court_received_on": d.get("court_received_on")}
            received_on, collective = d.get("received_on"), d.get("collective") or None
        claimants = [services.ClaimantInput(p["name"], p["id_number"], p.get("phone", ""), p.get("is_representative", False))
                     for p in people]
        with refusals():
            case = services.case_file(
                actor=user, source=d["source"], respondent=d["respondent"], category=d["category"],
                subcategory=d["subcategory"], facts=d["facts"], claimants=claimants, amount_claimed=d.get("amount_claimed"),
                knew_on=d.get("knew_on"), employment_ended_on=d.get("employment_ended_on"), received_on=received_on,
                collective=collective, confirm_duplicate=d["confirm_duplicate"], **court)
        return self.detail_response(case, status.HTTP_201_CREATED)

    # --- measures -------------------------------------------------------------------------------

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description=gettext_lazy("Year received; this year when left out."))],
        responses=s.MeasuresSerializer, filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def measures(self, request, format=None):
        """The disputes measures (counts, level of resolution, amounts, months) over the cases the
        caller sees, received in ``year``."""
        if s.is_worker_only(request.user):
            raise Http404  # measures are for the handling bodies, as on the pages
        today = timezone.localdate()
        value = request.query_params.get("year", "")
        if not value:
            year = today.year
        elif value.isdigit() and 2008 <= int(value) <= today.year:
            year = int(value)
        else:
            raise ValidationError({"year": [_("Give a year from 2008 to %(year)s.") % {"year": today.year}]})
        m = selectors.measures(request.user, year)
        return Response(s.MeasuresSerializer(s.MeasuresSerializer.from_measures(m)).data)

    # --- records of a case ----------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=s.SessionSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.SessionSerializer, responses={201: s.SessionSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def sessions(self, request, pk=None, format=None):
        """Mediation sessions of the case (GET), or record one (POST: held_on, place, participants, summary)."""
        case = self.get_object()
        if request.method == "GET":
            rows = MediationSession.objects.visible_to(request.user).filter(case=case).order_by("held_on", "pk")
            return Response(s.SessionSerializer(rows, many=True).data)
        data = s.SessionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        with refusals():
            session = services.session_add(case, actor=request.user, held_on=d["held_on"], place=d["place"],
                                           participants=d["participants"], summary=d["summary"])
        return Response(s.SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=s.EvidenceSerializer(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": s.EvidenceUploadSerializer},
                   responses={201: s.EvidenceSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[],
            parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None, format=None):
        """Evidence files of the case (GET), or upload one (POST multipart: file, description). Only
        PDF, JPEG, PNG, .docx and .xlsx up to 10 MB, checked by content as well as name."""
        case = self.get_object()
        if request.method == "GET":
            rows = Evidence.objects.visible_to(request.user).filter(case=case).order_by("uploaded_at", "pk")
            return Response(s.EvidenceSerializer(rows, many=True).data)
        data = s.EvidenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            item = services.evidence_add(case, actor=request.user, upload=data.validated_data["file"],
                                         description=data.validated_data["description"])
        return Response(s.EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=s.DocumentSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.DocumentIssueSerializer,
                   responses={201: s.DocumentSerializer, 200: s.DocumentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def documents(self, request, pk=None, format=None):
        """Documents issued for the case (GET), or issue one (POST: ``kind``). Only the body handling the
        case at its current level issues (403 for anyone else, and no number is taken); the number is
        given once per case and kind, so a repeat answers 200 with the document already issued. The
        files are downloaded from the page route in ``downloads``."""
        case = self.get_object()
        if request.method == "GET":
            rows = CaseDocument.objects.visible_to(request.user).filter(case=case).order_by("created_at", "pk")
            return Response(s.DocumentSerializer(rows, many=True).data)
        data = s.DocumentIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        issued_before = CaseDocument.objects.filter(case=case, kind=kind).exists()
        with refusals():
            record = services.document_issue(case, actor=request.user, kind=kind)
        return Response(s.DocumentSerializer(record).data,
                        status=status.HTTP_200_OK if issued_before else status.HTTP_201_CREATED)

    # --- workflow actions (one route each, added below) -----------------------------------------

    def run_action(self, request, name):
        case = self.get_object()
        if request.method == "GET":
            t = Case.workflow[name]
            reason = refusal(case, t, request.user) if selectors.may_change(request.user, case) \
                else _("This case is outside your scope.")
            return action_check(name, t.label, reason)
        serializer_class, call = ACTIONS[name]
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            case = call(case, request.user, data.validated_data)
        return self.detail_response(case)


add_action_routes(CaseViewSet, {name: serializer for name, (serializer, _call) in ACTIONS.items()},
                  detail_serializer=s.CaseDetailSerializer, noun="case", url_path=lambda name: name.replace("_", "-"))


# --- agreements and their payments ------------------------------------------------------------------

class InstallmentFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="agreement__case", help_text=gettext_lazy("Case id."))
    paid = django_filters.BooleanFilter(field_name="paid_on", lookup_expr="isnull", exclude=True,
                                        help_text=gettext_lazy("A payment has been recorded."))

    class Meta:
        model = Installment
        fields = ["agreement", "case", "paid"]


class InstallmentViewSet(ScopedReadOnlyViewSet):
    """Payments scheduled by mediation agreements, in the caller's scope. Filters: ``agreement``,
    ``case``, ``paid``. ``POST /api/installments/{id}/pay/`` records a payment."""

    queryset = Installment.objects.all()
    serializer_class = s.InstallmentSerializer
    filterset_class = InstallmentFilter
    filter_backends = FILTERS
    ordering_fields = ["due_on"]
    select_related = ("agreement__case",)

    @extend_schema(methods=["GET"], responses=ActionCheckSerializer)
    @extend_schema(methods=["POST"], request=s.PaySerializer, responses=s.InstallmentSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def pay(self, request, pk=None, format=None):
        """Record what was paid (POST: paid_on, paid_amount), or ask whether you may (GET)."""
        item = self.get_object()
        case = item.agreement.case
        if request.method == "GET":
            if not selectors.may_change(request.user, case):
                reason = _("This case is outside your scope.")
            elif not workflow.handles(request.user, case):
                reason = _("The case is handled at %(level)s level; your role does not handle it there.") % {
                    "level": case.get_level_display()}
            else:
                reason = None
            return action_check("pay", gettext_lazy("Record a payment"), reason)
        data = s.PaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with refusals():
            item = services.installment_pay(item, actor=request.user, paid_on=data.validated_data["paid_on"],
                                            paid_amount=data.validated_data["paid_amount"])
        return Response(s.InstallmentSerializer(self.get_queryset().get(pk=item.pk)).data)


class AgreementViewSet(ScopedReadOnlyViewSet):
    """Mediation agreements in the caller's scope, with their payment schedules. Filter: ``case``."""

    queryset = Agreement.objects.all()
    serializer_class = s.AgreementSerializer
    filterset_fields = ["case"]
    filter_backends = FILTERS
    ordering_fields = ["signed_on", "effective_on"]
    select_related = ("case",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("installments")


def register(router):
    router.register("cases", CaseViewSet, basename="case")
    router.register("installments", InstallmentViewSet, basename="installment")
    router.register("agreements", AgreementViewSet, basename="agreement")

