"""The language tests of the safety pages reuse the safety app's world: a lot, a signed session
with its follow-up, and events reported through the service; those of the calendar reuse the
scheduling app's rooms and booking shortcut; those of billing and photographs the billing app's price
list and the portal's enrolled patient."""

from __future__ import annotations

# The fixtures themselves, not copies: pytest finds fixtures imported into a conftest.
from tests.web.billing.conftest import billing_clinic, items  # noqa: F401
from tests.web.portal.conftest import enrol, invite, patient_user  # noqa: F401
from tests.web.safety.conftest import lot, make_lot, make_session, report, session, today  # noqa: F401
from tests.web.scheduling.conftest import actor, book, room, tomorrow  # noqa: F401
