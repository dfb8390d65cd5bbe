"""Generic list / detail / create / edit / delete / reveal views used by every model.

Each view fetches rows through ``Model.objects.visible_to(user, action)``; a row outside scope is a
404; a write is re-checked against the scope inside its transaction and rolled back when it would
leave it. URL names follow ``app:model_action`` (``model_urls`` builds them).
"""
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import generic
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import audit, exports, filters, imports, masking
from .scope import ADD, CHANGE, DELETE, VIEW, OutOfScope, can, ensure_in_scope, restrict_form_fields


def url_name(model, action: str, namespace: bool = True) -> str:
    name = f"{model._meta.model_name}_{action}"
    return f"{model._meta.app_label}:{name}" if namespace else name


class ScopedViewMixin:
    model: type[models.Model] = None
    action = VIEW
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, self.model, self.action):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        qs = self.model._default_manager.visible_to(self.request.user, self.action)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        opts = self.model._meta
        user = self.request.user
        ctx.update(
            opts=opts,
            model_name=opts.verbose_name,
            model_name_plural=opts.verbose_name_plural,
            list_url=self._url("list"),
            can_add=can(user, self.model, ADD) and self._url("add"),
            can_change=can(user, self.model, CHANGE),
            can_delete=can(user, self.model, DELETE),
        )
        return ctx

    def _url(self, action, *args):
        try:
            return reverse(url_name(self.model, action), args=args)
        except Exception:
            return ""


class ObjectListView(ScopedViewMixin, SingleTableMixin, FilterView):
    """A list with filters, sorting, pagination and export (``?export=xlsx`` or ``csv``).

    htmx requests get only the table partial, so filtering and paging swap the table in place."""

    template_name = "core/object_list.html"
    paginate_by = 25
    export_name = None
    filterset_fields = None

    def get_filterset_class(self):
        # A list that names only ``filterset_fields`` still gets the platform's filter set (scoped
        # choices, "All" as the empty choice), not django-filter's plain one.
        if not self.filterset_class and self.filterset_fields:
            from django_filters.filterset import filterset_factory

            from .filters import ScopedFilterSet

            return filterset_factory(model=self.model, filterset=ScopedFilterSet, fields=self.filterset_fields)
        return super().get_filterset_class()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs

    def get_filterset(self, filterset_class):
        # Numbers no column can hold make the filter form invalid (an empty list), not a 500.
        return filters.bound_filters(super().get_filterset(filterset_class))

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            # The table and, out of band, the export links with the same filters (issue 14).
            return ["core/partials/list_swap.html"]
        return [self.template_name]

    def get_table_pagination(self, table):
        return {"per_page": self.paginate_by}

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in exports.FORMATS:
            return self.export(fmt)
        return super().get(request, *args, **kwargs)

    def export(self, fmt):
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else self.get_queryset()
        if getattr(filterset, "lookup_refused", False):
            return redirect(self.request.path)  # the filter logged the refusal and said why
        unmasked = self.request.GET.get("unmask") == "1" and masking.may_reveal(self.request.user)
        personal = getattr(self.model, "personal_fields", {})
        if unmasked and personal:
            # One entry per export: who, when (the entry's time), which list, which filters, how many rows.
            audit.record_access(
                actor=self.request.user, target=None, model=self.model, field=",".join(personal),
                purpose=f"export:{fmt}", count=queryset.count(), request=self.request,
                label=self.export_name or str(self.model._meta.verbose_name_plural),
                filters=audit.masked_query(self.request.GET),
            )
        basename = self.export_name or str(self.model._meta.verbose_name_plural)
        file_kind = imports.for_model(self.model)
        if file_kind is not None:
            # The model's import file: the same headers and formats, so the export re-imports.
            rows = file_kind.export_rows(queryset, user=self.request.user, unmasked=unmasked)
            return exports.export_rows(rows, fmt, basename)
        table = self.get_table_class()(queryset, request=self.request)
        exclude = [name for name, col in table.columns.items() if col.column.attrs.get("export") is False]
        table.unmasked = unmasked
        return exports.export_rows(table.as_values(exclude_columns=exclude), fmt, basename)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["export_query"] = query.urlencode()
        ctx.update(uncounted_rows(ctx.get("table")))
        ctx["has_personal"] = bool(getattr(self.model, "personal_fields", None))
        ctx["can_unmask"] = masking.may_reveal(self.request.user)
        file_kind = imports.for_model(self.model)
        if file_kind is not None and can(self.request.user, self.model, ADD):
            ctx["import_url"] = reverse(file_kind.import_url)
            ctx["template_url"] = reverse(file_kind.template_url) + f"?kind={file_kind.kind}"
        return ctx


def uncounted_rows(table) -> dict:
    """For a list paged without counting (registry.tables.NoCountPaginator): the rows up to this
    page, as "more than N" while a next page exists, exactly on the last page — never a COUNT(*)."""
    paginator = getattr(table, "paginator", None)
    page = getattr(table, "page", None)
    if paginator is None or page is None or getattr(paginator, "counts_rows", True) is not False:
        return {}
    shown = (page.number - 1) * paginator.per_page + len(page.object_list)
    if page.has_next():
        return {"rows_more_than": shown, "rows_exactly": None}
    return {"rows_more_than": None, "rows_exactly": shown}


class ObjectDetailView(ScopedViewMixin, generic.DetailView):
    """Shows ``detail_fields`` (personal ones masked, with a logged reveal) and the object's timeline."""

    template_name = "core/object_detail.html"
    detail_fields: tuple[str, ...] = ()

    def get_template_names(self):
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_detail.html", self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx["fields"] = [field_display(obj, name, self.request.user) for name in self.detail_fields]
        ctx["edit_url"] = can(self.request.user, self.model, CHANGE) and self._url("edit", obj.pk)
        ctx["delete_url"] = can(self.request.user, self.model, DELETE) and self._url("delete", obj.pk)
        ctx["timeline"] = object_timeline(obj, self.request.user)
        return ctx


def field_display(obj, name, user):
    """(label, value, reveal_url) for a detail page row."""
    field = obj._meta.get_field(name)
    personal = getattr(obj, "personal_fields", {})
    if field.choices:
        value = getattr(obj, f"get_{name}_display")()
    else:
        value = getattr(obj, name)
    reveal_url = ""
    if name in personal and value:
        if masking.may_reveal(user):
            try:
                reveal_url = reverse(url_name(type(obj), "reveal"), args=[obj.pk, name])
            except Exception:
                reveal_url = ""
        value = masking.mask(personal[name], value)
    if isinstance(value, bool):
        value = _("Yes") if value else _("No")
    elif value is None or value == "":
        value = "—"
    return {"name": name, "label": field.verbose_name, "value": value, "reveal_url": reveal_url,
            "link": visible_link(value, user)}


def visible_link(value, user) -> str:
    """The related record's page when the user may open it, else "" (a link that 404s is a dead end:
    a court liaison sees a meeting's organiser but not the user pages)."""
    url = getattr(value, "get_absolute_url", None) and value.get_absolute_url()
    if not url or not isinstance(value, models.Model):
        return url or ""
    manager = type(value)._default_manager
    if hasattr(manager, "visible_to") and not manager.visible_to(user).filter(pk=value.pk).exists():
        return ""
    return url


def mask_personal_fields(form, user):
    """An edit form shows a record's personal fields masked, as its detail page does: sending the
    masked value back keeps the stored one, typing a new value replaces it, and a role that may
    reveal gets a "Show" button whose reveal is logged (purpose "edit")."""
    instance = getattr(form, "instance", None)
    personal = getattr(type(instance), "personal_fields", {}) if instance is not None else {}
    if not personal or instance.pk is None:
        return
    for name, kind in personal.items():
        stored = getattr(instance, name, "") or ""
        if name not in form.fields or not stored:
            continue
        masked = masking.mask(kind, stored)
        form.initial[name] = masked
        field = form.fields[name]
        field.clean = _keep_when_masked(field.clean, masked, stored)
        if masking.may_reveal(user):
            try:
                field.reveal_url = reverse(url_name(type(instance), "reveal"), args=[instance.pk, name])
            except Exception:
                pass


def _keep_when_masked(clean, masked, stored):
    def keep(value):
        if isinstance(value, str) and "".join(value.split()) == masked:
            return clean(stored)
        return clean(value)
    return keep


def object_timeline(obj, user, limit=50):
    """Domain events and change-log entries about ``obj`` that the user may see, newest first."""
    from django.contrib.contenttypes.models import ContentType

    from .models import ChangeLogEntry, Event

    ct = ContentType.objects.get_for_model(obj)
    events = list(
        Event.objects.visible_to(user).filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")[:limit]
    )
    changes = list(
        ChangeLogEntry.objects.visible_to(user).filter(content_type=ct, object_pk=str(obj.pk)).select_related("actor")[:limit]
    )
    rows = [{"time": e.created_at, "actor": e.actor, "kind": "event", "label": audit.verb_label(e.verb), "text": e.summary}
            for e in events]
    rows += [
        {"time": c.timestamp, "actor": c.actor, "kind": "change", "label": c.get_action_display(), "text": audit.changed_fields(c)}
        for c in changes
    ]
    return sorted(rows, key=lambda r: r["time"], reverse=True)[:limit]


class ScopedFormMixin:
    """Restricts choices, saves inside a transaction and rolls back a write that leaves scope."""

    fields = None
    success_message = None

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        restrict_form_fields(form, self.request.user)
        mask_personal_fields(form, self.request.user)
        return form

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save_form(form)
                ensure_in_scope(self.object, self.request.user, self.action)
        except OutOfScope as exc:
            form.add_error(None, str(exc.args[0]) if exc.args else _("Out of scope."))
            if getattr(self, "object", None) is not None and self.action == ADD:
                self.object = None
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())

    def save_form(self, form):
        return form.save()

    def get_success_url(self):
        return self.object.get_absolute_url()


class ObjectCreateView(ScopedViewMixin, ScopedFormMixin, generic.CreateView):
    action = ADD
    template_name = "core/object_form.html"

    def get_queryset(self):
        return self.model._default_manager.none()


class ObjectEditView(ScopedViewMixin, ScopedFormMixin, generic.UpdateView):
    action = CHANGE
    template_name = "core/object_form.html"


class ObjectDeleteView(ScopedViewMixin, generic.DeleteView):
    action = DELETE
    template_name = "core/object_confirm_delete.html"

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object.delete()
        except ProtectedError:
            messages.error(self.request, _("This record is still referenced by other records and cannot be deleted."))
            return redirect(self.object.get_absolute_url())
        messages.success(self.request, _("Deleted."))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse(url_name(self.model, "list"))


class RevealView(ScopedViewMixin, generic.View):
    """POST: returns the full value of one personal field and writes the access log."""

    def post(self, request, pk, field):
        personal = getattr(self.model, "personal_fields", {})
        if field not in personal or not masking.may_reveal(request.user):
            raise Http404
        obj = self.get_queryset().filter(pk=pk).first()
        if obj is None:
            raise Http404
        value = getattr(obj, field)
        if request.POST.get("into") == "form":
            # The edit form's reveal: the masked input becomes an input holding the full value.
            audit.record_access(actor=request.user, target=obj, field=field, purpose=audit.EDIT, request=request)
            return HttpResponse(format_html(
                '<input type="text" name="{}" value="{}" class="form-control font-monospace" id="id_{}" autocomplete="off">',
                field, value, field,
            ))
        audit.record_access(actor=request.user, target=obj, field=field, request=request)
        return HttpResponse(format_html('<span class="font-monospace">{}</span>', value))

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])


def model_urls(model, *, list=None, detail=None, add=None, edit=None, delete=None, reveal=None, prefix=None):
    """URL patterns for a model's generic views, named ``<model>_<action>``; pass the view classes
    (already configured) that the model has."""
    prefix = prefix or f"{model._meta.model_name}s/"
    patterns = []
    for action, view, route in (
        ("list", list, ""),
        ("add", add, "add/"),
        ("detail", detail, "<int:pk>/"),
        ("edit", edit, "<int:pk>/edit/"),
        ("delete", delete, "<int:pk>/delete/"),
        ("reveal", reveal, "<int:pk>/reveal/<str:field>/"),
    ):
        if view is None:
            continue
        if getattr(view, "model", None) not in (None, model):
            raise ImproperlyConfigured(f"{view} is not a view of {model}")
        bound = view if getattr(view, "model", None) is model else type(view.__name__, (view,), {"model": model})
        patterns.append(path(prefix + route, bound.as_view(), name=url_name(model, action, namespace=False)))
    return patterns


class EnterpriseFormMixin:
    """For a FormView whose form is limited to the user's scope and names an enterprise: the form
    gets the user, and ``?enterprise=<id>`` (a link from the enterprise's pages) preselects it."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = self.request.GET["enterprise"]
        return initial


class ListLinkMixin:
    """A form page that links back to its list (``list_url_name``, as ``list_url`` in the template)
    and returns there after saving, unless its form_valid sends the user elsewhere."""

    list_url_name = ""

    def get_success_url(self):
        return reverse(self.list_url_name)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "list_url": reverse(self.list_url_name)}
