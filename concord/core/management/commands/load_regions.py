from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concord.core.regions import DATA_DIR, RegionFileError, load_regions


class Command(BaseCommand):
    help = "Load or update a county's organisation tree from a CSV file (code,name,kind,parent_code). " \
           "A bare county code loads the bundled file, e.g. 330603."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV path, or a county code with a bundled data file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.exists() and (DATA_DIR / f"{file}.csv").exists():
            path = DATA_DIR / f"{file}.csv"
        if not path.exists():
            raise CommandError(f"No such file: {file}")
        try:
            result = load_regions(path)
        except RegionFileError as exc:
            raise CommandError("Nothing was loaded:\n" + "\n".join(exc.problems))
        self.stdout.write(self.style.SUCCESS(f"Regions: {result.created} created, {result.updated} updated."))
