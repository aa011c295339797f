"""Seeds a real server's database for the reliability tests, through the product's services.

Run inside the server's environment as ``anagen manage shell -c "exec(open(PATH).read())"`` with
RELIABILITY_SETUP=booking|sessions and RELIABILITY_N; prints one line ``RESULT {json}``.
Not a test module (no ``test_`` prefix): pytest never collects it.
"""

import datetime as dt
import json
import os
from decimal import Decimal

from django.utils import timezone

from anagen.accounts.models import Clinic, User
from anagen.audit.services import Actor
from anagen.patients.services import register_patient
from anagen.scheduling.services import book_appointment, create_room

MODE = os.environ["RELIABILITY_SETUP"]
N = int(os.environ["RELIABILITY_N"])
PASSWORD = os.environ["RELIABILITY_PASSWORD"]

clinic = Clinic.objects.create(name="Reliability Clinic, Mumbai", city="Mumbai", mrn_prefix="REL")
actor = Actor.system("reliability-setup", clinic.pk)


def staff(username, role, first, last):
    user = User(username=username, clinic=clinic, role=role, first_name=first, last_name=last)
    user.set_password(PASSWORD)
    user.save()
    return user


def patients(count):
    return [
        register_patient(actor, clinic, {
            "given_name": f"Patient{i}", "family_name": "Kulkarni", "date_of_birth": dt.date(1985, 3, 1 + i % 28), "sex": "female" if i % 2 else "male",
            "phone": f"+9198200{i:05d}", "email": "", "address": "", "emergency_contact_name": "", "emergency_contact_phone": "",
            "abha_number": "", "abha_address": "",
        }, confirm_duplicate=True)
        for i in range(count)
    ]


result = {}
if MODE == "booking":
    nurse = staff("nurse.rao", "practitioner", "Sunita", "Rao")
    staff("frontdesk", "reception", "Rohan", "Desai")
    result = {
        "practitioner": nurse.pk, "practitioner_name": str(nurse),
        "patients": [p.pk for p in patients(N)],
        "rooms": [create_room(clinic, f"Room {i + 1}").pk for i in range(N)],
    }
else:
    from anagen.catalog.models import Product
    from anagen.catalog.services import receive_lot
    from anagen.consents.services import publish_text, sign_consent
    from anagen.consultations.services import save_draft, sign_consultation, start_consultation
    from anagen.core.formulation import Component
    from anagen.treatments.services import save_formulation

    doctor = staff("dr.iyer", "trichologist", "Meera", "Iyer")
    nurse = staff("nurse.rao", "practitioner", "Sunita", "Rao")
    today = timezone.localdate()
    text = publish_text(actor, clinic, "treatment", "en", "Mesotherapy treatment", "I consent to scalp mesotherapy.")
    room = create_room(clinic, "Procedure room 1")
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
    appointments = []
    for i, patient in enumerate(patients(N)):
        consultation = start_consultation(actor, patient, doctor, today - dt.timedelta(days=7))
        save_draft(actor, consultation, {"presenting_complaint": "Thinning", "diagnosis_primary": "androgenetic_alopecia"},
                   measurements=None, labs={}, expected_version=None)
        consultation = sign_consultation(actor, consultation, doctor)
        sign_consent(actor, patient, text, method="typed", typed_name=patient.full_name, acknowledged=True, witness=nurse)
        save_formulation(actor, consultation, [Component("ghk_cu", Decimal("1.0"), Decimal("1")), Component("dexpanthenol", Decimal("1.0"), Decimal("50"))],
                         author=doctor, signoff=False, consent_documented=False)
        appointment = book_appointment(actor, clinic, patient=patient, practitioner=nurse, room=room, kind="mesotherapy_session",
                                       starts_at=midnight + dt.timedelta(minutes=15 * i), duration_minutes=15, course_session_number=1)
        appointments.append(appointment.pk)
    product = Product.objects.create(clinic=clinic, name="Vital cocktail 5 mL", vial_type="multi_dose", vial_volume_ml=Decimal("5"),
                                     low_stock_threshold_ml=Decimal("10"))
    product.components.create(ingredient_code="ghk_cu", concentration=Decimal("1"), concentration_unit="mg/mL")
    product.components.create(ingredient_code="dexpanthenol", concentration=Decimal("50"), concentration_unit="mg/mL")
    lot = receive_lot(actor, product, lot_number="VC-2611", expiry_date=today + dt.timedelta(days=200), quantity_ml=Decimal(2 * N + 10),
                      supplier="Derma Supplies, Mumbai", received_on=today - dt.timedelta(days=3))
    result = {"appointments": appointments, "lot": lot.pk}

print("RESULT " + json.dumps(result))
