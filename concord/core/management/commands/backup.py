from django.core.management.base import BaseCommand, CommandError

from concord.core import backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite: online backup API; PostgreSQL: pg_dump, custom format) and the "
            "attachments folder into DIR, a new or empty directory, with a manifest of the migration state "
            "and every table's row count and checksum. See docs/operations.md.")

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument("--no-media", action="store_true", help="Leave the attachments out.")

    def handle(self, *args, directory, database, no_media, **options):
        try:
            outcome = backup.backup(directory, alias=database, media=not no_media)
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        manifest = outcome.manifest
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"Backed up {len(manifest['tables'])} tables ({rows} rows) of the {manifest['engine']} "
                          f"database to {outcome.directory}.")
        media = manifest["media"]
        if media.get("included"):
            self.stdout.write(f"Attachments: {media['files']} file(s), {media['bytes']} bytes.")
        for note in outcome.notes:
            self.stdout.write(note)
