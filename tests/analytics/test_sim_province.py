"""The test province: deterministic, schema-conformant, with a consistent ground truth."""

from __future__ import annotations

import polars as pl
import pytest

from congvu_analytics.org import PEOPLE_SCHEMA, UNITS_SCHEMA
from congvu_analytics.schema import SCHEMA, Activity
from congvu_analytics.sim import (
    BEHAVIOURS,
    LOOKALIKE_GROUPS,
    Province,
    generate,
    load_province,
    save_province,
)


@pytest.fixture(scope="module")
def tiny() -> Province:
    return generate(7, "tiny")


@pytest.fixture(scope="module")
def small() -> Province:
    return generate(1, "small")


def test_the_same_seed_gives_the_same_province_and_another_seed_another() -> None:
    a, b = generate(5, "tiny", tasks=400), generate(5, "tiny", tasks=400)
    assert a.events.equals(b.events)
    assert a.org.people.equals(b.org.people)
    assert a.truth_people.equals(b.truth_people)
    c = generate(6, "tiny", tasks=400)
    assert not a.events.equals(c.events)


def test_the_log_has_the_canonical_schema_and_consistent_events(tiny: Province) -> None:
    e = tiny.events
    assert e.schema == pl.Schema(SCHEMA)
    assert e["event_id"].n_unique() == e.height
    assert set(e["activity"].unique()) <= {a.value for a in Activity}
    assert e.select(pl.col("timestamp").is_sorted().over("case_id").all()).item()
    # Every reference points at an earlier event of the same case.
    refs = e.filter(pl.col("ref_event_id").is_not_null()).join(
        e.select(
            pl.col("event_id").alias("ref_event_id"),
            pl.col("case_id").alias("_ref_case"),
            pl.col("timestamp").alias("_ref_ts"),
        ),
        on="ref_event_id",
        how="left",
    )
    assert refs["_ref_case"].null_count() == 0
    assert (refs["case_id"] == refs["_ref_case"]).all()
    assert (refs["timestamp"] >= refs["_ref_ts"]).all()
    # Each case starts with an assignment; every coordination answer answers a request.
    firsts = e.group_by("case_id", maintain_order=True).first()
    assert (firsts["activity"] == "assign").all()
    answers = e.filter(pl.col("activity") == "coord_answer")
    assert answers["ref_event_id"].null_count() == 0
    # Reviewed flags only on pauses, within_authority only on opinion requests and answers.
    assert set(e.filter(pl.col("reviewed").is_not_null())["activity"].unique()) == {"pause"}
    assert set(e.filter(pl.col("within_authority").is_not_null())["activity"].unique()) == {
        "opinion_request",
        "opinion_given",
    }


def test_everyone_in_the_log_is_in_the_organisation_tables(tiny: Province) -> None:
    units, people = tiny.org.units, tiny.org.people
    assert units.schema == pl.Schema(UNITS_SCHEMA)
    assert people.schema == pl.Schema(PEOPLE_SCHEMA)
    known_people = set(people["person"])
    known_units = set(units["unit"])
    e = tiny.events
    for col in ("actor", "target_actor"):
        assert set(e[col].drop_nulls()) <= known_people
    for col in ("unit", "target_unit"):
        assert set(e[col].drop_nulls()) <= known_units
    assert set(units["parent"].drop_nulls()) <= known_units
    assert set(units["head"].drop_nulls()) <= known_people
    # Two tiers below the province: UBND tỉnh (3), sở/xã (2), divisions (1).
    levels = dict(zip(units["type"], units["level"], strict=True))
    assert levels == {"ubnd_tinh": 3, "so": 2, "xa": 2, "phuong": 2, "phong": 1}
    # Each unit's head works in that unit.
    heads = units.join(people, left_on="head", right_on="person", suffix="_p")
    assert (heads["unit"] == heads["unit_p"]).all()


def test_every_planted_offender_and_bad_head_exists(small: Province) -> None:
    truth, people = small.truth_people, small.org.people
    assert set(truth["person"]) == set(people["person"])
    for b in BEHAVIOURS:
        offenders = truth.filter(pl.col(b))
        assert offenders.height > 0, b
        # A severity for every offender and only for them.
        assert offenders[f"severity_{b}"].is_between(0.0, 1.0).all()
        assert (
            truth.filter(~pl.col(b))[f"severity_{b}"].null_count()
            == truth.height - offenders.height
        )
    bad = small.truth_units.filter(pl.col("bad_head"))
    assert bad.height == small.config.bad_heads
    units = small.org.units.join(bad, on="unit")
    assert (units["type"] == "phong").all()
    # The head of a bad-head division is a stalling offender in the truth.
    heads = truth.filter(pl.col("person").is_in(units["head"].to_list()))
    assert heads["stalling"].all()
    # Offenders lead tasks in the log: a planted person the log never shows would be unfair.
    actors = set(small.events["actor"].drop_nulls())
    offenders = truth.filter(pl.any_horizontal(*BEHAVIOURS))["person"].to_list()
    assert sum(p in actors for p in offenders) >= 0.9 * len(offenders)


def test_every_lookalike_group_has_normal_members_at_small_size(small: Province) -> None:
    normal = small.truth_people.filter(~pl.any_horizontal(*BEHAVIOURS))
    counts = dict(
        normal.explode("groups", empty_as_null=True)
        .group_by("groups")
        .len()
        .drop_nulls()
        .iter_rows()
    )
    for group in LOOKALIKE_GROUPS:
        assert counts.get(group, 0) >= 10, group


def test_small_size_has_the_documented_scale(small: Province) -> None:
    assert 2_700 <= small.org.people.height <= 3_300
    assert small.events["case_id"].n_unique() == 20_000
    assert 250_000 <= small.events.height <= 380_000


def test_a_saved_province_loads_back_unchanged(tiny: Province, tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    save_province(tiny, tmp_path / "p")
    back = load_province(tmp_path / "p")
    assert back.events.equals(tiny.events)
    assert back.truth_people.equals(tiny.truth_people)
    assert back.org.units.equals(tiny.org.units)
    assert back.config == tiny.config


def test_an_unknown_size_or_parameter_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="medium"):
        generate(1, "medium")
    with pytest.raises(ValueError, match="peeple"):
        generate(1, "tiny", peeple=10)


def test_the_severity_mix_sets_how_blatant_the_offenders_are() -> None:
    truth = generate(7, "tiny", severity_mix=(0.0, 0.0, 1.0)).truth_people
    # Every planted offender blatant; stalling also holds the bad heads (0.4-0.9 by design).
    for b in ("avoidance", "buck_passing", "fear"):
        assert truth.filter(pl.col(b))[f"severity_{b}"].min() >= 0.8, b
    with pytest.raises(ValueError, match="severity_mix"):
        generate(7, "tiny", severity_mix=(0.6, 0.6, 0.0))
    with pytest.raises(ValueError, match="severity_mix"):
        generate(7, "tiny", severity_mix=(-0.1, 0.5, 0.5))


def test_building_the_log_in_chunks_gives_the_same_log(monkeypatch: pytest.MonkeyPatch) -> None:
    # The large province is built a million rows at a time; a chunk must never split a case.
    from congvu_analytics import sim

    whole = generate(9, "tiny", tasks=600).events
    monkeypatch.setattr(sim, "_CHUNK_ROWS", 777)
    chunked = generate(9, "tiny", tasks=600).events
    assert chunked.equals(whole)


def test_a_province_kept_by_another_generator_version_is_refused(
    tiny: Province, tmp_path: object
) -> None:
    import json
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    save_province(tiny, tmp_path / "p")
    meta_path = tmp_path / "p" / "province.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["generator_version"] = -1
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ValueError, match="sinh lại"):
        load_province(tmp_path / "p")


def test_offenders_show_their_behaviour_far_more_often_than_others(small: Province) -> None:
    truth = small.truth_people.join(small.org.people.select("person", "position"), on="person")
    staff = truth.filter(pl.col("position").is_in(["chuyen_vien", "pho_truong_phong"]))
    for b in BEHAVIOURS:
        offenders = staff.filter(pl.col(b))[f"shown_{b}"].mean()
        others = staff.filter(~pl.col(b))[f"shown_{b}"].mean()
        assert isinstance(offenders, float) and isinstance(others, float)
        assert offenders > 3 * others, b
