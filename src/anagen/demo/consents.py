"""Demo data: version-1 texts for every purpose in English and Hindi, and signed consents.

Runs in ``anagen.demo.seed.SEEDERS`` before the programme, inside the demo seed's transaction,
through the same services as the web pages (so everything is audited).
"""

from __future__ import annotations

from anagen.accounts.models import Clinic
from anagen.audit.services import Actor
from anagen.consents import services
from anagen.consents.default_texts import TEXTS
from anagen.consents.models import ConsentText, Language, Method, Purpose
from anagen.demo.context import SeedContext


def publish_default_texts(actor: Actor, clinic: Clinic) -> dict[tuple[str, str], ConsentText]:
    return {
        key: services.publish_text(actor, clinic, key[0], key[1], title, body)
        for key, (title, body) in TEXTS.items()
    }


def seed_consents(ctx: SeedContext) -> None:
    clinic, branch, staff, patients, rng = ctx.clinic, ctx.branch, ctx.staff, ctx.patients, ctx.rng
    texts = publish_default_texts(Actor.system("demo-seed", clinic.pk), clinic)
    publish_default_texts(Actor.system("demo-seed", branch.pk), branch)
    actor = Actor.system("demo-seed", clinic.pk)
    witnesses = [staff["reception"], staff["nurse"], staff["doctor"]]
    # Most patients signed treatment and photograph consents at registration; a few have not yet.
    for index, patient in enumerate(patients):
        if index % 6 == 5:
            continue
        language = Language.HINDI if index % 4 == 3 else Language.ENGLISH
        witness = witnesses[index % len(witnesses)]
        for purpose in (Purpose.TREATMENT, Purpose.PHOTOGRAPHS):
            services.sign_consent(
                actor, patient, texts[(purpose, language)], method=Method.TYPED,
                typed_name=patient.full_name, acknowledged=True, witness=witness,
            )
        if rng.random() < 0.5:
            services.sign_consent(
                actor, patient, texts[(Purpose.REMINDERS, language)], method=Method.TYPED,
                typed_name=patient.full_name, acknowledged=True, witness=witness,
            )
    # One patient agreed to marketing use of photographs and later changed their mind.
    first = patients[0]
    record = services.sign_consent(
        actor, first, texts[(Purpose.MARKETING_PHOTOGRAPHS, Language.ENGLISH)], method=Method.TYPED,
        typed_name=first.full_name, acknowledged=True, witness=staff["reception"],
    )
    services.withdraw_consent(actor, record, "Patient asked by phone that her photographs not be used on social media.")
