from django.core.management.base import BaseCommand

from concord.core import jobs


class Command(BaseCommand):
    help = "Run the periodic jobs that are due (for cron; Celery beat runs the same registry)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run every job now, due or not")
        parser.add_argument("--list", action="store_true", help="list the registered jobs and exit")

    def handle(self, *args, force=False, list=False, **options):
        if list:
            for job in jobs.JOBS.values():
                self.stdout.write(f"{job.name}\tevery {job.every}\t{job.description}")
            return
        results = jobs.run_due_jobs(force=force)
        for name, outcome in results.items():
            self.stdout.write(f"{name}: {outcome}")
        if "failed" in results.values():
            raise SystemExit(1)
