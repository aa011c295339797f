"""``run_worker``: schedule due reminders and send the outbox, rebuild the patient outlooks
written since the last pass (``anagen.outcomes.outlook``), make the thumbnails of new photographs,
and sign a checkpoint of the audit
trail when one is due (and send copies to the configured addresses); ``--once`` or every
``--interval`` s."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from anagen.audit import checkpoints
from anagen.outcomes.outlook import refresh_all
from anagen.photos.services import make_pending_thumbnails
from anagen.reminders import services


class Command(BaseCommand):
    help = "Process the reminders outbox (schedule, send, retry) and rebuild the patient outlooks written since."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between passes (default 30).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            self.stderr.write("--interval must be more than 0 seconds")
            return
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        worker = services.worker_name()
        while True:
            result = services.run_once(timezone.now(), worker=worker)
            # One batch per clinic per pass: a backlog of outlooks (after an upgrade) never holds
            # reminders back for long; the pages rebuild what they need themselves.
            rebuilt = refresh_all(passes=1)
            thumbnails = make_pending_thumbnails()
            checkpoint = checkpoints.write_if_due()
            delivered, _failed = checkpoints.deliver_due()
            self.stdout.write(f"scheduled {result.scheduled}, sent {result.sent}, retrying {result.retrying}, "
                              f"failed {result.failed}, cancelled {result.cancelled}, outlooks rebuilt {rebuilt}, "
                              f"thumbnails made {thumbnails}, "
                              f"audit checkpoint {'at entry ' + str(checkpoint.seq) if checkpoint else 'not due'}, "
                              f"checkpoint copies sent {delivered}")
            if options["once"] or stop.wait(options["interval"]):
                break
            # A long-running worker drops connections the database may have timed out.
            close_old_connections()
