from django.urls import reverse
from django.utils.translation import gettext as _

from concord.core.attention import Attention, provider
from concord.core.scope import Role, user_roles

from .models import Employment, Enterprise


@provider
def registry_items(user):
    items = []
    if user_roles(user) & {Role.COUNTY_ADMIN, Role.TOWN_OFFICER}:
        no_union = Enterprise.objects.visible_to(user).filter(has_union=False).count()
        items.append(Attention(_("Enterprises without a union"), no_union, reverse("registry:enterprise_list") + "?has_union=false"))
    if Role.WORKER in user_roles(user):
        mine = Employment.objects.visible_to(user).filter(end_date__isnull=True).count()
        items.append(Attention(_("Your current employments"), mine, reverse("registry:employment_list"), "info"))
    return items
