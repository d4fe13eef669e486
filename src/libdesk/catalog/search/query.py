"""libdesk's own query language, parsed in Python (tantivy's parser rejects a pasted title
with a colon). Free words, "phrases", prefix*, and title:/author:/subject:/isbn: fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from libdesk.catalog.derive import fold

FIELDS = {"title", "author", "subject", "series", "isbn"}
TOKEN = re.compile(r'(?:(\w+):)?(?:"([^"]*)"|(\S+))')
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded; more than one word is a phrase
    field: str | None = None  # None: every text field
    prefix: bool = False


@dataclass
class ParsedQuery:
    terms: list[Term] = field(default_factory=list)
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.terms


def parse(text: str) -> ParsedQuery:
    query = ParsedQuery(text=text.strip())
    for match in TOKEN.finditer(text):
        name, phrase, bare = match.groups()
        if name and name.lower() not in FIELDS:  # "Grover Cleveland: our..." is not a field
            bare = f"{name}:{phrase if phrase is not None else bare or ''}"
            name = None
        target = name.lower() if name else None
        if phrase is not None:
            words = tuple(WORD.findall(fold(phrase)))
            if words:
                query.terms.append(Term(words, target))
            continue
        prefix = bare.endswith("*") and len(bare.rstrip("*")) >= 2
        for word in WORD.findall(fold(bare)):
            query.terms.append(Term((word,), target, prefix))
    return query
