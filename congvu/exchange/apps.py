from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "congvu.exchange"
    label = "exchange"
    verbose_name = "Liên thông văn bản và sự kiện"

    def ready(self) -> None:
        # The outbox row is written by the tasks app's own transaction, through its signal
        # (tasks does not import this app: layers point down).
        from congvu.exchange import outbox
        from congvu.tasks.signals import event_appended

        event_appended.connect(outbox.on_event_appended, dispatch_uid="exchange-outbox")
