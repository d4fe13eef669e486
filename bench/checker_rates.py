"""The answer checker on the committed sample set: how often it flags bad and good answers, by
language, which kinds of finding it makes, and how long one answer takes.

    .venv/bin/python bench/checker_rates.py [SAMPLES.json]

The samples are tests/reference/answer_samples.json unless another file is given (same shape:
a list of {"text", "lang", "bad", "note"}). Prints a table; figures go in
docs/reference-checker.md. The checker needs no database, so neither does this.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from libdesk.reference.checker import MAX_CHARS, check  # noqa: E402

SAMPLES = ROOT / "tests" / "reference" / "answer_samples.json"
ROUNDS = 50


def main(path: Path) -> None:
    samples = json.loads(path.read_text())
    total, flagged, kinds, unsourced = Counter(), Counter(), Counter(), Counter()
    for sample in samples:
        key = (sample["lang"], "bad" if sample["bad"] else "good")
        found = check(sample["text"], sample["lang"])
        total[key] += 1
        flagged[key] += found.flagged
        unsourced[key] += bool(found.warnings)
        for finding in found.flags:
            kinds[(*key, finding.kind)] += 1
    print(f"{len(samples)} answers from {path.name}\n")
    print(f"{'lang':<5}{'set':<6}{'answers':>8}{'flagged':>10}{'no source':>11}")
    for lang in ("en", "fr", "all"):
        for label in ("bad", "good"):
            keys = [k for k in total if k[1] == label and lang in (k[0], "all")]
            count = sum(total[k] for k in keys)
            share = sum(flagged[k] for k in keys) / count
            warned = sum(unsourced[k] for k in keys) / count
            print(f"{lang:<5}{label:<6}{count:>8}{share:>10.1%}{warned:>11.1%}")
    print("\nflags by kind (number of findings)")
    for (lang, label, kind), count in sorted(kinds.items()):
        print(f"  {lang} {label:<5} {kind:<15}{count:>4}")
    timing(samples)


def timing(samples: list[dict]) -> None:
    per_answer = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for sample in samples:
            check(sample["text"], sample["lang"])
        per_answer.append((time.perf_counter() - started) / len(samples))
    mean_chars = statistics.mean(len(s["text"]) for s in samples)
    print(
        f"\ntime per answer ({mean_chars:.0f} characters on average, {ROUNDS} rounds): "
        f"median {statistics.median(per_answer) * 1e6:.0f} µs, "
        f"worst round {max(per_answer) * 1e6:.0f} µs"
    )
    longest = (" ".join(s["text"] for s in samples) * 5)[:MAX_CHARS]
    for lang in ("en", "fr"):
        started = time.perf_counter()
        check(longest, lang)
        print(
            f"an answer at the limit ({MAX_CHARS} characters, {lang}): "
            f"{(time.perf_counter() - started) * 1e3:.1f} ms"
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES)
