"""Harmonious-enterprise pages: the round, evaluations and their workflow, publicity, certificates.

Thin views over ``services`` (writes) and ``selectors`` (reads). Each workflow step is a POST route
whose errors go on its form next to the field (a score's field is ``score-<indicator id>``), nothing
changed; a GET on a POST route shows the evaluation (or round) page. The publicity page is public
(no login) and shows only what a publicity notice shows.
"""
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views import generic as django_generic
from django_tables2 import RequestConfig

from concord.core.forms import apply_errors
from concord.core import exports, generic
from concord.core.scope import ADD, CHANGE, VIEW
from concord.disputes.forms import EvidenceForm

from . import filters as f, forms, selectors, services, tables as t
from .models import Certification, CertificationStatus, Evaluation, EvaluationEvidence, Objection, Round


class TablePagination:
    """The table paginates (django-tables2); the list view's own pagination would count twice."""

    def get_paginate_by(self, queryset):
        return None


EVALUATION_RELATED = ("round__standard", "enterprise", "region", "tier", "enterprise_class")


# --- rounds ---------------------------------------------------------------------------------------

class RoundList(TablePagination, generic.ObjectListView):
    model = Round
    table_class = t.RoundTable
    filterset_class = f.RoundFilter
    select_related = ("standard",)
    export_name = gettext_lazy("Creation rounds")

    def get_queryset(self):
        from django.db.models import Count

        return super().get_queryset().annotate(applications=Count("evaluations"))


class RoundAdd(generic.ObjectCreateView):
    model = Round
    form_class = forms.RoundForm


class RoundEdit(generic.ObjectEditView):
    model = Round
    form_class = forms.RoundForm


class RoundDetail(generic.ObjectDetailView):
    """The round: deadlines, progress by status, and its applications with filters and export."""

    model = Round
    template_name = "harmony/round_detail.html"
    select_related = ("standard",)
    detail_fields = ("year", "name", "standard", "opens_on", "self_assessment_due", "review_due", "approval_due", "is_open")

    def get_template_names(self):
        return [self.template_name]

    def evaluations(self, round_):
        qs = selectors.evaluations(self.request.user).filter(round=round_).select_related(*EVALUATION_RELATED)
        filterset = f.RoundEvaluationFilter(self.request.GET or None, queryset=qs, request=self.request)
        return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else qs)

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS:
            round_ = self.get_object()
            _filterset, qs = self.evaluations(round_)
            table = t.EvaluationTable(qs, request=request)
            return exports.export_rows(table.as_values(), fmt, f"{round_.year}-" + _("applications"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round_, user, today = self.object, self.request.user, timezone.localdate()
        ctx["delete_url"] = ""
        ctx["progress"] = selectors.round_progress(round_, user)
        ctx["deadlines"] = selectors.deadlines(round_, today)
        filterset, qs = self.evaluations(round_)
        table = t.EvaluationTable(qs.order_by("region__path", "enterprise__name"), request=self.request)
        table.exclude = ("round",)
        RequestConfig(self.request, paginate={"per_page": 25}).configure(table)
        ctx["filter"], ctx["table"] = filterset, table
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("enterprise", None)
        ctx["export_query"] = query.urlencode()
        if selectors.may_apply(user, round_, today):
            initial = {}
            if self.request.GET.get("enterprise", "").isdigit():
                initial["enterprise"] = self.request.GET["enterprise"]
            ctx["apply_form"] = kwargs.get("apply_form") or forms.ApplyForm(user=user, initial=initial)
            ctx["open_apply"] = bool(kwargs.get("apply_form") or initial)
        return ctx


class RoundApply(generic.ScopedViewMixin, View):
    """POST: open an enterprise's application in the round (choose the tier). GET: the round page."""

    model = Round
    action = VIEW  # every applying role reads the round; the service checks the enterprise's scope

    def round_of(self, pk):
        round_ = self.get_queryset().filter(pk=pk).first()
        if round_ is None:
            raise Http404
        return round_

    def get(self, request, pk):
        return RoundDetail.as_view()(request, pk=self.round_of(pk).pk)

    def post(self, request, pk):
        round_ = self.round_of(pk)
        form = forms.ApplyForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                evaluation = services.evaluation_start(actor=request.user, round=round_, enterprise=form.cleaned_data["enterprise"],
                                                       tier=form.cleaned_data["tier"])
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Application opened: fill in the self-assessment."))
                return redirect(evaluation.get_absolute_url())
        view = RoundDetail(request=request, kwargs={"pk": round_.pk})
        view.object = round_
        ctx = view.get_context_data(object=round_, apply_form=form)
        if "apply_form" not in ctx:  # the round no longer takes applications
            for msgs in form.errors.values():
                for msg in msgs:
                    messages.error(request, msg)
        return render(request, view.get_template_names(), ctx, status=400)


# --- evaluations ----------------------------------------------------------------------------------

class EvaluationList(TablePagination, generic.ObjectListView):
    model = Evaluation
    table_class = t.EvaluationTable
    filterset_class = f.EvaluationFilter
    select_related = EVALUATION_RELATED
    export_name = gettext_lazy("Applications")

    def get_queryset(self):
        return super().get_queryset().order_by("-round__year", "region__path", "enterprise__name")


class EvaluationApply(generic.ScopedViewMixin, django_generic.FormView):
    """Open an application from the enterprise (``?enterprise=<id>``): the round, the enterprise and
    the tier. Enterprise union officers apply here (the round page is for the staff who read rounds)."""

    model = Evaluation
    action = ADD
    form_class = forms.ApplyForm
    template_name = "harmony/evaluation_apply.html"

    def open_rounds(self):
        return Round.objects.filter(is_open=True, self_assessment_due__gte=timezone.localdate()).order_by("-year")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, rounds=self.open_rounds())
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = self.request.GET["enterprise"]
        return initial

    def form_valid(self, form):
        c = form.cleaned_data
        try:
            evaluation = services.evaluation_start(actor=self.request.user, round=c["round"], enterprise=c["enterprise"],
                                                   tier=c["tier"])
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("Application opened: fill in the self-assessment."))
        return redirect(evaluation.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tiers"] = selectors.tiers()
        return ctx


# Form name → (form class, transition it stands for, label).
SIDE_FORMS = {
    "return": (forms.NoteForm, "return", gettext_lazy("Return for correction")),
    "approve": (forms.ConfirmForm, "approve", gettext_lazy("Approve and publish")),
    "reject": (forms.NoteForm, "reject", gettext_lazy("Do not approve")),
    "certify": (forms.ConfirmForm, "certify", gettext_lazy("Certify")),
}


def side_form(name, data=None):
    return SIDE_FORMS[name][0](data, prefix=name)


def attach(form, scores):
    """Give each score row of the page its inputs of ``form`` (points and evidence or reason)."""
    for s in scores:
        name = f"score-{s.indicator_id}"
        if name in form.fields:
            s.points_field, s.text_field = form[name], form[f"{form.text_prefix}-{s.indicator_id}"]


class EvaluationDetail(generic.ObjectDetailView):
    """The application: facts, scores by indicator group with totals, objections, the timeline, and
    the forms the workflow allows this user now."""

    model = Evaluation
    template_name = "harmony/evaluation_detail.html"
    select_related = ("round__standard", "enterprise", "region", "tier__prerequisite", "enterprise_class")
    detail_fields = ("round", "enterprise", "region", "enterprise_class", "head_count", "tier", "status", "self_score",
                     "review_score", "submitted_on", "onsite_check_on", "reviewed_on", "approved_on", "publicity_from",
                     "publicity_until", "decision_note")

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ev, user, today = self.object, self.request.user, timezone.localdate()
        failed = kwargs.get("failed") or (None, None)
        ctx["edit_url"] = ctx["delete_url"] = ""
        # Enterprise union officers do not read the county's rounds: no link to a page they cannot open.
        ctx["round_visible"] = Round.objects.visible_to(user).filter(pk=ev.round_id).exists()
        if not ctx["round_visible"]:
            for row in ctx["fields"]:
                if row["name"] == "round":
                    row["link"] = ""
        groups, totals = selectors.score_groups(ev)
        ctx["groups"], ctx["totals"] = groups, totals
        scores = [s for g in groups for s in g.rows]
        changeable = selectors.may_change(user, ev)
        available = {tr.name for tr in ev.workflow.available(ev, user)} if changeable else set()
        ctx["available"] = available
        ctx["evidence_open"] = changeable and ev.status in services.EVIDENCE_OPEN
        attach_evidence(ev, user, scores, ctx["evidence_open"], failed, within_assessment="submit" in available)
        if "submit" in available:
            # After a refused upload, the self-assessment as it was typed (``carry``), not as saved.
            ctx["assess_form"] = (failed[1] if failed[0] == "assess"
                                  else kwargs.get("carry") or forms.SelfAssessForm(scores=scores))
            attach(ctx["assess_form"], scores)
        elif "review" in available:
            ctx["review_form"] = failed[1] if failed[0] == "review" else forms.ReviewForm(scores=scores)
            attach(ctx["review_form"], scores)
        ctx["side_forms"] = [
            {"name": name, "label": label, "url": reverse(f"harmony:evaluation_{name}", args=[ev.pk]),
             "form": failed[1] if failed[0] == name else side_form(name)}
            for name, (_cls, transition, label) in SIDE_FORMS.items() if transition in available
        ]
        ctx["open_form"] = failed[0] or ""
        if "approve" in available:
            ctx["approval_problem"] = selectors.approval_problem(ev, today)
        objections = selectors.objections(ev, user)
        may_answer = ev.status == "publicity" and Objection.objects.visible_to(user, CHANGE).filter(evaluation=ev).exists()
        for o in objections:
            if may_answer and not o.answered_on:
                o.form = failed[1] if failed[0] == f"answer-{o.pk}" else forms.AnswerForm(prefix=f"answer-{o.pk}")
        ctx["objections"] = objections
        ctx["certification"] = Certification.objects.visible_to(user).filter(evaluation=ev).first()
        ctx["publicity_open"] = selectors.objection_open(ev, today)
        return ctx


ASSESS_FORM = "assess-form"


def evidence_form(indicator_id, data=None, files=None, within_assessment=False):
    """The upload form of one manual indicator (the dispute evidence form: file and description).
    Its inputs sit in the indicator's row. While the self-assessment form is on the page they belong
    to it, named per indicator, and the row's "attach" button posts the whole form to the upload
    view, so that the scores and texts typed but not saved yet are saved with the file instead of
    lost (issue 14). Otherwise (forms do not nest) they belong, through their ``form`` attribute, to
    a small form of their own outside."""
    if within_assessment:
        return EvidenceForm(data, files, prefix=f"upload{indicator_id}", auto_id="id_%s")
    form = EvidenceForm(data, files, auto_id=f"id_evidence{indicator_id}_%s")
    for field in form.fields.values():
        field.widget.attrs["form"] = f"evidence-add-{indicator_id}"
    return form


def attach_evidence(ev, user, scores, open_, failed, within_assessment=False):
    """Give each manual indicator's row its evidence files (one query) and, while the applicant may
    change them, its upload form (the refused one, with its errors, after a failed upload)."""
    files = {}
    for item in EvaluationEvidence.objects.visible_to(user).filter(evaluation=ev).select_related("uploaded_by"):
        files.setdefault(item.indicator_id, []).append(item)
    for s in scores:
        if s.indicator.is_computed:
            continue
        s.evidence_files = files.get(s.indicator_id, [])
        if open_:
            s.evidence_form = (failed[1] if failed[0] == f"evidence-{s.indicator_id}"
                               else evidence_form(s.indicator_id, within_assessment=within_assessment))


def evaluation_page(request, ev, failed=(None, None), status=400, carry=None):
    view = EvaluationDetail(request=request, kwargs={"pk": ev.pk})
    view.object = ev
    ctx = view.get_context_data(object=ev, failed=failed, carry=carry)
    return ctx, lambda: render(request, view.get_template_names(), ctx, status=status)


class EvaluationPostView(generic.ScopedViewMixin, View):
    """A form target on the evaluation page. GET (e.g. reloading after a refused POST) shows the page."""

    model = Evaluation
    action = CHANGE
    form_name = ""
    done = ""

    def evaluation_of(self, pk):
        ev = self.get_queryset().select_related(*EvaluationDetail.select_related).filter(pk=pk).first()
        if ev is None:
            raise Http404
        return ev

    def get(self, request, pk):
        return EvaluationDetail.as_view()(request, pk=self.evaluation_of(pk).pk)

    def make_form(self, ev, data):
        return side_form(self.form_name, data)

    def post(self, request, pk):
        ev = self.evaluation_of(pk)
        form = self.make_form(ev, request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    message = self.write(ev, form)
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, message or _("Done: %(action)s.") % {"action": self.done})
                return redirect(self.success_url(ev))
        return self.refused(request, ev, form)

    def success_url(self, ev):
        return ev.get_absolute_url()

    def refused(self, request, ev, form, carry=None):
        ev = self.evaluation_of(ev.pk)  # fresh: nothing was changed
        ctx, respond = evaluation_page(request, ev, failed=(self.form_name, form), carry=carry)
        shown = {"assess": "assess_form", "review": "review_form"}.get(self.form_name)
        on_page = (ctx.get(shown) is form) if shown else any(item["form"] is form for item in ctx["side_forms"]) or any(
            getattr(o, "form", None) is form for o in ctx["objections"]) or any(
            getattr(s, "evidence_form", None) is form for g in ctx["groups"] for s in g.rows)
        if not on_page:  # the workflow no longer offers this form: say why at the top
            for msgs in form.errors.values():
                for msg in msgs:
                    messages.error(request, msg)
        return respond()

    def write(self, ev, form):
        raise NotImplementedError


class EvaluationAssess(EvaluationPostView):
    """The self-assessment: points and evidence per manual indicator; "then=submit" also submits."""

    form_name = "assess"

    def make_form(self, ev, data):
        scores = list(ev.scores.select_related("indicator__group"))
        return forms.SelfAssessForm(data, scores=scores)

    def write(self, ev, form):
        user = self.request.user
        if "submit" not in {tr.name for tr in ev.workflow.available(ev, user)}:
            raise ValidationError(_("The self-assessment can only change before submission."))
        services.self_assess(ev, actor=user, points=form.points(), evidence=form.texts())
        if self.request.POST.get("then") == "submit":
            services.evaluation_submit(ev, actor=user)
            return _("Application submitted to the town for review.")
        return _("Self-assessment saved.")


class EvaluationRefresh(EvaluationPostView):
    """Recompute the computed indicators from today's data, while the enterprise is still assessing."""

    form_name = "refresh"

    def make_form(self, ev, data):
        return forms.ConfirmForm(data)

    def write(self, ev, form):
        if "submit" not in {tr.name for tr in ev.workflow.available(ev, self.request.user)}:
            raise ValidationError(_("The computed indicators are only refreshed before submission."))
        services.refresh_computed(ev)
        return _("Computed indicators refreshed from today's data.")


class EvaluationReview(EvaluationPostView):
    form_name = "review"

    def make_form(self, ev, data):
        return forms.ReviewForm(data, scores=list(ev.scores.select_related("indicator__group")))

    def write(self, ev, form):
        c = form.cleaned_data
        services.evaluation_review(ev, actor=self.request.user, points=form.points(), reasons=form.texts(),
                                   onsite_check_on=c.get("onsite_check_on"), onsite_notes=c.get("onsite_notes") or "")
        return _("Review recorded: the county approves next.")


class EvaluationReturn(EvaluationPostView):
    form_name, done = "return", gettext_lazy("Return for correction")

    def write(self, ev, form):
        services.evaluation_return(ev, actor=self.request.user, note=form.cleaned_data["note"])


class EvaluationReject(EvaluationPostView):
    form_name, done = "reject", gettext_lazy("Do not approve")

    def write(self, ev, form):
        services.evaluation_reject(ev, actor=self.request.user, note=form.cleaned_data["note"])


class EvaluationApprove(EvaluationPostView):
    form_name = "approve"

    def write(self, ev, form):
        row = services.evaluation_approve(ev, actor=self.request.user)
        return _("Approved: in publicity until %(day)s.") % {"day": row.publicity_until.isoformat()}


class EvaluationCertify(EvaluationPostView):
    form_name = "certify"

    def write(self, ev, form):
        self.certificate = services.evaluation_certify(ev, actor=self.request.user)
        return _("Certified: certificate %(number)s.") % {"number": self.certificate.number}

    def success_url(self, ev):
        return self.certificate.get_absolute_url()


class EvaluationAnswer(EvaluationPostView):
    """The county answers an objection (``objection`` names it; its form fields are prefixed)."""

    def post(self, request, pk):
        ev = self.evaluation_of(pk)
        objection = Objection.objects.visible_to(request.user).filter(
            evaluation=ev, pk=request.POST.get("objection") if str(request.POST.get("objection", "")).isdigit() else None).first()
        if objection is None:
            messages.error(request, _("Choose an objection of this application."))
            return redirect(ev.get_absolute_url() + "#objections")
        self.form_name = f"answer-{objection.pk}"
        form = forms.AnswerForm(request.POST, prefix=self.form_name)
        if form.is_valid():
            try:
                services.objection_answer(objection, actor=request.user, answer=form.cleaned_data["answer"],
                                          upheld=form.cleaned_data["upheld"])
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Objection answered."))
                return redirect(ev.get_absolute_url() + "#objections")
        return self.refused(request, ev, form)


class EvaluationEvidenceAdd(EvaluationPostView):
    """Attach an evidence file to a manual indicator (``indicator``, ``file``, ``description``); a
    refused file is shown in its indicator's row, nothing stored."""

    def post(self, request, pk):
        ev = self.evaluation_of(pk)
        raw = request.POST.get("indicator", "")
        indicator_id = int(raw) if raw.isdigit() else None
        self.form_name = f"evidence-{indicator_id}"
        within = f"upload{indicator_id}-file" in request.FILES or f"upload{indicator_id}-description" in request.POST
        form = evidence_form(indicator_id, request.POST, request.FILES, within_assessment=within)
        if within:
            return self.with_assessment(request, ev, indicator_id, form)
        if form.is_valid():
            try:
                item = services.evidence_add(ev, actor=request.user, indicator=indicator_id, upload=form.cleaned_data["file"],
                                             description=form.cleaned_data["description"])
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Evidence file attached: %(name)s.") % {"name": item.file_name})
                return redirect(f"{ev.get_absolute_url()}#indicator-{item.indicator_id}")
        return self.refused(request, ev, form)


    def with_assessment(self, request, ev, indicator_id, form):
        """The upload posted from inside the self-assessment form: save the scores and texts as
        typed and attach the file, both or neither; when either is refused the page shows the
        self-assessment as typed, with the reasons."""
        assess = EvaluationAssess().make_form(ev, request.POST)
        valid = form.is_valid() & assess.is_valid()  # both, to show every error at once
        if valid:
            try:
                with transaction.atomic():
                    EvaluationAssess(request=request).write(ev, assess)
                    try:
                        item = services.evidence_add(ev, actor=request.user, indicator=indicator_id,
                                                     upload=form.cleaned_data["file"],
                                                     description=form.cleaned_data["description"])
                    except ValidationError as exc:
                        apply_errors(form, exc)
                        raise
            except (ValidationError, PermissionDenied) as exc:
                if not form.errors:
                    apply_errors(assess, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, _("Self-assessment saved and evidence file attached: %(name)s.") % {
                    "name": item.file_name})
                return redirect(f"{ev.get_absolute_url()}#indicator-{item.indicator_id}")
        if form.is_bound and not form.errors and assess.errors:
            form.add_error(None, _("Nothing was saved: correct the scores, then attach the file again."))
        return self.refused(request, ev, form, carry=assess)


class EvidenceRemove(generic.ScopedViewMixin, View):
    """POST: remove an evidence file while the application is in draft or returned. GET: the evaluation page."""

    model = EvaluationEvidence
    action = CHANGE

    def item_of(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def get(self, request, pk):
        return EvaluationDetail.as_view()(request, pk=self.item_of(pk).evaluation_id)

    def post(self, request, pk):
        item = self.item_of(pk)
        if any(name.startswith("score-") for name in request.POST):
            return self.with_assessment(request, item)
        try:
            services.evidence_remove(item, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            for msg in (exc.messages if isinstance(exc, ValidationError) else [str(exc)]):
                messages.error(request, msg)
            ev = Evaluation.objects.select_related(*EvaluationDetail.select_related).get(pk=item.evaluation_id)
            return evaluation_page(request, ev)[1]()
        messages.success(request, _("Evidence file removed: %(name)s.") % {"name": item.file_name})
        return redirect(f"{reverse('harmony:evaluation_detail', args=[item.evaluation_id])}#indicator-{item.indicator_id}")

    def with_assessment(self, request, item):
        """The remove button inside the self-assessment form posts the form with it: the scores and
        texts typed are saved with the removal (both or neither), as with an upload."""
        ev = Evaluation.objects.select_related(*EvaluationDetail.select_related).get(pk=item.evaluation_id)
        assess = EvaluationAssess().make_form(ev, request.POST)
        if assess.is_valid():
            try:
                with transaction.atomic():
                    EvaluationAssess(request=request).write(ev, assess)
                    services.evidence_remove(item, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(assess, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, _("Self-assessment saved and evidence file removed: %(name)s.") % {
                    "name": item.file_name})
                return redirect(f"{ev.get_absolute_url()}#indicator-{item.indicator_id}")
        return evaluation_page(request, ev, failed=("assess", assess))[1]()


class EvidenceDownload(generic.ScopedViewMixin, View):
    """An evidence file, to whoever sees its evaluation (404 outside the scope), as an attachment."""

    model = EvaluationEvidence

    def get(self, request, pk):
        item = self.get_queryset().filter(pk=pk).first()
        if item is None:
            raise Http404
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=item.file_name, content_type=item.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- the public publicity page --------------------------------------------------------------------

@method_decorator(login_not_required, name="dispatch")
class Publicity(View):
    """Enterprises in publicity today, without login: name, town, tier, score and period, each with
    an objection form while its period runs. Nothing personal is shown; CSRF applies as anywhere."""

    template_name = "harmony/publicity.html"

    def context(self, failed=None):
        today = timezone.localdate()
        rows = list(selectors.in_publicity(today))
        for ev in rows:
            ev.form = failed[1] if failed and failed[0] == ev.pk else objection_form(ev.pk)
        return {"rows": rows, "today": today, "open_id": failed[0] if failed else None}

    def get(self, request):
        return render(request, self.template_name, self.context())

    def post(self, request):
        raw = request.POST.get("evaluation", "")
        pk = int(raw) if raw.isdigit() else None
        form = objection_form(pk, request.POST)
        closed = _("Objections are accepted only during the publicity period.")
        if form.is_valid():
            ev = Evaluation.objects.filter(pk=pk).first()
            if ev is None:
                form.add_error(None, closed)
            else:
                try:
                    services.objection_lodge(ev, text=form.cleaned_data["text"], contact=form.cleaned_data["contact"])
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, _("Your objection was received; the county federation will answer it."))
                    return redirect(reverse("harmony:publicity"))
        ctx = self.context(failed=(pk, form))
        if not any(ev.form is form for ev in ctx["rows"]):  # the period is over (or there is no such entry)
            messages.error(request, closed)
        return render(request, self.template_name, ctx, status=400)


def objection_form(pk, data=None):
    """One form per entry; ids made unique per entry (the field names are the same)."""
    return forms.ObjectionForm(data, initial={"evaluation": pk}, auto_id=f"id_o{pk}_%s")


# --- certificates ---------------------------------------------------------------------------------

class CertificationList(TablePagination, generic.ObjectListView):
    model = Certification
    table_class = t.CertificationTable
    filterset_class = f.CertificationFilter
    select_related = ("enterprise", "region", "tier")
    export_name = gettext_lazy("Certifications")


class CertificationDetail(generic.ObjectDetailView):
    model = Certification
    template_name = "harmony/certification_detail.html"
    select_related = ("enterprise", "region", "tier", "evaluation__round")
    detail_fields = ("number", "enterprise", "region", "tier", "evaluation", "certified_on", "valid_until",
                     "next_recheck_on", "status", "status_changed_on", "status_reason")
    recheck_form = None

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cert, today = self.object, timezone.localdate()
        ctx["edit_url"] = ctx["delete_url"] = ""
        ctx["reviews"] = selectors.county_reviews(cert, self.request.user)
        ctx["days_left"] = (cert.valid_until - today).days
        ctx["recheck_due"] = cert.status == CertificationStatus.VALID and cert.next_recheck_on <= today
        may_recheck = (cert.status == CertificationStatus.VALID
                       and Certification.objects.visible_to(self.request.user, CHANGE).filter(pk=cert.pk).exists())
        ctx["recheck_form"] = (self.recheck_form or forms.RecheckForm(initial={"checked_on": today})) if may_recheck else None
        return ctx


class CertificationPdf(generic.ScopedViewMixin, View):
    """The certificate as a PDF (Chinese, whatever the interface language)."""

    model = Certification

    def get(self, request, pk):
        from . import documents

        cert = self.get_queryset().select_related("enterprise", "region", "tier").filter(pk=pk).first()
        if cert is None:
            raise Http404
        content = documents.certificate_pdf(cert)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(documents.filename(cert))}"
        return response


class CertificationRecheck(generic.ScopedViewMixin, View):
    """The county records the yearly re-check (GET shows the certificate page; the service checks
    the right to change)."""

    model = Certification

    def get(self, request, pk):
        return CertificationDetail.as_view()(request, pk=pk)

    def post(self, request, pk):
        cert = self.get_queryset().filter(pk=pk).first()
        if cert is None:
            raise Http404
        form = forms.RecheckForm(request.POST)
        if form.is_valid():
            try:
                cert = services.recheck_record(cert, actor=request.user, checked_on=form.cleaned_data["checked_on"],
                                               passed=form.cleaned_data["passed"], note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Re-check recorded."))
                return redirect(cert.get_absolute_url())
        page = CertificationDetail(recheck_form=form)
        page.setup(request, pk=pk)
        page.object = page.get_object()
        response = page.render_to_response(page.get_context_data(object=page.object))
        response.status_code = 400
        return response
