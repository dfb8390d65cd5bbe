"""OpenAPI schema corrections that apply to every serializer (imported by core.api.base).

A read-only field of a model's ``CharField(choices=…, blank=True)`` answers "" when no choice is
set, but DRF drops ``allow_blank`` from read-only fields, so the schema listed only the choices and
a response with "" did not conform. The extension lists "" wherever the model field allows it."""
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field


def _model_field(field):
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None) or getattr(field, "field_name", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except Exception:  # a property or an annotation: nothing to say
        return None


class BlankChoiceExtension(OpenApiSerializerFieldExtension):
    target_class = "rest_framework.fields.ChoiceField"
    match_subclasses = True

    @classmethod
    def _matches(cls, target) -> bool:
        if not super()._matches(target) or getattr(target, "allow_blank", False):
            return False
        model_field = _model_field(target)
        return bool(model_field is not None and getattr(model_field, "blank", False) and model_field.get_internal_type()
                    in ("CharField", "TextField"))

    def map_serializer_field(self, auto_schema, direction):
        self.target.allow_blank = True  # what the model allows; the field only answers it
        return build_choice_field(self.target)
