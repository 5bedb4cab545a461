"""What the tasks app tells apps above it, without importing them (layers point down).

`pause_acknowledged` is sent inside the review's transaction, after the event is appended:
a receiver that raises rolls the review back with it (the legal registry relies on this —
congvu.legal.apps connects it).
"""

from __future__ import annotations

from django.dispatch import Signal

# sender: the Task; kwargs: pause (the PAUSED TaskEvent), review (the PAUSE_REVIEWED one).
pause_acknowledged = Signal()

# sender: the Task; kwargs: event (the TaskEvent just saved). Sent inside the action's
# transaction, once per appended event: a receiver writes what must commit with the event
# (the exchange outbox, congvu.exchange.apps) and rolls the action back if it raises.
event_appended = Signal()
