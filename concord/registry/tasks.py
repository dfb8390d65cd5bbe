"""Background work of the registry: committing a large import file."""
import hashlib
import logging

from celery import shared_task
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import imports
from concord.core.models import ImportBatch

logger = logging.getLogger(__name__)


@shared_task(name="concord.registry.tasks.commit_import")
def commit_import(batch_id: int) -> str:
    return run_batch(batch_id)


def run_batch(batch_id: int) -> str:
    """Commit a queued batch once (a redelivered task finds it taken and does nothing).

    Progress goes to the cache (the commit is one transaction, so rows written inside it are not
    visible to the page that polls) and to ``ImportBatch.progress`` between phases."""
    from . import importers

    if not ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED).update(
        status=ImportBatch.Status.RUNNING, started_at=timezone.now()
    ):
        return "skipped"
    batch = ImportBatch.objects.select_related("actor").get(pk=batch_id)
    key = imports.progress_key(batch_id)

    def progress(pct):
        cache.set(key, pct, 3600)
        if not connection.in_atomic_block:
            ImportBatch.objects.filter(pk=batch_id).update(progress=pct)

    try:
        with default_storage.open(batch.file.name, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError, ValueError):
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != batch.sha256 or batch.actor is None:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, finished_at=timezone.now(), error_count=1,
            errors=[[None, "", _("The uploaded file is no longer available: upload it again."), ""]],
        )
        return ImportBatch.Status.FAILED
    progress(1)
    try:
        result = importers.import_file(batch.kind, data, actor=batch.actor, filename=batch.file_name, commit=True,
                                       batch=batch, progress=progress)
    finally:
        # The file holds full ID numbers: once committed or refused it is not kept (its SHA-256 is).
        _discard(batch)
    return ImportBatch.Status.COMMITTED if result.committed else ImportBatch.Status.FAILED


def _discard(batch):
    name = batch.file.name
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete import file %s", name)
    ImportBatch.objects.filter(pk=batch.pk).update(file="")
