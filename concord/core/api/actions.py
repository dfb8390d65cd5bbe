"""Workflow actions on the API, shared by the apps whose records follow a workflow (dispute cases,
alerts, harmony evaluations): one route per action on the record; GET asks whether the caller may
take it now, POST takes it through the app's service and answers the record.

An app's viewset defines ``run_action(request, route)``; ``add_action_routes`` adds the routes.
"""
from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from concord.core.filters import bound_filters
from concord.core.models import Region


class ActionCheckSerializer(serializers.Serializer):
    """GET on an action's route: whether the caller may take it now, and why not."""

    action = serializers.CharField()
    label = serializers.CharField()
    allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)


class ValidationErrorSerializer(serializers.Serializer):
    """A refusal: messages keyed by the input's field, or ``non_field_errors`` for the whole input."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        ref_name = "ValidationError"


class ErrorDetailSerializer(serializers.Serializer):
    """An error as DRF answers it: one message (404, 409, 413…)."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "ErrorDetail"


def action_check(name, label, reason) -> Response:
    return Response({"action": name, "label": str(label), "allowed": reason is None, "reason": reason})


@contextmanager
def refusals(rename=None):
    """A service's ValidationError (TransitionRefused, DuplicateFiling…) as a 400 with its messages,
    keyed by field where the service names one (``rename``: the service's field → the input's name
    for it). PermissionDenied passes through (403)."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = serializers.as_serializer_error(exc)
        raise ValidationError({(rename or {}).get(k, k): v for k, v in detail.items()})


def add_action_routes(viewset, actions, *, detail_serializer, noun: str, url_path=None) -> None:
    """Add a GET/POST route per action to ``viewset``, calling its ``run_action(request, key)``:
    ``actions`` maps each key to the serializer of the POST body; ``url_path(key)`` gives the URL
    segment (default: the key); the method is the key with underscores; ``noun`` says what a POST
    answers, for the route's description."""
    for key, serializer_class in actions.items():
        # Each action's input is its own schema component (<Noun><Action>Input): apps name their
        # serializers alike (two NoteSerializers), and one component name must mean one shape.
        ref = "".join(part.capitalize() for part in f"{noun} {key}".replace("-", " ").replace("_", " ").split()) + "Input"
        meta = type("Meta", (getattr(serializer_class, "Meta", object),), {"ref_name": ref})
        serializer_class = type(ref + "Serializer", (serializer_class,), {"Meta": meta, "__module__": serializer_class.__module__})

        def handler(self, request, pk=None, format=None, _key=key):
            return self.run_action(request, _key)

        handler.__name__ = key.replace("-", "_")
        handler.__doc__ = (f"Take the “{key}” action (POST), or ask whether you may take it now (GET). "
                           f"Answers the {noun}, or 400 with the refusal.")
        # action() first: it replaces the function's kwargs, where extend_schema keeps the schema
        # (the other order left GET and POST described as the record, in and out).
        handler = action(detail=True, methods=["get", "post"], url_path=url_path(key) if url_path else key,
                         pagination_class=None, filter_backends=[])(handler)
        handler = extend_schema(methods=["GET"], responses=ActionCheckSerializer,
                                description=f"Whether you may take the “{key}” action now, and why not.")(handler)
        handler = extend_schema(methods=["POST"], request=serializer_class,
                                responses={200: detail_serializer, 400: ValidationErrorSerializer},
                                description=f"Take the “{key}” action. Answers the {noun}, or 400 with the refusal.")(handler)
        setattr(viewset, handler.__name__, handler)


class TownFilterMixin(django_filters.FilterSet):
    """``town``: a region id; the rows of that region and the regions under it."""

    town = django_filters.NumberFilter(method="filter_town", help_text=gettext_lazy("Town (region id): its communities too."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_filters(self)  # ids no column can hold are refused (400), not sent to the database

    def filter_town(self, qs, name, value):
        path = Region.objects.filter(pk=value).values_list("path", flat=True).first()
        return qs.filter(region__path__startswith=path) if path else qs.none()
