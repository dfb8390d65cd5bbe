import csv
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from concord.core import workdays
from concord.core.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = ("Load China's holiday schedule into the working-day calendar: --from-package for the years the "
            "chinesecalendar package knows, or FILE.csv (columns date,kind,name; kind holiday|workday) for one --year.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--from-package", action="store_true")
        parser.add_argument("--year", type=int)
        parser.add_argument("--source", default="")

    @transaction.atomic
    def handle(self, *args, file=None, from_package=False, year=None, source="", **options):
        if from_package:
            import chinese_calendar

            label = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
            loaded = 0
            for y, holidays, makeups in workdays.from_package():
                self._replace(y, source or label, [(d, CalendarDay.Kind.HOLIDAY, n) for d, n in holidays.items()]
                              + [(d, CalendarDay.Kind.WORKDAY, n) for d, n in makeups.items()])
                loaded += 1
            self.stdout.write(f"Working-day calendar: {loaded} years loaded from the package.")
            self._recompute()
            return
        if not file or not year or not source:
            raise CommandError("Give FILE.csv with --year and --source (the State Council notice), or --from-package.")
        rows = []
        with open(file, encoding="utf-8-sig") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    day = date.fromisoformat(row["date"].strip())
                    kind = CalendarDay.Kind(row["kind"].strip())
                except (KeyError, ValueError) as exc:
                    raise CommandError(f"row {number}: {exc}") from exc
                if day.year != year:
                    raise CommandError(f"row {number}: {day} is not in {year}")
                entry = CalendarDay(date=day, kind=kind, name=row.get("name", "").strip())
                try:
                    entry.clean()
                except Exception as exc:
                    raise CommandError(f"row {number}: {exc}") from exc
                rows.append((day, kind, entry.name))
        self._replace(year, source, rows)
        self.stdout.write(f"Working-day calendar: {year} loaded ({len(rows)} exceptions).")
        self._recompute()

    def _recompute(self):
        """Deadlines of running records counted on the old (perhaps provisional) days follow the new
        schedule, each moved record with a timeline event (actor: none, the system)."""
        moved = workdays.recompute_deadlines(actor=None)
        self.stdout.write("Deadlines recomputed: " + (", ".join(f"{k.split('.')[1]} {v}" for k, v in moved.items()) or "none"))

    def _replace(self, year, source, rows):
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create([CalendarDay(date=d, kind=k, name=n[:64]) for d, k, n in rows])
        CalendarYear.objects.update_or_create(year=year, defaults={"source": source[:255]})
