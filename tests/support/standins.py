"""Local stand-ins of Stripe's and PayPal's APIs, served on 127.0.0.1 (port 0) by a thread.

Every API request is checked against the provider's published OpenAPI document and every
API response is built from, and checked against, the same document, so a stand-in cannot
simply agree with our client: a request the document does not allow is answered 400 and
recorded in ``violations``, which the tests' fixtures assert is empty. The stand-ins
also serve the hosted checkout pages a reader sees (not part of the APIs), and deliver
webhooks signed as the providers sign them."""

import base64
import functools
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.request
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from .openapi import Document, SpecViolation
from .specs import spec_document


@functools.cache
def document(name: str, uri: str) -> Document:
    return Document(spec_document(name), uri=uri)


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StandIn:
    """The HTTP plumbing: subclasses implement ``api(method, path, headers, body)`` and
    ``page(method, path, query, form)`` for the hosted pages."""

    def __init__(self):
        self.violations: list[str] = []
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                status, headers, payload = stand_in.dispatch(
                    self.command, parts.path, parts.query, self.headers, body
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def dispatch(self, method, path, query, headers, body):
        try:
            return self.route(method, path, query, headers, body)
        except SpecViolation as violation:
            with self.lock:
                self.violations.append(str(violation))
            return (
                400,
                {"Content-Type": "application/json"},
                json.dumps({"error": {"message": str(violation)[:500]}}).encode(),
            )

    def json(self, status, body, extra_headers=None):
        payload = b"" if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        return status, {**headers, **(extra_headers or {})}, payload

    def html(self, status, text):
        return status, {"Content-Type": "text/html; charset=utf-8"}, text.encode()

    def redirect(self, location):
        return 303, {"Location": location}, b""


HOSTED_PAGE = """<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>
<h1>{title}</h1><p class=amount>{amount}</p>
<form method=post action="{action}"><button type=submit id=pay>{button}</button></form>
<p><a id=back href="{cancel}">Cancel and return</a></p></html>"""


class StripeStandIn(StandIn):
    """Stripe's API (checkout sessions, subscription cancel) and its hosted Checkout page."""

    def __init__(self, *, secret_key: str, webhook_secret: str):
        super().__init__()
        self.doc = document("stripe.com.json", "urn:stripe-openapi")
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.webhook_url = ""  # where a paid checkout is reported, when set
        self.webhook_host = ""  # the Host header of that delivery
        self.webhook_answers: list[int] = []
        self.sessions: dict[str, dict] = {}
        self.cancelled: list[str] = []

    def route(self, method, path, query, headers, body):
        if path.startswith("/pay/"):
            return self.page(method, path.removeprefix("/pay/"))
        if not path.startswith("/v1/"):  # what a browser asks of any host (/favicon.ico)
            return self.html(404, "<!doctype html><title>Not found</title>")
        return self.api(method, path, headers, body)

    def api(self, method, path, headers, body):
        self.calls.append((method, path))
        if headers.get("Authorization") != f"Bearer {self.secret_key}":
            raise SpecViolation(f"{method} {path}: no valid Authorization: Bearer <secret key>")
        if not headers.get("Stripe-Version"):
            raise SpecViolation(f"{method} {path}: the stripe library always sends Stripe-Version")
        template, operation, form = self.doc.check_request(
            method, path, content_type=headers.get("Content-Type", ""), body=body, headers=headers
        )
        if operation["operationId"] == "PostCheckoutSessions":
            session_id = f"cs_test_{secrets.token_hex(12)}"
            line = form["line_items"][0]
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": form["mode"],
                "url": f"{self.base}/pay/{session_id}",
                "success_url": form["success_url"],
                "cancel_url": form.get("cancel_url"),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": form.get("metadata", {}),
                "currency": line["price_data"]["currency"],
                "amount_total": int(line["price_data"]["unit_amount"]) * int(line["quantity"]),
                "amount_subtotal": int(line["price_data"]["unit_amount"]) * int(line["quantity"]),
                "status": "open",
                "payment_status": "unpaid",
                "created": int(time.time()),
                "expires_at": int(time.time()) + 86400,
                "livemode": False,
            }
            with self.lock:
                self.sessions[session_id] = session
            return self.json(200, self.doc.shaped(template, method, 200, session))
        if operation["operationId"] == "DeleteSubscriptionsSubscriptionExposedId":
            subscription_id = path.rsplit("/", 1)[1]
            self.cancelled.append(subscription_id)
            body = self.doc.shaped(
                template,
                method,
                200,
                {"id": subscription_id, "object": "subscription", "status": "canceled"},
            )
            return self.json(200, body)
        raise SpecViolation(f"{method} {template}: not served by this stand-in")

    def page(self, method, session_id):
        session = self.sessions.get(session_id)
        if session is None:
            return self.html(404, "<!doctype html><title>Expired</title><p>No such session")
        if method == "GET":
            amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
            if session["mode"] == "subscription":
                amount += " per month"
            return self.html(
                200,
                HOSTED_PAGE.format(
                    title="Stripe Checkout (stand-in)",
                    amount=html.escape(amount),
                    action=f"/pay/{session_id}",
                    button="Pay",
                    cancel=html.escape(session["cancel_url"] or "/"),
                ),
            )
        # The reader paid: Stripe reports it by webhook, then sends the reader back.
        session.update(status="complete", payment_status="paid")
        session["customer_details"] = {"email": "reader@example.org", "name": "Ada Reader"}
        if session["mode"] == "subscription":
            session["subscription"] = f"sub_{secrets.token_hex(8)}"
        else:
            session["payment_intent"] = f"pi_{secrets.token_hex(8)}"
        if self.webhook_url:
            event = stripe_event("checkout.session.completed", session)
            answer = self.deliver(event, url=self.webhook_url, host=self.webhook_host)
            self.webhook_answers.append(answer)
        return self.redirect(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))

    def sign(
        self, payload: bytes, *, timestamp: int | None = None, secret: str | None = None
    ) -> str:
        """The Stripe-Signature header, as Stripe computes it: HMAC-SHA256 with the
        endpoint's secret over ``<timestamp>.<payload>``."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new(
            (secret or self.webhook_secret).encode(),
            f"{timestamp}.".encode() + payload,
            hashlib.sha256,
        ).hexdigest()
        return f"t={timestamp},v1={mac}"

    def deliver(self, event: dict, *, url: str, host: str = "") -> int:
        payload = json.dumps(event).encode()
        extra = {"Host": host} if host else {}
        request = urllib.request.Request(  # noqa: S310 - the test's own loopback URL
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": self.sign(payload),
                **extra,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def stripe_event(event_type: str, obj: dict, *, created: int | None = None) -> dict:
    """An event envelope as Stripe documents it (https://docs.stripe.com/api/events/object)."""
    return {
        "id": f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


class PayPalStandIn(StandIn):
    """PayPal's REST API (OAuth token, Orders v2, Subscriptions v1, webhook signature
    verification), its approval pages, and webhooks signed as PayPal signs them."""

    CERT_URL = (
        "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-standin"
    )

    def __init__(self, *, client_id: str, client_secret: str, webhook_id: str):
        super().__init__()
        self.docs = [
            document(f"paypal_{name}.json", f"urn:paypal-{name}")
            for name in (
                "checkout_orders_v2",
                "billing_subscriptions_v1",
                "notifications_webhooks_v1",
            )
        ]
        self.client_id, self.client_secret, self.webhook_id = client_id, client_secret, webhook_id
        self.tokens: set[str] = set()
        self.orders: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.transmissions: dict[str, bytes] = {}
        self.cancelled: list[str] = []
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, "messageverificationcerts.paypal.com")]
        )
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )

    def _document_for(self, method, path):
        for doc in self.docs:
            template, _ = doc.operation(method, path)
            if template:
                return doc
        raise SpecViolation(f"{method} {path} is not an operation of PayPal's documents")

    def route(self, method, path, query, headers, body):
        if path == "/checkoutnow" or path == "/webapps/billing/subscriptions":
            return self.page(method, path, parse_qs(query))
        if not path.startswith(("/v1/", "/v2/")):  # what a browser asks of any host
            return self.html(404, "<!doctype html><title>Not found</title>")
        self.calls.append((method, path))
        if path == "/v1/oauth2/token":
            return self.token(method, headers, body)
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self.tokens:
            raise SpecViolation(f"{method} {path}: no valid bearer token (Oauth2 security scheme)")
        doc = self._document_for(method, path)
        template, operation, request = doc.check_request(
            method,
            path,
            content_type=headers.get("Content-Type", ""),
            body=body,
            headers=headers,
            echoes=("verify-webhook-signature.post",),
        )
        handler = getattr(
            self, "op_" + operation["operationId"].replace(".", "_").replace("-", "_")
        )
        status, values = handler(path, request or {}, headers)
        if values is None:
            doc.check_response(template, method, status, None)
            return self.json(status, None)
        return self.json(status, doc.shaped(template, method, status, values))

    def token(self, method, headers, body):
        # The OAuth 2.0 token endpoint is named by the documents' security scheme
        # (flows.clientCredentials.tokenUrl) but not described as an operation, so it is
        # checked here against RFC 6749 §4.4 (client credentials) and §2.3.1 (Basic auth).
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if method != "POST" or headers.get("Authorization") != f"Basic {expected}":
            return self.json(
                401,
                {"error": "invalid_client", "error_description": "Client Authentication failed"},
            )
        form = parse_qs(body.decode())
        if form.get("grant_type") != ["client_credentials"]:
            raise SpecViolation(
                "oauth2/token: grant_type must be client_credentials (RFC 6749 §4.4.2)"
            )
        token = f"A21AA{secrets.token_hex(16)}"
        self.tokens.add(token)
        return self.json(
            200,
            {
                "scope": "https://uri.paypal.com/services/subscriptions",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": f"{_now_iso()}{secrets.token_hex(8)}",
            },
        )

    # -- Orders v2 -------------------------------------------------------------------------

    def op_orders_create(self, path, request, headers):
        order_id = secrets.token_hex(8).upper()[:17]
        context = request["payment_source"]["paypal"]["experience_context"]
        unit = request["purchase_units"][0]
        order = {
            "id": order_id,
            "status": "PAYER_ACTION_REQUIRED",
            "intent": request["intent"],
            "purchase_units": [
                {
                    "reference_id": unit.get("reference_id", "default"),
                    "amount": unit["amount"],
                    "custom_id": unit.get("custom_id"),
                }
            ],
            "links": [
                {
                    "href": f"{self.base}/v2/checkout/orders/{order_id}",
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": f"{self.base}/checkoutnow?token={order_id}",
                    "rel": "payer-action",
                    "method": "GET",
                },
            ],
            "create_time": _now_iso(),
        }
        with self.lock:
            self.orders[order_id] = {"order": order, "context": context, "approved": False}
        return 201, order

    def op_orders_capture(self, path, request, headers):
        order_id = path.split("/")[4]
        record = self.orders.get(order_id)
        if record is None or not record["approved"]:
            raise SpecViolation(f"capture of {order_id}: the order was not approved by the payer")
        order = record["order"]
        if order["status"] != "COMPLETED":
            unit = order["purchase_units"][0]
            order["status"] = "COMPLETED"
            order["payer"] = {
                "name": {"given_name": "Ada", "surname": "Reader"},
                "email_address": "reader@example.org",
                "payer_id": "QYR5Z8XDVJNXQ",
            }
            unit["payments"] = {
                "captures": [
                    {
                        "id": secrets.token_hex(8).upper(),
                        "status": "COMPLETED",
                        "amount": unit["amount"],
                        "final_capture": True,
                        "custom_id": unit.get("custom_id"),
                        "create_time": _now_iso(),
                        "update_time": _now_iso(),
                    }
                ]
            }
        return 201, order

    def op_orders_get(self, path, request, headers):
        record = self.orders.get(path.rsplit("/", 1)[1])
        if record is None:
            raise SpecViolation("orders.get of an unknown order")
        return 200, record["order"]

    # -- Subscriptions v1 --------------------------------------------------------------------

    def op_subscriptions_create(self, path, request, headers):
        subscription_id = f"I-{secrets.token_hex(6).upper()}"
        subscription = {
            "id": subscription_id,
            "status": "APPROVAL_PENDING",
            "plan_id": request["plan_id"],
            "custom_id": request.get("custom_id"),
            "plan_overridden": "plan" in request,
            "create_time": _now_iso(),
            "links": [
                {
                    "href": f"{self.base}/webapps/billing/subscriptions?ba_token=BA-{subscription_id}",
                    "rel": "approve",
                    "method": "GET",
                },
                {
                    "href": f"{self.base}/v1/billing/subscriptions/{subscription_id}",
                    "rel": "self",
                    "method": "GET",
                },
            ],
        }
        with self.lock:
            self.subscriptions[subscription_id] = {
                "subscription": subscription,
                "context": request["application_context"],
                "price": request["plan"]["billing_cycles"][0]["pricing_scheme"]["fixed_price"],
            }
        return 201, subscription

    def op_subscriptions_cancel(self, path, request, headers):
        self.cancelled.append(path.split("/")[4])
        return 204, None

    # -- Webhooks ----------------------------------------------------------------------------

    def op_verify_webhook_signature_post(self, path, request, headers):
        return 200, {"verification_status": "SUCCESS" if self._verified(request) else "FAILURE"}

    def _verified(self, request) -> bool:
        """PayPal's check: the signature over ``id|time|webhook id|crc32(body)`` made with
        the key of the certificate at cert_url, for the body PayPal sent."""
        body = self.transmissions.get(request["transmission_id"])
        if body is None or request["cert_url"] != self.CERT_URL:
            return False
        if request["webhook_id"] != self.webhook_id or json.loads(body) != request["webhook_event"]:
            return False
        message = f"{request['transmission_id']}|{request['transmission_time']}|{request['webhook_id']}|{zlib.crc32(body)}"
        try:
            self.certificate.public_key().verify(
                base64.b64decode(request["transmission_sig"]),
                message.encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception:
            return False
        return True

    def signed_headers(
        self, body: bytes, *, sent_at: datetime | None = None, cert_url: str | None = None
    ) -> dict:
        """Headers of a webhook delivery, signed as PayPal signs them."""
        when = (sent_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        while True:
            transmission_id = str(uuid.uuid4())
            message = f"{transmission_id}|{when}|{self.webhook_id}|{zlib.crc32(body)}"
            signature = self.key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
            # PayPal's document constrains transmission_sig to ^(?!\d+$)\w+\S+ (a word
            # character first), so the signatures "PayPal" sends here do too.
            if re.match(r"\w", base64.b64encode(signature).decode()):
                break
        self.transmissions[transmission_id] = body
        return {
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": cert_url or self.CERT_URL,
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
            "PAYPAL-TRANSMISSION-TIME": when,
        }

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    # -- approval pages ----------------------------------------------------------------------

    def page(self, method, path, query):
        if path == "/checkoutnow":
            order_id = (query.get("token") or [""])[0]
            record = self.orders.get(order_id)
            if record is None:
                return self.html(404, "<!doctype html><title>Gone</title><p>No such order")
            if method == "GET":
                amount = record["order"]["purchase_units"][0]["amount"]
                return self.html(
                    200,
                    HOSTED_PAGE.format(
                        title="PayPal (stand-in)",
                        amount=html.escape(f"{amount['value']} {amount['currency_code']}"),
                        action=f"/checkoutnow?token={order_id}",
                        button="Pay Now",
                        cancel=html.escape(record["context"]["cancel_url"]),
                    ),
                )
            record["approved"] = True
            return self.redirect(
                f"{record['context']['return_url']}?{urlencode({'token': order_id, 'PayerID': 'QYR5Z8XDVJNXQ'})}"
            )
        ba_token = (query.get("ba_token") or [""])[0]
        subscription_id = ba_token.removeprefix("BA-")
        record = self.subscriptions.get(subscription_id)
        if record is None:
            return self.html(404, "<!doctype html><title>Gone</title><p>No such subscription")
        if method == "GET":
            price = record["price"]
            return self.html(
                200,
                HOSTED_PAGE.format(
                    title="PayPal (stand-in)",
                    amount=html.escape(f"{price['value']} {price['currency_code']} per month"),
                    action=f"/webapps/billing/subscriptions?ba_token={ba_token}",
                    button="Agree & Subscribe",
                    cancel=html.escape(record["context"]["cancel_url"]),
                ),
            )
        record["subscription"]["status"] = "ACTIVE"
        return self.redirect(
            f"{record['context']['return_url']}?{urlencode({'subscription_id': subscription_id, 'ba_token': ba_token, 'token': 'EC-' + subscription_id})}"
        )


def paypal_event(
    event_type: str,
    resource: dict,
    *,
    resource_type: str,
    summary: str = "",
    create_time: str | None = None,
) -> dict:
    """An event envelope as PayPal documents it (Webhooks event names and the
    notifications_webhooks_v1 ``event`` schema)."""
    return {
        "id": f"WH-{secrets.token_hex(8).upper()}-{secrets.token_hex(8).upper()}",
        "event_version": "1.0",
        "create_time": create_time or _now_iso(),
        "resource_type": resource_type,
        "resource_version": "2.0",
        "event_type": event_type,
        "summary": summary or event_type.replace(".", " ").lower(),
        "resource": resource,
        "links": [
            {
                "href": "https://api.paypal.com/v1/notifications/webhooks-events/WH-0",
                "rel": "self",
                "method": "GET",
            }
        ],
    }
