"""One search interface over tasks, directives, findings, people and units.

`ranked(queryset, query)` keeps the rows of `queryset` that contain every word of `query`
(any order, accents and case ignored, the last word as a prefix so search-as-you-type works)
and annotates `search_rank` (higher is better). The index behind it depends on the database,
chosen here and nowhere else:

- PostgreSQL: text search with the `congvu_search` configuration (simple + unaccent) over GIN
  expression indexes, ranked by ts_rank_cd; names (people, units) also match by trigram word
  similarity (pg_trgm), so "Nguyen Van Anh" finds "Nguyễn Văn Ánh" and a mistyped "Nguyen Vn Anh".
- SQLite (the embedded default): FTS5 tables kept in step by triggers, ranked by bm25.

Both are created by congvu/web/migrations/0005_search_indexes.py. Scope (who may see what) is
the caller's queryset: this module never widens it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db import connections, models
from django.db.models import QuerySet

from congvu.lib.text import fold
from congvu.tasks.models import Task

M = TypeVar("M", bound=models.Model)
QS = TypeVar("QS", bound=QuerySet[Any])

# A longer query adds nothing but work: twelve words is a long Vietnamese sentence.
MAX_TERMS = 12


@dataclass(frozen=True)
class Index:
    fts_table: str  # SQLite FTS5 table (rowid = the row's id)
    column: str  # the indexed column (PostgreSQL expression index)
    names: bool  # also match by trigram similarity on PostgreSQL


def _index_for(model: type[models.Model]) -> Index:
    label = model._meta.label_lower
    try:
        return INDEXES[label]
    except KeyError:
        raise ValueError(f"{label} has no search index") from None


INDEXES = {
    "tasks.task": Index("search_task", "search_text", names=False),
    "org.unit": Index("search_unit", "search_text", names=True),
    "org.person": Index("search_person", "search_text", names=True),
    "detection.finding": Index("search_finding", "sentence", names=False),
}


def terms(query: str) -> list[str]:
    """The words of a query, folded: letters and digits only, so nothing in them can be an
    operator of either query language.

    >>> terms("  Dự toán, 2027! ")
    ['du', 'toan', '2027']
    """
    return re.findall(r"[^\W_]+", fold(query))[:MAX_TERMS]


def ranked(queryset: QuerySet[M], query: str) -> QuerySet[M]:
    """The rows of `queryset` matching every word of `query`, best first (see module doc)."""
    words = terms(query)
    if not words:
        return queryset.none()
    index = _index_for(queryset.model)
    table = queryset.model._meta.db_table
    if connections[queryset.db].vendor == "postgresql":
        found = _postgres(queryset, index, table, words)
    else:
        found = _sqlite(queryset, index, table, words)
    return found.order_by("-search_rank", "-pk")


def containing(queryset: QS, query: str) -> QS:
    """A list's keyword filter: the rows of `queryset` matching every word of `query`, left in
    the list's own order (the match is a subquery so that `ranked`'s order does not replace it)."""
    matching = ranked(queryset.model._default_manager.all(), query).order_by().values("pk")
    return queryset.filter(pk__in=matching)


def _postgres(queryset: QuerySet[M], index: Index, table: str, words: list[str]) -> QuerySet[M]:
    tsquery = " & ".join([*words[:-1], f"{words[-1]}:*"])
    column = f'"{table}"."{index.column}"'
    vector = f"to_tsvector('congvu_search', {column})"
    match = f"{vector} @@ to_tsquery('congvu_search', %s)"
    rank = f"ts_rank_cd({vector}, to_tsquery('congvu_search', %s))"
    where_params: list[object] = [tsquery]
    rank_params: list[object] = [tsquery]
    if index.names:
        # `<%` is word similarity above pg_trgm.word_similarity_threshold (0.6), served by the
        # trigram index; `%%` because the SQL goes through psycopg's parameter formatting.
        phrase = " ".join(words)
        match = f"({match} OR %s <%% {column})"
        rank = f"({rank} + word_similarity(%s, {column}))"
        where_params.append(phrase)
        rank_params.append(phrase)
    return queryset.extra(  # noqa: S610 - the SQL is ours; the words go in as parameters
        where=[match], params=where_params, select={"search_rank": rank}, select_params=rank_params
    )


def _sqlite(queryset: QuerySet[M], index: Index, table: str, words: list[str]) -> QuerySet[M]:
    fts = index.fts_table
    expression = " AND ".join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}"*'])
    # A join on rowid, not a correlated sub-query: FTS5 drives the query and bm25() is
    # computed once per match (lower is better, hence the minus).
    return queryset.extra(  # noqa: S610 - the SQL is ours; the words go in as a parameter
        tables=[fts],
        where=[f'{fts}.rowid = "{table}"."id"', f"{fts} MATCH %s"],
        params=[expression],
        select={"search_rank": f"-bm25({fts})"},
    )


@dataclass(frozen=True)
class Directive:
    """A directing document (văn bản chỉ đạo) as the tasks that cite it know it."""

    number: str
    issued: date | None
    issuer: str
    excerpt: str
    tasks: int


def directives(tasks: QuerySet[Task], query: str, limit: int = 200) -> list[Directive]:
    """The documents cited by the best-ranked matching tasks, in the order of their best task.

    Directives are not rows of their own yet: a document is the (number, date) its tasks cite."""
    found: dict[tuple[str, date | None], Directive] = {}
    for t in ranked(tasks.filter(is_ad_hoc=False), query)[:limit]:
        key = (t.source_number, t.source_date)
        d = found.get(key)
        found[key] = Directive(
            number=t.source_number,
            issued=t.source_date,
            issuer=d.issuer if d else t.source_issuer,
            excerpt=d.excerpt if d else t.source_excerpt,
            tasks=(d.tasks if d else 0) + 1,
        )
    return list(found.values())
