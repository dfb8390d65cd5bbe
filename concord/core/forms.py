from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from concord.registry.models import Enterprise

from .models import Region, RoleAssignment, User
from .scope import Role


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "kind", "parent", "mediation_address", "mediation_phone"]


class UserCreateForm(forms.ModelForm):
    """A new account with its first role: an account without a role would sit outside every scope."""

    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput, strip=False)
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    region = forms.ModelChoiceField(label=_("region"), queryset=Region.objects.all(), required=False)
    enterprise = forms.ModelChoiceField(label=_("enterprise"), queryset=Enterprise.objects.all(), required=False)

    class Meta:
        model = User
        fields = ["username", "name", "phone", "email"]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(username=cleaned.get("username", ""), name=cleaned.get("name", ""), email=cleaned.get("email", ""))
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        assignment = RoleAssignment(role=cleaned.get("role"), region=cleaned.get("region"), enterprise=cleaned.get("enterprise"))
        try:
            assignment.clean()
        except forms.ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
            RoleAssignment.objects.create(
                user=user, role=self.cleaned_data["role"], region=self.cleaned_data.get("region"),
                enterprise=self.cleaned_data.get("enterprise"),
            )
        return user


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "phone", "email", "is_active"]


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "region", "enterprise", "is_active"]


def apply_errors(form, exc, rename: dict | None = None):
    """Put a service's ValidationError (or a refusal) on the form: on its field where the form has
    one (``rename`` maps a service's field name to the form's), else at the top."""
    from django.core.exceptions import PermissionDenied

    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
    elif hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            field = (rename or {}).get(field, field)
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)
