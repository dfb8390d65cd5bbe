"""Harmonious-enterprise pages: standards (classes, indicators, vetoes, totals per class) and tiers,
edited by the county; veto events and the county's review tasks; satisfaction surveys (opened by
the town or the union, answered by the workers on their phones, results for staff); measures.

Thin views: writes go through ``services`` (or a model form saved in a scoped transaction, for the
county's standard rows, recorded in the change log); reads through ``visible_to``."""
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views import generic as django_generic

from concord.core.forms import apply_errors
from concord.core import exports, generic
from concord.core.scope import ADD, CHANGE, Role, can, ensure_in_scope, user_roles

from . import catalogue_filters as f, catalogue_forms as forms, catalogue_tables as t, measures as harmony_measures, rules, selectors, services
from .models import (
    Certification, CountyReview, Indicator, Standard, Survey, SurveyParticipation, Tier, VetoEvent, VetoItem,
)

def is_worker_only(user) -> bool:
    roles = user_roles(user)
    return bool(roles) and roles <= {Role.WORKER} and not user.is_superuser


class TablePagination:
    """The table paginates (django-tables2); the list view's own pagination would count twice."""

    def get_paginate_by(self, queryset):
        return None


# --- standards --------------------------------------------------------------------------------------

def class_totals(standard, classes=None, indicators=None):
    """[(class, total maximum points)] of a standard: an indicator without classes counts for every class."""
    classes = list(standard.classes.all()) if classes is None else classes
    if indicators is None:
        indicators = list(Indicator.objects.filter(group__standard=standard).prefetch_related("classes"))
    totals = {c.pk: 0 for c in classes}
    for ind in indicators:
        limited = [c.pk for c in ind.classes.all()]
        for pk in (limited or totals):
            if pk in totals:
                totals[pk] += ind.max_points
    return [(c, totals[c.pk]) for c in classes]


def totals_message(request, standard):
    totals = class_totals(standard)
    text = "; ".join(f"{c.name} {total:g}" for c, total in totals)
    if any(total != rules.FULL_MARKS for _c, total in totals):
        messages.warning(request, _("Maximum points per class: %(totals)s. Each class should total %(full)s.") % {
            "totals": text, "full": rules.FULL_MARKS})
    else:
        messages.info(request, _("Maximum points per class: %(totals)s.") % {"totals": text})


class StandardList(generic.ScopedViewMixin, django_generic.TemplateView):
    model = Standard
    template_name = "harmony/standard_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["standards"] = list(Standard.objects.visible_to(self.request.user).order_by("-is_active", "-effective_from"))
        return ctx


class StandardDetail(generic.ObjectDetailView):
    model = Standard
    template_name = "harmony/standard_detail.html"
    detail_fields = ("name", "version", "effective_from", "is_active", "source", "survey_min_responses",
                     "satisfaction_veto_below", "period_days")

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        standard, user = self.object, self.request.user
        classes = list(standard.classes.all())
        groups = list(standard.groups.prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.prefetch_related("classes").order_by("order", "pk"))))
        indicators = [ind for g in groups for ind in g.indicators.all()]
        for ind in indicators:
            limited = {c.pk for c in ind.classes.all()}
            ind.per_class = [ind.max_points if not limited or c.pk in limited else None for c in classes]
            ind.limited_to = [c.name for c in classes if c.pk in limited]
        totals = class_totals(standard, classes, indicators)
        ctx.update(
            classes=classes, groups=groups, totals=totals, full_marks=rules.FULL_MARKS,
            totals_ok=all(total == rules.FULL_MARKS for _c, total in totals),
            vetoes=list(standard.vetoes.all()),
            edit_url=can(user, Standard, CHANGE) and reverse("harmony:standard_edit", args=[standard.pk]),
            can_edit_indicators=can(user, Indicator, CHANGE), can_edit_vetoes=can(user, VetoItem, CHANGE),
            delete_url="",
        )
        return ctx


class StandardEdit(generic.ObjectEditView):
    model = Standard
    form_class = forms.StandardForm
    template_name = "harmony/standard_form.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "standard": self.object, "list_url": reverse("harmony:standard_list")}


class _StandardChild(generic.ScopedViewMixin, django_generic.FormView):
    """Adds a row (an indicator, a veto item) to a standard: the page of the standard's change."""

    model = Standard
    action = CHANGE
    template_name = "harmony/standard_form.html"
    child_model = None

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, self.child_model, ADD):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def standard(self):
        if not hasattr(self, "_standard"):
            self._standard = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return self._standard

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "standard": self.standard()}

    def form_valid(self, form):
        standard = self.standard()
        with transaction.atomic():
            if hasattr(form.instance, "standard_id"):
                form.instance.standard = standard
            obj = form.save()
            ensure_in_scope(obj, self.request.user, ADD)
        messages.success(self.request, _("Saved."))
        if self.child_model is Indicator:
            totals_message(self.request, standard)
        return redirect(standard.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "standard": self.standard(),
                "model_name": self.child_model._meta.verbose_name, "list_url": reverse("harmony:standard_list")}


class IndicatorAdd(_StandardChild):
    form_class = forms.IndicatorForm
    child_model = Indicator


class VetoItemAdd(_StandardChild):
    form_class = forms.VetoItemForm
    child_model = VetoItem


class _StandardChildEdit(generic.ObjectEditView):
    template_name = "harmony/standard_form.html"

    def standard_of(self, obj):
        raise NotImplementedError

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "standard": self.standard_of(self.object)}

    def get_success_url(self):
        return self.standard_of(self.object).get_absolute_url()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "standard": self.standard_of(self.object),
                "list_url": reverse("harmony:standard_list")}


class IndicatorEdit(_StandardChildEdit):
    model = Indicator
    form_class = forms.IndicatorForm
    select_related = ("group__standard",)

    def standard_of(self, obj):
        return obj.group.standard

    def get_success_url(self):
        totals_message(self.request, self.object.group.standard)
        return super().get_success_url()


class VetoItemEdit(_StandardChildEdit):
    model = VetoItem
    form_class = forms.VetoItemForm
    select_related = ("standard",)

    def standard_of(self, obj):
        return obj.standard


# --- tiers ------------------------------------------------------------------------------------------

class TierList(generic.ScopedViewMixin, django_generic.TemplateView):
    model = Tier
    template_name = "harmony/tier_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tiers"] = list(Tier.objects.visible_to(self.request.user).select_related("prerequisite").order_by("rank"))
        ctx["can_edit"] = can(self.request.user, Tier, CHANGE)
        return ctx


class TierEdit(generic.ListLinkMixin, generic.ObjectEditView):
    model = Tier
    form_class = forms.TierForm
    template_name = "harmony/tier_form.html"
    list_url_name = "harmony:tier_list"


# --- veto events --------------------------------------------------------------------------------------

class VetoEventList(TablePagination, generic.ObjectListView):
    model = VetoEvent
    table_class = t.VetoEventTable
    filterset_class = f.VetoEventFilter
    select_related = ("enterprise", "region", "item")
    export_name = gettext_lazy("Veto events")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = reverse("harmony:vetoevent_add") if can(self.request.user, VetoEvent, ADD) else ""
        return ctx


class VetoRecord(generic.ListLinkMixin, generic.EnterpriseFormMixin, generic.ScopedViewMixin, django_generic.FormView):
    model = VetoEvent
    action = ADD
    form_class = forms.VetoRecordForm
    template_name = "harmony/veto_form.html"
    list_url_name = "harmony:vetoevent_list"

    def form_valid(self, form):
        c = form.cleaned_data
        try:
            event = services.veto_record(actor=self.request.user, enterprise=c["enterprise"], item=c["item"],
                                         occurred_on=c["occurred_on"], description=c["description"])
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        suspended = [r.certification.number for r in CountyReview.objects.filter(veto_event=event).select_related("certification")]
        if suspended:
            messages.warning(self.request, _("Veto recorded. Titles suspended, each with a county review task: %(numbers)s.") % {
                "numbers": ", ".join(suspended)})
        else:
            messages.success(self.request, _("Veto recorded. No valid title of the enterprise was affected."))
        return redirect(reverse("harmony:vetoevent_detail", args=[event.pk]))


class VetoEventDetail(generic.ObjectDetailView):
    model = VetoEvent
    template_name = "harmony/veto_detail.html"
    select_related = ("enterprise", "region", "item", "recorded_by")
    detail_fields = ("enterprise", "region", "item", "occurred_on", "description")

    def get_template_names(self):
        return [self.template_name]

    def get_object(self, queryset=None):
        return selectors.scope_veto_descriptions([super().get_object(queryset)], self.request.user)[0]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["edit_url"] = ctx["delete_url"] = ""
        ctx["reviews"] = list(CountyReview.objects.visible_to(self.request.user).filter(veto_event=self.object)
                              .select_related("certification__tier"))
        return ctx


# --- county review tasks ------------------------------------------------------------------------------

class ReviewList(TablePagination, generic.ObjectListView):
    model = CountyReview
    table_class = t.ReviewTable
    filterset_class = f.ReviewFilter
    select_related = ("certification__enterprise", "certification__region", "certification__tier", "veto_event__item")
    export_name = gettext_lazy("County review tasks")

    def get_queryset(self):
        # The tasks to decide first, then the decided ones, newest first.
        return super().get_queryset().order_by(F("closed_on").asc(nulls_first=True), "-opened_on", "-pk")


class ReviewDetail(generic.ObjectDetailView):
    model = CountyReview
    template_name = "harmony/review_detail.html"
    select_related = ("certification__enterprise", "certification__region", "certification__tier", "veto_event__item")
    detail_fields = ("certification", "veto_event", "opened_on", "closed_on", "decision", "note")

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        review = self.object
        ctx["edit_url"] = ctx["delete_url"] = ""
        ctx["cert"] = review.certification
        ctx["event"] = selectors.scope_veto_descriptions([review.veto_event], self.request.user)[0]
        may_decide = not review.closed_on and CountyReview.objects.visible_to(self.request.user, CHANGE).filter(pk=review.pk).exists()
        ctx["form"] = kwargs.get("form") or (forms.ReviewDecideForm() if may_decide else None)
        return ctx


class ReviewDecide(generic.ScopedViewMixin, View):
    model = CountyReview
    action = CHANGE

    def review(self, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)

    def get(self, request, pk):
        return ReviewDetail.as_view()(request, pk=self.review(pk).pk)

    def post(self, request, pk):
        review = self.review(pk)
        form = forms.ReviewDecideForm(request.POST)
        if form.is_valid():
            try:
                services.review_decide(review, actor=request.user, decision=form.cleaned_data["decision"],
                                       note=form.cleaned_data["note"])
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Decision recorded: %(decision)s.") % {
                    "decision": dict(form.fields["decision"].choices)[form.cleaned_data["decision"]]})
                return redirect(reverse("harmony:countyreview_detail", args=[review.pk]))
        view = ReviewDetail(request=request, kwargs={"pk": pk})
        view.object = CountyReview.objects.visible_to(request.user).select_related(*ReviewDetail.select_related).get(pk=review.pk)
        ctx = view.get_context_data(object=view.object, form=form)
        return render(request, view.get_template_names(), ctx, status=400)


# --- surveys ------------------------------------------------------------------------------------------

class SurveyList(TablePagination, generic.ObjectListView):
    model = Survey
    table_class = t.SurveyTable
    filterset_class = f.SurveyFilter
    select_related = ("enterprise", "region")
    export_name = gettext_lazy("Satisfaction surveys")

    def get_queryset(self):
        qs = super().get_queryset()
        if is_worker_only(self.request.user):
            return qs.filter(closes_on__gte=timezone.localdate())  # what a worker can still answer
        return qs

    def get_table_class(self):
        return t.WorkerSurveyTable if is_worker_only(self.request.user) else t.SurveyTable

    def get_template_names(self):
        if is_worker_only(self.request.user) and not getattr(self.request, "htmx", False):
            return ["harmony/survey_list_worker.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = reverse("harmony:survey_add") if can(self.request.user, Survey, ADD) else ""
        return ctx


class SurveyOpen(generic.ListLinkMixin, generic.ScopedViewMixin, django_generic.FormView):
    model = Survey
    action = ADD
    form_class = forms.SurveyOpenForm
    template_name = "harmony/survey_form.html"
    list_url_name = "harmony:survey_list"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        today = timezone.localdate()
        initial["closes_on"] = today + timedelta(days=14)
        if self.request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = self.request.GET["enterprise"]
        rnd = harmony_measures.current_round(self.request.user)
        if rnd is not None and rnd.is_open:
            initial["round"] = rnd.pk
        return initial

    def form_valid(self, form):
        c = form.cleaned_data
        try:
            survey = services.survey_open(actor=self.request.user, enterprise=c["enterprise"], opens_on=c["opens_on"],
                                          closes_on=c["closes_on"], round=c.get("round"), min_responses=c.get("min_responses"))
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Survey opened. Give the enterprise's workers the address of the answer page."))
        return redirect(reverse("harmony:survey_detail", args=[survey.pk]))


def survey_chart(result):
    """Stacked bars per question (harmony/charts.js): rows [label, count of 1 … count of 5]."""
    return {"series": [str(label) for _v, label in reversed(forms.SurveyAnswerForm.SCALE)],
            "colors": ["#dc3545", "#fd7e14", "#adb5bd", "#6ea8fe", "#0d6efd"],
            "horizontal": True,
            "rows": [[f"Q{i}", *q["counts"]] for i, q in enumerate(result["questions"], start=1)]}


class SurveyDetail(generic.ObjectDetailView):
    """Staff: the results (responses, validity, per-question counts, the satisfied share), never
    who answered what (only counts are kept). A worker: the survey's dates and the way to answer."""

    model = Survey
    select_related = ("enterprise", "region", "round")
    detail_fields = ("enterprise", "region", "round", "opens_on", "closes_on", "min_responses", "responses")

    def get_template_names(self):
        if is_worker_only(self.request.user):
            return ["harmony/survey_detail_worker.html"]
        return ["harmony/survey_detail.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        survey = self.object
        ctx["edit_url"] = ctx["delete_url"] = ""
        ctx["today"] = today = timezone.localdate()
        ctx["is_open"] = survey.opens_on <= today <= survey.closes_on
        ctx["answer_url"] = self.request.build_absolute_uri(reverse("harmony:survey_answer", args=[survey.pk]))
        if is_worker_only(self.request.user):
            ctx["timeline"] = []
            ctx["answered"] = answered_by(survey, self.request.user)
            return ctx
        result = services.survey_result(survey)
        ctx["result"] = result
        ctx["shown"] = result["shown"]
        ctx["floor"] = rules.ANONYMITY_FLOOR
        ctx["scale"] = [label for _v, label in reversed(forms.SurveyAnswerForm.SCALE)]
        ctx["chart"] = survey_chart(result) if ctx["shown"] else None
        return ctx


def answered_by(survey, user) -> bool:
    return SurveyParticipation.objects.filter(survey=survey, worker__user=user).exists()


class SurveyAnswer(generic.ScopedViewMixin, django_generic.DetailView):
    """The worker's page, for a phone: one 1–5 choice per question. Staff see it as the workers do,
    without answering. Only a count per answer is kept; who answered is kept apart, to refuse a
    second response."""

    model = Survey
    template_name = "harmony/survey_answer.html"
    select_related = ("enterprise",)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        survey, user = self.object, self.request.user
        today = timezone.localdate()
        worker = is_worker_only(user)
        ctx.update(worker=worker, is_open=survey.opens_on <= today <= survey.closes_on,
                   answered=worker and answered_by(survey, user))
        ctx["form"] = kwargs.get("form") or forms.SurveyAnswerForm(questions=list(survey.questions.all()))
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = survey = self.get_object()
        form = forms.SurveyAnswerForm(request.POST, questions=list(survey.questions.all()))
        if form.is_valid():
            try:
                services.survey_answer(survey, user=request.user, answers=form.answers())
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Thank you. Your answers were counted anonymously."))
                return redirect(reverse("harmony:survey_answer", args=[survey.pk]))
        return self.render_to_response(self.get_context_data(object=survey, form=form), status=400)


# --- measures -----------------------------------------------------------------------------------------

class Measures(generic.ScopedViewMixin, django_generic.TemplateView):
    model = Certification
    template_name = "harmony/measures.html"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS:
            m = harmony_measures.measures(request.user)
            return exports.export_rows(harmony_measures.export_rows(m), fmt, _("Harmonious-enterprise measures"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        m = harmony_measures.measures(self.request.user)
        ctx.update(
            m=m,
            coverage_chart={"series": [t.name for t in m.tiers], "rows": [[r["town"], *r["by_tier"]] for r in m.towns]},
            histogram_chart={"series": [_("Evaluations")], "rows": [[label, n] for label, n in m.histogram]},
        )
        return ctx
