"""An issue to 100,000 confirmed subscribers, all accepted by a local SMTP server
(aiosmtpd in a process of its own, counting what it accepts).

Ours: `issue_build` (the audience's delivery rows) and `issue_send` (render once,
per-recipient tokens and bytes, batches marked sending/sent in SQLite) through our
SMTP backend. Beside it, in the same run, to the same server: bare smtplib sending
the same number of pre-rendered messages of the same size. Both sides renew their
connection every DATELINE_NEWSLETTER_MESSAGES_PER_CONNECTION messages (the same
number of connections). DKIM is off on both sides (`--dkim` also times our side
with a 2048-bit signature on a sample)."""

import argparse
import os
import smtplib
import subprocess
import sys
import time
from datetime import timedelta

SUBSCRIBERS = 100_000
PER_CONNECTION = 1000


def sink_main():
    """The SMTP server: accepts everything; 'count' on stdin prints messages and bytes."""
    from aiosmtpd.controller import Controller

    class Sink:
        messages = 0
        size = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.messages += len(envelope.rcpt_tos)
            Sink.size += len(envelope.content)
            return "250 OK"

    class Loopback(Controller):
        def _trigger_server(self):
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    controller = Loopback(Sink(), hostname="127.0.0.1", port=0)
    controller.start()
    print(controller.port, flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(Sink.messages, Sink.size, flush=True)
    controller.stop()


class SinkProcess:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from bench.newsletters import sink_main; sink_main()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline())

    def count(self) -> tuple[int, int]:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        messages, size = self.process.stdout.readline().split()
        return int(messages), int(size)

    def stop(self):
        self.process.stdin.close()
        self.process.wait(10)


def _setup(subscribers: int):
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from dateline.demo import services as demo
    from dateline.network.models import Site
    from dateline.newsletters.services import newsletters_ensure

    call_command("migrate", verbosity=0)
    demo.demo_network_create()
    now = timezone.now()
    demo.demo_stories_generate(50, seed=11, start=now - timedelta(hours=20), end=now)
    newsletters_ensure()
    newsletter = Site.objects.get(slug="spacewar").newsletter
    stamp = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO newsletters_subscriber (email, key, created_at, suppressed) "
            "VALUES (%s, %s, %s, '')",
            [(f"reader{i}@bench.example", f"k{i:010d}", stamp) for i in range(subscribers)],
        )
        cursor.execute(
            "INSERT INTO newsletters_subscription (subscriber_id, newsletter_id, status, "
            "requested_at, requested_from, confirmed_at, confirmed_from) "
            "SELECT id, %s, 'confirmed', %s, 'bench', %s, 'bench' FROM newsletters_subscriber",
            [newsletter.id, stamp, stamp],
        )
    return newsletter, now


def _bare_smtplib(port: int, message: bytes, count: int, per_connection: int) -> float:
    started = time.perf_counter()
    client = None
    for i in range(count):
        if i % per_connection == 0:
            if client is not None:
                client.quit()
            client = smtplib.SMTP("127.0.0.1", port)
        client.sendmail("newsletters@bench.example", [f"reader{i}@bench.example"], message)
    client.quit()
    return time.perf_counter() - started


def main(argv):
    parser = argparse.ArgumentParser(prog="python -m bench newsletters")
    parser.add_argument("--subscribers", type=int, default=SUBSCRIBERS)
    parser.add_argument("--dkim", action="store_true", help="also time DKIM signing on a sample")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["BENCH_DB"] = "newsletters.sqlite3"
    from bench.settings import VAR_DIR

    for suffix in ("", "-wal", "-shm"):
        (VAR_DIR / f"newsletters.sqlite3{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.conf import settings

    from dateline.newsletters.email_url import mailer_from_url
    from dateline.newsletters.models import Delivery
    from dateline.newsletters.sending import issue_message, issue_send, recipient_links
    from dateline.newsletters.services import issue_build

    sink = SinkProcess()
    try:
        settings.MAILERS = {"default": mailer_from_url(f"smtp://127.0.0.1:{sink.port}")}
        settings.DATELINE_NEWSLETTER_MESSAGES_PER_CONNECTION = PER_CONNECTION
        settings.DATELINE_NEWSLETTER_RATE = 0
        print(f"setting up {args.subscribers:,} confirmed subscribers ...", flush=True)
        newsletter, now = _setup(args.subscribers)

        started = time.perf_counter()
        issue = issue_build(newsletter=newsletter, date=now.date(), now=now)
        built = time.perf_counter() - started
        report = issue_send(issue_id=issue.id)
        ours = time.perf_counter() - started
        received, size = sink.count()
        assert report.finished and report.sent == args.subscribers, report
        assert received == args.subscribers, (received, args.subscribers)
        assert Delivery.objects.filter(issue=issue, state="sent").count() == args.subscribers
        average = size // received

        # The reference: one of our messages, pre-rendered, sent as often by bare smtplib.
        message = issue_message(issue)
        links = recipient_links(issue, 1, "k0000000001")
        sample = message.build(
            to="reader1@bench.example",
            message_id="<bench@bench.example>",
            preferences_url=links[0],
            unsubscribe_url=links[1],
        )
        bare = _bare_smtplib(sink.port, sample, args.subscribers, PER_CONNECTION)
        received_after, _ = sink.count()
        assert received_after == 2 * args.subscribers

        connections = -(-args.subscribers // PER_CONNECTION)
        print(
            f"\nnewsletters: one issue ({issue.story_count} stories, ~{average / 1024:.1f} KB "
            f"per message) to {args.subscribers:,} subscribers, {connections} SMTP connections "
            f"each side, aiosmtpd sink in its own process"
        )
        print(f"{'':34}{'total s':>10}{'msgs/s':>10}")
        print(f"{'ours (build + render + send)':34}{ours:>10.1f}{args.subscribers / ours:>10.0f}")
        print(f"{'  of which build (audience rows)':34}{built:>10.1f}")
        print(
            f"{'bare smtplib, pre-rendered bytes':34}{bare:>10.1f}{args.subscribers / bare:>10.0f}"
        )
        print(f"ratio ours / bare smtplib: {bare / ours:.2f} (target >= 0.60)")

        if args.dkim:
            _dkim_sample(message, sample)
    finally:
        sink.stop()


def _dkim_sample(message, sample: bytes, count: int = 2000):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from dateline.newsletters.mail import DKIMSigner

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    signer = DKIMSigner(private_key=pem, selector="bench", domain="bench.example")
    started = time.perf_counter()
    for _ in range(count):
        signer.sign(sample)
    per = (time.perf_counter() - started) / count
    print(f"DKIM (dkimpy, RSA-2048, relaxed/relaxed): {per * 1000:.2f} ms per message on one core")
