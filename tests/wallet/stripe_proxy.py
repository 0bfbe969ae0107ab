"""localstripe behind a proxy that breaks the way Stripe can: it answers a 500 after the work
was done (the answer is lost, the effect is not), or it is not there at all.

    with StripeProxy(localstripe_url) as proxy:
        settings.STRIPE_API_BASE = proxy.url
        proxy.mode = "fail_after"      # forward to localstripe, then answer 500

It also keeps Stripe's promise that localstripe does not: a POST repeating an `Idempotency-Key`
gets the first answer again and does nothing (`proxy.replayed` lists their paths).
"""

import httpx

from tests.local_http import LocalHttpServer, QuietHandler

FORWARDED_HEADERS = ("authorization", "content-type", "idempotency-key", "stripe-version")


class StripeProxy:
    MODES = ("pass", "fail_after")

    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.mode = "pass"
        self.failed_after_work: list[str] = []
        self.replayed: list[str] = []
        self._answers: dict[str, tuple[int, bytes]] = {}
        proxy = self

        class Handler(QuietHandler):
            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {name: value for name, value in self.headers.items() if name.lower() in FORWARDED_HEADERS}
                key = self.headers.get("idempotency-key") if self.command == "POST" else None
                if key and key in proxy._answers:
                    proxy.replayed.append(self.path)
                    self._send(*proxy._answers[key])
                    return
                answer = httpx.request(self.command, proxy.upstream + self.path, content=body, headers=headers)
                if key and answer.status_code < 500:
                    proxy._answers[key] = (answer.status_code, answer.content)
                if proxy.mode == "fail_after" and self.command == "POST":
                    proxy.failed_after_work.append(self.path)
                    self._send(500, b'{"error": {"type": "api_error", "message": "Internal error"}}', retry=False)
                else:
                    self._send(answer.status_code, answer.content)

            def _send(self, status: int, body: bytes, *, retry: bool | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if retry is not None:
                    # Stripe says whether a retry may help; the SDK obeys, so the test decides.
                    self.send_header("Stripe-Should-Retry", "true" if retry else "false")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _relay  # noqa: N815 - http.server's names

        self.handler = Handler

    def __enter__(self) -> "StripeProxy":
        self.server = LocalHttpServer(self.handler)
        self.url = self.server.url
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.close()
