from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from anagen.accounts.models import Clinic, User
from anagen.core.education import ARTICLE_FAQ, TREATMENT_OPTIONS, TreatmentOption
from anagen.education.models import FaqEntry
from anagen.ui.labels import readable_source


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    source: str


def _source(text: str) -> str:
    """A default text's source as the reader reads it: citations ("Kaufman 1998") as written, the
    few worded sources ("clinic protocol") in the reader's language."""
    return gettext(readable_source(text))


def treatment_options() -> list[TreatmentOption]:
    """The core's options table in the reader's language (the catalogue holds the core's English
    as msgids)."""
    return [
        TreatmentOption(gettext(o.name), gettext(o.best_published_effect), gettext(o.evidence_quality), gettext(o.notes), _source(o.source))
        for o in TREATMENT_OPTIONS
    ]


def faq_for(clinic: Clinic) -> list[Answer]:
    """The clinic's own answers as the clinic wrote them (stored content, not translated); until
    it writes its own, the core's default answers in the reader's language."""
    stored = list(FaqEntry.objects.filter(clinic=clinic))
    if stored:
        return [Answer(e.question, e.answer, e.source) for e in stored]
    return [Answer(gettext(a.question), gettext(a.honest_answer), _source(a.source)) for a in ARTICLE_FAQ]


def save_faq(clinic: Clinic, answers: Sequence[Answer], by: User) -> None:
    """Replace the clinic's FAQ with the edited list, in one transaction."""
    with transaction.atomic():
        FaqEntry.objects.filter(clinic=clinic).delete()
        FaqEntry.objects.bulk_create(
            FaqEntry(clinic=clinic, position=i, question=a.question.strip(), answer=a.answer.strip(), source=a.source.strip(), updated_by=by)
            for i, a in enumerate(answers)
        )
