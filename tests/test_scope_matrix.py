"""The scope matrix: every URL pattern and API route, discovered from the resolver (so routes added
later are covered without editing this file), walked by users of two towns, an enterprise union
officer, a worker and an anonymous visitor.

For each route it checks that
- anonymous visitors are sent to sign in (pages) or refused (API), except for the public routes;
- no response to a user contains a token of a record outside their scope (lists, details, exports,
  API lists and details);
- a record outside scope answers 404 to GET, POST, PUT, PATCH and DELETE and is left unchanged;
- a record inside scope answers 200 where the scope mechanism says the user may act on it.
"""
from datetime import date

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from concord.core.models import (
    AccessLog, CalendarDay, CalendarYear, ChangeLogEntry, Event, ImportBatch, JobRun, Region, RoleAssignment, User,
)
from concord.core.scope import CHANGE, VIEW, can
from concord.registry.models import Employment, Enterprise, Worker

PUBLIC = {"login", "health", "set_language", "api_token", "publicity"}  # publicity: the harmony publicity notice
# Tokens a user must never see: records of the other town, and colleagues' records for a worker.
FORBIDDEN = {
    "officer_a": ["Bravo"],
    "officer_b": ["Alpha"],
    "union_a": ["Bravo", "AlphaPeer", "Alpha印染"],
    "worker_user": ["Bravo", "AlphaPeer", "Alpha印染"],
}


def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield p, prefix + str(p.pattern), (namespace + p.name) if p.name else None


def routes():
    return list(walk(get_resolver().url_patterns))


def view_model(callback):
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and getattr(view_class, "model", None) is not None:
        return view_class.model, getattr(view_class, "action", VIEW)
    cls = getattr(callback, "cls", None)
    queryset = getattr(cls, "queryset", None)
    if queryset is not None:
        return queryset.model, VIEW
    return None, VIEW


def samples(world):
    """Per model: the town-A record and the town-B record (or the only sample where a model has no town)."""
    return {
        Region: (world.town_a, world.town_b),
        Enterprise: (world.ent_a, world.ent_b),
        Worker: (world.worker_a, world.worker_b),
        Employment: (world.emp_a, world.emp_b),
        User: (world.officer_a, world.officer_b),
        RoleAssignment: (world.officer_a.role_assignments.get(), world.officer_b.role_assignments.get()),
        Event: (world.event_a, world.event_b),
        AccessLog: (world.access_a, world.access_b),
        ChangeLogEntry: (
            ChangeLogEntry.objects.filter(object_repr__startswith="Alpha").first(),
            ChangeLogEntry.objects.filter(object_repr__startswith="Bravo").first(),
        ),
        JobRun: (world.job, world.job),
        ImportBatch: import_batches(world),
        CalendarYear: calendar(world)[:1] * 2,
        CalendarDay: calendar(world)[1:] * 2,
        **dispute_samples(world),
        **meeting_samples(world),
        **alert_samples(world),
        **harmony_samples(world),
    }


def harmony_samples(world):
    """The demo standard and tiers (county rows), a round, and a certified evaluation in each town."""
    from concord.harmony.models import Certification, EnterpriseClass, Evaluation, Round, Standard, Survey, Tier

    if not hasattr(world, "evaluation_a"):
        standard = Standard.objects.get()
        world.round = Round.objects.create(year=2026, name="2026年度创建", standard=standard, opens_on=date(2026, 1, 1),
                                           self_assessment_due=date(2026, 6, 1), review_due=date(2026, 7, 1),
                                           approval_due=date(2026, 8, 1))
        tier, klass = Tier.objects.get(code="county"), EnterpriseClass.objects.get(code="small")
        made = []
        for ent, token in ((world.ent_a, "A"), (world.ent_b, "B")):
            ev = Evaluation.objects.create(round=world.round, enterprise=ent, region_id=ent.region_id, enterprise_class=klass,
                                           tier=tier, status="certified", onsite_notes=f"{ent.name}现场核查")
            cert = Certification.objects.create(number=f"330603-HX-2026-000{token}", enterprise=ent, region_id=ent.region_id,
                                                tier=tier, evaluation=ev, certified_on=date(2026, 8, 1),
                                                valid_until=date(2029, 7, 31), next_recheck_on=date(2027, 8, 1))
            made.append((ev, cert))
        (world.evaluation_a, world.cert_a), (world.evaluation_b, world.cert_b) = made
        world.survey_a, world.survey_b = (
            Survey.objects.create(enterprise=ent, region_id=ent.region_id, round=world.round, opens_on=date(2026, 5, 1),
                                  closes_on=date(2026, 5, 15)) for ent in (world.ent_a, world.ent_b))
    if not hasattr(world, "veto_a"):
        # A veto event in each town, with the county's review task of the town's title.
        from concord.harmony.models import CountyReview, VetoEvent, VetoItem

        item = VetoItem.objects.get(code="V1")
        made = []
        for ent, cert, token in ((world.ent_a, world.cert_a, "Alpha"), (world.ent_b, world.cert_b, "Bravo")):
            event = VetoEvent.objects.create(enterprise=ent, region_id=ent.region_id, item=item, occurred_on=date(2026, 9, 1),
                                             description=f"{token}童工")
            made.append((event, CountyReview.objects.create(certification=cert, veto_event=event, opened_on=date(2026, 9, 1))))
        (world.veto_a, world.review_a), (world.veto_b, world.review_b) = made
    if not hasattr(world, "evidence_a"):
        # An evidence file on a manual indicator of each town's evaluation.
        from django.core.files.base import ContentFile

        from concord.harmony.models import EvaluationEvidence, Indicator

        manual = Indicator.objects.filter(method="manual").order_by("pk").first()
        world.evidence_a, world.evidence_b = (
            EvaluationEvidence.objects.create(evaluation=ev, indicator=manual, file=ContentFile(b"%PDF-1.4", name="h.pdf"),
                                              file_name=f"{token}台账.pdf", content_type="application/pdf", size=8,
                                              description=f"{token}证明材料")
            for ev, token in ((world.evaluation_a, "Alpha"), (world.evaluation_b, "Bravo")))
    from concord.harmony.models import CountyReview, EvaluationEvidence, Indicator, VetoEvent, VetoItem

    indicator, veto_item = Indicator.objects.order_by("pk").first(), VetoItem.objects.order_by("pk").first()
    standard = Standard.objects.get()
    tier = Tier.objects.get(code="county")
    return {
        Indicator: (indicator, indicator),
        VetoItem: (veto_item, veto_item),
        VetoEvent: (world.veto_a, world.veto_b),
        CountyReview: (world.review_a, world.review_b),
        Standard: (standard, standard),
        Tier: (tier, tier),
        Round: (world.round, world.round),
        Evaluation: (world.evaluation_a, world.evaluation_b),
        EvaluationEvidence: (world.evidence_a, world.evidence_b),
        Certification: (world.cert_a, world.cert_b),
        Survey: (world.survey_a, world.survey_b),
    }


def alert_samples(world):
    """A wage-arrears signal in each town, which raises an alert with a visit recorded; the scoring
    rules and level policies are county rows (the same sample for both towns)."""
    from concord.alerts import services as alert_services
    from concord.alerts.models import (
        Alert, AlertAction, EnterpriseRisk, LevelPolicy, RiskChange, RiskSignal, ScoringRule,
    )

    if not hasattr(world, "alert_a"):
        from django.utils import timezone

        today = timezone.localdate()
        made = []
        for officer, ent, token in ((world.officer_a, world.ent_a, "Alpha"), (world.officer_b, world.ent_b, "Bravo")):
            alert_services.signal_record(actor=officer, enterprise=ent, kind="wage_arrears", observed_on=today,
                                         value=1, evidence=f"{token}欠薪报告")
            alert = Alert.objects.get(enterprise=ent)
            alert_services.action_record(alert, actor=officer, kind="visit", done_on=today, summary=f"{token}走访")
            made.append(alert)
        world.alert_a, world.alert_b = made
    pair = (world.alert_a, world.alert_b)
    rule, level = ScoringRule.objects.order_by("pk").first(), LevelPolicy.objects.order_by("pk").first()
    return {
        Alert: pair,
        AlertAction: tuple(AlertAction.objects.get(alert=a) for a in pair),
        RiskSignal: tuple(RiskSignal.objects.get(enterprise=a.enterprise_id) for a in pair),
        EnterpriseRisk: tuple(EnterpriseRisk.objects.get(enterprise=a.enterprise_id) for a in pair),
        RiskChange: tuple(RiskChange.objects.get(enterprise=a.enterprise_id) for a in pair),
        ScoringRule: (rule, rule),
        LevelPolicy: (level, level),
    }


def meeting_samples(world):
    """A tripartite meeting with a follow-up action in each town, and one county legal setting (the
    same sample for both towns, like the calendar; made once per world)."""
    from concord.disputes.models import FollowUpAction, LegalSetting, TripartiteMeeting

    if not hasattr(world, "meeting_a"):
        made = []
        for officer, town, token in ((world.officer_a, world.town_a, "Alpha"), (world.officer_b, world.town_b, "Bravo")):
            meeting = TripartiteMeeting.objects.create(
                region=town, held_on=date(2026, 3, 1), place=f"{token}会议室", labour_bureau="人社局", union="工会",
                employers="企联", topics=f"{token}欠薪", created_by=officer)
            FollowUpAction.objects.create(meeting=meeting, description=f"{token}清欠", owner="监察", due_on=date(2026, 3, 9))
            made.append(meeting)
        world.meeting_a, world.meeting_b = made
        world.legal_setting = LegalSetting.objects.create(
            region=world.county, key="mediation_days", value=20, source="县规定", effective_from=date(2025, 1, 1))
    return {
        TripartiteMeeting: (world.meeting_a, world.meeting_b),
        FollowUpAction: (world.meeting_a.actions.get(), world.meeting_b.actions.get()),
        LegalSetting: (world.legal_setting, world.legal_setting),
    }


def dispute_samples(world):
    """A case of each town (town A's with the world's worker as claimant), with a claimant, evidence
    and an agreement payment each (made once per world)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from concord.disputes import services
    from concord.disputes.models import Agreement, Case, Claimant, Evidence, Installment

    if not hasattr(world, "case_a"):
        today = timezone.localdate()
        made = []
        for officer, ent, worker in ((world.officer_a, world.ent_a, world.worker_a), (world.officer_b, world.ent_b, world.worker_b)):
            case = services.case_file(actor=officer, source="walk_in", respondent=ent, category=5, subcategory="wage_arrears",
                                      facts=f"{ent.name}欠薪", claimants=[services.ClaimantInput(worker.name, worker.id_number, worker.phone)])
            case = services.case_accept(case, actor=officer)
            case = services.case_mediate(case, actor=officer)
            case = services.case_agree(case, actor=officer, signed_on=today, effective_on=today, amount=1000, terms=f"{ent.name}付款")
            Evidence.objects.create(case=case, file=ContentFile(b"%PDF-1.4", name="e.pdf"), file_name=f"{ent.name}.pdf",
                                    content_type="application/pdf", size=8, uploaded_by=officer)
            made.append(case)
        world.case_a, world.case_b = made
    pair = (world.case_a, world.case_b)
    return {
        Case: pair,
        Claimant: tuple(Claimant.objects.get(case=c) for c in pair),
        Evidence: tuple(Evidence.objects.get(case=c) for c in pair),
        Installment: tuple(Installment.objects.get(agreement__case=c) for c in pair),
        Agreement: tuple(Agreement.objects.get(case=c) for c in pair),
    }


def calendar(world):
    """County-wide rows: the same sample for both towns (like periodic jobs)."""
    if not hasattr(world, "calendar_year"):
        world.calendar_year = CalendarYear.objects.create(year=2026, source="Alpha notice")
        world.calendar_day = CalendarDay.objects.create(date=date(2026, 10, 1), kind="holiday", name="Alpha节")
    return (world.calendar_year, world.calendar_day)


def import_batches(world):
    """An import batch of each town (made once per world)."""
    if not hasattr(world, "batch_a"):
        world.batch_a = ImportBatch.objects.create(
            kind="workers", file_name="Alpha职工名单.xlsx", sha256="a" * 64, actor=world.officer_a, region_path=world.town_a.path,
            status=ImportBatch.Status.COMMITTED)
        world.batch_b = ImportBatch.objects.create(
            kind="workers", file_name="Bravo职工名单.xlsx", sha256="b" * 64, actor=world.officer_b, region_path=world.town_b.path,
            status=ImportBatch.Status.COMMITTED)
    return world.batch_a, world.batch_b


def build_url(name, pattern_kwargs, model, obj):
    kwargs = {}
    for key in pattern_kwargs:
        if key == "pk":
            kwargs[key] = obj.pk
        elif key == "format":
            kwargs[key] = "json"
        elif key == "field":
            kwargs[key] = next(iter(getattr(model, "personal_fields", {"x": None})))
        else:
            pytest.fail(f"Route {name} has a parameter {key!r} the scope matrix cannot fill: teach build_url about it.")
    return reverse(name, kwargs=kwargs)


def assert_no_leak(response, tokens, where):
    if response.status_code >= 300 or not tokens:
        return
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode("utf-8", "replace")
    for token in tokens:
        assert token not in body, f"{where}: response contains foreign record token {token!r}"


def test_every_route_is_named_and_known():
    for pattern, route, name in routes():
        assert name, f"URL pattern {route} has no name; the scope matrix needs one"


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(world, client):
    for pattern, route, name in routes():
        if name.split(":")[-1] in PUBLIC:
            continue
        model, _ = view_model(pattern.callback)
        keys = list(pattern.pattern.regex.groupindex)
        obj = samples(world).get(model, (None, None))[0] if "pk" in keys else None
        if "pk" in keys and obj is None:
            continue
        url = build_url(name, keys, model, obj)
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), f"{url} answered {response.status_code} to an anonymous caller"
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], f"{url} is open to anonymous visitors"


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(FORBIDDEN))
def test_scope_matrix(world, login, who):
    user = getattr(world, who)
    client = login(user)
    tokens = FORBIDDEN[who]
    checked = 0
    table = samples(world)
    for pattern, route, name in routes():
        if name.split(":")[-1] in PUBLIC:
            continue
        model, action = view_model(pattern.callback)
        keys = list(pattern.pattern.regex.groupindex)
        needs_object = "pk" in keys
        if needs_object:
            assert model in table, f"Route {name}: add a sample of {model} to the scope matrix world"
        if not needs_object:
            url = build_url(name, keys, model, None)
            response = client.get(url)
            assert response.status_code in (200, 404, 405), f"{who} GET {url}: {response.status_code}"
            assert_no_leak(response, tokens, f"{who} GET {url}")
            if response.status_code == 200 and getattr(getattr(pattern.callback, "view_class", None), "export", None):
                for fmt in ("csv",):
                    exported = client.get(url, {"export": fmt, "unmask": "1"})
                    assert_no_leak(exported, tokens, f"{who} export {url}")
            checked += 1
            continue
        own, foreign = table[model]
        for obj in {own, foreign}:
            if obj is None:
                continue
            url = build_url(name, keys, model, obj)
            api = url.startswith("/api/")
            visible = model._default_manager.visible_to(user, VIEW if api else action).filter(pk=obj.pk).exists()
            before = model_to_dict(model._default_manager.get(pk=obj.pk))
            response = client.get(url)
            assert_no_leak(response, tokens, f"{who} GET {url}")
            if "reveal" in name:
                assert response.status_code in (404, 405), f"{who} GET {url}: reveal must be a POST"
            elif visible:
                assert response.status_code == 200, f"{who} GET {url}: in scope but answered {response.status_code}"
            else:
                assert response.status_code == 404, f"{who} GET {url}: out of scope but answered {response.status_code}"
            writable = model._default_manager.visible_to(user, action if not api else "change").filter(pk=obj.pk).exists()
            if not writable:
                # 403 only says "your role never writes this kind of record" (it answers so for any pk);
                # a role that does write it must get 404 for a record outside its scope.
                refused = (404, 405) if not visible and can(user, model, CHANGE) else (403, 404, 405)
                for method in ("post", "put", "patch", "delete"):
                    response = getattr(client, method)(url, data={}, content_type="application/json") if method != "post" else client.post(url, {})
                    assert response.status_code in refused, f"{who} {method.upper()} {url}: {response.status_code}"
                    assert_no_leak(response, tokens, f"{who} {method.upper()} {url}")
                after = model_to_dict(model._default_manager.get(pk=obj.pk))
                assert before == after, f"{who} changed an out-of-scope {model.__name__} through {url}"
            checked += 1
    assert checked > 20
