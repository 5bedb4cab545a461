"""XES reading: both parsers, gzip, and refusal of broken files with precise messages."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from congvu_analytics.io.errors import LogError
from congvu_analytics.io.xes import read_xes

from .xes_helpers import attr, document, event, small_log, trace, write


def test_it_reads_events_with_trace_attributes_prefixed_case(tmp_path):
    raw = read_xes(write(tmp_path / "log.xes", small_log()))
    assert raw.parser == "fast"
    frame = raw.frame
    assert frame.height == 6
    assert frame.get_column("case:concept:name").to_list() == ["C1"] * 4 + ["C2"] * 2
    assert frame.get_column("case:impact").to_list()[:4] == ["Medium"] * 4
    assert frame.get_column("org:group").to_list()[1] == "B 2nd"
    assert frame.get_column("time:timestamp").dtype == pl.Datetime("us", "UTC")
    assert frame.get_column("time:timestamp")[0] == datetime(2012, 1, 2, 8, 0, tzinfo=UTC)
    assert frame.get_column("time:timestamp")[5] == datetime(
        2012, 1, 3, 9, 30, 0, 250000, tzinfo=UTC
    )


def test_it_reads_gzip_compressed_xes(tmp_path):
    plain = read_xes(write(tmp_path / "log.xes", small_log())).frame
    packed = read_xes(write(tmp_path / "log.xes.gz", small_log())).frame
    assert_frame_equal(plain, packed, check_column_order=False)


def test_the_fallback_parser_gives_the_same_frame(tmp_path):
    path = write(tmp_path / "log.xes", small_log())
    fast = read_xes(path)
    slow = read_xes(path, force_fallback=True)
    assert (fast.parser, slow.parser) == ("fast", "iterparse")
    assert_frame_equal(fast.frame, slow.frame, check_column_order=False)


def test_it_falls_back_for_comments_entities_and_nested_attributes(tmp_path):
    text = document(
        trace(
            "C&1",
            "\t\t<!-- a comment -->\n",
            event('A <b> & "c"', "2012-01-02T09:00:00+01:00"),
            "\t\t<event><string key='concept:name' value='x'><string key='meta' value='1'/></string>"
            '<date key="time:timestamp" value="2012-01-02T10:00:00+01:00"/></event>\n',
        )
    )
    raw = read_xes(write(tmp_path / "log.xes", text))
    assert raw.parser == "iterparse"
    assert raw.frame.get_column("concept:name").to_list() == ['A <b> & "c"', "x"]
    assert raw.frame.get_column("case:concept:name").to_list() == ["C&1", "C&1"]
    assert "meta" not in raw.frame.columns


def test_it_unescapes_entities_on_the_fast_path(tmp_path):
    text = document(trace("C1", event("Tiếp nhận & xử lý", "2012-01-02T09:00:00+01:00")))
    raw = read_xes(write(tmp_path / "log.xes", text))
    assert raw.parser == "fast"
    assert raw.frame.get_column("concept:name").to_list() == ["Tiếp nhận & xử lý"]


def test_it_refuses_a_truncated_gzip(tmp_path):
    whole = gzip.compress(small_log().encode() * 3)
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(LogError, match="gzip") as info:
        read_xes(path)
    assert info.value.path == str(path)


def test_it_reads_a_gzip_file_of_several_members(tmp_path):
    # `cat a.gz b.gz > log.gz` is a valid gzip file; every member must be read.
    text = small_log().encode()
    cut = text.index(b"\t<trace>", text.index(b"</trace>"))
    path = tmp_path / "members.xes.gz"
    path.write_bytes(gzip.compress(text[:cut]) + gzip.compress(text[cut:]))
    assert_frame_equal(
        read_xes(path).frame, read_xes(write(tmp_path / "log.xes", small_log())).frame
    )


def test_it_refuses_a_gzip_whose_checksum_does_not_match(tmp_path):
    whole = bytearray(gzip.compress(small_log().encode()))
    whole[-8] ^= 0xFF  # the CRC-32 in the trailer
    path = tmp_path / "crc.xes.gz"
    path.write_bytes(bytes(whole))
    with pytest.raises(LogError, match="gzip"):
        read_xes(path)


def test_it_refuses_garbage_after_the_gzip_stream(tmp_path):
    path = tmp_path / "tail.xes.gz"
    path.write_bytes(gzip.compress(small_log().encode()) + b"not gzip")
    with pytest.raises(LogError, match="gzip"):
        read_xes(path)


def test_it_reads_the_log_attributes_of_a_header_with_nested_meta_attributes(tmp_path):
    text = document(trace("C1", event("A", "2012-01-02T09:00:00+01:00")))
    text = text.replace(
        "<trace>",
        '<float key="meta:sd" value="7.6"><float key="Ann" value="0.1"/></float>\n'
        '\t<string key="congvu:schema" value="1"/>\n\t<trace>',
        1,
    )
    raw = read_xes(write(tmp_path / "log.xes", text))
    assert raw.parser == "fast"
    assert raw.log_attributes["meta:sd"] == "7.6"
    assert raw.log_attributes["congvu:schema"] == "1"
    assert "Ann" not in raw.log_attributes


def test_it_refuses_malformed_xml_naming_line_and_trace(tmp_path):
    text = small_log().replace("\t\t</event>\n\t</trace>\n\t<trace>", "\t</trace>\n\t<trace>", 1)
    path = write(tmp_path / "bad.xes", text)
    with pytest.raises(LogError, match="XML không hợp lệ") as info:
        read_xes(path)
    assert info.value.line is not None
    assert info.value.trace == "C1"
    assert "dòng" in str(info.value)


def test_it_refuses_a_truncated_document(tmp_path):
    text = small_log()
    path = write(tmp_path / "cut.xes", text[: text.index("</trace>") + 20])
    with pytest.raises(LogError, match="kết thúc giữa chừng"):
        read_xes(path)


def test_it_refuses_a_log_without_events(tmp_path):
    with pytest.raises(LogError, match="rỗng"):
        read_xes(write(tmp_path / "empty.xes", document()))


def test_it_refuses_naive_timestamps_without_a_declared_zone(tmp_path):
    text = document(trace("C7", event("A", "2012-01-02T09:00:00")))
    with pytest.raises(LogError, match="không có múi giờ") as info:
        read_xes(write(tmp_path / "naive.xes", text))
    assert info.value.trace == "C7"
    assert info.value.column == "time:timestamp"


def test_it_assumes_the_declared_zone_for_naive_timestamps(tmp_path):
    text = document(trace("C7", event("A", "2012-01-02T09:00:00")))
    raw = read_xes(write(tmp_path / "naive.xes", text), naive_timezone="Asia/Ho_Chi_Minh")
    assert raw.frame.get_column("time:timestamp")[0] == datetime(2012, 1, 2, 2, 0, tzinfo=UTC)


def test_it_refuses_unparseable_dates(tmp_path):
    text = document(trace("C8", event("A", "02/01/2012 09:00")))
    with pytest.raises(LogError, match="không đọc được thời điểm"):
        read_xes(write(tmp_path / "bad_date.xes", text))


def test_it_types_int_float_and_boolean_attributes(tmp_path):
    ev = (
        "\t\t<event>"
        + attr("concept:name", "A")
        + attr("time:timestamp", "2012-01-02T09:00:00Z", "date")
        + attr("n", "3", "int")
        + attr("cost", "1.5", "float")
        + attr("ok", "true", "boolean")
        + "</event>\n"
    )
    raw = read_xes(write(tmp_path / "typed.xes", document(trace("C1", ev))))
    row = raw.frame.row(0, named=True)
    assert (row["n"], row["cost"], row["ok"]) == (3, 1.5, True)


def test_events_with_different_attributes_or_order_read_the_same_on_both_parsers(tmp_path):
    first = "\t\t<event>" + attr("b", "1") + attr("concept:name", "A") + "</event>\n"
    second = (
        "\t\t<event>" + attr("concept:name", "B") + attr("b", "2") + attr("c", "x") + "</event>\n"
    )
    third = "\t\t<event>" + attr("concept:name", "C") + "</event>\n"
    path = write(tmp_path / "mixed.xes", document(trace("C1", first, second), trace("C2", third)))
    fast = read_xes(path)
    slow = read_xes(path, force_fallback=True)
    assert fast.parser == "fast"
    assert_frame_equal(fast.frame, slow.frame, check_column_order=False)
    assert fast.frame.get_column("c").to_list() == [None, "x", None]
    assert fast.frame.get_column("__pos").to_list() == [0, 1, 0]


def test_a_repeated_key_keeps_its_first_value_on_both_parsers(tmp_path):
    first = "\t\t<event>" + attr("concept:name", "A") + attr("concept:name", "again") + "</event>\n"
    second = "\t\t<event>" + attr("concept:name", "B") + attr("x", "1") + "</event>\n"
    path = write(tmp_path / "dup.xes", document(trace("C1", first, second)))
    fast = read_xes(path)
    assert fast.parser == "fast"
    assert fast.frame.get_column("concept:name").to_list() == ["A", "B"]
    assert_frame_equal(
        fast.frame, read_xes(path, force_fallback=True).frame, check_column_order=False
    )


@pytest.mark.parametrize("block", [64, 200, 1000])
def test_small_blocks_give_the_same_frame_as_one_block(tmp_path, monkeypatch, block):
    # Real logs span many 64 MB blocks; tiny blocks exercise every cut between traces.
    import congvu_analytics.io.xes as xes

    text = small_log()  # two traces
    path = write(tmp_path / "log.xes.gz", text)
    whole = read_xes(path).frame
    monkeypatch.setattr(xes, "_BLOCK", block)
    monkeypatch.setattr(xes, "_READ", 97)
    cut = read_xes(path)
    assert cut.parser == "fast"
    assert_frame_equal(cut.frame, whole)


def test_text_between_traces_is_left_to_the_strict_parser(tmp_path):
    text = small_log().replace("\t</trace>\n\t<trace>", "\t</trace>\nstray text\n\t<trace>", 1)
    raw = read_xes(write(tmp_path / "log.xes", text))
    assert raw.parser == "iterparse"
