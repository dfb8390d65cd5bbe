from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.views.i18n import set_language
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from concord.api import router
from concord.core import views as core_views
from concord.core.api.views import LogoutAllView, LogoutView, TokenView


class SchemaView(SpectacularAPIView):
    concord_api = True


urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("health/", core_views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", core_views.AccountView.as_view(), name="account"),
    path("accounts/tokens/revoke/", core_views.RevokeTokensView.as_view(), name="account_revoke_tokens"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("core/", include("concord.core.urls")),
    path("registry/", include("concord.registry.urls")),
    path("disputes/", include("concord.disputes.urls")),
    path("alerts/", include("concord.alerts.urls")),
    path("harmony/", include("concord.harmony.urls")),
    path("api/auth/token/", TokenView.as_view(), name="api_token"),
    path("api/auth/logout/", LogoutView.as_view(), name="api_logout"),
    path("api/auth/logoutall/", LogoutAllView.as_view(), name="api_logoutall"),
    path("api/schema/", SchemaView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/", include(router.urls)),
]
