"""The organisation a log belongs to, as two tables: units and people.

Every province keeps its organisation as a table (unit, type, parent, head; person, unit,
position). The detectors use it to choose peers (people of the same position and tier, units
of the same type), to tell a division's own pace from its members', and to know who is whose
superior. A log without these tables still works: peers then fall back to what the log shows.

The column names and dtypes live here once; the loader (``congvu_analytics.io.org``) checks a
province's files against them and the detectors read only these names.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# Units ------------------------------------------------------------------------------------
UNIT_ID = "unit"  # the unit's code, as it appears in the log's unit columns
UNIT_NAME = "name"
UNIT_TYPE = "type"  # e.g. ubnd_tinh, so, phong, xa: units of one type are peers
UNIT_PARENT = "parent"  # the unit above (null at the top)
UNIT_HEAD = "head"  # the person who heads the unit (null if unknown)
UNIT_LEVEL = "level"  # tier, HIGHER = FURTHER UP (as the event schema's ``level``)
# A unit dissolved or merged by a reorganisation (sắp xếp tổ chức bộ máy): its last day, and
# the unit that took over its work. Hand-overs from it to its successor around that day are
# reorganisation hand-overs, never anyone's buck-passing (docs/detection.md).
UNIT_VALID_TO = "valid_to"
UNIT_SUCCESSOR = "successor"

UNITS_SCHEMA: dict[str, pl.DataType] = {
    UNIT_ID: pl.String(),
    UNIT_NAME: pl.String(),
    UNIT_TYPE: pl.String(),
    UNIT_PARENT: pl.String(),
    UNIT_HEAD: pl.String(),
    UNIT_LEVEL: pl.Int8(),
    UNIT_VALID_TO: pl.Date(),
    UNIT_SUCCESSOR: pl.String(),
}

# People -----------------------------------------------------------------------------------
PERSON_ID = "person"  # the person's code, as it appears in the log's actor columns
PERSON_NAME = "name"
PERSON_UNIT = "unit"  # the unit the person belongs to
POSITION = "position"  # e.g. chuyen_vien, truong_phong: people of one position and tier are peers
START_DATE = "start_date"  # first day in this post (null if unknown): new staff are judged apart

PEOPLE_SCHEMA: dict[str, pl.DataType] = {
    PERSON_ID: pl.String(),
    PERSON_NAME: pl.String(),
    PERSON_UNIT: pl.String(),
    POSITION: pl.String(),
    START_DATE: pl.Date(),
}


@dataclass(frozen=True)
class Org:
    """A province's organisation: ``units`` and ``people`` frames with the schemas above
    (optional columns entirely null where the province does not keep them)."""

    units: pl.DataFrame
    people: pl.DataFrame

    @classmethod
    def of(cls, units: pl.DataFrame, people: pl.DataFrame) -> Org:
        """Conform two frames to the schemas (missing optional columns become nulls)."""
        return cls(
            _conform(units, UNITS_SCHEMA, UNIT_ID), _conform(people, PEOPLE_SCHEMA, PERSON_ID)
        )


def _conform(frame: pl.DataFrame, schema: dict[str, pl.DataType], key: str) -> pl.DataFrame:
    if key not in frame.columns:
        raise ValueError(f"Thiếu cột bắt buộc: {key}")
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )
