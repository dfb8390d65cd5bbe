"""Early-warning pages."""
from django.views.generic import DetailView

from concord.core import generic

from .models import Alert


class AlertDetail(generic.ScopedViewMixin, DetailView):
    model = Alert
