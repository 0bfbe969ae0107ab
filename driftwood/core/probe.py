"""The container health check: exit 0 when this container's server answers /readyz with 200.

    python -m driftwood.core.probe            # the image's HEALTHCHECK and the compose file's

/readyz is 200 while the process can serve (PostgreSQL reachable; driftwood.core.health). The probe
sends the first usable DJANGO_ALLOWED_HOSTS entry as Host and `X-Forwarded-Proto: https`, so it
passes behind DJANGO_SECURE_SSL_REDIRECT too. Free of Django imports: it runs every few seconds.
"""

import os
import sys
import urllib.error
import urllib.request


def probe(port: int = 8000, path: str = "/readyz", timeout: float = 4.0) -> bool:
    hosts = [
        host.strip().lstrip(".")
        for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
        if host.strip() not in ("", "*")
    ]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": (hosts or ["localhost"])[0], "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    sys.exit(0 if probe(int(os.environ.get("PROBE_PORT", "8000"))) else 1)
