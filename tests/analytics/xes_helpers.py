"""Tiny XES documents written into tmp_path by the I/O tests."""

from __future__ import annotations

import gzip
from pathlib import Path
from xml.sax.saxutils import quoteattr

HEADER = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
    '\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
)


def attr(key: str, value: str, kind: str = "string") -> str:
    return f"<{kind} key={quoteattr(key)} value={quoteattr(value)}/>"


def event(name: str, ts: str, **extra: str) -> str:
    attrs = [attr("concept:name", name), attr("time:timestamp", ts, "date")]
    attrs += [attr(k.replace("__", ":"), v) for k, v in extra.items()]
    return "\t\t<event>\n" + "".join(f"\t\t\t{a}\n" for a in attrs) + "\t\t</event>\n"


def trace(case: str, *events: str, **extra: str) -> str:
    attrs = [attr("concept:name", case)] + [attr(k, v) for k, v in extra.items()]
    return "\t<trace>\n" + "".join(f"\t\t{a}\n" for a in attrs) + "".join(events) + "\t</trace>\n"


def document(*traces: str, log_attrs: dict[str, str] | None = None) -> str:
    head = HEADER + "".join(f"\t{attr(k, v)}\n" for k, v in (log_attrs or {}).items())
    return head + "".join(traces) + "</log>\n"


def write(path: Path, text: str) -> Path:
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def small_log() -> str:
    return document(
        trace(
            "C1",
            event(
                "Queued",
                "2012-01-02T09:00:00+01:00",
                org__group="A",
                lifecycle__transition="Awaiting Assignment",
            ),
            event(
                "Accepted",
                "2012-01-02T10:00:00+01:00",
                org__group="B 2nd",
                lifecycle__transition="In Progress",
            ),
            event(
                "Accepted",
                "2012-01-02T11:00:00+01:00",
                org__group="A",
                lifecycle__transition="Wait - User",
            ),
            event(
                "Completed",
                "2012-01-02T12:00:00+01:00",
                org__group="A",
                lifecycle__transition="Closed",
            ),
            impact="Medium",
        ),
        trace(
            "C2",
            event(
                "Queued",
                "2012-01-03T09:00:00Z",
                org__group="B 2nd",
                lifecycle__transition="Awaiting Assignment",
            ),
            event(
                "Completed",
                "2012-01-03T09:30:00.250Z",
                org__group="B 2nd",
                lifecycle__transition="Closed",
            ),
        ),
    )


MAPPING = """
[columns]
case = "case:concept:name"
activity = "concept:name"
lifecycle = "lifecycle:transition"
timestamp = "time:timestamp"
unit = "org:group"

[custody]
unit = "org:group"

[level]
column = "org:group"
default = 1
suffixes = { " 2nd" = 2, " 3rd" = 3 }

[activities]
"Queued | Awaiting Assignment" = { code = "transfer", reason = "queued" }
"Accepted | In Progress" = "work"
"Accepted | Wait - User" = { code = "wait", reason = "wait_user" }
"Completed" = "complete"
"""
