from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anagen.accounts.models import User
from anagen.accounts.permissions import admin_only
from anagen.audit.models import Action, AuditEntry

PAGE_SIZE = 50


class TrailFilterForm(forms.Form):
    patient = forms.IntegerField(label="Patient id", required=False, min_value=1)
    user = forms.ModelChoiceField(label="Staff member", queryset=User.objects.none(), required=False)
    action = forms.ChoiceField(label="Action", choices=[("", "Any"), *Action.choices], required=False)

    def __init__(self, *args: object, clinic: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["user"].queryset = User.objects.filter(clinic=clinic)  # type: ignore[attr-defined]


@admin_only
def trail(request: HttpRequest) -> HttpResponse:
    form = TrailFilterForm(request.GET or None, clinic=request.clinic)
    entries = AuditEntry.objects.filter(clinic_id=request.clinic.pk).order_by("-seq")
    if form.is_valid():
        if form.cleaned_data["patient"]:
            entries = entries.filter(patient_id=form.cleaned_data["patient"])
        if form.cleaned_data["user"]:
            entries = entries.filter(user_id=form.cleaned_data["user"].pk)
        if form.cleaned_data["action"]:
            entries = entries.filter(action=form.cleaned_data["action"])
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"form": form, "page": page}, status=200 if form.is_bound is False or form.is_valid() else 400)
