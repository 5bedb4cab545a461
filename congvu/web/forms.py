from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from congvu.lib.choices import shown_choices
from congvu.org.models import Person, Unit
from congvu.tasks.models import Priority, Status

QS = TypeVar("QS", bound=QuerySet[Any])

DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y",
    attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
)


def required_date(label: StrOrPromise, missing: StrOrPromise) -> forms.DateField:
    """A date the person must give; `missing` says which one and how to write it."""
    return forms.DateField(label=label, widget=DATE_WIDGET, error_messages={"required": missing})


def picked(
    queryset: QuerySet[Any],
    label: StrOrPromise,
    *,
    required: bool = True,
    many: bool = False,
    error_messages: Mapping[str, StrOrPromise] | None = None,
) -> forms.ModelChoiceField[Any]:
    """A unit or a person chosen with the search-as-you-type picker (partials/picker.html): the
    page shows the picker, the form only reads the id(s) it posts in hidden inputs."""
    field: type[forms.ModelChoiceField[Any]] = (
        forms.ModelMultipleChoiceField if many else forms.ModelChoiceField
    )
    widget = forms.MultipleHiddenInput if many else forms.HiddenInput
    return field(
        queryset, label=label, required=required, widget=widget, error_messages=error_messages
    )


def filter_choice(
    label: StrOrPromise, choices: Sequence[tuple[Any, Any]], *, blank: StrOrPromise | None = None
) -> forms.ChoiceField:
    """A list filter: the blank first choice ("Tất cả" unless `blank` names it) filters nothing."""
    everything = _("Tất cả") if blank is None else blank
    return forms.ChoiceField(label=label, required=False, choices=[("", everything), *choices])


def filtered(rows: QS, data: Mapping[str, Any], lookups: Mapping[str, str]) -> QS:
    """A list's plain filters: each field the person filled in narrows `rows` by its lookup
    (`{"han_tu": "deadline__gte"}`); a field left blank narrows nothing."""
    for name, lookup in lookups.items():
        if data.get(name):
            rows = rows.filter(**{lookup: data[name]})
    return rows


def offer(form: forms.Form, field: str, rows: QuerySet[Any]) -> forms.ModelChoiceField[Any]:
    """Limit a picker to the rows this person may choose; any other posted value is invalid."""
    picker = form.fields[field]
    assert isinstance(picker, forms.ModelChoiceField)
    picker.queryset = rows
    return picker


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


class AssignForm(forms.Form):
    title = forms.CharField(label=_("Tên nhiệm vụ"), max_length=500)
    expected_result = forms.CharField(
        label=_("Kết quả cần đạt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    priority = forms.TypedChoiceField(
        label=_("Mức độ ưu tiên"),
        choices=shown_choices(Priority.choices),
        coerce=int,
        initial=Priority.NORMAL,
    )
    ad_hoc = forms.BooleanField(label=_("Giao trực tiếp, không có văn bản"), required=False)
    source_number = forms.CharField(
        label=_("Số, ký hiệu văn bản"),
        max_length=80,
        required=False,
        help_text=_("Ví dụ: 1713/UBND-NCKSTTHC"),
    )
    source_date = forms.DateField(label=_("Ngày văn bản"), required=False, widget=DATE_WIDGET)
    source_issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255, required=False)
    source_excerpt = forms.CharField(
        label=_("Trích yếu"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Not required here: without it the view takes the unit of the chosen person.
    lead_unit = picked(Unit.objects.all(), _("Đơn vị chủ trì"), required=False)
    lead_person = picked(Person.objects.active(), _("Người chủ trì"))
    coordinators = picked(Unit.objects.all(), _("Đơn vị phối hợp"), required=False, many=True)
    coord_text = forms.CharField(
        label=_("Nội dung đề nghị phối hợp"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    coord_days = forms.IntegerField(
        label=_("Hạn trả lời phối hợp (ngày làm việc)"),
        min_value=1,
        max_value=60,
        initial=5,
        required=False,
    )
    deadline_mode = forms.ChoiceField(
        label=_("Cách tính hạn"),
        choices=[("days", _("Số ngày làm việc")), ("date", _("Ngày cụ thể"))],
        initial="days",
        widget=forms.RadioSelect,
    )
    working_days = forms.IntegerField(
        label=_("Số ngày làm việc"),
        min_value=1,
        max_value=365,
        required=False,
        initial=10,
    )
    deadline = forms.DateField(label=_("Hạn xử lý"), required=False, widget=DATE_WIDGET)
    idem = forms.CharField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("deadline_mode") == "date" and not data.get("deadline"):
            self.add_error("deadline", _("Nhập hạn xử lý."))
        if data.get("deadline_mode") == "days" and not data.get("working_days"):
            self.add_error("working_days", _("Nhập số ngày làm việc."))
        if data.get("coordinators") and not (data.get("coord_text") or "").strip():
            self.add_error("coord_text", _("Nêu nội dung đề nghị các đơn vị phối hợp."))
        # Also checked by the action; here too so that it shows with the other errors.
        if not data.get("ad_hoc") and not (data.get("source_number") or "").strip():
            self.add_error(
                "source_number",
                _("Nêu số, ký hiệu văn bản chỉ đạo hoặc đánh dấu giao trực tiếp."),
            )
        return data


class AttachForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp"), help_text=_("PDF, ảnh, Word, Excel, ODF hoặc văn bản; tối đa 20 MB.")
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)


class TaskFilterForm(forms.Form):
    """The task list's filters and sort (GET); the export reads the same form."""

    SORTS = {
        "moi": ("-assigned_at", "-pk"),
        "han": ("deadline", "pk"),
        "uu_tien": ("-priority", "deadline", "pk"),
        "cap_nhat": ("-last_event_at", "-pk"),
    }

    tu_khoa = forms.CharField(label=_("Từ khóa"), max_length=200, required=False)
    trang_thai = filter_choice(
        _("Trạng thái"),
        [("mo", _("Chưa kết thúc")), *((v, _(label)) for v, label in Status.choices)],
    )
    don_vi = picked(Unit.objects.all(), _("Đơn vị chủ trì (cả đơn vị trực thuộc)"), required=False)
    nguoi = picked(Person.objects.all(), _("Người chủ trì"), required=False)
    han_tu = forms.DateField(label=_("Hạn từ ngày"), required=False, widget=DATE_WIDGET)
    han_den = forms.DateField(label=_("Hạn đến ngày"), required=False, widget=DATE_WIDGET)
    van_ban = forms.CharField(label=_("Số, ký hiệu văn bản chỉ đạo"), max_length=80, required=False)
    qua_han = forms.BooleanField(label=_("Chỉ nhiệm vụ quá hạn"), required=False)
    co_phat_hien = forms.BooleanField(label=_("Chỉ nhiệm vụ có phát hiện"), required=False)
    sap_xep = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            ("moi", _("Mới giao trước")),
            ("han", _("Gần hạn trước")),
            ("uu_tien", _("Khẩn trước")),
            ("cap_nhat", _("Mới cập nhật trước")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("han_tu"), data.get("han_den")
        if start and end and start > end:
            self.add_error("han_den", _("Ngày cuối phải sau ngày đầu của khoảng hạn."))
        return data

    def ordering(self) -> tuple[str, ...]:
        key = (self.cleaned_data.get("sap_xep") if self.is_valid() else "") or "moi"
        return self.SORTS[key]
