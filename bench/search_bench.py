"""Search benchmark over an imported catalogue (make one with import_bench.py --keep DIR).

    .venv/bin/python bench/search_bench.py DIR

Runs bench/search_queries.txt with facets through the service layer, then through the HTTP
API on a real waitress server, and prints p50/p95/p99 in milliseconds. Then the same queries
misspelt (two letters of the longest word swapped): the service layer with its "did you
mean" (worked out only for searches finding fewer than selectors.FEW_RESULTS), and how many
got a suggestion.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from webserver import web_server

QUERIES = (Path(__file__).parent / "search_queries.txt").read_text().splitlines()
ROUNDS = 3


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100)
    return f"p50 {cut[49]:.1f} ms  p95 {cut[94]:.1f} ms  p99 {cut[98]:.1f} ms  (n={len(ordered)})"


def service_level() -> list[float]:
    from libdesk.catalog.selectors import search

    for query in QUERIES:  # warm the caches once
        search(query)
    samples = []
    for _ in range(ROUNDS):
        for query in QUERIES:
            started = time.perf_counter()
            search(query)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def misspelt(query: str) -> str:
    words = query.split()
    longest = max(range(len(words)), key=lambda n: len(words[n]))
    word = words[longest]
    if len(word) >= 5 and word.isalpha():
        words[longest] = word[:2] + word[3] + word[2] + word[4:]
    return " ".join(words)


def service_level_misspelt() -> tuple[list[float], int, int]:
    from libdesk.catalog.selectors import search

    queries = [misspelt(q) for q in QUERIES]
    for query in queries:
        search(query)
    samples, suggested, few = [], 0, 0
    for _ in range(ROUNDS):
        for query in queries:
            started = time.perf_counter()
            found = search(query)
            samples.append((time.perf_counter() - started) * 1000)
            suggested += bool(found.suggestion)
            few += found.total < 3
    return samples, suggested // ROUNDS, few // ROUNDS


def over_http(data_dir: str) -> list[float]:
    with web_server(data_dir) as connection:
        samples = []
        for round_number in range(ROUNDS + 1):
            for query in QUERIES:
                started = time.perf_counter()
                connection.request("GET", "/api/v1/catalog/search?" + urlencode({"q": query}))
                response = connection.getresponse()
                response.read()
                assert response.status == 200, response.status
                if round_number:  # the first round warms up
                    samples.append((time.perf_counter() - started) * 1000)
        return samples


def main(data_dir: str) -> None:
    os.environ["LIBDESK_DATA_DIR"] = data_dir
    # one address asks everything here: the per-address search limit is not what is measured
    os.environ.setdefault("LIBDESK_SEARCH_LIMIT", "100000000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
    import django

    django.setup()
    from libdesk.catalog.models import Record

    print(f"{Record.objects.count():,} records, {len(QUERIES)} queries x {ROUNDS} rounds")
    print("service level, with facets:", percentiles(service_level()))
    print("HTTP API, with facets:     ", percentiles(over_http(data_dir)))
    samples, suggested, few = service_level_misspelt()
    print("service level, misspelt:   ", percentiles(samples))
    print(f"  misspelt queries finding fewer than 3: {few}; given a suggestion: {suggested}")


if __name__ == "__main__":
    main(sys.argv[1])
