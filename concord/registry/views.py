from concord.core import generic

from . import filters as f, tables as t
from .forms import EmploymentForm, EnterpriseForm, WorkerForm
from .models import Employment, Enterprise, Worker


class EnterpriseList(generic.ObjectListView):
    table_class = t.EnterpriseTable
    filterset_class = f.EnterpriseFilter
    select_related = ("region",)


class EnterpriseDetail(generic.ObjectDetailView):
    detail_fields = ("credit_code", "name", "region", "address", "has_union", "created_at", "updated_at")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["employments"] = (
            Employment.objects.visible_to(self.request.user)
            .filter(enterprise=self.object, end_date__isnull=True)
            .select_related("worker")[:50]
        )
        return ctx


class EnterpriseAdd(generic.ObjectCreateView):
    form_class = EnterpriseForm


class EnterpriseEdit(generic.ObjectEditView):
    form_class = EnterpriseForm


class WorkerList(generic.ObjectListView):
    table_class = t.WorkerTable
    filterset_class = f.WorkerFilter


class WorkerDetail(generic.ObjectDetailView):
    detail_fields = ("name", "id_number", "phone", "sex", "birth_date", "is_migrant")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["employments"] = (
            Employment.objects.visible_to(self.request.user).filter(worker=self.object).select_related("enterprise")
        )
        return ctx


class WorkerAdd(generic.ObjectCreateView):
    form_class = WorkerForm


class WorkerEdit(generic.ObjectEditView):
    form_class = WorkerForm


class EmploymentList(generic.ObjectListView):
    table_class = t.EmploymentTable
    filterset_class = f.EmploymentFilter
    select_related = ("worker", "enterprise")


class EmploymentDetail(generic.ObjectDetailView):
    detail_fields = ("worker", "enterprise", "position", "start_date", "end_date")


class EmploymentAdd(generic.ObjectCreateView):
    form_class = EmploymentForm

    def get_initial(self):
        return {"worker": self.request.GET.get("worker"), "enterprise": self.request.GET.get("enterprise")}


class EmploymentEdit(generic.ObjectEditView):
    form_class = EmploymentForm


class EmploymentDelete(generic.ObjectDeleteView):
    pass
