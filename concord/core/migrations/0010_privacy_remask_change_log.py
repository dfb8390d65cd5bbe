"""Re-mask the personal fields already in the change log by the one rule (core/masking.py).

django-auditlog stored them by its own rule before (the last half kept: ``*****307069``, and the
last 9 characters of an ID number, the birth day among them), and a worker's birth date unmasked.
Masking a masked value again by the one rule shows no more than the rule allows; entries already
masked by it are unchanged, so running this twice changes nothing."""
from django.db import migrations

from concord.core.masking import mask_value

# The models' personal_fields when this was written (historical models do not carry them).
PERSONAL = {
    ("registry", "worker"): ("id_number", "phone", "birth_date"),
    ("registry", "enterprise"): ("contact_phone",),
    ("core", "user"): ("phone",),
    ("disputes", "claimant"): ("id_number", "phone"),
    ("harmony", "objection"): ("contact",),
}


def remask(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    for (app_label, model), fields in PERSONAL.items():
        ct = ContentType.objects.filter(app_label=app_label, model=model).first()
        if ct is None:
            continue
        batch = []
        for entry in LogEntry.objects.filter(content_type=ct).only("pk", "changes").iterator(chunk_size=2000):
            changes = entry.changes
            if not isinstance(changes, dict) or not any(f in changes for f in fields):
                continue
            changed = False
            for field in fields:
                values = changes.get(field)
                if not isinstance(values, list):
                    continue
                masked = [v if v in (None, "", "None") else mask_value(v) for v in values]
                if masked != values:
                    changes[field], changed = masked, True
            if changed:
                batch.append(entry)
            if len(batch) >= 2000:
                LogEntry.objects.bulk_update(batch, ["changes"])
                batch = []
        if batch:
            LogEntry.objects.bulk_update(batch, ["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_privacy_accesslog_filters"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
