from django import forms
from django.utils.translation import gettext_lazy as _


class CardNumberInput(forms.TextInput):
    """Never writes a card number back into a page: a public terminal shows it to the next
    person at the screen."""

    def format_value(self, value: object) -> None:
        return None


class PatronSignInForm(forms.Form):
    card = forms.CharField(
        label=_("Library card number"),
        max_length=20,
        widget=CardNumberInput(attrs={"autocomplete": "username", "inputmode": "numeric"}),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=32,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
