"""List (dry run, the default) or remove what may go once an erased patient's retention period is over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from anagen.audit.services import Actor
from anagen.privacy.services import purge_expired


class Command(BaseCommand):
    help = "Purge the photograph files of erased patients whose record retention period is over (dry run unless --apply)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="remove the files (without it, only list them)")
        parser.add_argument("--today", help="the clinic-local date to count from, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today must be a date like 2026-01-31") from exc
        apply = bool(options["apply"])
        items = purge_expired(Actor.system("purge_expired_records"), today, apply=apply)
        verb = "purged" if apply else "would purge"
        for item in items:
            self.stdout.write(
                f"{verb} erasure request {item.request_id} (patient {item.patient_id}, {item.mrn}): "
                f"kept until {item.retain_until.isoformat()}, {item.photo_files} photographs"
            )
        if not items:
            self.stdout.write("nothing to purge: no erased record has passed its retention period")
        elif not apply:
            self.stdout.write("dry run: nothing was removed; run again with --apply to remove")
