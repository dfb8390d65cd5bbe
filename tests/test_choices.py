"""The project's get_FOO_display (core.choices) answers exactly as Django's own, for every choice
of every field with choices in every Concord model, in both languages, and for unknown values."""
from functools import partialmethod

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from concord.core import choices

MODELS = [m for m in apps.get_models() if m.__module__.startswith("concord.")]
FIELDS = [(m, f) for m in MODELS for f in m._meta.local_fields if isinstance(f.choices, (list, tuple)) and f.choices]


def test_every_choice_field_of_the_project_is_installed():
    assert len(FIELDS) > 40
    for model, field in FIELDS:
        method = model.__dict__.get(f"get_{field.name}_display")
        if isinstance(method, partialmethod):
            assert method.func is choices._display, (model, field.name)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_labels_equal_djangos(language):
    with translation.override(language):
        for model, field in FIELDS:
            instance = model()
            for value, _label in [*field.flatchoices, ("no-such-value", None), ("", None)]:
                setattr(instance, field.attname, value)
                assert getattr(instance, f"get_{field.name}_display")() == models.Model._get_FIELD_display(instance, field)
