"""Print a draft of the access-matrix table from the site as it behaves now, for review.

The committed table in tests/web/access/test_access_matrix.py is the specification: this tool only
helps write a new route's row (check every cell by reading the view before pasting it).
Usage: ANAGEN_ENV=demo ANAGEN_DATA_DIR=$(mktemp -d) .venv/bin/anagen manage migrate &&
       ANAGEN_ENV=demo ANAGEN_DATA_DIR=<same> .venv/bin/python tools/draft_access_matrix.py
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anagen.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from tests.web.access.matrix import routes, url_for  # noqa: E402
from tests.web.access.world import ROLES, build_world  # noqa: E402


def main() -> None:
    world = build_world()
    for route in routes():
        kwargs = {p: world.kwargs.get(p, "x") for p in route.params}
        if route.name.startswith("portal:"):
            kwargs.update({p: world.portal_kwargs[p] for p in route.params if p in world.portal_kwargs})
        if "token" in route.params:
            kwargs["token"] = "x"
        try:
            url = url_for(route.name, kwargs)
        except Exception as exc:  # noqa: BLE001
            print(f"# {route.name}: cannot reverse ({exc})")
            continue
        row = {}
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(world.users[role])
            get = client.get(url)
            row[role] = get.status_code
        print(f'    "{route.name}": {row},  # {url}')


if __name__ == "__main__":
    main()
