from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from .models import Region, RoleAssignment, User


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "kind", "parent"]


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput, strip=False)

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
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class UserEditForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "phone", "email", "is_active"]


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "region", "enterprise", "is_active"]
