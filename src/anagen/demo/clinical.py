"""Demo patients at every stage of the programme: new, consulted, deferred, not eligible, mid-course
and in maintenance, with baseline and follow-up measurements.

Runs in ``anagen.demo.seed.SEEDERS`` after the calendar's rooms and the stock exist. Everything
goes through the product's services, so the audit trail, slot holds and screening are as in real
use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anagen.audit.services import Actor
from anagen.catalog import services as catalog
from anagen.consultations import services as consultations
from anagen.consultations.models import MeasurementSet
from anagen.core.errors import InvalidInput
from anagen.core.measurements import ScalpZone
from anagen.core.safety import InjectionPoint
from anagen.demo.safety import seed_safety
from anagen.procedures import services as procedures
from anagen.procedures.services import LotUse, SessionInput
from anagen.scheduling import services as scheduling
from anagen.scheduling.models import Room
from anagen.treatments import services as treatments

# Early, before the calendar seed's 10:00 starts, so course sessions never collide with it.
SESSION_TIMES = [dt.time(8, 0), dt.time(8, 45), dt.time(9, 0), dt.time(18, 30), dt.time(19, 15)]


def _consult(actor: Actor, ctx: Any, patient: Any, on: dt.date, **values: Any) -> Any:
    doctor = ctx.staff["doctor"]
    consultation = consultations.start_consultation(actor, patient, doctor, on)
    female = patient.sex == "female"
    base = {
        "presenting_complaint": values.pop("complaint", "Hair thinning and increased shedding"),
        "complaint_duration_months": ctx.rng.randint(4, 36),
        "family_history": "Father with male pattern baldness" if not female else "Mother with thinning at the part",
        "history_diet": "Vegetarian; low protein intake" if ctx.rng.random() < 0.4 else "Mixed diet",
        "diagnosis_primary": values.pop("diagnosis", "androgenetic_alopecia"),
        "pattern_scale": "ludwig" if female else "norwood_hamilton",
        "pattern_stage": ctx.rng.choice(["I", "II"]) if female else ctx.rng.choice(["II", "III", "III-vertex", "IV"]),
        "notes": "Baseline photographs and trichoscopy taken at the marked site.",
        # Asked at every consultation: most have none; the header says "None known" only then.
        "no_known_allergies": not values.get("allergy_ingredients") and not values.get("allergies_other"),
    }
    base.update(values)
    density = Decimal(ctx.rng.randint(105, 165))
    anagen_pct = ctx.rng.randint(72, 86)
    measurements = {
        "pull_grasped": 50, "pull_extracted": ctx.rng.randint(1, 8), "wash_shed_count": ctx.rng.randint(60, 180),
        "wash_short_count": ctx.rng.randint(5, 25), "comb_count": ctx.rng.randint(6, 30),
        "site_zone": "vertex" if not female else "mid_scalp", "site_offset_cm": Decimal("10.0"),
        "site_note": "midline, 10 cm behind the hairline", "density_per_cm2": density,
        "thin_hairs_pct": Decimal(ctx.rng.randint(12, 30)), "mean_shaft_diameter_um": Decimal(ctx.rng.randint(48, 62)),
        "terminal_to_vellus_ratio": Decimal("2.5"), "anagen_pct": Decimal(anagen_pct),
        "telogen_pct": Decimal(100 - anagen_pct - ctx.rng.randint(0, 2)), "yellow_dots_count": ctx.rng.randint(0, 8),
        "global_photo_score": None,
    }
    labs = {"ferritin": {"value": Decimal(ctx.rng.randint(12, 90)), "unit": "ng/mL", "reference_low": Decimal(15), "reference_high": Decimal(150)},
            "vitamin_d_25oh": {"value": Decimal(ctx.rng.randint(11, 45)), "unit": "ng/mL", "reference_low": Decimal(30), "reference_high": Decimal(100)}}
    consultations.save_draft(actor, consultation, base, measurements=measurements, labs=labs, expected_version=None)
    return consultations.sign_consultation(actor, consultation, doctor)


def _formulation(actor: Actor, ctx: Any, consultation: Any) -> Any:
    """The diagnosis template, naming the clinic's ready-made cocktail as the product to draw (its
    ingredient list is checked against the patient's allergies when the formulation is saved)."""
    components, _ = treatments.starting_components(consultation)
    cocktail = catalog.products(consultation.clinic).filter(name__startswith="Anagen Vital Hair Cocktail").values_list("pk", flat=True)
    return treatments.save_formulation(actor, consultation, components, author=ctx.staff["doctor"], signoff=False, consent_documented=False,
                                       product_ids=list(cocktail))


def _course(actor: Actor, ctx: Any, consultation: Any, formulation: Any, start: dt.date, room: Room, maintenance: int = 2) -> Any:
    choices = treatments.CourseChoices(start, 6, 14, maintenance, 60)
    for at in SESSION_TIMES:
        try:
            return treatments.create_course(actor, consultation, formulation, choices, practitioner=ctx.staff["nurse"], room=room,
                                            session_time=at, duration_minutes=45, author=ctx.staff["doctor"])
        except InvalidInput:  # a taken slot: try the next time of day
            continue
    return None


def _session_input(ctx: Any, formulation: Any, lot: Any) -> SessionInput:
    """A plausible session: 0.1 mL points spread over the zones until the prescription is given."""
    zones = [ScalpZone.FRONTAL, ScalpZone.MID_SCALP, ScalpZone.VERTEX, ScalpZone.TEMPORAL_LEFT, ScalpZone.TEMPORAL_RIGHT]
    centres = {"frontal": (0.5, 0.16), "mid_scalp": (0.5, 0.38), "vertex": (0.5, 0.61), "temporal_left": (0.17, 0.46), "temporal_right": (0.83, 0.46)}
    count = int(formulation.total_volume_ml / Decimal("0.1"))
    points = []
    for i in range(count):
        zone = zones[i % len(zones)]
        cx, cy = centres[zone.value]
        points.append(InjectionPoint(zone, Decimal(str(round(cx + ctx.rng.uniform(-0.07, 0.07), 3))),
                                     Decimal(str(round(cy + ctx.rng.uniform(-0.06, 0.06), 3))), Decimal("0.10")))
    return SessionInput(
        identity_confirmed=True, fever_today=False, scalp_infection_today=False, pregnant_today=False, new_medicines="",
        new_medication_codes=(), scalp_cleansed=True, numbing_spray=ctx.rng.random() < 0.5, technique="needle",
        needle_gauge=32, needle_length_mm=Decimal("4"), mesogun_settings="", depth_mm=Decimal(ctx.rng.choice(["1.5", "2.0", "2.5"])),
        injection_style=ctx.rng.choice(["point_by_point", "nappage"]), injection_map=tuple(points),
        lots=(LotUse(lot.pk, formulation.total_volume_ml),), pain_score=ctx.rng.randint(1, 6),
        immediate_reactions=("erythema",) if ctx.rng.random() < 0.4 else (), reaction_notes="",
        aftercare_language="hi" if ctx.rng.random() < 0.3 else "en",
    )


def _complete_past_sessions(actor: Actor, ctx: Any, course: Any) -> list[Any]:
    """Past appointments of a course happen: each mesotherapy session is recorded with its lot."""
    recorded = []
    now = timezone.now()
    for appointment in treatments.course_appointments(course):
        if appointment.starts_at >= now - dt.timedelta(hours=2):
            continue
        day = timezone.localtime(appointment.starts_at).date()
        if appointment.course_session_number and appointment.course_session_number > 1 and ctx.rng.random() < 0.06:
            scheduling.mark_no_show(actor, appointment, "Did not come; phoned, rebooked", now=appointment.ends_at)
            continue
        if appointment.kind != "mesotherapy_session":
            scheduling.mark_arrived(actor, appointment, now=appointment.ends_at)
            scheduling.mark_completed(actor, appointment, now=appointment.ends_at)
            continue
        named = set(course.formulation.products.values_list("pk", flat=True))
        lots = [lot for lot in catalog.selectable_lots(course.clinic, day)
                if lot.remaining_ml >= course.formulation.total_volume_ml and (not named or lot.product_id in named)]
        if not lots:
            continue
        try:
            recorded.append(procedures.record_session(actor, appointment, _session_input(ctx, course.formulation, lots[0]),
                                                      practitioner=appointment.practitioner, today=day))
        except procedures.SessionBlocked:
            # e.g. no treatment consent for this demo patient: the visit stays as booked history.
            continue
    return recorded


def _follow_up(actor: Actor, ctx: Any, patient: Any, baseline: MeasurementSet, on: dt.date, gain_pct: float) -> None:
    density = (baseline.density_per_cm2 * Decimal(1 + gain_pct / 100)).quantize(Decimal("0.1"))
    consultations.record_follow_up_measurements(actor, patient, on, today=ctx.today, values=dict(
        site_zone=baseline.site_zone, site_offset_cm=baseline.site_offset_cm,
        site_note=baseline.site_note, density_per_cm2=density, wash_shed_count=max(10, int(baseline.wash_shed_count * (1 - gain_pct / 40))),
        wash_short_count=max(1, int(baseline.wash_short_count * 0.8)), comb_count=max(2, int(baseline.comb_count * (1 - gain_pct / 40))),
        pull_grasped=50, pull_extracted=max(0, baseline.pull_extracted - 2),
        mean_shaft_diameter_um=baseline.mean_shaft_diameter_um + Decimal(ctx.rng.randint(0, 4)),
        global_photo_score=1 if gain_pct > 5 else 0,
    ))


def seed_programme(ctx: Any) -> None:
    actor = Actor.system("demo-seed", ctx.clinic.pk)
    room = Room.objects.get(clinic=ctx.clinic, name="Procedure room 2")
    patients = list(ctx.patients)
    today = ctx.today
    # patients[0:8] stay new: registered, nothing else yet.
    for index, patient in enumerate(patients[8:11]):  # consulted, eligible, formulation prescribed, course not yet booked
        allergy = {"allergies_other": "Penicillin (rash)"} if index == 0 else {}
        consultation = _consult(actor, ctx, patient, today - dt.timedelta(days=ctx.rng.randint(1, 6)), **allergy)
        _formulation(actor, ctx, consultation)
    deferred = patients[11]
    consultation = _consult(actor, ctx, deferred, today - dt.timedelta(days=5), diagnosis="telogen_effluvium",
                            breastfeeding=deferred.sex == "female", scalp_active_infection=deferred.sex != "female",
                            complaint="Heavy shedding since childbirth" if deferred.sex == "female" else "Itchy scalp with pustules and shedding")
    consultations.set_deferral(actor, consultation, today + dt.timedelta(days=90), "Review after treatment of the present condition", ctx.staff["doctor"], today)
    stopped = patients[12]
    _consult(actor, ctx, stopped, today - dt.timedelta(days=10), condition_codes=["bleeding_disorder"], complaint="Thinning; on factor VIII for haemophilia")
    cautious = patients[13]
    consultation = _consult(actor, ctx, cautious, today - dt.timedelta(days=3), medication_codes=["antiplatelet"])
    consultations.acknowledge_caution(actor, consultation, "antiplatelet", "Low-dose aspirin for primary prevention; pressure after each point", ctx.staff["doctor"])
    _formulation(actor, ctx, consultation)

    sessions: list[Any] = []
    for index, patient in enumerate(patients[14:19]):  # mid-course
        start = today - dt.timedelta(days=28 + 14 * (index % 3) + index)
        consultation = _consult(actor, ctx, patient, start - dt.timedelta(days=7))
        course = _course(actor, ctx, consultation, _formulation(actor, ctx, consultation), start, room)
        if course is not None:
            sessions.extend(_complete_past_sessions(actor, ctx, course))

    for index, patient in enumerate(patients[19:22]):  # in maintenance: six intensive sessions done
        start = today - dt.timedelta(days=100 + 9 * index)
        consultation = _consult(actor, ctx, patient, start - dt.timedelta(days=7))
        course = _course(actor, ctx, consultation, _formulation(actor, ctx, consultation), start, room, maintenance=3)
        if course is None:
            continue
        sessions.extend(_complete_past_sessions(actor, ctx, course))
        baseline = consultation.measurements
        _follow_up(actor, ctx, patient, baseline, start + dt.timedelta(days=56), gain_pct=2 + 2 * index)
        _follow_up(actor, ctx, patient, baseline, start + dt.timedelta(days=98), gain_pct=6 + 4 * index)

    seed_safety(ctx, sessions)
