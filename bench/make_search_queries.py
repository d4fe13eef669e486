"""Build bench/search_queries.txt: realistic queries from the Library of Congress file.

Single title words, whole titles, author names, subject headings and ISBNs, from every
1000th record. Run once by hand; the output is committed.
"""

import lzma
import re
import sys

import pymarc

STEP = 1000


def main(source: str, target: str) -> None:
    queries = []
    with lzma.open(source, "rb") as handle:
        for index, record in enumerate(pymarc.MARCReader(handle, to_unicode=True)):
            if record is None or index % STEP:
                continue
            kind = (index // STEP) % 5
            title = (record.get("245").get("a") or "").strip(" /:;,.") if record.get("245") else ""
            words = [w for w in re.findall(r"[^\W\d_]{5,}", title)]
            author = record.get("100")
            subject = record.get("650")
            isbn = record.get("020")
            if kind == 0 and words:
                queries.append(words[0].lower())
            elif kind == 1 and title:
                queries.append(title)
            elif kind == 2 and author and author.get("a"):
                queries.append(author.get("a").strip(" ,."))
            elif kind == 3 and subject and subject.get("a"):
                queries.append(subject.get("a").strip(" ,."))
            elif isbn and isbn.get("a"):
                queries.append(isbn.get("a").split()[0])
            elif title:
                queries.append(title)
    with open(target, "w", encoding="utf-8") as out:
        out.write("\n".join(queries) + "\n")
    print(f"{len(queries)} queries")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
