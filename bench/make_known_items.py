"""Build the known-item relevance set from the demo catalogue (run by hand, output committed).

Each query is what a patron would type to find one real record: its title without the
subtitle, the main author's surname with one title word, or its ISBN.
    python bench/make_known_items.py src/libdesk/demo/data/loc-demo-2000.mrc.gz \
        tests/catalog/known_items.json
"""

import gzip
import json
import re
import sys

import pymarc

STOP = {
    "the",
    "a",
    "an",
    "of",
    "and",
    "in",
    "on",
    "to",
    "for",
    "with",
    "from",
    "by",
    "la",
    "le",
    "les",
    "des",
    "de",
    "et",
    "du",
    "der",
    "die",
    "und",
    "at",
    "as",
    "its",
    "new",
}


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]{4,}", text) if w.lower() not in STOP]


def main(source: str, target: str) -> None:
    queries = []
    with gzip.open(source, "rb") as handle:
        for index, record in enumerate(pymarc.MARCReader(handle, to_unicode=True)):
            if record is None or index % 5:
                continue
            control = record.get("001").data.strip()
            title = (record.get("245").get("a") or "").strip(" /:;,.")
            kind = (index // 5) % 3
            main_entry = record.get("100")
            if kind == 0 and len(title.split()) >= 2:
                queries.append({"query": title, "kind": "title", "control_number": control})
            elif kind == 1 and main_entry and words(title):
                surname = main_entry.get("a", "").split(",")[0].strip()
                if surname:
                    queries.append(
                        {
                            "query": f"{surname} {words(title)[0]}",
                            "kind": "author and title word",
                            "control_number": control,
                        }
                    )
            elif kind == 2 and record.get("020") and record.get("020").get("a"):
                isbn = record.get("020").get("a").split()[0]
                queries.append({"query": isbn, "kind": "isbn", "control_number": control})
    with open(target, "w", encoding="utf-8") as out:
        json.dump(queries, out, ensure_ascii=False, indent=1)
    print(f"{len(queries)} queries written")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
