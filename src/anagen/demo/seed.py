"""Seed "Anagen Demo Clinic, Mumbai" with staff and patients through the product's own services.

Seeding is idempotent: when the demo clinic exists nothing is touched, so ``make demo`` never
wipes or duplicates data. Random choices come from a seeded generator, so every fresh demo is the
same. Each app's demo records come from a seeder in this package, run in the one order of
``SEEDERS``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from anagen.accounts.models import Clinic, Role, User
from anagen.audit.services import Actor
from anagen.demo.billing import seed_billing
from anagen.demo.catalog import seed_stock
from anagen.demo.clinical import seed_programme
from anagen.demo.consents import seed_consents
from anagen.demo.context import SeedContext, Seeder
from anagen.demo.outcomes import seed_measurements
from anagen.demo.photos import seed_photos
from anagen.demo.portal import seed_portal
from anagen.demo.scheduling import seed_calendar
from anagen.patients.models import Patient, Sex
from anagen.patients.services import register_patient
from anagen.portal.models import PatientAccount

DEMO_CLINIC_NAME = "Anagen Demo Clinic, Mumbai"
DEMO_BRANCH_NAME = "Anagen Demo Clinic, Pune"
DEMO_PASSWORD = "demo"

DEMO_STAFF = [
    ("admin", "Farah", "Contractor", Role.CLINIC_ADMIN),
    ("doctor", "Meera", "Iyer", Role.TRICHOLOGIST),
    ("nurse", "Sunita", "Pawar", Role.PRACTITIONER),
    ("reception", "Rohan", "Desai", Role.RECEPTION),
]

FEMALE_NAMES = ["Priya", "Ananya", "Kavya", "Sneha", "Pooja", "Neha", "Aishwarya", "Shruti", "Ritu", "Lakshmi", "Fatima", "Nandini", "Deepa", "Meenakshi", "Zoya"]
MALE_NAMES = ["Rahul", "Arjun", "Vikram", "Aditya", "Siddharth", "Karan", "Rohit", "Imran", "Sanjay", "Nikhil", "Abhishek", "Manish", "Harish", "Farhan", "Gaurav"]
FAMILY_NAMES = ["Sharma", "Patil", "Deshmukh", "Iyer", "Nair", "Kulkarni", "Joshi", "Shaikh", "Mehta", "Reddy", "Gupta", "Menon", "Chatterjee", "Khan", "Pillai", "Bhosale", "Kapoor", "Rao", "Fernandes", "Sawant"]
AREAS = ["Andheri West", "Bandra East", "Dadar", "Powai", "Malad", "Chembur", "Thane West", "Borivali", "Colaba", "Goregaon"]


# Every seeder, in the order they run: each one's records are there for the next. Rooms and stock
# before the programme (its courses book rooms and draw lots); the programme before measurements;
# photos take each patient's first and last measurement dates as visits; billing and the portal
# need the programme's sessions, appointments and consents.
SEEDERS: list[Seeder] = [
    seed_stock,
    seed_consents,
    seed_calendar,
    seed_programme,
    seed_measurements,
    seed_photos,
    seed_billing,
    seed_portal,
]


def _indian_mobile(rng: random.Random) -> str:
    return f"+91{rng.choice('6789')}{rng.randrange(10**8, 10**9)}"


def _seed_patients(ctx: SeedContext, clinic: Clinic, count: int) -> list[Patient]:
    rng = ctx.rng
    actor = Actor.system("demo-seed", clinic.pk)
    created = []
    for index in range(count):
        sex = Sex.FEMALE if index % 2 == 0 else Sex.MALE
        given = rng.choice(FEMALE_NAMES if sex == Sex.FEMALE else MALE_NAMES)
        family = rng.choice(FAMILY_NAMES)
        age_years = rng.randint(19, 64)
        born = ctx.today - timedelta(days=age_years * 365 + rng.randint(0, 364))
        values = {
            "given_name": given,
            "family_name": family,
            "date_of_birth": born,
            "sex": sex,
            "phone": _indian_mobile(rng),
            "email": f"{given.lower()}.{family.lower()}{index}@example.in" if rng.random() < 0.7 else "",
            "address": f"{rng.randint(1, 240)}, {rng.choice(AREAS)}, Mumbai {400000 + rng.randint(1, 104)}",
            "emergency_contact_name": f"{rng.choice(FEMALE_NAMES + MALE_NAMES)} {family}",
            "emergency_contact_phone": _indian_mobile(rng),
            "abha_number": f"91{rng.randrange(10**11, 10**12)}" if rng.random() < 0.4 else "",
            "abha_address": f"{given.lower()}.{family.lower()}{index:02d}@abdm" if rng.random() < 0.3 else "",
        }
        created.append(register_patient(actor, clinic, values, confirm_duplicate=True))
    return created


def demo_sign_ins() -> list[tuple[str, str]]:
    """Every demo account as (username, who it is): staff by name, role and clinic, then the
    patient portal's account by the patient's name."""
    rows = []
    users = User.objects.filter(is_demo_account=True).select_related("clinic").order_by("clinic__name", "role", "username")
    portal = {a.user_id: a.patient for a in PatientAccount.objects.filter(user__in=users).select_related("patient")}
    for user in users:
        if user.role == Role.PATIENT:
            patient = portal.get(user.pk)
            name = patient.full_name if patient is not None else user.get_full_name()
            rows.append((user.username, f"{name}, patient: the patient portal"))
        else:
            clinic = user.clinic.name if user.clinic else ""
            rows.append((user.username, f"{user.get_full_name()}, {user.get_role_display()} · {clinic}"))
    # Staff of the main clinic first, the portal account last: the order a newcomer tries them.
    order = {Role.CLINIC_ADMIN: 0, Role.TRICHOLOGIST: 1, Role.PRACTITIONER: 2, Role.RECEPTION: 3, Role.PATIENT: 9}
    main = {u.username: (u.clinic.name != DEMO_CLINIC_NAME if u.clinic else True, order.get(u.role, 5)) for u in users}
    return sorted(rows, key=lambda row: main[row[0]])


def seed_demo(today: date | None = None) -> bool:
    """Create the demo clinics; returns False (and does nothing) when they already exist."""
    if Clinic.objects.filter(name=DEMO_CLINIC_NAME).exists():
        return False
    with transaction.atomic():
        clinic = Clinic.objects.create(
            name=DEMO_CLINIC_NAME, city="Mumbai", address="2nd floor, Linking Road, Bandra West, Mumbai 400050",
            phone="+912226001234", email="hello@demo.anagen.example", gstin="27AABCA1234F1Z5", mrn_prefix="MUM",
        )
        branch = Clinic.objects.create(name=DEMO_BRANCH_NAME, city="Pune", mrn_prefix="PUN")
        staff = {}
        for username, first, last, role in DEMO_STAFF:
            user = User(username=username, first_name=first, last_name=last, clinic=clinic, role=role, is_demo_account=True)
            user.set_password(DEMO_PASSWORD)
            user.save()
            staff[username] = user
        branch_admin = User(username="pune-admin", first_name="Kiran", last_name="Joshi", clinic=branch, role=Role.CLINIC_ADMIN, is_demo_account=True)
        branch_admin.set_password(DEMO_PASSWORD)
        branch_admin.save()
        ctx = SeedContext(clinic=clinic, branch=branch, staff=staff, today=today or date.today())
        ctx.patients = _seed_patients(ctx, clinic, 30)
        _seed_patients(ctx, branch, 5)
        for seeder in SEEDERS:
            seeder(ctx)
    return True
