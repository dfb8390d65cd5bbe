"""Navigation by pillar. Apps register their menu items in ``AppConfig.ready``; a pillar with no
items (not built yet) or none the user may open does not appear."""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .scope import can, user_roles

# Pillar order and labels (DESIGN.md); "system" holds the platform's own pages.
PILLARS = [
    ("registry", _("Registry"), "bi-buildings"),
    ("disputes", _("Disputes"), "bi-people"),
    ("alerts", _("Early warning"), "bi-exclamation-triangle"),
    ("harmony", _("Harmonious enterprises"), "bi-award"),
    ("services", _("Services"), "bi-heart"),
    ("democracy", _("Democracy"), "bi-megaphone"),
    ("insights", _("Insights"), "bi-bar-chart"),
    ("system", _("System"), "bi-gear"),
]


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    model: type | None = None  # the user must be able to view some rows of it
    roles: frozenset | None = None  # and, when given, hold one of these roles


_REGISTRY: dict[str, list[Item]] = {}


def register(pillar: str, items: list[Item]) -> None:
    if pillar not in dict((key, None) for key, *_ in PILLARS):
        raise ValueError(f"unknown pillar {pillar!r}")
    _REGISTRY.setdefault(pillar, []).extend(items)


def menu_for(user):
    """[(key, label, icon, [(label, url)])] of the pillars this user can open."""
    menu = []
    for key, label, icon in PILLARS:
        entries = [
            (item.label, reverse(item.url_name))
            for item in _REGISTRY.get(key, [])
            if (item.model is None or can(user, item.model))
            and (item.roles is None or user.is_superuser or user_roles(user) & item.roles)
        ]
        if entries:
            menu.append((key, label, icon, entries))
    return menu
