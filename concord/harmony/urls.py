"""Harmonious-enterprise pages: the round and its evaluations, publicity and certificates
(round_urls.py); standards, vetoes, county reviews, surveys and measures (catalogue_urls.py)."""
from django.urls import include, path

app_name = "harmony"

urlpatterns = [
    path("", include("concord.harmony.round_urls")),
    path("", include("concord.harmony.catalogue_urls")),
]
