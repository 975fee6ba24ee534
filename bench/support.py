"""Reader support: signed Stripe webhooks through Django's WSGI handler and middleware,
verified with the ``stripe`` library and applied (one payment, one supporter, one
contribution each) on SQLite; then the same events delivered again (duplicates).

Beside them, in the same run, the reference: the bare work no webhook endpoint can skip,
HMAC-SHA256 verification of the same signed payloads plus JSON parsing, in a loop.
Also: the article page's appeal region rendered from a warm cache, per second."""

import argparse
import io
import json
import os
import sys
import time


def _environ(path: str, host: str, body: bytes, signature: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_STRIPE_SIGNATURE": signature,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "REMOTE_ADDR": "127.0.0.1",
    }


def _event(n: int, created: int) -> dict:
    return {
        "id": f"evt_bench_{n:08d}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created,
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": f"cs_bench_{n:08d}",
                "object": "checkout.session",
                "mode": "payment",
                "payment_status": "paid",
                "amount_total": 500 + n % 20 * 100,
                "currency": "usd",
                "client_reference_id": None,
                "metadata": {"site": "bench"},
                "payment_intent": f"pi_bench_{n:08d}",
                "customer_details": {
                    "email": f"reader{n % 5000}@example.org",
                    "name": "Bench Reader",
                },
            }
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench support")
    parser.add_argument("--events", type=int, default=3000)
    args = parser.parse_args(argv)

    secret = "whsec_bench_secret"  # noqa: S105 - a bench-only signing secret
    os.environ["BENCH_DB"] = "support.sqlite3"
    os.environ["STRIPE_SECRET_KEY"] = "sk_test_bench"  # noqa: S105 - never sent anywhere
    os.environ["STRIPE_WEBHOOK_SECRET"] = secret
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    import stripe
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.template.loader import render_to_string

    from dateline.network.models import Network, Site
    from dateline.support.models import Contribution, ProviderEvent, Supporter

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    network = Network.objects.first() or Network.objects.create(
        name="Bench", copyright_notice="(c) {years}", first_year=2000, privacy_statement="-"
    )
    site, _ = Site.objects.get_or_create(
        slug="bench", defaults={"network": network, "name": "Bench", "host": "bench.localhost"}
    )
    ProviderEvent.objects.all().delete()
    Contribution.objects.all().delete()
    Supporter.objects.all().delete()

    now = int(time.time())
    payloads = [json.dumps(_event(n, now)).encode() for n in range(args.events)]

    def sign(payload):
        timestamp = int(time.time())
        mac = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload.decode()}", secret)
        return f"t={timestamp},v1={mac}"

    signatures = [sign(p) for p in payloads]
    handler = WSGIHandler()

    def deliver_all():
        statuses = []
        start = time.perf_counter()
        for payload, signature in zip(payloads, signatures, strict=True):
            environ = _environ("/support/webhooks/stripe/", site.host, payload, signature)
            b"".join(handler(environ, lambda s, h, e=None: statuses.append(s)))
        return time.perf_counter() - start, statuses

    applied_seconds, statuses = deliver_all()
    assert all(s.startswith("200") for s in statuses), set(statuses)
    assert Contribution.objects.count() == args.events
    duplicate_seconds, statuses = deliver_all()
    assert Contribution.objects.count() == args.events

    start = time.perf_counter()
    for payload, signature in zip(payloads, signatures, strict=True):
        stripe.WebhookSignature.verify_header(payload.decode(), signature, secret, 300)
        json.loads(payload)
    reference_seconds = time.perf_counter() - start

    from dateline.support.selectors import appeal_for_site

    appeal_for_site(site)
    renders = 2000
    start = time.perf_counter()
    for _ in range(renders):
        render_to_string("support/region.html", {"site": site})
    region_seconds = time.perf_counter() - start

    n = args.events
    print(f"\nReader support on SQLite: {n} signed Stripe events, one core, full WSGI stack\n")
    print(f"{'what':<48}{'per second':>12}{'vs ref':>9}")
    ref_rate = n / reference_seconds
    for label, seconds in (
        ("webhooks applied (new payment each)", applied_seconds),
        ("webhooks refused as duplicates", duplicate_seconds),
    ):
        rate = n / seconds
        print(f"{label:<48}{rate:>12,.0f}{rate / ref_rate:>8.3f}x")
    print(f"{'reference: verify signature + parse JSON only':<48}{ref_rate:>12,.0f}{1:>8.3f}x")
    print(f"{'appeal region rendered (warm cache)':<48}{renders / region_seconds:>12,.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
