"""Stock Django admin for the benchmark's comparison (only loaded by concord.settings_bench, which
installs django.contrib.admin): plain ModelAdmins, a few columns, the region filter, name search.

Name search is a prefix (``^name``) and the ID number an exact match (``=id_number``), the same
meaning as the registry's own search, so the comparison is between two ways of answering the same
question; everything else is the admin's default behaviour (full result counts included)."""
from django.contrib import admin

from concord.registry.models import Enterprise, Worker


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region", "industry", "size_class", "head_count", "has_union")
    list_filter = ("region",)
    search_fields = ("name",)


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ("name", "id_number", "sex", "birth_date", "is_migrant", "hukou_city")
    list_filter = ("is_migrant", "employments__enterprise__region")
    search_fields = ("^name", "=id_number")
