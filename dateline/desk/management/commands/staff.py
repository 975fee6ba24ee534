"""``dateline staff``: staff accounts for operators (shell access to the machine).

dateline staff add USERNAME --role editor|"chief editor"|moderator|admin [--email E]
    (the password is asked for, or read from the variable named by --password-env)
dateline staff totp USERNAME     a new TOTP secret: prints its otpauth:// URI and a QR code
dateline staff code USERNAME     the current TOTP code (the demo's dev settings only)
"""

import getpass
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dateline.desk.roles import ROLES, roles_sync


def totp_device_reset(user):
    """A new confirmed TOTP device for ``user`` (any older one goes)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


class Command(BaseCommand):
    help = "Staff accounts: add a member with a role, issue a TOTP secret, show a demo code."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add", "totp", "code"])
        parser.add_argument("username")
        parser.add_argument("--role", choices=[*ROLES, "admin"], default="editor")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-env", default="", help="Read the password from this variable."
        )

    def handle(self, *args, action, username, **options):
        user_model = get_user_model()
        if action == "add":
            self._add(user_model, username, options)
            return
        user = user_model.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if action == "totp":
            self._print_device(totp_device_reset(user))
        else:
            if not getattr(settings, "DATELINE_DEMO", False):
                raise CommandError("Codes are shown only on the demo (dateline.settings.dev).")
            from django_otp.oath import totp
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user).first()
            if device is None:
                raise CommandError(f"{username} has no TOTP device: dateline staff totp {username}")
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            self.stdout.write(f"{code:0{device.digits}d}")

    @transaction.atomic
    def _add(self, user_model, username, options):
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"{username!r} exists already.")
        if options["password_env"]:
            password = os.environ.get(options["password_env"], "")
        else:
            password = getpass.getpass(f"Password for {username}: ")
        user = user_model(username=username, email=options["email"], is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        user.set_password(password)
        user.is_superuser = options["role"] == "admin"
        user.save()
        roles_sync()
        user.groups.add(Group.objects.get(name=options["role"]))
        self.stdout.write(f"{username}: {options['role']}")
        self._print_device(totp_device_reset(user))

    def _print_device(self, device):
        import segno

        self.stdout.write("Add this TOTP secret to an authenticator app:")
        self.stdout.write(device.config_url)
        qr = segno.make(device.config_url)
        qr.terminal(out=self.stdout, compact=True)
