from django.contrib import messages
from django.utils.translation import ngettext
from django.db import connection
from django.urls import path
from django.http import JsonResponse
from django.contrib.auth.decorators import login_not_required
from django.views.decorators.cache import never_cache
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, ngettext
from django.views.generic import TemplateView, View
from django_tables2.paginators import LazyPaginator

from . import attention, audit, generic, masking, tokens, model_filters as f, model_tables as t, selectors
from .scope import CHANGE
from .forms import RegionForm, RoleAssignmentForm, UserCreateForm, UserEditForm
from .models import AccessLog, CalendarDay, CalendarYear, ChangeLogEntry, Event, JobRun, Region, RoleAssignment, User


class HomeView(TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["assignments"] = selectors.scope_summary(user)
        ctx["attention"] = attention.items_for(user)
        return ctx


@login_not_required
@never_cache
def health(request):
    """For load balancers: answers without login, checks the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Regions
class RegionList(generic.ObjectListView):
    table_class = t.RegionTable
    filterset_class = f.RegionFilter
    select_related = ("parent",)


class RegionDetail(generic.ObjectDetailView):
    detail_fields = ("code", "name", "kind", "parent", "path")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["children"] = Region.objects.visible_to(self.request.user).filter(parent=self.object)
        return ctx


class RegionAdd(generic.ObjectCreateView):
    form_class = RegionForm


class RegionEdit(generic.ObjectEditView):
    form_class = RegionForm


# Users and role assignments
class UserList(generic.ObjectListView):
    table_class = t.UserTable
    filterset_class = f.UserFilter
    prefetch_related = ("role_assignments__region", "role_assignments__enterprise")


class UserDetail(generic.ObjectDetailView):
    detail_fields = ("username", "name", "phone", "email", "is_active", "last_login", "date_joined")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["locked_out"] = tokens.locked_out(self.object.username)
        ctx["assignments"] = RoleAssignment.objects.visible_to(self.request.user).filter(user=self.object).select_related(
            "region", "enterprise"
        )
        return ctx


class UserUnlock(generic.ScopedViewMixin, View):
    """POST: clears the sign-in lockout of a user the caller may change (the attention item's remedy)."""

    action = CHANGE

    def post(self, request, pk):
        user = get_object_or_404(self.get_queryset(), pk=pk)
        cleared = tokens.unlock(user.username)
        if cleared:
            audit.record_event(actor=request.user, verb="user.unlocked", target=user,
                               summary=gettext("Sign-in lockout cleared"))
            messages.success(request, gettext("Sign-in unlocked for %(user)s.") % {"user": user})
        return redirect(user.get_absolute_url())


class AccountView(TemplateView):
    """The signed-in user's own account: password, API tokens."""

    template_name = "core/account.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["api_tokens"] = tokens.active_tokens(self.request.user).order_by("-created")
        ctx["token_hours"] = int(settings.REST_KNOX["TOKEN_TTL"].total_seconds() // 3600)
        return ctx


class RevokeTokensView(View):
    """POST: revokes every API token of the signed-in user (a lost laptop, a script that leaked one)."""

    def post(self, request):
        count = tokens.revoke_tokens(request.user)
        messages.success(request, ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count)
                         % {"count": count})
        return redirect("account")


class UserAdd(generic.ObjectCreateView):
    form_class = UserCreateForm


class UserEdit(generic.ObjectEditView):
    form_class = UserEditForm


class RoleAssignmentList(generic.ObjectListView):
    table_class = t.RoleAssignmentTable
    filterset_class = f.RoleAssignmentFilter
    select_related = ("user", "region", "enterprise")


class RoleAssignmentAdd(generic.ObjectCreateView):
    form_class = RoleAssignmentForm

    def get_initial(self):
        return {"user": self.request.GET.get("user")}


class RoleAssignmentEdit(generic.ObjectEditView):
    form_class = RoleAssignmentForm


class RoleAssignmentDelete(generic.ObjectDeleteView):
    def get_success_url(self):
        return self.object.user.get_absolute_url()


# Audit
class ChangeLogList(generic.ObjectListView):
    table_class = t.ChangeLogTable
    filterset_class = f.ChangeLogFilter
    select_related = ("actor", "content_type")
    export_name = "change-log"


class ChangeLogDetail(generic.ObjectDetailView):
    template_name = "core/changelogentry_detail.html"
    detail_fields = ("timestamp", "actor", "action", "object_repr", "cid", "remote_addr")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["changes"] = change_rows(self.object)
        for row in ctx["fields"]:
            if row["name"] == "action":
                row["label"] = audit.CHANGE_ACTION_LABEL
        return ctx


def change_rows(entry):
    """(label, before, after) of a change-log entry. Personal fields go through the one masking
    rule again: auditlog stored them masked, but entries written before the rule changed kept more
    (its default kept the last half, ``*****307069``)."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    personal = getattr(model, "personal_fields", {}) if model else {}
    rows = []
    for name, values in entry.changes_dict.items():
        before, after = (list(values) + [None, None])[:2] if isinstance(values, (list, tuple)) else (None, values)
        if name in personal:
            before, after = (masking.mask(personal[name], v) if v not in (None, "", "None") else v for v in (before, after))
        rows.append((audit.field_label(model, name), before, after))
    return rows


class AccessLogList(generic.ObjectListView):
    table_class = t.AccessLogTable
    filterset_class = f.AccessLogFilter
    select_related = ("actor", "content_type")


class EventPaginator(LazyPaginator):
    """Pages without ``COUNT(*)``: each event's subject is checked against the reader's scope by
    its key (core/scope.py ``subject_q``), cheap for the newest page, which stops after its rows,
    but not for counting every event of a county."""

    counts_rows = False


class EventList(generic.ObjectListView):
    table_class = t.EventTable
    filterset_class = f.EventFilter
    select_related = ("actor",)

    def get_paginate_by(self, queryset):
        return None  # the table pages itself; Django's list pagination would count the whole set

    def get_table_pagination(self, table):
        return {"per_page": self.paginate_by, "paginator_class": EventPaginator}


class JobRunList(generic.ObjectListView):
    table_class = t.JobRunTable
    filterset_class = None
    filterset_fields = ["status"]


region_urls = generic.model_urls(Region, list=RegionList, detail=RegionDetail, add=RegionAdd, edit=RegionEdit)
user_urls = generic.model_urls(User, list=UserList, detail=UserDetail, add=UserAdd, edit=UserEdit, reveal=generic.RevealView) + [
    path("users/<int:pk>/unlock/", type("UserUnlock", (UserUnlock,), {"model": User}).as_view(), name="user_unlock"),
]
assignment_urls = generic.model_urls(
    RoleAssignment, list=RoleAssignmentList, add=RoleAssignmentAdd, edit=RoleAssignmentEdit, delete=RoleAssignmentDelete,
    prefix="role-assignments/",
)
# Working-day calendar (core/workdays.py): county administrators keep it up to date.
class CalendarYearList(generic.ObjectListView):
    table_class = t.CalendarYearTable
    filterset_class = None
    filterset_fields = ["year"]


class CalendarYearDetail(generic.ObjectDetailView):
    detail_fields = ("year", "source")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["days"] = CalendarDay.objects.visible_to(self.request.user).filter(date__year=self.object.year).order_by("date")
        for row in ctx["fields"]:
            if row["name"] == "source":
                row["value"] = self.object.source_label
        return ctx


class CalendarDayList(generic.ObjectListView):
    table_class = t.CalendarDayTable
    filterset_class = None
    filterset_fields = ["kind"]


class CalendarDayDetail(generic.ObjectDetailView):
    detail_fields = ("date", "kind", "name")


class RecomputesDeadlines:
    """A change to the calendar recomputes the stored deadlines of running cases and evaluations
    (workdays.recompute_deadlines: one timeline event per record moved) and says how many moved."""

    def recompute(self):
        from . import workdays

        moved = sum(workdays.recompute_deadlines(actor=self.request.user).values())
        if moved:
            messages.info(self.request, ngettext(
                "%(count)s running deadline was recomputed on the changed calendar.",
                "%(count)s running deadlines were recomputed on the changed calendar.", moved) % {"count": moved})

    def save_form(self, form):
        saved = super().save_form(form)
        self.recompute()
        return saved


class CalendarDelete(RecomputesDeadlines, generic.ObjectDeleteView):
    def form_valid(self, form):
        response = super().form_valid(form)
        self.recompute()
        return response


def _calendar_form(name, base, fields):
    return type(name, (RecomputesDeadlines, base), {"fields": fields})


calendar_urls = generic.model_urls(
    CalendarYear, list=CalendarYearList, detail=CalendarYearDetail,
    add=_calendar_form("CalendarYearAdd", generic.ObjectCreateView, ["year", "source"]),
    edit=_calendar_form("CalendarYearEdit", generic.ObjectEditView, ["year", "source"]),
    delete=CalendarDelete, prefix="calendar/years/",
) + generic.model_urls(
    CalendarDay, list=CalendarDayList, detail=CalendarDayDetail,
    add=_calendar_form("CalendarDayAdd", generic.ObjectCreateView, ["date", "kind", "name"]),
    edit=_calendar_form("CalendarDayEdit", generic.ObjectEditView, ["date", "kind", "name"]),
    delete=CalendarDelete, prefix="calendar/days/",
)

audit_urls = (
    generic.model_urls(ChangeLogEntry, list=ChangeLogList, detail=ChangeLogDetail, prefix="audit/changes/")
    + generic.model_urls(AccessLog, list=AccessLogList, prefix="audit/access/")
    + generic.model_urls(Event, list=EventList, prefix="audit/events/")
    + generic.model_urls(JobRun, list=JobRunList, prefix="jobs/")
)


# Notifications: a personal inbox, read only by its recipient.
class NotificationList(TemplateView):
    template_name = "core/notifications.html"

    def get_context_data(self, **kwargs):
        from . import notify

        ctx = super().get_context_data(**kwargs)
        ctx["notifications"] = list(notify.for_user(self.request.user)[:100])
        return ctx


def notifications_read(request):
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import redirect

    from . import notify

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    notify.mark_read(request.user)
    return redirect("core:notification_list")


notification_urls = [
    path("notifications/", NotificationList.as_view(), name="notification_list"),
    path("notifications/read/", notifications_read, name="notifications_read"),
]
