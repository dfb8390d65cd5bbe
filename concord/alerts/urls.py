"""Early-warning pages. Page routes live in page_urls.py, the partner-file import in import_urls.py."""
from django.urls import include, path

app_name = "alerts"

urlpatterns = [
    path("", include("concord.alerts.page_urls")),
    path("import/", include("concord.alerts.import_urls")),
]
