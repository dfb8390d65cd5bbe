"""Disputes pages: thin views over ``services`` (writes) and ``selectors`` (reads)."""
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View, generic as django_generic

from concord.core import forms as core_forms
from concord.core import exports, generic
from concord.core.scope import ADD, CHANGE, VIEW, Role, can, user_roles
from concord.registry.models import Worker

from . import evidence as evidence_rules
from . import filters as f, forms, selectors, services, tables as t, workflow
from .models import Case, CaseDocument, DocumentKind, Evidence, Installment, Source


def is_worker_only(user) -> bool:
    return not user.is_superuser and user_roles(user) == {Role.WORKER}


def error_text(exc) -> list[str]:
    """Messages of a ValidationError (field-keyed or not) or a refusal, as the user reads them."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc)]


# Service field names → the form fields that carry them on the pages.
FORM_FIELD = {"claimants": "claimant_lines", "amount": "amount", "requested_on": "requested_on"}


def apply_errors(form, exc):
    """The platform's ``apply_errors`` with the case services' field names mapped to the forms'."""
    core_forms.apply_errors(form, exc, rename=FORM_FIELD)


# --- list and intake ------------------------------------------------------------------------------

class CaseList(generic.ObjectListView):
    model = Case
    table_class = t.CaseTable
    filterset_class = f.CaseFilter
    select_related = ("respondent", "region")

    def get_paginate_by(self, queryset):
        # The table pages itself and counts the cases once (the page shows the count); Django's
        # own list pagination would count them a second time.
        return None

    def get_template_names(self):
        if is_worker_only(self.request.user):
            return ["disputes/case_list_worker.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Only a user who may file (the scope says so) sees the button: the auditor's "add" led to a 404.
        if can(self.request.user, Case, ADD):
            ctx["can_add"] = reverse("disputes:case_online" if is_worker_only(self.request.user) else "disputes:case_add")
        if is_worker_only(self.request.user):
            ctx["cases"] = [(c, selectors.legal_helpers(c)) for c in self.object_list.order_by("-received_on", "-pk")[:50]]
        return ctx


class _FileCase(generic.ScopedViewMixin, django_generic.FormView):
    model = Case
    action = ADD

    def file(self, form, **fields):
        cleaned = form.cleaned_data
        upload = cleaned.get("evidence")
        if upload is not None:
            problem = evidence_rules.problem(upload.name, upload.size, upload.read(16))
            upload.seek(0)
            if problem:
                form.add_error("evidence", problem)
                return self.form_invalid(form)
        try:
            with transaction.atomic():
                case = services.case_file(
                    actor=self.request.user, respondent=cleaned["respondent"], category=cleaned["category"],
                    subcategory=cleaned["subcategory"], facts=cleaned["facts"], amount_claimed=cleaned.get("amount_claimed"),
                    knew_on=cleaned.get("knew_on"), employment_ended_on=cleaned.get("employment_ended_on"),
                    confirm_duplicate=cleaned.get("confirm_duplicate", False), **fields)
                if upload is not None:
                    services.evidence_add(case, actor=self.request.user, upload=upload)
        except services.DuplicateFiling as exc:
            apply_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form, duplicate=exc.existing))
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            return self.form_invalid(form)
        messages.success(self.request, _("Case %(number)s filed.") % {"number": case.number})
        return redirect(case.get_absolute_url())


class CaseAdd(_FileCase):
    form_class = forms.CaseIntakeForm
    template_name = "disputes/case_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_worker_only(request.user):
            raise Http404  # workers file through their own form (case_online); the list links there
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("enterprise", "").isdigit():
            initial["respondent"] = self.request.GET["enterprise"]
        if Role.COURT_LIAISON in user_roles(self.request.user):
            initial["source"] = Source.COURT_DELEGATED
        return initial

    def form_valid(self, form):
        c = form.cleaned_data
        return self.file(form, source=c["source"], claimants=c["claimants"], received_on=c["received_on"],
                         collective=c.get("collective") or None, court_referral_kind=c.get("court_referral_kind") or "",
                         court_case_number=c.get("court_case_number") or "", court_received_on=c.get("court_received_on"))


class CaseOnline(_FileCase):
    """A worker's complaint from their phone."""

    form_class = forms.CaseOnlineForm
    template_name = "disputes/case_online.html"

    def worker(self):
        return Worker.objects.filter(user=self.request.user).first()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_worker_only(request.user):
            raise Http404  # staff file through the intake form (case_add)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["worker"] = self.worker()
        return kwargs

    def form_valid(self, form):
        worker = self.worker()
        if worker is None:
            raise Http404
        me = services.ClaimantInput(worker.name, worker.id_number, worker.phone)
        return self.file(form, source=Source.ONLINE, claimants=[me])


# --- the case page --------------------------------------------------------------------------------

# Transition name → form class; the page shows a form for each transition the user may take.
ACTION_FORMS = {
    "accept": forms.AcceptForm, "reject": forms.ReasonForm, "consult": forms.ConsultForm, "mediate": forms.NoteForm,
    "assign": forms.AssignForm, "escalate": forms.ReasonForm, "extend": forms.ExtendForm, "agree": forms.AgreeForm,
    "fail": forms.ReasonForm, "withdraw": forms.ReasonForm, "request_confirmation": forms.ConfirmationRequestForm,
    "record_confirmation": forms.ConfirmationResultForm, "payment_order": forms.PaymentOrderForm,
    "close": forms.CloseForm, "refer": forms.ReferForm,
}


def run_action(name, case, actor, c):
    """Call the service of transition ``name`` with the cleaned form data ``c``."""
    note = c.get("note", "")
    calls = {
        "accept": lambda: services.case_accept(case, actor=actor, accepted_on=c["accepted_on"], note=note,
                                               session_at=c.get("session_at"), session_place=c.get("session_place", "")),
        "reject": lambda: services.case_reject(case, actor=actor, reason=note),
        "consult": lambda: services.case_consult(case, actor=actor, requested_on=c["requested_on"], note=note),
        "mediate": lambda: services.case_mediate(case, actor=actor, note=note),
        "assign": lambda: services.case_assign(case, actor=actor, mediator=c["mediator"]),
        "escalate": lambda: services.case_escalate(case, actor=actor, note=note),
        "extend": lambda: services.case_extend(case, actor=actor, days=c["days"], consent=c["consent"], note=note),
        "agree": lambda: services.case_agree(case, actor=actor, signed_on=c["signed_on"], effective_on=c["effective_on"],
                                             amount=c["amount"], terms=c["terms"], installments=c["schedule"], note=note,
                                             facts_found=c["facts_found"], responsibility=c["responsibility"],
                                             mediator_name=c["mediator_name"]),
        "fail": lambda: services.case_fail(case, actor=actor, reason=note),
        "withdraw": lambda: services.case_withdraw(case, actor=actor, reason=note),
        "request_confirmation": lambda: services.case_request_confirmation(case, actor=actor, requested_on=c["requested_on"]),
        "record_confirmation": lambda: services.case_record_confirmation(
            case, actor=actor, result=c["result"], ruling_number=c["ruling_number"], ruled_on=c["ruled_on"], note=note),
        "payment_order": lambda: services.case_payment_order(case, actor=actor, applied_on=c["applied_on"], note=note),
        "close": lambda: services.case_close(case, actor=actor, outcome=c["outcome"], note=note),
        "refer": lambda: services.case_refer(case, actor=actor, outcome=c["outcome"], note=note),
    }
    return calls[name]()


def action_form(name, case, user, data=None):
    cls = ACTION_FORMS[name]
    kwargs = {"prefix": name}
    if cls is forms.AssignForm:
        kwargs["choices"] = selectors.mediator_choices(case, user)
    return cls(data, **kwargs)


class CaseDetail(generic.ObjectDetailView):
    model = Case
    select_related = ("respondent__region", "region", "mediator", "filed_by")
    detail_fields = ("number", "source", "respondent", "region", "level", "status", "category", "subcategory",
                     "amount_claimed", "facts", "received_on", "accepted_on", "deadline", "mediator", "knew_on",
                     "employment_ended_on")
    court_fields = ("court_referral_kind", "court_case_number", "court_received_on", "court_extension_days",
                    "court_result_reported_on")
    outcome_fields = ("outcome", "resolved_level", "resolved_on", "closed_on", "amount_recovered", "limitation_date",
                      "confirmation_requested_on", "confirmation_result", "confirmation_ruling_number",
                      "confirmation_ruled_on", "payment_order_applied_on", "rejection_reason")

    def get_template_names(self):
        if is_worker_only(self.request.user):
            return ["disputes/case_detail_worker.html"]
        return ["disputes/case_detail.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        ctx["edit_url"] = ctx["delete_url"] = ""
        ctx["helpers"] = selectors.legal_helpers(case)
        ctx["claimants"] = selectors.claimants_of(case)
        ctx["what_to_bring"] = selectors.rules.what_to_bring(case.subcategory)
        ctx["court_facts"] = [generic.field_display(case, n, user) for n in self.court_fields] if case.is_court_referral else []
        ctx["outcome_facts"] = [generic.field_display(case, n, user) for n in self.outcome_fields
                                if getattr(case, n) not in (None, "", 0) or n == "amount_recovered" and case.amount_recovered]
        available = case.workflow.available(case, user) if selectors.may_change(user, case) else []
        failed = kwargs.get("failed")
        ctx["actions"] = [(tr, failed[1] if failed and failed[0] == tr.name else action_form(tr.name, case, user)) for tr in available]
        handles = selectors.may_change(user, case) and workflow.handles(user, case) and not is_worker_only(user)
        ctx["can_record"] = handles and case.status in workflow.RUNNING
        ctx["session_form"] = kwargs.get("session_form") or forms.SessionForm(prefix="session")
        ctx["sessions"] = list(case.sessions.all())
        agreement = getattr(case, "agreement", None)
        ctx["agreement"] = agreement
        ctx["installments"] = list(agreement.installments.all()) if agreement else []
        ctx["can_pay"] = handles and agreement is not None
        ctx["payment_form"] = forms.PaymentForm(prefix="pay")
        ctx["evidence"] = list(case.evidence.all())
        ctx["evidence_form"] = forms.EvidenceForm()
        ctx["can_upload"] = services._may_add_evidence(user, case) if can(user, Evidence, VIEW) else False
        issued = {d.kind: d for d in case.documents.all()}
        ctx["documents"] = [
            {"kind": kind, "label": label, "issued": issued.get(kind), "problem": services.document_ready(case, kind)}
            for kind, label in DocumentKind.choices
        ]
        # Only the body handling the case at its level issues (services.document_issuer_refusal).
        refusal = services.document_issuer_refusal(user, case)
        ctx["can_issue"] = refusal is None
        for d in ctx["documents"]:
            d["problem"] = d["problem"] or refusal
        if is_worker_only(user):
            # The claimant follows their case: its own events (the event scope is by region).
            ctx["timeline"] = selectors.case_events(case)
        return ctx


class CasePostView(generic.ScopedViewMixin, View):
    """A form target on the case page. GET (e.g. reloading after a refused POST) shows the case."""

    model = Case
    action = CHANGE

    def get(self, request, pk):
        case = self.case_of(pk)
        return CaseDetail.as_view()(request, pk=case.pk)

    def case_of(self, pk):
        case = self.get_queryset().filter(pk=pk).first()
        if case is None:
            raise Http404
        return case


class CaseAct(CasePostView):
    """POST a transition: ``name`` plus that transition's form fields (prefixed with the name)."""

    def post(self, request, pk):
        case = self.get_queryset().filter(pk=pk).first()
        if case is None:
            raise Http404
        name = request.POST.get("name", "")
        if name not in ACTION_FORMS:
            messages.error(request, _("Unknown action."))
            return redirect(case.get_absolute_url())
        form = action_form(name, case, request.user, request.POST)
        if form.is_valid():
            try:
                run_action(name, case, request.user, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, _("Done: %(action)s.") % {"action": case.workflow[name].label})
                return redirect(case.get_absolute_url())
        view = CaseDetail(request=request, kwargs={"pk": pk}, object=case)
        view.object = case
        ctx = view.get_context_data(object=case, failed=(name, form))
        ctx["open_action"] = name
        return render(request, view.get_template_names(), ctx, status=400)


class CaseSessionAdd(CasePostView):

    def post(self, request, pk):
        case = self.get_queryset().filter(pk=pk).first()
        if case is None:
            raise Http404
        form = forms.SessionForm(request.POST, prefix="session")
        if form.is_valid():
            try:
                services.session_add(case, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Session recorded."))
                return redirect(case.get_absolute_url() + "#sessions")
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        for msg in [m for errs in form.errors.values() for m in errs]:
            messages.error(request, msg)
        return redirect(case.get_absolute_url() + "#sessions")


class CaseEvidenceAdd(CasePostView):
    action = VIEW  # a claimant adds evidence to their own case; the service checks who may

    def post(self, request, pk):
        case = self.get_queryset().filter(pk=pk).first()
        if case is None:
            raise Http404
        form = forms.EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.evidence_add(case, actor=request.user, upload=form.cleaned_data["file"],
                                      description=form.cleaned_data["description"])
                messages.success(request, _("Evidence added."))
                return redirect(case.get_absolute_url() + "#evidence")
            except (ValidationError, PermissionDenied) as exc:
                for msg in error_text(exc):
                    messages.error(request, msg)
                return redirect(case.get_absolute_url() + "#evidence")
        for msg in [m for errs in form.errors.values() for m in errs]:
            messages.error(request, msg)
        return redirect(case.get_absolute_url() + "#evidence")


class EvidenceDownload(generic.ScopedViewMixin, View):
    model = Evidence

    def get(self, request, pk):
        item = self.get_queryset().filter(pk=pk).first()
        if item is None:
            raise Http404
        return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.file_name, content_type=item.content_type)


class CaseDocumentView(generic.ScopedViewMixin, View):
    """GET ``?kind=…&format=docx|pdf`` downloads a document already issued; POST ``kind`` issues one
    (numbers it). Numbering is a change of record, so a link, a prefetch or another site's image
    tag must never cause it: only the handling body's form post does."""

    model = Case

    def case_of(self, pk):
        case = self.get_queryset().filter(pk=pk).first()
        if case is None:
            raise Http404
        return case

    def get(self, request, pk):
        from . import documents

        case = self.case_of(pk)
        kind, fmt = request.GET.get("kind", ""), request.GET.get("format", "pdf")
        if kind and kind not in DocumentKind.values or fmt not in ("docx", "pdf"):
            raise Http404
        if not kind:  # no document named: the case page, whose documents section lists them
            return CaseDetail.as_view()(request, pk=case.pk)
        record = CaseDocument.objects.filter(case=case, kind=kind).first()
        if record is None:
            if is_worker_only(request.user):
                raise Http404
            messages.info(request, _("This document has not been issued yet."))
            return redirect(case.get_absolute_url() + "#documents")
        content, content_type, filename = documents.render(record, fmt, actor=request.user)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response

    def post(self, request, pk):
        case = self.case_of(pk)
        try:
            record = services.document_issue(case, actor=request.user, kind=request.POST.get("kind", ""))
        except (ValidationError, PermissionDenied) as exc:
            for msg in error_text(exc):
                messages.error(request, msg)
        else:
            messages.success(request, _("Issued: %(document)s %(number)s") % {
                "document": record.get_kind_display(), "number": record.number})
        return redirect(case.get_absolute_url() + "#documents")


class InstallmentPay(CasePostView):
    model = Installment

    def case_of(self, pk):
        item = self.get_queryset().select_related("agreement__case").filter(pk=pk).first()
        if item is None:
            raise Http404
        return item.agreement.case

    def post(self, request, pk):
        item = self.get_queryset().select_related("agreement__case").filter(pk=pk).first()
        if item is None:
            raise Http404
        form = forms.PaymentForm(request.POST, prefix="pay")
        case = item.agreement.case
        if form.is_valid():
            try:
                services.installment_pay(item, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Payment recorded."))
                return redirect(case.get_absolute_url() + "#agreement")
            except (ValidationError, PermissionDenied) as exc:
                for msg in error_text(exc):
                    messages.error(request, msg)
                return redirect(case.get_absolute_url() + "#agreement")
        for msg in [m for errs in form.errors.values() for m in errs]:
            messages.error(request, msg)
        return redirect(case.get_absolute_url() + "#agreement")


# --- measures -----------------------------------------------------------------------------------

class Measures(generic.ScopedViewMixin, django_generic.TemplateView):
    model = Case
    template_name = "disputes/measures.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_worker_only(request.user):
            raise Http404  # a worker follows their own cases; measures are for the handling bodies
        return super().dispatch(request, *args, **kwargs)

    def year(self):
        value = self.request.GET.get("year", "")
        today = timezone.localdate()
        return int(value) if value.isdigit() and 2008 <= int(value) <= today.year else today.year

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS:
            m = selectors.measures(request.user, self.year())
            return exports.export_rows(measure_rows(m), fmt, _("Dispute measures %(year)s") % {"year": m.year})
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        m = selectors.measures(self.request.user, self.year())
        ctx.update(m=m, years=selectors.measure_years(self.request.user),
                   chart=[[str(month), individual, collective] for month, individual, collective in m.by_month])
        return ctx


def measure_rows(m):
    """The measures as rows (header first), for the export."""
    pct = lambda v: "" if v is None else round(v * 100, 1)  # noqa: E731
    yield [_("Measure"), _("Value")]
    yield [_("Year"), m.year]
    yield [_("Cases received"), m.total]
    yield [_("Collective cases"), m.collective]
    yield [_("Open cases"), m.open]
    yield [_("Overdue cases"), m.overdue]
    yield [_("Resolved by agreement"), m.resolved]
    yield [_("Resolved at enterprise level (%)"), pct(m.enterprise_share)]
    yield [_("Resolved at or below town level (%)"), pct(m.town_or_below_share)]
    yield [_("Average days to resolve"), m.average_days if m.average_days is not None else ""]
    yield [_("Amount claimed (yuan)"), float(m.amount_claimed)]
    yield [_("Amount recovered (yuan)"), float(m.amount_recovered)]
    for month, individual, collective in m.by_month:
        yield [_("Month %(month)s: individual / collective") % {"month": month}, f"{individual} / {collective}"]
