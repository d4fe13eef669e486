"""What each SIP2 request does: a thin door onto the circulation and patron services, the same
ones the desk and the API call. A handler reads the fields, calls one service, and renders its
Decision: ok or not, and the short reason as the screen message (AF).

Every reply is (code, fixed fields, variable fields); the server frames it. The institution
comes from the terminal account: a request naming another (AO) is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from libdesk.access.purposes import Access
from libdesk.audit.actors import Actor
from libdesk.audit.models import ActorKind
from libdesk.catalog.models import Item, ItemStatus, MaterialType, Record
from libdesk.circulation import selectors, services
from libdesk.circulation.desk import Desk
from libdesk.circulation.models import Hold, HoldStatus, Via
from libdesk.circulation.services.fees import pay_at_kiosk
from libdesk.circulation.services.lending import patron_blocks
from libdesk.circulation.services.offline import checkout_offline
from libdesk.core import clock
from libdesk.core.decisions import Decision, Refused
from libdesk.core.errors import InputError, NotFound
from libdesk.library.models import Branch
from libdesk.patrons.models import Patron
from libdesk.patrons.services import block_card, enable_card_at_kiosk
from libdesk.sip2 import services as terminals
from libdesk.sip2.models import PatronField
from libdesk.sip2.patrons import AtKiosk, identify
from libdesk.sip2.protocol import (
    Message,
    count,
    due_date_text,
    flag,
    number,
    read_date,
    sip_date,
)
from libdesk.sip2.session import KioskSession

Reply = tuple[str, list[str], list[tuple[str, object]]]
LANGUAGES = {"en": "001", "fr": "002"}
UNKNOWN_COUNT = "    "  # four blanks: a count the kiosk may not be told
MEDIA = {MaterialType.BOOK: "001", MaterialType.LARGE_PRINT: "001", MaterialType.MAGAZINE: "002"}
MEDIA.update({MaterialType.MUSIC: "003", MaterialType.AUDIOBOOK: "004", MaterialType.DVD: "006"})
CIRCULATION_STATUS = {
    ItemStatus.AVAILABLE: "03",
    ItemStatus.ON_LOAN: "04",
    ItemStatus.ON_HOLD_SHELF: "08",
    ItemStatus.IN_TRANSIT: "10",
    ItemStatus.CLAIMED_RETURNED: "11",
    ItemStatus.LOST: "12",
    ItemStatus.MISSING: "13",
}
# The order of BX, the messages a server supports, in the spec.
SUPPORTED = ("23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15")
SUPPORTED += ("29", "65")
ITEM_LIST_MAX = 50  # items listed in one 64, whatever BP and BQ ask
CLOCK_SKEW = timedelta(minutes=5)  # a kiosk's clock a little ahead of the server's


def currency() -> str:
    return settings.LIBDESK["CURRENCY"]


def now_text() -> str:
    return sip_date(clock.now())


def desk_of(session: KioskSession) -> Desk:
    """The kiosk acts as its terminal at its branch: audit entries name the terminal, never
    the patron (PRIVACY.md)."""
    terminal = session.terminal
    actor = Actor(
        ActorKind.TERMINAL, str(terminal.pk), "terminal", terminal.login, terminal.branch.code
    )
    return Desk(actor, terminal.branch, Via.KIOSK)


def handle(session: KioskSession, message: Message) -> Reply:
    """The reply to one request from a logged-in terminal."""
    terminal = session.terminal
    handler = HANDLERS[message.code]
    institution = message.get("AO").strip()
    if message.code != "99" and institution != terminal.institution:
        return handler.refused(message, _("This machine is not set up for this library."))
    if not terminal.allows(message.code):
        return handler.refused(message, _("This machine may not do that here. Please see staff."))
    return handler.run(session, message)


def log_in(session: KioskSession, message: Message) -> Reply:
    """93: the terminal account (the location, CP, is informative only)."""
    try:
        terminal = terminals.log_in(message.get("CN"), message.get("CO"), session.address)
    except (terminals.TerminalLoginFailed, Refused):
        session.log_out()
        session.failed_logins += 1
        return "94", ["0"], []
    session.log_in(terminal)
    return "94", ["1"], []


# --- Handlers, each with the refusal shape of its reply ---------------------------------


class Handler:
    """One request code: `run` answers it; `refused` answers it with ok=0 (or its equivalent)
    and a screen message, when the terminal may not send it or names another institution."""

    def __init__(self, run: Callable, refused: Callable[[Message, str], Reply]) -> None:
        self.run, self.refused = run, refused


def _screen(decision: Decision, patron: Patron | None) -> str:
    with translation.override(patron.language if patron else translation.get_language()):
        return decision.short_reason


def _error_text(error: InputError, patron: Patron | None) -> str:
    return error.message


def _language(at: AtKiosk, session: KioskSession) -> str:
    if at.verified and session.terminal.may_tell(PatronField.LANGUAGE):
        return LANGUAGES.get(at.patron.language, "000")
    return "000"


# 99 status -------------------------------------------------------------------------------


def status(session: KioskSession, message: Message) -> Reply:
    terminal = session.terminal
    bx = "".join(flag(code in ("97", "93") or terminal.allows(code)) for code in SUPPORTED)
    fixed = [
        "Y",
        flag(terminal.allows("09")),
        flag(terminal.allows("11")),
        flag(terminal.allows("29")),
        "N",  # status update
        "Y",  # offline ("no block") transactions are accepted
        "030",  # timeout period, tenths of a second... left to the kiosk's default of 3 s
        "003",
        now_text(),
        "2.00",
    ]
    fields = [
        ("AO", terminal.institution),
        ("AM", _library_name()),
        ("BX", bx),
        ("AN", terminal.name or terminal.login),
    ]
    return "98", fixed, fields


def _library_name() -> str:
    from libdesk.library.selectors import the_library

    library = the_library()
    return library.name if library else ""


# 23 patron status, 01 block patron, 25 patron enable ---------------------------------------


def _patron_status(at: AtKiosk) -> str:
    """The 14 flags; blank unless the patron proved their PIN (they are about the account)."""
    if not at.verified:
        return " " * 14
    patron = at.patron
    blocks = {b.code for b in patron_blocks(patron, None)}
    charge = bool(blocks)
    lost = patron.card_lost_at is not None
    fees = "fees_over_limit" in blocks
    flags = [charge, charge, False, lost or "card_expired" in blocks, lost]
    flags += [False] * 5 + [fees, fees, False, False]
    return "".join(flag(f, "Y", " ") for f in flags)


def _identity_fields(session: KioskSession, at: AtKiosk, card: str) -> list:
    terminal = session.terminal
    name = at.patron.name if at.verified and terminal.may_tell(PatronField.NAME) else ""
    fields: list = [("AO", terminal.institution), ("AA", card), ("AE", name)]
    if terminal.may_tell(PatronField.VALIDITY):
        fields.append(("BL", flag(at.valid)))
    if at.pin is not None:
        fields.append(("CQ", at.pin))
    return fields


def _fee_fields(session: KioskSession, at: AtKiosk) -> list:
    if not (at.verified and session.terminal.may_tell(PatronField.FEES)):
        return []
    owed = services.lending.fees_owed(at.patron)
    return [("BH", currency()), ("BV", f"{owed:.2f}")]


def _patron_screen(at: AtKiosk, text: str = "") -> list:
    if text:
        return [("AF", text)]
    if at.refusal is not None:
        return [("AF", _screen(at.refusal, at.patron if at.verified else None))]
    return []


def patron_status(session: KioskSession, message: Message) -> Reply:
    at = identify(session, message)
    return _status_reply("24", session, message, at)


def _status_reply(
    code: str, session: KioskSession, message: Message, at: AtKiosk, text="", flags=None
) -> Reply:
    fixed = [flags or _patron_status(at), _language(at, session), now_text()]
    fields = _identity_fields(session, at, message.get("AA"))
    fields += _fee_fields(session, at) + _patron_screen(at, text)
    return code, fixed, fields


def _status_refused(code: str) -> Callable[[Message, str], Reply]:
    def refused(message: Message, text: str) -> Reply:
        fields = [("AO", message.get("AO")), ("AA", message.get("AA")), ("AE", ""), ("BL", "N")]
        return code, [" " * 14, "000", now_text()], [*fields, ("AF", text)]

    return refused


def block_patron(session: KioskSession, message: Message) -> Reply:
    """01: the kiosk blocks a card it kept (card retained) or whose holder proved their PIN in
    this session; answered with a patron status. The answer is the same whether or not the
    card exists, and a card merely typed, without its PIN, is not blocked."""
    at = identify(session, message)
    retained = message.fixed["card_retained"] == "Y"
    if not (retained or at.verified):
        refused = AtKiosk(None, False, at.pin, at.refusal)
        return _status_reply("24", session, message, refused)
    if at.patron is not None:
        terminal = session.terminal
        block_card(
            desk_of(session).actor,
            at.patron.pk,
            terminal=terminal.login,
            message=message.get("AL"),
            retained=retained,
        )
    session.forget_patron()
    text = _screen(Decision.refuse("card_blocked"), at.patron if at.verified else None)
    # what the kiosk just did: the card may not borrow or renew (holds are not blocked)
    blocked = AtKiosk(None, False, None)
    return _status_reply("24", session, message, blocked, text, "YY" + " " * 12)


def enable_patron(session: KioskSession, message: Message) -> Reply:
    """25: lifts a kiosk's blocks, where the terminal may; the patron proves their PIN."""
    at = identify(session, message)
    if at.verified:
        enable_card_at_kiosk(desk_of(session).actor, at.patron.pk, terminal=session.terminal.login)
    return _status_reply("26", session, message, at)


# 63 patron information ----------------------------------------------------------------


def patron_information(session: KioskSession, message: Message) -> Reply:
    at = identify(session, message)
    terminal = session.terminal
    tell_counts = at.verified and terminal.may_tell(PatronField.COUNTS)
    lists = _account_lists(at.patron) if at.verified else None
    counts = [UNKNOWN_COUNT] * 6
    if tell_counts:
        counts = [count(len(lists[key])) for key in LIST_TAGS]
    fixed = [_patron_status(at), _language(at, session), now_text(), *counts]
    fields = _identity_fields(session, at, message.get("AA"))
    if tell_counts:
        fields += _limits(at.patron)
    fields += _fee_fields(session, at)
    if lists is not None and terminal.may_tell(PatronField.ITEMS):
        fields += _listed(message, lists)
    fields += _contact_fields(session, at) + _patron_screen(at)
    return "64", fixed, fields


# The six lists of 63/64, in the order of the summary field and the counts.
LIST_TAGS = ("AS", "AT", "AU", "AV", "BU", "CD")


def _account_lists(patron: Patron) -> dict[str, list[str]]:
    access = Access.own(patron.pk)
    today = clock.today()
    loans = list(selectors.current_loans(access))
    holds = [view.hold for view in selectors.current_holds(access)]
    fees = list(selectors.open_fees(access))
    ready = [h for h in holds if h.status == HoldStatus.READY]
    waiting = [h for h in holds if h.status != HoldStatus.READY]
    return {
        "AS": [_hold_text(h) for h in ready],
        "AT": [loan.item.barcode for loan in loans if loan.due < today],
        "AU": [loan.item.barcode for loan in loans],
        "AV": [f"{fee.pk} {fee.balance:.2f} {fee.get_kind_display()}" for fee in fees],
        "BU": [],
        "CD": [_hold_text(h) for h in waiting],
    }


def _hold_text(hold: Hold) -> str:
    return hold.record.title[:100]


def _listed(message: Message, lists: dict[str, list[str]]) -> list:
    """The one list the summary asks for, from BP to BQ (1-based, inclusive)."""
    summary = message.fixed["summary"]
    position = summary.find("Y")
    if position < 0 or position >= len(LIST_TAGS):
        return []
    start = _position(message.get("BP"), 1)
    end = _position(message.get("BQ"), start + ITEM_LIST_MAX - 1)
    end = min(end, start + ITEM_LIST_MAX - 1)
    tag = LIST_TAGS[position]
    return [(tag, value) for value in lists[tag][start - 1 : end]]


def _position(text: str, default: int) -> int:
    value = number(text, 99999)
    return value if value else default


def _limits(patron: Patron) -> list:
    from libdesk.circulation.rules import NoLoanRule, rule_for

    try:
        rule = rule_for(patron.category, "", None)
    except NoLoanRule:
        return []
    return [("BZ", count(rule.max_holds)), ("CB", count(rule.max_items))]


def _contact_fields(session: KioskSession, at: AtKiosk) -> list:
    if not at.verified:
        return []
    terminal, patron = session.terminal, at.patron
    wanted = [
        ("BD", PatronField.ADDRESS, patron.postal_address.replace("\n", ", ")),
        ("BE", PatronField.EMAIL, patron.email),
        ("BF", PatronField.PHONE, patron.phone),
    ]
    return [(tag, value) for tag, field, value in wanted if terminal.may_tell(field) and value]


def _information_refused(message: Message, text: str) -> Reply:
    fixed = [" " * 14, "000", now_text(), *[UNKNOWN_COUNT] * 6]
    fields = [("AO", message.get("AO")), ("AA", message.get("AA")), ("AE", ""), ("BL", "N")]
    return "64", fixed, [*fields, ("AF", text)]


# 11 checkout -----------------------------------------------------------------------------


def _local(moment: datetime | None) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, clock.library_zone())
    return moment


def checkout(session: KioskSession, message: Message) -> Reply:
    at = identify(session, message)
    barcode = message.get("AB").strip()
    if not at.verified:
        return _checkout_reply(message, False, barcode, text=_screen(at.refusal, None))
    desk = desk_of(session)
    if message.get("BI") == "Y":
        return _cancel_checkout(desk, message, at, barcode)
    offline = _offline_moment(session, message, "date")
    try:
        if offline is not None:
            due_at = _local(read_date(message.fixed["nb_due_date"]))
            due = clock.local_date(due_at) if due_at else None
            result = checkout_offline(desk, at.patron, barcode, at=offline, due=due)
        else:
            result = services.checkout(desk, at.patron, barcode)
    except Refused as refused:
        return _checkout_reply(message, False, barcode, text=_screen(refused.decision, at.patron))
    except InputError as error:
        return _checkout_reply(message, False, barcode, text=error.message)
    due = result.decision.params.get("due") or None
    item = result.loan.item
    text = _screen(result.decision, at.patron)
    return _checkout_reply(message, True, barcode, item=item, due=due, text=text)


def _offline_moment(session: KioskSession, message: Message, name: str) -> datetime | None:
    """The kiosk's own time for an offline ("no block") transaction, when it is to be taken:
    the terminal accepts offline transactions, and the time is within the last
    LIBDESK_SIP2_OFFLINE_DAYS and not in the future. Otherwise None: the transaction is done
    now, with every rule, as if it were an ordinary one."""
    if message.fixed.get("no_block") != "Y" or not session.terminal.accepts_offline:
        return None
    moment = _local(read_date(message.fixed[name]))
    now = clock.now()
    oldest = now - timedelta(days=settings.LIBDESK["SIP2_OFFLINE_DAYS"])
    if moment is None or not oldest <= moment <= now + CLOCK_SKEW:
        return None
    return min(moment, now)


def _cancel_checkout(desk: Desk, message: Message, at: AtKiosk, barcode: str) -> Reply:
    """BI=Y: the kiosk could not finish (the security strip would not switch off): the loan
    it just made for this patron is undone by checking the item back in."""
    try:
        item = services.item_by_barcode(barcode)
        selectors.loan_of_item_for(Access.own(at.patron.pk), item, action="change")
        services.checkin(desk, barcode)
    except (NotFound, InputError):
        return _checkout_reply(message, False, barcode, text=_("Nothing to cancel."))
    return _checkout_reply(message, True, barcode, item=item, text=_("Checkout cancelled."))


def _checkout_reply(message, ok: bool, barcode: str, *, item=None, due=None, text="") -> Reply:
    fixed = [flag(ok, "1", "0"), "N", "U", flag(ok), now_text()]
    fields: list = [
        ("AO", message.get("AO")),
        ("AA", message.get("AA")),
        ("AB", barcode),
        ("AJ", item.record.title[:200] if item is not None else ""),
        ("AH", due_date_text(due) if due else ""),
    ]
    if item is not None:
        fields.append(("CK", MEDIA.get(item.record.material_type, "000")))
    if text:
        fields.append(("AF", text))
    return "12", fixed, fields


def _checkout_refused(message: Message, text: str) -> Reply:
    return _checkout_reply(message, False, message.get("AB"), text=text)


# 09 check-in ---------------------------------------------------------------------------


def checkin(session: KioskSession, message: Message) -> Reply:
    """No borrower in the answer (PRIVACY.md); a copy someone is waiting for names the pickup
    code and branch, never the patron."""
    desk = desk_of(session)
    barcode = message.get("AB").strip()
    returned_at = _offline_moment(session, message, "return_date")
    try:
        result = services.checkin(desk, barcode, returned_at=returned_at)
    except InputError as error:
        return _checkin_reply(message, False, barcode, text=error.message)
    item, hold = result.item, result.hold
    alert, fields = False, []
    if hold is not None:
        alert = True
        here = hold.pickup_branch_id == desk.branch.pk
        fields += [("CT", hold.pickup_branch.code), ("CV", "01" if here else "02")]
        fields += [("CY", hold.pickup_code)]
        text = _("Hold for pickup code %(code)s at %(branch)s.") % {
            "code": hold.pickup_code,
            "branch": hold.pickup_branch.name,
        }
    elif item.status == ItemStatus.IN_TRANSIT:
        alert = True
        fields += [("CT", item.in_transit_to.code if item.in_transit_to else ""), ("CV", "04")]
        text = _("Send to %s.") % (item.in_transit_to.name if item.in_transit_to else "")
    else:
        text = _("Checked in. Thank you.")
    return _checkin_reply(message, True, barcode, item=item, alert=alert, extra=fields, text=text)


def _checkin_reply(message, ok, barcode, *, item=None, alert=False, extra=(), text="") -> Reply:
    fixed = [flag(ok, "1", "0"), flag(ok), "U", flag(alert), now_text()]
    fields: list = [
        ("AO", message.get("AO")),
        ("AB", barcode),
        ("AQ", item.branch.code if item is not None else ""),
        ("AJ", item.record.title[:200] if item is not None else None),
    ]
    if item is not None:
        fields.append(("CK", MEDIA.get(item.record.material_type, "000")))
    fields += list(extra)
    if text:
        fields.append(("AF", text))
    return "10", fixed, fields


def _checkin_refused(message: Message, text: str) -> Reply:
    return _checkin_reply(message, False, message.get("AB"), text=text)


# 17 item information -----------------------------------------------------------------------


def item_information(session: KioskSession, message: Message) -> Reply:
    """What the catalogue shows: status, due date if on loan, queue length; never who."""
    barcode = message.get("AB").strip()
    item = Item.objects.select_related("record", "branch").filter(barcode=barcode).first()
    if item is None:
        return _item_refused(message, _("No item has this barcode."))
    due = selectors.due_dates([item]).get(item.pk)
    queue = services.queue_for(item)
    fixed = [CIRCULATION_STATUS.get(item.status, "01"), "00", "01", now_text()]
    fields = [
        ("CF", count(len(queue))),
        ("AH", due_date_text(due) if due else None),
        ("AB", barcode),
        ("AJ", item.record.title[:200]),
        ("AQ", item.branch.code),
        ("AP", item.branch.code),
        ("CK", MEDIA.get(item.record.material_type, "000")),
        ("CS", item.call_number or None),
        ("AF", item.get_status_display()),
    ]
    return "18", fixed, fields


def _item_refused(message: Message, text: str) -> Reply:
    fields = [("AB", message.get("AB")), ("AJ", ""), ("AF", text)]
    return "18", ["01", "00", "01", now_text()], fields


# 29 renew, 65 renew all --------------------------------------------------------------------


def renew(session: KioskSession, message: Message) -> Reply:
    at = identify(session, message)
    barcode = message.get("AB").strip()
    if not at.verified:
        return _renew_reply(message, False, barcode, text=_screen(at.refusal, None))
    if not barcode:
        return _renew_reply(message, False, barcode, text=_("Scan the item to renew."))
    try:
        item = services.item_by_barcode(barcode)
        loan = selectors.loan_of_item_for(Access.own(at.patron.pk), item, action="change")
        result = services.renew(desk_of(session), loan)
    except NotFound:
        return _renew_reply(message, False, barcode, text=_("This item is not on loan to you."))
    except InputError as error:
        return _renew_reply(message, False, barcode, text=error.message)
    except Refused as refused:
        text = _screen(refused.decision, at.patron)
        return _renew_reply(message, False, barcode, item=item, text=text)
    text = _screen(result.decision, at.patron)
    return _renew_reply(message, True, barcode, item=item, due=result.loan.due, text=text)


def _renew_reply(message, ok, barcode, *, item=None, due=None, text="") -> Reply:
    fixed = [flag(ok, "1", "0"), flag(ok), "U", "U", now_text()]
    fields: list = [
        ("AO", message.get("AO")),
        ("AA", message.get("AA")),
        ("AB", barcode),
        ("AJ", item.record.title[:200] if item is not None else ""),
        ("AH", due_date_text(due) if due else ""),
    ]
    if text:
        fields.append(("AF", text))
    return "30", fixed, fields


def _renew_refused(message: Message, text: str) -> Reply:
    return _renew_reply(message, False, message.get("AB"), text=text)


def renew_all(session: KioskSession, message: Message) -> Reply:
    at = identify(session, message)
    if not at.verified:
        return _renew_all_refused(message, _screen(at.refusal, None))
    desk, access = desk_of(session), Access.own(at.patron.pk)
    renewed, unrenewed = [], []
    for loan in selectors.current_loans(access):
        try:
            services.renew(desk, loan)
        except (Refused, InputError):
            unrenewed.append(loan.item.barcode)
        else:
            renewed.append(loan.item.barcode)
    fixed = ["1", count(len(renewed)), count(len(unrenewed)), now_text()]
    fields = [("AO", message.get("AO"))]
    fields += [("BM", b) for b in renewed] + [("BN", b) for b in unrenewed]
    text = _("%(renewed)d renewed, %(unrenewed)d not renewed.") % {
        "renewed": len(renewed),
        "unrenewed": len(unrenewed),
    }
    return "66", fixed, [*fields, ("AF", text)]


def _renew_all_refused(message: Message, text: str) -> Reply:
    return "66", ["0", "0000", "0000", now_text()], [("AO", message.get("AO")), ("AF", text)]


# 15 hold -----------------------------------------------------------------------------------


def hold(session: KioskSession, message: Message) -> Reply:
    at = identify(session, message)
    if not at.verified:
        return _hold_refused(message, _screen(at.refusal, None))
    record = _record_of(message)
    if record is None:
        return _hold_refused(message, _("Scan the item, or give its title number."))
    mode = message.fixed["hold_mode"]
    if mode == "+":
        return _place(session, message, at, record)
    if mode == "-":
        return _cancel(session, message, at, record)
    return _hold_refused(message, _("Change a hold at a desk or in your online account."))


def _record_of(message: Message) -> Record | None:
    barcode = message.get("AB").strip()
    if barcode:
        item = Item.objects.select_related("record").filter(barcode=barcode).first()
        return item.record if item is not None else None
    title = message.get("AJ").strip()
    if number(title) is not None:
        return Record.objects.filter(pk=number(title)).first()
    return Record.objects.filter(control_number=title).first() if title else None


def _pickup(session: KioskSession, message: Message) -> Branch:
    code = message.get("BS").strip()
    return Branch.objects.filter(code=code).first() or session.terminal.branch


def _place(session, message, at: AtKiosk, record: Record) -> Reply:
    pickup = _pickup(session, message)
    try:
        placed, decision = services.place_hold(
            desk_of(session), at.patron, pickup_branch=pickup, record=record
        )
    except Refused as refused:
        if refused.decision.code != "hold_duplicate":
            return _hold_refused(message, _screen(refused.decision, at.patron))
        # a retried 15: the hold it placed the first time answers it
        access = Access.own(at.patron.pk)
        placed = selectors.hold_for(access, refused.decision.params["hold_id"])
        decision = refused.decision
    except InputError as error:
        return _hold_refused(message, error.message)
    place = services.queue_place(placed)
    available = record.items.filter(status=ItemStatus.AVAILABLE).exists()
    fixed = ["1", flag(available), now_text()]
    fields = [
        ("BR", str(place.position)),
        ("BS", placed.pickup_branch.code),
        ("AO", message.get("AO")),
        ("AA", message.get("AA")),
        ("AB", message.get("AB") or None),
        ("AJ", record.title[:200]),
        ("AF", _screen(decision, at.patron)),
    ]
    return "16", fixed, fields


def _cancel(session, message, at: AtKiosk, record: Record) -> Reply:
    try:
        held = selectors.hold_on_record_for(Access.own(at.patron.pk), record)
    except NotFound:
        return _hold_refused(message, _("You have no hold on this title."))
    try:
        services.cancel_hold(desk_of(session), held)
    except Refused as refused:
        return _hold_refused(message, _screen(refused.decision, at.patron))
    fields = [("AO", message.get("AO")), ("AA", message.get("AA")), ("AJ", record.title[:200])]
    return "16", ["1", "N", now_text()], [*fields, ("AF", _("Hold cancelled."))]


def _hold_refused(message: Message, text: str) -> Reply:
    fields = [("AO", message.get("AO")), ("AA", message.get("AA")), ("AF", text)]
    return "16", ["0", "N", now_text()], fields


# 35 end session, 37 fee paid -------------------------------------------------------------


def end_session(session: KioskSession, message: Message) -> Reply:
    session.forget_patron()
    fields = [("AO", message.get("AO")), ("AA", message.get("AA")), ("AF", _("Goodbye."))]
    return "36", ["Y", now_text()], fields


def _end_refused(message: Message, text: str) -> Reply:
    fields = [("AO", message.get("AO")), ("AA", message.get("AA")), ("AF", text)]
    return "36", ["N", now_text()], fields


PAYMENT_METHODS = {"00": "cash", "01": "card", "02": "card"}


def fee_paid(session: KioskSession, message: Message) -> Reply:
    at = identify(session, message)
    if not at.verified:
        return _fee_refused(message, _screen(at.refusal, None))
    method = PAYMENT_METHODS.get(message.fixed["payment_type"])
    if method is None:
        return _fee_refused(message, _("This payment type is not accepted."))
    if message.fixed["currency"].strip() not in ("", currency()):
        return _fee_refused(message, _("Payments are taken in %s.") % currency())
    try:
        amount = Decimal(message.get("BV").strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return _fee_refused(message, _("The amount is not a number."))
    fee_id = message.get("CG").strip()
    try:
        payments = pay_at_kiosk(
            desk_of(session),
            at.patron.pk,
            amount,
            method=method,
            transaction_id=message.get("BK").strip()[:64],
            fee_id=number(fee_id),
        )
    except InputError as error:
        return _fee_refused(message, error.message)
    except Refused as refused:
        return _fee_refused(message, _screen(refused.decision, at.patron))
    fields = [("AO", message.get("AO")), ("AA", message.get("AA")), ("BK", message.get("BK"))]
    text = _("Paid. Receipt %s.") % payments[0].receipt
    return "38", ["Y", now_text()], [*fields, ("AF", text)]


def _fee_refused(message: Message, text: str) -> Reply:
    fields = [("AO", message.get("AO")), ("AA", message.get("AA")), ("AF", text)]
    return "38", ["N", now_text()], fields


HANDLERS: dict[str, Handler] = {
    "99": Handler(status, lambda message, text: ("96", [], [])),
    "23": Handler(patron_status, _status_refused("24")),
    "63": Handler(patron_information, _information_refused),
    "11": Handler(checkout, _checkout_refused),
    "09": Handler(checkin, _checkin_refused),
    "17": Handler(item_information, _item_refused),
    "29": Handler(renew, _renew_refused),
    "65": Handler(renew_all, _renew_all_refused),
    "15": Handler(hold, _hold_refused),
    "35": Handler(end_session, _end_refused),
    "37": Handler(fee_paid, _fee_refused),
    "01": Handler(block_patron, _status_refused("24")),
    "25": Handler(enable_patron, _status_refused("26")),
}
