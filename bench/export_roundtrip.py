"""Export round trip over the whole shared file: `libdesk catalog import` into a fresh data
directory, `libdesk catalog export` as MARCXML and as ISO 2709, then each export read back by
lxml (MARCXML), pymarc (ISO 2709) and Debian's yaz-marcdump (both), and compared record for
record with the source file: the count, and every record's 001 in order.

    .venv/bin/python bench/export_roundtrip.py [FILE] [--keep DIR]

The expected 001s come from the source file read by pymarc, with the repair docs/catalogue.md
documents applied by this script's own code. Prints records, warnings, time and peak memory
of every step; exits 1 when any reader disagrees. Run by hand; never part of the test suite.
Needs `apt-get install -y yaz time`.
"""

from __future__ import annotations

import lzma
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pymarc
from lxml import etree

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/loc-books-2016-part01.mrc.xz"
MARC_NS = "{http://www.loc.gov/MARC21/slim}"
MEASURE = ["/usr/bin/time", "-f", "%M", "-o"]  # Debian's package time
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def repaired(text: str) -> str:
    """docs/catalogue.md's rule, written out independently of libdesk's code."""
    return FORBIDDEN.sub(lambda m: " " if m.group() < " " else "\ufffd", text)


def timed_child(command: list[str], env: dict, **streams) -> tuple[float, float, int]:
    """Run a command; its wall time (s), its own peak RSS (MiB) and its exit status. The
    peak comes from GNU time, whose child starts small: a child forked straight from this
    script would count this script's memory as its own."""
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile("r") as report:
        done = subprocess.run([*MEASURE, report.name, *command], env=env, **streams)
        peak_kib = report.read().strip().splitlines()[-1]
    return time.perf_counter() - started, int(peak_kib) / 1024, done.returncode


def source_control_numbers(path: Path) -> list[str]:
    """Each record's 001, repaired, in file order; a record repeated (same 001 and 003)
    counts once, at its first place, as the catalogue keeps it."""
    opener = lzma.open if path.suffix == ".xz" else open
    seen: dict[tuple[str, str], str] = {}
    with opener(path, "rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True, permissive=True):
            if record is None:
                continue
            control = record["001"].data if record["001"] else ""
            source = record["003"].data.strip() if record["003"] else ""
            seen.setdefault((repaired(control).strip(), source), repaired(control))
    return list(seen.values())


def lxml_control_numbers(stream: BinaryIO) -> list[str]:
    """Every record's 001 as lxml reads a MARCXML stream; an ill-formed document raises
    after the records read so far, which are returned with a marker."""
    found: list[str] = []
    try:
        for _event, record in etree.iterparse(stream, tag=f"{MARC_NS}record", recover=False):
            control = record.find(f"{MARC_NS}controlfield[@tag='001']")
            found.append(control.text if control is not None else "")
            record.clear()
            while record.getprevious() is not None:
                del record.getparent()[0]
    except etree.XMLSyntaxError as exc:
        found.append(f"!! not well-formed: {exc}")
    return found


def pymarc_control_numbers(path: Path) -> list[str]:
    with path.open("rb") as handle:
        reader = pymarc.MARCReader(handle, to_unicode=True, force_utf8=True, permissive=True)
        return [r["001"].data if r is not None and r["001"] else "" for r in reader]


def yaz_control_numbers(path: Path, kind: str) -> tuple[list[str], float, float]:
    """yaz-marcdump reads `path` and writes MARCXML, which lxml reads from the pipe."""
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile("r") as report:
        command = [*MEASURE, report.name, "yaz-marcdump", "-i", kind, "-o", "marcxml", str(path)]
        with subprocess.Popen(command, stdout=subprocess.PIPE) as process:
            found = lxml_control_numbers(process.stdout)
            while process.stdout.read(1 << 16):  # what lxml did not read: yaz must not block
                pass
        peak_kib = report.read().strip().splitlines()[-1]
    return found, time.perf_counter() - started, int(peak_kib) / 1024


def compare(expected: list[str], found: list[str]) -> str:
    if found == expected:
        return "match"
    first = next(
        (i for i, (a, b) in enumerate(zip(expected, found, strict=False)) if a != b),
        min(len(expected), len(found)),
    )
    seen = found[first] if first < len(found) else "(nothing)"
    wanted = expected[first] if first < len(expected) else "(nothing)"
    return f"MISMATCH at record {first + 1}: expected {wanted!r}, read {seen!r}"


def libdesk(env: dict, *args: str, **streams) -> tuple[float, float, int]:
    """`libdesk ARGS` as a child; exit status 1 of an import (some records rejected) is a
    figure, anything else stops the benchmark."""
    wall, peak, status = timed_child([sys.executable, "-m", "libdesk", *args], env, **streams)
    if status not in (0, 1) or (status == 1 and args[:2] != ("catalog", "import")):
        raise SystemExit(f"libdesk {' '.join(args)} failed with exit status {status}")
    return wall, peak, status


def run(source: Path, data_dir: str) -> bool:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    env.update(LIBDESK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="libdesk.settings")
    libdesk(env, "migrate", "--no-input", "-v0")
    out = Path(data_dir) / "exports"
    out.mkdir(exist_ok=True)
    log = out / "import.log"
    linked = Path(data_dir) / source.name  # the import's reports go beside it, not in shared/
    linked.unlink(missing_ok=True)
    linked.symlink_to(source.resolve())
    with log.open("w") as handle:
        wall, peak, status = libdesk(env, "catalog", "import", str(linked), stdout=handle)
    summary = log.read_text().strip()
    named = re.search(r"warnings in (.+?) \(", summary)
    warnings = len(Path(named.group(1)).read_text().splitlines()) if named else 0
    rows = [("import", wall, peak, f"exit {status}; {summary}; {warnings} warning lines")]
    xml, mrc = out / "catalogue.xml", out / "catalogue.mrc"
    for fmt, path in (("marcxml", xml), ("iso2709", mrc)):
        wall, peak, status = libdesk(
            env, "catalog", "export", "--format", fmt, "-o", str(path), stdout=subprocess.DEVNULL
        )
        rows.append((f"export {fmt}", wall, peak, f"{path.stat().st_size / 2**20:,.0f} MiB"))
    started = time.perf_counter()
    expected = source_control_numbers(source)
    rows.append(("source read (pymarc)", time.perf_counter() - started, None, f"{len(expected):,}"))
    ok = True
    for label, reading in readings(xml, mrc):
        found, wall, peak = reading()
        verdict = compare(expected, found)
        ok &= verdict == "match"
        rows.append((label, wall, peak, f"{len(found):,} records, {verdict}"))
    for label, wall, peak, note in rows:
        memory = f"{peak:7,.0f} MiB" if peak is not None else " " * 11
        print(f"{label:<26} {wall:8.1f} s  {memory}  {note}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this script (lxml and pymarc reading): {own:,.0f} MiB")
    return ok


def readings(xml: Path, mrc: Path) -> Iterator[tuple[str, object]]:
    def in_process(read, path):
        def go():
            started = time.perf_counter()
            if read is lxml_control_numbers:
                with path.open("rb") as handle:
                    found = read(handle)
            else:
                found = read(path)
            return found, time.perf_counter() - started, None

        return go

    yield "lxml reads the MARCXML", in_process(lxml_control_numbers, xml)
    yield "pymarc reads the ISO 2709", in_process(pymarc_control_numbers, mrc)
    yield "yaz reads the MARCXML", lambda: yaz_control_numbers(xml, "marcxml")
    yield "yaz reads the ISO 2709", lambda: yaz_control_numbers(mrc, "marc")


def main(source: Path, keep: str | None) -> None:
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        ok = run(source, keep)
    else:
        with tempfile.TemporaryDirectory(prefix="libdesk-roundtrip-") as scratch:
            ok = run(source, scratch)
    print("every reader read every record" if ok else "SOME READER DISAGREES")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    args = sys.argv[1:]
    keep = args[args.index("--keep") + 1] if "--keep" in args else None
    files = [a for a in args if a not in ("--keep", keep)]
    main(Path(files[0]) if files else DEFAULT, keep)
