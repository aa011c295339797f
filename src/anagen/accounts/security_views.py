"""Two-factor sign-in and password-reset pages (thin: parse, call ``two_factor``, render)."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from anagen.accounts import services, two_factor
from anagen.accounts.forms import (
    CodeForm,
    ConfirmAuthenticatorForm,
    OwnPasswordForm,
    ResetOwnTwoFactorForm,
    ResetPasswordRequestForm,
    ResetPasswordSetForm,
)
from anagen.accounts.permissions import admin_only, staff_required
from anagen.audit.services import Actor


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return render(request, "registration/locked_out.html", status=429)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code step after the password; a wrong code counts as a failed sign-in for django-axes."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified() or not two_factor.has_two_factor(user):  # type: ignore[union-attr]
        return redirect(next_url)
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.verify_code(user, form.cleaned_data["code"])  # type: ignore[arg-type]
        if result.ok:
            request.session.cycle_key()
            otp_login(request, result.device)
            two_factor.remember_second_factor(request.session)
            if isinstance(result.device, StaticDevice):
                left = two_factor.recovery_codes_left(user)  # type: ignore[arg-type]
                messages.warning(request, gettext("You signed in with a recovery code; %(left)s left. Make new ones from “Two-factor sign-in” if you are running low.") % {"left": left})
            return redirect(next_url)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(request, credentials):
            return _locked_out(request)
        if result.throttled_seconds:
            form.add_error("code", gettext("Too many wrong codes: wait %(seconds)s seconds, then try the newest code.") % {"seconds": result.throttled_seconds})
        else:
            form.add_error("code", gettext("That code is not right. Try the newest code from your app, or a recovery code."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url}, status=400 if form.errors else 200)


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.has_two_factor(user):  # type: ignore[arg-type]
        return redirect("accounts:two_factor")
    device = two_factor.pending_authenticator(user)  # type: ignore[arg-type]
    form = ConfirmAuthenticatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_authenticator(Actor.from_request(request), user, device, form.cleaned_data["code"])  # type: ignore[arg-type]
        except two_factor.TwoFactorError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, TOTPDevice.objects.get(pk=device.pk))
            two_factor.remember_second_factor(request.session)
            return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _next_url(request), "first_time": True})
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "manual_key": two_factor.manual_key(device),
        "required": two_factor.is_required_for(user),  # type: ignore[arg-type]
        "next": _next_url(request),
    }
    return render(request, "registration/two_factor_setup.html", context, status=400 if form.errors else 200)


@login_required
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "device": two_factor.authenticator(user),  # type: ignore[arg-type]
        "codes_left": two_factor.recovery_codes_left(user),  # type: ignore[arg-type]
        "required": two_factor.is_required_for(user),  # type: ignore[arg-type]
        "reset_form": ResetOwnTwoFactorForm(),
    }
    return render(request, "registration/two_factor_manage.html", context)


@login_required
@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.regenerate_recovery_codes(Actor.from_request(request), request.user)  # type: ignore[arg-type]
    except two_factor.TwoFactorError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:two_factor")
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": reverse_lazy("accounts:two_factor"), "first_time": False})


@login_required
@require_POST
def two_factor_reset_own(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ResetOwnTwoFactorForm(request.POST)
    if form.is_valid():
        try:
            two_factor.reset_own(Actor.from_request(request), user, form.cleaned_data["password"], form.cleaned_data["code"])  # type: ignore[arg-type]
        except two_factor.TwoFactorError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, gettext("Your authenticator and recovery codes were removed."))
            return redirect("accounts:two_factor_setup" if two_factor.is_required_for(user) else "accounts:two_factor")  # type: ignore[arg-type]
    context = {
        "device": two_factor.authenticator(user),  # type: ignore[arg-type]
        "codes_left": two_factor.recovery_codes_left(user),  # type: ignore[arg-type]
        "required": two_factor.is_required_for(user),  # type: ignore[arg-type]
        "reset_form": form,
    }
    return render(request, "registration/two_factor_manage.html", context, status=400)


@admin_only
@require_POST
def staff_two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    member = services.staff_of(request.clinic, user_id)  # type: ignore[attr-defined]
    try:
        services.reset_member_two_factor(Actor.from_request(request), request.user, member)  # type: ignore[arg-type]
    except services.AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Two-factor sign-in of %(username)s was reset: they set it up again at their next sign-in.") % {"username": member.username})
    return redirect("accounts:staff_edit", user_id=member.pk)


@staff_required()
def own_password(request: HttpRequest) -> HttpResponse:
    """One's own new password: the current password and, with two-factor on, a current code."""
    user = request.user
    form = OwnPasswordForm(request.POST or None, needs_code=two_factor.has_two_factor(user))  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_own_password(Actor.from_request(request), user, data["current_password"], data.get("code", ""),  # type: ignore[arg-type]
                                         data["new_password1"])
        except services.AccountError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # Other sessions of this account end; this one carries on under the new password.
            update_session_auth_hash(request, user)  # type: ignore[arg-type]
            messages.success(request, gettext("Your password was changed."))
            return redirect("accounts:two_factor")
    return render(request, "accounts/own_password.html", {"form": form}, status=400 if form.errors else 200)


# --- password reset by email (Django's views, our templates; links expire after an hour) ---

password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset_form.html",
    email_template_name="registration/reset_password_email.txt",
    subject_template_name="registration/reset_password_subject.txt",
    form_class=ResetPasswordRequestForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html",
    form_class=ResetPasswordSetForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html")
