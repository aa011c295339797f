"""What the calendar tells the apps above it, which scheduling may not import.

- ``appointment_moved`` is sent (``appointment=``, ``actor=``) inside ``move_appointment``'s
  transaction once the appointment holds its new time: a course whose first session moved starts
  on the new date (``anagen.treatments.receivers``), so no page reads the old one (issue 20).
"""

from django.dispatch import Signal

appointment_moved = Signal()
