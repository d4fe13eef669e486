"""Output that independent parsers accept: real Library of Congress records holding a
character XML 1.0 forbids (a subfield delimiter at the end of the 001) are imported with a
warning each, then exported and served, and read back record for record by lxml, pymarc and
Debian's yaz-marcdump. The expected values come from the test file itself, read by pymarc
and repaired by the documented rule as the tests write it out (marcreading.py), not by
libdesk's own code."""

import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pymarc
import pytest
from django.core.management import call_command
from lxml import etree

from libdesk.catalog.models import Record
from tests.catalog.marcdata import book, raw, write
from tests.catalog.marcreading import (
    FORBIDDEN,
    MARC_NS,
    as_rows,
    control_numbers,
    forbidden_at,
    lxml_rows,
    pymarc_rows,
    read_as_xml,
    repaired,
)

pytestmark = pytest.mark.django_db
FAULTY_FILE = Path(__file__).parent / "loc_forbidden_characters.mrc"


def source_records(path: Path = FAULTY_FILE) -> list[list[tuple]]:
    """The test file as pymarc reads it, with the documented repair applied."""
    with path.open("rb") as handle:
        return [as_rows(r, repaired) for r in pymarc.MARCReader(handle, to_unicode=True)]


# --- the doors -----------------------------------------------------------------------------


def run_import(path: Path) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as done:
        call_command("catalog", "import", str(path), stdout=out, stderr=err)
    return done.value.code, out.getvalue()


def export(tmp_path: Path, fmt: str) -> Path:
    target = tmp_path / f"export.{'xml' if fmt == 'marcxml' else 'mrc'}"
    call_command("catalog", "export", "--format", fmt, "--output", str(target), stdout=StringIO())
    return target


@pytest.fixture
def imported(tmp_path) -> Path:
    """The faulty LoC records imported through `libdesk catalog import`; returns the copy
    of the test file that was imported (its reports are written beside it)."""
    source = tmp_path / "in" / FAULTY_FILE.name
    source.parent.mkdir()
    shutil.copyfile(FAULTY_FILE, source)
    code, out = run_import(source)
    assert code == 0, out
    return source


def stored_before_repairs(control_number: str) -> Record:
    """A record as an import before the repairs stored it: the original bytes, forbidden
    character included (test set-up, standing in for a catalogue imported earlier)."""
    with FAULTY_FILE.open("rb") as handle:
        originals = {r["001"].data.strip(): r.as_marc() for r in pymarc.MARCReader(handle)}
    assert b"\x1f\x1e" in originals[control_number]
    Record.objects.filter(control_number=control_number).update(marc=originals[control_number])
    return Record.objects.get(control_number=control_number)


# --- the import --------------------------------------------------------------------------


def test_the_test_file_holds_real_faults_between_clean_records():
    with FAULTY_FILE.open("rb") as handle:
        ids = [r["001"].data for r in pymarc.MARCReader(handle)]
    faulty = [n for n, value in enumerate(ids, start=1) if FORBIDDEN.search(value)]
    assert len(ids) == 15 and len(faulty) == 8
    assert 1 not in faulty  # a reader that stops at the first fault reads too few


def test_the_import_stores_each_faulty_record_and_reports_what_it_replaced(tmp_path):
    source = tmp_path / FAULTY_FILE.name
    shutil.copyfile(FAULTY_FILE, source)
    code, out = run_import(source)
    warnings_file = tmp_path / f"{FAULTY_FILE.name}.warnings.jsonl"
    assert code == 0
    assert "read 15, created 15, updated 0, unchanged 0, rejected 0, cleaned 8" in out
    assert f"warnings in {warnings_file}" in out
    warnings = [json.loads(line) for line in warnings_file.read_text().splitlines()]
    with FAULTY_FILE.open("rb") as handle:
        originals = [r["001"].data for r in pymarc.MARCReader(handle)]
    expected = [(n, v.strip()) for n, v in enumerate(originals, start=1) if "\x1f" in v]
    assert [(w["record"], w["control_number"]) for w in warnings] == expected
    first = warnings[0]
    assert first["offset"] == sum(len(r) for r in raw_records()[: first["record"] - 1])
    assert (first["field"], first["occurrence"], first["subfield"]) == ("001", 1, None)
    assert (first["positions"], first["found"], first["replaced_by"]) == (
        [11],
        ["U+001F"],
        ["U+0020"],
    )
    assert first["warning"] == (
        "field 001: U+001F at position 11 replaced by a space (a character XML 1.0 forbids)"
    )
    assert Record.objects.count() == 15
    assert set(Record.objects.values_list("control_number", flat=True)) == {
        v.strip() for v in originals
    }


def test_warnings_go_under_the_data_dir_when_the_inputs_folder_is_marked_read_only(
    tmp_path, settings
):
    """Even for root, who may write anywhere: a folder of shared data stays untouched."""
    settings.DATA_DIR = tmp_path / "data"
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copyfile(FAULTY_FILE, shared / FAULTY_FILE.name)
    shared.chmod(0o555)
    try:
        code, out = run_import(shared / FAULTY_FILE.name)
    finally:
        shared.chmod(0o755)
    warnings_file = tmp_path / "data" / "imports" / f"{FAULTY_FILE.name}.warnings.jsonl"
    assert code == 0 and f"warnings in {warnings_file}" in out
    assert len(warnings_file.read_text().splitlines()) == 8
    assert sorted(p.name for p in shared.iterdir()) == [FAULTY_FILE.name]


def raw_records() -> list[bytes]:
    data = FAULTY_FILE.read_bytes()
    return [part + b"\x1d" for part in data.split(b"\x1d") if part]


def test_the_stored_record_differs_from_the_imported_one_only_where_a_character_was_replaced(
    imported, tmp_path
):
    exported = export(tmp_path, "iso2709").read_bytes()
    original = FAULTY_FILE.read_bytes()
    assert len(exported) == len(original)
    changed = [
        (i, original[i], exported[i]) for i in range(len(original)) if original[i] != exported[i]
    ]
    assert len(changed) == 8
    assert {(before, after) for _, before, after in changed} == {(0x1F, 0x20)}


def test_importing_the_same_file_again_changes_nothing_and_warns_again(imported):
    code, out = run_import(imported)
    assert code == 0
    assert "read 15, created 0, updated 0, unchanged 15, rejected 0, cleaned 8" in out


def test_reimporting_updates_a_record_stored_before_the_repairs(imported):
    stored_before_repairs("00038361")
    code, out = run_import(imported)
    assert code == 0 and "updated 1, unchanged 14, rejected 0, cleaned 8" in out
    assert b"\x1f\x1e" not in bytes(Record.objects.get(control_number="00038361").marc)


# --- reading the exports back ---------------------------------------------------------------


def test_the_marcxml_export_reads_back_record_for_record_with_lxml(imported, tmp_path):
    document = export(tmp_path, "marcxml").read_bytes()
    assert lxml_rows(document) == source_records()


def test_the_iso2709_export_reads_back_record_for_record_with_pymarc(imported, tmp_path):
    assert pymarc_rows(export(tmp_path, "iso2709").read_bytes()) == source_records()


@pytest.mark.parametrize(("fmt", "kind"), [("marcxml", "marcxml"), ("iso2709", "marc")])
def test_yaz_marcdump_reads_every_exported_record(imported, tmp_path, yaz_marcdump, fmt, kind):
    read = yaz_marcdump(export(tmp_path, fmt), kind)
    assert control_numbers(read) == control_numbers(source_records())
    assert [len(rows) for rows in read] == [len(rows) for rows in source_records()]


def test_yaz_marcdump_stops_at_the_fault_the_export_used_to_write(tmp_path, yaz_marcdump):
    """The finding itself: a raw subfield delimiter in MARCXML ends yaz's reading quietly
    (exit status 0), so only a count per record shows it."""
    records = source_records()
    document = lxml_rows_to_marcxml(records).replace(b"00038361 <", b"00038361\x1f<")
    path = tmp_path / "unrepaired.xml"
    path.write_bytes(document)
    with pytest.raises(etree.XMLSyntaxError):
        lxml_rows(document)
    assert len(yaz_marcdump(path, "marcxml")) < len(records)


def lxml_rows_to_marcxml(records: list[list[tuple]]) -> bytes:
    collection = etree.Element(f"{MARC_NS}collection", nsmap={None: MARC_NS[1:-1]})
    for rows in records:
        record = etree.SubElement(collection, f"{MARC_NS}record")
        etree.SubElement(record, f"{MARC_NS}leader").text = rows[0][1]
        for row in rows[1:]:
            if len(row) == 2:
                etree.SubElement(record, f"{MARC_NS}controlfield", tag=row[0]).text = row[1]
                continue
            node = etree.SubElement(
                record, f"{MARC_NS}datafield", tag=row[0], ind1=row[1], ind2=row[2]
            )
            for code, value in row[3]:
                etree.SubElement(node, f"{MARC_NS}subfield", code=code).text = value
    return etree.tostring(collection, xml_declaration=True, encoding="UTF-8")


def test_the_export_is_wellformed_for_records_stored_before_the_repairs(
    imported, tmp_path, yaz_marcdump
):
    stored_before_repairs("00038361")
    stored_before_repairs("00551374")
    path = export(tmp_path, "marcxml")
    assert lxml_rows(path.read_bytes()) == source_records()
    assert len(yaz_marcdump(path, "marcxml")) == 15


# --- the API and the record page -------------------------------------------------------------


def strict_json(body: bytes):
    """RFC 8259 and nothing more: UTF-8, no raw control characters in strings (Python's
    parser is strict about those), no NaN or Infinity, no lone surrogate escapes."""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not JSON")

    data = json.loads(body.decode("utf-8"), parse_constant=refuse)
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # a lone surrogate cannot encode
    return data


def json_ld(page: bytes):
    found = re.search(rb'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return strict_json(found.group(1))


def test_the_apis_marcxml_of_a_repaired_record_is_wellformed(imported, client, tmp_path):
    record = Record.objects.get(control_number="00038361")
    response = client.get(f"/api/v1/catalog/records/{record.pk}", {"format": "marcxml"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/marcxml+xml; charset=utf-8"
    (rows,) = lxml_rows(response.content)
    assert rows == source_records()[1]
    assert ("001", "   00038361 ") in rows


def test_the_apis_marcxml_is_wellformed_for_a_record_stored_before_the_repairs(
    imported, client, tmp_path, yaz_marcdump
):
    record = stored_before_repairs("00038361")
    response = client.get(f"/api/v1/catalog/records/{record.pk}", {"format": "marcxml"})
    assert response.status_code == 200
    (rows,) = lxml_rows(response.content)
    assert rows == source_records()[1]
    path = tmp_path / "one.xml"
    path.write_bytes(response.content)
    assert control_numbers(yaz_marcdump(path, "marcxml")) == ["   00038361 "]


def test_the_apis_json_and_the_record_pages_json_ld_parse_strictly(demo_library, imported, client):
    record = Record.objects.get(control_number="00038361")
    data = strict_json(client.get(f"/api/v1/catalog/records/{record.pk}").content)
    assert data["control_number"] == "00038361"
    assert data["title"] == record.title
    ld = json_ld(client.get(f"/records/{record.pk}/").content)
    assert ld["name"] == record.title


def test_json_stays_strict_for_values_stored_before_the_repairs(demo_library, imported, client):
    """Values an older import stored with forbidden characters in them: JSON escapes
    control characters, so the API and the JSON-LD still parse."""
    record = Record.objects.get(control_number="00038361")
    dirty = "Nine\x01lives\x1f of \ufffe the \x0bcat"  # PostgreSQL text holds no NUL
    Record.objects.filter(pk=record.pk).update(title=dirty, authors=[dirty], publisher=dirty)
    data = strict_json(client.get(f"/api/v1/catalog/records/{record.pk}").content)
    assert data["title"] == dirty and data["authors"] == [dirty]
    ld = json_ld(client.get(f"/records/{record.pk}/").content)
    assert ld["name"] == dirty and ld["publisher"] == dirty


# --- every character XML 1.0 forbids, not only LoC's -------------------------------------------


def crafted_faults() -> pymarc.Record:
    """A record with a forbidden character in the leader, a fixed-position field, a title
    and a note, next to tab, LF and CR (which XML allows) and U+FFFD (allowed)."""
    record = book("crafted", "Nine\x00lives\x0b of the\ufffe cat\uffff", subjects=("Cats",))
    record.leader = pymarc.Leader(str(record.leader)[:19] + "\x01" + str(record.leader)[20:])
    fixed = record["008"].data
    record["008"].data = fixed[:20] + "\x07" + fixed[21:]
    record.add_field(
        pymarc.Field(
            tag="500",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", "Kept:\ttab,\nLF,\rCR and \ufffd; not: \x1e\x1c.")],
        )
    )
    return record


def test_every_forbidden_character_is_replaced_and_reported(tmp_path, yaz_marcdump, client):
    source = write(tmp_path / "crafted.mrc", [raw(crafted_faults())])
    original = pymarc.Record(data=source.read_bytes(), to_unicode=True, force_utf8=True)
    code, out = run_import(source)
    assert code == 0 and "created 1, updated 0, unchanged 0, rejected 0, cleaned 1" in out
    warnings = [
        json.loads(line)
        for line in (tmp_path / "crafted.mrc.warnings.jsonl").read_text().splitlines()
    ]
    found = {(w["field"], w["subfield"]): (w["positions"], w["found"]) for w in warnings}
    assert found == {
        ("leader", None): forbidden_at(str(original.leader)),
        ("008", None): forbidden_at(original["008"].data),
        ("245", "a"): forbidden_at(original["245"]["a"]),
        ("500", "a"): forbidden_at(original["500"]["a"]),
    }
    assert found[("008", None)] == ([20], ["U+0007"])
    assert len(found[("245", "a")][0]) == 4 and len(found[("500", "a")][0]) == 2
    stored = Record.objects.get()
    assert stored.title == "Nine lives  of the\ufffd cat\ufffd"
    assert stored.language == "eng"  # 008/35-37, read by position after the repair
    assert pymarc_rows(export(tmp_path, "iso2709").read_bytes()) == [as_rows(original, repaired)]
    xml_path = export(tmp_path, "marcxml")
    assert lxml_rows(xml_path.read_bytes()) == [as_rows(original, read_as_xml)]
    assert len(yaz_marcdump(xml_path, "marcxml")) == 1
    response = client.get(f"/api/v1/catalog/records/{stored.pk}", {"format": "marcxml"})
    assert lxml_rows(response.content) == [as_rows(original, read_as_xml)]


def test_a_record_whose_tag_holds_a_control_character_is_rejected(tmp_path):
    record = book("badtag", "A tag with a control character")
    record.add_field(
        pymarc.Field(
            tag="\x0150",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", "x")],
        )
    )
    path = write(tmp_path / "badtag.mrc", [raw(record), raw(book("fine", "A fine book"))])
    code, out = run_import(path)
    assert code == 1 and "created 1" in out and "rejected 1" in out
    reject = json.loads((tmp_path / "badtag.mrc.rejects.jsonl").read_text())
    assert reject["reason"] == "field tag '\\x0150' is not three letters or digits"
