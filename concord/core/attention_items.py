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
