"""Table tests of the scope rules themselves: who sees which rows of which model."""
import pytest

from concord.core.models import AccessLog, ChangeLogEntry, Event, Region, RoleAssignment, User
from concord.core.scope import ADD, CHANGE, VIEW, can, ensure_in_scope, OutOfScope
from concord.registry.models import Employment, Enterprise, Worker

# (user, model, action, records expected visible by world attribute)
CASES = [
    ("admin", Enterprise, VIEW, {"ent_a", "ent_a2", "ent_b"}),
    ("officer_a", Enterprise, VIEW, {"ent_a", "ent_a2"}),
    ("officer_b", Enterprise, VIEW, {"ent_b"}),
    ("union_a", Enterprise, VIEW, {"ent_a"}),
    ("worker_user", Enterprise, VIEW, set()),
    ("auditor", Enterprise, VIEW, {"ent_a", "ent_a2", "ent_b"}),
    ("auditor", Enterprise, CHANGE, set()),
    ("court", Enterprise, CHANGE, set()),
    ("officer_a", Enterprise, CHANGE, {"ent_a", "ent_a2"}),
    ("union_a", Enterprise, CHANGE, {"ent_a"}),
    ("officer_a", Worker, VIEW, {"worker_a", "peer_a"}),
    ("union_a", Worker, VIEW, {"worker_a"}),
    ("worker_user", Worker, VIEW, {"worker_a"}),
    ("worker_user", Employment, VIEW, {"emp_a"}),
    ("officer_b", Employment, VIEW, {"emp_b"}),
    ("officer_a", Region, VIEW, {"town_a", "community_a"}),
    ("admin", Region, VIEW, {"county", "town_a", "town_b", "community_a"}),
    ("officer_a", Region, CHANGE, set()),
    ("admin", AccessLog, VIEW, {"access_a", "access_b"}),
    ("officer_a", AccessLog, VIEW, set()),
    ("admin", Worker, VIEW, {"worker_a", "peer_a", "worker_b"}),
    ("court", Worker, VIEW, {"worker_a", "peer_a", "worker_b"}),
    ("union_a", Worker, CHANGE, {"worker_a"}),
    ("admin", Event, VIEW, {"event_a", "event_b"}),
    ("officer_a", Event, VIEW, {"event_a"}),
    ("union_a", Event, VIEW, {"event_a"}),
    ("court", Event, VIEW, {"event_a", "event_b"}),  # enterprise events: the court liaison views enterprises
    ("worker_user", Event, VIEW, set()),
]

# Who holds a worker as their employments change (docs/scope.md, "Workers"): the state of
# worker A's employments → the users who see worker A.
WORKER_HOLDERS = [
    ("current at A", {"admin", "auditor", "court", "officer_a", "union_a", "worker_user"}),
    ("left A, none current", {"admin", "auditor", "court", "officer_a", "worker_user"}),
    ("left A, current at B", {"admin", "auditor", "court", "officer_b", "worker_user"}),
    ("no employment", {"admin", "auditor", "court", "worker_user"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("state,holders", WORKER_HOLDERS)
def test_who_holds_a_worker(world, state, holders):
    from datetime import date

    if state != "current at A":
        world.emp_a.end_date = date(2025, 6, 30)
        world.emp_a.save()
    if state == "left A, current at B":
        Employment.objects.create(worker=world.worker_a, enterprise=world.ent_b, start_date=date(2025, 7, 1))
    if state == "no employment":
        world.emp_a.delete()
    users = ("admin", "auditor", "court", "officer_a", "officer_b", "union_a", "worker_user")
    seen = {who for who in users if Worker.objects.visible_to(getattr(world, who)).filter(pk=world.worker_a.pk).exists()}
    assert seen == holders
    # Never more than one row per worker, however many employments.
    assert Worker.objects.visible_to(world.admin).filter(pk=world.worker_a.pk).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who,model,action,expected", CASES)
def test_visible_rows(world, who, model, action, expected):
    user = getattr(world, who)
    pks = set(model.objects.visible_to(user, action).values_list("pk", flat=True))
    candidates = {name: getattr(world, name) for name in vars(world) if isinstance(getattr(world, name), model)}
    assert {name for name, obj in candidates.items() if obj.pk in pks} == expected


@pytest.mark.django_db
def test_change_log_is_for_county_level_only(world):
    assert ChangeLogEntry.objects.visible_to(world.admin).count() == ChangeLogEntry.objects.count() > 0
    assert ChangeLogEntry.objects.visible_to(world.auditor).exists()
    assert not ChangeLogEntry.objects.visible_to(world.officer_a).exists()


@pytest.mark.django_db
def test_inactive_assignment_and_user_see_nothing(world):
    RoleAssignment.objects.filter(user=world.officer_a).update(is_active=False)
    fresh = User.objects.get(pk=world.officer_a.pk)
    assert not Enterprise.objects.visible_to(fresh).exists()
    world.officer_b.is_active = False
    assert not can(world.officer_b, Enterprise, VIEW)


@pytest.mark.django_db
def test_multi_valued_scope_does_not_repeat_rows(world):
    from datetime import date

    Employment.objects.create(worker=world.worker_a, enterprise=world.ent_a2, start_date=date(2020, 1, 1), end_date=date(2021, 1, 1))
    rows = list(Worker.objects.visible_to(world.officer_a))
    assert len(rows) == len(set(rows))


@pytest.mark.django_db
def test_ensure_in_scope_refuses_a_record_moved_out(world):
    world.ent_a.region = world.town_b
    world.ent_a.save()
    with pytest.raises(OutOfScope):
        ensure_in_scope(world.ent_a, world.officer_a, CHANGE)
    assert can(world.officer_a, Enterprise, ADD)


@pytest.mark.parametrize("model_path,lookup,expected", [
    ("concord.disputes.models.Case", "region__path", False),
    ("concord.disputes.models.Case", "respondent", False),
    ("concord.disputes.models.Case", "claimants__worker__user", True),
    ("concord.disputes.models.Evidence", "case__claimants__worker__user", True),
    ("concord.disputes.models.Claimant", "case__region__path", False),
    ("concord.registry.models.Worker", "employments__enterprise__region__path", True),
    ("concord.registry.models.Worker", "user", False),
    ("concord.core.models.User", "role_assignments__region__path", True),
    ("concord.core.models.Event", "enterprise_id", False),
    ("concord.disputes.models.Case", None, True),  # an expression in a role filter: assume it repeats rows
])
def test_crosses_to_many(model_path, lookup, expected):
    from importlib import import_module

    from concord.core.scope import crosses_to_many

    module, name = model_path.rsplit(".", 1)
    assert crosses_to_many(getattr(import_module(module), name), lookup) is expected


@pytest.mark.django_db
def test_exists_only_for_users_whose_scope_crosses_a_to_many_relation(world):
    from concord.disputes import services
    from concord.disputes.models import Case

    case = services.case_file(
        actor=world.officer_a, source="walk_in", respondent=world.ent_a, category=5, subcategory="wage_arrears",
        facts="拖欠工资", amount_claimed=1000,
        claimants=[services.ClaimantInput(world.worker_a.name, world.worker_a.id_number)])
    sql = lambda user: str(Case.objects.visible_to(user).query).upper()  # noqa: E731
    # Staff reach cases by region or enterprise: filtered directly, so counts read an index.
    for user in (world.admin, world.officer_a, world.union_a, world.court):
        assert "EXISTS" not in sql(user)
    # A worker reaches them through the claimants: de-duplicated by EXISTS; so is anyone who also holds
    # the worker role.
    assert "EXISTS" in sql(world.worker_user)
    RoleAssignment.objects.create(user=world.worker_user, role="town_officer", region=world.town_a)
    both = User.objects.get(pk=world.worker_user.pk)
    assert "EXISTS" in sql(both) and list(Case.objects.visible_to(both)) == [case]
    assert list(Case.objects.visible_to(world.officer_a)) == [case] and not Case.objects.visible_to(world.officer_b).exists()
    # Workers' scope crosses employments for every staff role.
    assert "EXISTS" in str(Worker.objects.visible_to(world.officer_a).query).upper()


@pytest.mark.parametrize("path,above", [
    ("330603/", []),
    ("330603/330603009/", ["330603/"]),
    ("330603/330603009/330603009001/", ["330603/", "330603/330603009/"]),
    ("", []),
])
def test_paths_above(path, above):
    from concord.core.scope import paths_above

    assert paths_above(path) == above


@pytest.mark.django_db
def test_towns_read_the_county_settings_above_them_but_do_not_write_them(world, login):
    """Legal settings read upward (ancestors_read): a town officer and a mediator under the county
    see the county's row and its page; only the county changes it; a row of a town is not read by
    the other town, and no write reaches it through reading."""
    from datetime import date

    from concord.disputes.models import LegalSetting

    county_row = LegalSetting.objects.create(region=world.county, key="mediation_days", value=20, source="县规定",
                                             effective_from=date(2025, 1, 1))
    town_row = LegalSetting.objects.create(region=world.town_a, key="collective_threshold", value=10, source="镇规定",
                                           effective_from=date(2025, 1, 1))
    assert set(LegalSetting.objects.visible_to(world.officer_a)) == {county_row, town_row}
    assert set(LegalSetting.objects.visible_to(world.officer_b)) == {county_row}
    assert not LegalSetting.objects.visible_to(world.officer_a, CHANGE).exists()
    assert set(LegalSetting.objects.visible_to(world.admin, CHANGE)) == {county_row, town_row}
    officer = login(world.officer_b)
    assert officer.get(f"/disputes/legal-settings/{county_row.pk}/").status_code == 200
    assert officer.get(f"/disputes/legal-settings/{town_row.pk}/").status_code == 404
    listing = officer.get("/disputes/legal-settings/").content.decode()
    assert "县规定" in listing and "镇规定" not in listing
    officer.post(f"/disputes/legal-settings/{county_row.pk}/edit/", {"value": "99"})
    county_row.refresh_from_db()
    assert county_row.value == 20
