"""Procedures' signals answered by billing (which sits above procedures and may import it;
procedures may not import billing).

Why a receiver of ``session_recorded`` and not the web layer calling both services: the signal is
sent inside ``record_session``'s transaction, so the signed session and its package redemption
commit together or roll back together (no signed-but-uncounted or counted-but-unsigned state),
and every way of signing a session (web page, API, demo seed) counts it, not only one view.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from anagen.billing import services
from anagen.procedures.signals import session_recorded


@receiver(session_recorded, dispatch_uid="billing.package_follows_the_course")
def package_follows_the_course(sender: Any, session: Any, actor: Any, **kwargs: Any) -> None:
    services.redeem_for_signed_session(actor, session)
