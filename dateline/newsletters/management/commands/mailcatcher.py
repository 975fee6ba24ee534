"""``dateline mailcatcher``: the demo's SMTP catcher on 127.0.0.1 (default port 2525).
Every message it receives is listed in the admin under "Caught mail (demo)"."""

import signal
import threading

from django.core.management.base import BaseCommand

from dateline.newsletters.catcher import LoopbackController, StoringHandler


class Command(BaseCommand):
    help = "Catch the demo's outgoing mail on 127.0.0.1 and keep it for the admin."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args, port, **options):
        controller = LoopbackController(StoringHandler(), port=port)
        controller.start()
        self.stdout.write(f"Catching mail on smtp://127.0.0.1:{controller.port}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        try:
            stop.wait()
        finally:
            controller.stop()
