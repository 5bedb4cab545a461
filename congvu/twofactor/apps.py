from __future__ import annotations

from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "congvu.twofactor"
    label = "twofactor"
    verbose_name = "Xác thực hai bước"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_remember_exemption, dispatch_uid="congvu-2fa-exempt")


def _remember_exemption(sender: object, request: object, user: object, **kwargs: object) -> None:
    from congvu.twofactor.middleware import EXEMPT_KEY, exempt_value
    from congvu.twofactor.policy import requires_second_factor

    session = getattr(request, "session", None)
    if session is not None and not requires_second_factor(user):  # type: ignore[arg-type]
        session[EXEMPT_KEY] = exempt_value(getattr(user, "pk", None))
