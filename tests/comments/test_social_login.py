"""A reader signs in through django-allauth's openid_connect provider against an
OpenID Connect provider standing in on loopback (discovery, authorize, token with
an RS256-signed id_token, JWKS, userinfo), then comments without e-mail."""

import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model

from dateline.comments.models import Comment

from .oidc_standin import CLIENT_ID, CLIENT_SECRET, READER, OIDCStandIn


@pytest.fixture
def oidc(db):
    standin = OIDCStandIn()
    # Configured as an operator would in the admin (Social applications).
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="loopback",
        name="Loopback ID",
        client_id=CLIENT_ID,
        secret=CLIENT_SECRET,
        settings={"server_url": standin.issuer},
    )
    yield standin
    standin.stop()


HOST = {"host": "spacewar.localhost"}


def sign_in(client, standin, next_path):
    """Run the browser's part of the flow: our POST, the provider's redirect back."""
    start = client.post(f"/accounts/oidc/loopback/login/?next={next_path}", headers=HOST)
    assert start.status_code == 302, start.content[:500]
    authorize = start["Location"]
    assert authorize.startswith(standin.issuer + "/authorize?")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(authorize)
        raise AssertionError("the provider did not redirect")
    except urllib.error.HTTPError as redirect:
        callback = redirect.headers["Location"]
    parts = urlsplit(callback)
    assert parts.hostname == "spacewar.localhost"
    return client.get(f"{parts.path}?{parts.query}", headers=HOST)


class SocialLoginTests:
    def test_write_page_offers_the_configured_login(self, oidc, article, fetch):
        """The comment form lists the provider the operator configured, as a POST form."""
        page = fetch(f"/comments/{article.id}/write/").content.decode()
        assert "Sign in with Loopback ID" in page
        assert 'action="/accounts/oidc/loopback/login/?' in page

    def test_sign_in_and_comment_without_email(
        self, oidc, article, client, mailoutbox, django_capture_on_commit_callbacks
    ):
        """After an OpenID Connect login the reader comments at once, no e-mail needed."""
        write_path = f"/comments/{article.id}/write/"
        done = sign_in(client, oidc, write_path)
        assert done.status_code == 302 and done["Location"] == write_path
        assert oidc.token_requests == 1
        user = get_user_model().objects.get(email=READER["email"])
        assert not user.is_staff
        form = client.get(write_path, headers=HOST).content.decode()
        assert "You are signed in as oidc.reader@example.org" in form
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                write_path,
                {"name": "Olga", "body": "Signed-in comment.", "website": ""},
                headers=HOST,
            )
        assert response.status_code == 302 and "state=queued" in response["Location"]
        comment = Comment.objects.get()
        assert comment.status == Comment.Status.PENDING
        assert comment.author_email == READER["email"] and comment.user == user
        assert not mailoutbox

    def test_social_login_never_takes_a_staff_account(self, oidc, article, client):
        """A provider asserting a staff member's address does not sign in as that staff user."""
        staff = get_user_model().objects.create_user(
            "deskeditor", READER["email"], "pw-for-tests", is_staff=True
        )
        sign_in(client, oidc, f"/comments/{article.id}/write/")
        response = client.get("/admin/", headers=HOST)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert client.session.get("_auth_user_id") != str(staff.pk)


class StaffLoginTests:
    def test_admin_login_unchanged(self, client, db):
        """Staff sign in through the admin's own form; allauth's password pages are closed."""
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        editor = get_user_model().objects.create_user(
            "editor", "e@example.org", "pw-for-tests", is_staff=True
        )
        device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
        page = client.get("/admin/login/", headers=HOST)
        assert page.status_code == 200 and 'name="username"' in page.content.decode()
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "editor", "password": "pw-for-tests", "otp_token": f"{code:06d}"},
            headers=HOST,
        )
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert client.get("/admin/", headers=HOST).status_code == 200
        for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
            assert client.get(path, headers=HOST).status_code == 404, path
