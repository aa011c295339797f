from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from anagen.accounts.models import Clinic, User
from anagen.core.education import ARTICLE_FAQ
from anagen.education.models import FaqEntry


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    source: str


def faq_for(clinic: Clinic) -> list[Answer]:
    stored = list(FaqEntry.objects.filter(clinic=clinic))
    if stored:
        return [Answer(e.question, e.answer, e.source) for e in stored]
    return [Answer(a.question, a.honest_answer, a.source) for a in ARTICLE_FAQ]


def save_faq(clinic: Clinic, answers: Sequence[Answer], by: User) -> None:
    """Replace the clinic's FAQ with the edited list, in one transaction."""
    with transaction.atomic():
        FaqEntry.objects.filter(clinic=clinic).delete()
        FaqEntry.objects.bulk_create(
            FaqEntry(clinic=clinic, position=i, question=a.question.strip(), answer=a.answer.strip(), source=a.source.strip(), updated_by=by)
            for i, a in enumerate(answers)
        )
