"""Every id a page points at (aria-describedby, aria-labelledby, aria-controls, label for,
in-page links) exists on the page: a dangling reference silently breaks a screen reader."""

from html.parser import HTMLParser

REFERRING = ("aria-describedby", "aria-labelledby", "aria-controls", "for", "list")


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, id)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in REFERRING:
                # An empty `for=""` or `aria-describedby=""` points at nothing: a defect too.
                for target in (value or "").split() or [""]:
                    self.references.append((tag, name, target))
            elif name == "href" and value and value.startswith("#") and len(value) > 1:
                self.references.append((tag, name, value[1:]))


def dangling_references(html: str) -> list[str]:
    """Each reference to an id the page does not have, as `<tag attribute="id">`."""
    parser = _References()
    parser.feed(html)
    return [
        f'<{tag} {name}="{target}">'
        for tag, name, target in parser.references
        if target not in parser.ids
    ]
