from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anagen.accounts import services, two_factor
from anagen.accounts.forms import (
    WEEKDAY_CHOICES,
    ClinicForm,
    ClosureForm,
    OpeningHoursForm,
    StaffCreateForm,
    StaffEditForm,
    StaffPasswordForm,
)
from anagen.accounts.models import Clinic, Role
from anagen.accounts.permissions import admin_only, superuser_required
from anagen.accounts.protocols import settings_for
from anagen.audit.services import Actor
from anagen.core import display
from anagen.core.errors import Conflict, InvalidInput
from anagen.ui.forms import add_errors_from


@admin_only
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/staff_list.html", {"staff": services.staff_members(request.clinic)})


@admin_only
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.create_staff(Actor.from_request(request), request.clinic, form.cleaned_data, form.cleaned_data["password1"])
        messages.success(request, _("Created the account %(username)s.") % {"username": user.username})
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_form.html", {"form": form, "creating": True}, status=400 if form.errors else 200)


@admin_only
def staff_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    member = services.staff_of(request.clinic, user_id)
    form = StaffEditForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_staff(Actor.from_request(request), member, form.cleaned_data, by=request.user)
        except InvalidInput as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:staff_list")
    context = {
        "form": form, "member": member, "creating": False,
        "two_factor_on": two_factor.has_two_factor(member),
        "two_factor_required": two_factor.is_required_for(member),
    }
    return render(request, "accounts/staff_form.html", context, status=400 if form.errors else 200)


@admin_only
def staff_password(request: HttpRequest, user_id: int) -> HttpResponse:
    member = services.staff_of(request.clinic, user_id)
    if member.pk == request.user.pk:
        # One's own password needs the current one and a code: the account page asks for both.
        return redirect("accounts:own_password")
    form = StaffPasswordForm(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_member_password(Actor.from_request(request), request.user, member, form.cleaned_data["new_password1"])  # type: ignore[arg-type]
        except services.AccountError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Set a new password for %(username)s.") % {"username": member.username})
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_password.html", {"form": form, "member": member}, status=400 if form.errors else 200)


@admin_only
def clinic_settings(request: HttpRequest) -> HttpResponse:
    form = ClinicForm(request.POST or None, instance=request.clinic)
    if request.method == "POST" and form.is_valid():
        services.update_clinic(Actor.from_request(request), request.clinic, form.cleaned_data)
        messages.success(request, _("Clinic details saved."))
        return redirect("accounts:clinic_settings")
    stored = settings_for(request.clinic)
    context = {"form": form, "clinic": request.clinic, "hours": stored, "weekdays": WEEKDAY_CHOICES,
               "closures": services.upcoming_closures(request.clinic, timezone.localdate())[:5]}
    return render(request, "accounts/clinic_form.html", context, status=400 if form.errors else 200)


@admin_only
def opening_hours(request: HttpRequest) -> HttpResponse:
    stored = settings_for(request.clinic)
    form = OpeningHoursForm(request.POST or None, initial={"open_weekdays": stored.open_weekdays, "opens_at": stored.opens_at,
                                                           "closes_at": stored.closes_at,
                                                           "self_service_notice_hours": stored.self_service_notice_hours})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_opening_hours(Actor.from_request(request), request.clinic, **form.cleaned_data)
        except InvalidInput as exc:
            add_errors_from(form, exc)
        else:
            messages.success(request, _("Opening days and hours saved."))
            return redirect("accounts:clinic_settings")
    return render(request, "accounts/opening_hours.html", {"form": form}, status=400 if form.errors else 200)


@admin_only
def closures(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closure = services.add_closure(Actor.from_request(request), request.clinic, day=form.cleaned_data["date"],
                                           reason=form.cleaned_data["reason"], today=today)
        except (InvalidInput, Conflict) as exc:
            add_errors_from(form, exc.errors)
        else:
            messages.success(request, _("The clinic is closed on %(day)s.") % {"day": display.day(closure.date)})
            return redirect("accounts:closures")
    context = {"form": form, "closures": services.upcoming_closures(request.clinic, today)}
    return render(request, "accounts/closures.html", context, status=400 if form.errors else 200)


@admin_only
@require_POST
def closure_remove(request: HttpRequest, closure_id: int) -> HttpResponse:
    services.remove_closure(Actor.from_request(request), request.clinic, closure_id)
    messages.success(request, _("Closure removed: the clinic opens as usual that day."))
    return redirect("accounts:closures")


@superuser_required
def clinic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/clinic_list.html", {"clinics": Clinic.objects.all()})


@superuser_required
def clinic_create(request: HttpRequest) -> HttpResponse:
    form = ClinicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        clinic = services.create_clinic(Actor.from_request(request), form.cleaned_data)
        messages.success(request, _("Created %(clinic)s.") % {"clinic": clinic.name})
        return redirect("accounts:clinic_list")
    return render(request, "accounts/clinic_form.html", {"form": form, "creating": True}, status=400 if form.errors else 200)


@superuser_required
def clinic_add_admin(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = get_object_or_404(Clinic, pk=clinic_id)
    form = StaffCreateForm(request.POST or None, initial={"role": Role.CLINIC_ADMIN})
    if request.method == "POST" and form.is_valid():
        user = services.create_staff(Actor.from_request(request), clinic, form.cleaned_data, form.cleaned_data["password1"])
        messages.success(request, _("Created the account %(username)s at %(clinic)s.") % {"username": user.username, "clinic": clinic.name})
        return redirect("accounts:clinic_list")
    return render(request, "accounts/staff_form.html", {"form": form, "creating": True, "clinic": clinic}, status=400 if form.errors else 200)
