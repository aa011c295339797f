"""The role decorators are defined once, in accounts.permissions: a module that needs one imports it
instead of building its own alias from staff_required (issue: 27 such aliases had drifted apart)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "anagen"
ALIAS = re.compile(r"^\w+ = staff_required\(", re.MULTILINE)


def test_no_module_but_accounts_permissions_names_its_own_role_decorator():
    defined = [str(path.relative_to(PACKAGE)) for path in sorted(PACKAGE.rglob("*.py")) if ALIAS.search(path.read_text(encoding="utf-8"))]
    assert defined == ["accounts/permissions.py"]
