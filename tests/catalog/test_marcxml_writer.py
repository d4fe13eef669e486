"""The MARCXML writer alone, on any text at all: whatever a record holds, lxml reads the
document, and reads back the documented repair of every value."""

import pymarc
from hypothesis import given
from hypothesis import strategies as st

from libdesk.catalog.exporting import marcxml
from tests.catalog.marcreading import lxml_rows, read_as_xml

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)  # lone surrogates too


@given(st.lists(ANY_TEXT, min_size=1, max_size=6))
def test_marcxml_is_wellformed_whatever_the_values_hold(values):
    """The writer alone, on any text at all (lone surrogates included): lxml reads back the
    documented repair of every value, with XML's CR-to-LF reading."""
    record = pymarc.Record(force_utf8=True)
    record.add_field(pymarc.Field(tag="001", data=values[0]))
    record.add_field(
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("0", "0"),
            subfields=[pymarc.Subfield("a", v) for v in values],
        )
    )
    (rows,) = lxml_rows(marcxml(record, namespace=True))

    assert rows[1] == ("001", read_as_xml(values[0]))
    assert rows[2][3] == tuple(("a", read_as_xml(v)) for v in values)
