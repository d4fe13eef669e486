"""The answer checker reads like the policy: staff give facts and name their sources, and do
not offer personal opinions or advice, nor recommend products or services (OP-02-01-01,
facts-not-opinions). Measured on a committed set of realistic answers, then rule by rule."""

import dataclasses
import json
import time
from collections import Counter
from pathlib import Path

import pytest
from django.utils.functional import Promise

from libdesk.policies.documents import read_policy_file
from libdesk.reference.checker import CLAUSE, MAX_CHARS, AnswerTooLong, Findings, check

SAMPLES = json.loads((Path(__file__).parent / "answer_samples.json").read_text())


def rates(samples: list[dict]) -> dict[tuple[str, bool], float]:
    """Share of answers flagged, by (language, bad)."""
    total, flagged = Counter(), Counter()
    for sample in samples:
        key = (sample["lang"], sample["bad"])
        total[key] += 1
        flagged[key] += check(sample["text"], sample["lang"]).flagged
    return {key: flagged[key] / total[key] for key in total}


def test_the_sample_set_is_large_balanced_and_bilingual():
    assert len(SAMPLES) >= 60
    assert all(set(s) == {"text", "lang", "bad", "note"} for s in SAMPLES)
    counts = Counter((s["lang"], s["bad"]) for s in SAMPLES)
    assert set(counts) == {("en", True), ("en", False), ("fr", True), ("fr", False)}
    assert min(counts.values()) >= 0.4 * max(counts.values())
    assert len({s["text"] for s in SAMPLES}) == len(SAMPLES)


def test_flags_nine_bad_answers_in_ten_and_at_most_one_good_in_ten_in_each_language():
    measured = rates(SAMPLES)
    for lang in ("en", "fr"):
        bad, good = measured[(lang, True)], measured[(lang, False)]
        print(f"{lang}: bad answers flagged {bad:.0%}, good answers flagged {good:.0%}")
        assert bad >= 0.9, f"{lang}: only {bad:.0%} of bad answers flagged"
        assert good <= 0.1, f"{lang}: {good:.0%} of good answers flagged"


def test_every_bad_sample_is_flagged_and_no_good_one_is():
    """The rates above leave room; this names each answer the checker gets wrong."""
    wrong = [s["note"] for s in SAMPLES if check(s["text"], s["lang"]).flagged != s["bad"]]
    assert wrong == []


def test_an_opinion_is_flagged_with_its_words_offsets_and_clause():
    text = "The branch opens at 10. I think the 2019 edition is clearer."
    [flag] = check(text).flags
    assert (flag.kind, flag.match, flag.start, flag.end) == ("opinion", "I think", 24, 31)
    assert text[flag.start : flag.end] == flag.match
    assert flag.clause == CLAUSE == "OP-02-01-01/facts-not-opinions"
    assert isinstance(flag.why, Promise) and "opinion" in str(flag.why)


def test_advice_and_a_recommendation_are_told_apart():
    found = check("You should buy a new one. I recommend the Bosch 300 series.")
    assert [(f.kind, f.match) for f in found.flags] == [
        ("advice", "You should"),
        ("recommendation", "I recommend"),
    ]


def test_a_brand_promoted_without_the_word_recommend_is_flagged():
    [flag] = check("For a first car seat, you can't go wrong with Graco.").flags
    assert (flag.kind, flag.match) == ("recommendation", "you can't go wrong with")


def test_the_clause_is_in_the_shipped_policy(policy_file):
    shipped = {f"OP-02-01-01/{c.id}" for c in read_policy_file(policy_file).clauses}
    assert CLAUSE in shipped


@pytest.mark.parametrize(
    "text",
    [
        "The Public Health Agency of Canada recommends 150 minutes of activity a week.",
        "The report's authors think the decline is linked to pesticides (CFIA, 2019).",
        "The Residential Tenancies Act says landlords should give 60 days' notice.",
        "We do not recommend specific contractors; the Better Business Bureau keeps records.",
        "I can't tell you what you should do, but the Consumer Protection Act gives 10 days.",
        "Consumer Reports rates the Bosch 300 the best dishwasher of 2025.",
        'The title is "I Think, Therefore I Draw" (catalogue record /catalogue/records/9).',
        "CCOHS publishes best practices for workstations at www.ccohs.ca.",
    ],
)
def test_reported_opinions_and_the_librarys_own_rule_are_not_flagged(text):
    assert check(text).flags == []


def test_an_answer_without_any_source_is_warned_about_but_not_flagged():
    found = check("The branch opens at ten on Saturdays.")
    assert not found.flagged
    [warning] = found.warnings
    assert (warning.kind, warning.clause, warning.match) == ("no_source", CLAUSE, "")
    assert "source" in str(warning.why)


@pytest.mark.parametrize(
    "text",
    [
        "Health Canada lists 600 IU a day.",
        "See https://www.canada.ca/vitamin-d for the figures.",
        "It is on the shelf: /catalogue/records/123.",
        "According to the 2021 census, Kenora has 14,967 people.",
        'The figures are in "Canada Year Book".',
        "The CRA sets the deadline at April 30.",
        "Selon l'Agence du revenu du Canada, la date limite est le 30 avril.",
    ],
)
def test_a_link_a_record_or_a_named_source_counts_as_a_source(text):
    assert check(text, "fr" if "Selon" in text else "en").warnings == []


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("À mon avis, c'est plus simple.", "À mon avis"),
        ("A mon avis, c'est plus simple.", "A mon avis"),
        ("À MON AVIS, c'est plus simple.", "À MON AVIS"),
        ("A\u0300 mon avis, c'est plus simple.", "A\u0300 mon avis"),
        ("Je vous conseille d’attendre.", "Je vous conseille"),
        ("Je vous conseille d'attendre.", "Je vous conseille"),
        ("C’est la meilleure marque.", "C’est la meilleure"),
        ("Pour les piles, allez chez Canadian Tire.", "allez chez"),
        ("Mon coup de cœur : la bague Oura.", "Mon coup de cœur"),
        ("Si j’étais vous, j’appellerais le greffe.", "Si j’étais vous"),
    ],
)
def test_french_is_read_without_regard_to_accents_case_or_apostrophes(text, match):
    [flag] = check(text, "fr").flags
    assert flag.match == match == text[flag.start : flag.end]


def test_french_rules_do_not_fire_on_neutral_french():
    for text in (
        "Le demandeur doit se présenter personnellement au bureau de Service Canada.",
        "Si vous achetez un billet en ligne, les conditions sont sur viarail.ca.",
        "Nous ne recommandons aucune entreprise en particulier; voir opc.gouv.qc.ca.",
    ):
        assert check(text, "fr").flags == [], text


def test_offsets_point_into_the_text_as_given_after_accents_and_ligatures():
    text = "Œuvre complète, élégante. Selon moi, c'est génial."
    flags = check(text, "fr").flags
    assert [text[f.start : f.end] for f in flags] == [f.match for f in flags]
    assert [f.match for f in flags] == ["Selon moi", "c'est génial"]


def test_findings_are_frozen_values():
    found = check("I think so.")
    assert isinstance(found, Findings) and found.flagged
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.flags = []  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.flags[0].kind = "fact"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_an_empty_answer_has_nothing_to_find(text):
    assert check(text) == Findings()


def test_an_answer_over_the_limit_is_refused_clearly():
    with pytest.raises(AnswerTooLong, match="20000"):
        check("a" * (MAX_CHARS + 1))


def test_an_answer_at_the_limit_is_checked_quickly():
    """Adversarial repetition of near-matches and of matches (thousands of findings, one
    endless sentence, many quotations) must not make the check slow."""
    repeated = [
        "I you we my the is are ",
        "Je vous ne pas le la meilleure ",
        "Aa Bb Cc de la du ",
        "é",
        "is the best ",
        "you should. ",
        "what you should ",
        "vous devriez; ",
        '"a" I think ',
    ]
    texts = [(piece * (MAX_CHARS // len(piece) + 1))[:MAX_CHARS] for piece in repeated]
    for text in texts:
        started = time.perf_counter()
        check(text, "fr")
        check(text, "en")
        assert time.perf_counter() - started < 2.0


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        check("I think so.", "de")
