"""What session recording tells the apps above procedures, which procedures may not import.

Safety sits above procedures (its follow-ups, adverse events and recall lists read sessions and
their lots), yet recording a session must open the session's follow-up and must be refused while
an adverse event awaits review. These two signals carry that upward without an import cycle;
``anagen.safety.apps`` connects both.

- ``session_blockers`` is sent (``patient=``) before a session is recorded; each receiver returns
  a list of reasons, in plain words, why the patient's next session may not go ahead.
- ``session_recorded`` is sent (``session=``, ``actor=``) inside ``record_session``'s transaction,
  once the session and its lot draws are saved: a receiver's writes commit or roll back with the
  session, and a receiver that raises refuses the session.
"""

from django.dispatch import Signal

session_blockers = Signal()
# Sent (``patient=``) when the session form opens and when it is signed (issue 20): each receiver
# returns a list of flags, in plain words, that the practitioner confirms with the trichologist
# before going ahead (a "worse" response: stop mesotherapy and review). The shell answers it.
session_flags = Signal()
session_recorded = Signal()
