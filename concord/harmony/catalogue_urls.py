from django.urls import path

from . import catalogue_views as views

urlpatterns = [
    path("standards/<int:pk>/", views.StandardDetail.as_view(), name="standard_detail"),
]
