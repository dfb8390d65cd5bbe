from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken

from concord.core.models import Region

from .base import ScopedModelViewSet


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "kind", "parent", "path", "depth"]
        read_only_fields = ["path", "depth"]


class RegionViewSet(ScopedModelViewSet):
    """Organisation tree nodes within the caller's scope. Filter by ``kind``, ``parent``, ``code``."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_fields = ["kind", "parent", "code"]
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name", "path"]


class TokenView(ObtainAuthToken):
    """``{"username", "password"}`` → ``{"token"}``; send it as ``Authorization: Token …``.
    Failed attempts count towards the same lockout as the sign-in page."""

    concord_api = True

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
