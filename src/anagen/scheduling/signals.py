"""What the calendar tells the apps above it, which scheduling may not import.

- ``appointment_moved`` is sent (``appointment=``, ``actor=``) inside ``move_appointment``'s
  transaction once the appointment holds its new time: a course whose first session moved starts
  on the new date (``anagen.treatments.receivers``), so no page reads the old one (issue 20).
- ``appointment_cancelled`` is sent (``appointment=``, ``actor=``) inside ``cancel_appointment``'s
  transaction once the appointment is cancelled and its time freed: the waiting list offers the
  freed time to patients waiting for an earlier one (``anagen.waitlist.receivers``, issue 22).
"""

from django.dispatch import Signal

appointment_moved = Signal()
appointment_cancelled = Signal()
