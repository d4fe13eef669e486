from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.catalog.models import MaterialType
from libdesk.circulation.models import MAX_AMOUNT, LoanRule, OverrideReason, RequestKind
from libdesk.core.bounds import DATE_VALIDATORS
from libdesk.library.models import Branch

OVERRIDE_CHOICES = [("", _("No override")), *OverrideReason.choices]


class BarcodeForm(forms.Form):
    barcode = forms.CharField(
        label=_("Item barcode"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class CheckoutForm(BarcodeForm):
    """A scan, and (when the clerk decides in the patron's favour) the override reason."""

    override_reason = forms.ChoiceField(
        label=_("Override a block (reason)"), choices=OVERRIDE_CHOICES, required=False
    )
    override_note = forms.CharField(label=_("Override note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("override_reason") and not (data.get("override_note") or "").strip():
            self.add_error("override_note", _("Say in a few words why you override."))
        return data


class LoanForm(forms.Form):
    loan_id = forms.IntegerField(widget=forms.HiddenInput)


class ReasonFields(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=OverrideReason.choices)
    note = forms.CharField(label=_("Note"), max_length=300)


class ExtendForm(LoanForm, ReasonFields):
    new_due = forms.DateField(
        label=_("New due date"),
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class FeeForm(forms.Form):
    fee_id = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0.01, max_value=MAX_AMOUNT, max_digits=8, decimal_places=2
    )


class PayForm(FeeForm):
    method = forms.ChoiceField(
        label=_("Paid by"), choices=[("cash", _("Cash")), ("card", _("Card"))]
    )


class WaiveForm(FeeForm, ReasonFields):
    pass


class DamageForm(BarcodeForm):
    charge = forms.DecimalField(
        label=_("Charge"),
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=8,
        decimal_places=2,
        initial=0,
    )
    note = forms.CharField(label=_("What is damaged"), max_length=300)


class StaffHoldForm(forms.Form):
    record_id = forms.IntegerField(label=_("Record number"), required=False)
    barcode = forms.CharField(label=_("Or one copy's barcode"), max_length=32, required=False)
    any_edition = forms.BooleanField(label=_("Any edition or format"), required=False)
    pickup_branch = forms.ModelChoiceField(
        label=_("Pickup branch"), queryset=Branch.objects.all(), to_field_name="code"
    )


class DeskRequestForm(forms.Form):
    """An alternative taken at the desk in one click: interlibrary loan or a purchase
    suggestion for a record."""

    record_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(choices=RequestKind.choices, widget=forms.HiddenInput)


class PatronHoldForm(forms.Form):
    """A hold from the record page: the title (any copy), the whole work, or one copy."""

    record_id = forms.IntegerField(widget=forms.HiddenInput)
    copy = forms.ChoiceField(label=_("Which copy"), required=False)
    any_edition = forms.BooleanField(label=_("Any edition or format will do"), required=False)
    formats = forms.MultipleChoiceField(
        label=_("Only in these formats (with any edition; none ticked means any)"),
        choices=MaterialType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pickup_branch = forms.ModelChoiceField(
        label=_("Pick up at"), queryset=Branch.objects.all(), to_field_name="code"
    )

    def __init__(self, *args, copies=(), **kwargs) -> None:
        """`copies`: the record's copies a patron may hold one by one (any status a copy can
        come back from); each is offered by branch, call number and barcode."""
        super().__init__(*args, **kwargs)
        self.copies = {item.barcode: item for item in copies}
        self.fields["copy"].choices = [("", _("Any copy: the first one back"))] + [
            (item.barcode, f"{item.branch.name} · {item.call_number} · {item.barcode}")
            for item in copies
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("copy") and data.get("any_edition"):
            self.add_error("copy", _("Choose one copy or any edition, not both."))
        return data


class SuspendForm(forms.Form):
    until = forms.DateField(
        label=_("Suspend until"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of request"),
        choices=[("ill", _("Interlibrary loan")), ("purchase", _("Purchase suggestion"))],
    )
    record_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    author = forms.CharField(label=_("Author"), max_length=300, required=False)
    isbn = forms.CharField(label=_("ISBN (if known)"), max_length=20, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequestUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            ("in_progress", _("In progress")),
            ("fulfilled", _("Fulfilled")),
            ("declined", _("Declined")),
        ],
    )
    staff_note = forms.CharField(label=_("Note to the patron"), max_length=500, required=False)


class LoanRuleForm(forms.ModelForm):
    class Meta:
        model = LoanRule
        fields = [
            "patron_category",
            "material_type",
            "branch",
            "loan_days",
            "renewals",
            "max_items",
            "max_holds",
            "fine_per_day",
            "fine_cap",
            "lost_charge",
        ]
        labels = {
            "patron_category": _("Patron category"),
            "material_type": _("Material type"),
            "branch": _("Branch"),
            "loan_days": _("Loan period (days)"),
            "renewals": _("Renewals"),
            "max_items": _("Items on loan at most"),
            "max_holds": _("Holds at most"),
            "fine_per_day": _("Fine per day"),
            "fine_cap": _("Fine cap"),
            "lost_charge": _("Charge for a lost item"),
        }
