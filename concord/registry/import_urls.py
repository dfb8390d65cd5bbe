"""URL patterns of the registry's import pages (included by urls.py under the registry namespace)."""
from django.urls import path

from . import import_views as v

urlpatterns = [
    path("import/enterprises/", v.EnterpriseImport.as_view(), name="import_enterprises"),
    path("import/workers/", v.WorkerImport.as_view(), name="import_workers"),
    path("import/template/", v.TemplateDownload.as_view(), name="import_template"),
    path("import/batches/", v.ImportBatchList.as_view(), name="import_batch_list"),
    path("import/batches/<int:pk>/", v.ImportBatchDetail.as_view(), name="import_batch_detail"),
]
