from django.urls import path

from concord.core import generic

from . import import_urls, views as v
from .models import Employment, Enterprise, Worker

app_name = "registry"
urlpatterns = [
    # Before the generic routes: "suggest" is not an enterprise's pk.
    path("enterprises/suggest/", v.EnterpriseSuggest.as_view(), name="enterprise_suggest"),
] + (
    generic.model_urls(
        Enterprise, list=v.EnterpriseList, detail=v.EnterpriseDetail, add=v.EnterpriseAdd, edit=v.EnterpriseEdit,
        reveal=generic.RevealView,
    )
    + generic.model_urls(
        Worker, list=v.WorkerList, detail=v.WorkerDetail, add=v.WorkerAdd, edit=v.WorkerEdit, reveal=generic.RevealView
    )
    + generic.model_urls(
        Employment, list=v.EmploymentList, detail=v.EmploymentDetail, add=v.EmploymentAdd, edit=v.EmploymentEdit,
        delete=v.EmploymentDelete,
    )
) + [path("workers/<int:pk>/erase/", v.WorkerErase.as_view(), name="worker_erase")] + import_urls.urlpatterns
