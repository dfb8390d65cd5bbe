"""API viewsets of the registry (registered in concord/api.py): the same scope, filters and rules
as the pages. Workers and employments page without counting (see pagination.py)."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _, gettext_lazy
from rest_framework import serializers
from rest_framework.response import Response

from concord.core.api.actions import action_check, add_action_routes, refusals
from concord.core.api.base import ScopedModelViewSet

from .. import services
from ..models import Employment, Enterprise, Worker
from .filters import EmploymentFilter, EnterpriseFilter, WorkerFilter
from .pagination import NoCountPagination
from .serializers import EmploymentSerializer, EnterpriseSerializer, WorkerSerializer


class EnterpriseViewSet(ScopedModelViewSet):
    """Enterprises in the caller's scope. Filters: ``town``, ``industry``, ``size_class``,
    ``ownership``, ``has_union``, ``has_mediation_committee``, ``has_workers_congress``,
    ``is_key_enterprise``, ``credit_code``; ``search`` in name and credit code."""

    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "credit_code", "head_count", "migrant_count"]
    select_related = ("region",)


class WorkerEraseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=gettext_lazy("Why the personal data is erased (e.g. the person's request and its date)."))


def _erase_refusal(user, worker):
    if not services.may_erase(user):
        return _("Only the county administrator erases a worker's personal data.")
    if worker.erased_at:
        return _("This worker's personal data has already been erased.")
    return None


class WorkerViewSet(ScopedModelViewSet):
    """Workers in the caller's scope, ordered by name. Search by exact ``id_number`` or ``phone``, or
    by any part of the ``name``; filters ``town``, ``enterprise`` (current employment),
    ``is_migrant``, ``generation``, ``education``, ``sex``, ``hukou_province``, ``has_contract``,
    ``insured``. Paged without a total count."""

    queryset = Worker.objects.order_by("name", "pk")
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilter
    pagination_class = NoCountPagination
    search_fields = []  # use name (any part, through the name-gram index), id_number, phone
    ordering_fields = ["name", "id"]  # not birth_date: the order within a year would tell birth days

    def run_action(self, request, key):
        """``erase``: the county administrator's erasure of the worker's personal data
        (services.worker_erase says what goes and what stays)."""
        worker = self.get_object()
        if request.method == "GET":
            return action_check(key, _("Erase personal data"), _erase_refusal(request.user, worker))
        if not services.may_erase(request.user):
            raise PermissionDenied
        body = WorkerEraseSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        with refusals():
            worker = services.worker_erase(worker, actor=request.user, reason=body.validated_data["reason"])
        return Response(WorkerSerializer(worker, context=self.get_serializer_context()).data)


add_action_routes(WorkerViewSet, {"erase": WorkerEraseSerializer}, detail_serializer=WorkerSerializer, noun="worker")


class EmploymentViewSet(ScopedModelViewSet):
    """Employments in the caller's scope, newest first. Filters: ``worker``, ``enterprise``, ``town``,
    ``contract_signed``, ``contract_type``, ``insured``, ``current``. Paged without a total count."""

    queryset = Employment.objects.order_by("-pk")
    serializer_class = EmploymentSerializer
    filterset_class = EmploymentFilter
    pagination_class = NoCountPagination
    search_fields = []
    ordering_fields = ["id"]
