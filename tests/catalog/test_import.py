"""`libdesk catalog import`: real MARC through the CLI, the rejects file, re-import."""

import json
import os
from io import StringIO

import pymarc
import pytest
from django.core.management import call_command

from libdesk.audit.models import AuditEntry
from libdesk.catalog.models import Record
from libdesk.catalog.selectors import search
from tests.catalog.marcdata import book, raw, replace_leader, write

pytestmark = pytest.mark.django_db


def run_import(*paths) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as done:
        call_command("catalog", "import", *map(str, paths), stdout=out, stderr=err)
    return done.value.code, out.getvalue(), err.getvalue()


def three_books() -> list[bytes]:
    return [
        raw(book(f"rec{i}", f"Title number {i}", isbn="0306406152" if i == 1 else ""))
        for i in range(3)
    ]


@pytest.mark.parametrize("compress", ["", "gz", "xz"])
def test_a_clean_file_imports_fully_and_is_searchable_at_once(tmp_path, compress):
    path = write(
        tmp_path / f"books.mrc{'.' + compress if compress else ''}", three_books(), compress
    )
    code, out, _ = run_import(path)
    assert code == 0
    assert "read 3, created 3, updated 0, unchanged 0, rejected 0" in out
    assert search("title number 2").total == 1
    assert not (tmp_path / f"{path.name}.rejects.jsonl").exists()


def test_marcxml_imports_too(tmp_path):
    records = [book(f"x{i}", f"Xml book {i}") for i in range(2)]
    xml = (
        b'<?xml version="1.0"?><collection xmlns="http://www.loc.gov/MARC21/slim">'
        + b"".join(pymarc.record_to_xml(r, namespace=False) for r in records)
        + b"</collection>"
    )
    path = tmp_path / "books.xml"
    path.write_bytes(xml)
    code, out, _ = run_import(path)
    assert code == 0 and "created 2" in out
    assert search("xml book").total == 2


def test_xml_with_an_entity_is_refused_as_malformed(tmp_path):
    path = tmp_path / "evil.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x "boom">]>'
        '<collection xmlns="http://www.loc.gov/MARC21/slim">&x;</collection>'
    )
    code, _, _ = run_import(path)
    assert code == 1
    reject = json.loads((tmp_path / "evil.xml.rejects.jsonl").read_text().splitlines()[0])
    assert reject["reason"].startswith("malformed XML")
    assert not Record.objects.exists()


def rejected(tmp_path, name: str) -> list[dict]:
    lines = (tmp_path / f"{name}.rejects.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_a_record_whose_leader_lies_costs_only_that_record(tmp_path):
    good = three_books()
    liar = replace_leader(good[1], 0, b"99999")
    path = write(tmp_path / "mixed.mrc", [good[0], liar, good[2]])
    code, out, _ = run_import(path)
    assert code == 1
    assert "read 3, created 2" in out and "rejected 1" in out
    reject = rejected(tmp_path, "mixed.mrc")[0]
    assert reject["record"] == 2 and reject["offset"] == len(good[0])
    assert reject["control_number"] == "rec1"
    assert "record length 99999" in reject["reason"]
    assert (tmp_path / "mixed.mrc.rejects.mrc").read_bytes() == liar
    assert set(Record.objects.values_list("control_number", flat=True)) == {"rec0", "rec2"}


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda r: r[:-40], "truncated record"),
        (lambda r: replace_leader(r, 12, b"00010"), "directory length"),
        (lambda r: replace_leader(r, 9, b"x"), "encoding"),
        (lambda r: replace_leader(raw(book("u8", "Tïtle")), 9, b" "), "leader says MARC-8"),
    ],
)
def test_damaged_records_are_rejected_with_a_reason(tmp_path, damage, reason):
    records = three_books()
    records[2] = damage(records[2])
    path = write(tmp_path / "damaged.mrc", records)
    code, _, _ = run_import(path)
    assert code == 1
    assert reason in rejected(tmp_path, "damaged.mrc")[0]["reason"]
    assert Record.objects.count() == 2


def test_invalid_utf8_is_rejected_never_repaired(tmp_path):
    bad = raw(book("utf", "Caf\u00e9 society"))
    bad = bad.replace("é".encode(), b"\xe9\xff")
    bad = b"%05d" % len(bad) + bad[5:]
    code, _, _ = run_import(write(tmp_path / "bad.mrc", [bad]))
    assert code == 1
    assert "invalid UTF-8" in rejected(tmp_path, "bad.mrc")[0]["reason"]
    assert not Record.objects.exists()


def test_bad_indicators_and_subfield_codes_are_rejected(tmp_path):
    record = book("ind", "Indicators")
    record.get("245").indicators = pymarc.Indicators("#", "0")
    other = book("sub", "Subfields")
    other.get("650").subfields[0] = pymarc.Subfield("$", "Testing")
    code, _, _ = run_import(write(tmp_path / "codes.mrc", [raw(record), raw(other)]))
    assert code == 1
    reasons = [r["reason"] for r in rejected(tmp_path, "codes.mrc")]
    assert "invalid indicator '#'" in reasons[0] and "invalid subfield code '$'" in reasons[1]


def test_an_oversized_field_is_rejected(tmp_path):
    record = book("big", "Big notes")
    record.add_field(
        pymarc.Field(
            tag="500",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", "x" * 10_000)],
        )
    )
    code, _, _ = run_import(write(tmp_path / "big.mrc", [raw(record), *three_books()]))
    assert code == 1 and Record.objects.count() == 3


def test_marc8_is_converted_and_folds_for_search(tmp_path):
    record = book("m8", "Placeholder", author="MXuller, Hans")
    data = raw(record).replace(b"MXuller", b"M\xe8uller")  # MARC-8: combining umlaut first
    data = replace_leader(data, 9, b" ")
    run_import(write(tmp_path / "marc8.mrc", [data]))
    stored = Record.objects.get()
    assert stored.authors == ["Müller, Hans"]
    assert bytes(stored.marc)[9:10] == b"a"  # kept as UTF-8 MARC
    for query in ("Müller", "müller", "Muller", "author:muller"):
        assert search(query).total == 1, query


def test_an_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not MARC")
    assert run_import(path)[0] == 2
    assert run_import(tmp_path / "missing.mrc")[0] == 2


def test_rejects_go_under_the_data_dir_when_the_inputs_folder_is_read_only(
    tmp_path, settings, monkeypatch
):
    settings.DATA_DIR = tmp_path / "data"
    records = three_books()
    path = write(tmp_path / "ro.mrc", [records[0], records[1][:-30]])
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if str(p) == str(tmp_path) else real_access(p, mode)
    )
    code, out, _ = run_import(path)
    assert code == 1
    assert str(tmp_path / "data" / "imports" / "ro.mrc.rejects.jsonl") in out


def test_reimporting_updates_in_place_and_never_duplicates(tmp_path):
    first = write(tmp_path / "v1.mrc", three_books())
    run_import(first)
    assert "unchanged 3" in run_import(first)[1]
    changed = three_books()
    changed[0] = raw(book("rec0", "A corrected title"))
    _code, out, _ = run_import(write(tmp_path / "v2.mrc", changed))
    assert "created 0, updated 1, unchanged 2" in out
    assert Record.objects.count() == 3
    assert search("corrected").total == 1
    assert "Title number 0" not in [r.title for r in search("title number 0").records]


def test_records_sharing_an_isbn_stay_two_records(tmp_path):
    records = [
        raw(book("a1", "First", isbn="0306406152")),
        raw(book("a2", "Second", isbn="0-306-40615-2")),
    ]
    run_import(write(tmp_path / "isbn.mrc", records))
    assert Record.objects.count() == 2
    assert search("9780306406157").total == 2


def test_a_record_without_001_is_matched_by_its_lccn(tmp_path):
    first = raw(book("", "No control number", lccn="  2001012345", source=""))
    run_import(write(tmp_path / "a.mrc", [first]))
    again = raw(book("", "No control number, revised", lccn="2001012345", source=""))
    assert "updated 1" in run_import(write(tmp_path / "b.mrc", [again]))[1]
    assert Record.objects.get().title == "No control number, revised"


def test_one_audit_entry_per_batch(tmp_path, monkeypatch):
    monkeypatch.setattr("libdesk.catalog.importing.BATCH", 2)
    run_import(write(tmp_path / "batches.mrc", [*three_books(), raw(book("rec9", "Fourth"))]))
    entries = AuditEntry.objects.filter(action="catalog.import.batch")
    assert list(entries.values_list("object_id", "reason")) == [
        ("batches.mrc#1", "2 new, 0 updated"),
        ("batches.mrc#2", "2 new, 0 updated"),
    ]


def test_export_writes_the_stored_marc_back(tmp_path):
    records = three_books()
    run_import(write(tmp_path / "in.mrc", records))
    out = tmp_path / "out.mrc"
    call_command("catalog", "export", "--output", str(out), stdout=StringIO())
    assert out.read_bytes() == b"".join(records)
    xml = tmp_path / "out.xml"
    call_command(
        "catalog", "export", "--format", "marcxml", "--output", str(xml), stdout=StringIO()
    )
    assert len(pymarc.parse_xml_to_array(str(xml))) == 3


def test_the_progress_line_shows_records_rate_and_eta():
    from libdesk.catalog.importing import Summary
    from libdesk.catalog.management.commands.catalog import progress_line

    line = progress_line(Summary(read=112_000, rejected=2, fraction=0.45), elapsed=36.0)
    assert line.startswith("[##########..............]  45%")
    assert "112,000 records" in line and "3,111/s" in line and "ETA 0:44" in line
