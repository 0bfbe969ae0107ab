from django.conf import settings
from django.core.management.base import BaseCommand

DEFAULT_PORT = 8430


class Command(BaseCommand):
    help = (
        "Serve the fake bank payout API (driftwood/dev/fake_bank.py) with daphne, answering to BANK_API_KEY. "
        "Point BANK_API_URL at it; `make run` starts one by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT)

    def handle(self, *args, host: str, port: int, **options):
        # Imported here: daphne.server installs Twisted's asyncio reactor on import.
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        from driftwood.dev.fake_bank import FakeBank

        self.stdout.write(f"Fake bank listening on http://{host}:{port} (Ctrl-C stops it)")
        Server(
            application=FakeBank(api_key=settings.BANK_API_KEY),
            endpoints=build_endpoint_description_strings(host=host, port=port),
        ).run()
