from __future__ import annotations

from django.db import models

from congvu.org.models import Person


class NotificationCursor(models.Model):
    """How far a person has read their notifications (the events addressed to them).

    Notifications are not stored: they are the task events that target a person or their
    unit (congvu.web.notifications). Only this read marker is, and only
    congvu.web.notifications.mark_read writes it.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="notification_cursor"
    )
    last_seen_event_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "đã đọc thông báo đến"
        verbose_name_plural = "đã đọc thông báo đến"

    def __str__(self) -> str:
        return f"{self.person} ≤ #{self.last_seen_event_id}"
