"""A recording stand-in for Stripe's HTTP API: the stripe SDK, pointed at it, sends its real requests
here, and the test reads back exactly what would have reached Stripe (method, path, idempotency
key and the form-encoded parameters) and chooses the answer.

    with StripeRecorder(answer=(200, payment_intent_json)) as recorder:
        settings.STRIPE_API_BASE = recorder.url
        ...
        assert recorder.requests[0].params == {"amount": "3000", ...}
"""

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

from tests.local_http import LocalHttpServer, QuietHandler


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    idempotency_key: str | None
    params: dict[str, str]  # the form body as Stripe reads it: "payment_method_data[fpx][bank]" -> "maybank2u"


class StripeRecorder:
    def __init__(self, *, answer: tuple[int, dict]):
        self.answer = answer
        self.requests: list[Recorded] = []
        recorder = self

        class Handler(QuietHandler):
            def _record(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                path, _, query = self.path.partition("?")
                pairs = parse_qsl(body or query, keep_blank_values=True)
                recorder.requests.append(
                    Recorded(
                        method=self.command,
                        path=path,
                        idempotency_key=self.headers.get("Idempotency-Key"),
                        params=dict(pairs),
                    )
                )
                status, payload = recorder.answer
                content = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.send_header("Stripe-Should-Retry", "false")
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_DELETE = _record  # noqa: N815 - http.server's names

        self.handler = Handler

    def __enter__(self) -> "StripeRecorder":
        self.server = LocalHttpServer(self.handler)
        self.url = self.server.url
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.close()


def redirect_intent(method: str, *, url: str, intent_id: str = "pi_recorded", amount: int = 3000) -> dict:
    """Stripe's answer to a confirmed FPX or GrabPay create: waiting for the player on `url`."""
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "currency": "myr",
        "client_secret": f"{intent_id}_secret_recorded",
        "status": "requires_action",
        "payment_method_types": [method],
        "next_action": {"type": "redirect_to_url", "redirect_to_url": {"url": url, "return_url": "ignored"}},
        "metadata": {},
    }
