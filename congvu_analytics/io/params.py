"""Detection parameters from a TOML file (``congvu analyze --params params.toml``).

Every field of :class:`congvu_analytics.detect.DetectionParams` may be set, at the top level
of the file or under a ``[detection]`` table::

    min_cases = 20
    z = 2.33
    [unit_types]            # a mapping field is a table
    "SO_TP" = "so"

The fields are read from the dataclass itself, so a field added to ``DetectionParams`` is
accepted here without a change. Refused with a message naming the file and the key: unknown
keys, a value of the wrong type, a negative or non-finite number, a share above 1. The
effective values (file over defaults) are what :func:`params_to_dict` writes to the output.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from congvu_analytics.io.errors import LogError, read_toml

# Fields that are shares of something: they cannot exceed 1.
_SHARES = ("share", "excess")


def _detection_params() -> Any:
    # Imported by name (not at module level): the detector package is rewritten on another
    # branch, and only its public name ``DetectionParams`` is relied on here.
    import importlib

    return importlib.import_module("congvu_analytics.detect").DetectionParams


def load_params(path: str | Path) -> Any:
    """Read, check and build the parameters (a ``DetectionParams``).

    Raises:
        LogError: the file cannot be read, is not TOML, or names an unknown key or a bad value.
    """
    path = Path(path)
    data = read_toml(path, "tham số")
    if set(data) == {"detection"} and isinstance(data["detection"], dict):
        data = data["detection"]
    return params_from_dict(data, path=path)


def params_from_dict(
    data: Mapping[str, Any], *, path: str | Path = "(tham số)", cls: Any = None
) -> Any:
    """A ``DetectionParams`` (or another parameters dataclass ``cls``) from parsed TOML (see
    :func:`load_params`)."""
    cls = cls or _detection_params()
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise LogError(
            f"Tham số không tồn tại: {', '.join(unknown)} (hợp lệ: {', '.join(known)}).",
            path=path,
        )
    values = {key: _check(key, value, hints[key], path) for key, value in data.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise LogError(f"Tham số không hợp lệ: {exc}", path=path) from exc


def _check(  # noqa: PLR0911, PLR0912 - one branch per annotation type
    key: str, value: Any, hint: Any, path: str | Path
) -> Any:
    """``value`` checked against the field's annotation (int, float, bool, a Mapping)."""

    def fail(why: str) -> LogError:
        return LogError(f"Tham số {key} = {value!r}: {why}.", path=path)

    if typing.get_origin(hint) is typing.Literal:
        allowed = typing.get_args(hint)
        if value not in allowed:
            raise fail("cần một trong " + ", ".join(repr(a) for a in allowed))
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise fail("cần true hoặc false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail("cần một số nguyên")
        if value < 0:
            raise fail("không được âm")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail("cần một số")
        if not math.isfinite(value) or value < 0:
            raise fail("cần một số hữu hạn, không âm")
        if any(word in key for word in _SHARES) and value > 1:
            raise fail("là một tỉ lệ, không được lớn hơn 1")
        return float(value)
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        if not isinstance(value, list) or not all(isinstance(v, item) for v in value):
            raise fail(f"cần một danh sách {item.__name__}")
        return tuple(value)
    # Optional[Mapping[K, V]]: a TOML table whose values have type V.
    tables = [a for a in typing.get_args(hint) if len(typing.get_args(a)) == 2]
    if tables:
        item_type = typing.get_args(tables[0])[1]
        if not isinstance(value, dict):
            raise fail("cần một bảng TOML")
        for k, v in value.items():
            if not isinstance(v, item_type) or (item_type is int and isinstance(v, bool)):
                raise LogError(
                    f"Tham số {key}.{k} = {v!r}: cần kiểu {item_type.__name__}.",
                    path=path,
                )
        return dict(value)
    return value


def params_to_dict(params: Any) -> dict[str, Any]:
    """The effective values, JSON-ready (mappings as dicts)."""
    out: dict[str, Any] = {}
    for f in fields(params):
        value = getattr(params, f.name)
        out[f.name] = dict(value) if isinstance(value, Mapping) else value
    return out
