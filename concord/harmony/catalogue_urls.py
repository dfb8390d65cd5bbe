"""Routes of the standards, tiers, vetoes, county reviews, surveys and measures (catalogue_views.py)."""
from django.urls import path

from . import catalogue_views as v

urlpatterns = [
    path("standards/", v.StandardList.as_view(), name="standard_list"),
    path("standards/<int:pk>/", v.StandardDetail.as_view(), name="standard_detail"),
    path("standards/<int:pk>/edit/", v.StandardEdit.as_view(), name="standard_edit"),
    path("standards/<int:pk>/indicators/add/", v.IndicatorAdd.as_view(), name="indicator_add"),
    path("standards/<int:pk>/vetoes/add/", v.VetoItemAdd.as_view(), name="vetoitem_add"),
    path("indicators/<int:pk>/edit/", v.IndicatorEdit.as_view(), name="indicator_edit"),
    path("veto-items/<int:pk>/edit/", v.VetoItemEdit.as_view(), name="vetoitem_edit"),
    path("tiers/", v.TierList.as_view(), name="tier_list"),
    path("tiers/<int:pk>/edit/", v.TierEdit.as_view(), name="tier_edit"),
    path("vetoes/", v.VetoEventList.as_view(), name="vetoevent_list"),
    path("vetoes/new/", v.VetoRecord.as_view(), name="vetoevent_add"),
    path("vetoes/<int:pk>/", v.VetoEventDetail.as_view(), name="vetoevent_detail"),
    path("reviews/", v.ReviewList.as_view(), name="countyreview_list"),
    path("reviews/<int:pk>/", v.ReviewDetail.as_view(), name="countyreview_detail"),
    path("reviews/<int:pk>/decide/", v.ReviewDecide.as_view(), name="countyreview_decide"),
    path("surveys/", v.SurveyList.as_view(), name="survey_list"),
    path("surveys/new/", v.SurveyOpen.as_view(), name="survey_add"),
    path("surveys/<int:pk>/", v.SurveyDetail.as_view(), name="survey_detail"),
    path("surveys/<int:pk>/answer/", v.SurveyAnswer.as_view(), name="survey_answer"),
    path("measures/", v.Measures.as_view(), name="measures"),
]
