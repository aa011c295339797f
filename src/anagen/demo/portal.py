"""Demo data for the patient portal: three demo patients sign in with the password ``demo``:
``patient`` reads English, ``patient-mr`` Marathi and ``patient-hi`` Hindi (their registry
records' preferred language, which the portal follows).

Runs last in ``anagen.demo.seed.SEEDERS``, after the clinical seeder (so the chosen patient has
appointments, consents and sessions). Like the staff demo accounts, the account is
``is_demo_account`` and signs in only on a demo server (accounts.backends.StaffBackend).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from anagen.accounts.models import Role, User, content_language
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.consents import services as consents
from anagen.consents.models import Method, Purpose
from anagen.patients.models import Patient
from anagen.patients.services import set_preferred_language
from anagen.portal.models import PatientAccount
from anagen.reminders import services as reminders
from anagen.reminders.models import ReminderOptIn

DEMO_USERNAME = "patient"
# (username, preferred language), best-documented patient first.
DEMO_ACCOUNTS = [(DEMO_USERNAME, "en-in"), ("patient-mr", "mr"), ("patient-hi", "hi")]


def seed_portal(ctx: Any) -> None:
    now = timezone.now()
    patients = list(
        Patient.objects.filter(clinic=ctx.clinic)
        .annotate(upcoming=Count("appointments", filter=Q(appointments__starts_at__gte=now)), sessions=Count("treatment_sessions"))
        .order_by("-sessions", "-upcoming", "id")[: len(DEMO_ACCOUNTS)]
    )
    inviter = ctx.staff.get("reception") or ctx.staff.get("admin")
    actor = Actor.system("demo-seed", ctx.clinic.pk)
    for (username, language), patient in zip(DEMO_ACCOUNTS, patients, strict=False):
        if User.objects.filter(username=username).exists():
            continue
        with transaction.atomic():
            user = User(username=username, clinic=ctx.clinic, role=Role.PATIENT, is_demo_account=True)
            user.set_password("demo")
            user.save()
            account = PatientAccount.objects.create(user=user, patient=patient, invited_by=inviter, invited_at=now, activated_at=now)
            audit.append(
                actor, Action.CREATE, object_type="portal_account", object_id=account.pk,
                patient_id=patient.pk, changes={"username": {"old": None, "new": username}},
            )
            set_preferred_language(actor, patient, language)
            _in_their_language(actor, patient, language, inviter)


def _in_their_language(actor: Actor, patient: Patient, language: str, witness: User) -> None:
    """A Marathi or Hindi reader signed the consents in their own language and gets reminders in
    it, as reception would have arranged at registration (the clinical seeder signed English or
    Hindi at random): their valid consents are signed again on the text in their language and
    their reminder opt-ins switched to it, each step audited like a desk's."""
    code = content_language(language)
    if code == "en":
        return
    statuses = consents.consent_status(patient)
    for purpose in Purpose.values:
        text = consents.current_text(patient.clinic, purpose, code)
        signed = statuses[purpose].record if purpose in statuses else None
        # Signed on this very text already (the clinical seeder's random language): nothing to sign again.
        if text is not None and consents.has_valid_consent(patient, purpose) and (signed is None or signed.text_id != text.pk):
            consents.sign_consent(actor, patient, text, method=Method.TYPED, typed_name=patient.full_name, acknowledged=True,
                                  witness=witness)
    for opt_in in ReminderOptIn.objects.filter(patient=patient, opted_out_at__isnull=True):
        reminders.opt_in(actor, patient, opt_in.channel, code)
