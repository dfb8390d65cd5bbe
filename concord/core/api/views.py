from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.views import LoginView as KnoxLoginView, LogoutAllView as KnoxLogoutAllView, LogoutView as KnoxLogoutView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from concord.core import tokens
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


class TokenView(KnoxLoginView):
    """``{"username", "password"}`` → ``{"token", "expiry"}``; send it as ``Authorization: Token …``.
    Every sign-in gets a new token, valid for ``API_TOKEN_HOURS``. Failed attempts count towards the
    same lockout as the sign-in page (the credentials go through ``authenticate``, which axes guards)."""

    concord_api = True
    authentication_classes = ()  # the credentials are in the body; no session, so no CSRF
    permission_classes = (AllowAny,)

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses=inline_serializer(
            "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
        ),
    )
    def post(self, request, format=None):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        tokens.prune_expired(request.user)
        return super().post(request, format=format)


class LogoutView(KnoxLogoutView):
    """Revokes the token this request is signed with."""

    concord_api = True
    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES

    @extend_schema(request=None, responses={204: None, 400: inline_serializer("LogoutRefusal", {"detail": serializers.CharField()})})
    def post(self, request, format=None):
        if not isinstance(request.auth, AuthToken):  # a browser session: there is no "this token"
            return Response({"detail": _("This request is not signed with an API token; /api/auth/logoutall/ revokes all of yours.")},
                            status=400)
        return super().post(request, format=format)


class LogoutAllView(KnoxLogoutAllView):
    """Revokes every token of the caller (all their clients). The account page does the same."""

    concord_api = True
    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)
