"""Demo data for the patient portal: one demo patient can sign in as ``patient`` / ``demo``.

Runs last in ``anagen.demo.seed.SEEDERS``, after the clinical seeder (so the chosen patient has
appointments, consents and sessions). Like the staff demo accounts, the account is
``is_demo_account`` and signs in only on a demo server (accounts.backends.StaffBackend).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from anagen.accounts.models import Role, User
from anagen.audit import services as audit
from anagen.audit.models import Action
from anagen.audit.services import Actor
from anagen.patients.models import Patient
from anagen.portal.models import PatientAccount

DEMO_USERNAME = "patient"


def seed_portal(ctx: Any) -> None:
    if User.objects.filter(username=DEMO_USERNAME).exists():
        return
    now = timezone.now()
    patient = (
        Patient.objects.filter(clinic=ctx.clinic)
        .annotate(upcoming=Count("appointments", filter=Q(appointments__starts_at__gte=now)), sessions=Count("treatment_sessions"))
        .order_by("-sessions", "-upcoming", "id")
        .first()
    )
    if patient is None:
        return
    inviter = ctx.staff.get("reception") or ctx.staff.get("admin")
    with transaction.atomic():
        user = User(username=DEMO_USERNAME, clinic=ctx.clinic, role=Role.PATIENT, is_demo_account=True)
        user.set_password("demo")
        user.save()
        account = PatientAccount.objects.create(user=user, patient=patient, invited_by=inviter, invited_at=now, activated_at=now)
        audit.append(
            Actor.system("demo-seed", ctx.clinic.pk), Action.CREATE, object_type="portal_account", object_id=account.pk,
            patient_id=patient.pk, changes={"username": {"old": None, "new": DEMO_USERNAME}},
        )
