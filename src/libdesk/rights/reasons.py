"""The decision codes the rights app answers with. Closing an account waits until what the
patron borrowed is back and nothing is owed: the collection is there for everyone (clause
"optimum service for all")."""

from django.utils.translation import gettext_lazy as _

from libdesk.core.decisions import Reason, register

FOR_ALL = "OP-02-01-01/equal-consideration"

register(
    Reason(
        "close_account_on_loan",
        (FOR_ALL,),
        _(
            "Your account cannot be closed while anything is on loan to you (items on loan: "
            "{count}). Return them, or tell staff they are lost, then close it."
        ),
        _("Items still on loan"),
        _("The patron has items on loan ({count}); the account can close once they are back."),
    )
)
register(
    Reason(
        "close_account_owes",
        (FOR_ALL,),
        _(
            "Your account cannot be closed while {amount} is owed. Settle it at any desk (staff "
            "can also look at it with you), then close it."
        ),
        _("Money still owed"),
        _("The patron owes {amount}; the account can close once it is settled."),
    )
)
