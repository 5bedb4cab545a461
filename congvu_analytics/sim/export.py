"""The test province as a foreign export: what a province would hand its data officer.

``write_export(province, directory)`` writes ``events.csv.gz``, ``units.csv``, ``people.csv``
and ``README.txt`` (the column descriptions, in Vietnamese, as a province would write them).
The log speaks the source's language: Vietnamese action labels, the source's own reason codes,
local date-time strings, tiers numbered from the top. It has none of the facts only Công Vụ's
app records (``reviewed``, ``ref_event_id``, ``within_authority``, holders): those facts appear
only as later events, as in a real province's system:

- a pause's review is the superior's "Cho ý kiến" on the case with code ``xac_nhan_vuong_mac``
  (obstacle confirmed) or ``khong_xac_nhan`` (reason not accepted);
- the answer to an opinion request is "Cho ý kiến" with ``thuoc_tham_quyen`` (the matter was the
  asker's to decide) or ``ngoai_tham_quyen`` (rightly brought up);
- a coordination answer is "Trả lời phối hợp" from the requested unit, with nothing linking it
  to its request but the case and the units.

Nothing is half-written: the files go to a temporary directory beside the target, which is
renamed into place at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import polars as pl

from congvu_analytics.sim import Province
from congvu_analytics.sim._tasks import ACTS, REASONS

# The app's labels, except the pause review, which the source records as a superior's answer.
LABELS = dict(ACTS)
LABELS["other"] = "Cho ý kiến"
POSITION_TO_SOURCE = {"agree": "dong_y", "disagree": "khong_dong_y", "none": "khong_ro"}
POSITION_TITLES = {
    "chu_tich": "Chủ tịch UBND tỉnh",
    "pho_chu_tich": "Phó Chủ tịch UBND tỉnh",
    "giam_doc": "Giám đốc",
    "pho_giam_doc": "Phó Giám đốc",
    "chu_tich_xa": "Chủ tịch UBND xã",
    "pho_chu_tich_xa": "Phó Chủ tịch UBND xã",
    "truong_phong": "Trưởng phòng",
    "pho_truong_phong": "Phó Trưởng phòng",
    "chuyen_vien": "Chuyên viên",
}
UNIT_TYPE_TITLES = {
    "ubnd_tinh": "UBND tỉnh",
    "so": "Sở, ban, ngành",
    "xa": "UBND xã",
    "phuong": "UBND phường",
    "phong": "Phòng chuyên môn",
}
# The source numbers tiers from the top (1 = province); the schema's level grows upward.
SOURCE_TIER = {3: 1, 2: 2, 1: 3}

README = """\
DỮ LIỆU XUẤT TỪ HỆ THỐNG QUẢN LÝ NHIỆM VỤ — TỈNH (bản xuất phục vụ phân tích)

Tệp events.csv.gz — nhật ký xử lý nhiệm vụ, mỗi dòng một thao tác (UTF-8, dấu phẩy, có dòng tiêu đề)
  ma_thao_tac      số thứ tự của thao tác trong bản xuất (duy nhất)
  ma_nhiem_vu      mã nhiệm vụ (hồ sơ công việc)
  thao_tac         tên thao tác: Giao việc, Tiếp nhận, Từ chối, Chuyển xử lý, Trả lại, Giao lại,
                   Báo cáo tiến độ, Đề nghị phối hợp, Trả lời phối hợp, Coi như đồng ý,
                   Xin gia hạn, Đồng ý gia hạn, Không đồng ý gia hạn, Tạm dừng, Tiếp tục,
                   Xin ý kiến, Cho ý kiến, Trình duyệt, Phê duyệt, Yêu cầu làm lại, Hoàn thành,
                   Hủy, Đôn đốc
  thoi_gian        ngày giờ thực hiện, giờ Việt Nam, dạng dd/mm/yyyy HH:MM:SS
  nguoi_thuc_hien  mã cán bộ thực hiện thao tác (trống: hệ thống tự ghi, ví dụ Coi như đồng ý)
  don_vi_thuc_hien mã đơn vị của người thực hiện
  nguoi_nhan       mã cán bộ được giao, được chuyển, được hỏi ý kiến hoặc được trả lời
  don_vi_nhan      mã đơn vị được giao, được chuyển, được đề nghị phối hợp; với Từ chối: đơn vị
                   được đề xuất là có thẩm quyền
  ma_ly_do         mã lý do (bảng dưới)
  noi_dung         lý do, ý kiến do người thực hiện ghi (văn bản tự do)
  han_xu_ly        hạn xử lý mới, hết ngày hạn, dạng dd/mm/yyyy 23:59:59 (Giao việc, Giao lại, Chuyển xử lý, Đồng ý gia
                   hạn; với Đề nghị phối hợp: hạn trả lời)
  y_kien           ý kiến của đơn vị phối hợp khi Trả lời phối hợp: dong_y (đồng ý),
                   khong_dong_y (không đồng ý), khong_ro (không nêu rõ quan điểm)
  ma_sang_kien     số đề xuất đổi mới sáng tạo đã được phê duyệt (Nghị định 73/2023/NĐ-CP) mà
                   nhiệm vụ thuộc về; trống nếu không thuộc đề xuất nào

Mã lý do (ma_ly_do)
  sai_tham_quyen              nhiệm vụ giao nhầm đơn vị, không thuộc thẩm quyền (Từ chối, Chuyển xử lý)
  khong_thuoc_chuc_nang       không thuộc chức năng, nhiệm vụ của đơn vị/cá nhân
  qua_tai                     quá tải công việc
  vuong_mac_phap_ly           vướng mắc về quy định pháp luật (Tạm dừng, Xin gia hạn)
  cho_phoi_hop                chờ cơ quan, đơn vị khác
  cho_ho_so_bo_sung           chờ tổ chức, cá nhân bổ sung hồ sơ
  khac                        lý do khác
  de_nghi_cap_tren_quyet_dinh đề nghị cấp trên quyết định (Trả lại)
  xin_huong_dan               xin hướng dẫn nghiệp vụ (Xin ý kiến)
  xac_nhan_vuong_mac          cấp trên xác nhận lý do tạm dừng là đúng (Cho ý kiến sau Tạm dừng)
  khong_xac_nhan              cấp trên không chấp nhận lý do tạm dừng (Cho ý kiến sau Tạm dừng)
  thuoc_tham_quyen            cấp trên trả lời: việc thuộc thẩm quyền của người hỏi (Cho ý kiến)
  ngoai_tham_quyen            cấp trên trả lời: việc vượt thẩm quyền, cấp trên cho ý kiến chỉ đạo
  thu_nghiem_khong_dat        hủy vì thử nghiệm đổi mới không đạt kết quả
  khong_con_can_thiet         hủy vì nhiệm vụ không còn cần thiết

Ghi chú: Cho ý kiến của cấp trên không ghi kèm mã của Xin ý kiến hay Tạm dừng mà nó trả lời; Trả
lời phối hợp không ghi kèm mã Đề nghị phối hợp; đối chiếu theo mã nhiệm vụ, đơn vị và thời gian.
Quá hạn trả lời phối hợp, hệ thống ghi Coi như đồng ý (Công điện 280/CĐ-TTg).

Tệp units.csv — đơn vị
  ma_don_vi        mã đơn vị (như trong nhật ký)
  ten_don_vi       tên đơn vị
  loai_don_vi      UBND tỉnh; Sở, ban, ngành; UBND xã; UBND phường; Phòng chuyên môn
  ma_don_vi_cap_tren mã đơn vị cấp trên trực tiếp (trống với UBND tỉnh)
  nguoi_dung_dau   mã cán bộ đứng đầu đơn vị
  cap              cấp, đánh số từ trên xuống: 1 = tỉnh; 2 = sở, ban, ngành và xã, phường;
                   3 = phòng chuyên môn

Tệp people.csv — cán bộ, công chức
  ma_can_bo        mã cán bộ (như trong nhật ký)
  ho_ten           họ và tên
  ma_don_vi        mã đơn vị công tác
  chuc_vu          chức vụ: Chủ tịch UBND tỉnh, Phó Chủ tịch UBND tỉnh, Giám đốc, Phó Giám đốc,
                   Chủ tịch UBND xã, Phó Chủ tịch UBND xã, Trưởng phòng, Phó Trưởng phòng,
                   Chuyên viên
  ngay_nhan_nhiem_vu ngày bắt đầu giữ vị trí hiện tại, dạng dd/mm/yyyy
"""

_LOCAL = "Asia/Ho_Chi_Minh"

# The reorganisation's source code, listed only when the province has one (the default
# export stays as it was, byte for byte).
_REORG_LINE = (
    "  sap_xep_to_chuc             chuyển do sắp xếp tổ chức bộ máy (đơn vị giải thể, sáp nhập)\n"
)


def readme(province: Province) -> str:
    """README.txt of the export."""
    if province.config.reorganized <= 0:
        return README
    anchor = "  khong_con_can_thiet         hủy vì nhiệm vụ không còn cần thiết\n"
    return README.replace(anchor, anchor + _REORG_LINE)


def events_export(province: Province) -> pl.DataFrame:
    """The foreign events table (strings only), in case and time order."""
    e = province.events.lazy()
    act = pl.col("activity")
    # The app keeps the text the person wrote; the source system keeps its own code for it.
    source = {text: code for _, code, text in REASONS}
    innovation = (
        pl.when(pl.col("protected").fill_null(False))
        .then(pl.lit("DX-") + pl.col("_lead"))
        .otherwise(None)
    )
    local_time = pl.col("timestamp").dt.convert_time_zone(_LOCAL)
    return (
        e.with_columns(
            pl.col("actor").filter(act == "accept").last().over("case_id").alias("_lead"),
        )
        .select(
            (pl.int_range(pl.len()) + 1).cast(pl.String).alias("ma_thao_tac"),
            pl.col("case_id").alias("ma_nhiem_vu"),
            act.replace_strict(LABELS, return_dtype=pl.String).alias("thao_tac"),
            local_time.dt.strftime("%d/%m/%Y %H:%M:%S").alias("thoi_gian"),
            pl.col("actor").alias("nguoi_thuc_hien"),
            pl.col("unit").alias("don_vi_thuc_hien"),
            pl.col("target_actor").alias("nguoi_nhan"),
            pl.col("target_unit").alias("don_vi_nhan"),
            pl.col("reason_text")
            .replace_strict(source, default=None, return_dtype=pl.String)
            .alias("ma_ly_do"),
            pl.col("reason_text").alias("noi_dung"),
            pl.col("due")
            .dt.convert_time_zone(_LOCAL)
            .dt.strftime("%d/%m/%Y %H:%M:%S")
            .alias("han_xu_ly"),
            pl.col("position")
            .replace_strict(POSITION_TO_SOURCE, default=None, return_dtype=pl.String)
            .alias("y_kien"),
            innovation.alias("ma_sang_kien"),
        )
        .collect()
    )


def units_export(province: Province) -> pl.DataFrame:
    return province.org.units.select(
        pl.col("unit").alias("ma_don_vi"),
        pl.col("name").alias("ten_don_vi"),
        pl.col("type")
        .replace_strict(UNIT_TYPE_TITLES, return_dtype=pl.String)
        .alias("loai_don_vi"),
        pl.col("parent").alias("ma_don_vi_cap_tren"),
        pl.col("head").alias("nguoi_dung_dau"),
        pl.col("level").replace_strict(SOURCE_TIER, return_dtype=pl.Int8).alias("cap"),
    )


def people_export(province: Province) -> pl.DataFrame:
    return province.org.people.select(
        pl.col("person").alias("ma_can_bo"),
        pl.col("name").alias("ho_ten"),
        pl.col("unit").alias("ma_don_vi"),
        pl.col("position").replace_strict(POSITION_TITLES, return_dtype=pl.String).alias("chuc_vu"),
        pl.col("start_date").dt.strftime("%d/%m/%Y").alias("ngay_nhan_nhiem_vu"),
    )


def write_export(province: Province, directory: str | os.PathLike[str]) -> Path:
    """Write the export into ``directory`` (created; an existing one is replaced whole)."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the export is for others to read
    try:
        events_export(province).write_csv(
            tmp / "events.csv.gz", compression="gzip", compression_level=5
        )
        units_export(province).write_csv(tmp / "units.csv")
        people_export(province).write_csv(tmp / "people.csv")
        (tmp / "README.txt").write_text(readme(province), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
