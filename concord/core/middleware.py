import re
import uuid

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Gives each request an id (kept from a trusted proxy's X-Request-ID when well formed). The change
    log stores it as its correlation id; events and the access log too; the response echoes it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's login-required default, except for REST framework routes: those authenticate by token
    or session themselves and answer 401/403 instead of redirecting to the login page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        cls = getattr(view_func, "cls", None)
        if cls is not None and getattr(cls, "concord_api", False):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
