"""API serializers of the registry. Personal data (a worker's ID number and phone, an enterprise's
contact phone) is write-only in full and read masked; validation is the models' (``full_clean``
through ScopedSerializer), so the API refuses what the forms refuse, with the same messages."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from concord.core import masking
from concord.core.api.base import ScopedSerializer

from .. import rules, services
from ..forms import ID_NUMBER_MESSAGES, id_number_taken
from ..models import Employment, Enterprise, Worker, phone_validator


class EnterpriseSerializer(ScopedSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    contact_phone_masked = serializers.SerializerMethodField()
    migrant_share = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Enterprise
        fields = ["id", "credit_code", "name", "region", "region_name", "address", "industry", "ownership", "size_class",
                  "legal_representative", "legal_representative_title", "contact_name", "contact_phone",
                  "contact_phone_masked", "has_union",
                  "has_mediation_committee", "has_workers_congress", "is_key_enterprise", "head_count",
                  "migrant_count", "migrant_share", "created_at", "updated_at"]
        read_only_fields = ["head_count", "migrant_count", "created_at", "updated_at"]
        extra_kwargs = {"contact_phone": {"write_only": True, "required": False}}

    def get_contact_phone_masked(self, obj) -> str:
        return masking.mask_phone(obj.contact_phone)

    def validate(self, attrs):
        # The scored facts are the town's or the county's (services.KEY_FLAGS); the union's own
        # write of them is refused by name, whatever else the request changes.
        request = self.context.get("request")
        current = services.key_flags_of(self.instance)
        region = self.instance.region if self.instance is not None else None
        if request is not None and not services.may_set_key_flags(request.user, region):
            refused = {name: [_("Only the town or the county sets this.")] for name in services.KEY_FLAGS
                       if name in attrs and attrs[name] != current[name]}
            if refused:
                raise serializers.ValidationError(refused)
        self._key_flags_before = current
        return super().validate(attrs)

    def create(self, validated_data):
        enterprise = super().create(validated_data)
        services.record_key_flag_changes(enterprise, self._key_flags_before, actor=getattr(self.context.get("request"), "user", None))
        return enterprise

    def update(self, instance, validated_data):
        enterprise = super().update(instance, validated_data)
        services.record_key_flag_changes(enterprise, self._key_flags_before, actor=getattr(self.context.get("request"), "user", None))
        return enterprise

    def to_internal_value(self, data):
        # Spaces and hyphens typed or pasted into a code or a phone are dropped before validation.
        if hasattr(data, "get") and (isinstance(data.get("credit_code"), str) or isinstance(data.get("contact_phone"), str)):
            data = data.copy()
            if isinstance(data.get("credit_code"), str):
                data["credit_code"] = rules.normalise_credit_code(data["credit_code"])
            if isinstance(data.get("contact_phone"), str):
                data["contact_phone"] = rules.compact(data["contact_phone"])
        return super().to_internal_value(data)


class WorkerSerializer(ScopedSerializer):
    """ID number and phone are write-only in full; reads return them masked.

    Adding a worker takes their current employment too (``enterprise``, ``start_date``,
    ``position``): a worker enters a town's scope through an employment, so one saved without any
    would be outside every caller's scope."""

    id_number = serializers.CharField(max_length=18, write_only=True)
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), write_only=True, required=False,
        help_text=_("When adding: the enterprise of the worker's current employment (required)."),
    )
    start_date = serializers.DateField(write_only=True, required=False,
                                       help_text=_("When adding: the start date of that employment (required)."))
    position = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=64)
    id_number_masked = serializers.CharField(read_only=True)
    phone = serializers.CharField(max_length=11, write_only=True, required=False, allow_blank=True,
                                  validators=[phone_validator])
    phone_masked = serializers.CharField(read_only=True)
    # The year only: the full birth date is the ID number's middle (docs/privacy.md).
    birth_year = serializers.IntegerField(read_only=True, allow_null=True)
    generation = serializers.CharField(read_only=True)

    class Meta:
        model = Worker
        fields = ["id", "name", "id_number", "id_number_masked", "phone", "phone_masked", "sex", "birth_year",
                  "generation", "hukou_province", "hukou_city", "is_migrant", "education", "ethnicity", "address",
                  "enterprise", "start_date", "position"]
        read_only_fields = ["sex"]
        # The address is personal data printed on the mediation agreement: written here, not listed.
        extra_kwargs = {"address": {"write_only": True, "required": False}}

    employment_fields = ("enterprise", "start_date", "position")

    def to_internal_value(self, data):
        # "330621 19880101 0225" or "138-0000-1111": separators dropped before the length checks.
        if hasattr(data, "get") and any(isinstance(data.get(f), str) for f in ("id_number", "phone")):
            data = data.copy()
            for name in ("id_number", "phone"):
                if isinstance(data.get(name), str):
                    data[name] = rules.compact(data[name])
        return super().to_internal_value(data)

    def validate(self, attrs):
        employment = {name: attrs.pop(name) for name in self.employment_fields if name in attrs}
        if self.instance is not None and self.instance.erased_at:
            raise serializers.ValidationError(_("This worker's personal data has been erased; the row cannot be changed."))
        attrs = super().validate(attrs)
        if self.instance is not None:
            if employment:
                raise serializers.ValidationError(
                    {name: [_("Only when adding a worker; change employments through /api/employments/.")] for name in employment}
                )
            return attrs
        missing = {name: [_("This field is required when adding a worker.")]
                   for name in ("enterprise", "start_date") if not employment.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        candidate = Employment(**employment)
        try:
            candidate.full_clean(exclude=["worker"], validate_unique=False, validate_constraints=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc))
        self._employment = employment
        return attrs

    def create(self, validated_data):
        worker = super().create(validated_data)
        employment = Employment(worker=worker, **self._employment)
        employment.full_clean()
        employment.save()
        return worker

    def validate_id_number(self, value):
        value = rules.normalise_id_number(value)
        problem = rules.id_number_problem(value)
        if problem:
            raise serializers.ValidationError(ID_NUMBER_MESSAGES[problem], code=problem)
        if self.instance is None or value != self.instance.id_number:
            request = self.context.get("request")
            taken = id_number_taken(value, getattr(request, "user", None),
                                    exclude_pk=getattr(self.instance, "pk", None), request=request)
            if taken:
                raise serializers.ValidationError(taken, code="taken")
        return value


class EmploymentSerializer(ScopedSerializer):
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = Employment
        fields = ["id", "worker", "enterprise", "start_date", "end_date", "position", "contract_signed", "contract_type",
                  "contract_start", "contract_end", "insured", "monthly_wage", "is_current"]

    def get_is_current(self, obj) -> bool:
        return obj.end_date is None
