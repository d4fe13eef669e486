"""Index-only search benchmark at 5,000,000 records: the 250,000 LC records repeated 20 times
with rewritten ids, searched through the engine with and without facets.

    .venv/bin/python bench/index_5m_bench.py DIR_WITH_250K [--copies 20]

DIR_WITH_250K is a data directory made by `import_bench.py --keep`. The big index is built
in a temporary directory and removed afterwards.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERIES = (Path(__file__).parent / "search_queries.txt").read_text().splitlines()


def main(data_dir: str, copies: int) -> None:
    os.environ["LIBDESK_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
    import django

    django.setup()
    from libdesk.catalog.models import Record
    from libdesk.catalog.search.engine import SearchRequest, TantivyEngine
    from libdesk.catalog.search.indexer import documents
    from libdesk.catalog.search.query import parse

    ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))
    docs = []
    for start in range(0, len(ids), 5000):
        docs.extend(documents(ids[start : start + 5000])[0])
    with tempfile.TemporaryDirectory(prefix="libdesk-5m-") as index_dir:
        engine = TantivyEngine(Path(index_dir))
        started = time.perf_counter()
        with engine.writer() as writer:
            for copy in range(copies):
                for doc in docs:
                    doc.id = copy * 10_000_000 + doc.id % 10_000_000
                    writer.add_document(engine._document(doc))
                writer.commit()
        built = time.perf_counter() - started
        size = sum(f.stat().st_size for f in Path(index_dir).iterdir() if f.is_file())
        engine.index.reload()
        total = engine.index.searcher().num_docs
        print(f"{total:,} documents indexed in {built:.0f} s; index {size / 2**30:.2f} GiB")
        for facets in (False, True):
            samples = []
            for round_number in range(3):
                for query in QUERIES:
                    request = SearchRequest(parse(query), facets=facets)
                    began = time.perf_counter()
                    response = engine.search(request)
                    if response.total == 0 and len(request.query.terms) > 1:
                        request.require_all = False
                        engine.search(request)
                    if round_number:
                        samples.append((time.perf_counter() - began) * 1000)
            cut = statistics.quantiles(sorted(samples), n=100)
            label = "with facets   " if facets else "without facets"
            print(
                f"{label}: p50 {cut[49]:.1f} ms  p95 {cut[94]:.1f} ms  p99 {cut[98]:.1f} ms "
                f"(n={len(samples)})"
            )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    count = int(arguments[arguments.index("--copies") + 1]) if "--copies" in arguments else 20
    main(arguments[0], count)
