"""Make the demo catalogue: every 125th record of the Library of Congress file, gzipped.

Run once by hand; the output is committed (about 2,000 records, well under 3 MB):
    python bench/make_demo_slice.py ../shared/data/loc-books-2016-part01.mrc.xz \
        src/libdesk/demo/data/loc-demo-2000.mrc.gz
"""

import gzip
import lzma
import sys

STEP, WANTED = 125, 2000


def main(source: str, target: str) -> None:
    kept = seen = 0
    buffer = b""
    with lzma.open(source, "rb") as src, gzip.open(target, "wb", compresslevel=9) as out:
        while kept < WANTED and (chunk := src.read(1 << 20)):
            buffer += chunk
            while kept < WANTED and (end := buffer.find(b"\x1d")) >= 0:
                record, buffer = buffer[: end + 1], buffer[end + 1 :]
                if seen % STEP == 0:
                    out.write(record)
                    kept += 1
                seen += 1
    print(f"kept {kept} of {seen} records read")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
