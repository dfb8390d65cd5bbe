import json
from pathlib import Path
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from concord.bench import runner
from concord.demo import seed

WORKER_STEPS = ("pages", "counts", "make-import-file", "import", "raw-insert", "escalation", "scan", "harmony")


class Command(BaseCommand):
    help = (
        "Benchmark: build a small and a county-scale demo database (SQLite, and PostgreSQL when it answers) and "
        "measure pages, API lists, the worker import and the demo generator; prints a table and writes "
        "docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        county = seed.SCALES["county"]
        parser.add_argument("--scale-small", default="small", choices=sorted(seed.SCALES),
                            help="seed_demo scale of the small database (default small)")
        parser.add_argument("--county-enterprises", type=int, default=county.enterprises)
        parser.add_argument("--county-workers", type=int, default=county.workers)
        parser.add_argument("--county-migrants", type=int, help="default: the county's migrant share")
        parser.add_argument("--skip-seed", action="store_true", help="reuse the databases of an earlier run (PostgreSQL: run it with --keep)")
        parser.add_argument("--engines", default="auto",
                            help="comma-separated: sqlite, postgres; auto = sqlite, plus postgres when it answers")
        parser.add_argument("--runs", type=int, default=7, help="timed requests per page (median reported)")
        parser.add_argument("--rounds", type=int, default=2, help="rounds alternating the small and county database")
        parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the import file (0: skip)")
        parser.add_argument("--import-format", choices=("xlsx", "csv"), default="xlsx")
        parser.add_argument("--import-base", choices=("small", "county"), default="county",
                            help="the database the import is copied from")
        parser.add_argument("--out-dir", default=str(Path(settings.DATA_DIR) / "bench"),
                            help="SQLite files, the import file and JSON results (default var/bench)")
        parser.add_argument("--doc", default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md"),
                            help="the Markdown file to update ('' for none)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases afterwards")
        parser.add_argument("--pg-prefix", default="concord_bench", help="PostgreSQL database names: PREFIX_small, PREFIX_county")
        parser.add_argument("--pg-copy", action="store_true", help="seed PostgreSQL with COPY instead of batched INSERTs")
        # Internal: one measuring step in a child process (see concord/bench/runner.py).
        parser.add_argument("--worker", choices=WORKER_STEPS, help="(internal) run one step on this database")
        parser.add_argument("--json-out")
        parser.add_argument("--rows", type=int)
        parser.add_argument("--file")
        parser.add_argument("--raw")

    def handle(self, *args, **options):
        if options["worker"]:
            return self.worker(options)
        engines = options["engines"]
        if engines == "auto":
            engines = "sqlite,postgres" if runner.postgres_answers(runner.postgres_url()) else "sqlite"
        try:
            seed.custom_scale(options["county_enterprises"], options["county_workers"], options["county_migrants"])
        except ValueError as exc:
            raise CommandError(str(exc))
        run_options = runner.Options(
            engines=[e.strip() for e in engines.split(",") if e.strip()],
            scale_small=options["scale_small"],
            county_enterprises=options["county_enterprises"],
            county_workers=options["county_workers"],
            county_migrants=options["county_migrants"],
            skip_seed=options["skip_seed"],
            runs=max(1, options["runs"]),
            rounds=max(1, options["rounds"]),
            import_rows=max(0, options["import_rows"]),
            import_format=options["import_format"],
            import_base=options["import_base"],
            out_dir=Path(options["out_dir"]),
            doc=Path(options["doc"]) if options["doc"] else None,
            seed=options["seed"],
            keep=options["keep"],
            pg_prefix=options["pg_prefix"],
            pg_copy=options["pg_copy"],
            command=runner.command_line(sys.argv[1:] if sys.argv[1:2] == ["bench"] else ["bench"]),
        )
        try:
            runner.run(run_options, self.stdout.write)
        except runner.BenchError as exc:
            raise CommandError(str(exc))

    def worker(self, options):
        from concord.bench import measure

        step = options["worker"]
        if step == "pages":
            result = measure.pages(options["runs"])
        elif step == "counts":
            result = measure.counts()
        elif step == "make-import-file":
            result = measure.make_import_file(options["rows"], options["file"], options["raw"], options["seed"])
        elif step == "import":
            result = measure.run_import(options["file"])
        elif step == "escalation":
            result = measure.escalation(options["runs"])
        elif step == "scan":
            result = measure.scan(options["runs"])
        elif step == "harmony":
            result = measure.harmony(options["runs"])
        else:
            result = measure.raw_insert(options["raw"])
        Path(options["json_out"]).write_text(json.dumps(result, ensure_ascii=False, default=str))
