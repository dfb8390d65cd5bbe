"""Tripartite meetings and legal settings pages (owned by meeting_views.py)."""
from django.urls import path

from concord.core import generic

from . import meeting_views as v
from .models import LegalSetting, TripartiteMeeting

urlpatterns = [
    path("meetings/<int:pk>/actions/", v.FollowUpActionAdd.as_view(), name="followupaction_add"),
    path("actions/<int:pk>/done/", v.FollowUpActionDone.as_view(), name="followupaction_done"),
] + generic.model_urls(
    TripartiteMeeting, list=v.MeetingList, detail=v.MeetingDetail, add=v.MeetingAdd, edit=v.MeetingEdit, prefix="meetings/",
) + generic.model_urls(
    LegalSetting, list=v.LegalSettingList, detail=v.LegalSettingDetail, add=v.LegalSettingAdd, edit=v.LegalSettingEdit,
    prefix="legal-settings/",
)
