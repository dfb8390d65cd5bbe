"""URL patterns of the partner-file import (included by urls.py under /alerts/import/)."""
from django.urls import path

from . import import_views as v

urlpatterns = [
    path("", v.SignalImport.as_view(), name="signal_import"),
    path("template/", v.SignalTemplateDownload.as_view(), name="signal_import_template"),
    path("batches/<int:pk>/", v.SignalImportBatch.as_view(), name="signal_import_batch"),
]
