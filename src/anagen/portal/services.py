"""Use cases of the patient portal: invitations, sign-up, revocation, and what a patient may see
and ask for. Each write is one transaction that appends to the audit trail.

A patient only ever reaches their own records: every lookup here takes the ``Patient`` loaded
from the signed-in user's ``PatientAccount`` and filters by it, so another patient's ids are 404.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from anagen.accounts.models import Clinic, Role, User, content_language, document_language
from anagen.accounts.protocols import opening_hours_on, protocol_for
from anagen.accounts.protocols import settings_for as settings_for_clinic
from anagen.audit import services as audit
from anagen.audit.models import Action, AuditEntry, AuditPatientRef
from anagen.audit.pages import Page, page_of_query
from anagen.audit.services import Actor
from anagen.audit.words import object_words
from anagen.consents import services as consents
from anagen.consents.models import ConsentRecord, ConsentText
from anagen.core import display
from anagen.core import recall as recall_rules
from anagen.core import self_service as rules
from anagen.core.course import CourseRequest
from anagen.core.errors import FieldError, InvalidInput, NotFound, Refused, StaleWrite
from anagen.core.photos import Problem as PhotoProblem
from anagen.interop import services as interop_services
from anagen.outcomes.models import Report
from anagen.patients.models import Patient
from anagen.patients.services import record_list_read
from anagen.photos import services as photos
from anagen.photos.models import Photo
from anagen.portal.models import (
    ChangeRequest,
    ExportRequest,
    PatientAccount,
    PortalInvitation,
    SelfServiceChange,
    SelfServiceKind,
)
from anagen.procedures.models import TreatmentSession
from anagen.procedures.services import aftercare_sheet
from anagen.recall import services as recalls
from anagen.recall.models import Recall, RecallLink
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Appointment, Kind, Status
from anagen.treatments.models import Course
from anagen.treatments.services import (
    CourseChoices,
    appointments_by_course,
    course_appointments,
    course_request,
)

INVITATION_DAYS = 7
MAX_MESSAGE = 1000
MAX_REASON = 500
ACCESS_LOG_LIMIT = 200


class PortalError(Refused):
    """The request cannot be done as asked; ``field`` names the input at fault (or None)."""


class InvitationInvalid(PortalError):
    """The link is unknown, already used, replaced, or expired."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --- staff: invitations and access ----------------------------------------------------------


def invite_patient(actor: Actor, patient: Patient, *, by: User, now: datetime | None = None) -> tuple[PortalInvitation, str]:
    """A new one-time link for ``patient`` (earlier unused links stop working). Returns the
    invitation and the raw token, which exists only in the returned link: show it once.

    For a patient who already has access, the link lets them choose a new username and password
    (a forgotten password: patients have no email-based reset)."""
    now = now or timezone.now()
    if by.clinic_id != patient.clinic_id:
        raise NotFound
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        PortalInvitation.objects.filter(patient=patient, used_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)
        invitation = PortalInvitation.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            token_hash=hash_token(raw),
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        audit.append(
            actor, Action.CREATE, object_type="portal_invitation", object_id=invitation.pk, patient_id=patient.pk,
            changes={"expires_at": {"old": None, "new": invitation.expires_at.isoformat()}},
        )
    return invitation, raw


def email_invitation(patient: Patient, link: str) -> bool:
    """Send the link to the patient's email address, if they gave one, in the patient's preferred
    language. True when sent."""
    if not patient.email:
        return False
    clinic = patient.clinic
    with translation.override(document_language(None, patient.preferred_language)):
        body = _(
            "Hello %(name)s,\n\n"
            "%(clinic)s has invited you to its patient portal, where you can see your appointments, consents and aftercare advice.\n\n"
            "Open this link to choose your username and password (it works once, for %(days)s days):\n%(link)s\n\n"
            "If you did not expect this message, you can ignore it.\n"
        ) % {"name": patient.given_name, "clinic": clinic.name, "days": INVITATION_DAYS, "link": link}
        subject = _("Your %(clinic)s patient portal") % {"clinic": clinic.name}
    try:
        send_mail(subject, body, None, [patient.email])
    except Exception:  # noqa: BLE001 - a mail server problem must not lose the invitation: staff still have the link
        return False
    return True


def _check_pending(invitation: PortalInvitation | None, now: datetime) -> PortalInvitation:
    if invitation is None:
        raise InvitationInvalid(_("This link is not valid. Ask the clinic for a new one."))
    if invitation.used_at is not None:
        raise InvitationInvalid(_("This link has already been used. Sign in with the username and password you chose."))
    if invitation.cancelled_at is not None:
        raise InvitationInvalid(_("This link has been replaced or withdrawn. Ask the clinic for a new one."))
    if invitation.expires_at <= now:
        raise InvitationInvalid(_("This link has expired. Ask the clinic for a new one."))
    return invitation


OPENED_ELSEWHERE = gettext_lazy("This link was opened already, in another browser. If that was not you, ask the clinic for a "
                                "new link: the old one no longer works.")


def invitation_for_token(raw: str, now: datetime | None = None) -> PortalInvitation:
    """The pending invitation of a link that has not been opened yet (an opened link is bound to
    the browser that opened it: see ``claim_invitation``)."""
    now = now or timezone.now()
    invitation = _check_pending(
        PortalInvitation.objects.select_related("patient", "patient__clinic").filter(token_hash=hash_token(raw or "")).first(), now)
    if invitation.claim_hash:
        raise InvitationInvalid(str(OPENED_ELSEWHERE))
    return invitation


@dataclass(frozen=True)
class InvitationClaim:
    """What the browser that opened an invitation link keeps in its session instead of the token."""

    invitation_id: int
    secret: str

    def as_session(self) -> dict[str, Any]:
        return {"invitation_id": self.invitation_id, "secret": self.secret}

    @classmethod
    def from_session(cls, value: Any) -> InvitationClaim | None:
        if not isinstance(value, dict) or not isinstance(value.get("invitation_id"), int) or not isinstance(value.get("secret"), str):
            return None
        return cls(value["invitation_id"], value["secret"])


def claim_invitation(raw: str, held: InvitationClaim | None = None, now: datetime | None = None) -> InvitationClaim:
    """Exchange the link's token for a claim on first opening; the same browser opening it again
    (``held``) keeps its claim, any other browser is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _check_pending(
            PortalInvitation.objects.select_for_update().filter(token_hash=hash_token(raw or "")).first(), now)
        if invitation.claim_hash:
            if held is not None and held.invitation_id == invitation.pk and hmac.compare_digest(hash_token(held.secret), invitation.claim_hash):
                return held
            raise InvitationInvalid(str(OPENED_ELSEWHERE))
        claim = InvitationClaim(invitation.pk, secrets.token_urlsafe(32))
        invitation.claim_hash = hash_token(claim.secret)
        invitation.opened_at = now
        invitation.save(update_fields=["claim_hash", "opened_at"])
    return claim


def invitation_for_claim(claim: InvitationClaim | None, now: datetime | None = None) -> PortalInvitation:
    now = now or timezone.now()
    if claim is None:
        raise InvitationInvalid(str(gettext_lazy("Open the link from your invitation again, in this browser.")))
    invitation = _check_pending(
        PortalInvitation.objects.select_related("patient", "patient__clinic").filter(pk=claim.invitation_id).first(), now)
    if not invitation.claim_hash or not hmac.compare_digest(hash_token(claim.secret), invitation.claim_hash):
        raise InvitationInvalid(str(OPENED_ELSEWHERE))
    return invitation


def accept_invitation(raw: str | None, username: str, password: str, *, claim: InvitationClaim | None = None,
                      ip_address: str | None = None, now: datetime | None = None) -> User:
    """Consume the one-time link: create (or re-open) the patient's sign-in with their password.
    The web page passes the ``claim`` its session holds; a raw token works only for a link that
    was never opened."""
    now = now or timezone.now()
    username = (username or "").strip()
    if not username:
        raise PortalError(_("Choose a username."), "username")
    if len(username) > 150:
        raise PortalError(_("The username is longer than 150 characters."), "username")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise PortalError(_("Use letters, digits and @ . + - _ only in the username."), "username") from exc
    invitation = invitation_for_claim(claim, now) if claim is not None else invitation_for_token(raw or "", now)
    patient = invitation.patient
    probe = User(username=username, first_name=patient.given_name, last_name=patient.family_name, email=patient.email)
    try:
        validate_password(password, probe)
    except ValidationError as exc:
        raise PortalError(" ".join(exc.messages), "password") from exc
    try:
        with transaction.atomic():
            invitation = PortalInvitation.objects.select_for_update().get(pk=invitation.pk)
            if not invitation.is_pending(now):
                raise InvitationInvalid(_("This link has already been used. Sign in with the username and password you chose."))
            account = PatientAccount.objects.select_for_update().filter(patient=patient).select_related("user").first()
            taken = User.objects.filter(username__iexact=username)
            if account is not None:
                taken = taken.exclude(pk=account.user_id)
            if taken.exists():
                raise PortalError(_("This username is taken: choose another one."), "username")
            action = Action.CREATE if account is None else Action.UPDATE
            if account is None:
                user = User(username=username, clinic_id=patient.clinic_id, role=Role.PATIENT)
                user.set_password(password)
                user.save()
                account = PatientAccount.objects.create(
                    user=user, patient=patient, invited_by_id=invitation.created_by_id, invited_at=invitation.created_at, activated_at=now
                )
            else:
                user = account.user
                user.username = username
                user.is_active = True
                user.set_password(password)
                user.save()
                account.invited_by_id = invitation.created_by_id
                account.invited_at = invitation.created_at
                account.activated_at = now
                account.revoked_at = None
                account.save()
            invitation.used_at = now
            invitation.save(update_fields=["used_at"])
            actor = Actor(user_id=user.pk, username=user.username, clinic_id=patient.clinic_id, ip_address=ip_address)
            audit.append(
                actor, action, object_type="portal_account", object_id=account.pk, patient_id=patient.pk,
                changes={"username": {"old": None, "new": username}, "activated_at": {"old": None, "new": now.isoformat()}},
            )
    except IntegrityError as exc:
        # Two sign-ups racing for one username: the unique constraint decides.
        raise PortalError(_("This username is taken: choose another one."), "username") from exc
    return user


def revoke_access(actor: Actor, patient: Patient, *, now: datetime | None = None) -> PatientAccount | None:
    """Stop the patient signing in (the account is kept, deactivated) and cancel pending links."""
    now = now or timezone.now()
    with transaction.atomic():
        cancelled = PortalInvitation.objects.filter(patient=patient, used_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)
        account = PatientAccount.objects.select_for_update().filter(patient=patient).select_related("user").first()
        if account is None or account.revoked_at is not None:
            if not cancelled:
                raise PortalError(_("This patient has no portal access to revoke."))
            audit.append(actor, Action.UPDATE, object_type="portal_invitation", object_id=patient.pk, patient_id=patient.pk,
                         changes={"cancelled": {"old": None, "new": str(cancelled)}})
            return account
        account.revoked_at = now
        account.save(update_fields=["revoked_at"])
        User.objects.filter(pk=account.user_id).update(is_active=False)
        audit.append(
            actor, Action.UPDATE, object_type="portal_account", object_id=account.pk, patient_id=patient.pk,
            changes={"revoked_at": {"old": None, "new": now.isoformat()}, "is_active": {"old": True, "new": False}},
        )
    return account


@dataclass(frozen=True)
class PortalStatus:
    account: PatientAccount | None
    pending: PortalInvitation | None
    open_changes: list[ChangeRequest]
    open_exports: list[ExportRequest]

    @property
    def label(self) -> str:
        if self.account is not None and self.account.revoked_at is None and self.account.activated_at is not None:
            return "Active"
        if self.pending is not None:
            return "Invited"
        if self.account is not None and self.account.revoked_at is not None:
            return "Access revoked"
        return "Not invited"

    @property
    def has_access(self) -> bool:
        return self.label == "Active"

    @property
    def words(self) -> str:
        """The status on the staff patient page, in the reader's language (``label`` stays the
        API's English value)."""
        return {
            "Active": pgettext("portal access", "Active"), "Invited": pgettext("portal access", "Invited"),
            "Access revoked": pgettext("portal access", "Access revoked"), "Not invited": pgettext("portal access", "Not invited"),
        }[self.label]


def portal_status(patient: Patient, now: datetime | None = None) -> PortalStatus:
    now = now or timezone.now()
    account = PatientAccount.objects.filter(patient=patient).select_related("user").first()
    pending = next((i for i in PortalInvitation.objects.filter(patient=patient, used_at__isnull=True, cancelled_at__isnull=True) if i.is_pending(now)), None)
    return PortalStatus(
        account=account,
        pending=pending,
        open_changes=list(ChangeRequest.objects.filter(patient=patient, handled_at__isnull=True).select_related("appointment")),
        open_exports=list(ExportRequest.objects.filter(patient=patient, fulfilled_at__isnull=True)),
    )


def account_for_user(user: Any) -> PatientAccount | None:
    """The active portal account of a signed-in patient user, else None."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", "") != Role.PATIENT or not user.is_active:
        return None
    account = PatientAccount.objects.select_related("patient", "patient__clinic").filter(user=user, revoked_at__isnull=True).first()
    if account is None or account.patient.clinic_id != user.clinic_id:
        return None
    return account


# --- patient: reading their own records -----------------------------------------------------


@dataclass(frozen=True)
class AftercareItem:
    session_id: int
    performed_on: Any
    sheet: Any


@dataclass(frozen=True)
class Overview:
    appointments: list[Appointment]
    consents: list[consents.PurposeStatus]
    aftercare: list[AftercareItem]
    reports: list[Any]
    requested_changes: set[int]
    # What the patient may do themselves with each appointment (by id): move, cancel, or why not.
    self_service: dict[int, SelfService]


def upcoming_appointments(patient: Patient, now: datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(patient=patient, clinic_id=patient.clinic_id, ends_at__gte=now, status__in=[Status.BOOKED, Status.ARRIVED, Status.IN_CHAIR])
        .select_related("practitioner")
        .order_by("starts_at")[:20]
    )


def shared_reports(patient: Patient) -> list[Any]:
    return list(Report.objects.filter(patient=patient, clinic_id=patient.clinic_id, shared_with_patient=True).order_by("-created_at"))


def overview(actor: Actor, patient: Patient, now: datetime | None = None) -> Overview:
    """Everything on the portal home page; the read is audited once, as the patient."""
    now = now or timezone.now()
    statuses = consents.consent_status(patient, now)
    available = set(ConsentText.objects.filter(clinic_id=patient.clinic_id).values_list("purpose", flat=True).distinct())
    consent_rows = [s for p, s in statuses.items() if s.record is not None or p in available]
    sheets: dict[str, Any] = {}
    aftercare = []
    # In the patient's own language, whatever language the sheet was printed in at the clinic: the
    # portal is theirs, in the language they chose.
    language = content_language(patient.preferred_language)
    for session in (TreatmentSession.objects.filter(patient=patient, clinic_id=patient.clinic_id)
                    .select_related("formulation").prefetch_related("formulation__components")
                    .order_by("-performed_on", "-id")[:20]):
        # The 5-ARI instructions lead the sheet of a session whose formulation holds one (issue 17).
        ingredients = tuple(sorted(c.ingredient for c in session.formulation.components.all()))
        key = f"{language}:{','.join(ingredients)}"
        if key not in sheets:
            sheets[key] = aftercare_sheet(patient.clinic, language, ingredients)
        aftercare.append(AftercareItem(session.pk, session.performed_on, sheets[key]))
    appointments = upcoming_appointments(patient, now)
    requested = set(
        ChangeRequest.objects.filter(patient=patient, handled_at__isnull=True, appointment__in=appointments).values_list("appointment_id", flat=True)
    )
    changeable = self_service_for_each(patient, appointments, now)
    audit.record_read(actor, "portal_home", patient.pk, patient.pk)
    return Overview(appointments, consent_rows, aftercare, shared_reports(patient), requested, changeable)


def own_consent(patient: Patient, record_id: int) -> ConsentRecord:
    try:
        return ConsentRecord.objects.select_related("text").get(pk=record_id, patient=patient, clinic_id=patient.clinic_id)
    except ConsentRecord.DoesNotExist as exc:
        raise NotFound from exc


def withdraw_own_consent(actor: Actor, patient: Patient, record_id: int, reason: str) -> Any:
    """The patient withdraws their consent (an event on the record; re-consent happens at the clinic)."""
    record = own_consent(patient, record_id)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise PortalError(_("Keep the reason under %(limit)d characters.") % {"limit": MAX_REASON}, "reason")
    try:
        return consents.withdraw_consent(actor, record, reason)
    except consents.ConsentError as exc:
        raise PortalError(exc.message, exc.field or "reason") from exc


def own_report(actor: Actor, patient: Patient, report_id: int) -> tuple[Any, Any]:
    """A report shared with this patient and its open file, the download audited as an export."""
    try:
        report = Report.objects.get(pk=report_id, patient=patient, clinic_id=patient.clinic_id, shared_with_patient=True)
    except Report.DoesNotExist as exc:
        raise NotFound from exc
    try:
        handle = storages["reports"].open(report.file_name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound from exc
    audit.append(actor, Action.EXPORT, object_type="progress_report", object_id=report.pk, patient_id=patient.pk)
    return report, handle


@dataclass(frozen=True)
class LogRow:
    at: datetime
    who: str
    role: str
    action: str
    what: str
    is_you: bool


ACTION_WORDS = {
    Action.READ: gettext_lazy("opened"),
    Action.CREATE: gettext_lazy("added"),
    Action.UPDATE: gettext_lazy("changed"),
    Action.DELETE: gettext_lazy("removed"),
    Action.EXPORT: gettext_lazy("downloaded or exported"),
}

OBJECT_WORDS = {
    "patient": gettext_lazy("your record"),
    "patient_list": gettext_lazy("a patient list including you"),
    "consent": gettext_lazy("a consent"),
    "consultation": gettext_lazy("a consultation"),
    "appointment": gettext_lazy("an appointment"),
    "treatment_session": gettext_lazy("a treatment session"),
    "session": gettext_lazy("a treatment session"),
    "photo": gettext_lazy("a photograph"),
    "photo_gallery": gettext_lazy("your photographs"),
    "progress_report": gettext_lazy("a progress report"),
    "portal_home": gettext_lazy("your portal page"),
    "portal_access_log": gettext_lazy("this access log"),
    "portal_account": gettext_lazy("your portal account"),
    "portal_invitation": gettext_lazy("a portal invitation"),
    "portal_change_request": gettext_lazy("a change request"),
    "portal_export_request": gettext_lazy("a request for your data"),
    "portal_bills": gettext_lazy("your bills"),
    "shedding_diary": gettext_lazy("your shedding diary"),
    "shedding_diary_entry": gettext_lazy("a day of your shedding diary"),
    "reported_outcomes": gettext_lazy("your questionnaire answers"),
    "reported_outcome": gettext_lazy("your questionnaire answer for a visit"),
    "portal_self_service": gettext_lazy("a session you moved or cancelled"),
    "waitlist": gettext_lazy("your waiting list and the earlier times offered to you"),
    "waitlist_entry": gettext_lazy("your place on the waiting list for an earlier time"),
    "waitlist_offer": gettext_lazy("an earlier time offered to you"),
    "photo_thumbnail": gettext_lazy("a photograph (small)"),
    "photo_metadata": gettext_lazy("a photograph's details"),
    "home_photos": gettext_lazy("your photographs taken at home"),
    "invoice": gettext_lazy("an invoice"),
}


def access_log(actor: Actor, patient: Patient, user: User) -> list[LogRow]:
    """Who opened or changed this patient's record, newest first (never the hash internals),
    including the lists and exports that showed the patient among others (issue 19, finding 3)."""
    own = AuditEntry.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk).order_by("-seq").values_list("seq", flat=True)
    listed = AuditPatientRef.objects.filter(clinic_id=patient.clinic_id, patient_id=patient.pk).order_by("-entry_seq").values_list(
        "entry_seq", flat=True)
    newest = sorted({*own[:ACCESS_LOG_LIMIT], *listed[:ACCESS_LOG_LIMIT]}, reverse=True)[:ACCESS_LOG_LIMIT]
    entries = list(AuditEntry.objects.filter(seq__in=newest).only("at", "user_id", "username", "action", "object_type", "patient_id")
                   .order_by("-seq"))
    staff = {u.pk: u for u in User.objects.filter(pk__in={e.user_id for e in entries if e.user_id}).only("pk", "role", "first_name", "last_name", "username")}
    labels = dict(Role.choices)
    rows = []
    for entry in entries:
        is_you = entry.user_id is not None and entry.user_id == user.pk
        if is_you:
            who, role = _("You"), ""
        elif entry.user_id is None:
            # A command or the demo seed: the system, never a sign-in name.
            who, role = _("Anagen system"), ""
        else:
            # Staff by name and role, as the patient knows them; never a sign-in name.
            member = staff.get(entry.user_id)
            who = (member.get_full_name() or labels.get(member.role, "")) if member else _("A member of staff")
            role = labels.get(member.role, "") if member else ""
        what = OBJECT_WORDS.get(entry.object_type) or object_words(entry.object_type)
        if entry.patient_id is None:
            what = gettext("%(list)s, with you in it") % {"list": object_words(entry.object_type)}
        rows.append(LogRow(entry.at, who, role, ACTION_WORDS.get(entry.action, entry.action), what, is_you))
    audit.record_read(actor, "portal_access_log", patient.pk, patient.pk)
    return rows


# --- patient: requests ----------------------------------------------------------------------


def request_change(actor: Actor, patient: Patient, appointment_id: int, message: str, *, now: datetime | None = None) -> ChangeRequest:
    now = now or timezone.now()
    try:
        appointment = Appointment.objects.get(pk=appointment_id, patient=patient, clinic_id=patient.clinic_id)
    except Appointment.DoesNotExist as exc:
        raise NotFound from exc
    message = (message or "").strip()
    if not message:
        raise PortalError(_("Tell the clinic what you would like to change, e.g. a day or time that suits you."), "message")
    if len(message) > MAX_MESSAGE:
        raise PortalError(_("Keep the message under %(limit)d characters.") % {"limit": MAX_MESSAGE}, "message")
    if appointment.status not in (Status.BOOKED, Status.ARRIVED) or appointment.ends_at < now:
        raise PortalError(_("This appointment can no longer be changed online: please call the clinic."), "message")
    with transaction.atomic():
        change = ChangeRequest.objects.create(clinic_id=patient.clinic_id, patient=patient, appointment=appointment, message=message, created_at=now)
        audit.append(
            actor, Action.CREATE, object_type="portal_change_request", object_id=change.pk, patient_id=patient.pk,
            changes={"appointment": {"old": None, "new": str(appointment.pk)}, "message": {"old": None, "new": message}},
        )
    return change


def request_export(actor: Actor, patient: Patient, *, now: datetime | None = None) -> ExportRequest:
    """Ask for a copy of one's data; asking again while one is open returns the open one."""
    now = now or timezone.now()
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        existing = ExportRequest.objects.filter(patient=patient, fulfilled_at__isnull=True).first()
        if existing is not None:
            return existing
        export = ExportRequest.objects.create(clinic_id=patient.clinic_id, patient=patient, requested_at=now)
        audit.append(actor, Action.CREATE, object_type="portal_export_request", object_id=export.pk, patient_id=patient.pk,
                     changes={"requested_at": {"old": None, "new": now.isoformat()}})
    return export


def own_exports(actor: Actor, patient: Patient) -> list[ExportRequest]:
    exports = list(ExportRequest.objects.filter(patient=patient, clinic_id=patient.clinic_id))
    audit.record_read(actor, "portal_export_request", patient.pk, patient.pk)
    return exports


def own_export_file(actor: Actor, patient: Patient, export_id: int) -> tuple[ExportRequest, Any]:
    try:
        export = ExportRequest.objects.get(pk=export_id, patient=patient, clinic_id=patient.clinic_id)
    except ExportRequest.DoesNotExist as exc:
        raise NotFound from exc
    if not export.file_name:
        raise NotFound
    try:
        handle = storages["default"].open(export.file_name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise NotFound from exc
    audit.append(actor, Action.EXPORT, object_type="portal_export_request", object_id=export.pk, patient_id=patient.pk)
    return export, handle


# --- staff: the requests -----------------------------------------------------------------------


def export_builder() -> Callable[[Actor, Patient], bytes] | None:
    """What builds a patient's full export (``anagen.interop.services.build_export``); the portal
    page offers the download only when there is one."""
    return interop_services.build_export


def open_requests(clinic: Clinic) -> tuple[list[ChangeRequest], list[ExportRequest]]:
    changes = list(
        ChangeRequest.objects.filter(clinic=clinic, handled_at__isnull=True).select_related("patient", "appointment").order_by("created_at", "id")
    )
    exports = list(ExportRequest.objects.filter(clinic=clinic, fulfilled_at__isnull=True).select_related("patient").order_by("requested_at", "id"))
    return changes, exports


def _record_listed(actor: Actor, requests: Sequence[ChangeRequest | ExportRequest]) -> None:
    record_list_read(actor, list({r.patient_id: r.patient for r in requests}.values()))


def read_open_requests(actor: Actor, clinic: Clinic) -> tuple[list[ChangeRequest], list[ExportRequest]]:
    """``open_requests``, in one audit entry naming the patients listed (the requests page)."""
    changes, exports = open_requests(clinic)
    _record_listed(actor, [*changes, *exports])
    return changes, exports


def list_change_requests(actor: Actor, clinic: Clinic, *, page: int = 1, page_size: int = 25) -> Page[ChangeRequest]:
    """One page of the open change requests, oldest first; one audit entry names the patients listed."""
    found = page_of_query(open_requests(clinic)[0], page, page_size)
    _record_listed(actor, found.items)
    return found


def list_export_requests(actor: Actor, clinic: Clinic, *, page: int = 1, page_size: int = 25) -> Page[ExportRequest]:
    """One page of the open data-export requests, oldest first; one audit entry names the patients listed."""
    found = page_of_query(open_requests(clinic)[1], page, page_size)
    _record_listed(actor, found.items)
    return found


def handle_change_request(actor: Actor, clinic: Clinic | None, request_id: int, *, by: User, now: datetime | None = None) -> ChangeRequest:
    now = now or timezone.now()
    with transaction.atomic():
        try:
            change = ChangeRequest.objects.select_for_update().get(pk=request_id, clinic=clinic)
        except ChangeRequest.DoesNotExist as exc:
            raise NotFound from exc
        if change.handled_at is not None:
            raise PortalError(_("This request has already been dealt with."))
        change.handled_by = by
        change.handled_at = now
        change.save(update_fields=["handled_by", "handled_at"])
        audit.append(actor, Action.UPDATE, object_type="portal_change_request", object_id=change.pk, patient_id=change.patient_id,
                     changes={"handled_at": {"old": None, "new": now.isoformat()}})
    return change


def fulfil_export(actor: Actor, clinic: Clinic | None, export_id: int, *, by: User, note: str = "", now: datetime | None = None) -> ExportRequest:
    """Build the patient's export (when the interop service exists) and make it downloadable in
    the portal; without it, record that a copy was handed over (``note`` says how)."""
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) > 300:
        raise PortalError(_("Keep the note under 300 characters."), "note")
    try:
        export = ExportRequest.objects.select_related("patient").get(pk=export_id, clinic=clinic)
    except ExportRequest.DoesNotExist as exc:
        raise NotFound from exc
    if export.fulfilled_at is not None:
        raise PortalError(_("This request has already been fulfilled."))
    builder = export_builder()
    if builder is None and not note:
        raise PortalError(_("The export service is not available: say how the copy was given to the patient."), "note")
    storage = storages["default"]
    content = builder(actor, export.patient) if builder is not None else None
    name = ""
    if content is not None:
        name = storage.save(f"exports/{uuid.uuid4().hex}.zip", ContentFile(content))
    try:
        with transaction.atomic():
            export = ExportRequest.objects.select_for_update().get(pk=export.pk)
            if export.fulfilled_at is not None:
                raise PortalError(_("This request has already been fulfilled."))
            export.fulfilled_at = now
            export.fulfilled_by = by
            export.note = note
            if content is not None:
                export.file_name = name
                export.size_bytes = len(content)
                export.sha256 = hashlib.sha256(content).hexdigest()
            export.save()
            audit.append(actor, Action.UPDATE, object_type="portal_export_request", object_id=export.pk, patient_id=export.patient_id,
                         changes={"fulfilled_at": {"old": None, "new": now.isoformat()}, "sha256": {"old": None, "new": export.sha256 or None}})
    except Exception:
        if name:
            storage.delete(name)
        raise
    return export



# --- patient: moving or cancelling their own course sessions (issue 22, item 2) ------------------
#
# The rules are anagen.core.self_service's (notice, open days, the planner's spacing); which times
# are free is the calendar's (scheduling.free_starts, and its slot-hold constraint at the write);
# the move and the cancellation are the calendar's own use cases, the ones staff use, so the
# course's next session and its start date follow as they do for staff.

CANCEL_REASON = "cancelled by the patient in the portal"
# A move offers the free times on the hour and the half hour (a short list a patient reads on a
# phone); any free quarter-hour start is accepted.
OFFERED_MINUTES = (0, 30)


def refusal_words(refusal: rules.Refusal) -> str:
    """A refusal of the core in the reader's language."""
    day = display.day(refusal.day) if refusal.day is not None else ""
    words = {
        rules.RefusalCode.NOT_A_COURSE_SESSION: lambda: _("Only the sessions of your course can be moved or cancelled here. "
                                                          "For this appointment, ask the clinic below."),
        rules.RefusalCode.NOT_BOOKED: lambda: _("This appointment is no longer booked, so it cannot be changed."),
        rules.RefusalCode.INSIDE_NOTICE: lambda: _("You can move or cancel a session yourself up to %(hours)d hours before it starts; "
                                                   "this one is sooner. Ask the clinic instead, below.") % {"hours": refusal.hours},
        rules.RefusalCode.NEW_TIME_INSIDE_NOTICE: lambda: _("Choose a time at least %(hours)d hours from now.") % {"hours": refusal.hours},
        rules.RefusalCode.SAME_TIME: lambda: _("Your session is booked at this time already."),
        rules.RefusalCode.CLOSED_DAY: lambda: _("The clinic is closed on %(day)s: choose another day.") % {"day": day},
        rules.RefusalCode.TOO_CLOSE_TO_PREVIOUS: lambda: _(
            "Sessions must be at least %(days)d days apart, and your previous session is on %(day)s.") % {"days": refusal.days, "day": day},
        rules.RefusalCode.TOO_CLOSE_TO_NEXT: lambda: _(
            "Sessions must be at least %(days)d days apart, and your next session is on %(day)s.") % {"days": refusal.days, "day": day},
        rules.RefusalCode.COMBINATION_DAY: lambda: _("Another treatment of your course is on %(day)s; sessions are not combined on one day.") % {
            "day": day},
    }
    return str(words[refusal.code]())


@dataclass(frozen=True)
class SelfService:
    """What the patient may do with one appointment themselves; ``refusal`` says why not."""

    appointment: Appointment
    refusal: rules.Refusal | None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str:
        return refusal_words(self.refusal) if self.refusal is not None else ""

    @property
    def inside_notice(self) -> bool:
        return self.refusal is not None and self.refusal.code == rules.RefusalCode.INSIDE_NOTICE


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, scheduling.clinic_zone())


def _course_of(appointment: Appointment) -> Course | None:
    if appointment.course_id is None:
        return None
    return Course.objects.filter(pk=appointment.course_id, clinic_id=appointment.clinic_id, patient_id=appointment.patient_id).first()


def _session_facts(appointment: Appointment, course: Course | None,
                   in_course: Sequence[Appointment] | None = None) -> rules.CourseSession:
    """The appointment with its neighbours in its course, as the core's rules read it.
    ``in_course``: the course's appointments when the caller has read them already (the portal
    home reads every upcoming session's course in one query); else they are read here."""
    number = appointment.course_session_number if appointment.kind == Kind.MESOTHERAPY_SESSION else None
    if course is None or number is None:
        return rules.CourseSession(None, _local(appointment.starts_at), appointment.status == Status.BOOKED)
    held = (Status.BOOKED, Status.ARRIVED, Status.IN_CHAIR, Status.COMPLETED)
    if in_course is None:
        in_course = course_appointments(course)
    others = [a for a in in_course if a.pk != appointment.pk and a.status in held]
    sessions = [a for a in others if a.kind == Kind.MESOTHERAPY_SESSION and a.course_session_number is not None]
    before = [a for a in sessions if a.course_session_number < number]  # type: ignore[operator]
    after = [a for a in sessions if a.course_session_number > number]  # type: ignore[operator]
    previous = max(before, key=lambda a: a.starts_at, default=None)
    following = min(after, key=lambda a: a.starts_at, default=None)
    return rules.CourseSession(
        number, _local(appointment.starts_at), appointment.status == Status.BOOKED,
        previous_day=_local(previous.starts_at).date() if previous is not None else None,
        next_day=_local(following.starts_at).date() if following is not None else None,
        combination_days=frozenset(_local(a.starts_at).date() for a in others if a.kind != Kind.MESOTHERAPY_SESSION),
    )


def _course_rules(course: Course) -> CourseRequest:
    """The course as the planner reads it: its open weekdays and closures come with it."""
    return course_request(course.clinic, CourseChoices(course.start_date, course.intensive_sessions, course.interval_days,
                                                      course.maintenance_sessions, course.maintenance_interval_days))


def self_service_for(appointment: Appointment, now: datetime) -> SelfService:
    course = _course_of(appointment)
    refusal = rules.change_refusal(_session_facts(appointment, course), protocol_for(appointment.clinic), now)
    return SelfService(appointment, refusal)


def self_service_for_each(patient: Patient, appointments: Sequence[Appointment], now: datetime) -> dict[int, SelfService]:
    """``self_service_for`` of each of the patient's appointments in a fixed number of queries, not
    four per appointment: the portal home lists every upcoming session of the course."""
    if not appointments:
        return {}
    protocol = protocol_for(patient.clinic)
    courses = {c.pk: c for c in Course.objects.filter(pk__in={a.course_id for a in appointments if a.course_id is not None},
                                                       clinic_id=patient.clinic_id, patient_id=patient.pk)}
    in_course = appointments_by_course(patient.clinic_id, list(courses))
    each = {}
    for appointment in appointments:
        course = courses.get(appointment.course_id) if appointment.course_id is not None else None
        facts = _session_facts(appointment, course, in_course.get(course.pk) if course is not None else None)
        each[appointment.pk] = SelfService(appointment, rules.change_refusal(facts, protocol, now))
    return each


def own_appointment(patient: Patient, appointment_id: int) -> Appointment:
    """One of the patient's own appointments, else 404 (another patient's id does not exist here)."""
    found = (Appointment.objects.select_related("practitioner", "room", "clinic")
             .filter(pk=appointment_id, patient=patient, clinic_id=patient.clinic_id).first())
    if found is None:
        raise NotFound
    return found


@dataclass(frozen=True)
class MoveOptions:
    service: SelfService
    # Free times by day, in time order: (day, [(start, room), ...]).
    days: list[tuple[Any, list[tuple[datetime, Any]]]]

    @property
    def appointment(self) -> Appointment:
        return self.service.appointment


def _free_times(appointment: Appointment, day: Any, earliest: datetime) -> list[tuple[datetime, Any]]:
    """Every free start on ``day`` (from ``earliest``) with the session's practitioner, a free room,
    and the patient free too, as (clinic-local start, room)."""
    return _free_times_on(appointment, [day], earliest)[day]


def _free_times_on(appointment: Appointment, days: list[Any], earliest: datetime) -> dict[Any, list[tuple[datetime, Any]]]:
    """``_free_times`` of each of ``days``: their opening hours and the calendar read once for all
    of them (a fixed number of queries, not six a day)."""
    hours = {day: h for day, h in opening_hours_on(appointment.clinic, days).items() if h is not None}
    found = scheduling.free_starts_each_day(appointment.clinic, hours, appointment.duration_minutes,
                                            practitioner=appointment.practitioner, now=earliest, limit=24 * 4,
                                            patient_id=appointment.patient_id, ignore_appointment_id=appointment.pk)
    return {day: [(_local(start), room) for start, _person, room in found.get(day, []) if start != appointment.starts_at] for day in days}


def move_options(patient: Patient, appointment_id: int, *, now: datetime | None = None) -> MoveOptions:
    """The free times the patient may move this session to: the core's days, the calendar's free
    times on them with the same practitioner, from the notice on."""
    now = now or timezone.now()
    appointment = own_appointment(patient, appointment_id)
    course = _course_of(appointment)
    facts = _session_facts(appointment, course)
    protocol = protocol_for(appointment.clinic)
    refusal = rules.change_refusal(facts, protocol, now)
    if refusal is not None or course is None:
        return MoveOptions(SelfService(appointment, refusal), [])
    earliest = now + timedelta(hours=protocol.self_service_notice_hours)
    days = []
    offered = rules.move_days(facts, _course_rules(course), protocol, _local(now))
    free = _free_times_on(appointment, offered, earliest)
    for day in offered:
        times = [(start, room) for start, room in free[day] if start.minute in OFFERED_MINUTES]
        if times:
            days.append((day, times))
    return MoveOptions(SelfService(appointment, None), days)


def _parse_start(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise PortalError(_("Choose one of the times offered."), "starts_at") from exc
    if timezone.is_naive(moment):
        raise PortalError(_("Choose one of the times offered."), "starts_at")
    return _local(moment)


def _record(actor: Actor, appointment: Appointment, kind: str, before: datetime, after: datetime | None, now: datetime) -> SelfServiceChange:
    change = SelfServiceChange.objects.create(clinic_id=appointment.clinic_id, patient_id=appointment.patient_id, appointment=appointment,
                                              kind=kind, from_starts_at=before, to_starts_at=after, created_at=now)
    audit.append(actor, Action.CREATE, object_type="portal_self_service", object_id=change.pk, patient_id=appointment.patient_id,
                 changes={"appointment": {"old": None, "new": str(appointment.pk)}, "kind": {"old": None, "new": kind},
                          "starts_at": {"old": before.isoformat(), "new": after.isoformat() if after is not None else None}})
    return change


TAKEN = gettext_lazy("Someone has just taken this time. Choose another time.")


def _allowed_room(appointment: Appointment, new_start: datetime, now: datetime) -> Any:
    """The room a move of ``appointment`` to ``new_start`` would take, if the self-service rules
    (anagen.core.self_service) allow it and the calendar has the time free; else PortalError."""
    course = _course_of(appointment)
    facts = _session_facts(appointment, course)
    protocol = protocol_for(appointment.clinic)
    refusal = rules.change_refusal(facts, protocol, now)
    refusals = (refusal,) if refusal is not None or course is None else rules.move_refusals(
        facts, new_start, _course_rules(course), protocol, _local(now))
    if refusals:
        raise PortalError(" ".join(refusal_words(r) for r in refusals if r is not None), "starts_at")
    earliest = now + timedelta(hours=protocol.self_service_notice_hours)
    room = next((r for start, r in _free_times(appointment, new_start.date(), earliest) if start == new_start), None)
    if room is None:
        raise PortalError(str(TAKEN), "starts_at")
    return room


def may_move_to(appointment: Appointment, new_start: datetime, *, now: datetime | None = None) -> bool:
    """Whether the patient could move this session to ``new_start`` themselves now, by the same
    rules and free-time check as ``move_own_session`` (the waiting list asks before it offers a
    freed time). Writes nothing."""
    try:
        _allowed_room(appointment, _local(new_start), now or timezone.now())
    except PortalError:
        return False
    return True


def move_own_session(actor: Actor, patient: Patient, appointment_id: int, starts_at: str, *, expected_version: int | None = None,
                     now: datetime | None = None) -> Appointment:
    """Move one of the patient's own course sessions to a free time the rules allow: the calendar's
    own move (staff's), the patient's record of the change and its audit, all or nothing. Two
    patients after one time: the calendar's slot holds let one win; the other reads ``TAKEN``."""
    now = now or timezone.now()
    new_start = _parse_start(starts_at)
    own_appointment(patient, appointment_id)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.select_for_update().select_related("practitioner", "room", "clinic").get(pk=appointment_id)
            if expected_version is not None and appointment.version != expected_version:
                raise PortalError(_("This appointment was changed meanwhile. Look at its new time, then choose again."), "starts_at")
            room = _allowed_room(appointment, new_start, now)
            before = appointment.starts_at
            moved = scheduling.move_appointment(actor, appointment, starts_at=new_start, room=room, expected_version=appointment.version)
            _record(actor, moved, SelfServiceKind.MOVED, before, moved.starts_at, now)
    except scheduling.SlotTaken as exc:
        raise PortalError(str(TAKEN), "starts_at") from exc
    except StaleWrite as exc:
        raise PortalError(_("This appointment was changed meanwhile. Look at its new time, then choose again."), "starts_at") from exc
    except scheduling.BookingError as exc:
        raise PortalError(_("This session can no longer be moved online: please call the clinic."), "starts_at") from exc
    return moved


def cancel_own_session(actor: Actor, patient: Patient, appointment_id: int, *, now: datetime | None = None) -> Appointment:
    """Cancel one of the patient's own course sessions outside the notice window: the calendar's
    own cancellation (staff's) with ``CANCEL_REASON``, which frees the time, and the patient's
    record of it, all or nothing."""
    now = now or timezone.now()
    own_appointment(patient, appointment_id)
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("practitioner", "room", "clinic").get(pk=appointment_id)
        refusal = rules.change_refusal(_session_facts(appointment, _course_of(appointment)), protocol_for(appointment.clinic), now)
        if refusal is not None:
            raise PortalError(refusal_words(refusal))
        try:
            cancelled = scheduling.cancel_appointment(actor, appointment, CANCEL_REASON)
        except scheduling.BookingError as exc:
            raise PortalError(_("This session can no longer be cancelled online: please call the clinic.")) from exc
        _record(actor, cancelled, SelfServiceKind.CANCELLED, cancelled.starts_at, None, now)
    return cancelled


def recent_self_service(clinic: Clinic, *, now: datetime | None = None, days: int = 7, limit: int = 20) -> list[SelfServiceChange]:
    """The sessions patients moved or cancelled in the portal in the last ``days`` days, newest first
    (reception's Today panel)."""
    since = (now or timezone.now()) - timedelta(days=days)
    return list(SelfServiceChange.objects.filter(clinic=clinic, created_at__gte=since).select_related("patient", "appointment")
                .order_by("-created_at", "-id")[:limit])


# --- recall that books: the booking step a recall message's link opens (issue 22, item 3) --------
#
# The link's token authorises this one booking step and nothing else: no portal session is made,
# and the page shows no more than the clinic, the planned date and free times (docs/security.md).
# Opening the link exchanges the token for a claim in the browser's session (the token appears in
# one request line only, masked in logs); booking uses the claim and spends the link.


@dataclass(frozen=True)
class RecallClaim:
    """What the browser that opened a recall link keeps in its session: the link and its hash."""

    link_id: int
    digest: str

    def as_session(self) -> dict[str, Any]:
        return {"link_id": self.link_id, "digest": self.digest}

    @classmethod
    def from_session(cls, value: Any) -> RecallClaim | None:
        if not isinstance(value, dict) or not isinstance(value.get("link_id"), int) or not isinstance(value.get("digest"), str):
            return None
        return cls(value["link_id"], value["digest"])


class RecallLinkInvalid(Exception):
    """A recall link that cannot be used: ``message`` for the patient, ``status`` for the page."""

    def __init__(self, state: str):
        self.state = state
        self.message = str(_recall_link_words()[state])
        self.status = 404 if state in ("unknown", "no_claim") else 403 if state in ("other_account", "other_clinic") else 410
        super().__init__(state)


def _recall_link_words() -> dict[str, Any]:
    return {
        "unknown": _("This link is not valid: it may be incomplete. Sign in to book your session, or call the clinic."),
        "no_claim": _("Open the link from your message again, in this browser."),
        "expired": _("This link has expired. Sign in to book your session, or call the clinic."),
        "used": _("This link has already been used. Sign in to see your appointments."),
        "closed": _("This session no longer needs booking: the clinic has changed your plan. Sign in to see your appointments."),
        "other_account": _("This link belongs to another patient. Sign out first, then open the link again."),
        "other_clinic": _("This link is for another clinic. Sign out first, then open the link again."),
    }


def _check_viewer(link: RecallLink, user: Any) -> None:
    """Someone signed in may open only their own link: a forwarded link does not mix accounts."""
    if not getattr(user, "is_authenticated", False):
        return
    if user.clinic_id != link.recall.clinic_id:
        raise RecallLinkInvalid("other_clinic")
    account = account_for_user(user)
    if account is None or account.patient_id != link.recall.patient_id:
        raise RecallLinkInvalid("other_account")


def open_recall_link(raw: str, user: Any, *, now: datetime | None = None) -> RecallClaim:
    """The claim for a valid link; RecallLinkInvalid (nothing written) for an unknown, tampered,
    expired or used one, or one opened by someone signed in as another patient or clinic."""
    now = now or timezone.now()
    try:
        link = recalls.link_for_token(raw, now)
    except recalls.LinkRefused as exc:
        raise RecallLinkInvalid(exc.state) from exc
    _check_viewer(link, user)
    return RecallClaim(link.pk, link.token_sha256)


def _claimed_link(claim: RecallClaim | None, user: Any, now: datetime, *, lock: bool = False) -> RecallLink:
    if claim is None:
        raise RecallLinkInvalid("no_claim")
    try:
        link = recalls.link_for_claim(claim.link_id, claim.digest, now, lock=lock)
    except recalls.LinkRefused as exc:
        raise RecallLinkInvalid(exc.state) from exc
    _check_viewer(link, user)
    return link


def _patient_actor(patient: Patient, ip_address: str | None) -> Actor:
    """The patient, as the audit trail names them: their portal sign-in if they have one."""
    account = PatientAccount.objects.select_related("user").filter(patient=patient, revoked_at__isnull=True).first()
    if account is not None:
        return Actor(account.user_id, account.user.get_username(), patient.clinic_id, ip_address)
    return Actor(None, f"patient {patient.mrn} (recall link)", patient.clinic_id, ip_address)


@dataclass(frozen=True)
class RecallSession:
    """The maintenance session to book, with what the calendar and the rules need about it."""

    recall: Recall
    practitioner: User | None
    duration_minutes: int
    window: recall_rules.BookingWindow
    course_rules: CourseRequest
    # The clinic's hours, read once: the rules offer only open days (open weekdays, no closures).
    opens: Any
    closes: Any


HELD = (Status.BOOKED, Status.ARRIVED, Status.IN_CHAIR, Status.COMPLETED)


def _recall_session(recall: Recall) -> RecallSession:
    """The session's practitioner and length (the course's latest session), and its neighbours."""
    in_course = course_appointments(recall.course)
    sessions = [a for a in in_course if a.kind == Kind.MESOTHERAPY_SESSION and a.course_session_number is not None]
    latest = max(sessions, key=lambda a: a.starts_at, default=None)
    held = [a for a in sessions if a.status in HELD]
    before = [a for a in held if a.course_session_number < recall.session_number]  # type: ignore[operator]
    after = [a for a in held if a.course_session_number > recall.session_number]  # type: ignore[operator]
    previous = max(before, key=lambda a: a.starts_at, default=None)
    following = min(after, key=lambda a: a.starts_at, default=None)
    window = recall_rules.BookingWindow(
        recall.due_date,
        previous_day=_local(previous.starts_at).date() if previous is not None else None,
        next_day=_local(following.starts_at).date() if following is not None else None,
        combination_days=frozenset(_local(a.starts_at).date() for a in in_course if a.kind != Kind.MESOTHERAPY_SESSION and a.status in HELD),
    )
    practitioner = latest.practitioner if latest is not None and latest.practitioner.is_active else None
    stored = settings_for_clinic(recall.clinic)
    duration = latest.duration_minutes if latest is not None else stored.session_minutes
    return RecallSession(recall, practitioner, duration, window, _course_rules(recall.course), stored.opens_at, stored.closes_at)


def _recall_free_times(session: RecallSession, day: Any, earliest: datetime) -> list[tuple[datetime, Any, Any]]:
    """Every free start on ``day`` with the course's practitioner (else anyone bookable), a free
    room, and the patient free too, as (clinic-local start, practitioner, room). ``day`` is one the
    rules offer, so an open day: the clinic's hours are the session's, not read again."""
    clinic = session.recall.clinic
    found = scheduling.free_starts(clinic, day, session.duration_minutes, opens=session.opens, closes=session.closes,
                                   practitioner=session.practitioner, now=earliest, limit=24 * 4,
                                   patient_id=session.recall.patient_id)
    return [(_local(start), person, room) for start, person, room in found]


@dataclass(frozen=True)
class RecallOptions:
    link: RecallLink
    session: RecallSession
    # Free times by day, in time order: (day, [start, ...]).
    days: list[tuple[Any, list[datetime]]]

    @property
    def recall(self) -> Recall:
        return self.link.recall


def recall_options(claim: RecallClaim | None, user: Any, *, ip_address: str | None = None, now: datetime | None = None) -> RecallOptions:
    """The free times around the planned date that the rules allow; audited as a read by the patient."""
    now = now or timezone.now()
    link = _claimed_link(claim, user, now)
    recall = link.recall
    session = _recall_session(recall)
    protocol = protocol_for(recall.clinic)
    earliest = now + timedelta(hours=protocol.self_service_notice_hours)
    days = []
    for day in recall_rules.booking_days(session.window, session.course_rules, protocol, _local(now)):
        starts = sorted({start for start, _person, _room in _recall_free_times(session, day, earliest) if start.minute in OFFERED_MINUTES})
        if starts:
            days.append((day, starts))
    audit.record_read(_patient_actor(recall.patient, ip_address), "recall", recall.pk, recall.patient_id)
    return RecallOptions(link, session, days)


def book_recall(claim: RecallClaim | None, user: Any, starts_at: str, *, ip_address: str | None = None,
                now: datetime | None = None) -> Appointment:
    """Book the recalled maintenance session at a free time the rules allow, by the calendar's own
    booking (staff's), spend the link, mark the recall booked and record the change for reception,
    all or nothing. Two patients after one time: the calendar's slot holds let one win; the other
    reads ``TAKEN``. A link already used (a second tab, a second tap) is refused."""
    now = now or timezone.now()
    new_start = _parse_start(starts_at)
    try:
        with transaction.atomic():
            link = _claimed_link(claim, user, now, lock=True)
            recall = link.recall
            session = _recall_session(recall)
            protocol = protocol_for(recall.clinic)
            if not recall_rules.start_allowed(session.window, new_start, session.course_rules, protocol, _local(now)):
                raise PortalError(_("Choose one of the times offered."), "starts_at")
            earliest = now + timedelta(hours=protocol.self_service_notice_hours)
            match = next(((person, room) for start, person, room in _recall_free_times(session, new_start.date(), earliest)
                          if start == new_start), None)
            if match is None:
                raise PortalError(str(TAKEN), "starts_at")
            actor = _patient_actor(recall.patient, ip_address)
            appointment = scheduling.book_appointment(
                actor, recall.clinic, patient=recall.patient, practitioner=match[0], room=match[1], kind=Kind.MESOTHERAPY_SESSION,
                starts_at=new_start, duration_minutes=session.duration_minutes, course_id=recall.course_id,
                course_session_number=recall.session_number)
            recalls.mark_booked(link, appointment, now)
            _record(actor, appointment, SelfServiceKind.BOOKED, appointment.starts_at, appointment.starts_at, now)
    except scheduling.SlotTaken as exc:
        raise PortalError(str(TAKEN), "starts_at") from exc
    except scheduling.BookingError as exc:
        raise PortalError(_("This session can no longer be booked online: please call the clinic."), "starts_at") from exc
    return appointment


def list_self_service_changes(actor: Actor, clinic: Clinic, *, days: int = 30, page: int = 1, page_size: int = 25,
                              now: datetime | None = None) -> Page[SelfServiceChange]:
    """The sessions patients moved, cancelled or booked (a recall's link) in the portal in the last
    ``days`` days, newest first (the API); one audit entry names the patients listed."""
    since = (now or timezone.now()) - timedelta(days=days)
    query = SelfServiceChange.objects.filter(clinic=clinic, created_at__gte=since).select_related("patient").order_by("-created_at", "-id")
    found = page_of_query(query, page, page_size)
    record_list_read(actor, list({c.patient_id: c.patient for c in found.items}.values()))
    return found


# --- photographs the patient takes at home (issue 22, item 7) ------------------------------------


def _home_photo_message(problem: photos.PhotoProblem) -> str:
    """The photos app's refusal (its problem code) in the patient's words and language, naming the
    field (and the file)."""
    code, values = problem.problem, {"file": problem.file or _("a file")}
    if code == PhotoProblem.IN_FUTURE:
        return _("Day taken: the day cannot be in the future.")
    if problem.field == "view":
        return _("View: choose which part of your head the photographs show.")
    if code == PhotoProblem.NOT_AN_IMAGE:
        return _("Photographs: %(file)s is not a JPEG, PNG or WebP photograph.") % values
    if code == PhotoProblem.TOO_LARGE:
        return _("Photographs: %(file)s is larger than the limit of %(limit)s MB.") % {
            **values, "limit": photos.max_megabytes()}
    if code in (PhotoProblem.TOO_MANY_PIXELS, PhotoProblem.CLAIMS_TOO_MANY_PIXELS):
        return _("Photographs: %(file)s has more pixels than the limit of %(limit)s megapixels.") % {
            **values, "limit": f"{problem.params['limit_megapixels']:g}"}
    if code == PhotoProblem.TOO_MANY_FILES:
        return _("Photographs: send at most %(max)s photographs at a time.") % {"max": problem.params["max"]}
    if code == PhotoProblem.REQUEST_TOO_LARGE:
        return _("Photographs: these photographs are too large together; send them in smaller groups.")
    if code in (PhotoProblem.NO_PICTURE, PhotoProblem.UNREADABLE):
        return _("Photographs: %(file)s could not be read as a photograph (it may be damaged or incomplete).") % values
    return _("Photographs: %(message)s") % {"message": photos.problem_message(problem)}


def upload_home_photos(actor: Actor, patient: Patient, files: Sequence[photos.UploadedFile], *, view: str,
                       day: Any, today: Any, user: User) -> list[Photo]:
    """The patient's own photographs, by the staff upload's checks (photos.upload_photos), stored
    as taken by the patient at home. Raises InvalidInput in the patient's language, naming the
    field ("consent" when the clinic holds no consent to photographs); nothing is written then."""
    try:
        return photos.upload_photos(actor, patient, files, view_choice=view, visit_date=day, today=today,
                                    uploaded_by=user, taken_by_patient=True)
    except consents.ConsentMissing as exc:
        raise InvalidInput.single("consent", _(
            "Your clinic does not hold your consent to photographs, so it cannot keep them. "
            "Ask the clinic at your next visit.")) from exc
    except photos.PhotoRefused as exc:
        raise InvalidInput([FieldError(p.field if p.field != "visit_date" else "day", _home_photo_message(p))
                            for p in exc.problems]) from exc


def home_photos(actor: Actor, patient: Patient) -> list[Photo]:
    return photos.taken_at_home(actor, patient)


def home_photo(actor: Actor, patient: Patient, photo_id: int, *, thumbnail: bool) -> Photo:
    return photos.get_taken_at_home(actor, patient, photo_id, thumbnail=thumbnail)
