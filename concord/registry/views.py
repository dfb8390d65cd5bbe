"""Registry pages: lists with filters and exports, the enterprise 360 and worker 360 pages, forms.

Thin views on the generic ones (core/generic.py); reads come from ``selectors``, sections of later
pillars from ``panels``."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views import generic as django_generic

from concord.core import generic
from concord.core.scope import CHANGE, ENTERPRISE_ROLES, REGION_ROLES, assignments_of

from . import filters as f, panels, selectors, services, tables as t
from .forms import EmploymentForm, EnterpriseForm, WorkerCreateForm, WorkerForm
from .models import Enterprise, Worker


class NoCountListView(generic.ObjectListView):
    """A list paged without counting its rows (tables.NoCountPaginator)."""

    def get_paginate_by(self, queryset):
        # The table pages itself; Django's own list pagination would COUNT(*) the whole set.
        return None

    def get_table_pagination(self, table):
        return {"per_page": self.paginate_by, "paginator_class": t.NoCountPaginator}


# --- enterprises ---------------------------------------------------------------------------------

class EnterpriseList(NoCountListView):
    table_class = t.EnterpriseTable
    filterset_class = f.EnterpriseFilter
    select_related = ("region",)


class EnterpriseSuggest(generic.ScopedViewMixin, View):
    """The type-ahead of enterprise fields: ``?q=`` part of a name (or the start of a credit code);
    answers the matching enterprises of the user's scope as JSON ``[{value, label}]``, ``value``
    being what the field takes ("name（credit code）")."""

    model = Enterprise

    def get(self, request):
        rows = selectors.enterprise_suggestions(request.user, request.GET.get("q", "")[:64])
        return JsonResponse({"results": [{"value": selectors.enterprise_label(e), "label": e.region.name} for e in rows]})


def _facts(obj, user, names):
    return [generic.field_display(obj, name, user) for name in names]


def _derived(name, label, value):
    return {"name": name, "label": label, "value": value if value not in (None, "") else "—", "reveal_url": "", "link": ""}


class EnterpriseDetail(generic.ObjectDetailView):
    """The enterprise 360: facts in groups, workforce figures and charts, the newest current workers
    and the sections later pillars register in ``panels``."""

    # An overview: the whole workforce is one click away on the paged employment list (the page
    # rendered 50 rows before the pillars' sections arrived; at 20 it stays within the admin's cost).
    current_workers = 20

    select_related = ("region",)
    detail_fields = ("credit_code", "name", "region", "address", "industry", "ownership", "size_class")
    contact_fields = ("legal_representative", "contact_name", "contact_phone")
    organisation_fields = ("has_union", "has_mediation_committee", "has_workers_congress", "is_key_enterprise")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, ent = self.request.user, self.object
        workforce = selectors.enterprise_workforce(ent, user)
        ctx.update(
            contact_facts=_facts(ent, user, self.contact_fields),
            organisation_facts=_facts(ent, user, self.organisation_fields),
            workforce=workforce,
            chart_data={
                "generations": [[label, n] for _code, label, n in workforce.generations],
                "origins": [[name or str(_("unknown")), n] for _code, name, n in workforce.origins],
            },
            employments=selectors.enterprise_current_workforce(ent, user, limit=self.current_workers),
            panels=panels.sections_for(panels.ENTERPRISE, ent, self.request),
        )
        return ctx


class KeyFlagsMixin:
    """The scored facts (services.KEY_FLAGS) are the town's or the county's to set: shown but
    disabled for anyone else (a disabled field keeps its value whatever is posted), and a change
    is an event on the enterprise's timeline."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        instance = form.instance
        region = instance.region if instance.pk else None
        if not services.may_set_key_flags(self.request.user, region):
            for name in services.KEY_FLAGS:
                form.fields[name].disabled = True
                form.fields[name].help_text = _("Set by the town or the county.")
        return form

    def save_form(self, form):
        before = services.key_flags_of(form.instance if form.instance.pk else None)
        enterprise = form.save()
        services.record_key_flag_changes(enterprise, before, actor=self.request.user)
        return enterprise


class EnterpriseAdd(KeyFlagsMixin, generic.ObjectCreateView):
    form_class = EnterpriseForm


class EnterpriseEdit(KeyFlagsMixin, generic.ObjectEditView):
    form_class = EnterpriseForm


# --- workers -------------------------------------------------------------------------------------

class WorkerList(NoCountListView):
    table_class = t.WorkerTable
    filterset_class = f.WorkerFilter

    def get_queryset(self):
        # Ordered by the indexed name (then pk, unique), so a page is an index walk that stops early.
        return selectors.with_current_enterprise(super().get_queryset(), self.request.user).order_by("name", "pk")


class WorkerDetail(generic.ObjectDetailView):
    """The worker 360: facts (ID number and phone masked, with the logged reveal), values derived
    from the ID number, all employments the user may see, and the pillars' sections."""

    detail_fields = ("name", "id_number", "phone", "sex", "birth_date")
    origin_fields = ("hukou_province", "hukou_city", "is_migrant", "education")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, worker = self.request.user, self.object
        ctx["fields"].append(_derived("generation", _("generation"), worker.get_generation_display()))
        employments = selectors.worker_employments(worker, user)
        ctx.update(
            origin_facts=_facts(worker, user, self.origin_fields),
            employments=employments,
            # An employer's page is linked only where the user may open it: a worker sees their own
            # page and the employer's name, but not the enterprise's page (a dead end that answered 404).
            linked_enterprises=set(Enterprise.objects.visible_to(user).filter(
                pk__in={e.enterprise_id for e in employments}).values_list("pk", flat=True)),
            panels=panels.sections_for(panels.WORKER, worker, self.request),
            erase_url=services.may_erase(user) and reverse("registry:worker_erase", args=[worker.pk]),
        )
        if worker.erased_at:
            ctx["edit_url"] = ""
        return ctx


class _RequestInForm:
    """Hands the request to the worker form, whose ID-number check depends on who asks."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.request = self.request
        return form


class WorkerAdd(_RequestInForm, generic.ObjectCreateView):
    """A new worker with their current employment (WorkerCreateForm says why)."""

    form_class = WorkerCreateForm

    def get_initial(self):
        return _employment_initial(self.request, worker=False)


class WorkerEdit(_RequestInForm, generic.ObjectEditView):
    form_class = WorkerForm

    def get_queryset(self):
        # An erased row is never filled with a person again.
        return super().get_queryset().filter(erased_at__isnull=True)


# --- employments ---------------------------------------------------------------------------------

class EmploymentList(NoCountListView):
    table_class = t.EmploymentTable
    filterset_class = f.EmploymentFilter
    select_related = ("worker", "enterprise")

    def get_queryset(self):
        # Newest first by the primary key: start_date has no index, and sorting 1.4 million rows
        # to show 25 would cost more than the page.
        return super().get_queryset().order_by("-pk")


class EmploymentDetail(generic.ObjectDetailView):
    select_related = ("worker", "enterprise")
    detail_fields = ("worker", "enterprise", "position", "start_date", "end_date", "contract_signed", "contract_type",
                     "contract_start", "contract_end", "insured", "monthly_wage")


class EmploymentAdd(generic.ObjectCreateView):
    form_class = EmploymentForm

    def get_initial(self):
        return _employment_initial(self.request)


def _employment_initial(request, worker=True):
    """``?worker=<id>`` and ``?enterprise=<id>`` from the 360 pages, looked up within scope; a
    union officer's own enterprise when they hold no other scope."""
    user, params, initial = request.user, request.GET, {}
    worker_id = params.get("worker", "")
    if worker and worker_id.isdigit():
        initial["worker"] = Worker.objects.visible_to(user).filter(pk=worker_id).values_list("pk", flat=True).first()
    enterprise = params.get("enterprise", "")
    if enterprise.isdigit():
        initial["enterprise"] = Enterprise.objects.visible_to(user).filter(pk=enterprise).first()
    else:
        roles = {a.role for a in assignments_of(user)}
        if roles and roles <= ENTERPRISE_ROLES and not roles & REGION_ROLES:
            own = {a.enterprise_id for a in assignments_of(user) if a.enterprise_id}
            if len(own) == 1:
                initial["enterprise"] = Enterprise.objects.visible_to(user).filter(pk__in=own).first()
    return {k: v for k, v in initial.items() if v is not None}


class EmploymentEdit(generic.ObjectEditView):
    form_class = EmploymentForm


class EmploymentDelete(generic.ObjectDeleteView):
    pass



class WorkerErase(generic.ScopedViewMixin, django_generic.DetailView):
    """The county administrator's erasure of a worker's personal data (services.worker_erase says
    what goes and what stays). Others who may change the worker see why they cannot."""

    model = Worker
    action = CHANGE
    template_name = "registry/worker_erase.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_erase"] = services.may_erase(self.request.user) and not self.object.erased_at
        ctx["errors"] = kwargs.get("errors", {})
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = worker = self.get_object()
        if not services.may_erase(request.user):
            raise PermissionDenied
        try:
            services.worker_erase(worker, actor=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(errors=exc.message_dict), status=400)
        messages.success(request, _("The worker's personal data was erased."))
        return redirect(worker.get_absolute_url())
