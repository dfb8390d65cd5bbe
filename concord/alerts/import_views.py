"""The partner-file import pages of early warning, on the registry's import pages: upload → dry run
with every problem by row and column → commit → the batch's page, and the template download.
Thin: the work is in importers.py (and the registry's import mechanism)."""
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from concord.core import imports
from concord.core.scope import ADD, can
from concord.registry import import_views as base

from .importers import KIND
from .models import RiskSignal


def _reverse(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class SignalImport(base.ImportView):
    """GET: the upload form. POST with a file: the dry run. POST with ``token``: the commit."""

    kind = KIND
    model = RiskSignal
    template_name = "alerts/import_form.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(title=_("Import risk signals from a partner department's file"),
                   list_url=_reverse("alerts:signal_list"), model_name_plural=_("Risk signals"))
        return ctx

    def commit(self, request):
        response = super().commit(request)
        # The registry's commit answers with its own batch page; this kind's batch page is ours.
        try:
            match = resolve(response.url) if response.status_code == 302 else None
        except Resolver404:
            match = None
        if match is not None and match.view_name == "registry:import_batch_detail":
            return redirect(reverse("alerts:signal_import_batch", kwargs=match.kwargs))
        return response


class SignalTemplateDownload(base.TemplateDownload):
    """The .xlsx template of the partner file (the Notes sheet describes every column)."""

    def get(self, request):
        if request.GET.get("kind", KIND) != KIND:
            raise Http404
        request.GET = request.GET.copy()
        request.GET["kind"] = KIND
        return super().get(request)


class SignalImportBatch(base.ImportBatchDetail):
    """A batch's page: what the commit did, or every problem of a refused file."""

    def get_context_data(self, **kwargs):
        # The registry's page finds its lists by the registry's URL names; this one names its own.
        ctx = super(base.ImportBatchDetail, self).get_context_data(**kwargs)
        batch = self.object
        progress = batch.progress
        if batch.in_progress:
            from django.core.cache import cache

            progress = cache.get(imports.progress_key(batch.pk), progress)
        kind = imports.KINDS.get(batch.kind)
        counts = []
        for name, c in (batch.counts or {}).items():
            if name == "risksignal":
                counts.append((RiskSignal._meta.verbose_name_plural, c.get("created", 0), c.get("updated", 0)))
        ours = batch.kind == KIND
        ctx.update(
            batch=batch, progress=progress, counts=counts,
            problems=[imports.RowError.from_list(e) for e in batch.errors[:base.SHOWN_PROBLEMS]],
            notices=[imports.RowError.from_list(e) for e in batch.notices[:base.SHOWN_PROBLEMS]],
            hidden_problems=max(0, batch.error_count - base.SHOWN_PROBLEMS),
            import_url=_reverse(kind.import_url) if kind and can(self.request.user, kind.model, ADD) else "",
            list_url=_reverse("alerts:signal_list") if ours else "",
            list_label=RiskSignal._meta.verbose_name_plural if ours else "",
        )
        return ctx
