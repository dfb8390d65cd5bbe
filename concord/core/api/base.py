"""Base serializer and viewset: the same scope mechanism as the pages."""
from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import serializers, viewsets
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from concord.core.api import schema as _schema  # noqa: F401  (registers the schema extensions)
from concord.core.filters import BoundedFilterBackend
from concord.core.scope import ADD, CHANGE, DELETE, VIEW, OutOfScope, ensure_in_scope


class ScopedSerializer(serializers.ModelSerializer):
    """Related-object fields accept only rows the requesting user may see, and model validation
    (``full_clean``) runs so that the API refuses what the forms refuse."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        for field in self.fields.values():
            target = getattr(field, "child_relation", field)
            queryset = getattr(target, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "scope"):
                target.queryset = queryset.visible_to(request.user, VIEW)

    def run_validation(self, data=empty):
        # A body that is not a JSON object (a list, a string, a number) is refused here, before a
        # subclass's to_internal_value reads it as a dict.
        if data is not empty and data is not None and not isinstance(data, Mapping):
            message = self.error_messages["invalid"].format(datatype=type(data).__name__)
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]}, code="invalid")
        return super().run_validation(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = model(**{k: v for k, v in {**self._current(), **attrs}.items() if not isinstance(v, list)})
        if self.instance is not None:
            instance.pk = self.instance.pk
            instance._state.adding = False  # an update: the unique checks must not count the row itself
        try:
            instance.full_clean(validate_unique=True)
        except DjangoValidationError as exc:
            raise ValidationError(serializers.as_serializer_error(exc))
        return attrs

    def _current(self):
        if self.instance is None:
            return {}
        return {f.name: getattr(self.instance, f.name) for f in self.instance._meta.concrete_fields if f.name in self.fields or f.attname in self.fields}


class BoundedFiltersMixin:
    """Every viewset's django-filter backend (whether from the settings or a viewset's own
    ``filter_backends``) builds its filter set with ``core.filters.bound_filters``: an id or number
    no column can hold is a 400 with the filter's message, not a database error."""

    def filter_queryset(self, queryset):
        for backend in list(self.filter_backends):
            if backend is DjangoFilterBackend:
                backend = BoundedFilterBackend
            queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset


class ScopedModelViewSet(BoundedFiltersMixin, viewsets.ModelViewSet):
    """Rows come from ``visible_to(user, action)``; every write is re-checked against the scope in
    its transaction and rolled back if it leaves it."""

    concord_api = True
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        action = {"list": VIEW, "retrieve": VIEW, "create": ADD, "destroy": DELETE}.get(self.action, CHANGE)
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            action = VIEW
        qs = self.queryset.model._default_manager.visible_to(self.request.user, action)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs.order_by(*(self.queryset.query.order_by or self.queryset.model._meta.ordering or ["pk"]))

    def _save_in_scope(self, serializer, action):
        try:
            with transaction.atomic():
                obj = serializer.save()
                ensure_in_scope(obj, self.request.user, action)
        except OutOfScope as exc:
            raise ValidationError({"non_field_errors": [str(exc.args[0]) if exc.args else "out of scope"]})

    def perform_create(self, serializer):
        self._save_in_scope(serializer, ADD)

    def perform_update(self, serializer):
        self._save_in_scope(serializer, CHANGE)


class ScopedReadOnlyViewSet(BoundedFiltersMixin, viewsets.ReadOnlyModelViewSet):
    concord_api = True
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.queryset.model._default_manager.visible_to(self.request.user, VIEW)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs
