"""URLs of the benchmark settings: the application's own, plus the stock admin under /bench-admin/."""
from django.contrib import admin
from django.urls import path

from concord.urls import urlpatterns as concord_urlpatterns

ADMIN_PREFIX = "bench-admin/"

urlpatterns = [path(ADMIN_PREFIX, admin.site.urls), *concord_urlpatterns]
