"""`libdesk reference check-answer` through the real door: the console script in its own
process, the answer on standard input, the findings as JSON and the exit status."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from libdesk.reference.checker import CLAUSE, MAX_CHARS

pytestmark = pytest.mark.slow  # each run starts Django in a new process (~2 s)

LIBDESK = Path(sys.executable).parent / "libdesk"


@pytest.fixture
def check_answer(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["LIBDESK_DATA_DIR"] = str(tmp_path)

    def run(text: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(LIBDESK), "reference", "check-answer", *args],
            input=text,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )

    return run


def test_a_flagged_answer_prints_its_findings_and_exits_1(check_answer):
    done = check_answer("I think you should buy the Dyson.")
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)
    assert found["flagged"] is True
    assert [(f["kind"], f["match"], f["start"], f["end"]) for f in found["flags"]] == [
        ("opinion", "I think", 0, 7),
        ("advice", "you should", 8, 18),
    ]
    assert {f["clause"] for f in found["flags"]} == {CLAUSE}
    assert all(f["why"] for f in found["flags"])


def test_a_factual_answer_with_a_source_exits_0_with_nothing_found(check_answer):
    done = check_answer("Selon Santé Canada, l'apport recommandé est de 600 UI.", "--lang", "fr")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"flagged": False, "flags": [], "warnings": []}


def test_a_missing_source_is_a_warning_and_exits_0(check_answer):
    done = check_answer("The branch opens at ten on Saturdays.\n")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["flags"] == []
    assert [(w["kind"], w["clause"]) for w in found["warnings"]] == [("no_source", CLAUSE)]


def test_french_offsets_count_characters_of_the_answer(check_answer):
    text = "Pour les piles, à mon avis, allez chez Canadian Tire."
    done = check_answer(text, "--lang", "fr")
    assert done.returncode == 1, done.stderr
    flags = json.loads(done.stdout)["flags"]
    assert [f["match"] for f in flags] == ["à mon avis", "allez chez"]
    assert all(text[f["start"] : f["end"]] == f["match"] for f in flags)


@pytest.mark.parametrize("text", ["", "  \n"])
def test_empty_input_is_a_usage_error(check_answer, text):
    done = check_answer(text)
    assert done.returncode == 2
    assert "no answer on standard input" in done.stderr
    assert done.stdout == ""


def test_an_unknown_language_is_a_usage_error(check_answer):
    done = check_answer("I think so.", "--lang", "de")
    assert done.returncode == 2
    assert "invalid choice: 'de'" in done.stderr


def test_an_answer_over_the_limit_is_a_usage_error(check_answer):
    done = check_answer("a" * (MAX_CHARS + 5))
    assert done.returncode == 2
    assert f"longer than {MAX_CHARS} characters" in done.stderr


def test_libdesk_help_lists_the_command():
    done = subprocess.run([str(LIBDESK), "--help"], capture_output=True, text=True, timeout=60)
    assert "reference check-answer [--lang en|fr]" in done.stdout
