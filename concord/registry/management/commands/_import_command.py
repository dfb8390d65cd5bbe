"""Shared body of ``import_enterprises`` and ``import_workers``."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _


class ImportCommand(BaseCommand):
    kind = None
    help = "Check (dry run, the default) or import (--commit) a registry file as a user, with that user's scope."

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx, .xls, .ods or .csv")
        parser.add_argument("--user", required=True, help="username of the importer; their scope applies")
        parser.add_argument("--commit", action="store_true", help="write the rows (all or nothing); default: dry run")
        parser.add_argument("--language", default=None, help="language of the messages (zh-hans or en; default: the site's)")

    def handle(self, *args, **options):
        from concord.registry.importers import import_file

        User = get_user_model()
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {options['user']!r}.") from None
        with translation.override(options["language"] or translation.get_language()):
            result = import_file(self.kind, options["file"], actor=user, commit=options["commit"])
            for error in result.errors:
                self.stderr.write(str(error))
            for notice in result.notices:
                self.stdout.write(str(notice))
            summary = _("%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
                "rows": result.rows, "created": result.created, "updated": result.updated, "unchanged": result.unchanged}
            if result.errors:
                self.stderr.write(_("%(n)s problems; nothing was imported.") % {"n": len(result.errors)})
            elif result.committed:
                self.stdout.write(self.style.SUCCESS(_("Imported: %(summary)s (%(seconds).1f s, batch %(batch)s).") % {
                    "summary": summary, "seconds": result.seconds, "batch": result.batch.pk}))
            else:
                self.stdout.write(_("Dry run, nothing written: %(summary)s. Add --commit to import.") % {"summary": summary})
        if result.errors:
            raise SystemExit(1)
