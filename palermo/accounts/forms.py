from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from palermo.accounts.access import PLATFORM_ONLY_ORGANISATION_FIELDS
from palermo.accounts.models import Organisation, OrganisationType, Role
from palermo.geo.models import Country


class CountryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The username or password is not correct. Both are case-sensitive. After several "
            "failed attempts the account is locked for 15 minutes."
        ),
        "inactive": _("This account is disabled."),
    }


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"]).replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits shown by your authenticator app."))
        return token


class OrganisationForm(forms.ModelForm):
    country = CountryChoiceField(
        queryset=Country.objects.all(),
        required=False,
        label=_("Country"),
        help_text=_("Where it is based. Leave empty for an international organisation."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "acronym", "type", "country", "is_host", "is_active"]

    def __init__(self, *args: Any, platform_admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not platform_admin:
            for name in PLATFORM_ONLY_ORGANISATION_FIELDS:
                del self.fields[name]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *OrganisationType.choices]
    )
    country = CountryChoiceField(
        queryset=Country.objects.all(),
        required=False,
        label=_("Country"),
        empty_label=_("All countries"),
    )


class MemberAddForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("An existing username, or a new one to create the account."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Only for a new account: at least 12 characters. Give it to the person safely."
        ),
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What it is for, e.g. 'reporting script'."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)
