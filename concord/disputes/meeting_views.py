"""Pages of tripartite meetings (三方协调) with their follow-up actions, and of the county's legal
parameter settings. Thin views over the generic scoped views and the writes in meetings."""
import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic as django_generic

from concord.core import generic
from concord.core.filters import SearchFilterSet
from concord.core.models import Region
from concord.core.scope import ADD, CHANGE, VIEW, can
from concord.core.tables import ConcordTable
from concord.registry.models import Enterprise

from . import parameters, rules
from .meeting_forms import DoneForm, FollowUpForm, LegalSettingForm, MeetingForm
from .meetings import action_state, followup_add, followup_done
from .models import Case, FollowUpAction, LegalSetting, TripartiteMeeting

LEVELS = [("county", gettext_lazy("County")), ("town", gettext_lazy("Town"))]


def _open_actions():
    return FollowUpAction.objects.filter(meeting=OuterRef("pk"), done_on__isnull=True)


# --- tripartite meetings --------------------------------------------------------------------------

class MeetingFilter(SearchFilterSet):
    search_fields = ("place", "topics", "decisions")
    level = django_filters.ChoiceFilter(label=gettext_lazy("level"), field_name="region__kind", choices=LEVELS)
    region = django_filters.ModelChoiceFilter(
        label=gettext_lazy("county or town"), queryset=Region.objects.filter(kind__in=["county", "town"]))
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=gettext_lazy("held from"))
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=gettext_lazy("held until"))
    open_actions = django_filters.BooleanFilter(label=gettext_lazy("has open actions"), method="filter_open")
    overdue_actions = django_filters.BooleanFilter(label=gettext_lazy("has overdue actions"), method="filter_overdue")

    class Meta:
        model = TripartiteMeeting
        fields = ["q", "level", "region", "held_after", "held_before", "open_actions", "overdue_actions"]

    def filter_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(Exists(_open_actions())) if value else qs.exclude(Exists(_open_actions()))

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = Exists(_open_actions().filter(due_on__lt=timezone.localdate()))
        return qs.filter(late) if value else qs.exclude(late)


class MeetingTable(ConcordTable):
    held_on = tables.DateColumn(format="Y-m-d", linkify=True)
    region = tables.Column(verbose_name=gettext_lazy("county or town"), orderable=False)
    topics = tables.Column(orderable=False)
    open_count = tables.Column(verbose_name=gettext_lazy("open actions"))
    overdue_count = tables.Column(verbose_name=gettext_lazy("overdue actions"))

    class Meta(ConcordTable.Meta):
        model = TripartiteMeeting
        fields = ("held_on", "region", "place", "topics", "open_count", "overdue_count")
        row_attrs = {"class": lambda record: "table-warning" if getattr(record, "overdue_count", 0) else ""}

    def render_topics(self, value):
        return value if len(value) <= 60 else value[:60] + "…"

    def render_overdue_count(self, value):
        return format_html('<span class="badge text-bg-danger">{}</span>', value) if value else "0"

    def value_overdue_count(self, value):
        return value


def with_action_counts(qs):
    """Open and overdue follow-up actions per meeting, counted in the list's one query."""
    today = timezone.localdate()
    return qs.annotate(
        open_count=Count("actions", filter=Q(actions__done_on__isnull=True)),
        overdue_count=Count("actions", filter=Q(actions__done_on__isnull=True, actions__due_on__lt=today)),
    ).order_by(*TripartiteMeeting._meta.ordering)  # an aggregate drops Meta.ordering


class MeetingList(generic.ObjectListView):
    model = TripartiteMeeting
    table_class = MeetingTable
    filterset_class = MeetingFilter
    select_related = ("region",)

    def get_queryset(self):
        return with_action_counts(super().get_queryset())


class MeetingDetail(generic.ObjectDetailView):
    model = TripartiteMeeting
    template_name = "disputes/meetings/meeting_detail.html"
    select_related = ("region", "created_by")
    detail_fields = ("region", "held_on", "place", "labour_bureau", "union", "employers", "topics", "decisions", "created_by")

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meeting, user = self.object, self.request.user
        today = timezone.localdate()
        # Only the linked records this user may see: a county meeting may link several towns' cases.
        ctx["cases"] = Case.objects.visible_to(user, VIEW).filter(meetings=meeting).select_related("respondent").order_by("number")
        ctx["enterprises"] = Enterprise.objects.visible_to(user, VIEW).filter(meetings=meeting).order_by("name")
        from concord.alerts.models import Alert  # alerts build on disputes: imported when used

        ctx["alerts"] = list(Alert.objects.visible_to(user, VIEW).filter(actions__meeting=meeting).distinct()
                             .select_related("enterprise").order_by("-raised_on", "-pk"))
        actions = FollowUpAction.objects.visible_to(user, VIEW).filter(meeting=meeting)
        ctx["actions"] = [(a, action_state(a, today)) for a in actions]
        ctx["can_act"] = TripartiteMeeting.objects.visible_to(user, CHANGE).filter(pk=meeting.pk).exists()
        ctx["action_form"] = kwargs.get("action_form") or FollowUpForm()
        ctx["done_form"] = DoneForm(initial={"done_on": today})
        return ctx


class _MeetingFormMixin:
    form_class = MeetingForm
    select_related = ("region",)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class MeetingAdd(_MeetingFormMixin, generic.ObjectCreateView):
    """A new meeting; ``?alert=`` (from an alert's action form) fills in the alert's town and
    enterprise and the topic, and returns to the alert, whose action form then records the meeting."""

    model = TripartiteMeeting

    def from_alert(self):
        from concord.alerts.models import Alert

        raw = self.request.GET.get("alert", "")
        return (Alert.objects.visible_to(self.request.user, CHANGE).select_related("enterprise", "region")
                .filter(pk=raw).first() if raw.isdigit() else None)

    def get_initial(self):
        initial = {"held_on": timezone.localdate()}
        alert = self.from_alert()
        if alert is not None:
            initial.update(region=alert.region_id, credit_codes=alert.enterprise.credit_code,
                           topics=_("Alert %(number)s: %(reason)s") % {"number": alert.number, "reason": alert.reason})
        return initial

    def get_template_names(self):
        return ["disputes/meetings/meeting_form.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["from_alert"] = self.from_alert()
        return ctx

    def get_success_url(self):
        alert = self.from_alert()
        if alert is None:
            return super().get_success_url()
        return f"{alert.get_absolute_url()}?meeting={self.object.pk}#form-action"


class MeetingEdit(_MeetingFormMixin, generic.ObjectEditView):
    model = TripartiteMeeting


class _OneObjectForm(generic.ScopedViewMixin, django_generic.FormView):
    """A small form about one scoped record: its page on GET, the write on POST."""

    template_name = "disputes/meetings/action_form.html"
    title = ""

    def get(self, request, *args, **kwargs):
        self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def write(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            meeting = self.write(form)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        return redirect(meeting.get_absolute_url() + "#actions")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title}


class FollowUpActionAdd(_OneObjectForm):
    """POST: agree a follow-up action at a meeting (GET shows the form on its own)."""

    model = TripartiteMeeting
    action = CHANGE
    form_class = FollowUpForm
    title = gettext_lazy("Add a follow-up action")

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, FollowUpAction, ADD):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "meeting": self.object}

    def write(self, form):
        followup_add(self.object, actor=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Follow-up action added."))
        return self.object


class FollowUpActionDone(_OneObjectForm):
    """POST: mark a follow-up action done (GET shows a confirmation form)."""

    model = FollowUpAction
    action = CHANGE
    form_class = DoneForm
    select_related = ("meeting", "meeting__region")
    title = gettext_lazy("Mark the action done")

    def get_initial(self):
        return {"done_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "meeting": self.object.meeting, "followup": self.object}

    def write(self, form):
        followup_done(self.object, actor=self.request.user, done_on=form.cleaned_data.get("done_on"))
        messages.success(self.request, _("Follow-up action marked done."))
        return self.object.meeting


# --- legal settings -------------------------------------------------------------------------------

class LegalSettingFilter(SearchFilterSet):
    search_fields = ("source",)
    key = django_filters.ChoiceFilter(choices=rules.PARAMETER_CHOICES)

    class Meta:
        model = LegalSetting
        fields = ["q", "key"]


class LegalSettingTable(ConcordTable):
    key = tables.Column(linkify=True)
    region = tables.Column(orderable=False)
    effective_from = tables.DateColumn(format="Y-m-d")
    effective_to = tables.DateColumn(format="Y-m-d")

    class Meta(ConcordTable.Meta):
        model = LegalSetting
        fields = ("key", "value", "region", "source", "effective_from", "effective_to")


def defaults_table(settings_in_force, today=None):
    """The law's defaults (every dated row: a revised value keeps its earlier row) with, per
    parameter, the county's own value in force today (if any)."""
    today = today or timezone.localdate()
    order = {}
    for row in parameters.DEFAULTS:  # a key's rows together, in the order the keys are listed
        order.setdefault(row.key, len(order))
    labels = dict(rules.PARAMETER_CHOICES)
    over = {}
    for s in settings_in_force:
        over.setdefault(s.key, []).append(s)
    return [{"key": row.key, "label": labels.get(row.key, row.key), "value": row.value, "unit": parameters.unit_label(row.unit),
             "source": row.source, "basis": parameters.basis_label(row), "effective_from": row.effective_from, "effective_to": row.effective_to,
             "in_force": row.in_force_on(today), "overrides": over.get(row.key, []) if row.in_force_on(today) else []}
            for row in sorted(parameters.DEFAULTS, key=lambda r: (order[r.key], r.effective_from))]


class LegalSettingList(generic.ObjectListView):
    model = LegalSetting
    table_class = LegalSettingTable
    filterset_class = LegalSettingFilter
    template_name = "disputes/meetings/legalsetting_list.html"
    select_related = ("region",)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        in_force = (LegalSetting.objects.visible_to(self.request.user, VIEW).select_related("region")
                    .filter(effective_from__lte=today).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today)))
        ctx["defaults"] = defaults_table(in_force, today)
        ctx["today"] = today
        return ctx


class LegalSettingDetail(generic.ObjectDetailView):
    model = LegalSetting
    template_name = "disputes/meetings/legalsetting_detail.html"
    select_related = ("region",)
    detail_fields = ("region", "key", "value", "source", "effective_from", "effective_to")

    def get_template_names(self):
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["defaults"] = [row for row in parameters.DEFAULTS if row.key == self.object.key]
        return ctx


class _SettingFormMixin:
    form_class = LegalSettingForm
    template_name = "disputes/meetings/legalsetting_form.html"
    select_related = ("region",)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class LegalSettingAdd(_SettingFormMixin, generic.ObjectCreateView):
    model = LegalSetting


class LegalSettingEdit(_SettingFormMixin, generic.ObjectEditView):
    model = LegalSetting

