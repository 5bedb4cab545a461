from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y",
    attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
)


class AsOfForm(forms.Form):
    """?ngay=dd/mm/yyyy: read the effective-dated organisation as it was on a day."""

    ngay = forms.DateField(label=_("Xem theo ngày"), required=False, widget=DATE_WIDGET)

    def day(self, default: date) -> date:
        if self.is_valid() and self.cleaned_data["ngay"]:
            return self.cleaned_data["ngay"]  # type: ignore[no-any-return]
        return default


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Từ khóa"), max_length=200, required=False)


class AdjustmentForm(forms.Form):
    """A day off or make-up day; saving a day that already has a decision replaces it."""

    day = forms.DateField(label=_("Ngày"), widget=DATE_WIDGET)
    is_working_day = forms.BooleanField(
        label=_("Là ngày làm việc (làm bù)"),
        required=False,
        help_text=_("Đánh dấu nếu là ngày làm bù; bỏ đánh dấu nếu là ngày nghỉ."),
    )
    reason = forms.CharField(label=_("Lý do"), max_length=200)
    decision_ref = forms.CharField(
        label=_("Văn bản quyết định"),
        max_length=120,
        required=False,
        help_text=_("Ví dụ: 8726/VPCP-KGVX"),
    )
