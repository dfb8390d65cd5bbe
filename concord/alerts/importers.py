"""The partner-department file of risk signals, on the registry's import mechanism.

``concord.registry.importers.import_file("risk_signals", source, actor=..., commit=...)`` reads the
file (concord/alerts/io.py), and this importer validates and writes it: the dry run lists every
problem by row and column and writes nothing; the commit re-validates in one transaction and
writes every signal or none.

- The enterprise is found by its credit code among those the importer sees; a code that is not
  registered, or whose enterprise lies outside the importer's scope (a town officer naming another
  town's enterprise), is a row error.
- Figures are checked by the signal's own rules (``services.signal_problems``: negative months,
  arrears beyond a plausible payroll, a date in the future, an expiry before the date), with the
  messages the form and the API give.
- Two rows with the same enterprise, kind and date are both reported; a row that repeats a signal
  already stored (same enterprise, kind, date and value) is counted unchanged and not added again,
  so a partner resending last month's file adds nothing.
- The commit inserts the signals in bulk (source "partner file", the batch, the importer as
  reporter), re-checks them against the scope and reassesses the touched enterprises once, so
  alerts rise at once.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import imports
from concord.core.scope import ADD
from concord.registry.importers import IMPORTERS, _chunks, _dup, _Importer, _under, region_paths
from concord.registry.models import Enterprise

from . import io, rules, services
from .models import RiskSignal, SignalSource, messages as signal_messages

KIND = "risk_signals"
FIGURES = frozenset({"value", "amount", "workers_affected"})


class SignalImporter(_Importer):
    spec = io.SIGNAL_FILE
    model = RiskSignal

    def validate(self, records, present, result):
        today = timezone.localdate()
        errors = result.errors
        titles = self.titles
        code_title = titles["enterprise_code"]

        # Rows naming the same signal twice: both rows are reported.
        seen, codes = {}, set()
        for rec in records:
            code, kind, day = rec.get("enterprise_code"), rec.get("kind"), rec.get("observed_on")
            if code:
                codes.add(code)
            if rec.get("_bad") or not (code and kind and day):
                rec["_failed"] = True
            if code and kind and day:
                key = (code, kind, day)
                if key in seen:
                    _dup(errors, seen[key], rec, code_title, _("enterprise, kind of signal and date"))
                    rec["_failed"] = seen[key]["_failed"] = True
                else:
                    seen[key] = rec

        # The enterprises, through the scope mechanism.
        visible = {}
        for chunk in _chunks(codes):
            visible.update((e.credit_code, e) for e in
                           Enterprise.objects.visible_to(self.actor).filter(credit_code__in=chunk).select_related("region"))
        registered = set()
        for chunk in _chunks(codes - set(visible)):
            registered.update(Enterprise.objects.filter(credit_code__in=chunk).values_list("credit_code", flat=True))
        paths = region_paths(self.actor, RiskSignal, ADD)

        # Signals already stored for these enterprises: a repeated row changes nothing.
        stored = set()
        for chunk in _chunks([e.pk for e in visible.values()]):
            stored.update(RiskSignal.objects.filter(enterprise_id__in=chunk).values_list(
                "enterprise_id", "kind", "observed_on", "value"))

        actor = self.actor if self.actor.is_authenticated else None
        rule_messages = {str(m) for m in signal_messages().values()}
        self.new, self.enterprises = [], set()
        unchanged = 0
        for rec in records:
            bad = rec.get("_bad") or ()
            code = rec.get("enterprise_code")
            if not code:
                continue
            enterprise = visible.get(code)
            if enterprise is None:
                if code in registered:
                    self.error(result, rec, "enterprise_code", _("This enterprise is outside your scope."))
                else:
                    self.error(result, rec, "enterprise_code", _("No enterprise with this credit code is registered."))
                continue
            if not _under(enterprise.region.path, paths):
                self.error(result, rec, "enterprise_code", _("You may not report signals for enterprises of this town."))
                continue
            if not rec.get("kind") or not rec.get("observed_on"):
                continue  # a bad or empty required cell, already reported
            signal = RiskSignal(
                enterprise=enterprise, region_id=enterprise.region_id, kind=rec["kind"], source=SignalSource.PARTNER_FILE,
                observed_on=rec["observed_on"], value=rec.get("value"), amount=rec.get("amount"),
                workers_affected=rec.get("workers_affected"), evidence=rec.get("evidence") or "",
                expires_on=rec.get("expires_on") or rules.default_expiry(rec["kind"], rec["observed_on"]),
            )
            problems = services.signal_problems(signal, today)
            for field, messages in problems.items():
                # A figure refused by the signal's rules also fails the field's generic validator
                # ("greater than or equal to 0"): the rule's own message says it better.
                messages = [m for m in messages if m in rule_messages] or messages
                key = field if field in titles else "enterprise_code" if field == "enterprise" else ""
                if key in bad or (key in FIGURES and FIGURES & set(bad)):
                    continue  # the cell's own error is reported; the figures' checks need every figure
                for message in messages:
                    self.error(result, rec, key, message)
            if problems or rec.get("_failed"):
                rec["_failed"] = True
                continue
            if (enterprise.pk, signal.kind, signal.observed_on, signal.value) in stored:
                unchanged += 1
                self.notice(result, rec, "kind", _("This signal is already recorded; it was left unchanged."))
                continue
            self.enterprises.add(enterprise.pk)
            self.new.append(({
                "enterprise_id": enterprise.pk, "region_id": enterprise.region_id, "kind": signal.kind,
                "source": SignalSource.PARTNER_FILE, "observed_on": signal.observed_on, "value": signal.value,
                "amount": signal.amount, "workers_affected": signal.workers_affected, "evidence": signal.evidence,
                "expires_on": signal.expires_on, "reported_by_id": actor.pk if actor else None,
            }, rec))
        if result.errors:
            result.created = result.unchanged = 0
            return
        result.created, result.unchanged = len(self.new), unchanged
        result.counts = {"risksignal": {"created": len(self.new), "updated": 0, "unchanged": unchanged}}

    def write(self, result, batch, report):
        rows = []
        for row, _rec in self.new:
            row["import_batch_id"] = batch.pk
            rows.append(row)
        ids = imports.bulk_insert(RiskSignal, rows)
        report(60)
        self._recheck(result, RiskSignal, list(zip(ids, (rec for _row, rec in self.new))), "enterprise_code")
        if result.errors:
            return
        report(75)
        # One reassessment of every touched enterprise: alerts rise with the commit.
        outcome = services.assess(sorted(self.enterprises))
        result.counts["assessment"] = outcome
        self.created_ids = {"alerts.risksignal": imports.compact_ids(ids)}


IMPORTERS[KIND] = SignalImporter
