"""Detection of buck-passing, avoidance, stalling and fear of responsibility.

:func:`run_all` runs every detector on a canonical event log and returns findings (evidence for
human review, never a verdict), per-person and per-unit metrics and the hand-over network.
See docs/detection.md for the definitions, the parameters and the fairness rules.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from congvu_analytics.custody import log_facts
from congvu_analytics.detect import avoidance, buck_passing, fear, stalling
from congvu_analytics.detect._common import (
    CASE_IDS,
    DECIDER,
    DECISIONS,
    EVIDENCE,
    HANDLER,
    HEAVY,
    ITEM_ID,
    LEVELS,
    MAIN_UNIT,
    N_VALUES,
    NEW_STAFF,
    OBS_SCHEMA,
    SUBJECT_ID,
    SUBJECT_TYPE,
    VALUE,
    WEIGHT,
    as_obs,
    decide_reorganizations,
    hit_ids,
    observe,
    org_reorganizations,
    peer_groups_from,
    prepare,
    rates,
    reorg_counts,
    subject_counts,
    unit_last_days,
    with_value_counts,
    without_ids,
    workload,
)
from congvu_analytics.detect.handover import HANDOVER_SCHEMA, handover_network
from congvu_analytics.detect.params import DetectionParams
from congvu_analytics.detect.score import COMPONENT, evidence, judge
from congvu_analytics.org import UNIT_ID, UNIT_LEVEL, Org
from congvu_analytics.schema import (
    ACTIVITY,
    ACTOR,
    CASE_ID,
    HOLDER_ACTOR,
    HOLDER_UNIT,
    TARGET_ACTOR,
    TARGET_UNIT,
    TIMESTAMP,
    conform,
)
from congvu_analytics.workdays import WorkCalendar

__all__ = [
    "DETECTOR_LABELS",
    "FINDING_SCHEMA",
    "DetectionParams",
    "DetectionResult",
    "Detector",
    "group_label",
    "run_all",
]

KEYS = [SUBJECT_TYPE, SUBJECT_ID]
Observe = Callable[[pl.LazyFrame, DetectionParams, WorkCalendar], pl.LazyFrame]

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "finding_id": pl.String(),
    SUBJECT_TYPE: pl.String(),
    SUBJECT_ID: pl.String(),
    "behaviour": pl.String(),
    "detector": pl.String(),
    "strength": pl.Float64(),
    "rate": pl.Float64(),
    "peer_rate": pl.Float64(),
    "n": pl.UInt32(),
    EVIDENCE: pl.List(pl.String()),
    CASE_IDS: pl.List(pl.String()),
    "sentence": pl.String(),
    # The combined evidence for the behaviour (docs/detection.md, "Fairness").
    "score": pl.Float64(),
    "p_value": pl.Float64(),
    "q_value": pl.Float64(),
    "peer_group": pl.String(),
    "unit_rate": pl.Float64(),
    "detectors": pl.List(pl.String()),
    "components": pl.List(COMPONENT),
}


@dataclass(frozen=True)
class Detector:
    """One detector: its name, the behaviour it evidences, how it observes, how it speaks.

    ``sentence`` is a template with the fields {label} {id} {k} {n} {rate} {peers} {peer}.
    ``metric`` names the rate column in the metrics tables. ``values``: what its per-item
    values are where the metrics report them (:func:`_metric_columns`), which decides how the
    per-case phase keeps them (:func:`compact_observations`): :data:`DAYS` (whole working days:
    counts per subject and value), :data:`FRACTIONS` (pause shares: item by item, because their
    sum, hence their mean, depends on the order they are added in), or None (not reported:
    dropped, the rows count only as workload). ``parts``: for a combined detector
    (:func:`_combined`), the detectors whose observations it unites.
    """

    name: str
    behaviour: str
    observe: Observe
    sentence: str
    metric: str
    values: str | None = None
    parts: tuple[str, ...] = ()


@dataclass
class DetectionResult:
    """Everything :func:`run_all` produces, as eager polars DataFrames."""

    findings: pl.DataFrame
    person_metrics: pl.DataFrame
    unit_metrics: pl.DataFrame
    handover: pl.DataFrame
    # (detector, subject_type, observed, judged, hits): see :func:`_assessed`.
    assessed: pl.DataFrame = field(default_factory=pl.DataFrame)


_PEERS = "{peers}."
DAYS = "days"  # per-item values that are whole working days (Detector.values)
FRACTIONS = "fractions"  # per-item values that are fractions


def _plain(fn: Callable[[pl.LazyFrame, DetectionParams], pl.LazyFrame]) -> Observe:
    def run(
        prepared: pl.LazyFrame, params: DetectionParams, calendar: WorkCalendar
    ) -> pl.LazyFrame:
        del calendar
        return fn(prepared, params)

    return run


def _reports_words(most: int) -> str:
    """'no progress report' or 'at most N progress reports', as the threshold in force says."""
    if most <= 0:
        return "không có báo cáo tiến độ nào"
    return f"chỉ có tối đa {most} báo cáo tiến độ"


def detectors(params: DetectionParams) -> list[Detector]:
    """The detector suite, with sentences that quote the thresholds in force, and for each
    behaviour its combined detector (:func:`_combined`)."""
    single = _single_detectors(params)
    return [*single, *_combined(single)]


def _single_detectors(params: DetectionParams) -> list[Detector]:
    p = params
    return [
        Detector("ping_pong", "buck_passing", _plain(buck_passing.ping_pong),
                 "{label} {id} có {k}/{n} nhiệm vụ ({rate}%) bị chuyển qua rồi trả lại giữa hai nơi"
                 " (A→B→A) mà rốt cuộc vẫn do chính mình xử lý" + _PEERS, "ping_pong_rate"),
        Detector("long_chain", "buck_passing", _plain(buck_passing.long_chain),
                 "{label} {id} đã chuyển tiếp {k}/{n} nhiệm vụ ({rate}%) trong chuỗi chuyển xử lý"
                 f" qua từ {p.long_chain_holders} đầu mối trở lên" + _PEERS, "long_chain_rate"),
        Detector("transfer_rate", "buck_passing", _plain(buck_passing.transfers),
                 "{label} {id} đã chuyển xử lý sang nơi khác {k}/{n} nhiệm vụ đã nhận ({rate}%,"
                 " không tính chuyển đúng thẩm quyền đã được bên nhận tiếp nhận)" + _PEERS,
                 "transfer_rate"),
        Detector("return_rate", "buck_passing", _plain(buck_passing.returns),
                 "{label} {id} đã trả lại cho người giao việc {k}/{n} nhiệm vụ ({rate}%)" + _PEERS,
                 "return_rate"),
        Detector("decline_rate", "avoidance", _plain(avoidance.declines),
                 "{label} {id} đã từ chối {k}/{n} nhiệm vụ được giao ({rate}%, không tính từ chối"
                 " vì sai thẩm quyền đã được đơn vị có thẩm quyền tiếp nhận)" + _PEERS,
                 "decline_rate"),
        Detector("coordination", "avoidance", avoidance.coordination,
                 "{label} {id} không trả lời đúng hạn (quá hạn được coi là đồng ý và chịu trách"
                 " nhiệm theo Công điện 280/CĐ-TTg) hoặc trả lời không rõ quan điểm ở {k}/{n} yêu"
                 " cầu phối hợp ({rate}%)" + _PEERS, "coordination_failure_rate"),
        Detector("unaccepted", "avoidance", _plain(avoidance.unaccepted),
                 f"{{label}} {{id}} để quá {p.accept_days} ngày làm việc không tiếp nhận"
                 " {k}/{n} nhiệm vụ được giao ({rate}%)" + _PEERS, "unaccepted_rate"),
        Detector("idle_custody", "stalling", _plain(stalling.idle),
                 f"{{label}} {{id}} giữ {{k}}/{{n}} nhiệm vụ ({{rate}}%) có quãng từ {p.idle_days}"
                 " ngày làm việc trở lên không có hoạt động nào (không tính thời gian chờ đơn vị"
                 " phối hợp, chờ duyệt hoặc tạm dừng)" + _PEERS, "idle_rate", values=DAYS),
        Detector("hidden_waiting", "stalling", _plain(stalling.hidden_wait),
                 "{label} {id} tạm dừng không có lý do được chấp nhận, chiếm trên"
                 f" {round(p.pause_share * 100)}% thời gian xử lý, ở {{k}}/{{n}} nhiệm vụ"
                 " ({rate}%)" + _PEERS, "hidden_waiting_rate", values=FRACTIONS),
        Detector("repeated_extensions", "stalling", _plain(stalling.extensions),
                 f"{{label}} {{id}} xin gia hạn từ {p.repeated_extensions} lần trở lên ở"
                 " {k}/{n} nhiệm vụ ({rate}%)" + _PEERS, "repeated_extension_rate"),
        Detector("late_completion", "stalling", stalling.late,
                 "{label} {id} hoàn thành trễ hạn hoặc đang quá hạn {k}/{n} nhiệm vụ có hạn"
                 " ({rate}%), sau khi đã trừ thời gian chờ đơn vị phối hợp và tạm dừng vì vướng"
                 " mắc đã được xem xét" + _PEERS, "late_rate"),
        Detector("no_progress", "stalling", stalling.no_progress,
                 f"{{label}} {{id}} để {{k}}/{{n}} nhiệm vụ ({{rate}}%) kéo dài từ {p.silent_days}"
                 " ngày làm việc trở lên (không tính thời gian chờ đơn vị phối hợp và tạm dừng"
                 " vì vướng mắc đã được xem xét) mà " + _reports_words(p.silent_reports)
                 + _PEERS, "no_progress_rate"),
        Detector("overdue_silent", "stalling", stalling.overdue_silent,
                 "{label} {id} để {k}/{n} nhiệm vụ có hạn ({rate}%) quá hạn mà không có báo cáo"
                 " tiến độ nào" + _PEERS, "overdue_silent_rate"),
        Detector("slow_decision", "stalling", _plain(stalling.slow_decisions),
                 f"{{label}} {{id}} để người khác chờ từ {p.decision_days} ngày làm việc trở lên"
                 " ở {k}/{n} lượt quyết định của mình (duyệt kết quả, cho ý kiến, gia hạn)"
                 " ({rate}%)" + _PEERS, "slow_decision_rate"),
        Detector("slow_cascade", "stalling", _plain(stalling.slow_cascades),
                 f"{{label}} {{id}} giữ từ {p.decision_days} ngày làm việc trở lên sau khi tiếp"
                 " nhận rồi mới phân công cho người trong đơn vị ở {k}/{n} lượt phân công"
                 " ({rate}%)" + _PEERS, "slow_cascade_rate"),
        Detector("opinion_within_authority", "fear_of_responsibility", _plain(fear.opinions),
                 "{label} {id} xin ý kiến cấp trên ở {k}/{n} nhiệm vụ ({rate}%) về việc thuộc"
                 " thẩm quyền của mình hoặc chưa xác định là ngoài thẩm quyền" + _PEERS,
                 "opinion_rate"),
        Detector("push_upward", "fear_of_responsibility", _plain(fear.push_up),
                 "{label} {id} đẩy {k}/{n} nhiệm vụ ({rate}%) lên cấp trên (chuyển hoặc trả lại"
                 " cho cấp trên hoặc người giao việc) thay vì tự quyết định" + _PEERS,
                 "push_up_rate"),
    ]  # fmt: skip


# What the items of each behaviour's combined detector are, and what one shows, in the
# finding's words. Stalling has none: its detectors count different workloads (a head holds
# every case of the division but is the last holder of few), so their union would mix a head's
# cases into the division level that its members are judged against (measured: no gain on the
# tuning seeds either).
_ANY_WORDS = {
    "buck_passing": (
        "nhiệm vụ",
        "có dấu hiệu đùn đẩy (chuyển sang nơi khác, trả lại người giao việc, bị chuyển qua lại"
        " hoặc qua nhiều đầu mối)",
    ),
    "avoidance": (
        "nhiệm vụ và yêu cầu phối hợp được giao",
        "có dấu hiệu né tránh (từ chối, chậm tiếp nhận, hoặc không trả lời phối hợp đúng hạn"
        " với quan điểm rõ ràng)",
    ),
    "fear_of_responsibility": (
        "nhiệm vụ",
        "có dấu hiệu sợ trách nhiệm (xin ý kiến cấp trên về việc thuộc thẩm quyền hoặc đẩy việc"
        " lên cấp trên)",
    ),
}
# Detectors whose items are not the cases a subject held (decisions on others' work): they
# stay tests of their own.
_NOT_CASES = ("slow_decision", "slow_cascade")
# Detectors whose items are asked of the subject beside the cases they held: a coordination
# request to answer is work asked of them as an assigned task is, and an avoider lets both
# lapse. Their items ADD to the union's workload (cases + requests) rather than being the
# same cases again. A specialist is asked to coordinate a handful of times a year, too few
# for the coordination test alone (``min_cases``); together with their declines and late
# acceptances the sightings add up (measured: docs/detection.md, "Coordination requests in
# avoidance's union"). The union of a broad detector is broad too (``broad_detectors``).
_ASKED = ("coordination",)
# Detectors that add evidence to their behaviour's test but never make a finding alone.
# Lateness is an outcome with many causes — a heavy caseload, slow approvals, a task harder
# than its deadline, waits the log does not show — and is judged as such by the evaluation
# (on-time completion under ND 335); what makes it stalling (làm việc cầm chừng) is how the
# time was spent: idle custody, unexplained pauses, no reports, repeated extensions, a case
# sat on. Measured: on the large tuning province one-detector `late_completion` findings were
# 0 right of 10 (docs/detection.md, "Lateness: on the cases that reached the holder in time,
# and never alone").
SUPPORTING = ("late_completion",)
ANY = "any_"  # prefix of a combined detector's name


def _combined(single: list[Detector]) -> list[Detector]:
    """One more detector per behaviour: the cases a subject held that show ANY of the
    behaviour's case detectors (each case counted once), and for avoidance the coordination
    requests they let lapse, each request one more item (:data:`_ASKED`).

    A mild offender's few sightings are often spread over several detectors (a transfer
    here, a return there) and none of them reaches two hits on its own; the union sees them
    together against the peers' union rate, with the same baseline, overdispersion and floor
    as every detector.
    """
    out = []
    for behaviour, (items, words) in _ANY_WORDS.items():
        parts = [d for d in single if d.behaviour == behaviour and d.name not in _NOT_CASES]
        out.append(
            Detector(
                ANY + behaviour,
                behaviour,
                _union([d.observe for d in parts], [d.name in _ASKED for d in parts]),
                "{label} {id} có {k}/{n} " + items + " ({rate}%) " + words + _PEERS,
                f"{behaviour}_case_rate",
                parts=tuple(d.name for d in parts),
            )
        )
    return out


def _union(parts: list[Observe], asked: list[bool]) -> Observe:
    def run(
        prepared: pl.LazyFrame, params: DetectionParams, calendar: WorkCalendar
    ) -> pl.LazyFrame:
        return union_of([part(prepared, params, calendar) for part in parts], asked)

    return run


def union_of(observed: list[pl.LazyFrame], asked: Sequence[bool] = ()) -> pl.LazyFrame:
    """A combined detector's observations from its parts' (:func:`_combined`); ``asked`` says
    which parts count items of their own beside the cases (:data:`_ASKED`)."""
    asked = list(asked) or [False] * len(observed)
    frames = [
        as_obs(obs).with_columns(pl.lit(i).alias("_part"), pl.lit(a).alias("_asked"))
        for i, (obs, a) in enumerate(zip(observed, asked, strict=True))
    ]
    rows = pl.concat(frames)
    # The workload: the largest of the case parts' (all count cases held, some leave out
    # protected cases or cases without a deadline), plus the items asked of the subject.
    asked_part = pl.col("_asked")
    counts = (
        rows.group_by(*KEYS, "_part", "_asked")
        .agg(pl.col(WEIGHT).sum())
        .group_by(KEYS)
        .agg(
            pl.col(WEIGHT).filter(~asked_part).max().fill_null(0)
            + pl.col(WEIGHT).filter(asked_part).sum()
        )
    )
    # A case counts once whichever case parts saw it; an asked item (a request) is its own
    # item, apart from the case it was asked on.
    hits = rows.filter(pl.col(EVIDENCE).is_not_null()).select(
        *KEYS,
        pl.when(asked_part)
        .then(pl.lit("~") + pl.col(ITEM_ID))
        .otherwise(pl.col(CASE_ID))
        .alias(ITEM_ID),
        CASE_ID,
        EVIDENCE,
    )
    return observe(counts, hits)


def gettext_noop(text: str) -> str:
    """Marks a Vietnamese label for the web app's English catalogue (Django's makemessages
    extracts calls by this name); the analytics package itself never translates."""
    return text


_GROUP_WORDS = {
    "*": "",
    "so": gettext_noop("cấp sở"),
    "phong": gettext_noop("cấp phòng"),
    "xa": gettext_noop("cấp xã"),
    "ubnd_tinh": gettext_noop("UBND tỉnh"),
    "ban": gettext_noop("cấp ban"),
    DECIDER: gettext_noop("lãnh đạo"),
    HANDLER: gettext_noop("chuyên viên"),
    "chuyen_vien": gettext_noop("chuyên viên"),
    "truong_phong": gettext_noop("trưởng phòng"),
    "pho_truong_phong": gettext_noop("phó trưởng phòng"),
    "giam_doc": gettext_noop("giám đốc"),
    "pho_giam_doc": gettext_noop("phó giám đốc"),
    "chu_tich": gettext_noop("chủ tịch"),
    "pho_chu_tich": gettext_noop("phó chủ tịch"),
    "cong_chuc": gettext_noop("công chức"),
    # The web app's three posts (congvu.detection.actions.POSITIONS).
    "nguoi_dung_dau": gettext_noop("người đứng đầu"),
    "cap_pho": gettext_noop("cấp phó"),
}


# Each detector's name in plain Vietnamese, for the finding page's table of components.
DETECTOR_LABELS = {
    "ping_pong": gettext_noop("Chuyển qua rồi bị trả lại (A→B→A)"),
    "long_chain": gettext_noop("Chuyển qua nhiều đầu mối"),
    "transfer_rate": gettext_noop("Chuyển xử lý sang nơi khác"),
    "return_rate": gettext_noop("Trả lại người giao việc"),
    "decline_rate": gettext_noop("Từ chối nhiệm vụ"),
    "coordination": gettext_noop("Không trả lời phối hợp đúng hạn, rõ quan điểm"),
    "unaccepted": gettext_noop("Chậm tiếp nhận"),
    "idle_custody": gettext_noop("Giữ nhiệm vụ không hoạt động"),
    "hidden_waiting": gettext_noop("Tạm dừng không có lý do được chấp nhận"),
    "repeated_extensions": gettext_noop("Xin gia hạn nhiều lần"),
    "late_completion": gettext_noop("Trễ hạn"),
    "slow_decision": gettext_noop("Chậm quyết định (duyệt, cho ý kiến, gia hạn)"),
    "slow_cascade": gettext_noop("Chậm phân công trong đơn vị"),
    "no_progress": gettext_noop("Không hoặc hầu như không báo cáo tiến độ"),
    "overdue_silent": gettext_noop("Quá hạn không báo cáo tiến độ"),
    "opinion_within_authority": gettext_noop("Xin ý kiến việc thuộc thẩm quyền"),
    "push_upward": gettext_noop("Đẩy việc lên cấp trên"),
    ANY + "buck_passing": gettext_noop("Nhiệm vụ có dấu hiệu đùn đẩy (gộp)"),
    ANY + "avoidance": gettext_noop("Nhiệm vụ, yêu cầu phối hợp có dấu hiệu né tránh (gộp)"),
    ANY + "fear_of_responsibility": gettext_noop("Nhiệm vụ có dấu hiệu sợ trách nhiệm (gộp)"),
}


def group_label(group: str, say: Callable[[str], str] = str) -> str:
    """A peer group code ("chuyen_vien@phong/moi") in words ("chuyên viên cấp phòng, mới").

    ``say`` translates each word (the web app passes its ``gettext``); unknown codes stay as
    the log spells them."""
    base, *flags = group.split("/")
    words = [_word(part, say) for part in base.split("@")]
    text = " ".join(w for w in words if w)
    if NEW_STAFF in flags:
        text += say(gettext_noop(", mới nhận nhiệm vụ"))
    if HEAVY in flags:
        text += say(gettext_noop(", khối lượng việc lớn"))
    return text


def _word(code: str, say: Callable[[str], str]) -> str:
    word = _GROUP_WORDS.get(code)
    if word is None:
        return code  # a position or unit type of the province's own, as its tables spell it
    return say(word) if word else ""


def _pct(value: float | None) -> str:
    """A rate as the sentence says it: whole percent, but a rare rate below 1% keeps one
    significant digit with the Vietnamese decimal comma ("0,3%"): "0%" beside the finding
    page's "0,3 %" told the person their peers never did what they do rarely."""
    if value is None:
        return "?"
    percent = value * 100
    if percent > 0 and round(percent) == 0:
        return f"{percent:.1g}".replace(".", ",")
    return str(round(percent))


def _judged_level(detail: dict[str, Any]) -> float | None:
    """The peers' level a finding quotes: the one its baseline was built on (clusters far above
    the group left out), else the plain rate of the other members."""
    level: float | None = detail.get("peer_level")
    plain: float | None = detail["peer_rate"]
    return plain if level is None else level


# Quote the plain rate of all peers beside the level judged against when it is this many times
# higher: a few divisions far above the rest raise it, and the sentence must not leave a
# reader comparing the person with a level they were not judged against.
_PLAIN_SHOWN = 1.5


def _peers_clause(row: dict[str, Any], comp: dict[str, Any]) -> str:
    person = row[SUBJECT_TYPE] == "person"
    who = "cán bộ" if person else "đơn vị"
    label = group_label(row["peer_group"] or "*")
    group = f" ({label})" if label else ""
    level, plain = comp["peer_rate"], comp.get("all_peers")
    text = f", trong khi các {who} cùng nhóm{group} là {_pct(level)}%"
    raised = level is not None and plain is not None and plain >= _PLAIN_SHOWN * level
    if raised and _pct(plain) != _pct(level):
        text += f" (không tính các đơn vị có mức cao bất thường; tính cả là {_pct(plain)}%)"
    unit_rate = comp.get("unit_rate")
    if person and unit_rate is not None and unit_rate > (comp["peer_rate"] or 0.0):
        text += f" và các đồng nghiệp cùng đơn vị {row[MAIN_UNIT]} là {_pct(unit_rate)}%"
    return text


def _render(template: str, row: dict[str, Any], comp: dict[str, Any], first: bool) -> str:
    person = row[SUBJECT_TYPE] == "person"
    fields = {
        "label": "Cán bộ" if person else "Đơn vị",
        "id": row[SUBJECT_ID],
        "k": str(comp["k"]),
        "n": str(comp["n"]),
        "rate": _pct(comp["rate"]),
        "peer": _pct(comp["peer_rate"]),
        "peers": _peers_clause(row, comp),
    }
    text = template
    if not first:
        text = "Ngoài ra, " + text.removeprefix("{label} {id} ")
    text = re.sub(r"\{(\w+)\}", lambda m: fields[m.group(1)], text)
    rest = comp.get("rate_rest")
    if rest is not None:
        text += (
            " Không tính thành viên có nhiều trường hợp nhất, các thành viên còn lại vẫn ở mức"
            f" {_pct(rest)}%: chậm chung của cả đơn vị (xem xét vai trò của người đứng đầu)."
        )
    return text


def finding_id(detector: str, subject_type: str, subject_id: str, evidence: list[str]) -> str:
    """A stable identifier: the same detector, subject and evidence give the same id on every
    run and every Polars version (polars' own hash is not stable across versions)."""
    text = "\x1f".join([detector, subject_type, subject_id, *sorted(evidence)])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _strength(k: int, n: int, baseline: float, z: float) -> float:
    """(Wilson lower bound − baseline) / (1 − baseline), clipped to 0..1."""
    p = k / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lower = (centre - margin) / (1 + z * z / n)
    return min(1.0, max(0.0, (lower - baseline) / max(1e-9, 1 - baseline)))


def _findings(
    tests: pl.DataFrame,
    detail: pl.DataFrame,
    suite: list[Detector],
    params: DetectionParams,
) -> pl.DataFrame:
    """Flagged (subject, behaviour) tests as finding rows, one Vietnamese paragraph each."""
    templates = {det.name: det.sentence for det in suite}
    flagged = tests.filter(pl.col("flagged"))
    if flagged.is_empty():
        return pl.DataFrame(schema=FINDING_SCHEMA)
    info = {
        (r[SUBJECT_TYPE], r[SUBJECT_ID], r["detector"]): r
        for r in detail.join(
            flagged.select(*KEYS),
            on=KEYS,
            how="semi",
        )
        .select(_DETAIL)
        .iter_rows(named=True)
    }
    out: list[dict[str, Any]] = []
    for row in flagged.iter_rows(named=True):
        comps = sorted(row["components"], key=lambda c: -c["z"])
        parts = []
        for i, component in enumerate(comps):
            extra = info[(row[SUBJECT_TYPE], row[SUBJECT_ID], component["detector"])]
            comp = {
                **component,
                "peer_rate": _judged_level(extra),
                "all_peers": extra["peer_rate"],
                "unit_rate": extra["unit_rate"],
            }
            broad = row[SUBJECT_TYPE] == "unit" and row["behaviour"] in params.broad_behaviours
            if broad and extra["n_test"]:
                comp["rate_rest"] = extra["k_test"] / extra["n_test"]
            context = {**row, "peer_group": extra["peer_group"], MAIN_UNIT: extra[MAIN_UNIT]}
            parts.append(_render(templates[comp["detector"]], context, comp, first=i == 0))
        main = comps[0]
        lead = info[(row[SUBJECT_TYPE], row[SUBJECT_ID], main["detector"])]
        evidence = row[EVIDENCE]
        out.append(
            {
                "finding_id": finding_id(row["behaviour"], row[SUBJECT_TYPE], row[SUBJECT_ID],
                                         evidence),
                SUBJECT_TYPE: row[SUBJECT_TYPE],
                SUBJECT_ID: row[SUBJECT_ID],
                "behaviour": row["behaviour"],
                "detector": main["detector"],
                "strength": _strength(main["k"], main["n"], main["baseline"], params.z),
                "rate": main["rate"],
                "peer_rate": _judged_level(lead),
                "n": main["n"],
                EVIDENCE: evidence,
                CASE_IDS: row[CASE_IDS],
                "sentence": " ".join(parts),
                "score": row["score"],
                "p_value": row["p_value"],
                "q_value": row["q_value"],
                "peer_group": lead["peer_group"],
                "unit_rate": lead["unit_rate"],
                "detectors": [c["detector"] for c in comps],
                "components": comps,
            }
        )  # fmt: skip
    return pl.DataFrame(out, schema=FINDING_SCHEMA)


def _metric_columns(det: Detector) -> list[pl.Expr]:
    cols = [pl.col("rate").alias(det.metric)]
    if det.name == "ping_pong":
        cols.append(pl.col("k").alias("ping_pong_cases"))
    elif det.name == "idle_custody":
        cols.append(pl.col("value_median").alias("median_idle_days"))
    elif det.name == "hidden_waiting":
        cols.append(pl.col("value_mean").alias("pause_share"))
    elif det.name == "late_completion":
        cols = [
            pl.col("n").alias("cases_with_deadline"),
            (1 - pl.col("rate")).alias("on_time_rate"),
        ]
    elif det.name == "coordination":
        cols.append(pl.col("n").alias("coordination_requests"))
    return cols


def _with_org(params: DetectionParams, org: Org | None) -> DetectionParams:
    """Tiers from the organisation's units when the parameters give none (for push_upward)."""
    if org is None or params.unit_levels:
        return params
    levels = org.units.filter(pl.col(UNIT_LEVEL).is_not_null())
    if levels.is_empty():
        return params
    mapping = dict(zip(levels[UNIT_ID].to_list(), levels[UNIT_LEVEL].to_list(), strict=True))
    return replace(params, unit_levels=mapping)


@dataclass
class CasePhase:
    """What the per-case phase leaves for the per-subject phase, for one set of whole cases
    (the whole log, or one bucket of it): compact per-subject counts, never the events.

    Every table adds up over buckets because every case is whole in one bucket: observations
    are concatenated (:func:`compact_observations`: rows that show nothing but a workload are
    summed per subject), workloads and hand-over counts summed, and ``subjects`` holds the
    counts :func:`peer_groups_from` reads (:func:`subject_counts`). :func:`merge_phases`
    reduces two of them into one.
    """

    observations: list[pl.DataFrame]  # one per detector, in the order of :func:`detectors`
    workload: pl.DataFrame  # subject_type, subject_id, cases_handled
    handover: pl.DataFrame  # level, from_holder, to_holder, count, came_back
    subjects: pl.DataFrame
    # Per detector, Parquet files of more observation rows, read after ``observations``
    # (:func:`observations_of`): the rows that show a behaviour or carry a value, spilled to
    # disk by :func:`reduce_phases` so that they are never all in memory. Empty: none.
    spilled: list[list[Path]] = field(default_factory=list)


# Working files read once or twice and deleted: written uncompressed and without statistics
# (measured: a 0.5M-event bucket in 0.7 s rather than 1.8 s with zstd; 19 MB rather than 8).
SCRATCH_PARQUET: dict[str, Any] = {"compression": "uncompressed", "statistics": False}

# The prepared columns peer_groups reads.
_SUBJECT_COLUMNS = (
    HOLDER_ACTOR, "_prev_actor", HOLDER_UNIT, "_prev_unit", TARGET_ACTOR, TARGET_UNIT, ACTOR,
    ACTIVITY, TIMESTAMP,
)  # fmt: skip


def _subject_rows(prepared: pl.LazyFrame) -> pl.LazyFrame:
    """The prepared rows that peer groups depend on; any other row repeats one of them."""
    changed = [
        pl.col(h).is_not_null() & (pl.col(h) != pl.col(p)).fill_null(True)
        for h, p in ((HOLDER_ACTOR, "_prev_actor"), (HOLDER_UNIT, "_prev_unit"))
    ]
    keep = pl.any_horizontal(
        *changed,
        pl.col(TARGET_ACTOR).is_not_null(),
        pl.col(TARGET_UNIT).is_not_null(),
        pl.col(ACTIVITY).is_in(list(DECISIONS)) & pl.col(ACTOR).is_not_null(),
        pl.col(TIMESTAMP) == pl.col(TIMESTAMP).min(),
    )
    return prepared.filter(keep).select(_SUBJECT_COLUMNS)


def reorganizations(
    parts: Sequence[pl.LazyFrame], calendar: WorkCalendar, org: Org | None
) -> pl.DataFrame:
    """Units that ended in a reorganisation (``REORG_SCHEMA``) in a log given whole or as
    buckets of whole cases (``parts``): the organisation table's (``valid_to`` and
    ``successor``), and those the log shows (:func:`presumed_reorganizations`, added up over
    the buckets) that the table does not name."""
    given = org_reorganizations(org, calendar)
    last_days = (
        pl.concat([unit_last_days(part, calendar) for part in parts])
        .group_by("unit")
        .agg(pl.col("last_wd").max())
    )
    counts = pl.concat([reorg_counts(part, calendar, last_days) for part in parts])
    presumed = decide_reorganizations(last_days, counts).join(given, on="unit", how="anti")
    return pl.concat([given, presumed])


def _reorganized_units(
    events: pl.LazyFrame,
    calendar: WorkCalendar,
    org: Org | None,
    end: datetime | None,
    given: pl.DataFrame | None,
) -> pl.DataFrame:
    if given is not None:
        return given
    if end is None:
        return reorganizations([events], calendar, org)
    return org_reorganizations(org, calendar)


def case_phase(
    events: pl.LazyFrame,
    *,
    calendar: WorkCalendar | None = None,
    params: DetectionParams | None = None,
    org: Org | None = None,
    end: datetime | None = None,
    reorganized: pl.DataFrame | None = None,
) -> CasePhase:
    """The per-case phase: custody, gaps, hand-overs and every detector's observations.

    Args:
        events: whole cases of a canonical log (all of it, or one bucket).
        calendar, params, org: as for :func:`run_all`.
        end: the whole log's last instant when ``events`` is one bucket of it.
        reorganized: the units that ended in a reorganisation, from the whole log
            (:func:`reorganizations`); default: computed from ``events`` when it is the whole
            log (``end`` not given), else the organisation table's alone (a bucket cannot tell
            a unit's last day).
    """
    calendar = calendar or WorkCalendar()
    params = _with_org(params or DetectionParams(), org)
    keys = [SUBJECT_TYPE, SUBJECT_ID]
    facts = log_facts(conform(events))
    prepared = (
        prepare(
            events,
            calendar,
            presorted=facts.presorted,
            has_holders=facts.has_holders,
            end=end,
            reorganized=_reorganized_units(events, calendar, org, end, reorganized),
        )
        .collect()
        .lazy()
    )
    workload_lazy = pl.concat([workload(prepared, level) for level in LEVELS]).select(
        *keys, pl.col(WEIGHT).alias("cases_handled")
    )
    # One collect_all for the single detectors: Polars shares the common sub-plans (the same
    # filters of the prepared frame, the same workloads) and runs independent queries in
    # parallel; measured 20% less CPU than collecting detector by detector.
    suite = detectors(params)
    single = [det for det in suite if not det.parts]
    handled, handover, subjects, *observed = pl.collect_all(
        [
            workload_lazy,
            handover_network(prepared),
            subject_counts(_subject_rows(prepared)),
            *[det.observe(prepared, params, calendar) for det in single],
        ]
    )
    # The combined detectors from their parts' collected rows rather than their plans again
    # (measured on a 0.5M-event bucket, one thread: 0.55 CPU s for the suite against 0.93).
    found = {det.name: obs for det, obs in zip(single, observed, strict=True)}
    combined = [det for det in suite if det.parts]
    united = pl.collect_all(
        [
            union_of([found[n].lazy() for n in det.parts], [n in _ASKED for n in det.parts])
            for det in combined
        ]
    )
    found |= {det.name: obs for det, obs in zip(combined, united, strict=True)}
    return CasePhase(
        observations=[compact_observations(found[det.name], values=det.values) for det in suite],
        workload=handled,
        handover=handover,
        subjects=subjects,
    )


def compact_observations(obs: pl.DataFrame, *, values: str | None = DAYS) -> pl.DataFrame:
    """Observations reduced to what :func:`rates` reads, with the same rates (and the same
    medians and means where ``values`` says the metrics report them: ``Detector.values``).

    - The rows that show no behaviour are summed into one row per subject and value (their
      weights and their ``n_values``): one workload row per subject where they carry no value,
      and, for :data:`DAYS`, one row per subject and value where they do (whole working days:
      their sum is exact in any order, and the median is read from the counts,
      :func:`value_medians`). A hit that carries a value gives its value and weight to those
      rows and stays as a hit of weight 0.
    - The hits stay row for row (their item ids count each item once, their evidence is kept).
    - For :data:`FRACTIONS`, the rows that carry a value stay row for row too, without their
      item and case ids where they show nothing: the per-subject phase sums them in one order
      (:func:`_gathered`).
    - With ``values`` None, the values are dropped first (no metric reads them).

    ``obs`` is a detector's output or already compacted rows (their ``n_values`` are summed)."""
    hit = pl.col(EVIDENCE).is_not_null()
    valued = pl.col(VALUE).is_not_null()
    lazy = with_value_counts(obs.lazy())
    if values is None:
        lazy = lazy.with_columns(
            pl.lit(None, pl.Float64).alias(VALUE), pl.lit(0, pl.UInt32).alias(N_VALUES)
        )
    if values == FRACTIONS:
        plain = ~hit & ~valued
        summed = lazy.filter(plain).group_by(KEYS).agg(pl.col(WEIGHT).sum(), pl.col(N_VALUES).sum())
        rest = lazy.filter(~plain).with_columns(
            pl.when(hit).then(pl.col(c)).alias(c) for c in (ITEM_ID, CASE_ID)
        )
        return pl.concat([_compacted(summed), rest.select(COMPACT_COLUMNS)]).collect()
    # A valued hit: its value (and weight) counted with the others, the hit kept apart.
    moved = lazy.filter(hit & valued)
    summed = (
        pl.concat([lazy.filter(~hit), moved])
        .group_by(*KEYS, VALUE)
        .agg(pl.col(WEIGHT).sum(), pl.col(N_VALUES).sum())
    )
    hits = lazy.filter(hit).with_columns(
        pl.when(valued).then(0).otherwise(pl.col(WEIGHT)).cast(pl.UInt32).alias(WEIGHT),
        pl.lit(None, pl.Float64).alias(VALUE),
        pl.lit(0, pl.UInt32).alias(N_VALUES),
    )
    return pl.concat([_compacted(summed), hits.select(COMPACT_COLUMNS)]).collect()


# Compacted observations: the detectors' columns and how many values a row stands for.
COMPACT_COLUMNS = [*OBS_SCHEMA, N_VALUES]


def _compacted(summed: pl.LazyFrame) -> pl.LazyFrame:
    """Summed rows in the compacted columns (no item, case or evidence)."""
    names = summed.collect_schema().names()
    types = {**OBS_SCHEMA, N_VALUES: pl.UInt32()}
    return summed.select(
        (pl.col(c) if c in names else pl.lit(None)).cast(types[c]).alias(c) for c in COMPACT_COLUMNS
    )


def _sum_workload(parts: list[pl.DataFrame]) -> pl.DataFrame:
    if len(parts) == 1:
        return parts[0]
    return (
        pl.concat(parts)
        .group_by(KEYS)
        .agg(pl.col("cases_handled").sum().cast(pl.UInt32))
        .sort(KEYS)
    )


def _sum_subjects(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """:func:`subject_counts` of several parts as one (kind, actor, unit; n, first day)."""
    if len(parts) == 1:
        return parts[0]
    frame = pl.concat(parts)
    kind, actor, unit, n, first = frame.columns
    return (
        frame.group_by(kind, actor, unit)
        .agg(pl.col(n).sum(), pl.col(first).min())
        .select(frame.columns)
    )


def reduce_phases(parts: Iterable[CasePhase], spill: Path | None = None) -> CasePhase:
    """The per-case phases of disjoint sets of whole cases (buckets) reduced into one as they
    come: the workload rows and value counts of the observations, the workloads, hand-over
    and subject counts summed into running totals; the rows that show a behaviour, or carry a
    value kept item by item (``Detector.values`` :data:`FRACTIONS`), are kept as they are (appended,
    not copied again at each step).

    With ``spill`` (a folder), those kept rows are written there as each part comes, one
    Parquet file per detector and part, and the result lists them in ``spilled``: only the
    running totals stay in memory. The rows, and their order, are the same either way."""
    plain: list[pl.DataFrame] = []
    rest: list[list[pl.DataFrame]] = []
    files: list[list[Path]] = []
    workload = handover = subjects = None
    counted = [det.values != FRACTIONS for det in detectors(DetectionParams())]
    for n, part in enumerate(parts):
        for i, obs in enumerate(part.observations):
            # Summed rows: no behaviour, and no value unless the detector counts its values.
            is_plain = pl.col(EVIDENCE).is_null() & (pl.col(VALUE).is_null() | counted[i])
            mine = obs.filter(is_plain)
            if i == len(plain):
                plain.append(mine)
                rest.append([])
                files.append([])
            else:
                plain[i] = compact_observations(
                    pl.concat([plain[i], mine]), values=DAYS if counted[i] else FRACTIONS
                )
            kept = obs.filter(~is_plain)
            more = part.spilled[i] if part.spilled else []
            if spill is None:
                rest[i].append(kept)
                rest[i].extend(pl.read_parquet(f) for f in more)
                continue
            if kept.height:
                out = spill / f"obs-{i:03d}-{n:05d}.parquet"
                kept.write_parquet(out, **SCRATCH_PARQUET)
                files[i].append(out)
            files[i].extend(more)
        workload = part.workload if workload is None else _sum_workload([workload, part.workload])
        handover = part.handover if handover is None else _sum_handover([handover, part.handover])
        subjects = part.subjects if subjects is None else _sum_subjects([subjects, part.subjects])
    if workload is None or handover is None or subjects is None:
        raise ValueError("no per-case phase to reduce")
    return CasePhase(
        observations=[pl.concat([p, *r]) for p, r in zip(plain, rest, strict=True)],
        workload=workload,
        handover=handover,
        subjects=subjects,
        spilled=files if spill is not None else [],
    )


def observations_of(part: CasePhase, i: int) -> pl.DataFrame:
    """Detector ``i``'s observation rows of a per-case phase: those in memory, then those
    spilled to disk (read here)."""
    if not part.spilled or not part.spilled[i]:
        return part.observations[i]
    return pl.concat([part.observations[i].lazy(), pl.scan_parquet(part.spilled[i])]).collect()


def _sum_handover(parts: list[pl.DataFrame]) -> pl.DataFrame:
    if len(parts) == 1:
        return parts[0]
    return (
        pl.concat(parts)
        .group_by("level", "from_holder", "to_holder")
        .agg(pl.col("count").sum(), pl.col("came_back").sum())
        .with_columns((pl.col("came_back") / pl.col("count")).alias("came_back_share"))
        .select([pl.col(c).cast(t) for c, t in HANDOVER_SCHEMA.items()])
        .sort("level", "from_holder", "to_holder")
    )


def _gathered(parts: list[pl.DataFrame], *, by_value: bool) -> pl.DataFrame:
    """One detector's observations from every bucket, in one order whatever the bucketing
    where it matters: per-item fractions (``by_value``) are summed into means, and a float sum
    depends on its order. Sorting by the value alone fixes each subject's order (equal values
    are interchangeable) at the cost of one numeric sort. Counted whole values need none."""
    obs = pl.concat(parts) if len(parts) > 1 else parts[0]
    if not by_value or obs.get_column(VALUE).null_count() == obs.height:
        return obs
    return obs.sort(VALUE, nulls_last=True).rechunk()


def _sources(part: CasePhase, i: int) -> list[pl.LazyFrame]:
    """Detector ``i``'s observation rows of a per-case phase as :func:`observations_of` gives
    them, source by source: those in memory, then each spilled file (one bucket's rows)."""
    files = part.spilled[i] if part.spilled else []
    return [part.observations[i].lazy(), *(pl.scan_parquet(f) for f in files)]


# What :func:`judge` reads of each detector's :func:`evidence` rows (and the ids,
# :func:`_with_ids`), and what :func:`_findings` reads of the rows whose detector counts (the
# components of a finding: no other row is looked up).
_JUDGED = [
    *KEYS, "behaviour", "detector", "p", "z", "counts", "tested", "_needs_members",
    "_member_counts", "n", "k", "rate", "baseline",
]  # fmt: skip
_DETAIL = [
    *KEYS, "detector", "peer_rate", "peer_level", "unit_rate", "peer_group", MAIN_UNIT, "n_test",
    "k_test",
]  # fmt: skip


def _with_ids(judged: pl.DataFrame, sources: list[pl.LazyFrame]) -> pl.DataFrame:
    """``judged`` with the evidence and case ids of the subjects whose detector counts (null
    for the others), read from the hits of ``sources`` one source at a time."""
    who = judged.filter(pl.col("counts")).select(KEYS).lazy()
    hits = [
        source.filter(pl.col(EVIDENCE).is_not_null())
        .join(who, on=KEYS, how="semi")
        .select(*KEYS, CASE_ID, EVIDENCE)
        .collect()
        for source in sources
    ]
    lists = hit_ids(pl.concat(hits).lazy()).collect()
    empty = pl.lit([], dtype=pl.List(pl.String()))
    return judged.join(lists, on=KEYS, how="left", maintain_order="left").with_columns(
        # A subject counted with no hit row (not with the defaults: min_hits) has empty lists,
        # as :func:`rates` gives them.
        pl.when(pl.col("counts")).then(pl.col(c).fill_null(empty)).alias(c)
        for c in (EVIDENCE, CASE_IDS)
    )


def subject_phase(
    parts: list[CasePhase],
    *,
    calendar: WorkCalendar | None = None,
    params: DetectionParams | None = None,
    org: Org | None = None,
    progress: Callable[[str], None] | None = None,
) -> DetectionResult:
    """The per-subject phase: peers, rates, evidence and findings from the per-case phase of
    every bucket (a reduce over compact per-subject counts). The parts' observations are
    emptied as they are read (to free their memory)."""
    del calendar  # the per-case phase already counted in working days
    params = _with_org(params or DetectionParams(), org)
    say = progress or (lambda _step: None)
    keys = [SUBJECT_TYPE, SUBJECT_ID]
    say("reduce")
    subjects = pl.concat([p.subjects for p in parts]) if len(parts) > 1 else parts[0].subjects
    peers_lazy = peer_groups_from(subjects.lazy(), params, org)
    handled_lazy = (
        pl.concat([p.workload for p in parts])
        .lazy()
        .group_by(keys)
        .agg(pl.col("cases_handled").sum().cast(pl.UInt32))
    )
    handover = _sum_handover([p.handover for p in parts])
    suite = detectors(params)
    peers, handled = pl.collect_all([peers_lazy, handled_lazy])
    # One detector at a time, its observations released once read: what stays per detector is
    # one row per subject, with the hits' ids only where the detector counts (the only ones
    # :func:`judge` reads). Two detectors at once in two threads was measured (session 11) and
    # gained nothing: Polars already spreads each step over the cores.

    def one(i: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        det = suite[i]
        sources = [source for p in parts for source in _sources(p, i)]
        # The rates without the hits' evidence lists, read source by source (one bucket's
        # spilled rows at a time): the lists are gathered below for the subjects whose
        # detector counts, the only ones :func:`judge` reads.
        obs = _gathered(
            [without_ids(source).collect() for source in sources],
            by_value=det.values == FRACTIONS,
        )
        scored = rates(obs.lazy(), peers.lazy(), params, ids=False).collect()
        del obs
        column = scored.select(*keys, *_metric_columns(det))
        count = scored.select(SUBJECT_TYPE, "n", "k")
        judged = evidence(scored, peers, params, detector=det.name, behaviour=det.behaviour)
        del scored
        detail = judged.filter(pl.col("counts")).select(_DETAIL)
        kept = _with_ids(judged.select(_JUDGED), sources)
        del judged
        for p in parts:
            p.observations[i] = p.observations[i].clear()
            if p.spilled:
                p.spilled[i] = []
        return column, count, kept, detail

    done = [one(i) for i in range(len(suite))]
    columns = [d[0] for d in done]
    counted = [d[1] for d in done]
    per_detector = [d[2] for d in done]
    detail = pl.concat([d[3] for d in done], how="diagonal_relaxed")
    del done
    tests = judge(
        per_detector,
        params.fdr,
        combine=params.combine,
        max_p=params.max_p,
        corroboration=params.corroboration,
        supporting=SUPPORTING,
    )
    # Subjects that never held a case (a coordinating unit) still get a metrics row.
    metrics = (
        pl.concat([handled.select(keys), *[c.select(keys) for c in columns]])
        .unique()
        .join(handled, on=keys, how="left")
        .with_columns(pl.col("cases_handled").fill_null(0))
        .join(peers, on=keys, how="left")
        .with_columns(pl.col("peer_group").fill_null("*"))
    )
    for column in columns:
        metrics = metrics.join(column, on=keys, how="left")

    assessed = _assessed(suite, counted, params)
    del per_detector
    findings = _findings(tests, detail, suite, params)
    findings = findings.sort("behaviour", SUBJECT_TYPE, SUBJECT_ID)
    counts = findings.group_by(keys).agg(pl.len().cast(pl.UInt32).alias("findings"))
    metrics = (
        metrics.join(counts, on=keys, how="left")
        .with_columns(pl.col("findings").fill_null(0))
        .sort(keys)
    )
    return DetectionResult(
        findings=findings,
        person_metrics=metrics.filter(pl.col(SUBJECT_TYPE) == "person").drop(SUBJECT_TYPE),
        unit_metrics=metrics.filter(pl.col(SUBJECT_TYPE) == "unit").drop(SUBJECT_TYPE),
        handover=handover,
        assessed=assessed,
    )


def _assessed(
    suite: list[Detector], scored_all: list[pl.DataFrame], params: DetectionParams
) -> pl.DataFrame:
    """Per detector and subject type: how many subjects it observed at all, how many had the
    ``min_cases`` workload to be judged, and how many items showed the behaviour at all (what
    could be assessed on this log, and why not where nothing could: a detector whose events
    the log never has shows no hits anywhere)."""
    rows = [
        scored.group_by(SUBJECT_TYPE)
        .agg(
            pl.len().alias("observed"),
            (pl.col("n") >= params.min_cases).sum().alias("judged"),
            pl.col("k").sum().alias("hits"),
        )
        .with_columns(pl.lit(det.name).alias("detector"))
        for det, scored in zip(suite, scored_all, strict=True)
    ]
    # Every detector and level appears, with zeros where it observed nobody: "nothing could
    # be assessed" must be visible, not an absent row.
    grid = pl.DataFrame(
        [(det.name, level) for det in suite for level in LEVELS],
        schema={"detector": pl.String(), SUBJECT_TYPE: pl.String()},
        orient="row",
    )
    counts = ["observed", "judged", "hits"]
    return grid.join(pl.concat(rows), on=["detector", SUBJECT_TYPE], how="left").select(
        "detector", SUBJECT_TYPE, pl.col(counts).fill_null(0).cast(pl.UInt32)
    )


def run_all(
    events: pl.LazyFrame,
    *,
    calendar: WorkCalendar | None = None,
    params: DetectionParams | None = None,
    org: Org | None = None,
    progress: Callable[[str], None] | None = None,
) -> DetectionResult:
    """Run every detector and build findings, metrics and the hand-over network.

    The per-case phase (:func:`case_phase`) and the per-subject phase (:func:`subject_phase`)
    on the whole log; :mod:`congvu_analytics.partitioned` runs the same two phases bucket by
    bucket, and on Spark.

    Args:
        events: a canonical event log (:mod:`congvu_analytics.schema`); holders are derived
            (:mod:`congvu_analytics.custody`) where the log does not carry them.
        calendar: the working-day calendar (default: the Vietnamese calendar).
        params: thresholds (default: :class:`DetectionParams` defaults).
        org: the province's units and people (:mod:`congvu_analytics.org`), when known.
        progress: called with a short step name ("prepare", "detect") before each step.

    Returns:
        A :class:`DetectionResult`. Findings are evidence for human review, never a verdict.
    """
    say = progress or (lambda _step: None)
    say("prepare")
    part = case_phase(events, calendar=calendar, params=params, org=org)
    say("detect")
    return subject_phase([part], calendar=calendar, params=params, org=org)
