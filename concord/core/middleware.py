import uuid

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.contrib.auth import get_user_model
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.utils.functional import SimpleLazyObject


class RequestIdMiddleware:
    """Gives each request an id, always made by the server: the change log stores it as its
    correlation id, events and the access log too, and the response echoes it. A client's (or a
    proxy's) ``X-Request-ID`` is ignored, so no one can choose the id that audit rows carry or make
    two requests share one; a proxy logs the response's ``X-Request-ID`` instead (README, nginx)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        # django-auditlog reads the correlation id from this header (AUDITLOG_CID_HEADER).
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.__dict__.pop("headers", None)  # a cached copy of the headers would still hold the client's
        request.request_id = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware, with the actor read when a change is written rather than when
    the request arrives: REST framework authenticates a token inside the view (and then sets
    ``request.user``), after every middleware has run, so the actor read up front was empty for
    every API change."""

    @staticmethod
    def _get_actor(request):
        def current():
            user = getattr(request, "user", None)
            return user if isinstance(user, get_user_model()) and user.is_authenticated else None

        return SimpleLazyObject(current)


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's login-required default, except for REST framework routes: those authenticate by token
    or session themselves and answer 401/403 instead of redirecting to the login page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        cls = getattr(view_func, "cls", None)
        if cls is not None and getattr(cls, "concord_api", False):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
