"""Reads used by the home page and dashboards; each takes the user and goes through the scope."""
from .models import Region
from .scope import assignments_of


def scope_summary(user):
    """The user's assignments as (role label, scope label, region) for the home page."""
    return [(a.get_role_display(), a.scope_label, a.region) for a in assignments_of(user)]


def visible_regions(user):
    return Region.objects.visible_to(user)
