"""API viewsets of the registry (registered in concord/api.py): the same scope, filters and rules
as the pages. Workers and employments page without counting (see pagination.py)."""
from concord.core.api.base import ScopedModelViewSet

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
    ordering_fields = ["name", "birth_date", "id"]


class EmploymentViewSet(ScopedModelViewSet):
    """Employments in the caller's scope, newest first. Filters: ``worker``, ``enterprise``, ``town``,
    ``contract_signed``, ``contract_type``, ``insured``, ``current``. Paged without a total count."""

    queryset = Employment.objects.order_by("-pk")
    serializer_class = EmploymentSerializer
    filterset_class = EmploymentFilter
    pagination_class = NoCountPagination
    search_fields = []
    ordering_fields = ["id"]
