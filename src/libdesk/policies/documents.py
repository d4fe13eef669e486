"""The policy document format: YAML files a library keeps beside its board minutes.

The format is described in docs/policy-format.md. Reading a file gives a `PolicyDocument`
or raises `DocumentError` naming the line and the field that is wrong, before anything is
stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClauseTranslationDoc(_Strict):
    title: Text = Field(max_length=200)
    text: Text
    why: Text


class ClauseDoc(_Strict):
    id: Slug
    title: Text = Field(max_length=200)
    text: Text
    why: Text
    translations: dict[Language, ClauseTranslationDoc] = {}


class TranslationDoc(_Strict):
    title: Text = Field(max_length=200)
    text: Text
    official: bool


class PolicyDocument(_Strict):
    number: Number
    title: Text = Field(max_length=200)
    section: Text = Field(max_length=100)
    status: Literal["draft", "in_force"] = "in_force"
    supersedes: Number | None = None
    motion: Annotated[str, StringConstraints(max_length=40)] = ""
    adopted: date | None = None
    last_reviewed: date | None = None
    review_every_years: int = Field(ge=1, le=20)
    text: Text
    translations: dict[Language, TranslationDoc] = {}
    clauses: list[ClauseDoc] = Field(min_length=1)

    def digest(self) -> str:
        """Fingerprint of the content, so re-importing an unchanged file changes nothing."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


@dataclass
class DocumentError(Exception):
    """A problem in a policy file, located for the person who has to fix it."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}, line {self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


def read_policy_file(path: Path | str) -> PolicyDocument:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(str(path), None, None, f"cannot read the file ({exc})") from exc
    return parse_policy(source, str(path))


def parse_policy(source: str, name: str = "<policy>") -> PolicyDocument:
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise DocumentError(name, line, None, f"not valid YAML: {exc.problem}") from exc
    if not isinstance(data, dict):
        raise DocumentError(name, 1, None, "expected a mapping of policy fields at the top")
    _check_clause_ids_unique(data, root, name)
    try:
        return PolicyDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = tuple(first["loc"])
        raise DocumentError(
            name, _line_of(root, location), _dotted(location), first["msg"]
        ) from exc


def _check_clause_ids_unique(data: dict, root: yaml.Node, name: str) -> None:
    seen: set[Any] = set()
    for index, clause in enumerate(data.get("clauses") or []):
        clause_id = clause.get("id") if isinstance(clause, dict) else None
        if clause_id in seen:
            location = ("clauses", index, "id")
            raise DocumentError(
                name, _line_of(root, location), _dotted(location), f"{clause_id!r} is used twice"
            )
        seen.add(clause_id)


def _dotted(location: tuple) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)[1:]


def _line_of(node: yaml.Node | None, location: tuple) -> int | None:
    """Follow a validation error's location through the YAML node tree to a line number."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in location:
        child = _child(node, part)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None
