"""Choice labels without Django's rebuild at every call.

Django's generated ``get_FOO_display`` builds a dict of the field's flattened choices each time it
is called, hashing every lazy label and so translating all of them (about 30 µs for a field of 30
choices); list pages and the 360 sections call it for every row and column. ``install`` gives each
of the project's models a ``get_FOO_display`` that builds the table once per field and translates
only the label it returns. Fields whose choices are a callable, and methods a model defines itself,
are left as they are.
"""
from __future__ import annotations

from functools import partialmethod

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_TABLES: dict = {}


def _display(self, field):
    table = _TABLES.get(field)
    if table is None:
        table = _TABLES[field] = {make_hashable(value): label for value, label in field.flatchoices}
    value = getattr(self, field.attname)
    return force_str(table.get(make_hashable(value), value), strings_only=True)


def install(models_to_patch) -> int:
    """Replace Django's generated ``get_FOO_display`` of these models; returns how many."""
    replaced = 0
    for model in models_to_patch:
        for field in model._meta.local_fields:
            if not isinstance(field.choices, (list, tuple)) or not field.choices:
                continue
            name = f"get_{field.name}_display"
            current = model.__dict__.get(name)
            if isinstance(current, partialmethod) and current.func is models.Model._get_FIELD_display:
                setattr(model, name, partialmethod(_display, field=field))
                replaced += 1
    return replaced
