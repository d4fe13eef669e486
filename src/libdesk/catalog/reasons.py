"""The decision codes the catalogue answers with, each tied to the clause whose words it uses."""

from django.utils.translation import gettext_lazy as _

from libdesk.core.decisions import Reason, register

PURPOSE = "OP-02-01-01/purpose"

register(
    Reason(
        "item_status_by_circulation",
        (PURPOSE,),
        _(
            "This copy's status ({status}) follows its loans and holds, so that the catalogue "
            "shows what is available right now: it changes only when the copy is checked out, "
            "checked in or withdrawn."
        ),
        _("Status set by circulation: check in or withdraw."),
        _(
            "Circulation sets this status (from {status} to {wanted} was asked): check the "
            "copy in, or withdraw it from this page, and the status follows."
        ),
    )
)
