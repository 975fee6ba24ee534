"""The reader's forms; they only parse input (the services decide)."""

from django import forms
from django.core.validators import validate_email


class AddressField(forms.CharField):
    """An e-mail address we can deliver to, or a message that says what is wrong."""

    def clean(self, value):
        value = super().clean(value).strip()
        if "@" not in value:
            raise forms.ValidationError(
                "That is not an e-mail address: it needs an @, like name@example.com."
            )
        if not value.isascii():
            raise forms.ValidationError(
                "Please write the address in plain letters (for an international domain name, "
                "its xn-- form)."
            )
        try:
            validate_email(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                f"{value[:80]!r} is not a valid e-mail address; check it for typos "
                "(e.g. name@example.com)."
            ) from None
        return value


class SignupForm(forms.Form):
    email = AddressField(max_length=254)
    newsletters = forms.TypedMultipleChoiceField(coerce=int, choices=())
    # The honeypot: hidden from people by the stylesheet, filled in by form-filling bots.
    website = forms.CharField(required=False)

    def __init__(self, *args, newsletters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].choices = [(n.id, n.site.name) for n in newsletters]
        self.fields["newsletters"].error_messages["required"] = "Choose at least one newsletter."


class PreferencesForm(forms.Form):
    newsletters = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)

    def __init__(self, *args, newsletters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].choices = [(n.id, n.site.name) for n in newsletters]
