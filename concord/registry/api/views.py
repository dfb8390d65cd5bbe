from django_filters import rest_framework as filters
from rest_framework import serializers

from concord.core import masking
from concord.core.api.base import ScopedModelViewSet, ScopedSerializer

from ..models import Employment, Enterprise, Worker


class EnterpriseSerializer(ScopedSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "credit_code", "name", "region", "address", "has_union", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class EnterpriseViewSet(ScopedModelViewSet):
    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    filterset_fields = ["region", "has_union", "credit_code"]
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name", "credit_code"]
    select_related = ("region",)


class WorkerSerializer(ScopedSerializer):
    """ID number and phone are write-only in full; reads return them masked."""

    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Worker
        fields = ["id", "name", "id_number", "id_number_masked", "phone", "phone_masked", "sex", "birth_date", "is_migrant"]
        read_only_fields = ["sex", "birth_date"]
        extra_kwargs = {"id_number": {"write_only": True}, "phone": {"write_only": True, "required": False}}


class WorkerFilter(filters.FilterSet):
    id_number = filters.CharFilter(field_name="id_number")
    phone = filters.CharFilter(field_name="phone")

    class Meta:
        model = Worker
        fields = ["is_migrant", "sex", "id_number", "phone"]


class WorkerViewSet(ScopedModelViewSet):
    queryset = Worker.objects.all()
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilter
    search_fields = ["name"]
    ordering_fields = ["name", "birth_date"]


class EmploymentSerializer(ScopedSerializer):
    class Meta:
        model = Employment
        fields = ["id", "worker", "enterprise", "start_date", "end_date", "position"]


class EmploymentViewSet(ScopedModelViewSet):
    queryset = Employment.objects.all()
    serializer_class = EmploymentSerializer
    filterset_fields = ["worker", "enterprise"]
    ordering_fields = ["start_date"]
