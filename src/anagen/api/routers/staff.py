"""Clinic administration (clinic admin only, as on the web): the staff list, adding staff,
changing a member's role or active flag, resetting a member's two-factor sign-in, the clinic's
details, the audit trail, and patients' erasure requests (DPDP)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import ModelSchema, Query, Router, Schema, Status

from anagen.accounts import services as accounts
from anagen.accounts.forms import ClinicForm, StaffCreateForm, StaffEditForm, StaffPasswordForm
from anagen.accounts.models import Clinic, User
from anagen.api import auth
from anagen.api.common import MAX_ID, Id, ModelOut, actor, clinic, page_of
from anagen.api.problems import Problem, form_errors, invalid
from anagen.audit.models import Action
from anagen.core.errors import FieldError
from anagen.patients.models import Patient
from anagen.privacy import services as privacy
from anagen.privacy import trail
from anagen.privacy.forms import PerformErasureForm

router = Router(tags=["clinic administration"])

StaffRole = Literal["clinic_admin", "trichologist", "practitioner", "reception"]


# ------------------------------------------------------------------------------------- staff


class StaffOut(ModelSchema, ModelOut):
    id: int
    two_factor_on: bool

    class Meta:
        model = "accounts.User"
        fields = ["id", "username", "first_name", "last_name", "email", "role", "is_active"]


class StaffIn(Schema):
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    role: StaffRole
    password: str


class StaffUpdateIn(Schema):
    first_name: str
    last_name: str
    email: str = ""
    role: StaffRole
    is_active: bool


def _staff_out(member: User) -> User:
    return accounts.with_two_factor([member])[0]


@router.get("/staff", response=page_of(StaffOut), auth=auth.ADMIN, summary="List the clinic's staff")
def list_staff(request: HttpRequest, page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Active members first, then by name; with whether two-factor sign-in is set up."""
    found = accounts.list_staff(clinic(request), page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.post("/staff", response={201: StaffOut}, auth=auth.ADMIN, summary="Add a member of staff")
def create_staff(request: HttpRequest, payload: StaffIn) -> Any:
    """The password is checked by the clinic's password rules (422 naming ``password``); the
    username must be free (422 naming ``username``)."""
    data = payload.dict()
    password = data.pop("password")
    form = StaffCreateForm({**data, "password1": password, "password2": password})
    if not form.is_valid():
        raise invalid([FieldError("password" if e.field in ("password1", "password2") else e.field, e.message)
                       for e in form_errors(form)])
    user = accounts.create_staff(actor(request), clinic(request), form.cleaned_data, password)
    return Status(201, _staff_out(user))


@router.put("/staff/{user_id}", response=StaffOut, auth=auth.ADMIN, summary="Change a member's name, role or active flag")
def update_staff(request: HttpRequest, user_id: int, payload: StaffUpdateIn) -> Any:
    """An inactive account cannot sign in (its API tokens stop working). You cannot remove your
    own admin role or deactivate yourself (422 naming ``role``)."""
    member = accounts.staff_of(clinic(request), user_id)
    form = StaffEditForm(payload.dict(), instance=member)
    if not form.is_valid():
        raise invalid(form_errors(form))
    accounts.update_staff(actor(request), member, form.cleaned_data, by=request.user)  # type: ignore[arg-type]
    return _staff_out(member)


@router.post("/staff/{user_id}/two-factor/reset", response=StaffOut, auth=auth.ADMIN,
             summary="Reset a member's two-factor sign-in (lost phone)")
def reset_two_factor(request: HttpRequest, user_id: int) -> Any:
    """Removes their authenticator and recovery codes; they set it up again at their next sign-in.
    Audited, and the member is told by email. Never your own (403): that needs your password and a
    current code, on your account pages."""
    member = accounts.staff_of(clinic(request), user_id)
    _not_own(request, member)
    accounts.reset_member_two_factor(actor(request), request.user, member)  # type: ignore[arg-type]
    return _staff_out(member)


def _not_own(request: HttpRequest, member: User) -> None:
    """A token (or a session without the password and a code) cannot change how its own user
    signs in: with an admin's token alone the attack reset the admin's own second factor."""
    if member.pk == request.user.pk:
        raise Problem(403, accounts.own_account_refusal().message, kind="own-account")


class PasswordIn(Schema):
    password: str


@router.post("/staff/{user_id}/password", response=StaffOut, auth=auth.ADMIN, summary="Set a member's new password")
def set_password(request: HttpRequest, user_id: int, payload: PasswordIn) -> Any:
    """Checked by the clinic's password rules (422 naming ``password``); the member's own
    sessions end at their next request, as on the web. Audited, and the member is told by email.
    Never your own (403): that needs your current password and a current code, on your account pages."""
    member = accounts.staff_of(clinic(request), user_id)
    _not_own(request, member)
    form = StaffPasswordForm(member, {"new_password1": payload.password, "new_password2": payload.password})
    if not form.is_valid():
        raise invalid([FieldError("password", e.message) for e in form_errors(form)])
    try:
        accounts.set_member_password(actor(request), request.user, member, payload.password)  # type: ignore[arg-type]
    except accounts.AccountError as exc:
        raise Problem(403, exc.message, kind="forbidden") from exc
    return _staff_out(member)


# ------------------------------------------------------------------------------------ clinic


class ClinicSchema(Schema):
    name: str
    city: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    gstin: str = ""
    mrn_prefix: str


CLINIC_FIELDS = ("name", "city", "address", "phone", "email", "gstin", "mrn_prefix")


@router.get("/clinic", response=ClinicSchema, auth=auth.ADMIN, summary="Read the clinic's details")
def get_clinic(request: HttpRequest) -> Any:
    return clinic(request)


@router.put("/clinic", response=ClinicSchema, auth=auth.ADMIN, summary="Change the clinic's details")
def put_clinic(request: HttpRequest, payload: ClinicSchema) -> Any:
    """Checked as on the clinic settings page (phone in E.164, GSTIN format, record-number prefix)."""
    current = Clinic.objects.get(pk=clinic(request).pk)
    form = ClinicForm(payload.dict(), instance=current)
    if not form.is_valid():
        raise invalid(form_errors(form))
    return accounts.update_clinic(actor(request), current, form.cleaned_data)


# ------------------------------------------------------------------------------- audit trail


class AuditEntryOut(ModelSchema, ModelOut):
    changes: dict[str, Any]

    class Meta:
        model = "audit.AuditEntry"
        fields = ["seq", "at", "user_id", "username", "action", "object_type", "object_id", "patient_id", "ip_address"]


@router.get("/audit-entries", response=page_of(AuditEntryOut), auth=auth.ADMIN, summary="Browse the audit trail")
def audit_trail(request: HttpRequest, patient_id: int | None = Query(None, ge=1, le=MAX_ID),
                user_id: int | None = Query(None, ge=1, le=MAX_ID),
                action: Literal["read", "create", "update", "delete", "export"] | None = None,
                page: int = Query(1, ge=1, le=100_000), page_size: int = Query(50, ge=1, le=100)) -> Any:
    """The clinic's entries, newest first, as on the audit page (filters: patient, staff member,
    action). A ``user_id`` not on the clinic's staff gets 422."""
    if action is not None and action not in Action.values:
        raise invalid([FieldError("action", f"Choose one of: {', '.join(Action.values)}.")])
    found = trail.list_entries(clinic(request), patient_id=patient_id, user_id=user_id, action=action, page=page,
                               page_size=page_size)
    return {"items": found.items, **found.meta}


# ---------------------------------------------------------------------------- erasure (DPDP)


class ErasureOut(ModelSchema, ModelOut):
    id: int
    patient_id: int
    requested_by_id: int
    performed_by_id: int | None
    report: dict[str, Any]

    class Meta:
        model = "privacy.ErasureRequest"
        fields = ["id", "requested_at", "reason", "status", "performed_at", "retain_until"]


class ErasureIn(Schema):
    patient_id: Id
    reason: str


class PerformIn(Schema):
    confirm_mrn: str


@router.get("/erasure-requests", response=page_of(ErasureOut), auth=auth.ADMIN, tags=["privacy"],
            summary="List erasure requests")
def list_erasures(request: HttpRequest, page: int = Query(1, ge=1, le=100_000), page_size: int = Query(25, ge=1, le=100)) -> Any:
    """Newest first. One audit entry names the patients listed."""
    found = privacy.list_requests(actor(request), clinic(request), page=page, page_size=page_size)
    return {"items": found.items, **found.meta}


@router.get("/erasure-requests/{request_id}", response=ErasureOut, auth=auth.ADMIN, tags=["privacy"],
            summary="Read an erasure request")
def get_erasure(request: HttpRequest, request_id: int) -> Any:
    return privacy.get_request(actor(request), clinic(request), request_id)


@router.post("/erasure-requests", response={201: ErasureOut}, auth=auth.ADMIN, tags=["privacy"],
             summary="Record a patient's erasure request")
def create_erasure(request: HttpRequest, payload: ErasureIn) -> Any:
    """``reason``: who asked, how and when (kept with the request). One per patient (again: 409)."""
    patient = Patient.objects.filter(pk=payload.patient_id, clinic=clinic(request)).first()
    if patient is None:
        raise invalid([FieldError("patient_id", "No such patient in your clinic.")])
    erasure = privacy.request_erasure(actor(request), patient, request.user, payload.reason)  # type: ignore[arg-type]
    return Status(201, erasure)


@router.post("/erasure-requests/{request_id}/perform", response=ErasureOut, auth=auth.ADMIN, tags=["privacy"],
             summary="Carry out an erasure request")
def perform_erasure(request: HttpRequest, request_id: int, payload: PerformIn) -> Any:
    """Anonymises the patient and withdraws their consents; the clinical record is kept under the
    retention period. ``confirm_mrn`` must be the patient's record number (422). Once (again: 409)."""
    who = actor(request)
    erasure = privacy.get_request(who, clinic(request), request_id)
    form = PerformErasureForm({"confirm_mrn": payload.confirm_mrn}, mrn=erasure.patient.mrn)
    if not form.is_valid():
        raise invalid(form_errors(form))
    return privacy.perform_erasure(who, erasure, timezone.localdate())
