"""The decision codes only a kiosk answers with: the rest are circulation's and patrons' own,
rendered on the kiosk's screen as their short reasons."""

from django.utils.translation import gettext_lazy as _

from libdesk.core.decisions import Reason, register

CARD = "OP-02-01-01/confidentiality-loans"

register(
    Reason(
        "kiosk_pin_required",
        (CARD,),
        _(
            "To keep what is on a card private, a self-check machine asks for the card's PIN "
            "before it shows or changes anything on the account."
        ),
        _("Please enter your PIN."),
        _("The kiosk sent no verified PIN for this card in this session."),
    )
)
register(
    Reason(
        "kiosk_pin_wrong",
        (CARD,),
        _(
            "The card number or PIN was not recognised. Try again, or ask staff at any desk, "
            "who can help you right away or set a new PIN when you show your card or ID."
        ),
        _("Card or PIN not recognised."),
        _("Wrong or empty PIN, or unknown card, at a kiosk."),
    )
)
