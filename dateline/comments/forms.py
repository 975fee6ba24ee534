"""The reader's forms: write a comment, report one, share on Mastodon."""

import re

from django import forms
from django.core.exceptions import ValidationError

from dateline.network.models import host_validator

from .models import CommentReport
from .text import comment_html, link_count


class CommentForm(forms.Form):
    name = forms.CharField(max_length=80, label="Your name (shown with the comment)")
    email = forms.EmailField(
        max_length=254, label="Your e-mail (never shown; we send the confirmation link there)"
    )
    body = forms.CharField(
        max_length=5000,
        min_length=2,
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text="Plain text; a blank line starts a new paragraph; web addresses become links.",
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people by the stylesheet, filled in by form-filling bots.
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(self, *args, max_links: int, identity_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_links = max_links
        if identity_email:
            # Signed in with a social login: the address is the account's.
            self.fields["email"].required = False
            self.fields["email"].widget = forms.HiddenInput()
        self.identity_email = identity_email

    def clean_name(self):
        name = re.sub(r"\s+", " ", self.cleaned_data["name"]).strip()
        if not name:
            raise ValidationError("Give a name to show with your comment.")
        return name

    def clean_body(self):
        body = self.cleaned_data["body"]
        html = comment_html(body)
        if not html:
            raise ValidationError("Your comment has no text once markup is removed.")
        if link_count(html) > self.max_links:
            raise ValidationError(
                f"Comments may hold at most {self.max_links} links; "
                f"yours has {link_count(html)}. Remove some and send it again."
            )
        return body

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=CommentReport.Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MastodonForm(forms.Form):
    instance = forms.CharField(
        max_length=253, label="Your Mastodon server", help_text="For example mastodon.social"
    )

    def clean_instance(self):
        value = self.cleaned_data["instance"].strip().lower()
        value = re.sub(r"^https?://", "", value).rstrip("/")
        if "@" in value:  # "@reader@example.social" or "reader@example.social"
            value = value.rsplit("@", 1)[1]
        try:
            host_validator(value)
        except ValidationError:
            raise ValidationError(
                "Enter your server's name, like mastodon.social (no path, no spaces)."
            ) from None
        if "." not in value:
            raise ValidationError("Enter your server's full name, like mastodon.social.")
        return value
