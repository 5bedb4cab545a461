from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop, pgettext_lazy

from congvu.lib.choices import TranslatedChoices

_KIND_MARKS = (
    pgettext_lazy("nhật ký đăng nhập", "Đăng nhập"),
    pgettext_lazy("nhật ký đăng nhập", "Đăng xuất"),
)


class SignInRecord(TranslatedChoices):
    """Every sign-in, failed sign-in and sign-out, for security review (issue: audit of
    sign-ins). Written by signal handlers in congvu/ops/signals.py; never edited."""

    class Kind(models.TextChoices):
        SUCCESS = "success", gettext_noop("Đăng nhập")
        FAILURE = "failure", gettext_noop("Đăng nhập sai")
        LOGOUT = "logout", gettext_noop("Đăng xuất")
        DEVICE_ADDED = "totp_add", gettext_noop("Thêm thiết bị xác thực")
        DEVICE_RESET = "totp_reset", gettext_noop("Quản trị xóa thiết bị xác thực")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # "Đăng nhập"/"Đăng xuất" are also the buttons ("Sign in"); as what happened, their own
    # msgctxt (congvu.lib.choices); pgettext_lazy only marks the entries for makemessages.
    choice_contexts = {"kind": "nhật ký đăng nhập"}
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    # Who did it when it is not the account itself (an administrator's reset).
    by = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "nhật ký đăng nhập"
        verbose_name_plural = "nhật ký đăng nhập"
        indexes = [models.Index(fields=["username", "at"], name="signin_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%d/%m/%Y %H:%M}"
