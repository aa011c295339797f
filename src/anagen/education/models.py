from __future__ import annotations

from django.conf import settings
from django.db import models

from anagen.accounts.models import Clinic


class FaqEntry(models.Model):
    """A clinic's own answer to a patient question; defaults come from anagen.core.education."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="faq_entries")
    position = models.PositiveSmallIntegerField()
    question = models.CharField(max_length=200)
    answer = models.TextField()
    source = models.CharField("source", max_length=300, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position"]
