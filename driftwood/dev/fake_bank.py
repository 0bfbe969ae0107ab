"""A stand-in for the bank's payout API, for development and tests (the real bank is out of reach).

A plain ASGI app without Django, served by daphne:

    daphne -b 127.0.0.1 -p 8430 driftwood.dev.fake_bank:application     (or `manage.py fake_bank`)

- `POST /payouts` `{reference, amount, account_number, account_holder_name, bank_name}`:
  200 `{status: "accepted", reference, payout_id}` or 422 `{status: "refused", reference,
  reason}`. The first answer for a reference is kept and repeated, so a reference is paid
  at most once.
- `GET /payouts/{reference}`: 200 with the answer kept for that reference, or 404
  `{status: "not_found", reference}` when it was never paid or refused.
- `POST /_control` `{mode, reset?: bool}`: how to answer from now on; `reset` forgets every
  payout. Modes, each reproducing one way a bank fails:
  - `accept` / `refuse`: new payouts are paid / refused, and answered;
  - `hang`: new payouts are neither paid nor answered until the client gives up;
  - `pay_then_hang`: new payouts are paid, then never answered (the client times out);
  - `pay_then_503`: new payouts are paid, then answered 503;
  - `503`: every payout and lookup is answered 503 and nothing is paid (the bank is down).
  An unreachable bank is this process stopped, or a port nothing listens on.
- `GET /payouts`: `{payouts: [...]}`, every payout made, in order.

Every request needs `Authorization: Bearer <BANK_API_KEY>` (environment, same default as
the settings). State lives in this one process's memory; requests run on one event loop,
so checking and recording a reference cannot interleave.
"""

import json
import os
import secrets
from decimal import Decimal, InvalidOperation

DEFAULT_API_KEY = "bank-dev-key"
MODES = ("accept", "refuse", "hang", "pay_then_hang", "pay_then_503", "503")
UNAVAILABLE = {"status": "unavailable", "reason": "The payout service is temporarily unavailable."}
REFUSAL_REASON = "The beneficiary bank refused the transfer."


class FakeBank:
    def __init__(self, *, api_key: str):
        self.api_key = api_key
        self.mode = "accept"
        self.answers: dict[str, tuple[int, dict]] = {}
        self.payouts: list[dict] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        if not self._authorized(scope):
            await _respond(send, 401, {"error": "unauthorized"})
            return
        method, path = scope["method"], scope["path"].rstrip("/")
        if (method, path) == ("POST", "/_control"):
            await self._control(body, send)
        elif (method, path) == ("GET", "/payouts"):
            await _respond(send, 200, {"payouts": self.payouts})
        elif self.mode == "503" and path.startswith("/payouts"):
            await _respond(send, 503, UNAVAILABLE)
        elif (method, path) == ("POST", "/payouts"):
            await self._payout(body, receive, send)
        elif method == "GET" and path.startswith("/payouts/"):
            # ASGI hands the path over percent-decoded.
            await self._status(path.removeprefix("/payouts/"), send)
        else:
            await _respond(send, 404, {"error": "not_found"})

    def _authorized(self, scope) -> bool:
        headers = dict(scope["headers"])
        supplied = headers.get(b"authorization", b"").decode("latin-1")
        return secrets.compare_digest(supplied, f"Bearer {self.api_key}")

    async def _payout(self, body: bytes, receive, send) -> None:
        request = _json_object(body)
        problem = _payout_problem(request)
        if problem:
            await _respond(send, 400, {"error": problem})
            return
        reference = request["reference"]
        if reference in self.answers:
            status, answer = self.answers[reference]
            await _respond(send, status, answer, replayed=True)
            return
        if self.mode == "hang":
            await _wait_for_disconnect(receive)
            return
        if self.mode == "refuse":
            answer = (422, {"status": "refused", "reference": reference, "reason": REFUSAL_REASON})
        else:
            payout_id = len(self.payouts) + 1
            self.payouts.append(
                {
                    "payout_id": payout_id,
                    "reference": reference,
                    "amount": request["amount"],
                    "account_number": request["account_number"],
                    "account_holder_name": request["account_holder_name"],
                    "bank_name": request["bank_name"],
                }
            )
            answer = (200, {"status": "accepted", "reference": reference, "payout_id": payout_id})
        self.answers[reference] = answer
        if self.mode == "pay_then_hang":
            await _wait_for_disconnect(receive)
        elif self.mode == "pay_then_503":
            await _respond(send, 503, UNAVAILABLE)
        else:
            await _respond(send, *answer)

    async def _status(self, reference: str, send) -> None:
        if reference not in self.answers:
            await _respond(send, 404, {"status": "not_found", "reference": reference})
            return
        await _respond(send, 200, self.answers[reference][1])

    async def _control(self, body: bytes, send) -> None:
        request = _json_object(body)
        mode = request.get("mode", self.mode)
        if mode not in MODES:
            await _respond(send, 400, {"error": f"mode must be one of {', '.join(MODES)}"})
            return
        self.mode = mode
        if request.get("reset"):
            self.answers.clear()
            self.payouts.clear()
        await _respond(send, 200, {"mode": self.mode, "payouts": len(self.payouts)})


def _payout_problem(request: dict) -> str:
    for field in ("reference", "amount", "account_number", "account_holder_name", "bank_name"):
        if not isinstance(request.get(field), str) or not request[field].strip():
            return f"{field} is required"
    try:
        amount = Decimal(request["amount"])
    except InvalidOperation:
        return "amount must be a decimal string"
    if not amount.is_finite() or amount <= 0:
        return "amount must be positive"
    if not request["account_number"].isdigit():
        return "account_number must be digits"
    return ""


def _json_object(body: bytes) -> dict:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _wait_for_disconnect(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _respond(send, status: int, payload: dict, *, replayed: bool = False) -> None:
    headers = [(b"content-type", b"application/json")]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


application = FakeBank(api_key=os.environ.get("BANK_API_KEY", DEFAULT_API_KEY))
