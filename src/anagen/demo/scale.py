"""Realistic volumes for benchmarks: a clinic group with years of records, written through the same
services the product uses (so the audit trail, slot holds, stock movements and follow-ups are what
real use leaves behind). ``anagen manage seed_scale --patients 10000``.

Per patient: registration, a signed consultation with measurements and labs, treatment consent, a
formulation, a course booked in the calendar with its past sessions recorded (lots drawn, follow-ups
created and, but for the last two days', called), follow-up measurement visits (about one patient
in twenty losing density: a likely non-responder), an occasional mild adverse event, and the staff
reads of the record that the audit trail keeps.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from anagen.accounts.models import Clinic, Role, User
from anagen.audit.services import Actor, record_read
from anagen.catalog import services as catalog
from anagen.catalog.models import Product, ProductComponent
from anagen.consents import services as consents
from anagen.consultations import services as consultations
from anagen.core.errors import InvalidInput
from anagen.core.measurements import ScalpZone
from anagen.core.safety import InjectionPoint
from anagen.demo.seed import AREAS, FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES
from anagen.patients.services import register_patient
from anagen.procedures import services as procedures
from anagen.procedures.services import LotUse, SessionInput
from anagen.safety import services as safety
from anagen.safety.models import FollowUpTask
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Room
from anagen.treatments import services as treatments

READ_OBJECTS = ["patient", "patient", "progress", "consultation", "treatment_session", "photo_gallery"]
SESSION_TIMES = [dt.time(h, m) for h in range(9, 19) for m in (0, 45) if not (h == 18 and m == 45)]


@dataclass
class ScaleClinic:
    clinic: Clinic
    doctor: User
    nurses: list[User]
    rooms: list[Room]
    lot_ids: list[int]
    consent_text: Any


def _clinic(index: int, rng: random.Random, start: dt.date) -> ScaleClinic:
    clinic = Clinic.objects.create(name=f"Anagen Scale Clinic {index + 1}", city=rng.choice(["Mumbai", "Pune", "Thane", "Nashik"]),
                                   mrn_prefix=f"S{index + 1}")
    def staff(username: str, role: str) -> User:
        user = User(username=f"{username}-{index + 1}", clinic=clinic, role=role, first_name=username.title())
        user.set_password("bench-password-" + username)
        user.save()
        return user

    doctor = staff("doctor", Role.TRICHOLOGIST)
    staff("admin", Role.CLINIC_ADMIN)
    staff("reception", Role.RECEPTION)
    nurses = [staff(f"nurse{n}", Role.PRACTITIONER) for n in range(12)]
    rooms = [scheduling.create_room(clinic, f"Procedure room {n + 1}") for n in range(12)]
    actor = Actor.system("seed-scale", clinic.pk)
    product = Product.objects.create(clinic=clinic, name="Vital cocktail 5 mL", vial_type="multi_dose",
                                     vial_volume_ml=Decimal("5"), low_stock_threshold_ml=Decimal("50"))
    ProductComponent.objects.create(product=product, ingredient_code="biotin", concentration=Decimal("0.5"), concentration_unit="mg/mL")
    lots = []
    for n in range(12):
        received = start + dt.timedelta(days=120 * n - 30)
        lots.append(catalog.receive_lot(actor, product, lot_number=f"VC-{index + 1}-{n:03d}", expiry_date=received + dt.timedelta(days=400),
                                        quantity_ml=Decimal("900000"), supplier="Derma Supplies", received_on=received).pk)
    text = consents.publish_text(actor, clinic, "treatment", "en", "Consent to scalp mesotherapy", "I consent to scalp mesotherapy.")
    return ScaleClinic(clinic, doctor, nurses, rooms, lots, text)


def _session_input(rng: random.Random, volume_ml: Decimal, lot_id: int) -> SessionInput:
    zones = list(ScalpZone)[:5]
    points = tuple(
        InjectionPoint(zones[i % 5], Decimal(str(round(rng.uniform(0.2, 0.8), 3))), Decimal(str(round(rng.uniform(0.1, 0.7), 3))), Decimal("0.10"))
        for i in range(int(volume_ml / Decimal("0.1")))
    )
    return SessionInput(
        identity_confirmed=True, fever_today=False, scalp_infection_today=False, pregnant_today=False, new_medicines="", new_medication_codes=(),
        scalp_cleansed=True, numbing_spray=rng.random() < 0.5, technique="needle", needle_gauge=32, needle_length_mm=Decimal("4"),
        mesogun_settings="", depth_mm=Decimal("2.0"), injection_style="point_by_point", injection_map=points,
        lots=(LotUse(lot_id, volume_ml),), pain_score=rng.randint(0, 7), immediate_reactions=(), reaction_notes="", aftercare_language="en",
    )


def _patient(sc: ScaleClinic, n: int, rng: random.Random, today: dt.date) -> int:
    """One patient's history; returns the number of sessions recorded."""
    clinic = sc.clinic
    actor = Actor.system("seed-scale", clinic.pk)
    sex = "female" if rng.random() < 0.5 else "male"
    given = rng.choice(FEMALE_NAMES if sex == "female" else MALE_NAMES)
    family = rng.choice(FAMILY_NAMES)
    patient = register_patient(actor, clinic, {
        "given_name": given, "family_name": family, "date_of_birth": today - dt.timedelta(days=rng.randint(19 * 365, 65 * 365)),
        "sex": sex, "phone": f"+91{rng.choice('6789')}{rng.randrange(10**8, 10**9)}", "email": f"{given.lower()}{n}@example.in",
        "address": f"{rng.randint(1, 300)}, {rng.choice(AREAS)}", "emergency_contact_name": "", "emergency_contact_phone": "",
        "abha_number": "", "abha_address": "",
    }, confirm_duplicate=True)
    staff = Actor(user_id=sc.doctor.pk, username=sc.doctor.username, clinic_id=clinic.pk, ip_address="10.0.0.5")
    start = today - dt.timedelta(days=rng.randint(20, 3 * 365))
    consultation = consultations.start_consultation(actor, patient, sc.doctor, start - dt.timedelta(days=7))
    density = Decimal(rng.randint(100, 170))
    consultations.save_draft(actor, consultation, {
        "presenting_complaint": "Thinning and shedding", "diagnosis_primary": rng.choice(["androgenetic_alopecia", "androgenetic_alopecia", "telogen_effluvium", "diffuse_thinning"]),
        "pattern_scale": "ludwig" if sex == "female" else "norwood_hamilton", "pattern_stage": "II" if sex == "female" else rng.choice(["II", "III", "IV"]),
    }, measurements={"site_zone": "vertex", "site_offset_cm": Decimal("10"), "site_note": "midline", "density_per_cm2": density,
                     "wash_shed_count": rng.randint(40, 200), "wash_short_count": rng.randint(2, 30), "comb_count": rng.randint(4, 30),
                     "pull_grasped": 50, "pull_extracted": rng.randint(0, 8), "mean_shaft_diameter_um": Decimal(rng.randint(45, 65))},
        labs={"ferritin": {"value": Decimal(rng.randint(10, 120)), "unit": "ng/mL", "reference_low": Decimal(15), "reference_high": Decimal(150)}},
        expected_version=None)
    consultation = consultations.sign_consultation(actor, consultation, sc.doctor)
    consents.sign_consent(actor, patient, sc.consent_text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=sc.doctor)
    components, _ = treatments.starting_components(consultation)
    formulation = treatments.save_formulation(actor, consultation, components, author=sc.doctor, signoff=False, consent_documented=False)
    course = None
    for _attempt in range(6):
        nurse, room, at = rng.choice(sc.nurses), rng.choice(sc.rooms), rng.choice(SESSION_TIMES)
        try:
            course = treatments.create_course(actor, consultation, formulation, treatments.CourseChoices(start, 6, 14, 2, 60),
                                              practitioner=nurse, room=room, session_time=at, duration_minutes=45, author=sc.doctor)
            break
        except InvalidInput:
            continue
    recorded = 0
    non_responder = rng.random() < 0.05
    now = timezone.now()
    if course is not None:
        for appointment in treatments.course_appointments(course):
            if appointment.starts_at >= now or appointment.course_session_number is None:
                continue
            day = timezone.localtime(appointment.starts_at).date()
            lot_id = next((lot for lot in sc.lot_ids if catalog.selectable_lots(clinic, day).filter(pk=lot).exists()), None)
            if lot_id is None:
                continue
            try:
                session = procedures.record_session(actor, appointment, _session_input(rng, formulation.total_volume_ml, lot_id),
                                                    practitioner=appointment.practitioner, today=day)
                recorded += 1
            except procedures.SessionBlocked:
                continue
            side_effects = rng.random() < 0.03  # the 24-48 h side effects the article names, now and then
            if side_effects:
                safety.report_event(actor, patient, session=session, event_type=rng.choice(["bruising", "erythema", "pain", "headache"]),
                                    severity="mild", onset_date=day, description="Reported at the follow-up call",
                                    action_taken="Reassured; cold compress", reported_by=sc.doctor, today=day)
            if day < today - dt.timedelta(days=2):  # the 24-48 h call was made; the last two days' are still due
                safety.record_follow_up(actor, FollowUpTask.objects.get(session=session), method="call",
                                        side_effects_reported=side_effects, outcome="Mild, settled" if side_effects else "",
                                        recorded_by=rng.choice(sc.nurses))
            if recorded % 3 == 0:
                # About one patient in twenty loses density visit after visit (a likely non-responder).
                factor = 0.94 - 0.03 * (recorded // 3) if non_responder else 1 + rng.uniform(-0.05, 0.15)
                consultations.record_follow_up_measurements(actor, patient, day, today=day, values={
                    "site_zone": "vertex", "site_offset_cm": Decimal("10"), "site_note": "midline",
                    "density_per_cm2": density * Decimal(str(round(factor, 3))),
                    "wash_shed_count": rng.randint(30, 180), "wash_short_count": rng.randint(2, 25)})
    # Staff open the record now and then over the years: reads are audited like every write, and
    # 45-80 of them a patient put the trail over a million entries at 10,000 patients (issue 11).
    for _ in range(rng.randint(45, 80)):
        record_read(staff, rng.choice(READ_OBJECTS), patient.pk, patient.pk)
    return recorded


def seed_scale(patients: int, clinics: int = 3, seed: int = 11, today: dt.date | None = None, progress: Any = None) -> dict[str, int]:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=3 * 365 + 30)
    with transaction.atomic():
        existing = Clinic.objects.filter(name__startswith="Anagen Scale Clinic").count()
        group = [_clinic(existing + i, rng, start) for i in range(clinics)]
    sessions = 0
    batch = 50
    for first in range(0, patients, batch):
        # One transaction per batch: SQLite commits are the slow part of bulk seeding.
        with transaction.atomic():
            for n in range(first, min(first + batch, patients)):
                sessions += _patient(group[n % clinics], n, rng, today)
        if progress:
            progress(min(first + batch, patients), sessions)
    return {"patients": patients, "clinics": clinics, "sessions": sessions}
