"""The API's exception handler (settings ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): DRF's own, plus
the errors that a caller's request can cause and that are not server faults.

- deleting a record that other records still refer to (``ProtectedError``/``RestrictedError``):
  409 Conflict, naming the kinds of record and how many of each refer to it (kinds and counts only:
  the referring records may lie outside the caller's scope);
- a model's or service's ``django.core.exceptions.ValidationError`` that reached the view: 400
  with its messages, as a serializer's would be;
- a domain lookup that the input made impossible, e.g. a payment date before any legal parameter is
  in force (``disputes.parameters.ParameterNotInForce``): 400 with its message. Named by dotted path
  so that core does not import the apps.

Every body is a JSON object; a 409 and the lookups use ``detail`` as DRF does for its own errors."""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext as _
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

BAD_REQUEST_LOOKUPS = ("concord.disputes.parameters.ParameterNotInForce",)


@lru_cache(maxsize=1)
def _bad_request_lookups() -> tuple[type, ...]:
    found = []
    for path in BAD_REQUEST_LOOKUPS:
        try:
            found.append(import_string(path))
        except ImportError:  # an app not installed
            continue
    return tuple(found)


def referring_summary(objects) -> str:
    """"3 mediation cases, 1 employment": what refers to a record, by kind."""
    counts = Counter(type(obj) for obj in objects)
    parts = []
    for model, n in sorted(counts.items(), key=lambda item: str(item[0]._meta.verbose_name)):
        name = model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural
        parts.append(_("%(count)s %(kind)s") % {"count": n, "kind": name})
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(parts)


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, (ProtectedError, RestrictedError)):
        objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        message = _("This record cannot be deleted: other records refer to it (%(what)s). "
                    "Remove or change them first.") % {"what": referring_summary(objects)}
        return Response({"detail": capfirst(message)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(serializers.as_serializer_error(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, _bad_request_lookups()):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return None
