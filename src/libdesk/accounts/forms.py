from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import STAFF_ROLE_CHOICES
from libdesk.accounts.models import StaffUser, Workstation


class StaffSignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    workstation = forms.ModelChoiceField(
        label=_("Workstation"),
        queryset=Workstation.objects.filter(active=True),
        to_field_name="name",
        empty_label=_("Choose this computer's name"),
    )


class AddStaffForm(forms.Form):
    username = forms.SlugField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)
    password = forms.CharField(
        label=_("Temporary password"),
        min_length=10,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if StaffUser.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


def _password(label, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class ChangePasswordForm(forms.Form):
    current_password = _password(_("Current password"), "current-password")
    new_password = _password(_("New password"), "new-password")
    repeat_password = _password(_("New password again"), "new-password")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("repeat_password"):
            self.add_error("repeat_password", _("The two new passwords differ."))
        return data


class ResetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New temporary password"),
        min_length=10,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
