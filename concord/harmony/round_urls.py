from django.urls import path

from . import views

urlpatterns = [
    path("rounds/<int:pk>/", views.RoundDetail.as_view(), name="round_detail"),
    path("evaluations/<int:pk>/", views.EvaluationDetail.as_view(), name="evaluation_detail"),
    path("certifications/<int:pk>/", views.CertificationDetail.as_view(), name="certification_detail"),
]
