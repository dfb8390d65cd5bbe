"""The request-size limit, checked before anything reads the body.

Django streams an uploaded file to a temporary file while it parses the request, and the CSRF
middleware parses every POST, so a size check in a view comes after the whole body has been read
(and stored). ``RequestSizeLimitMiddleware`` (placed before the CSRF middleware) answers 413 from the
``Content-Length`` header alone when it is larger than the largest upload any page accepts (the
import limit, ``imports.max_bytes()``, plus room for the form's other fields and the multipart
framing). A body sent without a length (chunked) is limited by the server in front (nginx's
``client_max_body_size``, docs/deployment.md) and by the import's own check of the file's size."""
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import imports

MULTIPART_ALLOWANCE = 1024 * 1024  # the form's other fields and the multipart boundaries


def max_request_bytes() -> int:
    return imports.max_bytes() + MULTIPART_ALLOWANCE


def too_large_message() -> str:
    return _("The file is larger than the limit of %(mb)s MB.") % {"mb": imports.max_bytes() // (1024 * 1024)}


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_request_bytes():
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        message = too_large_message()
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
        else:
            back = request.META.get("HTTP_REFERER") or request.path
            body = format_html(
                '<!doctype html><html><head><meta charset="utf-8"><title>{}</title></head><body>'
                '<p role="alert">{}</p><p><a href="{}">{}</a></p></body></html>',
                _("File too large"), message, back, _("Back"))
            response = HttpResponse(body, status=413)
        # The body was not read: the connection cannot carry another request.
        response["Connection"] = "close"
        return response
