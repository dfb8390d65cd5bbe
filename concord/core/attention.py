"""What needs the signed-in user's attention: each app registers providers; the home page lists
what they return. A provider takes the user and returns a list of ``Attention`` items, built from
scoped selectors only."""
from dataclasses import dataclass

_PROVIDERS = []


@dataclass(frozen=True)
class Attention:
    label: str
    count: int
    url: str = ""
    level: str = "warning"  # a Bootstrap contextual colour


def provider(func):
    _PROVIDERS.append(func)
    return func


def items_for(user) -> list[Attention]:
    items = []
    for func in _PROVIDERS:
        items.extend(item for item in func(user) if item.count)
    return items
