"""Demo photographs: Pillow-drawn scalp-like pictures for patients mid-course and in maintenance.

``seed_photos(ctx)`` is meant to run after the programme seed (anagen.demo.clinical), so it can
take each patient's baseline and latest measurement dates as the photo visits. Every picture goes
through ``services.upload_photos``, so files, thumbnails and audit entries are real. Images are
small (480 × 360) to keep the seed fast; hair strokes grow denser from the baseline visit to the
latest one, with the same strokes kept (the same scalp, photographed again).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from decimal import Decimal

from PIL import Image, ImageDraw

from anagen.audit.services import Actor
from anagen.consents.services import has_valid_consent
from anagen.consultations.models import MeasurementSet
from anagen.core.photos import IN_STANDARD_ORDER, STANDARD_VIEWS, PhotoView
from anagen.demo.context import SeedContext
from anagen.photos import services
from anagen.photos.models import Dermatoscope, Photo

SIZE = (480, 360)
SKIN = [(224, 180, 150), (198, 150, 118), (170, 122, 92), (141, 98, 70)]
HAIR = [(28, 22, 20), (45, 32, 24), (60, 44, 30)]


def scalp_image(seed: str, density: float, *, trichoscopy: bool = False) -> bytes:
    """A JPEG of a scalp-like picture; ``density`` (0-1) sets how many hair strokes are drawn."""
    rng = random.Random(seed)
    skin = rng.choice(SKIN)
    hair = rng.choice(HAIR)
    image = Image.new("RGB", SIZE, (235, 235, 232))
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    if trichoscopy:
        draw.rectangle((0, 0, width, height), fill=skin)
        strokes = int(40 + 160 * density)
        for _ in range(strokes):  # every stroke is drawn the same at each visit; denser means more strokes
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            angle = rng.uniform(0.2, 1.2)
            length = rng.uniform(60, 200)
            thick = rng.choice([2, 3, 4, 5])
            draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(120, 84, 60))
            draw.line((x, y, x + length * math.cos(angle), y - length * math.sin(angle)), fill=hair, width=thick)
    else:
        box = (60, 30, width - 60, height + 120)
        draw.ellipse(box, fill=skin)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        rx, ry = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
        strokes = int(400 + 2600 * density)
        for _ in range(strokes):
            t, r = rng.uniform(0, 2 * math.pi), math.sqrt(rng.random()) * 0.95
            x, y = cx + rx * r * math.cos(t), cy + ry * r * math.sin(t)
            angle = t + rng.uniform(-0.5, 0.5)
            length = rng.uniform(6, 18)
            draw.line((x, y, x + length * math.cos(angle), y + length * math.sin(angle)), fill=hair, width=1)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _visit_dates(patient: object, today: dt.date) -> tuple[dt.date, dt.date]:
    dates = list(MeasurementSet.objects.filter(patient=patient).order_by("measured_on").values_list("measured_on", flat=True))
    baseline = dates[0] if dates else today - dt.timedelta(days=90)
    latest = dates[-1] if dates and dates[-1] >= baseline + dt.timedelta(days=28) else today
    return baseline, min(latest, today)


def seed_photos(ctx: SeedContext) -> None:
    actor = Actor.system("demo-seed", ctx.clinic.pk)
    doctor = ctx.staff["doctor"]
    # The demo's dermatoscope, so "Measure from an image" works at once (clinic details list it).
    Dermatoscope.objects.get_or_create(clinic=ctx.clinic, name="Demo dermatoscope (20×)",
                                       defaults={"micrometres_per_pixel": Decimal("5.000")})
    for index, patient in enumerate(ctx.patients[14:22]):
        if not has_valid_consent(patient, "photographs") or Photo.objects.filter(patient=patient).exists():
            continue
        baseline, latest = _visit_dates(patient, ctx.today)
        gain = 0.08 + 0.04 * (index % 4)
        start = 0.25 + 0.05 * (index % 3)
        for visit, density in ((baseline, start), (latest, start + gain)):
            files = []
            for view in STANDARD_VIEWS:
                data = scalp_image(f"{patient.pk}-{view.value}", density)
                files.append(services.UploadedFile(f"{view.value}.jpg", len(data), io.BytesIO(data)))
            services.upload_photos(actor, patient, files, view_choice=IN_STANDARD_ORDER, visit_date=visit,
                                   today=ctx.today, uploaded_by=doctor)
            site = services.default_site(patient, visit)
            if not site.zone:
                site = services.Site("vertex", Decimal("10.0"), "midline, 10 cm behind the hairline")
            data = scalp_image(f"{patient.pk}-trichoscopy", density, trichoscopy=True)
            services.upload_photos(actor, patient, [services.UploadedFile("trichoscopy.jpg", len(data), io.BytesIO(data))],
                                   view_choice=PhotoView.TRICHOSCOPY.value, visit_date=visit, today=ctx.today,
                                   uploaded_by=doctor, site=site)
