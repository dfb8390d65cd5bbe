"""Harmonious-enterprise pages: standards, veto events, county reviews, surveys, measures."""
from concord.core import generic

from .models import Standard


class StandardDetail(generic.ObjectDetailView):
    model = Standard
    detail_fields = ("name", "version", "effective_from", "is_active", "source", "survey_min_responses",
                     "satisfaction_veto_below", "period_days")
