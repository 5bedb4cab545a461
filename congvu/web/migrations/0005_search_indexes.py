"""Full-text search indexes (congvu.web.search): PostgreSQL text search with unaccent and
trigram indexes for names; SQLite FTS5 tables kept in step by triggers.

The indexed columns already exist (the folded `search_text` of tasks, units and people; a
finding's `sentence`), so the model state does not change: this is database-only DDL, chosen
per vendor. On PostgreSQL the role running migrations must be allowed to create the unaccent
and pg_trgm extensions (the superuser, or a database owner on PostgreSQL 13+ since both are
trusted extensions).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (FTS5 table, indexed table, indexed column, SQL computing the indexed text from a row).
# SQLite has no unaccent: FTS5's `remove_diacritics 2` strips the marks, but đ is a letter of
# its own, not a d with a mark, so the (unfolded) finding sentence has it replaced first.
SQLITE_INDEXES = [
    ("search_task", "tasks_task", "search_text", "{r}.search_text"),
    ("search_unit", "org_unit", "search_text", "{r}.search_text"),
    ("search_person", "org_person", "search_text", "{r}.search_text"),
    (
        "search_finding",
        "detection_finding",
        "sentence",
        "replace(replace({r}.sentence, 'đ', 'd'), 'Đ', 'D')",
    ),
]

PG_FTS = [
    ("task_search_fts", "tasks_task", "search_text"),
    ("unit_search_fts", "org_unit", "search_text"),
    ("person_search_fts", "org_person", "search_text"),
    ("finding_search_fts", "detection_finding", "sentence"),
]
PG_TRGM = [("unit_search_trgm", "org_unit"), ("person_search_trgm", "org_person")]


def _sqlite_forward(cursor: Any) -> None:
    for fts, table, column, text in SQLITE_INDEXES:
        new = text.format(r="new")
        cursor.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(body, tokenize='unicode61 remove_diacritics 2')"
        )
        cursor.execute(
            f"INSERT INTO {fts}(rowid, body) SELECT id, {text.format(r=table)} FROM {table}"
        )
        cursor.execute(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, body) VALUES (new.id, {new}); END"
        )
        # Only an UPDATE naming the column fires this: a task's status change does not.
        cursor.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; "
            f"INSERT INTO {fts}(rowid, body) VALUES (new.id, {new}); END"
        )
        cursor.execute(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; END"
        )


def _postgres_forward(cursor: Any) -> None:
    cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # 'simple' (no stemming: Vietnamese words are syllables) with accents removed first.
    cursor.execute("CREATE TEXT SEARCH CONFIGURATION congvu_search (COPY = simple)")
    cursor.execute(
        "ALTER TEXT SEARCH CONFIGURATION congvu_search ALTER MAPPING FOR "
        "asciiword, word, hword, hword_part, hword_asciipart, asciihword, numword, numhword "
        "WITH unaccent, simple"
    )
    for name, table, column in PG_FTS:
        cursor.execute(
            f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('congvu_search', {column}))"
        )
    for name, table in PG_TRGM:
        cursor.execute(f"CREATE INDEX {name} ON {table} USING gin (search_text gin_trgm_ops)")


def forward(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            _postgres_forward(cursor)
        elif schema_editor.connection.vendor == "sqlite":
            _sqlite_forward(cursor)


def backward(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            for name, *_ in PG_FTS + PG_TRGM:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            cursor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS congvu_search")
        elif schema_editor.connection.vendor == "sqlite":
            for fts, *_ in SQLITE_INDEXES:
                for suffix in ("ai", "au", "ad"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
                cursor.execute(f"DROP TABLE IF EXISTS {fts}")


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0004_person_summary"),
        ("tasks", "0006_task_import_key"),
        ("org", "0001_initial"),
        ("detection", "0003_finding_combined_evidence"),
    ]

    operations = [migrations.RunPython(forward, backward)]
