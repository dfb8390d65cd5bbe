from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.AlertDetail.as_view(), name="alert_detail"),
]
