from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from congvu.workdays.models import CalendarAdjustment

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


class AdjustmentForm(forms.ModelForm):  # type: ignore[type-arg]
    day = forms.DateField(label=_("Ngày"), widget=DATE_WIDGET)

    class Meta:
        model = CalendarAdjustment
        fields = ["day", "is_working_day", "reason", "decision_ref"]
        labels = {
            "is_working_day": _("Là ngày làm việc (làm bù)"),
            "reason": _("Lý do"),
            "decision_ref": _("Văn bản quyết định"),
        }
        help_texts = {
            "is_working_day": _("Đánh dấu nếu là ngày làm bù; bỏ đánh dấu nếu là ngày nghỉ."),
            "decision_ref": _("Ví dụ: 8726/VPCP-KGVX"),
        }
