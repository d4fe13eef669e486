"""A pseudo-locale that shows which interface text was marked for translation.

While it is active, every string that goes through gettext (ngettext, pgettext, lazy strings,
{% translate %}, {% blocktranslate %}, Django's own month names) comes back between ⟪ and ⟫,
whether or not the French catalogue has it yet. Text on a page outside those marks was never
marked, unless it is data: what the library entered (catalogue, names, branches, the policy's
own text), read here from every text column of the database, or numbers, dates and codes. An
element a template marks translate="no" (HTML's own attribute: "leave this as it is") holds
codes shown on purpose, such as the audit log's action codes, and is not interface text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from django.conf.locale import LANG_INFO
from django.utils.translation import trans_real

PSEUDO = "eo"  # a code Django knows (get_language_info) and that libdesk does not offer
OPEN, CLOSE = "⟪", "⟫"


def mark(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}" if text else text


class PseudoTranslation(trans_real.DjangoTranslation):
    """Django's translation object for PSEUDO, answering every lookup with the marked msgid
    (placeholders such as %(name)s and {name} stay as they are)."""

    def __init__(self) -> None:
        super().__init__(PSEUDO)

    def gettext(self, message: str) -> str:
        # pgettext asks for "context\x04message"; the context is not shown
        return mark(message.split(trans_real.CONTEXT_SEPARATOR)[-1])

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        chosen = singular if number == 1 else plural
        return mark(chosen.split(trans_real.CONTEXT_SEPARATOR)[-1])


def install() -> None:
    """Make PSEUDO's translation the marking one (after LANGUAGES lists PSEUDO)."""
    trans_real._translations[PSEUDO] = PseudoTranslation()


# --- What a page shows -------------------------------------------------------------------

SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
BUTTON_TYPES = ("submit", "button", "reset")
NOT_SHOWN = ("script", "style", "template")


class _Text(HTMLParser):
    """Visible text nodes in document order, and the shown attributes of every element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.attributes: list[str] = []
        self._hidden = 0
        self._verbatim: list[str] = []  # the open elements marked translate="no", innermost last

    def handle_starttag(self, tag, attrs):
        if tag in NOT_SHOWN:
            self._hidden += 1
        values = dict(attrs)
        if values.get("translate") == "no" or (self._verbatim and tag == self._verbatim[-1]):
            self._verbatim.append(tag)
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                self.attributes.append(values[name])
        if tag == "input" and values.get("type") in BUTTON_TYPES and values.get("value"):
            self.attributes.append(values["value"])

    def handle_endtag(self, tag):
        if tag in NOT_SHOWN and self._hidden:
            self._hidden -= 1
        if self._verbatim and tag == self._verbatim[-1]:
            self._verbatim.pop()

    def handle_data(self, data):
        if not self._hidden:
            self.nodes.append("\n" if self._verbatim else data)


def outside_marks(text: str) -> list[str]:
    """The stretches of `text` not between ⟪ and ⟫ (marks nest: a translated string may hold
    another, such as a month name in a date)."""
    pieces, depth, current = [], 0, []
    for char in text:
        if char == OPEN:
            if depth == 0:
                pieces.append("".join(current))
                current = []
            depth += 1
        elif char == CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0:
            current.append(char)
    pieces.append("".join(current))
    return [p.strip() for chunk in pieces for p in chunk.split("\n") if p.strip()]


def shown_text(html: str) -> list[str]:
    """Every stretch of shown text left outside the marks. Text nodes are joined first, since
    one translated sentence may span several (a link inside a {% blocktranslate %})."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    found = outside_marks("\n".join(parser.nodes))
    for value in parser.attributes:
        found.extend(outside_marks(value))
    return found


# --- What counts as data -----------------------------------------------------------------

WORD = re.compile(r"\w+")
# Shown as they are, in any language: web addresses, e-mail addresses, libdesk's settings.
VERBATIM = re.compile(r"https?://\S+|\S+@\S+|\bLIBDESK_[A-Z_]+\b")
# An identifier rather than words (a code stored for a program, not text for people): shown
# raw, it is a defect, so it never counts as data.
CODE = re.compile(r"^[a-z0-9]+(?:[_.][a-z0-9]+)+$|^[a-z]{2,3}$")


def _words(text: str) -> tuple[str, ...]:
    """The words of `text`, case folded, without numbers, dates and codes (anything with a
    digit in it: those are data wherever they appear)."""
    chunks = VERBATIM.sub(" ", text).split()
    return tuple(
        word.casefold()
        for chunk in chunks
        if not any(c.isdigit() for c in chunk)
        for word in WORD.findall(chunk)
    )


def _strings(value) -> Iterable[str]:
    """The strings in a column's value (a JSON column's, at any depth)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)


class Data:
    """The text the library entered, to tell it apart from interface text."""

    def __init__(self, values: Iterable[str]) -> None:
        self.starting: dict[str, set[tuple[str, ...]]] = {}
        long_texts = []
        for value in values:
            if not value or CODE.match(value.strip()):
                continue
            for part in {value, *value.splitlines()}:  # an address shown line by line
                words = _words(part)
                if words:
                    self.starting.setdefault(words[0], set()).add(words)
            if len(_words(value)) > 6:
                long_texts.append(" ".join(_words(value)))
        self.long_text = "\n".join(long_texts)

    @classmethod
    def from_database(cls, extra: Iterable[str] = ()) -> Data:
        """Every value of every text column (choices excepted: those are codes with labels),
        and the languages' own names in the language menu."""
        from django.apps import apps
        from django.conf import settings
        from django.db import models

        values: set[str] = set(extra)
        values.update(LANG_INFO[code]["name_local"] for code, _ in settings.LANGUAGES)
        for model in apps.get_models():
            for column in model._meta.concrete_fields:
                text = isinstance(column, models.CharField | models.TextField)
                if (text and not column.choices) or isinstance(column, models.JSONField):
                    found = model._default_manager.values_list(column.attname, flat=True)
                    for value in found.distinct():
                        values.update(_strings(value))
        return cls(values)

    def covers(self, text: str) -> bool:
        """True when `text` is numbers, dates, codes and punctuation, one or more data values
        one after the other, or (three words or more) a passage of a long data text."""
        words = _words(text)
        if not words:
            return True
        if len(words) >= 3 and " ".join(words) in self.long_text:
            return True
        reachable = {0}
        for start in range(len(words)):
            if start not in reachable:
                continue
            for value in self.starting.get(words[start], ()):
                if tuple(words[start : start + len(value)]) == value:
                    reachable.add(start + len(value))
        return len(words) in reachable


def unmarked(html: str, data: Data) -> list[str]:
    """The interface text on a page rendered in the pseudo-locale that was not marked."""
    return [text for text in shown_text(html) if not data.covers(text)]
