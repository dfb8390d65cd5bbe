from django import forms

from .models import Employment, Enterprise, Worker


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["credit_code", "name", "region", "address", "has_union"]


class WorkerForm(forms.ModelForm):
    class Meta:
        model = Worker
        fields = ["id_number", "name", "phone", "is_migrant"]


class EmploymentForm(forms.ModelForm):
    class Meta:
        model = Employment
        fields = ["worker", "enterprise", "start_date", "end_date", "position"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}), "end_date": forms.DateInput(attrs={"type": "date"})}
