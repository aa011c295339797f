"""What signing a consultation tells the apps it may not import (issue 20).

Scheduling is consultations' sibling in the programme floor: neither imports the other. Signing a
consultation that took place at an appointment completes that appointment; the shell connects the
receiver (``anagen.web.receivers``).

- ``consultation_signed`` is sent (``consultation=``, ``actor=``) inside ``sign_consultation``'s
  transaction, once the consultation is signed: a receiver's writes commit or roll back with it.
"""

from django.dispatch import Signal

consultation_signed = Signal()
