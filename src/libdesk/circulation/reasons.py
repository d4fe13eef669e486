"""The decision codes circulation answers with, each tied to the clause behind it.

Wording follows the policy: a refusal says what happened in plain language, names the rule,
and the door shows the alternatives on offer (clause timely-or-alternatives).
"""

from django.utils.translation import gettext_lazy as _

from libdesk.core.decisions import Reason, register

EQUITABLE = "OP-02-01-01/policies-explained"
QUEUE = "OP-02-01-01/equal-respect"
FAVOUR = "OP-02-01-01/patrons-favour"
ALTERNATIVES = "OP-02-01-01/timely-or-alternatives"
CARD = "OP-02-01-01/confidentiality-loans"


def _reason(code: str, clauses: tuple[str, ...], reason, short, staff) -> None:
    register(Reason(code, clauses, reason, short, staff))


_reason(
    "checkout_granted",
    (ALTERNATIVES,),
    _("Checked out. Due back on {due}."),
    _("Due {due}"),
    _("Checked out; due {due}."),
)
_reason(
    "checkout_overridden",
    (FAVOUR,),
    _("Checked out by staff decision. Due back on {due}."),
    _("Due {due} (staff decision)"),
    _("Checked out over a block ({refusal}); the override is recorded. Due {due}."),
)
_reason(
    "already_on_loan_to_patron",
    (ALTERNATIVES,),
    _("This item is already checked out to you, due {due}."),
    _("Already yours, due {due}"),
    _("Already on loan to this patron (a second scan); no new loan was made. Due {due}."),
)
_reason(
    "renewal_granted",
    (ALTERNATIVES,),
    _("Renewed. Due back on {due}."),
    _("Renewed, due {due}"),
    _("Renewed; due {due}."),
)
_reason(
    "card_expired",
    (EQUITABLE,),
    _(
        "Your card expired on {expired}. Renewing it at any desk takes a minute, and then you "
        "can borrow again."
    ),
    _("Card expired. Please see staff."),
    _("The card expired on {expired}. Renew the card (or override with a reason)."),
)
_reason(
    "card_lost",
    (CARD,),
    _("This card was reported lost, so it cannot be used to borrow. Staff can issue a new one."),
    _("Card reported lost. Please see staff."),
    _("The card was reported lost. Issue a replacement card before lending."),
)
_reason(
    "too_many_items",
    (EQUITABLE,),
    _(
        "You already have {count} items out, the most this card can borrow at once ({limit}), "
        "so that there is enough for everyone. Return one and you can take this."
    ),
    _("Item limit reached ({limit})."),
    _("{count} items on loan; the limit for this category is {limit}. Override with a reason."),
)
_reason(
    "fees_over_limit",
    (EQUITABLE,),
    _("Borrowing pauses while fees of {owed} are owing (the limit is {limit})."),
    _("Fees owing: {owed}. Please see staff."),
    _("The patron owes {owed}; borrowing stops at {limit}. Take a payment, waive, or override."),
)
_reason(
    "item_on_loan",
    (ALTERNATIVES,),
    _("This copy is already checked out to someone else and cannot be lent twice."),
    _("This copy is on loan."),
    _("The item has an open loan to another card. Check it in first if it is in your hands."),
)
_reason(
    "item_not_for_loan",
    (EQUITABLE, ALTERNATIVES),
    _("This copy cannot be borrowed: it is {status}."),
    _("Not for loan: {status}."),
    _("Item status is {status}; it cannot circulate."),
)
_reason(
    "item_held_for_another",
    (QUEUE,),
    _(
        "This copy is set aside for someone who placed a hold on it first. Every request is "
        "met in the order it was made."
    ),
    _("Set aside for a hold."),
    _("The item is captured for another patron's hold ({status}). Put it back on the shelf."),
)
_reason(
    "item_wanted_by_holds",
    (QUEUE,),
    _(
        "People are waiting for this title, and this copy is needed to fill their holds in the "
        "order they were placed. You can join the queue."
    ),
    _("Needed for waiting holds."),
    _(
        "{waiting} hold(s) wait for this title and only {spare} other copies are on the shelf: "
        "this copy belongs to the queue. Send it to the hold shelf by checking it in."
    ),
)
_reason(
    "renewal_limit",
    (EQUITABLE,),
    _("This item has been renewed {used} times, the most allowed ({limit}), so others get a turn."),
    _("No renewals left."),
    _("Renewals used: {used} of {limit}. Override with a reason if the patron needs it."),
)
_reason(
    "renewal_wanted_by_holds",
    (QUEUE,),
    _("Someone is waiting for this item, so it cannot be renewed. Please return it by {due}."),
    _("Others are waiting for it."),
    _("A hold waits for this item; it cannot be renewed."),
)
_reason(
    "loan_not_renewable",
    (EQUITABLE,),
    _("This loan cannot be renewed in its current state ({state})."),
    _("Cannot be renewed."),
    _("The loan is {state}; only loans on the patron's card renew."),
)
_reason(
    "hold_placed",
    (QUEUE,),
    _("Your hold is placed. You are number {position} in line."),
    _("Hold placed: number {position}."),
    _("Hold placed; position {position}."),
)
_reason(
    "hold_limit",
    (EQUITABLE,),
    _("You already have {count} holds, the most allowed at once ({limit})."),
    _("Hold limit reached ({limit})."),
    _("{count} active holds; the limit is {limit}."),
)
_reason(
    "hold_duplicate",
    (QUEUE,),
    _("You already have a hold on this title; it keeps its place in line."),
    _("Already on hold for you."),
    _("The patron already has an active hold on this title."),
)
_reason(
    "hold_already_borrowed",
    (ALTERNATIVES,),
    _("You already have a copy of this on loan."),
    _("Already on your card."),
    _("The patron has a copy of this title on loan."),
)
_reason(
    "nothing_to_hold",
    (ALTERNATIVES,),
    _(
        "The library has no copy of this that can be lent. You can ask for it through "
        "interlibrary loan or suggest that the library buy it."
    ),
    _("No copy to hold."),
    _("No loanable copy exists for this hold; offer interlibrary loan or a purchase."),
)
_reason(
    "hold_not_yours",
    (CARD,),
    _("This hold cannot be changed from here."),
    _("Not your hold."),
    _("The hold is not in a state that can be changed."),
)
_reason(
    "request_submitted",
    (ALTERNATIVES,),
    _("Your request is in. Requests are handled in the order they arrive."),
    _("Request submitted."),
    _("Request recorded; it waits in first-come order."),
)
_reason(
    "request_limit",
    (EQUITABLE,),
    _("You have {count} requests open, the most at once ({limit})."),
    _("Request limit reached."),
    _("{count} open requests; the limit is {limit}."),
)
_reason(
    "override_must_favour_patron",
    (FAVOUR,),
    _("Staff judgment can only make things easier for you, never harder."),
    _("An override can only favour the patron."),
    _("Overrides may extend, waive or let through; this one would {why}."),
)
_reason(
    "not_overridable",
    (QUEUE,),
    _("This cannot be set aside: it would take a turn from someone waiting in line."),
    _("Cannot be overridden."),
    _("{refusal} protects another patron's place in the queue, so no override applies."),
)
_reason(
    "payment_received",
    (EQUITABLE,),
    _("Payment of {amount} received. Receipt number {receipt}."),
    _("Paid {amount}: receipt {receipt}"),
    _("Payment of {amount} recorded; receipt {receipt}."),
)
