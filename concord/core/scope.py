"""The one scoping mechanism: who may see or change which rows.

Every scoped model declares a ``ScopeSpec`` (class attribute ``scope``) saying where its region
path, its enterprise and its worker's user live, and which roles may view or write it. Its manager
is a ``ScopedManager``; ``Model.objects.visible_to(user, action)`` is the only way views, forms,
exports, API routes and selectors fetch rows. Nothing else filters by scope by hand.

Rules (see docs/scope.md):
- region roles see rows whose region path starts with their assignment's region path, so a county
  assignment covers its towns and a town assignment its communities;
- an enterprise union officer sees rows of their enterprise;
- a worker sees rows that belong to their own worker record;
- ``view_roles`` / ``write_roles`` restrict which roles reach a model at all; the auditor is
  never a write role;
- superusers (operators, not demo users) see everything.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache, reduce
import operator

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County administrator")
    TOWN_OFFICER = "town_officer", _("Town officer")
    UNION_OFFICER = "union_officer", _("Enterprise union officer")
    MEDIATOR = "mediator", _("Mediator")
    COURT_LIAISON = "court_liaison", _("Court liaison")
    LABOUR_LIAISON = "labour_liaison", _("Labour-bureau liaison")
    AUDITOR = "auditor", _("Auditor (read-only)")
    WORKER = "worker", _("Worker (self-service)")


# Roles whose assignment names a region node; the union officer names an enterprise; the worker
# is scoped to their own worker record.
REGION_ROLES = frozenset(
    {Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.MEDIATOR, Role.COURT_LIAISON, Role.LABOUR_LIAISON, Role.AUDITOR}
)
ENTERPRISE_ROLES = frozenset({Role.UNION_OFFICER})
SELF_ROLES = frozenset({Role.WORKER})
ALL_ROLES = frozenset(Role)
STAFF_ROLES = ALL_ROLES - SELF_ROLES
DEFAULT_WRITE_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.UNION_OFFICER})
# Roles that may reveal a full ID number or phone number (each reveal is logged).
REVEAL_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_OFFICER, Role.MEDIATOR, Role.UNION_OFFICER, Role.WORKER})


class OutOfScope(PermissionDenied):
    """A write would leave the actor's scope; callers roll the transaction back."""


@dataclass(frozen=True)
class ScopeSpec:
    # Lookups (relative to the model) of a Region.path; several are OR-ed.
    regions: tuple[str, ...] = ()
    # Lookup of the enterprise primary key, for union officers.
    enterprise: str | None = None
    # Lookup of the worker's user primary key, for worker self-service.
    worker_user: str | None = None
    view_roles: frozenset = STAFF_ROLES
    write_roles: frozenset = DEFAULT_WRITE_ROLES
    # True when a lookup crosses a to-many relation (rows would repeat without de-duplication).
    # Only users whose parts use such a lookup get the de-duplicating EXISTS (``visible_to``); the
    # others (e.g. staff reaching cases by region while workers reach them through the claimants)
    # are filtered directly. Which lookups cross one is read from the models (``crosses_to_many``).
    multi_valued: bool = False
    # Rows without any region (e.g. the change log): visible only to region roles assigned at county level.
    county_level_only: bool = False
    # With county_level_only: every staff role of view_roles reads the rows (the scoring rules a
    # town's explanations cite, the standard a union officer self-assesses against); writing stays
    # with the county.
    shared_read: bool = False
    # Region roles also read the rows of the regions above theirs (a county's legal settings, which
    # its towns' cases follow); writing stays with the roles whose own region holds the row.
    ancestors_read: bool = False
    # Per role, a further condition on the rows it reaches (e.g. the court liaison sees only
    # court-delegated cases); applied to every part that role contributes.
    role_filters: dict = field(default_factory=dict)
    # Rows about another record, named by (content type field, object id field) — the domain
    # events: besides their own lookups they are visible only with their subject, through the
    # subject model's own scope (its role filters and view roles included).
    subject: tuple[str, str] | None = None
    # Records a row names besides its subject, as (JSON field, key, "app_label.Model"): a row whose
    # field holds the key is visible only with the record it names (an enterprise's event
    # "collective dispute filed" names the case in ``data["case"]``).
    named: tuple = ()
    # Rows that no region holds (a worker with no employment): region roles assigned at a county
    # (a root region) see them, so that no row is ever left outside every scope.
    unplaced: Q | None = None
    # Conditions the to-many link must meet for region parts and for enterprise parts (a worker is
    # held by their current employments; see Worker.scope and docs/scope.md).
    region_link: Q | None = None
    enterprise_link: Q | None = None
    extra: dict = field(default_factory=dict)

    def roles_for(self, action: str) -> frozenset:
        return self.view_roles if action == VIEW else self.write_roles


def paths_above(path: str) -> list[str]:
    """The materialised paths of the regions above ``path``: "330603/330603009/" → ["330603/"]."""
    codes = [code for code in path.split("/") if code]
    return ["".join(f"{code}/" for code in codes[:i]) for i in range(1, len(codes))]


def assignments_of(user):
    """The user's active role assignments, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_concord_assignments", None)
    if cached is None:
        cached = list(
            user.role_assignments.filter(is_active=True).select_related("region", "enterprise").order_by("pk")
        )
        user._concord_assignments = cached
    return cached


def user_roles(user) -> set[str]:
    return {a.role for a in assignments_of(user)}


def scope_q(model, user, action: str = VIEW) -> Q | None:
    """The filter of ``model`` rows ``user`` may act on, or None when none at all."""
    return scope_filter(model, user, action)[0]


def scope_filter(model, user, action: str = VIEW) -> tuple[Q | None, bool]:
    """(``scope_q``, whether the filter crosses a to-many relation, so that rows would repeat).

    Kept on the user object with its assignments, from which it follows: a page asks it for the
    same model dozens of times (every menu item, panel and link check)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None, False
    cache = getattr(user, "_concord_scopes", None)
    if cache is None or cache[0] is not assignments_of(user):
        cache = user._concord_scopes = (assignments_of(user), {})
    key = (model, action)
    if key not in cache[1]:
        cache[1][key] = _scope_filter(model, user, action)
    return cache[1][key]


def _scope_filter(model, user, action):
    if user.is_superuser:
        return Q(), False
    spec: ScopeSpec = model.scope
    allowed = spec.roles_for(action)
    parts = []
    lookups = set()
    for a in assignments_of(user):
        if a.role not in allowed:
            continue
        extra = spec.role_filters.get(a.role)
        if spec.county_level_only and action == VIEW and spec.shared_read and a.role not in SELF_ROLES:
            return Q(), False  # county reference data every staff role of view_roles reads (a standard, tiers)
        if a.role in REGION_ROLES and a.region_id:
            if spec.county_level_only:
                if a.region.parent_id is None or (action == VIEW and spec.shared_read):
                    return Q(), False
                continue
            role_lookups = spec.regions
            role_parts = [Q(**{f"{lookup}__startswith": a.region.path}) for lookup in spec.regions]
            above = paths_above(a.region.path) if spec.ancestors_read and action == VIEW else []
            if above:
                role_parts += [Q(**{f"{lookup}__in": above}) for lookup in spec.regions]
            if spec.region_link is not None:
                role_parts = [part & spec.region_link for part in role_parts]
                role_lookups = (*role_lookups, *q_lookups(spec.region_link))
            if spec.unplaced is not None and a.region.parent_id is None:
                role_parts.append(spec.unplaced)
                role_lookups = (*role_lookups, *q_lookups(spec.unplaced))
        elif a.role in ENTERPRISE_ROLES and a.enterprise_id and spec.enterprise:
            role_lookups = (spec.enterprise,)
            role_parts = [Q(**{spec.enterprise: a.enterprise_id})]
            if spec.enterprise_link is not None:
                role_parts = [part & spec.enterprise_link for part in role_parts]
                role_lookups = (*role_lookups, *q_lookups(spec.enterprise_link))
        elif a.role in SELF_ROLES and spec.worker_user:
            role_lookups = (spec.worker_user,)
            role_parts = [Q(**{spec.worker_user: user.pk})]
        else:
            role_lookups, role_parts = (), []
        if role_parts:
            lookups.update(role_lookups)
            if extra is not None:
                lookups.update(q_lookups(extra))
        parts.extend(part & extra if extra is not None else part for part in role_parts)
    if not parts:
        return None, False
    repeats = spec.multi_valued and any(crosses_to_many(model, lookup) for lookup in lookups)
    return reduce(operator.or_, parts), repeats


def about_q(model, user) -> Q | None:
    """For rows about other records (``ScopeSpec.subject`` / ``named``): the condition that their
    subject and the records they name are visible to ``user``; None when no subject is. Kept with
    the user's filters. Applied by ``visible_to`` only, not by ``can`` (which a page asks for every
    menu item), because finding the subject types reads the table."""
    cache = getattr(user, "_concord_scopes", None)
    if cache is None or cache[0] is not assignments_of(user):
        cache = user._concord_scopes = (assignments_of(user), {})
    key = (model, "about")
    if key not in cache[1]:
        spec = model.scope
        q = subject_q(model, user) if spec.subject else Q()
        if q is not None and spec.named:
            q &= named_q(spec.named, user)
        cache[1][key] = q
    return cache[1][key]


def named_q(named, user) -> Q:
    """Rows that name no record under a key, or name one ``user`` may view (a correlated EXISTS by
    the named record's primary key)."""
    from django.apps import apps
    from django.db.models.fields.json import KeyTextTransform
    from django.db.models.functions import Cast

    out = Q()
    for json_field, key, label in named:
        target = apps.get_model(label)
        absent = Q(**{f"{json_field}__{key}__isnull": True})
        q, _repeats = scope_filter(target, user, VIEW)
        if q is None:
            out &= absent
        elif q:
            pk = Cast(KeyTextTransform(key, OuterRef(json_field)), models.BigIntegerField())
            out &= absent | Q(Exists(target._base_manager.filter(q, pk=pk)))
    return out


def subject_models():
    """The scoped models that can be the subject of a row about another record (every scoped
    model but those rows themselves)."""
    from django.apps import apps

    return [m for m in apps.get_models() if isinstance(getattr(m, "scope", None), ScopeSpec) and not m.scope.subject]


_INTEGER_KEYS = frozenset({"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"})


def subject_types_present(model, ct_field) -> set[int]:
    """The content types that rows of ``model`` have, by a loose index scan (a recursive CTE that
    jumps from one value to the next on the content-type index): a few index probes however many
    rows, on SQLite and PostgreSQL alike."""
    from django.db import connections, router

    table = connections[router.db_for_read(model)].ops.quote_name(model._meta.db_table)
    column = connections[router.db_for_read(model)].ops.quote_name(model._meta.get_field(ct_field).column)
    sql = (f"WITH RECURSIVE t(v) AS (SELECT MIN({column}) FROM {table} "
           f"UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > t.v) FROM t WHERE t.v IS NOT NULL) "
           "SELECT v FROM t WHERE v IS NOT NULL")
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def subject_q(model, user) -> Q | None:
    """The rows of ``model`` (a model with ``ScopeSpec.subject``) whose subject ``user`` may view.

    Per subject type: the content type, and a correlated EXISTS on the subject model's own
    ``visible_to`` filter probing the subject's primary key, so that a page of the newest rows is
    an index walk that checks each row's subject by its key, whatever the size of the county; a
    type the user sees whole (a superuser, county reference data) is a plain content-type match.
    Subjects of a model without a scope (none today) are read by county-level region roles only."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.functions import Cast

    ct_field, id_field = model.scope.subject
    models_ = subject_models()
    types = ContentType.objects.get_for_models(*models_, for_concrete_models=False)
    # Only the types that have rows: a branch per scoped model (38 of them) would make the planner's
    # estimate so large that PostgreSQL compiles the query (JIT: 20 s for the court liaison's page).
    present = subject_types_present(model, ct_field)
    whole, branches = [], []
    for subject in models_:
        ct = types[subject]
        if ct.pk not in present:
            continue
        q, _repeats = scope_filter(subject, user, VIEW)
        if q is None:
            continue
        if not q:
            whole.append(ct.pk)
            continue
        key = OuterRef(id_field)
        if subject._meta.pk.get_internal_type() in _INTEGER_KEYS:
            # Object ids are stored as text; the subject's key is compared as a number so that its index serves.
            key = Cast(key, models.BigIntegerField())
        branches.append(models.When(**{f"{ct_field}_id": ct.pk}, then=Exists(subject._base_manager.filter(q, pk=key))))
    unscoped = present - {ct.pk for ct in types.values()}
    if unscoped and any(a.role in REGION_ROLES and a.region_id and a.region.parent_id is None for a in assignments_of(user)):
        whole.extend(sorted(unscoped))
    if whole:
        branches.append(models.When(**{f"{ct_field}_id__in": whole}, then=models.Value(True)))
    if not branches:
        return None
    # One CASE on the content type rather than an OR of (type AND EXISTS): only the row's own
    # type's EXISTS is evaluated, and the planner cannot take the OR of type equalities as an index
    # condition (it then read every event of those types through the type index and filtered the
    # union officer's enterprise out of 500,000 rows, instead of walking the time index to 25).
    return Q(models.Case(*branches, default=models.Value(False), output_field=models.BooleanField()))


def q_lookups(q: Q):
    """The lookups a Q object filters on; None for a child that is an expression (unknown)."""
    for child in q.children:
        if isinstance(child, Q):
            yield from q_lookups(child)
        elif isinstance(child, tuple):
            yield child[0]
        else:
            yield None


@lru_cache(maxsize=None)
def crosses_to_many(model, lookup: str | None) -> bool:
    """Whether ``lookup`` (relative to ``model``) passes through a to-many relation (a reverse
    foreign key or a many-to-many), so that filtering on it may repeat rows. An unknown lookup
    (None) counts as crossing one."""
    if lookup is None:
        return True
    opts = model._meta
    for name in lookup.split(LOOKUP_SEP):
        try:
            rel = opts.get_field(name)
        except FieldDoesNotExist:
            return False  # a transform or comparison (``startswith``) ends the path
        if not rel.is_relation:
            return False
        if rel.many_to_many or rel.one_to_many:
            return True
        if rel.related_model is None:  # a generic foreign key
            return True
        opts = rel.related_model._meta
    return False


def can(user, model, action: str = VIEW) -> bool:
    """Whether ``user`` may perform ``action`` on at least some rows of ``model``."""
    return scope_q(model, user, action) is not None


def narrowed(user, model) -> bool:
    """Whether a role filter narrows what ``user`` sees of ``model`` within their regions (a court
    liaison sees the court-delegated cases only): figures kept per enterprise would tell them more."""
    filtered = model.scope.role_filters
    return any(a.role in filtered for a in assignments_of(user))


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = VIEW):
        q, repeats = scope_filter(self.model, user, action)
        if q is None:
            return self.none()
        if not q:  # Q() for superusers and county-level rows
            return self.all()
        if action == VIEW and (self.model.scope.subject or self.model.scope.named):
            about = about_q(self.model, user)
            if about is None:
                return self.none()
            q = q & about
        if repeats:
            # A correlated EXISTS rather than ``pk__in``: a page ordered by an index can stop after
            # its rows instead of first materialising every row of the scope (1.2 million workers
            # for a county user); each row is checked through the relation's index. Only when the
            # user's filter crosses a to-many relation: a plain filter lets counts and aggregates
            # read an index instead of probing every row (60,000 cases for a county user).
            return self.filter(models.Exists(self.model._base_manager.filter(q, pk=models.OuterRef("pk"))))
        return self.filter(q)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def ensure_in_scope(obj, user, action: str = CHANGE) -> None:
    """Re-check after a write: raises OutOfScope when the saved row left the actor's scope.

    Call inside the write's transaction so that raising rolls the write back.
    """
    manager = type(obj)._default_manager
    if not manager.visible_to(user, action).filter(pk=obj.pk).exists():
        raise OutOfScope(_("This change would place the record outside your scope."))


def get_visible_or_404(model, user, action: str = VIEW, **lookup):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(model._default_manager.visible_to(user, action), **lookup)


def restrict_form_fields(form, user) -> None:
    """Limit every foreign-key choice list to rows the user may see (STYLE.md 3)."""
    for bound in form.fields.values():
        queryset = getattr(bound, "queryset", None)
        if queryset is not None and hasattr(queryset.model, "scope"):
            bound.queryset = queryset.visible_to(user, VIEW)
