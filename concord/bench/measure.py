"""What the benchmark measures inside one child process, on the database that process is given.

Each function returns a JSON-serialisable dict; ``runner`` starts the processes and compares.
"""
from __future__ import annotations

from bisect import bisect
from datetime import date
from decimal import Decimal
import pickle
import statistics
import time

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Abs
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from concord.core.models import Region, User
from concord.demo import seed
from concord.disputes.models import Case
from concord.registry.models import Employment, Enterprise, Worker

from .urls import ADMIN_PREFIX

ADMIN_ROOT = "bench_root"  # the superuser who opens the stock admin
WARM_UP = 2
NAME_PREFIX = "王"
# Any part of a name (issue 14): a given-name character, found inside names (王燕, 李燕红), common
# enough to fill a page at both scales; and a pair that no demo name holds (the demo draws from
# fewer than 200 characters, 某 not among them): the search that reads
# every name when it is a LIKE over the table.
NAME_PART = "燕"
NAME_PART_NONE = "某某"


def _filter_name(filterset_class, *names) -> str | None:
    """The first of ``names`` the filter set knows (the registry's filter names are its own business)."""
    known = getattr(filterset_class, "base_filters", {})
    return next((n for n in names if n in known), None)


def page_plan() -> tuple[list[dict], dict]:
    """The pages to time: (key, title, our URL, the admin URL of the same question)."""
    from concord.registry import views
    from concord.registry.api import views as api_views

    town = Region.objects.get(code=seed.QIANQING)
    # A worker currently employed in the town, and an enterprise there of a fixed size, so that the
    # small and the county database are asked the same question.
    sample = (
        Employment.objects.filter(enterprise__region=town, end_date__isnull=True)
        .order_by("pk").values_list("worker__id_number", "worker__name").first()
    )
    enterprise = (
        Enterprise.objects.filter(region=town).annotate(distance=Abs(F("head_count") - 300))
        .order_by("distance", "pk").first()
    )
    id_number, _name = sample
    # The same name prefix at both scales: a common surname, so that both databases fill a whole
    # page (a rarer prefix found 6 workers in the small county and 694 in the big one, and the
    # page then compared rendering 6 rows with rendering 25).
    prefix = NAME_PREFIX
    ent_filter = _filter_name(views.EnterpriseList.filterset_class, "town", "region")
    worker_filter = _filter_name(views.WorkerList.filterset_class, "town", "region")
    api_ent_filter = _filter_name(api_views.EnterpriseViewSet.filterset_class, "town", "region")
    api_worker_filter = _filter_name(api_views.WorkerViewSet.filterset_class, "town", "region")
    admin = f"/{ADMIN_PREFIX}registry/"
    ent_list = reverse("registry:enterprise_list")
    worker_list = reverse("registry:worker_list")
    admin_ent_town = f"{admin}enterprise/?region__id__exact={town.pk}"
    admin_worker_town = f"{admin}worker/?employments__enterprise__region__id__exact={town.pk}"
    pages = [
        {"key": "enterprise_list_town", "title": "enterprise list, filtered by town",
         "url": f"{ent_list}?{ent_filter}={town.pk}" if ent_filter else None, "admin": admin_ent_town},
        {"key": "worker_list_town", "title": "worker list, filtered by town",
         "url": f"{worker_list}?{worker_filter}={town.pk}" if worker_filter else None, "admin": admin_worker_town},
        {"key": "worker_search_id", "title": "worker search by ID number",
         "url": f"{worker_list}?q={id_number}", "admin": f"{admin}worker/?q={id_number}"},
        {"key": "worker_search_name", "title": "worker search by name (prefix)",
         "url": f"{worker_list}?q={prefix}", "admin": f"{admin}worker/?q={prefix}"},
        {"key": "worker_search_part", "title": "worker search by part of a name",
         "url": f"{worker_list}?q={NAME_PART}", "admin": None},  # the admin searches by prefix only
        {"key": "worker_search_part_none", "title": "worker search by part of a name, no match",
         "url": f"{worker_list}?q={NAME_PART_NONE}", "admin": None},
        {"key": "enterprise_360", "title": "enterprise 360",
         "url": reverse("registry:enterprise_detail", args=[enterprise.pk]),
         "admin": f"{admin}enterprise/{enterprise.pk}/change/"},
        {"key": "api_enterprises_town", "title": "/api/enterprises/ by town",
         "url": f"/api/enterprises/?{api_ent_filter}={town.pk}" if api_ent_filter else None, "admin": admin_ent_town},
        {"key": "api_workers_town", "title": "/api/workers/ by town",
         "url": f"/api/workers/?{api_worker_filter}={town.pk}" if api_worker_filter else None, "admin": admin_worker_town},
        # Disputes: no stock-admin page answers the same question, so these have no admin column.
        {"key": "case_list", "title": "case list (/disputes/cases/)", "url": reverse("disputes:case_list"), "admin": None},
        {"key": "case_measures", "title": "case measures (/disputes/measures/)", "url": reverse("disputes:measures"),
         "admin": None},
        # Early warning: a town officer's inbox ordered by deadline, the county's risk table by town and level.
        {"key": "alert_list", "title": "alert inbox (/alerts/)", "url": _reverse("alerts:alert_list"), "admin": None},
        {"key": "risk_table", "title": "risk table (/alerts/risk/)", "url": _reverse("alerts:risk_table"), "admin": None},
        # Harmony: this year's round's applications (first page) and the coverage measures.
        *_harmony_pages(),
    ]
    facts = {
        "enterprises": Enterprise.objects.count(),
        "workers": Worker.objects.count(),
        "employments": Employment.objects.count(),
        "town": town.name,
        "town_enterprises": Enterprise.objects.filter(region=town).count(),
        "enterprise_360_head_count": enterprise.head_count,
        "name_prefix": prefix,
        "cases": Case.objects.count(),
        "town_cases": Case.objects.filter(region=town).count(),
        **_alert_facts(town),
        **_harmony_facts(town),
    }
    return pages, facts


def _reverse(name: str) -> str | None:
    """A page's URL, or None while that page does not exist (it is then reported as not available)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _current_round():
    from django.utils import timezone

    from concord.harmony.models import Round

    return Round.objects.filter(year=timezone.localdate().year).first()


def _harmony_pages() -> list[dict]:
    """The round's application list (the evaluation list filtered by the round, or the round page
    when there is no such list) and the measures page; a page that does not exist (yet) is None."""
    rnd = _current_round()
    url = None
    if rnd is not None:
        listed = _reverse("harmony:evaluation_list")
        if listed:
            from concord.harmony import views

            name = _filter_name(getattr(getattr(views, "EvaluationList", None), "filterset_class", None), "round")
            url = f"{listed}?{name}={rnd.pk}" if name else None
        if url is None:
            try:
                url = reverse("harmony:round_detail", args=[rnd.pk])
            except NoReverseMatch:
                url = None
    return [
        {"key": "harmony_round", "title": "round applications (/harmony/evaluations/?round=…)", "url": url, "admin": None},
        {"key": "harmony_measures", "title": "harmony measures (/harmony/measures/)", "url": _reverse("harmony:measures"),
         "admin": None},
    ]


def _harmony_facts(town) -> dict:
    from concord.harmony.models import Certification, Evaluation

    rnd = _current_round()
    evaluations = Evaluation.objects.filter(round=rnd) if rnd else Evaluation.objects.none()
    return {"evaluations": evaluations.count(), "town_evaluations": evaluations.filter(region=town).count(),
            "certifications": Certification.objects.count()}


def _alert_facts(town) -> dict:
    from concord.alerts.models import Alert, EnterpriseRisk, RiskSignal

    return {"signals": RiskSignal.objects.count(), "alerts": Alert.objects.count(),
            "town_open_alerts": Alert.objects.filter(region=town).exclude(status="closed").count(),
            "risks": EnterpriseRisk.objects.exclude(level="").count()}


def _time(client: Client, url: str, runs: int) -> dict:
    for _ in range(WARM_UP):
        response = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    count = len(queries.captured_queries)  # now: the next request clears the connection's log
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
    return {"ms": statistics.median(times) * 1000, "queries": count,
            "status": response.status_code, "bytes": len(response.content)}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pages(runs: int) -> dict:
    """Median time and query count of each page for the county administrator and a town officer,
    and of the admin page answering the same question for a superuser."""
    plan, facts = page_plan()
    root, _created = User.objects.get_or_create(username=ADMIN_ROOT, defaults={"is_superuser": True, "is_staff": True})
    clients = {
        "county_admin": _client(User.objects.get(username="county_admin")),
        "town_officer": _client(User.objects.get(username="town_qianqing")),
    }
    admin_client = _client(root)
    results = {}
    admin_done = {}
    for page in plan:
        row = {"title": page["title"], "url": page["url"], "admin_url": page["admin"]}
        for role, client in clients.items():
            row[role] = _time(client, page["url"], runs) if page["url"] else None
        if page["admin"] and page["admin"] not in admin_done:
            admin_done[page["admin"]] = _time(admin_client, page["admin"], runs)
        row["admin"] = admin_done.get(page["admin"])
        results[page["key"]] = row
    return {"pages": results, "facts": facts, "runs": runs}


# --- Import ------------------------------------------------------------------------------------

def make_import_file(rows: int, path: str, raw_path: str, seed_value: int) -> dict:
    """Write a workforce file of ``rows`` new workers, each with a current job at an existing
    enterprise, through the registry's own file spec (so it is what an export looks like); keep the
    same rows as plain tuples for the raw insert."""
    from openpyxl import Workbook

    from concord.core import exports
    from concord.registry import io

    began = time.perf_counter()
    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "credit_code", "name", "industry", "size_class", "head_count"))
    generator = seed.Generator(seed.Scale(1, rows, 0), seed_value, [], (0, 0, 0), None)
    generator.used_ids = set(Worker.objects.values_list("id_number", flat=True))
    generator.used_phones = set(Worker.objects.values_list("phone", flat=True))
    generator._prepare_people()
    rng = generator.rng
    cumulative, total = [], 0
    for row in enterprises:
        total += row[5] + 1  # more new hires where more people work
        cumulative.append(total)
    records, raw = [], []
    for _ in range(rows):
        pk, code, name, industry, size_class, _head = enterprises[bisect(cumulative, rng.random() * total)]
        migrant = rng.random() < seed.MIGRANT_SHARE
        number, person, mobile, sex, born, province, city, education = generator.person(
            migrant, seed.FEMALE_SHARE.get(industry, 0.45))
        start = generator.current_start(born, migrant)
        positions = seed.POSITIONS[industry]
        position = tuple(positions)[rng.randrange(len(positions))]
        rates = seed.SIZE_RATES[size_class]
        job = generator.employment(pk, 0, start, None, position, positions[position], rates[4], rates[5], rates[6])
        (_id, _w, _e, start, _end, position, signed, contract_type, contract_start, contract_end, insured, wage) = job
        worker = Worker(id_number=number, name=person, phone=mobile, sex=sex, birth_date=born, hukou_province=province,
                        hukou_city=city, is_migrant=migrant, education=education)
        employment = Employment(enterprise=Enterprise(pk=pk, credit_code=code, name=name), position=position,
                                start_date=start, contract_signed=signed, contract_type=contract_type,
                                contract_start=contract_start, contract_end=contract_end, insured=insured,
                                monthly_wage=Decimal(wage))
        records.append(io.WorkforceRow(worker, employment))
        raw.append(((number, person, mobile, sex, born, province, city, migrant, education),
                    (pk, start, None, position, signed, contract_type, contract_start, contract_end, insured, wage)))
    out = io.WORKER_FILE.export_rows(records, unmasked=True)
    if path.endswith(".csv"):
        import csv

        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            for row in out:
                writer.writerow(["" if v is None else v for v in row])
    else:
        workbook = Workbook(write_only=True)
        exports.write_sheets(workbook, out, "workers")
        workbook.save(path)
    with open(raw_path, "wb") as fh:
        pickle.dump(raw, fh)
    return {"rows": rows, "seconds": time.perf_counter() - began}


def run_import(path: str) -> dict:
    """The registry's import of the file, committed, as the county administrator."""
    try:
        from concord.registry.importers import import_file
    except ImportError as exc:  # the importer is another part of the project; say so, do not fail
        return {"available": False, "reason": str(exc)}
    actor = User.objects.get(username="county_admin")
    before = Worker.objects.count()
    began = time.perf_counter()
    result = import_file("workers", path, actor=actor, commit=True)
    seconds = time.perf_counter() - began
    return {
        "available": True, "seconds": seconds, "ok": result.ok, "committed": result.committed, "rows": result.rows,
        "created": result.created, "updated": result.updated, "errors": [str(e) for e in result.errors[:5]],
        "new_workers": Worker.objects.count() - before,
    }


def raw_insert(raw_path: str) -> dict:
    """The same rows straight into the worker and employment tables: batched INSERTs, no checks."""
    from django.utils import timezone

    with open(raw_path, "rb") as fh:
        raw = pickle.load(fh)
    began = time.perf_counter()
    sqlite = connection.vendor == "sqlite"
    dv = date.isoformat if sqlite else (lambda d: d)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        next_worker = seed._next_id(Worker)
        next_employment = seed._next_id(Employment)
        workers = seed._TableWriter(cursor, Worker, seed.WORKER_COLUMNS, chunk=5000)
        employments = seed._TableWriter(cursor, Employment, seed.EMPLOYMENT_COLUMNS, chunk=5000)
        for index, (w, e) in enumerate(raw):
            worker_pk = next_worker + index
            number, person, mobile, sex, born, province, city, migrant, education = w
            workers.extend([(worker_pk, number, person, mobile, sex, dv(born), province, city, migrant, education,
                             None, stamp)])
            pk, start, end, position, signed, contract_type, c_start, c_end, insured, wage = e
            employments.extend([(next_employment + index, worker_pk, pk, dv(start), None, position, signed,
                                 contract_type or "", dv(c_start) if c_start else None, dv(c_end) if c_end else None,
                                 insured, wage)])
        workers.flush()
        employments.flush()
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            for statement in connection.ops.sequence_reset_sql(no_style(), [Worker, Employment]):
                cursor.execute(statement)
    return {"rows": len(raw), "seconds": time.perf_counter() - began}


def counts() -> dict:
    """Counts of the seeded database (to print next to the seeding time)."""
    from concord.alerts.models import Alert, RiskSignal

    return {"enterprises": Enterprise.objects.count(), "workers": Worker.objects.count(),
            "employments": Employment.objects.count(), "migrants": Worker.objects.filter(is_migrant=True).count(),
            "cases": Case.objects.count(), "signals": RiskSignal.objects.count(), "alerts": Alert.objects.count()}


# --- The escalation job ---------------------------------------------------------------------------

OVERDUE_SQL = (
    "SELECT id FROM disputes_case WHERE status IN ('accepted', 'consultation', 'mediation') "
    "AND deadline < %s AND level <> 'county'"
)


def escalation(runs: int) -> dict:
    """``escalate_overdue(today)`` over this database (the runner hands a throwaway copy), and the
    raw SELECT of the same cases it starts from: the job's cost is per overdue case (a transition
    each), the SELECT's is one index range."""
    from django.utils import timezone

    from concord.disputes import services

    today = timezone.localdate()
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + OVERDUE_SQL, [today])
        plan = [" ".join(str(v) for v in row) for row in cursor.fetchall()]
        times = []
        for _ in range(WARM_UP + runs):
            began = time.perf_counter()
            cursor.execute(OVERDUE_SQL, [today])
            found = len(cursor.fetchall())
            times.append(time.perf_counter() - began)
    raw = statistics.median(times[WARM_UP:])
    before = services.overdue_cases(today).count()
    began = time.perf_counter()
    result = services.escalate_overdue(today)
    seconds = time.perf_counter() - began
    return {"today": today.isoformat(), "overdue": before, "raw_found": found, "raw_seconds": raw, "plan": plan,
            "seconds": seconds, "result": result, "left": services.overdue_cases(today).count(),
            "cases": Case.objects.count()}


# --- The risk scan --------------------------------------------------------------------------------

SIGNAL_AGGREGATE_SQL = (
    "SELECT enterprise_id, kind, MAX(value) FROM alerts_risksignal WHERE observed_on <= %s AND expires_on >= %s "
    "GROUP BY enterprise_id, kind"
)


def scan(runs: int) -> dict:
    """``concord.alerts.services.scan`` of the next day over this database (the runner hands a
    throwaway copy; the seed already scanned today): computed signals, every enterprise assessed,
    alerts raised and escalated. Against it, one raw aggregate over the same signals, the least any
    scan must read."""
    from datetime import timedelta

    from django.utils import timezone

    from concord.alerts import services
    from concord.alerts.models import Alert, EnterpriseRisk, RiskSignal

    day = timezone.localdate() + timedelta(days=1)
    with connection.cursor() as cursor:
        times = []
        for _ in range(WARM_UP + runs):
            began = time.perf_counter()
            cursor.execute(SIGNAL_AGGREGATE_SQL, [day, day])
            groups = len(cursor.fetchall())
            times.append(time.perf_counter() - began)
    raw = statistics.median(times[WARM_UP:])
    active = RiskSignal.objects.filter(observed_on__lte=day, expires_on__gte=day).count()
    began = time.perf_counter()
    result = services.scan(day)
    seconds = time.perf_counter() - began
    # The same day again: idempotent, and the cost of a scan with nothing to change.
    began = time.perf_counter()
    again = services.scan(day)
    again_seconds = time.perf_counter() - began
    return {"day": day.isoformat(), "signals": RiskSignal.objects.count(), "active": active, "groups": groups,
            "raw_seconds": raw, "seconds": seconds, "result": result, "again_seconds": again_seconds,
            "again": again, "enterprises": Enterprise.objects.count(), "alerts": Alert.objects.count(),
            "risks": EnterpriseRisk.objects.exclude(level="").count()}


# --- Harmony: computed indicators -----------------------------------------------------------------

def harmony(runs: int) -> dict:
    """Concord's figures for every enterprise applying in this year's round
    (``concord.harmony.services.figures_for``: grouped aggregates over employments, signals, cases,
    risks and surveys) and every computed indicator of each enterprise's class scored from them
    (``rules.compute``), as refreshing the whole round would; median of ``runs`` (read only)."""
    from django.utils import timezone

    from concord.harmony import rules, services
    from concord.harmony.models import Evaluation

    rnd = _current_round()
    if rnd is None:
        return {"available": False, "reason": "no round this year"}
    today = timezone.localdate()
    standard = rnd.standard
    pairs = list(Evaluation.objects.filter(round=rnd).order_by("enterprise_id").values_list("enterprise_id", "enterprise_class_id"))
    computed = {c.pk: [i for i in services.applicable_indicators(standard, c) if i.is_computed] for c in standard.classes.all()}
    figures_times, compute_times, queries, scored = [], [], 0, 0
    for run in range(WARM_UP + runs):
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            figures = services.figures_for([e for e, _c in pairs], standard, today)
        middle = time.perf_counter()
        scored = 0
        for enterprise_id, class_id in pairs:
            for indicator in computed.get(class_id, ()):
                rules.compute(indicator.method, figures[enterprise_id], indicator.max_points, indicator.params)
                scored += 1
        end = time.perf_counter()
        if run >= WARM_UP:
            figures_times.append(middle - began)
            compute_times.append(end - middle)
        queries = len(captured.captured_queries)
    figures_s, compute_s = statistics.median(figures_times), statistics.median(compute_times)
    return {"available": True, "enterprises": len(pairs), "indicators": scored, "figures_seconds": figures_s,
            "compute_seconds": compute_s, "seconds": figures_s + compute_s, "queries": queries,
            "all_enterprises": Enterprise.objects.count()}
