"""The decision codes circulation answers with, each tied to the clause whose words it uses.

Wording follows the policy: a refusal says what happened in plain language, names the rule,
and the door shows the alternatives on offer (clause timely-or-alternatives). Limits set by the
loan rules (items, holds, renewals, requests, fees) exist so that there is enough for everyone:
they cite "optimum service for all". A grant cites a clause only when one shaped it.
"""

from django.utils.translation import gettext_lazy as _

from libdesk.core.decisions import Reason, register

PURPOSE = "OP-02-01-01/purpose"
QUEUE = "OP-02-01-01/equal-respect"
FAVOUR = "OP-02-01-01/patrons-favour"
ALTERNATIVES = "OP-02-01-01/timely-or-alternatives"
EXPLAINED = "OP-02-01-01/policies-explained"
FOR_ALL = "OP-02-01-01/equal-consideration"
CARD = "OP-02-01-01/confidentiality-loans"


def _refusal(code: str, clauses: tuple[str, ...], reason, short, staff) -> None:
    register(Reason(code, clauses, reason, short, staff))


def _grant(code: str, clauses: tuple[str, ...], reason, short, staff) -> None:
    register(Reason(code, clauses, reason, short, staff, grant=True))


# Grants
_grant(
    "offline_recorded",
    (),
    _("A self-check machine lent this while offline; the loan is recorded. Due {due}."),
    _("Recorded. Due {due}"),
    _("Offline loan from a kiosk recorded with its own date; any conflict is on the account."),
)
_grant(
    "checkout_granted",
    (),
    _("Checked out. Due back on {due}."),
    _("Due {due}"),
    _("Checked out; due {due}."),
)
_grant(
    "checkout_overridden",
    (FAVOUR,),
    _("Checked out by staff decision. Due back on {due}."),
    _("Due {due} (staff decision)"),
    _("Checked out over a block ({refusal_short}); the override is recorded. Due {due}."),
)
_grant(
    "already_on_loan_to_patron",
    (),
    _("This item is already checked out to you, due {due}."),
    _("Already yours, due {due}"),
    _("Already on loan to this patron (a second scan); no new loan was made. Due {due}."),
)
_grant(
    "renewal_granted",
    (),
    _("Renewed. Due back on {due}."),
    _("Renewed, due {due}"),
    _("Renewed; due {due}."),
)
_grant(
    "renewal_overridden",
    (FAVOUR,),
    _("Renewed by staff decision. Due back on {due}."),
    _("Renewed, due {due} (staff decision)"),
    _("Renewed over a block ({refusal_short}); the override is recorded. Due {due}."),
)
_grant(
    "already_renewed",
    (),
    _(
        "Already renewed: this is due back on {due}. Renewing again today would not add any "
        "time, so no renewal was used."
    ),
    _("Already renewed, due {due}"),
    _("Already renewed for this period (a second request); nothing was counted. Due {due}."),
)
_grant(
    "hold_placed",
    (QUEUE,),
    _("Your hold is placed. You are number {position} in line."),
    _("Hold placed: number {position}."),
    _("Hold placed; position {position}."),
)
_grant(
    "request_submitted",
    (QUEUE,),
    _("Your request is in. Requests are handled in the order they arrive."),
    _("Request submitted."),
    _("Request recorded; it waits in first-come order."),
)
_grant(
    "payment_received",
    (),
    _("Payment of {amount} received. Receipt number {receipt}."),
    _("Paid {amount}: receipt {receipt}"),
    _("Payment of {amount} recorded; receipt {receipt}."),
)

# The card and the patron's standing
_refusal(
    "card_expired",
    (EXPLAINED,),
    _(
        "Your card expired on {expired}. Renewing it at any desk takes a minute, and then you "
        "can borrow again."
    ),
    _("Card expired. Please see staff."),
    _("The card expired on {expired}. Renew the card (or override with a reason)."),
)
_refusal(
    "card_lost",
    (CARD,),
    _("This card was reported lost, so it cannot be used to borrow. Staff can issue a new one."),
    _("Card reported lost. Please see staff."),
    _("The card was reported lost. Issue a replacement card before lending."),
)
_refusal(
    "card_blocked",
    (CARD,),
    _(
        "A self-check machine blocked this card (it may have kept the card). To keep what is "
        "on it safe, it cannot be used to borrow until staff at a desk lift the block."
    ),
    _("Card blocked by a self-check machine. Please see staff."),
    _(
        "A kiosk blocked this card (SIP2 block patron); the kiosk's message is on the account. "
        "Check the patron's identity, then lift the block."
    ),
)
_refusal(
    "too_many_items",
    (FOR_ALL,),
    _(
        "You already have {count} items out, the most this card can borrow at once ({limit}), "
        "so that there is enough for everyone. Return one and you can take this."
    ),
    _("Item limit reached ({limit})."),
    _("{count} items on loan; the limit for this category is {limit}. Override with a reason."),
)
_refusal(
    "fees_over_limit",
    (FOR_ALL,),
    _(
        "Borrowing pauses while fees of {owed} are owing (the limit is {limit}), so that the "
        "collection everyone shares is looked after fairly. Staff can help you settle them."
    ),
    _("Fees owing: {owed}. Please see staff."),
    _("The patron owes {owed}; borrowing stops at {limit}. Take a payment, waive, or override."),
)
_refusal(
    "no_loan_rule",
    (EXPLAINED,),
    _(
        "The library has not yet set lending terms for this kind of item ({material}) on a "
        "card like yours ({category}), so it cannot be lent or held now. Staff will take the "
        "question to the Head Librarian."
    ),
    _("No lending terms for this item yet. Please see staff."),
    _(
        "No loan rule covers {category} patrons and {material}. The Head Librarian adds one "
        "under Loan rules; until then it cannot be lent or held."
    ),
)

# The copy
_refusal(
    "item_on_loan",
    (ALTERNATIVES,),
    _("This copy is already checked out to someone else and cannot be lent twice."),
    _("This copy is on loan."),
    _("The item has an open loan to another card. Check it in first if it is in your hands."),
)
_refusal(
    "item_not_for_loan",
    (ALTERNATIVES,),
    _("This copy cannot be borrowed: it is {status}."),
    _("Not for loan: {status}."),
    _("Item status is {status}; it cannot circulate."),
)
_refusal(
    "item_held_for_another",
    (QUEUE,),
    _(
        "This copy is set aside for someone who placed a hold on it first. Every request is "
        "met in the order it was made."
    ),
    _("Set aside for a hold."),
    _("The item is captured for another patron's hold ({status}). Put it back on the shelf."),
)
_refusal(
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
_refusal(
    "withdraw_on_loan",
    (FAVOUR,),
    _(
        "This copy is on loan, and its borrower keeps it, with its due date, until it comes "
        "back. It can be withdrawn once it is checked in."
    ),
    _("On loan: check it in before withdrawing it."),
    _(
        "The copy has an open loan. Check it in (or mark it lost) first, so the loan closes "
        "and the borrower's link with it goes; then withdraw it."
    ),
)

# Renewals
_refusal(
    "renewal_limit",
    (FOR_ALL, ALTERNATIVES),
    _(
        "This item has been renewed {used} times, the most allowed ({limit}), so that everyone "
        "gets a turn. Staff can give more time when there is a reason, and here is what else "
        "can be offered."
    ),
    _("No renewals left."),
    _("Renewals used: {used} of {limit}. Override with a reason if the patron needs it."),
)
_refusal(
    "renewal_wanted_by_holds",
    (QUEUE,),
    _("Someone is waiting for this item, so it cannot be renewed. Please return it by {due}."),
    _("Others are waiting for it."),
    _("A hold waits for this item; it cannot be renewed."),
)
_refusal(
    "renewal_would_not_extend",
    (FAVOUR,),
    _(
        "Renewing today would not add any time: this is already due back on {due}, as late as "
        "a renewal today would make it. Your renewal is kept for when it helps: from "
        "{renew_from}, renewing adds time."
    ),
    _("Nothing to add today. Renew from {renew_from}."),
    _(
        "A renewal today would not move the due date ({due}), so it is refused and not "
        "counted. From {renew_from} a renewal adds time; to give more time now, extend the due "
        "date."
    ),
)
_refusal(
    "loan_not_renewable",
    (EXPLAINED,),
    _("This loan cannot be renewed while it is {state}. Staff can explain what happens next."),
    _("Cannot be renewed."),
    _("The loan is {state}; only a loan still on the patron's card renews."),
)
_refusal(
    "loan_ended",
    (EXPLAINED,),
    _(
        "This loan has already ended ({state}), so it can no longer be changed. Staff can "
        "explain what happens next."
    ),
    _("This loan has ended."),
    _("The loan is {state} and closed; nothing on it can be changed now."),
)

# Holds
_refusal(
    "hold_limit",
    (FOR_ALL,),
    _(
        "You already have {count} holds, the most allowed at once ({limit}), so that there are "
        "turns for everyone."
    ),
    _("Hold limit reached ({limit})."),
    _("{count} active holds; the limit is {limit}."),
)
_refusal(
    "hold_duplicate",
    (QUEUE, ALTERNATIVES),
    _(
        "You already have a hold on this title, and it keeps its place in line. Here is what "
        "else can be offered now."
    ),
    _("Already on hold for you."),
    _("The patron already has an active hold on this title; offer the alternatives listed."),
)
_refusal(
    "hold_already_borrowed",
    (FOR_ALL,),
    _(
        "You already have a copy of this on loan, so a hold would keep a copy from someone who "
        "has none."
    ),
    _("Already on your card."),
    _("The patron has a copy of this title on loan."),
)
_refusal(
    "nothing_to_hold",
    (ALTERNATIVES,),
    _(
        "The library has no copy of this that can be lent. You can ask for it through "
        "interlibrary loan or suggest that the library buy it."
    ),
    _("No copy to hold."),
    _("No loanable copy exists for this hold; offer interlibrary loan or a purchase."),
)
_refusal(
    "hold_ended",
    (QUEUE,),
    _(
        "This hold has already ended ({state}), so it can no longer be changed. A new hold "
        "joins the line in the order it is placed."
    ),
    _("This hold has ended."),
    _("The hold is {state}; an ended hold cannot be cancelled, suspended or resumed."),
)
_refusal(
    "hold_set_aside",
    (QUEUE,),
    _(
        "A copy is already set aside for this hold ({state}), so it can no longer be "
        "suspended: the next person in line would wait for a copy nobody collects. Pick it up, "
        "or cancel the hold and the copy goes to the next in line."
    ),
    _("A copy is set aside for this hold."),
    _(
        "The hold is {state}: a copy is captured for it, so it cannot be suspended. The patron "
        "picks it up or cancels the hold."
    ),
)

# Requests and fees
_refusal(
    "request_limit",
    (FOR_ALL,),
    _(
        "You have {count} requests open, the most at once ({limit}), so that staff can answer "
        "everyone's requests in good time."
    ),
    _("Request limit reached."),
    _("{count} open requests; the limit is {limit}."),
)
_refusal(
    "fee_settled",
    (FAVOUR,),
    _("This fee is already settled: nothing more is owed on it."),
    _("Nothing is owed on this fee."),
    _("The fee is closed; no payment or waiver can be taken on it."),
)

# Overrides: a clerk's judgment call, only ever in the patron's favour
_refusal(
    "override_must_favour_patron",
    (FAVOUR,),
    _("Staff judgment can only make things easier for you, never harder."),
    _("An override can only favour the patron."),
    _("Overrides may extend, waive or let through; this one would {why}."),
)
_refusal(
    "override_not_permitted",
    (FAVOUR,),
    _(
        "Only staff at a desk can make a judgment call to set a rule aside, and only in your "
        "favour. Ask at any desk."
    ),
    _("Only desk staff can override. Please ask at a desk."),
    _(
        "Overrides are made by desk staff (clerk, librarian or Head Librarian) signed in at a "
        "workstation; this caller is not one."
    ),
)
_refusal(
    "not_overridable",
    (FAVOUR,),
    _("{refusal} This is not something staff can set aside."),
    _("Staff cannot override this."),
    _("No override applies here: {refusal}"),
)
