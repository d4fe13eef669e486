"""The answer checker: facts, not opinions (policy OP-02-01-01, clause facts-not-opinions).

Staff answer "with the best factual information available" and refrain from personal opinions
or advice; they may point to consumer-information sources but never recommend products or
services. `check(text, lang)` reads a draft answer and returns what a reviewer should look at:

- flags: a personal opinion ("I think", "à mon avis"), advice ("you should", "vous devriez")
  or a recommendation of a product, brand, shop or provider ("I recommend", "la meilleure
  marque", "you can't go wrong with");
- warnings: an answer that names no source at all (no link, no catalogue record, no named
  organisation or publication). A warning is not a flag: some answers need no source.

It is a reviewer's aid, rule-based and explainable: each finding gives the exact words, their
offsets in the text, the clause and why. It does not understand meaning; docs/reference-checker.md
says what it misses. Text is folded (lower case, no accents, one apostrophe) before matching,
and offsets always point into the text as given.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from libdesk.reference import checker_rules as rules

CLAUSE = "OP-02-01-01/facts-not-opinions"
LANGUAGES = ("en", "fr")
MAX_CHARS = 20_000

WHY = {
    "opinion": _(
        "A personal opinion. Staff give the best factual information available, not their "
        "own views: say what a source says, and name it."
    ),
    "advice": _(
        "Personal advice. Staff do not tell a patron what to do: give the facts and the "
        "sources, and let the patron decide."
    ),
    "recommendation": _(
        "A recommendation of a product, brand or business. Staff may point to "
        "consumer-information sources but do not recommend products or services."
    ),
    "no_source": _(
        "No source is named. An answer says where its facts come from: a link, a catalogue "
        "record, or the organisation or publication."
    ),
}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_LIGATURES = {"œ": "oe", "æ": "ae"}
_QUOTED = re.compile(r"“[^”]*”|«[^»]*»|\"[^\"\n]*\"|\*[^*\n]+\*|(?<!\w)_[^_\n]+_(?!\w)")
_SENTENCE_END = re.compile(r"[.!?\n]")


class AnswerTooLong(ValueError):
    """The text is longer than MAX_CHARS: a reference answer is never that long."""


@dataclass(frozen=True)
class Finding:
    """One thing found in an answer: what kind, the exact words and where, and why it matters."""

    kind: str
    match: str
    start: int
    end: int
    clause: str
    why: str | Promise

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "match": self.match,
            "start": self.start,
            "end": self.end,
            "clause": self.clause,
            "why": str(self.why),
        }


@dataclass(frozen=True)
class Findings:
    """What `check` found: flags (against the policy) and warnings (worth a second look)."""

    flags: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def as_json(self) -> dict[str, object]:
        return {
            "flagged": self.flagged,
            "flags": [finding.as_json() for finding in self.flags],
            "warnings": [finding.as_json() for finding in self.warnings],
        }


def fold(text: str) -> tuple[str, list[int] | None]:
    """Lower case, accents removed, apostrophes made `'`; and where each folded character came
    from in `text` (None when every character stays in place, as in plain ASCII)."""
    text = text.translate(_APOSTROPHES)
    if text.isascii():
        return text.lower(), None
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if unicodedata.combining(char):
            continue  # an accent written as its own character
        base = unicodedata.normalize("NFD", char)[0].lower()
        base = _LIGATURES.get(base, base)
        folded.append(base)
        origin.extend([index] * len(base))
    return "".join(folded), origin


def check(text: str, lang: str = "en") -> Findings:
    """Flag opinions, advice and recommendations in a reference answer; warn if no source.

    Raises ValueError for a language other than "en" or "fr", and AnswerTooLong (a ValueError)
    beyond MAX_CHARS characters. Empty or blank text has nothing to find.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    if len(text) > MAX_CHARS:
        raise AnswerTooLong(f"the answer has {len(text)} characters; the limit is {MAX_CHARS}")
    if not text.strip():
        return Findings()
    folded, origin = fold(text)
    flags = [_finding(text, kind, start, end, origin) for kind, start, end in _flags(folded, lang)]
    warnings = [] if _names_a_source(text, folded, lang) else [_no_source()]
    return Findings(flags=flags, warnings=warnings)


def _flags(folded: str, lang: str) -> list[tuple[str, int, int]]:
    quoted = _Spans(match.span() for match in _QUOTED.finditer(folded))
    allowed = _Spans(match.span() for p in _allow(lang) for match in p.finditer(folded))
    sentences = _Sentences(folded, lang)
    found: list[tuple[str, int, int]] = []
    for kind, pattern in _flag_patterns(lang):
        for match in pattern.finditer(folded):
            start, end = match.span("m") if "m" in pattern.groupindex else match.span()
            if quoted.contain(start, end) or allowed.overlap(start, end):
                continue
            if not _first_person(lang).search(folded[start:end]) and sentences.report(start):
                continue  # reported words; a first-person phrase is the librarian's own
            found.append((kind, start, end))
    return _without_overlaps(found)


class _Spans:
    """Spans of the text, merged where they overlap, for quick lookups by position."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def contain(self, start: int, end: int) -> bool:
        index = bisect_right(self.starts, start) - 1
        return index >= 0 and end <= self.ends[index]

    def overlap(self, start: int, end: int) -> bool:
        index = bisect_left(self.starts, end) - 1
        return index >= 0 and self.ends[index] > start


class _Sentences:
    """Whether the sentence around a position reports a source ("the Act says landlords
    should", "Consumer Reports rates it the best"), each sentence read once."""

    def __init__(self, folded: str, lang: str) -> None:
        self.folded, self.lang = folded, lang
        self.ends = [match.start() for match in _SENTENCE_END.finditer(folded)]
        self.known: dict[int, bool] = {}

    def report(self, position: int) -> bool:
        index = bisect_right(self.ends, position)
        if index not in self.known:
            start = self.ends[index - 1] + 1 if index else 0
            end = self.ends[index] if index < len(self.ends) else len(self.folded)
            self.known[index] = _reporting(self.lang).search(self.folded, start, end) is not None
        return self.known[index]


def _without_overlaps(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    kept: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(found, key=lambda f: (f[1], f[1] - f[2])):
        if kept and start < kept[-1][2]:
            continue
        kept.append((kind, start, end))
    return kept


def _finding(text: str, kind: str, start: int, end: int, origin: list[int] | None) -> Finding:
    if origin is not None:
        start, end = origin[start], origin[end - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # keep an accent written after the last letter
    return Finding(kind, text[start:end], start, end, CLAUSE, WHY[kind])


def _no_source() -> Finding:
    """About the whole answer, which has no words to point at: an empty span at its start."""
    return Finding("no_source", "", 0, 0, CLAUSE, WHY["no_source"])


def _names_a_source(text: str, folded: str, lang: str) -> bool:
    if any(pattern.search(folded) for pattern in _source_signs()):
        return True
    if re.search(rules.TITLE, text):
        return True
    for match in re.finditer(rules.NAME[lang], text):
        words = re.findall(rules.CAP, match.group())
        if sum(word not in rules.NOT_NAMES for word in words) >= 2:
            return True
    return any(acronym not in rules.NOT_ACRONYMS for acronym in re.findall(rules.ACRONYM, text))


@cache
def _flag_patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    return [(kind, re.compile(pattern, re.MULTILINE)) for kind, pattern in rules.FLAGS[lang]]


@cache
def _allow(lang: str) -> list[re.Pattern[str]]:
    return [re.compile(pattern) for pattern in rules.ALLOW[lang]]


@cache
def _reporting(lang: str) -> re.Pattern[str]:
    return re.compile(rules.REPORTING[lang])


@cache
def _first_person(lang: str) -> re.Pattern[str]:
    return re.compile(rules.FIRST_PERSON[lang])


@cache
def _source_signs() -> list[re.Pattern[str]]:
    return [re.compile(pattern) for pattern in rules.SOURCE_SIGNS]
