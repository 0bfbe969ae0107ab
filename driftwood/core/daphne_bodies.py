"""Request bodies are Django's to read, not Twisted's.

Under daphne, Twisted parses every POSTed form into `request.args` before daphne sees the
request (daphne never uses them), and answers a multipart body it cannot parse with a bare 400
with no body and a closed connection: no error envelope, no log line. Switching that parsing off
hands every body to Django, where `RequestBodyGuardMiddleware` answers for it (and uploads are no
longer read into memory twice).
"""

import sys


def leave_request_bodies_to_django() -> None:
    http_protocol = sys.modules.get("daphne.http_protocol")
    if http_protocol is None or getattr(http_protocol.WebRequest, "leaves_bodies_to_django", False):
        return  # not served by daphne (or already done)
    initialize = http_protocol.WebRequest.__init__

    def initialize_without_form_parsing(self, *args, **kwargs):
        initialize(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False  # twisted.web.http.Request: skip its form parsing

    http_protocol.WebRequest.__init__ = initialize_without_form_parsing
    http_protocol.WebRequest.leaves_bodies_to_django = True
