from django.core.management.base import BaseCommand, CommandError

from concord.demo import seed


class Command(BaseCommand):
    help = (
        "Load the demo county (Keqiao District, 330603) with generated records and the demo accounts. "
        "--scale small (make demo) or county (25,000 enterprises, 1,200,000 workers); the same seed gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(seed.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (the same seed gives the same data)")
        parser.add_argument("--enterprises", type=int, help="custom scale: number of enterprises (overrides --scale)")
        parser.add_argument("--workers", type=int, help="custom scale: number of workers")
        parser.add_argument("--migrants", type=int, help="custom scale: number of migrant workers (default: the county's share)")
        parser.add_argument("--copy", action="store_true", help="PostgreSQL: write rows with COPY instead of batched INSERTs")

    def handle(self, *args, scale, **options):
        if options["enterprises"] or options["workers"]:
            if not (options["enterprises"] and options["workers"]):
                raise CommandError("A custom scale needs both --enterprises and --workers.")
            try:
                scale = seed.custom_scale(options["enterprises"], options["workers"], options["migrants"])
            except ValueError as exc:
                raise CommandError(str(exc))
        if seed.is_loaded():
            accounts = seed.ensure_accounts()
            self.stdout.write("Demo data already loaded; accounts checked.")
        else:
            result = seed.seed(scale, options["seed"], progress=self.stdout.write, use_copy=options["copy"])
            accounts = result["accounts"]
            self.stdout.write(
                f"Demo county loaded: {result['enterprises']:,} enterprises, {result['workers']:,} workers, "
                f"{result['employments']:,} employments in {result['seconds']:.1f} s."
            )
        self.stdout.write(f"Demo accounts (password {seed.DEMO_PASSWORD}):")
        for username, role, account_scope in accounts:
            self.stdout.write(f"  {username:<14} {role} · {account_scope}")
