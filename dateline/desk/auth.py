"""Staff sign-in: a password and a TOTP code (django-otp) when DATELINE_STAFF_2FA is on
(the default everywhere), login attempts throttled by django-axes. Every staff screen
of the project goes through ``staff_required``; the admin is django-otp's OTPAdminSite."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse


def is_signed_in(user) -> bool:
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    return not settings.DATELINE_STAFF_2FA or user.is_verified()


def staff_required(permission: str):
    """A staff member signed in (with their second factor) holding ``permission``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_signed_in(request.user):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not request.user.has_perm(permission):
                raise PermissionDenied(f"This needs the permission {permission}.")
            return view(request, *args, **kwargs)

        wrapped.staff_permission = permission
        return wrapped

    return decorator


def _otp_admin_site_class():
    from django_otp import devices_for_user
    from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

    class StaffLoginForm(OTPAdminAuthenticationForm):
        """django-otp's admin login, where a member with one authenticator need not
        pick it from the list (django-otp asks for an explicit choice)."""

        def _chosen_device(self, user):
            device = super()._chosen_device(user)
            if device is None:
                devices = list(devices_for_user(user, confirmed=True, for_verify=True))
                if len(devices) == 1:
                    device = devices[0]
            return device

    class StaffAdminSite(OTPAdminSite):
        login_form = StaffLoginForm

    return StaffAdminSite


def admin_site_secure(site) -> None:
    """Make the admin ask for a TOTP code (django-otp's documented class switch)."""
    if settings.DATELINE_STAFF_2FA:
        site.__class__ = _otp_admin_site_class()
