"""A read-only boolean saying whether a date of the record was counted on the provisional
calendar (core/workdays.py). Computed per read; the loaded years are read once per response."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concord.core.models import CalendarYear


@extend_schema_field(OpenApiTypes.BOOL)
class ProvisionalField(serializers.ReadOnlyField):
    """True when the date in ``source`` falls in a year whose official holiday schedule is not
    loaded: it was counted on the statutory holidays and weekends and moves when the schedule is
    loaded."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("True while the date's year has no loaded official holiday schedule: the date "
                                         "was counted on the statutory holidays and weekends and may still move."))
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value is None:
            return False
        loaded = self.context.get("_calendar_years") if isinstance(self.context, dict) else None
        if loaded is None:
            loaded = set(CalendarYear.objects.values_list("year", flat=True))
            if isinstance(self.context, dict):
                self.context["_calendar_years"] = loaded
        return value.year not in loaded
