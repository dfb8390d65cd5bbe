"""Import pages: upload → dry run with every problem listed → commit (inline, or as a background
task with a progress bar for large files) → the batch's page. Thin: the work is in importers.py."""
from pathlib import Path
from urllib.parse import quote, urlencode
import hashlib
import io
import uuid

import django_filters
import django_tables2 as tables
from django import forms
from django.apps import apps
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import generic as django_views

from concord.core import generic, imports
from concord.core.filters import SearchFilterSet
from concord.core.models import ImportBatch
from concord.core.scope import ADD, can
from concord.core.tables import ConcordTable

from . import importers, tasks
from .models import Enterprise, Worker

SHOWN_PROBLEMS = 500
_SALT = "concord.registry.import"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), help_text=gettext_lazy("Excel (.xlsx, .xls), OpenDocument (.ods) or CSV."))


class ImportView(generic.ScopedViewMixin, django_views.TemplateView):
    """GET: the upload form. POST with a file: the dry run. POST with ``token``: the commit."""

    kind = None
    action = ADD
    template_name = "registry/import_form.html"

    def file_kind(self):
        return imports.KINDS[self.kind]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kind = self.file_kind()
        ctx.update(
            file_kind=kind,
            title=_("Import %(what)s") % {"what": kind.spec.title},
            columns=[(c.title(), c.required, c.readonly) for c in kind.spec.columns],
            template_url=reverse(kind.template_url) + f"?kind={kind.kind}",
            max_mb=imports.max_bytes() // (1024 * 1024),
            background_rows=imports.background_rows(),
            recent=ImportBatch.objects.visible_to(self.request.user).filter(kind=kind.kind).select_related("actor")[:10],
        )
        ctx.setdefault("form", UploadForm())
        return ctx

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.commit(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        result = importers.import_file(self.kind, upload, actor=request.user, filename=upload.name, commit=False)
        ctx = {"form": UploadForm(), "result": result, "problems": result.errors[:SHOWN_PROBLEMS],
               "notices": result.notices[:SHOWN_PROBLEMS], "hidden_problems": max(0, len(result.errors) - SHOWN_PROBLEMS),
               "hidden_notices": max(0, len(result.notices) - SHOWN_PROBLEMS)}
        if result.ok:
            # Keep the checked file until the user confirms (default storage: shared with the workers).
            upload.seek(0)
            path = default_storage.save(f"{imports.PENDING_DIR}{uuid.uuid4().hex}{Path(upload.name).suffix.lower()[:8]}", upload)
            ctx["token"] = signing.dumps(
                {"path": path, "sha": result.sha256, "kind": self.kind, "user": request.user.pk, "name": upload.name[:255],
                 "rows": result.rows, "size": result.size},
                salt=_SALT, compress=True,
            )
            ctx["background"] = result.rows > imports.background_rows()
        elif result.errors and result.sha256:  # a file that could not be read has no rows to give back
            ctx["problems_url"] = self.keep_for_problems(upload, result)
        return self.render_to_response(self.get_context_data(**ctx))

    # -- the dry run's problems as an Excel file (issue 14): the refused file is kept like a checked
    # one (purged after a day) and a signed link, for this user only, gives its rows with the reasons.

    def keep_for_problems(self, upload, result) -> str:
        upload.seek(0)
        path = default_storage.save(f"{imports.PENDING_DIR}{uuid.uuid4().hex}{Path(upload.name).suffix.lower()[:8]}", upload)
        token = signing.dumps({"path": path, "sha": result.sha256, "kind": self.kind, "user": self.request.user.pk,
                               "name": upload.name[:255]}, salt=_SALT + ".problems", compress=True)
        return f"{self.request.path}?{urlencode({'problems': token})}"

    def get(self, request, *args, **kwargs):
        if "problems" in request.GET:
            return self.problems_download(request.GET["problems"])
        return super().get(request, *args, **kwargs)

    def problems_download(self, signed):
        try:
            token = signing.loads(signed, salt=_SALT + ".problems", max_age=24 * 3600)
        except signing.BadSignature:
            token = None
        if not token or token.get("user") != self.request.user.pk or token.get("kind") != self.kind:
            messages.error(self.request, _("This check has expired: upload the file again."))
            return redirect(self.request.path)
        try:
            with default_storage.open(token["path"], "rb") as fh:
                data = fh.read()
        except (FileNotFoundError, OSError):
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != token["sha"]:
            messages.error(self.request, _("This check has expired: upload the file again."))
            return redirect(self.request.path)
        # The same check as the dry run, so the reasons are the ones the page showed.
        result = importers.import_file(self.kind, io.BytesIO(data), actor=self.request.user, filename=token["name"],
                                       commit=False)
        try:
            table = imports.read_table(io.BytesIO(data), token["name"])
        except imports.ImportFileError:
            table = imports.Table(header=[], rows=iter(()), sha256=token["sha"], size=len(data), name=token["name"])
        response = HttpResponse(imports.problems_workbook(table, result.errors),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = _("Problems of %(file)s") % {"file": Path(token["name"]).stem}
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.xlsx"
        return response

    def commit(self, request):
        try:
            token = signing.loads(request.POST["token"], salt=_SALT, max_age=24 * 3600)
        except signing.BadSignature:
            token = None
        if not token or token.get("user") != request.user.pk or token.get("kind") != self.kind:
            messages.error(request, _("This check has expired: upload the file again."))
            return redirect(request.path)
        path = token["path"]
        try:
            with default_storage.open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
        except (FileNotFoundError, OSError):
            digest = None
        if digest != token["sha"]:
            messages.error(request, _("This check has expired: upload the file again."))
            return redirect(request.path)
        region_path, enterprise_id = importers._anchor(request.user)
        batch = ImportBatch(
            kind=self.kind, file_name=token["name"], sha256=token["sha"], size=token.get("size", 0),
            row_count=token["rows"], actor=request.user, region_path=region_path, enterprise_id=enterprise_id,
        )
        batch.file.name = path
        batch.save()
        if token["rows"] > imports.background_rows():
            transaction.on_commit(lambda: tasks.commit_import.delay(batch.pk))
        else:
            tasks.run_batch(batch.pk)
        return redirect(reverse("registry:import_batch_detail", args=[batch.pk]))


class EnterpriseImport(ImportView):
    kind = "enterprises"
    model = Enterprise


class WorkerImport(ImportView):
    kind = "workers"
    model = Worker


class TemplateDownload(django_views.View):
    """The .xlsx template of a file kind (``?kind=workers``), for users who may import it."""

    def get(self, request):
        kind = imports.KINDS.get(request.GET.get("kind", ""))
        if kind is None or not can(request.user, kind.model, ADD):
            raise Http404
        response = HttpResponse(kind.spec.template(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        
        name = _("%(what)s import template") % {"what": kind.spec.title}
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.xlsx"
        return response


class ImportBatchDetail(generic.ScopedViewMixin, django_views.DetailView):
    model = ImportBatch
    template_name = "registry/import_batch.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["registry/import_batch_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = self.object
        progress = batch.progress
        if batch.in_progress:
            progress = cache.get(imports.progress_key(batch.pk), progress)
        kind = imports.KINDS.get(batch.kind)
        counts = []
        for name, c in (batch.counts or {}).items():
            try:
                label = apps.get_model("registry", name)._meta.verbose_name_plural
            except LookupError:
                label = name
            counts.append((label, c.get("created", 0), c.get("updated", 0)))
        ctx.update(
            counts=counts,
            batch=batch,
            progress=progress,
            problems=[imports.RowError.from_list(e) for e in batch.errors[:SHOWN_PROBLEMS]],
            notices=[imports.RowError.from_list(e) for e in batch.notices[:SHOWN_PROBLEMS]],
            hidden_problems=max(0, batch.error_count - SHOWN_PROBLEMS),
            # Only for a user who may import again (an auditor reads the batch but imports nothing).
            import_url=reverse(kind.import_url) if kind and can(self.request.user, kind.model, ADD) else "",
            list_url=_list_url(kind),
            list_label=kind.model._meta.verbose_name_plural if kind else "",
        )
        return ctx


def _list_url(kind) -> str:
    """The list the batch's rows belong to (registry lists; other apps' kinds name theirs)."""
    if kind is None:
        return ""
    meta = kind.model._meta
    for name in (getattr(kind, "list_url", ""), f"{meta.app_label}:{meta.model_name}_list"):
        try:
            return reverse(name) if name else ""
        except NoReverseMatch:
            continue
    return ""


class ImportBatchTable(ConcordTable):
    file_name = tables.Column(linkify=True)

    class Meta(ConcordTable.Meta):
        model = ImportBatch
        fields = ("created_at", "kind", "file_name", "actor", "status", "row_count", "created", "updated", "unchanged", "error_count")


class ImportBatchFilter(SearchFilterSet):
    search_fields = ("file_name", "sha256")
    status = django_filters.ChoiceFilter(choices=ImportBatch.Status.choices, label=gettext_lazy("status"))

    class Meta:
        model = ImportBatch
        fields = ["q", "kind", "status"]


class ImportBatchList(generic.ObjectListView):
    model = ImportBatch
    table_class = ImportBatchTable
    filterset_class = ImportBatchFilter
    select_related = ("actor",)
    export_name = "import-batches"

