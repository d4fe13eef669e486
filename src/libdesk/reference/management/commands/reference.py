"""`libdesk reference check-answer`: check a draft answer for opinions, advice and
recommendations (policy OP-02-01-01, facts-not-opinions) before it is sent."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from libdesk.reference import checker

FLAGGED = 1  # exit status when something is flagged; 0 when nothing is
USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "The reference desk. `check-answer` reads an answer on standard input and prints what "
        "it flags (opinions, advice, recommendations) and warns about (no source) as JSON; it "
        "exits 1 when something is flagged."
    )
    requires_system_checks = []  # reads no database and no settings beyond translation

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = actions.add_parser(
            "check-answer",
            help="flag opinions, advice and recommendations in an answer read on standard input",
        )
        check.add_argument(
            "--lang",
            default="en",
            choices=checker.LANGUAGES,
            help="the answer's language (default: en)",
        )

    def handle(self, *args: object, action: str, **options: object) -> None:
        lang = str(options["lang"])
        text = sys.stdin.read(checker.MAX_CHARS + 1)
        if not text.strip():
            raise CommandError(
                "no answer on standard input: pipe the answer's text in, e.g. "
                "`libdesk reference check-answer --lang en < answer.txt`",
                returncode=USAGE_ERROR,
            )
        try:
            found = checker.check(text, lang)
        except checker.AnswerTooLong:
            raise CommandError(
                f"the answer is longer than {checker.MAX_CHARS} characters; check it in parts",
                returncode=USAGE_ERROR,
            ) from None
        with translation.override(lang):
            self.stdout.write(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
        if found.flagged:
            sys.exit(FLAGGED)
