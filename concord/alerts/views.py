"""Early-warning pages: thin views over ``services`` (writes) and ``selectors`` (reads). Page routes
live in page_urls.py, the partner-file import in import_urls.py."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views import generic as django_generic

from concord.core.forms import apply_errors
from concord.core import exports, generic
from concord.core.scope import ADD, CHANGE, can
from concord.disputes.models import TripartiteMeeting
from concord.registry.models import Enterprise

from . import filters as f, forms, selectors, services, tables as t
from .models import ActionKind, Alert, EnterpriseRisk, LevelPolicy, RiskSignal, ScoringRule


def signal_import_url():
    """The partner-file import page, once its routes exist (import_urls.py)."""
    try:
        return reverse("alerts:signal_import")
    except NoReverseMatch:
        return ""


class TablePagination:
    """The table paginates (django-tables2); the list view's own pagination would count the rows a
    second time."""

    def get_paginate_by(self, queryset):
        return None


# --- the inbox ----------------------------------------------------------------------------------

class AlertList(TablePagination, generic.ObjectListView):
    model = Alert
    table_class = t.AlertTable
    filterset_class = f.AlertFilter
    select_related = ("enterprise", "region")
    template_name = "alerts/alert_list.html"
    export_name = gettext_lazy("Alerts")

    def get_queryset(self):
        return super().get_queryset().defer("explanation")  # the sort need not carry each alert's explanation

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["model_name_plural"] = _("Alert inbox")
        ctx["county_default"] = selectors.is_county_user(self.request.user)
        return ctx


# --- the alert page -----------------------------------------------------------------------------

# Form name → (form class, transitions it stands for). "action" is the first response or a further one.
ALERT_FORMS = {
    "action": (forms.ActionForm, ("respond", "act")),
    "escalate": (forms.EscalateForm, ("escalate",)),
    "close": (forms.CloseForm, ("close",)),
}
FORM_LABELS = {"action": gettext_lazy("Record a disposal action"), "escalate": gettext_lazy("Escalate to the county"),
               "close": gettext_lazy("Close the alert")}


def alert_form(name, user, data=None, initial=None):
    cls = ALERT_FORMS[name][0]
    kwargs = {"prefix": name, "initial": initial}
    if cls is forms.ActionForm:
        kwargs["user"] = user
    return cls(data, **kwargs)


def meeting_action_initial(request, user):
    """Back from recording a tripartite meeting for this alert (``?meeting=``): the action form
    filled in with it, to record the meeting as a disposal action in one step."""
    raw = request.GET.get("meeting", "")
    meeting = selectors.meeting_choices(user).filter(pk=raw).first() if raw.isdigit() else None
    if meeting is None:
        return None
    return {"kind": ActionKind.TRIPARTITE_MEETING, "meeting": meeting.pk, "done_on": min(meeting.held_on, timezone.localdate()),
            "summary": meeting.topics}


def allowed_forms(alert, user):
    """The forms the workflow allows this user now (none without the right to change the alert)."""
    if not selectors.may_change(user, alert):
        return []
    names = {tr.name for tr in alert.workflow.available(alert, user)}
    return [name for name, (_cls, transitions) in ALERT_FORMS.items() if names & set(transitions)]


class AlertDetail(generic.ObjectDetailView):
    model = Alert
    template_name = "alerts/alert_detail.html"
    select_related = ("enterprise__region", "region", "case")
    # Long texts (the reason, the outcome's details) are in the side card, where they wrap on a phone.
    detail_fields = ("enterprise", "region", "level", "status", "score", "raised_on", "deadline",
                     "first_response_on", "county_assigned", "escalated_on", "closed_on", "outcome", "case")

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        alert, user = self.object, self.request.user
        ctx["edit_url"] = ctx["delete_url"] = ""
        ctx["explanation"] = selectors.explanation_rows(alert.explanation, user)
        ctx["actions"] = selectors.alert_actions(alert)
        ctx["overdue"] = t.is_overdue(alert)
        failed = kwargs.get("failed")
        names = allowed_forms(alert, user)
        from_meeting = meeting_action_initial(self.request, user) if "action" in names and not failed else None
        ctx["forms"] = [
            {"name": name, "label": FORM_LABELS[name], "url": reverse(f"alerts:alert_{name}", args=[alert.pk]),
             "form": failed[1] if failed and failed[0] == name
             else alert_form(name, user, initial=from_meeting if name == "action" else None)}
            for name in names
        ]
        ctx["open_form"] = failed[0] if failed else "action" if from_meeting else ""
        # A tripartite meeting about this alert: the meeting form, filled in from the alert.
        if "action" in names and can(user, TripartiteMeeting, ADD):
            ctx["meeting_add_url"] = reverse("disputes:tripartitemeeting_add") + f"?alert={alert.pk}"
        return ctx


class AlertPostView(generic.ScopedViewMixin, View):
    """A form target on the alert page. GET shows the alert page (e.g. reloading after a refused POST)."""

    model = Alert
    action = CHANGE
    form_name = ""

    def alert_of(self, pk):
        alert = self.get_queryset().select_related("enterprise", "region").filter(pk=pk).first()
        if alert is None:
            raise Http404
        return alert

    def get(self, request, pk):
        alert = self.alert_of(pk)
        return AlertDetail.as_view()(request, pk=alert.pk)

    def post(self, request, pk):
        alert = self.alert_of(pk)
        form = alert_form(self.form_name, request.user, request.POST)
        if form.is_valid():
            try:
                self.write(alert, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, self.done_message())
                return redirect(alert.get_absolute_url())
        view = AlertDetail(request=request, kwargs={"pk": pk})
        alert = AlertDetail.model._default_manager.visible_to(request.user).select_related(
            *AlertDetail.select_related).get(pk=alert.pk)
        view.object = alert
        if self.form_name not in allowed_forms(alert, request.user):
            # The workflow refuses this form now (e.g. closing before any action): say why.
            for msgs in form.errors.values():
                for msg in msgs:
                    messages.error(request, msg)
        ctx = view.get_context_data(object=alert, failed=(self.form_name, form))
        return render(request, view.get_template_names(), ctx, status=400)

    def write(self, alert, c):
        raise NotImplementedError

    def done_message(self):
        return _("Done: %(action)s.") % {"action": FORM_LABELS[self.form_name]}


class AlertActionRecord(AlertPostView):
    form_name = "action"

    def write(self, alert, c):
        services.action_record(alert, actor=self.request.user, kind=c["kind"], done_on=c["done_on"],
                               summary=c["summary"], meeting=c.get("meeting"))

    def done_message(self):
        return _("Disposal action recorded.")


class AlertEscalate(AlertPostView):
    form_name = "escalate"

    def write(self, alert, c):
        services.alert_escalate(alert, actor=self.request.user, note=c["note"])

    def done_message(self):
        return _("Escalated to the county.")


class AlertClose(AlertPostView):
    form_name = "close"

    def write(self, alert, c):
        services.alert_close(alert, actor=self.request.user, outcome=c["outcome"], note=c["outcome_note"],
                             closed_on=c.get("closed_on"))

    def done_message(self):
        return _("Alert closed.")


# --- risk ---------------------------------------------------------------------------------------

def level_chart(rows):
    """The data of a stacked bar chart by level (alerts/charts.js): rows [label, n per level]."""
    return {"series": [selectors.level_label(lv) for lv in selectors.LEVELS],
            "colors": [selectors.COLORS[lv] for lv in selectors.LEVELS], "rows": rows}


class RiskTable(TablePagination, generic.ObjectListView):
    """Counts of enterprises per town and level (chart and table), and the enterprises at risk."""

    model = EnterpriseRisk
    table_class = t.RiskTable
    filterset_class = f.RiskFilter
    template_name = "alerts/risk_table.html"
    export_name = gettext_lazy("Enterprise risk")

    def get_queryset(self):
        qs = selectors.risk_list(self.request.user)
        # A page gets its open alerts in one query (get_table); an export reads them with the rows.
        return selectors.with_open_alert(qs) if getattr(self, "exporting", False) else qs

    def export(self, fmt):
        self.exporting = True
        return super().export(fmt)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        page = getattr(table, "page", None)
        if page is not None:
            selectors.attach_open_alerts([row.record for row in page.object_list], self.request.user)
        return table

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows, totals = selectors.risk_counts(self.request.user)
        ctx.update(model_name_plural=_("Risk table"), counts=rows, totals=totals, grand_total=sum(totals),
                   levels=[(lv, selectors.level_label(lv)) for lv in selectors.LEVELS],
                   chart=level_chart([[r["town"].name, *r["counts"]] for r in rows]))
        return ctx


class EnterpriseRiskView(generic.ScopedViewMixin, django_generic.DetailView):
    """An enterprise's current level with its explanation, its risk timeline and its signals. The
    page is the enterprise's (pk = enterprise); roles that see the enterprise but not early-warning
    data (an enterprise union officer) are told so and shown nothing of it."""

    model = Enterprise
    template_name = "alerts/enterprise_risk.html"
    select_related = ("region",)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        enterprise, user = self.object, self.request.user
        ctx["allowed"] = allowed = can(user, EnterpriseRisk)
        if not allowed:
            return ctx
        risk = selectors.risk_of(enterprise, user)
        signals = selectors.signals_of(enterprise, user)
        today = timezone.localdate()
        ctx.update(
            risk=risk,
            explanation=selectors.explanation_rows(risk.explanation, user) if risk else [],
            signals=[(s, t.is_active(s, today), selectors.describe(s)) for s in signals],
            timeline=selectors.risk_timeline(enterprise, user, signals=signals),
            can_report=can(user, RiskSignal, ADD),
        )
        return ctx


class WatchList(TablePagination, generic.ObjectListView):
    """Key enterprises and enterprises at orange or red."""

    model = EnterpriseRisk  # who may open it: the early-warning roles
    table_class = t.WatchTable
    filterset_class = f.WatchFilter
    export_name = gettext_lazy("Key-enterprise watch list")

    def get_queryset(self):
        return selectors.watch_list(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["model_name_plural"] = _("Key-enterprise watch list")
        return ctx


# --- signals ------------------------------------------------------------------------------------

class SignalList(TablePagination, generic.ObjectListView):
    model = RiskSignal
    table_class = t.SignalTable
    filterset_class = f.SignalFilter
    select_related = ("enterprise", "region")
    template_name = "alerts/signal_list.html"

    def get_queryset(self):
        # Newest recorded first: the primary key's order, which a county's 200,000 signals walk from
        # the index (ordering by the signal's date sorts them all first); the date column sorts on click.
        return super().get_queryset().order_by("-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        may_add = can(self.request.user, RiskSignal, ADD)
        ctx["can_add"] = reverse("alerts:signal_create") if may_add else ""
        ctx["partner_import_url"] = signal_import_url() if may_add else ""
        return ctx


class SignalCreate(generic.ListLinkMixin, generic.EnterpriseFormMixin, generic.ScopedViewMixin, django_generic.FormView):
    model = RiskSignal
    action = ADD
    form_class = forms.SignalForm
    template_name = "alerts/signal_form.html"
    list_url_name = "alerts:signal_list"

    def form_valid(self, form):
        c = form.cleaned_data
        try:
            signal = services.signal_record(
                actor=self.request.user, enterprise=c["enterprise"], kind=c["kind"], observed_on=c["observed_on"],
                value=c.get("value"), amount=c.get("amount"), workers_affected=c.get("workers_affected"),
                evidence=c.get("evidence") or "", expires_on=c.get("expires_on"), source=c["source"])
        except (ValidationError, PermissionDenied) as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Signal recorded: %(signal)s.") % {"signal": services.describe(signal)})
        return redirect(reverse("alerts:enterprise_risk", args=[signal.enterprise_id]))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "partner_import_url": signal_import_url()}


# --- rules --------------------------------------------------------------------------------------

class Rules(generic.ScopedViewMixin, django_generic.TemplateView):
    """The scoring rules and level policies: every early-warning role reads them, the county edits."""

    model = ScoringRule
    template_name = "alerts/rules.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            rules=list(ScoringRule.objects.visible_to(user).order_by("kind", "at_least", "pk")),
            levels=list(LevelPolicy.objects.visible_to(user).order_by("min_points")),
            can_edit_rules=can(user, ScoringRule, CHANGE), can_add_rule=can(user, ScoringRule, ADD),
            can_edit_levels=can(user, LevelPolicy, CHANGE),
            schedule=selectors.scan_schedule(), saved=self.request.GET.get("saved") == "1",
        )
        return ctx


class _RuleFormMixin(generic.ListLinkMixin):
    """A rule or level saved applies from the next scan: the rules page it returns to says when,
    and offers the county to re-score now."""

    template_name = "alerts/rule_form.html"
    list_url_name = "alerts:rules"

    def get_success_url(self):
        return reverse(self.list_url_name) + "?saved=1#when"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "schedule": selectors.scan_schedule()}


class Rescore(generic.ScopedViewMixin, View):
    """POST: run the periodic risk scan now (the same job, through the same task and its row lock:
    never a second scan beside it), after the county changed its rules. GET: the rules page."""

    model = ScoringRule
    action = CHANGE

    def get(self, request):
        return redirect("alerts:rules")

    def post(self, request):
        from django.conf import settings

        from concord.core.tasks import run_periodic_job

        if selectors.scan_schedule().running:
            messages.info(request, _("A scan is running now; its results include the saved rules."))
        elif settings.CELERY_TASK_ALWAYS_EAGER:  # the embedded default: the scan runs in this request
            outcome = run_periodic_job.delay(selectors.SCAN_JOB, force=True).get()
            if outcome == "ran":
                messages.success(request, _("Re-scored with the current rules."))
            else:
                messages.error(request, _("The scan failed; the job list shows why."))
        else:
            run_periodic_job.delay(selectors.SCAN_JOB, force=True)
            messages.success(request, _("The scan has been queued: levels and alerts follow the current rules in a few minutes."))
        return redirect(reverse("alerts:rules") + "#when")


class ScoringRuleAdd(_RuleFormMixin, generic.ObjectCreateView):
    model = ScoringRule
    form_class = forms.ScoringRuleForm


class ScoringRuleEdit(_RuleFormMixin, generic.ObjectEditView):
    model = ScoringRule
    form_class = forms.ScoringRuleForm


class LevelPolicyEdit(_RuleFormMixin, generic.ObjectEditView):
    model = LevelPolicy
    form_class = forms.LevelPolicyForm


# --- measures -----------------------------------------------------------------------------------

class Measures(generic.ScopedViewMixin, django_generic.TemplateView):
    model = Alert
    template_name = "alerts/measures.html"

    def year(self):
        value = self.request.GET.get("year", "")
        today = timezone.localdate()
        return int(value) if value.isdigit() and 2008 <= int(value) <= today.year else today.year

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS:
            m = selectors.measures(request.user, self.year())
            return exports.export_rows(measure_rows(m), fmt, _("Early-warning measures %(year)s") % {"year": m.year})
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        m = selectors.measures(self.request.user, self.year())
        ctx.update(m=m, years=selectors.measure_years(),
                   chart=level_chart([[str(month), *counts] for month, counts in m.by_month]))
        return ctx


def measure_rows(m):
    """The measures as rows (header first), for the export."""
    labels = [label for _lv, label in m.levels]
    share = m.prevented_share
    yield [_("Measure"), _("Value")]
    yield [_("Year"), m.year]
    yield [_("Alerts raised"), m.total]
    for _lv, label, n in m.by_level:
        yield [_("Alerts raised: %(level)s") % {"level": label}, n]
    yield [_("Open alerts"), m.open]
    yield [_("Overdue alerts"), m.overdue]
    yield [_("Alerts with a response"), m.responded]
    yield [_("Median days to first response"), "" if m.median_days is None else m.median_days]
    yield [_("Average days to first response"), "" if m.average_days is None else m.average_days]
    yield [_("Closed alerts"), m.closed]
    yield [_("Closed, no dispute within 90 days (prevented)"), m.prevented]
    yield [_("Closed, a dispute arose"), m.not_prevented]
    yield [_("Closed, not yet known"), m.unknown]
    yield [_("Share prevented (%)"), "" if share is None else round(share * 100, 1)]
    yield []
    yield [_("Month"), *labels]
    for month, counts in m.by_month:
        yield [month, *counts]
    yield []
    yield [_("Town"), *labels, _("Total")]
    for name, counts, total in m.by_town:
        yield [name, *counts, total]

