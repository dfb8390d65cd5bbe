from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every .po file under LOCALE_PATHS to .mo (pure Python, so no gettext tools are needed)."

    def handle(self, *args, **options):
        count = 0
        for base in settings.LOCALE_PATHS:
            for po_path in Path(base).glob("*/LC_MESSAGES/*.po"):
                catalog = polib.pofile(str(po_path))
                bad = [e.msgid for e in catalog if e.msgid and not e.obsolete and ("fuzzy" in e.flags)]
                if bad:
                    raise CommandError(f"{po_path}: fuzzy entries: {bad[:5]}")
                catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} catalogue(s).")
