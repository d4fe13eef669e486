"""The built-in search engine: an embedded tantivy index under the data directory.

The interface is narrow (write, clear, search, and suggest: indexed words spelt like a
query's words) so a scale-out engine can stand in its place.
Tantivy allows one writer: the writer is taken under a file lock, and the outbox
indexer is the only code that writes.

A SearchRequest is bounded when it is made, whoever makes it: pages reach no further than
MAX_RESULT_WINDOW results (deep paging is capped as Elasticsearch caps it with
`index.max_result_window`), and a query has at most SEARCH_TERMS_MAX words. Out of range is
an InputError naming the field, so every door answers it as bad input.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import tantivy
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from libdesk.catalog.search.query import ParsedQuery, Term
from libdesk.core.bounds import (
    MAX_RESULT_WINDOW,
    PAGE_SIZE_MAX,
    SEARCH_PREFIXES_MAX,
    SEARCH_TERMS_MAX,
    SEARCH_TEXT_MAX,
    YEAR_MAX,
    YEAR_MIN,
)
from libdesk.core.errors import InputError

TEXT_FIELDS = {"title": 3.0, "author": 2.0, "subject": 1.5, "series": 1.0, "notes": 0.5}
FACETS = ("material_type", "language", "audience", "subject_facet", "available_at")
# "Did you mean": indexed words of these fields are offered for a word spelt nearly like them.
SUGGEST_FIELDS = ("title", "author", "subject")
SUGGEST_MIN_LENGTH = 4
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
SORTS = {
    "newest": ("year", tantivy.Order.Desc),
    "title": ("title_sort", tantivy.Order.Asc),
    "author": ("author_sort", tantivy.Order.Asc),
}


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(
            name, stored=False, tokenizer_name="default", index_option="position"
        )
    builder.add_text_field("ident", stored=False, tokenizer_name="raw")
    for name in (*FACETS, "title_sort", "author_sort"):
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    builder.add_integer_field("year", stored=False, indexed=True, fast=True)
    return builder.build()


@dataclass
class IndexDoc:
    id: int
    title: str
    author: str
    subject: str
    series: str
    notes: str
    idents: list[str]
    material_type: str
    language: str
    audience: str
    subject_facets: list[str]
    available_at: list[str]
    year: int | None
    title_sort: str
    author_sort: str


@dataclass
class SearchRequest:
    query: ParsedQuery
    filters: dict[str, str] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    limit: int = 20
    require_all: bool = True
    facets: bool = True

    def __post_init__(self) -> None:
        self._check_window()
        self._check_query()
        for name in ("year_from", "year_to"):
            year = getattr(self, name)
            if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
                message = _("A year is between %(low)s and %(high)s.")
                raise InputError(name, message % {"low": YEAR_MIN, "high": YEAR_MAX})

    def _check_window(self) -> None:
        if not 1 <= self.limit <= PAGE_SIZE_MAX:
            message = _("Ask for 1 to %(n)s results per page.")
            raise InputError("limit", message % {"n": PAGE_SIZE_MAX})
        if self.page < 1 or self.page * self.limit > MAX_RESULT_WINDOW:
            message = _(
                "Only the first %(window)s results can be paged through (page × results per "
                "page at most %(window)s). Add words or filters to narrow the search."
            )
            raise InputError(
                "page", message % {"window": number_format(MAX_RESULT_WINDOW, force_grouping=True)}
            )

    def _check_query(self) -> None:
        if len(self.query.text) > SEARCH_TEXT_MAX:
            message = _("A search has at most %(n)s characters.")
            raise InputError("q", message % {"n": SEARCH_TEXT_MAX})
        if sum(len(term.words) for term in self.query.terms) > SEARCH_TERMS_MAX:
            message = _("A search has at most %(n)s words.")
            raise InputError("q", message % {"n": SEARCH_TERMS_MAX})
        if sum(term.prefix for term in self.query.terms) > SEARCH_PREFIXES_MAX:
            message = _("A search has at most %(n)s words ending in *.")
            raise InputError("q", message % {"n": SEARCH_PREFIXES_MAX})

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass
class SearchResponse:
    total: int
    ids: list[int]
    facets: dict[str, list[tuple[str, int]]]


class TantivyEngine:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> tantivy.Index:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        return self._index

    @contextmanager
    def writer(self, wait: bool = True) -> Iterator[tantivy.IndexWriter | None]:
        """The single writer, under a file lock shared by every process on this data dir.
        With wait=False, yields None at once when another process holds it."""
        with (self.path / ".writer.lock").open("w") as lock_file:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield None
                return
            writer = self.index.writer(heap_size=128_000_000, num_threads=1)
            try:
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def write(self, writer: tantivy.IndexWriter, docs: list[IndexDoc], removed: list[int]) -> None:
        """Replace these records' documents. (delete_documents_by_term does nothing on a u64
        field in these bindings, so deletion goes through a term-set query.)"""
        stale = [*removed, *(d.id for d in docs)]
        if stale:
            writer.delete_documents_by_query(tantivy.Query.term_set_query(self.schema, "id", stale))
        for doc in docs:
            writer.add_document(self._document(doc))

    def _document(self, doc: IndexDoc) -> tantivy.Document:
        fields = {
            "id": doc.id,
            "title": doc.title,
            "author": doc.author,
            "subject": doc.subject,
            "series": doc.series,
            "notes": doc.notes,
            "ident": doc.idents,
            "material_type": doc.material_type,
            "language": doc.language or "und",
            "audience": doc.audience or "unknown",
            "subject_facet": doc.subject_facets,
            "available_at": doc.available_at,
            "title_sort": doc.title_sort,
            "author_sort": doc.author_sort or "~",
        }
        if doc.year is not None:
            fields["year"] = doc.year
        return tantivy.Document.from_dict(fields, self.schema)

    def clear(self, writer: tantivy.IndexWriter) -> None:
        writer.delete_all_documents()

    def search(self, request: SearchRequest) -> SearchResponse:
        self.index.reload()
        searcher = self.index.searcher()
        query = self._query(request)
        kwargs = {"limit": request.limit, "offset": request.offset, "count": True}
        if request.sort in SORTS:
            kwargs["order_by_field"], kwargs["order"] = SORTS[request.sort]
        result = searcher.search(query, **kwargs)
        ids = [searcher.doc(address)["id"][0] for _, address in result.hits]
        facets = self._facets(searcher, query) if request.facets else {}
        return SearchResponse(result.count, ids, facets)

    def suggest(self, words: list[str]) -> dict[str, str]:
        """For each folded word the index does not hold, the indexed word one edit away
        (a letter left out, added, changed, or two neighbours swapped: "histroy") found in
        the most records. Words with no such neighbour are left out.

        The candidates (about 54 per letter) are looked up in the term dictionaries one by
        one, which costs a few milliseconds; walking the dictionary under a prefix costs up to
        ten on 250,000 records."""
        self.index.reload()
        searcher = self.index.searcher()
        found = {}
        for word in dict.fromkeys(words):
            if len(word) < SUGGEST_MIN_LENGTH or not (word.isascii() and word.isalpha()):
                continue
            if _records_with(searcher, word):
                continue
            counted = [(_records_with(searcher, c), c) for c in sorted(_one_edit(word))]
            best = max(counted, default=(0, ""))
            if best[0]:
                found[word] = best[1]
        return found

    def _query(self, request: SearchRequest) -> tantivy.Query:
        clauses = []
        if request.query.terms:
            occur = tantivy.Occur.Must if request.require_all else tantivy.Occur.Should
            clauses += [(occur, self._term_query(t)) for t in request.query.terms]
        else:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        for name, value in request.filters.items():
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, name, value)))
        if request.year_from is not None or request.year_to is not None:
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        self.schema,
                        "year",
                        tantivy.FieldType.Integer,
                        request.year_from if request.year_from is not None else -10_000,
                        request.year_to if request.year_to is not None else 10_000,
                    ),
                )
            )
        return tantivy.Query.boolean_query(clauses)

    def _term_query(self, term: Term) -> tantivy.Query:
        if term.field == "isbn":
            return tantivy.Query.term_set_query(self.schema, "ident", list(term.words))
        fields = [term.field] if term.field else list(TEXT_FIELDS)
        alternatives = [self._field_query(name, term) for name in fields]
        return (
            alternatives[0]
            if len(alternatives) == 1
            else tantivy.Query.disjunction_max_query(alternatives, tie_breaker=0.1)
        )

    def _field_query(self, name: str, term: Term) -> tantivy.Query:
        boost = TEXT_FIELDS.get(name, 1.0)
        if len(term.words) > 1:
            query = tantivy.Query.phrase_query(self.schema, name, list(term.words))
        elif term.prefix:
            query = tantivy.Query.regex_query(
                self.schema, name, _regex_escape(term.words[0]) + ".*"
            )
        else:
            query = tantivy.Query.term_query(self.schema, name, term.words[0])
        return tantivy.Query.boost_query(query, boost)

    def _facets(self, searcher: tantivy.Searcher, query: tantivy.Query) -> dict:
        spec = {name: {"terms": {"field": name, "size": 30}} for name in FACETS}
        spec["year"] = {"histogram": {"field": "year", "interval": 10}}
        raw = searcher.aggregate(query, spec)
        facets = {
            name: [(b["key"], b["doc_count"]) for b in raw[name]["buckets"]] for name in FACETS
        }
        facets["decade"] = [
            (int(b["key"]), b["doc_count"]) for b in raw["year"]["buckets"] if b["doc_count"]
        ]
        return facets


def _records_with(searcher: tantivy.Searcher, word: str) -> int:
    return sum(searcher.doc_freq(name, word) for name in SUGGEST_FIELDS)


def _one_edit(word: str) -> set[str]:
    """Every string one edit from `word` (Norvig's "edits1")."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    changes = [a + c + b[1:] for a, b in splits if b for c in ALPHABET]
    inserts = [a + c + b for a, b in splits for c in ALPHABET]
    return {*deletes, *swaps, *changes, *inserts} - {word}


def _regex_escape(word: str) -> str:
    return "".join(f"\\{c}" if not c.isalnum() else c for c in word)
