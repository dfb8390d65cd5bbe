"""Platform items for the home page's "needs your attention"."""
from django.urls import reverse
from django.utils.translation import gettext as _

from .attention import Attention, provider
from .models import User
from .scope import CHANGE, can


@provider
def accounts_needing_care(user):
    if not can(user, User, CHANGE):
        return []
    from axes.models import AccessAttempt
    from django.conf import settings

    visible = User.objects.visible_to(user).values("username")
    locked = AccessAttempt.objects.filter(username__in=visible, failures_since_start__gte=settings.AXES_FAILURE_LIMIT).count()
    return [Attention(_("Accounts locked after failed sign-ins"), locked, reverse("core:user_list"), "danger")]


# From 1 November the State Council's notice for next year is due (it is usually published in
# November); until it is loaded, deadlines that fall in that year are provisional.
SCHEDULE_DUE_MONTH = 11


def calendar_years_to_load(today, loaded_years) -> list:
    """The years whose holiday schedule the county administrator should load now: this year when it
    is missing, and next year from 1 November."""
    wanted = [today.year] + ([today.year + 1] if today.month >= SCHEDULE_DUE_MONTH else [])
    return [year for year in wanted if year not in set(loaded_years)]


def calendar_attention(user, today):
    from .models import CalendarYear

    if not can(user, CalendarYear, CHANGE):
        return []
    years = calendar_years_to_load(today, CalendarYear.objects.values_list("year", flat=True))
    return [
        Attention(_("The %(year)s holiday schedule is not loaded: deadlines in %(year)s are provisional") % {"year": year},
                  1, reverse("core:calendaryear_list"), "warning")
        for year in years
    ]


@provider
def calendar_schedule_missing(user):
    from django.utils import timezone

    return calendar_attention(user, timezone.localdate())
