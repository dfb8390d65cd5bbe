"""Validation and commit of the registry's enterprise and worker files.

``import_file(kind, source, *, actor, filename=None, commit)`` is the one entry point (pages,
commands, the background task and the benchmark use it). A dry run (``commit=False``) reads,
validates and reports what would happen, and writes nothing. A commit re-validates inside one
transaction and writes everything or nothing:

- enterprises are upserted by credit code, workers by ID number; a worker row's employment
  updates the worker's open employment at that enterprise (or the ended one with the same start
  date), else a new one is created;
- a worker who exists outside the importer's scope is refused with the sentence the worker form
  uses (forms.ID_NUMBER_CANNOT_REGISTER: it cannot be registered here, ask the county), which does
  not say that the person is registered elsewhere; each refusal is written to the personal-data
  access log, dry run or commit (logged after the transaction, so a rolled-back commit keeps it);
- scope: rows are refused unless their town / enterprise is writable by the importer, through the
  scope mechanism's querysets; after writing, every touched row is re-checked with
  ``visible_to(actor, "change")`` and the whole import rolls back if one left the scope;
- speed: plain-Python parsing, key lookups in chunks of 900 (SQLite's variable limit), bulk
  inserts and updates in batches, no per-row queries or ``full_clean`` (the registry's rules
  functions check the same things);
- audit: one ``ImportBatch`` with a domain event "imported", change-log entries (before/after,
  personal fields masked as the change log masks them) for updated rows, created rows listed by
  the batch (docs/import.md explains why).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
import time

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import imports
from concord.core.audit import record_event
from concord.core.imports import ImportFileError, RowError
from concord.core.models import ImportBatch, Region
from concord.core.scope import ADD, CHANGE, ENTERPRISE_ROLES, REGION_ROLES, assignments_of, can

from . import io, rules, services
from .models import Employment, Enterprise, Worker

CHUNK = 900  # SQLite allows 999 variables per statement
WRITE_BATCH = 1000
MAX_STORED_PROBLEMS = 1000


class _Rollback(Exception):
    """Leaves the commit's transaction without writing."""


@dataclass
class ImportResult:
    kind: str
    ok: bool = False
    errors: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    counts: dict = field(default_factory=dict)
    batch: ImportBatch | None = None
    committed: bool = False
    file_name: str = ""
    sha256: str = ""
    size: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [str(e) for e in self.errors]


def import_file(kind: str, source, *, actor, filename: str | None = None, commit: bool,
                batch: ImportBatch | None = None, progress=None) -> ImportResult:
    """Read, validate and (with ``commit``) write one registry file. See the module docstring."""
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    with imports.bulk_mode():
        return _import_file(kind, source, actor=actor, filename=filename, commit=commit, batch=batch, progress=progress)


def _import_file(kind, source, *, actor, filename, commit, batch, progress) -> ImportResult:
    importer = IMPORTERS[kind](actor)
    result = ImportResult(kind)
    started = time.monotonic()
    report = progress or (lambda pct: None)
    try:
        table = imports.read_table(source, filename)
        result.file_name, result.sha256, result.size = table.name, table.sha256, table.size
        if not can(actor, importer.model, ADD):
            raise ImportFileError(_("Your role may not import this kind of file."))
        records, errors, present = importer.spec.parse(table)
    except ImportFileError as exc:
        result.errors = [RowError(None, "", exc.message)]
        result.file_name = result.file_name or filename or getattr(source, "name", "") or ""
        return _finish(result, importer, batch, commit, started)
    result.rows = len(records)
    result.errors = errors
    report(10)
    if errors:
        # Cell errors first: also list the rows' other problems so one dry run shows everything.
        importer.validate(records, present, result)
        return _finish(result, importer, batch, commit, started)
    if not commit:
        importer.validate(records, present, result)
        return _finish(result, importer, batch, commit, started)
    batch = batch or _new_batch(kind, actor, result)
    try:
        with transaction.atomic():
            importer.validate(records, present, result)
            report(35)
            if result.errors:
                raise _Rollback
            importer.write(result, batch, report)
            if result.errors:  # the re-check after writing found a row outside the scope
                raise _Rollback
            result.committed = True
            _close_batch(batch, result, importer, started)
            record_event(actor=actor, verb="imported", target=batch,
                         summary=_("%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
                             "rows": result.rows, "created": result.created, "updated": result.updated,
                             "unchanged": result.unchanged},
                         data={"kind": kind, "counts": result.counts, "sha256": result.sha256, "file": result.file_name})
    except _Rollback:
        pass
    except DatabaseError as exc:  # e.g. another user imported the same ID number at the same moment
        result.committed = False
        result.errors.append(RowError(None, "", _("The import failed and nothing was imported: %(reason)s") % {"reason": exc}))
    except Exception:
        result.committed = False
        result.errors.append(RowError(None, "", _("The import failed and nothing was imported.")))
        _finish(result, importer, batch, commit, started)
        raise
    return _finish(result, importer, batch, commit, started)


def _finish(result, importer, batch, commit, started):
    importer.log_refusals()
    result.ok = not result.errors
    result.seconds = time.monotonic() - started
    result.errors.sort(key=lambda e: (e.row is not None, e.sheet, e.row or 0))
    if commit and not result.committed:
        batch = batch or _new_batch(result.kind, importer.actor, result)
        _close_batch(batch, result, importer, started)
    result.batch = batch
    return result


def _new_batch(kind, actor, result) -> ImportBatch:
    region_path, enterprise_id = _anchor(actor)
    return ImportBatch.objects.create(
        kind=kind, file_name=(result.file_name or "")[:255], sha256=result.sha256, size=result.size,
        row_count=result.rows, status=ImportBatch.Status.RUNNING, actor=actor if actor.is_authenticated else None,
        region_path=region_path, enterprise_id=enterprise_id, started_at=timezone.now(),
    )


def _close_batch(batch, result, importer, started):
    batch.status = ImportBatch.Status.COMMITTED if result.committed else ImportBatch.Status.FAILED
    batch.row_count = result.rows
    batch.file_name = batch.file_name or result.file_name[:255]
    batch.sha256 = batch.sha256 or result.sha256
    batch.size = batch.size or result.size
    batch.created, batch.updated, batch.unchanged = (result.created, result.updated, result.unchanged) if result.committed else (0, 0, 0)
    batch.counts = result.counts if result.committed else {}
    batch.created_ids = importer.created_ids if result.committed else {}
    batch.error_count = len(result.errors)
    batch.errors = [e.as_list() for e in result.errors[:MAX_STORED_PROBLEMS]]
    batch.notices = [e.as_list() for e in result.notices[:MAX_STORED_PROBLEMS]]
    batch.progress = 100
    batch.finished_at = timezone.now()
    batch.seconds = round(time.monotonic() - started, 3)
    batch.started_at = batch.started_at or batch.finished_at
    batch.save()
    cache.delete(imports.progress_key(batch.pk))


def _anchor(actor) -> tuple[str, int | None]:
    """Where the batch sits in the scope: the importer's region (their common ancestor when they
    hold several), or their enterprise's town and the enterprise for a union officer."""
    paths, enterprise_id = [], None
    for a in assignments_of(actor):
        if a.role in REGION_ROLES and a.region_id:
            paths.append(a.region.path)
        elif a.role in ENTERPRISE_ROLES and a.enterprise_id:
            enterprise_id = enterprise_id or a.enterprise_id
            paths.append(a.enterprise.region.path)
    if not paths:
        root = Region.objects.filter(parent__isnull=True).order_by("pk").first()
        return (root.path if root else ""), enterprise_id
    common = paths[0].rstrip("/").split("/")
    for path in paths[1:]:
        parts = path.rstrip("/").split("/")
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return ("/".join(common) + "/" if common else ""), enterprise_id


def region_paths(actor, model, action) -> list[str]:
    """Region paths under which ``actor`` may ``action`` rows of ``model`` that are not yet in the
    database (new rows): the region-role assignments whose role the model's scope allows. A row
    already in the database is checked with ``visible_to`` itself."""
    if actor.is_superuser:
        return [""]
    allowed = model.scope.roles_for(action)
    return [a.region.path for a in assignments_of(actor) if a.role in allowed and a.role in REGION_ROLES and a.region_id]


def _under(path, paths) -> bool:
    return any(path.startswith(p) for p in paths)


def _chunks(items, size=None):
    """Key lookups in chunks: 900 keys on SQLite (its historical limit of 999 variables per
    statement), 10,000 elsewhere (fewer round trips; PostgreSQL takes 65,535 parameters)."""
    from django.db import connection

    size = size or (CHUNK if connection.vendor == "sqlite" else 10_000)
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _town_lookup(actor) -> dict[str, Region]:
    """Towns and communities the actor may name: those in their scope, and the towns of the
    enterprises they may change (a union officer's own enterprise). Matched by name or code."""
    from django.db.models import Q

    visible = Region.objects.visible_to(actor).values("pk")
    own = Enterprise.objects.visible_to(actor, CHANGE).values("region_id")
    regions = Region.objects.filter(Q(pk__in=visible) | Q(pk__in=own)).filter(kind__in=["town", "community"]).order_by("depth", "code")
    table = {}
    for region in regions:
        table.setdefault(imports._normalise(region.code), region)
        table.setdefault(imports._normalise(region.name), region)
    return table


def _snapshot(obj):
    """A cheap copy of a model instance's field values (``copy.copy`` is several times slower)."""
    old = obj.__class__.__new__(obj.__class__)
    old.__dict__ = obj.__dict__.copy()
    return old


def _dup(errors, first, record, column, what):
    errors.append(RowError(record["_row"], column, _("Same %(what)s as row %(row)s.") % {"what": what, "row": first["_row"]}, record["_sheet"]))
    if not first.get("_dup_reported"):
        errors.append(RowError(first["_row"], column, _("Same %(what)s as row %(row)s.") % {"what": what, "row": record["_row"]}, first["_sheet"]))
        first["_dup_reported"] = True


class _Importer:
    spec = None
    model = None

    def __init__(self, actor):
        self.actor = actor
        self.created_ids: dict[str, list] = {}
        self.titles = {c.key: c.title() for c in self.spec.columns}
        self.refused_outside: list = []  # existing records outside the scope that rows named

    def log_refusals(self):
        """One access-log entry per row refused for naming a person outside the scope."""
        from concord.core.audit import record_access

        from .forms import REFUSED_PURPOSE

        actor = self.actor if self.actor.is_authenticated else None
        for target in self.refused_outside:
            record_access(actor=actor, target=target, field="id_number", purpose=REFUSED_PURPOSE)
        self.refused_outside = []

    def error(self, result, record, key, message):
        result.errors.append(RowError(record["_row"], self.titles.get(key, ""), str(message), record["_sheet"]))
        record["_failed"] = True

    def notice(self, result, record, key, message):
        result.notices.append(RowError(record["_row"], self.titles.get(key, ""), str(message), record["_sheet"]))

    def _log_updates(self, model, pairs, batch):
        """Change-log entries for updated rows: auditlog's own diff (so masking and formats are the
        change log's), bulk-inserted because bulk updates send no signals."""
        from auditlog.cid import get_cid
        from auditlog.context import auditlog_value
        from auditlog.diff import model_instance_diff
        from auditlog.models import LogEntry

        try:
            remote_addr = auditlog_value.get().get("remote_addr")
        except LookupError:
            remote_addr = None
        ct = ContentType.objects.get_for_model(model)
        cid, now = get_cid(), timezone.now()
        actor = self.actor if self.actor.is_authenticated else None
        entries = []
        for old, new, fields in pairs:
            changes = model_instance_diff(old, new, fields_to_check=fields)
            if not changes:
                continue
            entries.append(LogEntry(
                content_type=ct, object_pk=str(new.pk), object_id=new.pk, object_repr=str(new)[:255],
                action=LogEntry.Action.UPDATE, changes=changes, actor=actor, cid=cid, remote_addr=remote_addr,
                timestamp=now, additional_data={"import_batch": batch.pk},
                actor_email=getattr(actor, "email", None) or None,
            ))
        LogEntry.objects.bulk_create(entries, batch_size=WRITE_BATCH)

    def _recheck(self, result, model, pks_records, key):
        """After writing: every touched row must still be writable by the actor (scope mechanism).

        New rows have consecutive keys, so one count per run of keys usually settles it; only a
        run with rows outside the scope (or other sessions' rows inside it) is checked row by row."""
        by_pk = dict(pks_records)
        writable = model.objects.visible_to(self.actor, CHANGE)
        suspects = []
        for first, last in imports.compact_ids(by_pk):
            if last - first >= 50 and writable.filter(pk__gte=first, pk__lte=last).count() == last - first + 1:
                continue
            suspects.extend(range(first, last + 1))
        ok = set()
        for chunk in _chunks(suspects):
            ok.update(writable.filter(pk__in=chunk).values_list("pk", flat=True))
        for pk in suspects:
            if pk not in ok:
                self.error(result, by_pk[pk], key, _("This row would place a record outside your scope."))


# ---------------------------------------------------------------------------------------------


class EnterpriseImporter(_Importer):
    spec = io.ENTERPRISE_FILE
    model = Enterprise

    def validate(self, records, present, result):
        errors = result.errors
        towns = _town_lookup(self.actor)
        add_paths = region_paths(self.actor, Enterprise, ADD)
        change_paths = region_paths(self.actor, Enterprise, CHANGE)
        seen = {}
        for rec in records:
            code = rec.get("credit_code")
            if code:
                if code in seen:
                    _dup(errors, seen[code], rec, self.titles["credit_code"], _("credit code"))
                    rec["_failed"] = seen[code]["_failed"] = True
                else:
                    seen[code] = rec
            town = rec.get("region")
            if town:
                region = towns.get(imports._normalise(town))
                if region is None:
                    self.error(result, rec, "region", _("Unknown town \"%(value)s\": enter the name or code of a town in your area.") % {"value": town})
                rec["region"] = region
            if rec.get("_bad") or not code:
                rec["_failed"] = True
        existing = {}
        for chunk in _chunks(seen):
            existing.update((e.credit_code, e) for e in Enterprise.objects.filter(credit_code__in=chunk))
        writable = set()
        for chunk in _chunks([e.pk for e in existing.values()]):
            writable.update(Enterprise.objects.visible_to(self.actor, CHANGE).filter(pk__in=chunk).values_list("pk", flat=True))
        fields = [f for f in io.ENTERPRISE_FIELDS if f in present]
        self.new, self.changed = [], []
        for rec in records:
            if rec.get("_failed"):
                continue
            values = {f: self._value(f, rec[f]) for f in fields}
            obj = existing.get(rec["credit_code"])
            if obj is None:
                if not _under(values["region"].path, add_paths):
                    self.error(result, rec, "region", _("You may not add enterprises in this town."))
                    continue
                row = {"credit_code": rec["credit_code"], **values}
                row["region_id"] = row.pop("region").pk
                self.new.append((row, rec))
                continue
            if obj.pk not in writable:
                self.error(result, rec, "credit_code", _("This enterprise is outside your scope."))
                continue
            diff = [f for f, v in values.items() if getattr(obj, "region_id" if f == "region" else f) != (v.pk if f == "region" else v)]
            if "region" in diff and not _under(values["region"].path, change_paths):
                self.error(result, rec, "region", _("You may not move enterprises to this town."))
                continue
            if not diff:
                result.unchanged += 1
                continue
            old = _snapshot(obj)
            for f in diff:
                setattr(obj, f, values[f])
            self.changed.append((old, obj, diff, rec))
        if not result.errors:
            result.created, result.updated = len(self.new), len(self.changed)
            result.counts = {"enterprise": {"created": len(self.new), "updated": len(self.changed), "unchanged": result.unchanged}}

    @staticmethod
    def _value(name, value):
        if name.startswith(("has_", "is_")):
            return bool(value)
        if name == "region":
            return value
        return value or ""

    def write(self, result, batch, report):
        new_ids = imports.bulk_insert(Enterprise, [row for row, _rec in self.new])
        report(60)
        if self.changed:
            fields = sorted({"region_id" if f == "region" else f for _o, _n, diff, _r in self.changed for f in diff} | {"updated_at"})
            now = timezone.now()
            for _old, obj, _diff, _rec in self.changed:
                obj.updated_at = now
            imports.bulk_update(Enterprise, [obj for _o, obj, _d, _r in self.changed], fields)
        report(80)
        touched = list(zip(new_ids, (rec for _row, rec in self.new))) + [(obj.pk, rec) for _o, obj, _d, rec in self.changed]
        self._recheck(result, Enterprise, touched, "region")
        if result.errors:
            return
        self._log_updates(Enterprise, [(old, obj, diff) for old, obj, diff, _r in self.changed], batch)
        self.created_ids = {"registry.enterprise": imports.compact_ids(new_ids)}


# ---------------------------------------------------------------------------------------------


class WorkerImporter(_Importer):
    spec = io.WORKER_FILE
    model = Worker

    def validate(self, records, present, result):
        errors = result.errors
        titles = self.titles
        emp_fields = [f for f in io.EMPLOYMENT_FIELDS if f in present]
        worker_fields = [f for f in io.WORKER_FIELDS if f in present]
        has_code_column = "enterprise_code" in present
        today = date.today()
        by_key, by_id = {}, {}
        ids, codes = set(), set()
        for rec in records:
            bad = rec.get("_bad") or ()
            idn = rec.get("id_number")
            code = rec.get("enterprise_code") if has_code_column else None
            if not idn:
                rec["_failed"] = True
            if code is None and "enterprise_code" not in bad:
                if any(rec.get(f) not in (None, "", False) for f in emp_fields):
                    self.error(result, rec, "enterprise_code", _("Enter the enterprise's credit code for this employment."))
            if code:
                codes.add(code)
                if rec.get("start_date") is None and "start_date" not in bad:
                    self.error(result, rec, "start_date", _("A value is required."))
                problems = rules.employment_problems(
                    start_date=rec.get("start_date"), end_date=rec.get("end_date"),
                    contract_signed=bool(rec.get("contract_signed")), contract_type=rec.get("contract_type") or "",
                    contract_start=rec.get("contract_start"), contract_end=rec.get("contract_end"), today=today,
                )
                for fname, message_code in problems:
                    if fname in bad:
                        continue
                    self.error(result, rec, fname if fname in titles else "contract_signed", rules.EMPLOYMENT_MESSAGES[message_code])
            if bad:
                rec["_failed"] = True
            if not idn:
                continue
            ids.add(idn)
            key = (idn, code)
            if key in by_key:
                _dup(errors, by_key[key], rec, titles["id_number"],
                     _("ID number and enterprise") if code else _("ID number"))
                rec["_failed"] = by_key[key]["_failed"] = True
            else:
                by_key[key] = rec
            first = by_id.get(idn)
            if first is None:
                by_id[idn] = rec
            elif any(rec.get(f) != first.get(f) for f in worker_fields):
                self.error(result, rec, "id_number", _("Different personal data from row %(row)s for the same ID number.") % {"row": first["_row"]})

        # Look up what exists, in chunks, through the scope mechanism.
        existing = {}
        for chunk in _chunks(ids):
            existing.update((w.id_number, w) for w in Worker.objects.filter(id_number__in=chunk))
        changeable = set()
        for chunk in _chunks([w.pk for w in existing.values()]):
            changeable.update(Worker.objects.visible_to(self.actor, CHANGE).filter(pk__in=chunk).values_list("pk", flat=True))
        enterprises = {}
        for chunk in _chunks(codes):
            enterprises.update(
                (code, (pk, path)) for code, pk, path in
                Enterprise.objects.visible_to(self.actor, CHANGE).filter(credit_code__in=chunk).values_list("credit_code", "pk", "region__path")
            )
        open_emps, ended_emps = {}, {}
        ent_ids = {pk for pk, _path in enterprises.values()}
        if ent_ids:
            for chunk in _chunks([w.pk for w in existing.values()]):
                # By worker only (its index); filtering by enterprise in SQL too would make the
                # planner walk the enterprises' whole workforce instead.
                for emp in Employment.objects.filter(worker_id__in=chunk):
                    if emp.enterprise_id not in ent_ids:
                        continue
                    if emp.end_date is None:
                        open_emps[(emp.worker_id, emp.enterprise_id)] = emp
                    else:
                        ended_emps[(emp.worker_id, emp.enterprise_id, emp.start_date)] = emp
        root = Region.objects.filter(parent__isnull=True).order_by("pk").values_list("code", flat=True).first() or ""

        worker_values = self._worker_values_builder(worker_fields)
        new_worker_values = self._worker_values_builder(io.WORKER_FIELDS, present=worker_fields)
        emp_text = [f for f in ("position", "contract_type") if f in emp_fields]
        emp_bool = [f for f in ("contract_signed", "insured") if f in emp_fields]
        birth_date_from_id, sex_from_id = rules.birth_date_from_id, rules.sex_from_id
        self.new_workers, self.changed_workers, self.new_emps, self.changed_emps = [], [], [], []
        new_by_id, touched_ids = {}, set()
        self.touched_enterprises = set()
        self.migrant_changed = []
        counted_unchanged = 0
        for rec in records:
            if rec.get("_failed"):
                continue
            idn = rec["id_number"]
            code = rec.get("enterprise_code") if has_code_column else None
            ent = enterprises.get(code) if code else None
            if code and ent is None:
                self.error(result, rec, "enterprise_code", _("No enterprise with this credit code in your scope."))
                continue
            worker = existing.get(idn) or new_by_id.get(idn)
            county = (ent[1].split("/")[0] if ent else "") or root
            row_created = row_updated = False
            if worker is None:
                if not code:
                    self.error(result, rec, "enterprise_code", _("Required for a worker who is not yet in your registry."))
                    continue
                # What Worker.save() derives, set here because bulk inserts do not call save().
                worker = new_worker_values(idn, rec, county)
                worker.update(id_number=idn, birth_date=birth_date_from_id(idn), sex=sex_from_id(idn))
                new_by_id[idn] = worker
                self.new_workers.append((worker, rec))
                row_created = True
            elif worker.__class__ is dict:
                pass  # a second employment of a worker created by an earlier row
            elif worker.pk not in changeable:
                # Adding the employment would also put the person into the importer's scope:
                # anyone could then read any person by importing their number. The row is refused
                # in the words the worker form uses; without an employer, in the words used for a
                # number nobody has, so the message does not tell the two apart.
                from .forms import ID_NUMBER_CANNOT_REGISTER

                self.refused_outside.append(worker)
                if not code:
                    self.error(result, rec, "enterprise_code", _("Required for a worker who is not yet in your registry."))
                else:
                    self.error(result, rec, "id_number", ID_NUMBER_CANNOT_REGISTER)
                continue
            elif worker.pk not in touched_ids:
                touched_ids.add(worker.pk)
                values = worker_values(idn, rec, county)
                diff = [f for f, v in values.items() if getattr(worker, f) != v]
                if diff:
                    old = _snapshot(worker)
                    for f in diff:
                        setattr(worker, f, values[f])
                    self.changed_workers.append((old, worker, diff, rec))
                    row_updated = True
                    if "is_migrant" in diff:
                        self.migrant_changed.append(worker.pk)
            if ent is not None:
                ent_pk = ent[0]
                self.touched_enterprises.add(ent_pk)
                values = {f: rec[f] for f in emp_fields}
                for f in emp_text:
                    values[f] = values[f] or ""
                for f in emp_bool:
                    values[f] = bool(values[f])
                emp = None
                if worker.__class__ is not dict:
                    # A row with an end date is the ended job with that start date if there is
                    # one, else it closes the open job; a row without one is the open job.
                    if values.get("end_date") is not None:
                        emp = ended_emps.get((worker.pk, ent_pk, values.get("start_date"))) or open_emps.get((worker.pk, ent_pk))
                    else:
                        emp = open_emps.get((worker.pk, ent_pk))
                if emp is None:
                    values["enterprise_id"] = ent_pk
                    # The worker: its key, or the new worker's row (its key comes with the insert).
                    values["worker_id"] = worker if worker.__class__ is dict else worker.pk
                    self.new_emps.append((values, rec))
                    row_created = True
                else:
                    diff = [f for f, v in values.items() if getattr(emp, f) != v]
                    if diff:
                        old = _snapshot(emp)
                        for f in diff:
                            setattr(emp, f, values[f])
                        self.changed_emps.append((old, emp, diff, rec))
                        row_updated = True
            if row_created:
                result.created += 1
            elif row_updated:
                result.updated += 1
            else:
                counted_unchanged += 1
        result.unchanged = counted_unchanged
        result.counts = {
            "worker": {"created": len(self.new_workers), "updated": len(self.changed_workers)},
            "employment": {"created": len(self.new_emps), "updated": len(self.changed_emps)},
        }
        if result.errors:
            result.created = result.updated = result.unchanged = 0

    @staticmethod
    def _worker_values_builder(fields, present=None):
        """A function (ID number, record, county code) → the worker's field values from the
        columns ``present`` in the file; fields without a column (or with an empty cell) take the
        values derived from the ID number, like Worker.save() and the forms do."""
        present = fields if present is None else present
        text = [f for f in ("name", "phone", "education") if f in fields]
        in_file = set(present)
        province, city, migrant = rules.hukou_province_from_id, rules.hukou_city_from_id, rules.is_migrant_default
        want_province, want_city, want_migrant = ("hukou_province" in fields, "hukou_city" in fields, "is_migrant" in fields)

        def build(idn, rec, county):
            values = {f: (rec[f] or "") if f in in_file else "" for f in text}
            if want_province:
                values["hukou_province"] = (rec["hukou_province"] if "hukou_province" in in_file else None) or province(idn)
            if want_city:
                values["hukou_city"] = (rec["hukou_city"] if "hukou_city" in in_file else None) or city(idn)
            if want_migrant:
                value = rec["is_migrant"] if "is_migrant" in in_file else None
                values["is_migrant"] = migrant(idn[:4], county) if value is None else value
            return values

        return build

    def write(self, result, batch, report):
        # In key order: the unique index on the ID number then fills page after page instead of
        # touching a random page of a million-row index for each new worker.
        self.new_workers.sort(key=lambda pair: pair[0]["id_number"])
        worker_ids = imports.bulk_insert(Worker, [w for w, _r in self.new_workers])
        for (row, _rec), pk in zip(self.new_workers, worker_ids):
            row["pk"] = pk
        report(50)
        if self.changed_workers:
            fields = sorted({f for _o, _n, diff, _r in self.changed_workers for f in diff})
            imports.bulk_update(Worker, [w for _o, w, _d, _r in self.changed_workers], fields)
        for row, _rec in self.new_emps:
            if row["worker_id"].__class__ is dict:
                row["worker_id"] = row["worker_id"]["pk"]
        self.new_emps.sort(key=lambda pair: pair[0]["worker_id"])  # the worker index fills in order too
        rows = [row for row, _rec in self.new_emps]
        emp_ids = imports.bulk_insert(Employment, rows)
        report(75)
        if self.changed_emps:
            fields = sorted({f for _o, _n, diff, _r in self.changed_emps for f in diff})
            imports.bulk_update(Employment, [e for _o, e, _d, _r in self.changed_emps], fields)
        touched_rows = list(zip(emp_ids, (rec for _row, rec in self.new_emps)))
        touched_rows += [(e.pk, rec) for _o, e, _d, rec in self.changed_emps]
        self._recheck(result, Employment, touched_rows, "enterprise_code")
        if result.errors:
            return
        report(85)
        touched = set(self.touched_enterprises)
        for chunk in _chunks(self.migrant_changed):
            touched.update(Employment.objects.filter(worker_id__in=chunk, end_date__isnull=True).values_list("enterprise_id", flat=True))
        services.refresh_workforce(touched)
        report(90)
        self._log_updates(Worker, [(o, n, d) for o, n, d, _r in self.changed_workers], batch)
        self._log_updates(Employment, [(o, n, d) for o, n, d, _r in self.changed_emps], batch)
        self.created_ids = {
            "registry.worker": imports.compact_ids(worker_ids),
            "registry.employment": imports.compact_ids(emp_ids),
        }


IMPORTERS = {"enterprises": EnterpriseImporter, "workers": WorkerImporter}
