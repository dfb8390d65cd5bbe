from django.core.management.base import BaseCommand

from concord.demo import seed


class Command(BaseCommand):
    help = "Load the demo county (Keqiao District, 330603) with generated records and the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(seed.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (the same seed gives the same data)")

    def handle(self, *args, scale, **options):
        if seed.is_loaded():
            accounts = seed.ensure_accounts()
            self.stdout.write("Demo data already loaded; accounts checked.")
        else:
            result = seed.seed(scale, options["seed"])
            accounts = result["accounts"]
            self.stdout.write(f"Demo county loaded: {result['enterprises']} enterprises, {result['workers']} workers.")
        self.stdout.write(f"Demo accounts (password {seed.DEMO_PASSWORD}):")
        for username, role, scope in accounts:
            self.stdout.write(f"  {username:<14} {role} · {scope}")
