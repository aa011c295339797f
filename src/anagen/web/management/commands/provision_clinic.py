"""``provision_clinic``: create a clinic, its first staff accounts and rooms from a script.

The scripted twin of the superuser's **All clinics → Add clinic / Add admin** pages, for
deployments that are built by configuration management (docs/deployment.md) and for the
two-server test. One transaction: either everything is created or nothing is.

    ANAGEN_PROVISION_PASSWORD=... anagen manage provision_clinic --name "Lotus Hair Clinic, Mumbai" \
        --city Mumbai --mrn-prefix LOT --staff admin.mehta:clinic_admin:Anita:Mehta --room "Room 1"

The initial password comes from ``--password-file`` (first line) or ANAGEN_PROVISION_PASSWORD,
never from the command line (``ps`` shows those); every account created gets it and should change
it at first sign-in. Prints one line: ``{"clinic": id, "staff": {username: id}, "rooms": {name: id}}``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from anagen.accounts.forms import ClinicForm
from anagen.accounts.models import ALL_STAFF_ROLES, User
from anagen.accounts.services import create_clinic, create_staff
from anagen.audit.services import Actor
from anagen.scheduling.services import RoomNameTaken, create_room


def _staff_spec(raw: str) -> dict[str, str]:
    parts = raw.split(":")
    if len(parts) not in (2, 4) or not parts[0].strip():
        raise CommandError(f"--staff {raw!r}: write USERNAME:ROLE or USERNAME:ROLE:FIRST:LAST")
    role = parts[1].strip()
    if role not in ALL_STAFF_ROLES:
        raise CommandError(f"--staff {raw!r}: the role must be one of {', '.join(sorted(ALL_STAFF_ROLES))}")
    first, last = (parts[2].strip(), parts[3].strip()) if len(parts) == 4 else ("", "")
    return {"username": parts[0].strip(), "role": role, "first_name": first, "last_name": last}


class Command(BaseCommand):
    help = "Create a clinic with its first staff accounts and rooms (one transaction); prints their ids as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="clinic name (unique)")
        parser.add_argument("--city", default="")
        parser.add_argument("--mrn-prefix", default="AN", help="record number prefix, letters and digits (e.g. LOT)")
        parser.add_argument("--staff", action="append", default=[], metavar="USERNAME:ROLE[:FIRST:LAST]",
                            help="a staff account to create (repeat); roles: clinic_admin, trichologist, practitioner, reception")
        parser.add_argument("--room", action="append", default=[], metavar="NAME", help="a room to create (repeat)")
        parser.add_argument("--password-file", help="the initial password of every account created (first line of the file); "
                                                    "or set ANAGEN_PROVISION_PASSWORD")

    def _password(self, options: dict[str, Any]) -> str:
        if options["password_file"]:
            try:
                return Path(options["password_file"]).read_text(encoding="utf-8").splitlines()[0].strip()
            except (OSError, IndexError) as exc:
                raise CommandError("--password-file cannot be read, or is empty") from exc
        return os.environ.get("ANAGEN_PROVISION_PASSWORD", "")

    def handle(self, *args: Any, **options: Any) -> None:
        staff = [_staff_spec(raw) for raw in options["staff"]]
        usernames = [s["username"] for s in staff]
        if len(set(usernames)) != len(usernames):
            raise CommandError("--staff: each username may appear once")
        taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        if taken:
            raise CommandError(f"--staff: the username {taken[0]!r} is taken")
        if any(not name.strip() for name in options["room"]):
            raise CommandError("--room: a room needs a name")
        password = self._password(options)
        if staff:
            if not password:
                raise CommandError("an initial password is needed for the staff accounts: --password-file or ANAGEN_PROVISION_PASSWORD")
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError("the initial password: " + " ".join(exc.messages)) from exc
        form = ClinicForm({"name": options["name"], "city": options["city"], "address": "", "phone": "", "email": "", "gstin": "",
                           "mrn_prefix": options["mrn_prefix"]})
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise CommandError(f"--{field.replace('_', '-')}: {errors[0]}")
        actor = Actor.system("provision_clinic")
        with transaction.atomic():
            clinic = create_clinic(actor, form.cleaned_data)
            created = {s["username"]: create_staff(actor, clinic, s, password).pk for s in staff}
            rooms: dict[str, int] = {}
            for name in options["room"]:
                try:
                    rooms[name.strip()] = create_room(clinic, name).pk
                except RoomNameTaken as exc:
                    raise CommandError(f"--room {name!r}: the clinic already has a room of that name") from exc
        self.stdout.write(json.dumps({"clinic": clinic.pk, "staff": created, "rooms": rooms}))
