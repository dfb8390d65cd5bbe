from django.core.management.base import BaseCommand, CommandError

from concord.core import backup


class Command(BaseCommand):
    help = ("Restore a backup made by manage.py backup from DIR: refuses a backup from a newer migration state, "
            "replaces the database's content, checks every table's row count and checksum against the manifest, "
            "and puts the attachments back. See docs/operations.md.")

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument("--no-media", action="store_true", help="Leave the attachments as they are.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")

    def handle(self, *args, directory, database, no_media, interactive, **options):
        try:
            manifest = backup.read_manifest(directory)
            backup.check_restorable(manifest, database)
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        if interactive:
            answer = input(f"This replaces everything in the database '{database}' with the backup of "
                           f"{manifest['created_at']}. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            outcome = backup.restore(directory, alias=database, media=not no_media)
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        for note in outcome.notes:
            self.stdout.write(note)
