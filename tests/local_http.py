"""A real HTTP server on 127.0.0.1 in a thread of the test process, for the stand-ins the tests
talk to (a Stripe recorder or proxy, a webhook receiver, a site that frames the embed).

    server = LocalHttpServer(Handler)   # listening on a free port, serving at once
    server.url                          # http://127.0.0.1:<port>
    server.close()                      # or use it as a context manager
"""

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output free of access-log lines."""

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A client that stopped waiting (a sender's timeout, on purpose in some tests) is no error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalHttpServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = _Server(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def __enter__(self) -> "LocalHttpServer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
