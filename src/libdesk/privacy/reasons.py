"""What privacy's refusals say, and the clause behind each (core/decisions.py): opening an
account at the desk, the parent exception, and requests for someone else's information."""

from django.utils.translation import gettext_lazy as _

from libdesk.core.decisions import Reason, register

IDENTITY = "OP-02-01-01/confidentiality-identity"
LOANS = "OP-02-01-01/confidentiality-loans"

register(
    Reason(
        code="card_not_valid",
        clauses=(LOANS,),
        reason=_(
            "This card was reported lost or has been replaced, so it cannot open an account. "
            "The card holder can show ID at the desk to be served."
        ),
        short_reason=_("This card is no longer valid. Please see staff."),
        staff_reason=_(
            "The card scanned was {why}. Keep the card; find the patron by name and check their "
            "identity before opening the account."
        ),
    )
)
register(
    Reason(
        code="guardian_exception_not_met",
        clauses=(LOANS,),
        reason=_(
            "A child's loans can be shown only to a parent or guardian on the child's record, "
            "while the child is under the age set by the library."
        ),
        short_reason=_("Only a linked guardian of a young child may see this."),
        staff_reason=_(
            "The guardian exception does not apply: {why}. Do not disclose the child's account."
        ),
    )
)
register(
    Reason(
        code="guardian_needs_card_or_id",
        clauses=(LOANS,),
        reason=_(
            "A parent or guardian can be shown a child's loans, holds and fees only when they "
            "bring the child's library card or their own identification. Please come back with "
            "either one. A guardian linked to the child's record can also see them by signing "
            "in to their own account online."
        ),
        short_reason=_("Please bring the child's card or your own ID."),
        staff_reason=_(
            "Neither the child's card nor the guardian's identification was presented. Do not "
            "open the child's account or say anything about it; show the parent this reason."
        ),
    )
)
register(
    Reason(
        code="third_party_request_refused",
        clauses=(IDENTITY, LOANS),
        reason=_(
            "The library does not tell anyone who uses library materials, or what another "
            "person has borrowed. Your request is recorded as {reference} and goes to the "
            "library's privacy officer, who answers requests made under legal authority, such "
            "as a warrant or a court order. Quote this reference when you contact them."
        ),
        short_reason=_("We cannot share another person's library records."),
        staff_reason=_(
            "Do not look up, confirm or deny anything about the person asked about, not even "
            "whether they have a card. Give the requester the reference {reference}; the "
            "privacy officer decides."
        ),
    )
)

# Why the guardian exception does not apply, as the staff reason says it.
GUARDIAN_NOT_IDENTIFIED = _("the parent or guardian was not identified by their own card")
GUARDIAN_CARD_UNKNOWN = _("no patron has the card given as the guardian's")
GUARDIAN_CARD_LOST = _("the card given as the guardian's was reported lost")
NOT_LINKED = _("this person is not linked to the child as a guardian")
PAST_AGE_LIMIT = _("the child has passed the guardian age limit")
