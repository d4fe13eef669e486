"""`libdesk policies ...`: keep the policy registry in step with the board's decisions."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from libdesk.core import clock
from libdesk.feedback import selectors as feedback
from libdesk.policies import selectors
from libdesk.policies.documents import DocumentError, read_policy_file
from libdesk.policies.services import PolicyError, record_review, register_policy


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date: {value!r} is not a date like 2024-11-27") from exc


class Command(BaseCommand):
    help = "Import policy documents, record board reviews, and list the reviews that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser("import", help="register policy documents (YAML) as versions")
        imp.add_argument("files", nargs="+", metavar="FILE")
        reviewed = actions.add_parser("reviewed", help="record a board review without a new text")
        reviewed.add_argument("number")
        reviewed.add_argument("--date", required=True, help="review date, YYYY-MM-DD")
        reviewed.add_argument("--motion", default="", help="board motion, e.g. 071-2024")
        due = actions.add_parser("due", help="policies whose review has passed or is near")
        due.add_argument("--within", type=int, default=90, metavar="DAYS")
        due.add_argument("--json", action="store_true", help="print JSON for scripts")
        actions.add_parser("list", help="policies in force")

    def handle(self, *args: object, **options: object) -> None:
        getattr(self, f"_{options['action']}")(**options)

    def _import(self, files: list[str], **_: object) -> None:
        documents = []
        for path in files:
            try:
                documents.append(read_policy_file(path))
            except DocumentError as exc:
                raise CommandError(f"{exc}\nNothing was imported.") from exc
        for doc in documents:
            try:
                result = register_policy(doc)
            except PolicyError as exc:
                raise CommandError(str(exc)) from exc
            note = "".join(f"; supersedes {p.number} v{p.version}" for p in result.superseded)
            self.stdout.write(f"{doc.number} v{result.policy.version}: {result.outcome}{note}")

    def _reviewed(self, number: str, date: str, motion: str, **_: object) -> None:
        try:
            review = record_review(number, _iso_date(date), motion)
        except PolicyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{number}: review of {review.reviewed_on} recorded; "
            f"next review {review.policy.next_review}"
        )

    def _due(self, within: int, json: bool, **_: object) -> None:
        if within < 0:
            raise CommandError("--within: give a number of days, 0 or more")
        due = selectors.reviews_due(within)
        tied = feedback.comments_by_policy([d.number for d in due])
        if json:
            self.stdout.write(
                _json([{**d.as_json(), "comments": _comments(tied[d.number])} for d in due])
            )
            return
        if not due:
            self.stdout.write(f"No policy is due for review within {within} days.")
        for item in due:
            when = (
                f"{item.days_overdue} days overdue"
                if item.days_overdue > 0
                else f"due in {-item.days_overdue} days"
            )
            self.stdout.write(
                f"{item.number}  {item.title}  next review {item.next_review} ({when})"
            )
            self._tied(tied[item.number])

    def _tied(self, tied: feedback.PolicyComments) -> None:
        """The comments tied to the policy's clauses: when, which clause, the rating and the
        text; never who wrote them."""
        plural = "" if tied.count == 1 else "s"
        self.stdout.write(f"  {tied.count} comment{plural} tied to its clauses")
        for comment in tied.comments:
            rating = f", rated {comment.rating}/5" if comment.rating else ""
            text = comment.text or "(text deleted at the end of its retention period)"
            when = comment.received_at.astimezone(clock.library_zone()).date().isoformat()
            self.stdout.write(f"  - {when}, {comment.clause_title}{rating}: {text}")

    def _list(self, **_: object) -> None:
        for policy in selectors.policies_in_force().order_by("number"):
            self.stdout.write(
                f"{policy.number}  v{policy.version}  {policy.title}  adopted {policy.adopted_on}"
                f"  next review {policy.next_review}"
            )


def _comments(tied: feedback.PolicyComments) -> dict:
    return {
        "count": tied.count,
        "comments": [
            {
                "received_at": c.received_at.isoformat(),
                "service": c.service,
                "clause": c.clause_title,
                "rating": c.rating,
                "text": c.text,
            }
            for c in tied.comments
        ],
    }


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
