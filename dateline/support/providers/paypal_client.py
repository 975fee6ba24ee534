"""A small client for the parts of PayPal's REST API we use: OAuth 2.0 client credentials,
Orders v2 (create, capture, show), Subscriptions v1 (create, cancel) and the webhook
signature verification call. Request and response shapes follow PayPal's published
OpenAPI documents (checkout_orders_v2, billing_subscriptions_v1, notifications_webhooks_v1)."""

import hashlib

import httpx
from django.core.cache import cache

from .base import ProviderError

TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class PayPalClient:
    def __init__(self, *, api_base: str, client_id: str, client_secret: str):
        self.api_base = api_base.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret

    def _token_cache_key(self) -> str:
        digest = hashlib.sha256(f"{self.api_base}|{self.client_id}".encode()).hexdigest()[:24]
        return f"support:paypal-token:{digest}"

    def access_token(self) -> str:
        """An OAuth 2.0 access token (client credentials grant), cached until shortly
        before it expires."""
        key = self._token_cache_key()
        token = cache.get(key)
        if token:
            return token
        try:
            response = httpx.post(
                f"{self.api_base}/v1/oauth2/token",
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.client_secret),
                headers={"Accept": "application/json"},
                timeout=TIMEOUT,
            )
        except httpx.HTTPError as error:
            raise ProviderError(f"PayPal token request failed: {type(error).__name__}") from None
        if response.status_code != 200:
            raise ProviderError(f"PayPal refused our credentials (HTTP {response.status_code}).")
        body = response.json()
        token = body["access_token"]
        cache.set(key, token, max(int(body.get("expires_in", 300)) - 60, 30))
        return token

    def call(self, method: str, path: str, *, json=None, request_id: str = "") -> dict:
        headers = {
            "Authorization": f"Bearer {self.access_token()}",
            "Accept": "application/json",
            # PayPal's documents require it on every call, GET included.
            "Content-Type": "application/json",
        }
        if request_id:
            # PayPal-Request-Id makes a retried POST idempotent on PayPal's side.
            headers["PayPal-Request-Id"] = request_id
        try:
            response = httpx.request(
                method, f"{self.api_base}{path}", json=json, headers=headers, timeout=TIMEOUT
            )
        except httpx.HTTPError as error:
            raise ProviderError(f"PayPal {path} failed: {type(error).__name__}") from None
        if response.status_code == 401:
            cache.delete(self._token_cache_key())
        if response.status_code >= 400:
            detail = ""
            try:
                problem = response.json()
                detail = f": {problem.get('name', '')} (debug id {problem.get('debug_id', '?')})"
            except ValueError:
                pass
            raise ProviderError(f"PayPal {path} answered HTTP {response.status_code}{detail}")
        if response.status_code == 204 or not response.content:
            return {}
        return response.json()

    # -- Orders v2 ------------------------------------------------------------------------

    def order_create(self, body: dict, *, request_id: str) -> dict:
        return self.call("POST", "/v2/checkout/orders", json=body, request_id=request_id)

    def order_capture(self, order_id: str, *, request_id: str) -> dict:
        return self.call(
            "POST", f"/v2/checkout/orders/{order_id}/capture", json={}, request_id=request_id
        )

    def order_show(self, order_id: str) -> dict:
        return self.call("GET", f"/v2/checkout/orders/{order_id}")

    # -- Subscriptions v1 -----------------------------------------------------------------

    def subscription_create(self, body: dict, *, request_id: str) -> dict:
        return self.call("POST", "/v1/billing/subscriptions", json=body, request_id=request_id)

    def subscription_cancel(self, subscription_id: str, *, reason: str) -> None:
        self.call(
            "POST", f"/v1/billing/subscriptions/{subscription_id}/cancel", json={"reason": reason}
        )

    # -- Webhooks -------------------------------------------------------------------------

    def verify_webhook_signature(self, body: dict) -> bool:
        answer = self.call("POST", "/v1/notifications/verify-webhook-signature", json=body)
        return answer.get("verification_status") == "SUCCESS"
